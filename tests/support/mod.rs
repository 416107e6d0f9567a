//! Helpers for the wire tests: fixtures, a view of what the mock server received, and an
//! independent re-implementation of both signature algorithms (written from docs/signing.md
//! with hmac/sha1/sha2 directly, deliberately not using `yunxiao::signing`).
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256};

pub const AK: &str = "testid";
pub const SECRET: &str = "testsecret";

/// A fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// The string at `v`, panicking with the value otherwise.
pub fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

/// RFC 3986 encoding: every byte outside `A-Za-z0-9-_.~` as `%XX` (uppercase).
pub fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decoding of a query component (`+` is a space, as servers read forms).
pub fn query_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
                out.push(u8::from_str_radix(hex, 16).expect("valid %XX"));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).expect("query decodes to UTF-8")
}

/// Decoded pairs of a raw query string, in wire order.
pub fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    match raw {
        None | Some("") => Vec::new(),
        Some(q) => q
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (query_decode(k), query_decode(v))
            })
            .collect(),
    }
}

/// What the server received, in plain types.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    /// Raw (still encoded) path.
    pub path: String,
    /// Raw query string, `None` when there was no `?`.
    pub query: Option<String>,
    /// Lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl From<&wiremock::Request> for Received {
    fn from(r: &wiremock::Request) -> Self {
        Received {
            method: r.method.as_str().to_string(),
            path: r.url.path().to_string(),
            query: r.url.query().map(str::to_string),
            headers: r
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_ascii_lowercase(),
                        v.to_str().expect("ASCII header value").to_string(),
                    )
                })
                .collect(),
            body: r.body.clone(),
        }
    }
}

impl Received {
    /// Every value of header `name`.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The single value of header `name` (panics if repeated).
    pub fn header(&self, name: &str) -> Option<&str> {
        let all = self.header_all(name);
        assert!(all.len() <= 1, "header {name} repeated: {all:?}");
        all.first().copied()
    }

    pub fn authorization(&self) -> &str {
        self.header("authorization").expect("Authorization header")
    }
}

/// All requests the server has seen.
pub async fn received(server: &wiremock::MockServer) -> Vec<Received> {
    server
        .received_requests()
        .await
        .expect("request recording on")
        .iter()
        .map(Received::from)
        .collect()
}

/// `SignedHeaders=` of a V3 Authorization header.
pub fn v3_signed_headers(authorization: &str) -> String {
    let rest = authorization
        .strip_prefix("ACS3-HMAC-SHA256 ")
        .unwrap_or_else(|| panic!("not a V3 Authorization: {authorization}"));
    rest.split(',')
        .find_map(|p| p.trim().strip_prefix("SignedHeaders="))
        .expect("SignedHeaders")
        .to_string()
}

fn v3_field<'a>(authorization: &'a str, field: &str) -> Option<&'a str> {
    authorization
        .strip_prefix("ACS3-HMAC-SHA256 ")?
        .split(',')
        .find_map(|p| p.trim().strip_prefix(field)?.strip_prefix('='))
}

/// Recomputes the signature of a received request with `secret` and compares it with the
/// one sent. Both schemes; which one from the Authorization header.
pub fn check_signature(req: &Received, access_key_id: &str, secret: &str) -> Result<(), String> {
    let auth = req.authorization();
    if auth.starts_with("ACS3-HMAC-SHA256 ") {
        check_v3(req, access_key_id, secret)
    } else if let Some(rest) = auth.strip_prefix("acs ") {
        check_legacy(req, rest, access_key_id, secret)
    } else {
        Err(format!("unknown Authorization scheme: {auth}"))
    }
}

/// The V3 canonical request of a received request, signing the listed headers.
pub fn v3_canonical_request(req: &Received, signed_headers: &str) -> String {
    let mut pairs = parse_query(req.query.as_deref());
    pairs.sort();
    let canonical_query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        let mut values: Vec<&str> = req.header_all(name).into_iter().map(str::trim).collect();
        values.sort();
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let uri = if req.path.is_empty() { "/" } else { &req.path };
    let hashed_payload = hex::encode(Sha256::digest(&req.body));
    format!(
        "{}\n{uri}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}",
        req.method
    )
}

fn check_v3(req: &Received, access_key_id: &str, secret: &str) -> Result<(), String> {
    let auth = req.authorization();
    let credential = v3_field(auth, "Credential").ok_or("no Credential")?;
    let signed = v3_field(auth, "SignedHeaders").ok_or("no SignedHeaders")?;
    let signature = v3_field(auth, "Signature").ok_or("no Signature")?;
    if credential != access_key_id {
        return Err(format!("Credential {credential} != {access_key_id}"));
    }
    // The service's minimum: host, content-type when present, every x-acs-* header.
    let signed_list: Vec<&str> = signed.split(';').collect();
    let mut sorted = signed_list.clone();
    sorted.sort();
    if sorted != signed_list {
        return Err(format!("SignedHeaders not sorted: {signed}"));
    }
    for (name, _) in &req.headers {
        let must = name == "host" || name == "content-type" || name.starts_with("x-acs-");
        if must && !signed_list.contains(&name.as_str()) {
            return Err(format!("header {name} sent but not signed"));
        }
    }
    for name in &signed_list {
        if req.header_all(name).is_empty() {
            return Err(format!("signed header {name} not sent"));
        }
    }
    let payload_hash = hex::encode(Sha256::digest(&req.body));
    if req.header("x-acs-content-sha256") != Some(payload_hash.as_str()) {
        return Err("x-acs-content-sha256 does not match the body".into());
    }
    let canonical = v3_canonical_request(req, signed);
    let string_to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    if expected != signature {
        return Err(format!(
            "V3 signature mismatch: sent {signature}, expected {expected}\ncanonical request:\n{canonical}"
        ));
    }
    Ok(())
}

/// The legacy string to sign of a received request.
pub fn legacy_string_to_sign(req: &Received) -> String {
    let h = |name: &str| req.header(name).unwrap_or("").to_string();
    let mut acs: Vec<(&str, &str)> = req
        .headers
        .iter()
        .filter(|(n, _)| n.starts_with("x-acs-"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    acs.sort();
    let canonical_headers: String = acs.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let mut resource = req.path.clone();
    let mut pairs = parse_query(req.query.as_deref());
    if !pairs.is_empty() {
        pairs.sort();
        let joined = pairs
            .iter()
            .map(|(k, v)| {
                if v.is_empty() {
                    k.clone()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        resource.push('?');
        resource.push_str(&joined);
    }
    format!(
        "{}\n{}\n{}\n{}\n{}\n{canonical_headers}{resource}",
        req.method,
        h("accept"),
        h("content-md5"),
        h("content-type"),
        h("date"),
    )
}

fn check_legacy(
    req: &Received,
    rest: &str,
    access_key_id: &str,
    secret: &str,
) -> Result<(), String> {
    let (ak, signature) = rest.rsplit_once(':').ok_or("expected acs AK:SIG")?;
    if ak != access_key_id {
        return Err(format!("AK {ak} != {access_key_id}"));
    }
    if req.header("x-acs-signature-method") != Some("HMAC-SHA1") {
        return Err("x-acs-signature-method is not HMAC-SHA1".into());
    }
    let string_to_sign = legacy_string_to_sign(req);
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if expected != signature {
        return Err(format!(
            "legacy signature mismatch: sent {signature}, expected {expected}\nstring to sign:\n{string_to_sign}"
        ));
    }
    Ok(())
}

/// 32 lowercase hex characters.
pub fn is_nonce(v: &str) -> bool {
    v.len() == 32
        && v.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn num(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn timestamp(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    let ok = (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && (0..61).contains(&s);
    ok.then(|| days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Unix seconds of a V3 `x-acs-date` (`YYYY-MM-DDThh:mm:ssZ`), if well-formed.
pub fn parse_acs_date(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    timestamp(
        num(&v[0..4])?,
        num(&v[5..7])?,
        num(&v[8..10])?,
        num(&v[11..13])?,
        num(&v[14..16])?,
        num(&v[17..19])?,
    )
}

/// Unix seconds of a legacy `date` (`Wed, 25 Nov 2026 02:19:07 GMT`), if well-formed,
/// including a weekday that matches the date.
pub fn parse_http_date(v: &str) -> Option<i64> {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = v.split(' ').collect();
    let [wd, day, mon, year, hms, "GMT"] = parts.as_slice() else {
        return None;
    };
    let wd = wd.strip_suffix(',')?;
    if day.len() != 2 || year.len() != 4 {
        return None;
    }
    let month = MONTHS.iter().position(|m| m == mon)? as i64 + 1;
    let t: Vec<&str> = hms.split(':').collect();
    let [h, mi, s] = t.as_slice() else {
        return None;
    };
    if h.len() != 2 || mi.len() != 2 || s.len() != 2 {
        return None;
    }
    let ts = timestamp(num(year)?, month, num(day)?, num(h)?, num(mi)?, num(s)?)?;
    let weekday = DAYS[(ts.div_euclid(86_400)).rem_euclid(7) as usize];
    (weekday == wd).then_some(ts)
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64
}

/// Whether `ts` is within five minutes of now.
pub fn is_recent(ts: i64) -> bool {
    (ts - now_secs()).abs() <= 300
}

#[test]
fn helpers_self_check() {
    assert_eq!(enc("a b/c+*~ü"), "a%20b%2Fc%2B%2A~%C3%BC");
    assert_eq!(query_decode("a+b%2Fc%C3%BC"), "a b/cü");
    assert_eq!(parse_acs_date("1970-01-02T00:00:01Z"), Some(86_401));
    assert_eq!(parse_acs_date("1970-01-02 00:00:01Z"), None);
    assert_eq!(
        parse_http_date("Wed, 25 Nov 2026 02:19:07 GMT"),
        parse_acs_date("2026-11-25T02:19:07Z")
    );
    assert_eq!(parse_http_date("Thu, 25 Nov 2026 02:19:07 GMT"), None);
    assert!(is_nonce("61fec14f9840ad677f8b8cbc9cffd649"));
    assert!(!is_nonce("61FEC14F9840AD677F8B8CBC9CFFD649"));
}
