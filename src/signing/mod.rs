//! Request signing for the Yunxiao OpenAPI, byte-compatible with the official SDK.
//!
//! Two algorithms exist (see `docs/signing.md`):
//! - [`v3`]: `ACS3-HMAC-SHA256`, the default; covers method, path, query, headers and body.
//! - [`legacy`]: ROA HMAC-SHA1 (`acs AK:SIG`); does not cover the body.
//!
//! [`rpc`] is the RPC-style HMAC-SHA1 signature STS uses; the credential providers sign
//! `AssumeRole` with it.
//!
//! [`sign_request`] builds every header the client sends, in the official SDK's wire
//! order; [`verify`] is the matching server-side check (used by the mock server).

pub mod encode;
pub mod legacy;
pub mod rpc;
pub mod v3;

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::Mac;
use time::OffsetDateTime;

use crate::credentials::Credentials;

/// `accept` header value the client always sends.
pub const ACCEPT: &str = "application/json";
/// `content-type` the client sends with a JSON body.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Which signature the client computes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignatureVersion {
    /// `ACS3-HMAC-SHA256` (the default; covers the body).
    #[default]
    V3,
    /// Legacy ROA HMAC-SHA1 (`Authorization: acs AK:SIG`; does not cover the body).
    Legacy,
}

/// A request exactly as it will be sent, for signing.
#[derive(Clone, Copy, Debug)]
pub struct SignableRequest<'a> {
    /// HTTP method, upper case (`GET`, `POST`, ...).
    pub method: &'a str,
    /// The already percent-encoded path, exactly as sent.
    pub path: &'a str,
    /// Decoded query pairs, any order.
    pub query: &'a [(String, String)],
    /// V3: every header to sign; legacy: the headers sent. Names in any case.
    pub headers: &'a [(String, String)],
    /// The exact body bytes.
    pub body: &'a [u8],
}

/// Everything [`sign_request`] needs to build the headers of one request.
#[derive(Clone, Copy, Debug)]
pub struct RequestContext<'a> {
    /// Which signature to compute.
    pub version: SignatureVersion,
    /// HTTP method, upper case.
    pub method: &'a str,
    /// `host[:port]` as sent.
    pub host: &'a str,
    /// The already percent-encoded path.
    pub path: &'a str,
    /// Decoded query pairs, any order.
    pub query: &'a [(String, String)],
    /// The operation name, sent as `x-acs-action`.
    pub action: &'a str,
    /// The API version, sent as `x-acs-version` (`2021-06-25`).
    pub api_version: &'a str,
    /// The `user-agent` header value.
    pub user_agent: &'a str,
    /// `Some(..)` only when a body is sent.
    pub content_type: Option<&'a str>,
    /// The exact body bytes (empty when none).
    pub body: &'a [u8],
    /// Request time, sent as `x-acs-date` (V3) or `date` (legacy).
    pub timestamp: SystemTime,
    /// Unique per request, sent as `x-acs-signature-nonce`; see [`new_nonce`].
    pub nonce: &'a str,
    /// The credentials to sign with.
    pub credentials: &'a Credentials,
    /// The operation's own header parameters: sent and signed (the service requires every
    /// `x-acs-*` header to be signed), after the standard headers.
    pub extra_headers: &'a [(String, String)],
}

/// A fresh signature nonce: 32 lowercase hex chars from a random UUID v4, as the SDK sends.
pub fn new_nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `t` as a UTC `OffsetDateTime`; times outside the supported range clamp to the epoch
/// rather than panic.
fn to_utc(t: SystemTime) -> OffsetDateTime {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        // Whole seconds, rounded down (towards the past), like the SDK.
        Err(e) => {
            let d = e.duration();
            let s = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                -s.saturating_add(1)
            } else {
                -s
            }
        }
    };
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Formats `t` as the V3 `x-acs-date`: UTC `YYYY-MM-DDThh:mm:ssZ`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(1_767_323_045);
/// assert_eq!(yunxiao::signing::format_acs_date(t), "2026-01-02T03:04:05Z");
/// ```
pub fn format_acs_date(t: SystemTime) -> String {
    const FMT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    to_utc(t).format(FMT).unwrap_or_default()
}

/// Formats `t` as the legacy `date` header (RFC 1123, English names, `GMT`).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(1_767_323_045);
/// assert_eq!(yunxiao::signing::format_http_date(t), "Fri, 02 Jan 2026 03:04:05 GMT");
/// ```
pub fn format_http_date(t: SystemTime) -> String {
    const FMT: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    to_utc(t).format(FMT).unwrap_or_default()
}

fn push(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.push((name.to_owned(), value.to_owned()));
}

/// Builds every header the client sends, including the authorization, in the official
/// SDK's wire order.
///
/// V3: `host`, `x-acs-version`, `x-acs-action`, `user-agent`, `x-acs-date`,
/// `x-acs-signature-nonce`, `accept`, `content-type` (with a body), `x-acs-content-sha256`,
/// `x-acs-credentials-provider`, STS `x-acs-accesskey-id` + `x-acs-security-token`,
/// `Authorization`. All but the last are signed.
///
/// Legacy: `date`, `host`, `accept`, `x-acs-signature-nonce`, `x-acs-signature-method`,
/// `x-acs-signature-version`, `x-acs-version`, `x-acs-action`, `user-agent`,
/// `content-type` (with a body), `x-acs-credentials-provider`, the STS headers,
/// `authorization`.
///
/// Transport headers (`content-length`, `accept-encoding`) are left to the HTTP stack.
pub fn sign_request(ctx: &RequestContext<'_>) -> Vec<(String, String)> {
    let creds = ctx.credentials;
    let mut h: Vec<(String, String)> = Vec::with_capacity(14);
    match ctx.version {
        SignatureVersion::V3 => {
            push(&mut h, "host", ctx.host);
            push(&mut h, "x-acs-version", ctx.api_version);
            push(&mut h, "x-acs-action", ctx.action);
            push(&mut h, "user-agent", ctx.user_agent);
            h.push(("x-acs-date".to_owned(), format_acs_date(ctx.timestamp)));
            push(&mut h, "x-acs-signature-nonce", ctx.nonce);
            push(&mut h, "accept", ACCEPT);
            if let Some(ct) = ctx.content_type {
                push(&mut h, "content-type", ct);
            }
            h.push((
                "x-acs-content-sha256".to_owned(),
                v3::hashed_payload(ctx.body),
            ));
        }
        SignatureVersion::Legacy => {
            h.push(("date".to_owned(), format_http_date(ctx.timestamp)));
            push(&mut h, "host", ctx.host);
            push(&mut h, "accept", ACCEPT);
            push(&mut h, "x-acs-signature-nonce", ctx.nonce);
            push(&mut h, "x-acs-signature-method", legacy::SIGNATURE_METHOD);
            push(&mut h, "x-acs-signature-version", legacy::SIGNATURE_VERSION);
            push(&mut h, "x-acs-version", ctx.api_version);
            push(&mut h, "x-acs-action", ctx.action);
            push(&mut h, "user-agent", ctx.user_agent);
            if let Some(ct) = ctx.content_type {
                push(&mut h, "content-type", ct);
            }
        }
    }
    push_credential_headers(&mut h, creds);
    h.extend(ctx.extra_headers.iter().cloned());
    let req = SignableRequest {
        method: ctx.method,
        path: ctx.path,
        query: ctx.query,
        headers: &h,
        body: ctx.body,
    };
    let (id, secret) = (creds.access_key_id(), creds.access_key_secret());
    // The captures show the header's name cased differently in the two modes.
    let authorization = match ctx.version {
        SignatureVersion::V3 => ("Authorization", v3::sign(&req, id, secret).authorization),
        SignatureVersion::Legacy => (
            "authorization",
            legacy::sign(&req, id, secret).authorization,
        ),
    };
    h.push((authorization.0.to_owned(), authorization.1));
    h
}

/// `x-acs-credentials-provider` and, with an STS token, the AK id and token headers.
fn push_credential_headers(h: &mut Vec<(String, String)>, creds: &Credentials) {
    if !creds.provider_name().is_empty() {
        push(h, "x-acs-credentials-provider", creds.provider_name());
    }
    if let Some(token) = creds.security_token() {
        push(h, "x-acs-accesskey-id", creds.access_key_id());
        push(h, "x-acs-security-token", token);
    }
}

/// A request whose signature [`verify`] accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRequest {
    /// The access key id that signed the request.
    pub access_key_id: String,
    /// The signature algorithm the request used.
    pub version: SignatureVersion,
    /// The `x-acs-security-token` header, when the request carried one.
    pub security_token: Option<String>,
    /// The lower-cased header names covered by the signature, sorted.
    pub signed_headers: Vec<String>,
}

/// Why [`verify`] rejected a request. Messages never include secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No `Authorization` header.
    #[error("missing Authorization header")]
    MissingAuthorization,
    /// The `Authorization` header could not be parsed.
    #[error("malformed Authorization header: {0}")]
    MalformedAuthorization(String),
    /// A header the scheme requires, or one listed in `SignedHeaders`, is absent.
    #[error("missing required header `{0}`")]
    MissingHeader(String),
    /// A header that must be signed is present but not in `SignedHeaders`.
    #[error("header `{0}` is present but not signed")]
    UnsignedHeader(String),
    /// The lookup function knows no secret for this access key id.
    #[error("unknown access key id `{0}`")]
    UnknownAccessKey(String),
    /// `x-acs-accesskey-id` names a different key than the `Authorization` header.
    #[error("x-acs-accesskey-id `{header}` does not match the signing key `{credential}`")]
    AccessKeyMismatch {
        /// The `x-acs-accesskey-id` value.
        header: String,
        /// The key id from `Authorization`.
        credential: String,
    },
    /// `x-acs-content-sha256` does not equal the SHA-256 of the body.
    #[error("x-acs-content-sha256 does not match the body")]
    PayloadHashMismatch,
    /// The legacy `x-acs-signature-method` is not `HMAC-SHA1`.
    #[error("unsupported x-acs-signature-method `{0}`")]
    UnsupportedSignatureMethod(String),
    /// The recomputed signature differs from the one sent.
    #[error("signature mismatch")]
    SignatureMismatch,
}

/// Values of header `name` (lower-case), matched case-insensitively.
fn header_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn single_header<'a>(headers: &'a [(String, String)], name: &'a str) -> Option<&'a str> {
    header_values(headers, name).next()
}

/// Verifies a signed request as the service would (for servers and mocks).
///
/// `path` is the encoded path as received, `query` the decoded pairs, `headers` every
/// header received (names in any case). The mode comes from the `Authorization` header:
/// `ACS3-HMAC-SHA256 ...` or `acs AK:SIG`. V3 requires `host`, `content-type` (when
/// present) and every `x-acs-*` header to be signed, and `x-acs-content-sha256` to match
/// the body. Legacy requires a `date` header and cannot detect a changed body. The
/// signature is compared in constant time. No clock or nonce checks are made; callers
/// can read `x-acs-date` / `x-acs-signature-nonce` themselves.
pub fn verify(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &[u8],
    lookup_secret: impl Fn(&str) -> Option<String>,
) -> Result<VerifiedRequest, VerifyError> {
    let mut auths = header_values(headers, "authorization");
    let auth = auths.next().ok_or(VerifyError::MissingAuthorization)?;
    if auths.next().is_some() {
        return Err(VerifyError::MalformedAuthorization(
            "more than one Authorization header".into(),
        ));
    }
    if let Some(rest) = auth.strip_prefix(v3::ALGORITHM) {
        if rest.starts_with(' ') {
            return verify_v3(method, path, query, headers, body, rest, lookup_secret);
        }
    }
    if let Some(rest) = auth.strip_prefix("acs ") {
        return verify_legacy(method, path, query, headers, rest, lookup_secret);
    }
    Err(VerifyError::MalformedAuthorization(
        "unknown scheme (expected `ACS3-HMAC-SHA256` or `acs`)".into(),
    ))
}

/// `Credential=..,SignedHeaders=..,Signature=..` in any order.
fn parse_v3_auth(rest: &str) -> Result<(&str, &str, &str), VerifyError> {
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let (k, v) = part.split_once('=').ok_or_else(|| {
            VerifyError::MalformedAuthorization(format!("expected key=value, got `{part}`"))
        })?;
        let slot = match k {
            "Credential" => &mut cred,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut sig,
            _ => {
                return Err(VerifyError::MalformedAuthorization(format!(
                    "unknown field `{k}`"
                )))
            }
        };
        if slot.replace(v).is_some() {
            return Err(VerifyError::MalformedAuthorization(format!(
                "repeated field `{k}`"
            )));
        }
    }
    let missing = |f: &str| VerifyError::MalformedAuthorization(format!("missing {f}"));
    Ok((
        cred.ok_or_else(|| missing("Credential"))?,
        signed.ok_or_else(|| missing("SignedHeaders"))?,
        sig.ok_or_else(|| missing("Signature"))?,
    ))
}

fn verify_v3(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    body: &[u8],
    auth_rest: &str,
    lookup_secret: impl Fn(&str) -> Option<String>,
) -> Result<VerifiedRequest, VerifyError> {
    let (access_key_id, signed_list, signature_hex) = parse_v3_auth(auth_rest)?;
    if access_key_id.is_empty() {
        return Err(VerifyError::MalformedAuthorization(
            "empty Credential".into(),
        ));
    }
    let signed: Vec<String> = signed_list
        .split(';')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let is_signed = |name: &str| signed.iter().any(|s| s == name);

    // Every header the request claims to have signed must be there.
    for name in &signed {
        if name == "authorization" {
            return Err(VerifyError::MalformedAuthorization(
                "Authorization cannot sign itself".into(),
            ));
        }
        if single_header(headers, name).is_none() {
            return Err(VerifyError::MissingHeader(name.clone()));
        }
    }
    // The service's minimum: host, content-type when present, and every x-acs-* header.
    for required in ["host", "x-acs-content-sha256"] {
        if single_header(headers, required).is_none() {
            return Err(VerifyError::MissingHeader(required.into()));
        }
    }
    for (name, _) in headers {
        let lower = name.to_ascii_lowercase();
        let must_sign = lower == "host" || lower == "content-type" || lower.starts_with("x-acs-");
        if must_sign && !is_signed(&lower) {
            return Err(VerifyError::UnsignedHeader(lower));
        }
    }

    let claimed_hash = single_header(headers, "x-acs-content-sha256").unwrap_or_default();
    if !claimed_hash
        .trim()
        .eq_ignore_ascii_case(&v3::hashed_payload(body))
    {
        return Err(VerifyError::PayloadHashMismatch);
    }
    check_sts_key(headers, access_key_id)?;

    let secret = lookup_secret(access_key_id)
        .ok_or_else(|| VerifyError::UnknownAccessKey(access_key_id.to_owned()))?;
    let to_sign: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| is_signed(&n.to_ascii_lowercase()))
        .cloned()
        .collect();
    let computed = v3::string_to_sign(&SignableRequest {
        method,
        path,
        query,
        headers: &to_sign,
        body,
    });
    let sent = hex::decode(signature_hex).map_err(|_| VerifyError::SignatureMismatch)?;
    v3::mac(&secret, &computed.string_to_sign)
        .verify_slice(&sent)
        .map_err(|_| VerifyError::SignatureMismatch)?;

    let mut signed_headers = signed;
    signed_headers.sort_unstable();
    signed_headers.dedup();
    Ok(VerifiedRequest {
        access_key_id: access_key_id.to_owned(),
        version: SignatureVersion::V3,
        security_token: single_header(headers, "x-acs-security-token").map(str::to_owned),
        signed_headers,
    })
}

/// With STS, `x-acs-accesskey-id` must name the signing key.
fn check_sts_key(headers: &[(String, String)], access_key_id: &str) -> Result<(), VerifyError> {
    match single_header(headers, "x-acs-accesskey-id") {
        Some(h) if h != access_key_id => Err(VerifyError::AccessKeyMismatch {
            header: h.to_owned(),
            credential: access_key_id.to_owned(),
        }),
        _ => Ok(()),
    }
}

fn verify_legacy(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    auth_rest: &str,
    lookup_secret: impl Fn(&str) -> Option<String>,
) -> Result<VerifiedRequest, VerifyError> {
    // The AK id cannot contain ':', while the base64 signature has no ':' either.
    let (access_key_id, signature_b64) = auth_rest.rsplit_once(':').ok_or_else(|| {
        VerifyError::MalformedAuthorization("expected `acs <AccessKeyId>:<Signature>`".into())
    })?;
    if access_key_id.is_empty() {
        return Err(VerifyError::MalformedAuthorization(
            "empty AccessKeyId".into(),
        ));
    }
    if single_header(headers, "date").is_none() {
        return Err(VerifyError::MissingHeader("date".into()));
    }
    if let Some(m) = single_header(headers, "x-acs-signature-method") {
        if m != legacy::SIGNATURE_METHOD {
            return Err(VerifyError::UnsupportedSignatureMethod(m.to_owned()));
        }
    }
    check_sts_key(headers, access_key_id)?;

    let secret = lookup_secret(access_key_id)
        .ok_or_else(|| VerifyError::UnknownAccessKey(access_key_id.to_owned()))?;
    let computed = legacy::string_to_sign(&SignableRequest {
        method,
        path,
        query,
        headers,
        body: &[],
    });
    use base64::Engine as _;
    let sent = base64::engine::general_purpose::STANDARD
        .decode(signature_b64.trim())
        .map_err(|_| VerifyError::SignatureMismatch)?;
    legacy::mac(&secret, &computed.string_to_sign)
        .verify_slice(&sent)
        .map_err(|_| VerifyError::SignatureMismatch)?;

    let mut signed_headers: Vec<String> = headers
        .iter()
        .filter(|(n, _)| {
            n.starts_with("x-acs-")
                || matches!(
                    n.to_ascii_lowercase().as_str(),
                    "accept" | "content-md5" | "content-type" | "date"
                )
        })
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    signed_headers.sort_unstable();
    signed_headers.dedup();
    Ok(VerifiedRequest {
        access_key_id: access_key_id.to_owned(),
        version: SignatureVersion::Legacy,
        security_token: single_header(headers, "x-acs-security-token").map(str::to_owned),
        signed_headers,
    })
}
