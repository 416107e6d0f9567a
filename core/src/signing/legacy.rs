//! Legacy ROA signature: HMAC-SHA1, `Authorization: acs <AK>:<base64>` (docs/signing.md).
//!
//! The body is not covered by this signature; prefer V3.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::encode::sorted_pairs;
use super::SignableRequest;

/// Value of `x-acs-signature-method` in legacy mode.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// Value of `x-acs-signature-version` in legacy mode.
pub const SIGNATURE_VERSION: &str = "1.0";

type HmacSha1 = Hmac<Sha1>;

/// Every intermediate and final value of a legacy signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacySignature {
    /// `name:value\n` for each header whose name starts with lower-case `x-acs-`, sorted,
    /// values untrimmed.
    pub canonicalized_headers: String,
    /// Encoded path, then `?` and sorted raw `key=value` pairs when there is a query.
    pub canonicalized_resource: String,
    /// The string that is signed.
    pub string_to_sign: String,
    /// Standard base64 of HMAC-SHA1(secret, string to sign).
    pub signature: String,
    /// The complete `Authorization` header value (`acs <AK>:<signature>`).
    pub authorization: String,
}

/// The first value of header `name` (lower-case), matched case-insensitively, or "".
fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map_or("", |(_, v)| v.as_str())
}

fn canonicalized_headers(headers: &[(String, String)]) -> String {
    // Exactly as the official signer and the gateway: names that start with lower-case
    // `x-acs-`. `X-Acs-Custom` is not signed (and the client sends lower-case names).
    let mut acs: Vec<(String, &str)> = headers
        .iter()
        .filter(|(n, _)| n.starts_with("x-acs-"))
        .map(|(n, v)| (n.clone(), v.as_str()))
        .collect();
    acs.sort_unstable();
    let mut out = String::with_capacity(acs.len() * 40);
    for (n, v) in acs {
        out.push_str(&n);
        out.push(':');
        out.push_str(v);
        out.push('\n');
    }
    out
}

fn canonicalized_resource(path: &str, query: &[(String, String)]) -> String {
    let mut out = String::with_capacity(path.len() + query.len() * 32);
    out.push_str(path);
    for (i, (k, v)) in sorted_pairs(query).into_iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        // An empty value gives a bare key, as the SDK does.
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// Everything up to the string to sign; shared by [`sign`] and the verifier.
#[doc(hidden)]
pub fn string_to_sign(req: &SignableRequest<'_>) -> LegacySignature {
    let canonicalized_headers = canonicalized_headers(req.headers);
    let canonicalized_resource = canonicalized_resource(req.path, req.query);
    let string_to_sign = format!(
        "{}\n{}\n{}\n{}\n{}\n{}{}",
        req.method,
        header(req.headers, "accept"),
        header(req.headers, "content-md5"),
        header(req.headers, "content-type"),
        header(req.headers, "date"),
        canonicalized_headers,
        canonicalized_resource
    );
    LegacySignature {
        canonicalized_headers,
        canonicalized_resource,
        string_to_sign,
        signature: String::new(),
        authorization: String::new(),
    }
}

/// HMAC-SHA1 over `data`, raw bytes.
#[doc(hidden)]
pub fn mac(secret: &str, data: &str) -> HmacSha1 {
    // HMAC accepts keys of any length, so this never fails; the fallback is unreachable.
    let mut mac = HmacSha1::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| HmacSha1::new(&Default::default()));
    mac.update(data.as_bytes());
    mac
}

/// Signs `req` with the legacy ROA HMAC-SHA1 algorithm.
///
/// `req.headers` are the headers sent; `accept`, `content-md5`, `content-type` and
/// `date` are read from them (empty when absent) and every header whose name starts with
/// lower-case `x-acs-` is signed (as by the official signer: `X-Acs-Custom` is not).
/// `req.body` is ignored: this algorithm does not cover it.
pub fn sign(
    req: &SignableRequest<'_>,
    access_key_id: &str,
    access_key_secret: &str,
) -> LegacySignature {
    let mut out = string_to_sign(req);
    out.signature = base64::engine::general_purpose::STANDARD.encode(
        mac(access_key_secret, &out.string_to_sign)
            .finalize()
            .into_bytes(),
    );
    out.authorization = format!("acs {access_key_id}:{}", out.signature);
    out
}
