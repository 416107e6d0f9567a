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
///
/// The random bytes come from the operating system, read 512 bytes at a time per thread
/// (one system call per 32 nonces instead of one per nonce).
pub fn new_nonce() -> String {
    String::from_utf8_lossy(&nonce_bytes()).into_owned()
}

/// [`new_nonce`] on the stack: 32 lowercase hex digits (ASCII).
#[doc(hidden)]
pub fn nonce_bytes() -> [u8; 32] {
    let mut bytes = random::bytes16();
    // Version 4, variant RFC 4122, as `uuid::Uuid::new_v4` sets them.
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = [0u8; 32];
    v3::hex_into(&mut out, &bytes);
    out
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
    // 1970 to 9999, the whole range a clock gives, without the general formatter.
    if let Ok(since) = t.duration_since(UNIX_EPOCH) {
        if since.as_secs() < SECONDS_TO_YEAR_10000 {
            return acs_date_fast(since.as_secs());
        }
    }
    format_acs_date_general(t)
}

/// Seconds from the epoch to 10000-01-01T00:00:00Z.
const SECONDS_TO_YEAR_10000: u64 = 253_402_300_800;

/// [`format_acs_date`] through `time`'s formatter: any time, clamped as [`to_utc`] does.
fn format_acs_date_general(t: SystemTime) -> String {
    const FMT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    to_utc(t).format(FMT).unwrap_or_default()
}

/// `YYYY-MM-DDThh:mm:ssZ` for `secs` after the epoch (below [`SECONDS_TO_YEAR_10000`]).
fn acs_date_fast(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days to a civil date (H. Hinnant's `civil_from_days`), for days >= 0.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let mut out = [0u8; 20];
    let mut put = |at: usize, value: u64, width: usize| {
        let mut v = value;
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, month, 2);
    put(8, day, 2);
    put(11, rest / 3600, 2);
    put(14, rest / 60 % 60, 2);
    put(17, rest % 60, 2);
    for (at, c) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ] {
        out[at] = c;
    }
    out.iter().map(|&b| char::from(b)).collect()
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

/// A header [`sign_request`] sets, by its role; `Extra` is one of the operation's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub enum HeaderKey<'a> {
    Host,
    ApiVersion,
    Action,
    UserAgent,
    AcsDate,
    Nonce,
    Accept,
    ContentType,
    ContentSha256,
    CredentialsProvider,
    AccessKeyId,
    SecurityToken,
    Date,
    SignatureMethod,
    SignatureVersion,
    Authorization,
    Extra(&'a str),
}

/// The names of the headers signing sets, each parsed once (`from_static` checks its
/// text where it is evaluated, so these are statics, not per-call values).
mod header_names {
    use reqwest::header::{self, HeaderName};

    pub static HOST: HeaderName = header::HOST;
    pub static X_ACS_VERSION: HeaderName = HeaderName::from_static("x-acs-version");
    pub static X_ACS_ACTION: HeaderName = HeaderName::from_static("x-acs-action");
    pub static USER_AGENT: HeaderName = header::USER_AGENT;
    pub static X_ACS_DATE: HeaderName = HeaderName::from_static("x-acs-date");
    pub static X_ACS_SIGNATURE_NONCE: HeaderName = HeaderName::from_static("x-acs-signature-nonce");
    pub static ACCEPT: HeaderName = header::ACCEPT;
    pub static CONTENT_TYPE: HeaderName = header::CONTENT_TYPE;
    pub static X_ACS_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-acs-content-sha256");
    pub static X_ACS_CREDENTIALS_PROVIDER: HeaderName =
        HeaderName::from_static("x-acs-credentials-provider");
    pub static X_ACS_ACCESSKEY_ID: HeaderName = HeaderName::from_static("x-acs-accesskey-id");
    pub static X_ACS_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-acs-security-token");
    pub static DATE: HeaderName = header::DATE;
    pub static X_ACS_SIGNATURE_METHOD: HeaderName =
        HeaderName::from_static("x-acs-signature-method");
    pub static X_ACS_SIGNATURE_VERSION: HeaderName =
        HeaderName::from_static("x-acs-signature-version");
    pub static AUTHORIZATION: HeaderName = header::AUTHORIZATION;
}

impl<'a> HeaderKey<'a> {
    /// The header's name, ready to send; an operation's own header as its raw text.
    #[doc(hidden)]
    pub fn header_name(self) -> Result<&'static reqwest::header::HeaderName, &'a str> {
        use header_names as n;
        Ok(match self {
            HeaderKey::Host => &n::HOST,
            HeaderKey::ApiVersion => &n::X_ACS_VERSION,
            HeaderKey::Action => &n::X_ACS_ACTION,
            HeaderKey::UserAgent => &n::USER_AGENT,
            HeaderKey::AcsDate => &n::X_ACS_DATE,
            HeaderKey::Nonce => &n::X_ACS_SIGNATURE_NONCE,
            HeaderKey::Accept => &n::ACCEPT,
            HeaderKey::ContentType => &n::CONTENT_TYPE,
            HeaderKey::ContentSha256 => &n::X_ACS_CONTENT_SHA256,
            HeaderKey::CredentialsProvider => &n::X_ACS_CREDENTIALS_PROVIDER,
            HeaderKey::AccessKeyId => &n::X_ACS_ACCESSKEY_ID,
            HeaderKey::SecurityToken => &n::X_ACS_SECURITY_TOKEN,
            HeaderKey::Date => &n::DATE,
            HeaderKey::SignatureMethod => &n::X_ACS_SIGNATURE_METHOD,
            HeaderKey::SignatureVersion => &n::X_ACS_SIGNATURE_VERSION,
            HeaderKey::Authorization => &n::AUTHORIZATION,
            HeaderKey::Extra(name) => return Err(name),
        })
    }

    /// The name as [`sign_request`] returns it: lower case, except V3's `Authorization`
    /// (the captures show it so); an operation's own header as given.
    #[doc(hidden)]
    pub fn name(self, version: SignatureVersion) -> &'a str {
        match (self, version) {
            (HeaderKey::Authorization, SignatureVersion::V3) => "Authorization",
            _ => match self.header_name() {
                Ok(name) => name.as_str(),
                Err(extra) => extra,
            },
        }
    }
}

/// A header value: a constant, borrowed from the request, or computed for it.
#[derive(Debug)]
#[doc(hidden)]
pub enum HeaderText<'a> {
    Static(&'static str),
    Borrowed(&'a str),
    Owned(String),
}

impl HeaderText<'_> {
    #[doc(hidden)]
    pub fn as_str(&self) -> &str {
        match self {
            HeaderText::Static(s) => s,
            HeaderText::Borrowed(s) => s,
            HeaderText::Owned(s) => s,
        }
    }

    fn into_string(self) -> String {
        match self {
            HeaderText::Static(s) => s.to_owned(),
            HeaderText::Borrowed(s) => s.to_owned(),
            HeaderText::Owned(s) => s,
        }
    }
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
    sign_headers(ctx)
        .into_iter()
        .map(|(key, value)| (key.name(ctx.version).to_owned(), value.into_string()))
        .collect()
}

/// [`sign_request`] without copying what it does not compute: each header by role, in
/// wire order. The client turns these into its header map directly.
#[doc(hidden)]
pub fn sign_headers<'a>(ctx: &RequestContext<'a>) -> Vec<(HeaderKey<'a>, HeaderText<'a>)> {
    use HeaderText::{Borrowed, Owned, Static};
    let creds = ctx.credentials;
    let mut h = Vec::with_capacity(13 + ctx.extra_headers.len());
    match ctx.version {
        SignatureVersion::V3 => {
            h.push((HeaderKey::Host, Borrowed(ctx.host)));
            h.push((HeaderKey::ApiVersion, Borrowed(ctx.api_version)));
            h.push((HeaderKey::Action, Borrowed(ctx.action)));
            h.push((HeaderKey::UserAgent, Borrowed(ctx.user_agent)));
            h.push((HeaderKey::AcsDate, Owned(format_acs_date(ctx.timestamp))));
            h.push((HeaderKey::Nonce, Borrowed(ctx.nonce)));
            h.push((HeaderKey::Accept, Static(ACCEPT)));
            if let Some(ct) = ctx.content_type {
                h.push((HeaderKey::ContentType, Borrowed(ct)));
            }
            let payload = if ctx.body.is_empty() {
                Static(v3::EMPTY_PAYLOAD_HASH)
            } else {
                Owned(v3::hashed_payload(ctx.body))
            };
            h.push((HeaderKey::ContentSha256, payload));
        }
        SignatureVersion::Legacy => {
            h.push((HeaderKey::Date, Owned(format_http_date(ctx.timestamp))));
            h.push((HeaderKey::Host, Borrowed(ctx.host)));
            h.push((HeaderKey::Accept, Static(ACCEPT)));
            h.push((HeaderKey::Nonce, Borrowed(ctx.nonce)));
            h.push((HeaderKey::SignatureMethod, Static(legacy::SIGNATURE_METHOD)));
            h.push((
                HeaderKey::SignatureVersion,
                Static(legacy::SIGNATURE_VERSION),
            ));
            h.push((HeaderKey::ApiVersion, Borrowed(ctx.api_version)));
            h.push((HeaderKey::Action, Borrowed(ctx.action)));
            h.push((HeaderKey::UserAgent, Borrowed(ctx.user_agent)));
            if let Some(ct) = ctx.content_type {
                h.push((HeaderKey::ContentType, Borrowed(ct)));
            }
        }
    }
    // `x-acs-credentials-provider` and, with an STS token, the AK id and token headers.
    if !creds.provider_name().is_empty() {
        h.push((
            HeaderKey::CredentialsProvider,
            Borrowed(creds.provider_name()),
        ));
    }
    if let Some(token) = creds.security_token() {
        h.push((HeaderKey::AccessKeyId, Borrowed(creds.access_key_id())));
        h.push((HeaderKey::SecurityToken, Borrowed(token)));
    }
    for (name, value) in ctx.extra_headers {
        h.push((HeaderKey::Extra(name), Borrowed(value)));
    }
    let (id, secret) = (creds.access_key_id(), creds.access_key_secret());
    let authorization = match ctx.version {
        SignatureVersion::V3 => {
            let payload = h
                .iter()
                .find(|(k, _)| *k == HeaderKey::ContentSha256)
                .map_or(v3::EMPTY_PAYLOAD_HASH, |(_, v)| v.as_str());
            v3::authorization(
                &v3::Canonical {
                    method: ctx.method,
                    path: ctx.path,
                    query: ctx.query,
                    hashed_payload: payload,
                },
                h.iter().map(|(k, v)| (k.name(ctx.version), v.as_str())),
                id,
                creds.v3_mac().clone(),
            )
        }
        SignatureVersion::Legacy => {
            let headers: Vec<(String, String)> = h
                .iter()
                .map(|(k, v)| (k.name(ctx.version).to_owned(), v.as_str().to_owned()))
                .collect();
            let req = SignableRequest {
                method: ctx.method,
                path: ctx.path,
                query: ctx.query,
                headers: &headers,
                body: ctx.body,
            };
            legacy::sign(&req, id, secret).authorization
        }
    };
    h.push((HeaderKey::Authorization, Owned(authorization)));
    h
}

/// Random bytes for nonces: the operating system's, read ahead per thread.
#[doc(hidden)]
pub mod random {
    use std::cell::RefCell;
    use std::sync::atomic::{AtomicU64, Ordering};

    const POOL: usize = 512;

    /// Bumped in a child process after `fork`, so that a child never reuses the bytes its
    /// parent had read ahead (the same nonce twice would be refused as a replay).
    static GENERATION: AtomicU64 = AtomicU64::new(0);

    struct Pool {
        bytes: [u8; POOL],
        used: usize,
        generation: u64,
    }

    thread_local! {
        static BYTES: RefCell<Pool> = const {
            RefCell::new(Pool { bytes: [0; POOL], used: POOL, generation: 0 })
        };
    }

    #[cfg(unix)]
    fn watch_forks() {
        extern "C" fn in_child() {
            GENERATION.fetch_add(1, Ordering::Relaxed);
        }
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: registers a handler that only increments an atomic, which is safe to
            // run in a child after fork.
            unsafe {
                libc::pthread_atfork(None, None, Some(in_child));
            }
        });
    }

    #[cfg(not(unix))]
    fn watch_forks() {}

    /// 16 random bytes.
    #[doc(hidden)]
    pub fn bytes16() -> [u8; 16] {
        let mut out = [0u8; 16];
        BYTES.with(|pool| {
            let mut pool = pool.borrow_mut();
            let generation = GENERATION.load(Ordering::Relaxed);
            if pool.used + 16 > POOL || pool.generation != generation {
                watch_forks();
                if getrandom::fill(&mut pool.bytes).is_err() {
                    // No OS randomness (never seen on supported platforms): the UUID
                    // crate's own source, per call.
                    out.copy_from_slice(uuid::Uuid::new_v4().as_bytes());
                    return;
                }
                pool.used = 0;
                pool.generation = GENERATION.load(Ordering::Relaxed);
            }
            let at = pool.used;
            out.copy_from_slice(&pool.bytes[at..at + 16]);
            // Used bytes are wiped: nothing read once stays readable in memory.
            pool.bytes[at..at + 16].fill(0);
            pool.used += 16;
        });
        out
    }

    #[cfg(test)]
    #[doc(hidden)]
    pub fn simulate_fork() {
        GENERATION.fetch_add(1, Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn fast_date_matches_the_general_formatter() {
        let mut secs: u64 = 0;
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut cases = vec![
            0,
            59,
            86_399,
            86_400,
            951_782_400,   // 2000-02-29
            951_868_800,   // 2000-03-01
            4_107_542_400, // 2100-03-01
            SECONDS_TO_YEAR_10000 - 1,
        ];
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            secs = (secs + state % 5_000_000_000) % SECONDS_TO_YEAR_10000;
            cases.push(secs);
        }
        for secs in cases {
            let t = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(
                format_acs_date(t),
                format_acs_date_general(t),
                "{secs} s after the epoch"
            );
        }
        let far = UNIX_EPOCH + Duration::from_secs(SECONDS_TO_YEAR_10000);
        assert_eq!(format_acs_date(far), format_acs_date_general(far));
    }

    #[test]
    fn nonces_are_uuid_v4_and_fresh_after_fork() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..200 {
            if i == 100 {
                random::simulate_fork();
            }
            let n = new_nonce();
            let uuid = uuid::Uuid::parse_str(&n).expect("a UUID in simple form");
            assert_eq!(uuid.get_version_num(), 4);
            assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
            assert_eq!(n, uuid.simple().to_string());
            assert!(seen.insert(n));
        }
    }

    /// The header list's authorization equals `v3::sign`'s and `legacy::sign`'s over the
    /// same headers, for bodies, queries, STS tokens and operation headers in any case.
    #[test]
    fn fast_signature_matches_the_reference() {
        let plain = Credentials::new("AK", "secret");
        let sts = Credentials::with_security_token("STS.AK", "s3cret", "token");
        let unnamed = Credentials::new("AK2", "x").with_provider_name("");
        let queries: [Vec<(String, String)>; 3] = [
            vec![],
            vec![("b".into(), "x y".into()), ("a".into(), "描".into())],
            vec![("k".into(), "2".into()), ("k".into(), "1".into())],
        ];
        let extras: [Vec<(String, String)>; 3] = [
            vec![],
            vec![("x-acs-custom".into(), " v ".into())],
            vec![
                ("X-Acs-Up".into(), "1".into()),
                ("x-acs-up".into(), "0".into()),
                ("accept".into(), "text/plain".into()),
            ],
        ];
        for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
            for creds in [&plain, &sts, &unnamed] {
                for query in &queries {
                    for extra in &extras {
                        for (body, ct) in [
                            (&b""[..], None),
                            (&b"{\"a\":1}"[..], Some(JSON_CONTENT_TYPE)),
                        ] {
                            let ctx = RequestContext {
                                version,
                                method: if body.is_empty() { "GET" } else { "POST" },
                                host: "devops.aliyuncs.com",
                                path: "/a/b%20c",
                                query,
                                action: "Act",
                                api_version: "2021-06-25",
                                user_agent: "ua",
                                content_type: ct,
                                body,
                                timestamp: UNIX_EPOCH + Duration::from_secs(1_767_323_045),
                                nonce: "n",
                                credentials: creds,
                                extra_headers: extra,
                            };
                            let mut headers = sign_request(&ctx);
                            let (name, auth) = headers.pop().expect("authorization last");
                            let req = SignableRequest {
                                method: ctx.method,
                                path: ctx.path,
                                query,
                                headers: &headers,
                                body,
                            };
                            let expected = match version {
                                SignatureVersion::V3 => {
                                    assert_eq!(name, "Authorization");
                                    v3::sign(&req, creds.access_key_id(), creds.access_key_secret())
                                        .authorization
                                }
                                SignatureVersion::Legacy => {
                                    assert_eq!(name, "authorization");
                                    legacy::sign(
                                        &req,
                                        creds.access_key_id(),
                                        creds.access_key_secret(),
                                    )
                                    .authorization
                                }
                            };
                            assert_eq!(auth, expected, "{version:?} {query:?} {extra:?}");
                        }
                    }
                }
            }
        }
    }
}
