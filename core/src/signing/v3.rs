//! `ACS3-HMAC-SHA256`, the default signature (docs/signing.md, "V3").

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::encode::canonical_query;
use super::SignableRequest;

/// The algorithm name, first word of the `Authorization` header.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// SHA-256 of the empty body, lowercase hex.
pub const EMPTY_PAYLOAD_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[doc(hidden)]
pub type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 keyed with `secret`, ready to take data.
#[doc(hidden)]
pub fn keyed(secret: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this never fails; the fallback is unreachable.
    HmacSha256::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| HmacSha256::new(&Default::default()))
}

/// Every intermediate and final value of a V3 signature, for debugging and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V3Signature {
    /// Lowercase hex SHA-256 of the body (also sent as `x-acs-content-sha256`).
    pub hashed_payload: String,
    /// The encoded path as sent, `/` when empty.
    pub canonical_uri: String,
    /// Sorted `key=ENC(value)` pairs joined by `&`.
    pub canonical_query: String,
    /// `name:value\n` for each signed header, sorted by lower-cased name.
    pub canonical_headers: String,
    /// The lower-cased signed header names, sorted, joined by `;`.
    pub signed_headers: String,
    /// The six canonical parts joined by `\n`.
    pub canonical_request: String,
    /// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
    pub string_to_sign: String,
    /// Lowercase hex HMAC-SHA256 of the string to sign.
    pub signature: String,
    /// The complete `Authorization` header value.
    pub authorization: String,
}

/// Lowercase hex SHA-256 of `body`.
pub fn hashed_payload(body: &[u8]) -> String {
    if body.is_empty() {
        return EMPTY_PAYLOAD_HASH.to_owned();
    }
    let mut out = String::with_capacity(64);
    push_hex(&mut out, &Sha256::digest(body));
    out
}

/// Writes `bytes` as lowercase hex into `out`, two digits per byte (on the stack, no
/// allocation); `out` holds at least twice as many bytes.
pub(crate) fn hex_into(out: &mut [u8], bytes: &[u8]) {
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX_DIGITS[usize::from(b >> 4)];
        pair[1] = HEX_DIGITS[usize::from(b & 0x0f)];
    }
}

/// Appends `bytes` as lowercase hex.
#[doc(hidden)]
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
        out.push(char::from(HEX_DIGITS[usize::from(b & 0x0f)]));
    }
}

#[doc(hidden)]
pub const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Canonical headers and signed header list.
///
/// Names are lower-cased, values trimmed at both ends, repeated names' values sorted
/// and joined with `,`.
fn canonicalize_headers(headers: &[(String, String)]) -> (String, String) {
    let mut lowered: Vec<(String, &str)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim()))
        .collect();
    // Sorting by (name, value) groups repeated names with their values already sorted.
    lowered.sort_unstable();

    let mut canonical = String::with_capacity(lowered.len() * 48);
    let mut signed = String::with_capacity(lowered.len() * 16);
    for group in lowered.chunk_by(|a, b| a.0 == b.0) {
        let Some((name, _)) = group.first() else {
            continue;
        };
        if !signed.is_empty() {
            signed.push(';');
        }
        signed.push_str(name);
        canonical.push_str(name);
        canonical.push(':');
        for (k, (_, value)) in group.iter().enumerate() {
            if k > 0 {
                canonical.push(',');
            }
            canonical.push_str(value);
        }
        canonical.push('\n');
    }
    (canonical, signed)
}

/// Everything up to the string to sign; shared by [`sign`] and the verifier.
#[doc(hidden)]
pub fn string_to_sign(req: &SignableRequest<'_>) -> V3Signature {
    let hashed_payload = hashed_payload(req.body);
    let canonical_uri = if req.path.is_empty() {
        "/".to_owned()
    } else {
        req.path.to_owned()
    };
    let canonical_query = canonical_query(req.query);
    let (canonical_headers, signed_headers) = canonicalize_headers(req.headers);
    let canonical_request = [
        req.method,
        canonical_uri.as_str(),
        canonical_query.as_str(),
        canonical_headers.as_str(),
        signed_headers.as_str(),
        hashed_payload.as_str(),
    ]
    .join("\n");
    let string_to_sign = format!(
        "{ALGORITHM}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    V3Signature {
        hashed_payload,
        canonical_uri,
        canonical_query,
        canonical_headers,
        signed_headers,
        canonical_request,
        string_to_sign,
        signature: String::new(),
        authorization: String::new(),
    }
}

/// The parts of the canonical request besides the headers.
#[doc(hidden)]
pub struct Canonical<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    /// Lowercase hex SHA-256 of the body.
    pub hashed_payload: &'a str,
}

/// The `Authorization` value [`sign`] computes for these headers (names in any case),
/// without building its intermediate strings: the canonical request goes straight into
/// the hash. The signature tests check that both agree.
#[doc(hidden)]
pub fn authorization<'h>(
    req: &Canonical<'_>,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    access_key_id: &str,
    mut mac: HmacSha256,
) -> String {
    let mut lowered: Vec<(Cow<'h, str>, &'h str)> = headers
        .map(|(n, v)| {
            let name = if n.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(n.to_ascii_lowercase())
            } else {
                Cow::Borrowed(n)
            };
            (name, v.trim())
        })
        .collect();
    // As in `canonicalize_headers`: by name, then value.
    lowered.sort_unstable();

    // The exact length, so that the header value takes the buffer without another
    // allocation.
    let signed_len = lowered
        .chunk_by(|a, b| a.0 == b.0)
        .map(|group| group[0].0.len() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    let mut out = String::with_capacity(
        ALGORITHM.len()
            + " Credential=".len()
            + access_key_id.len()
            + ",SignedHeaders=".len()
            + signed_len
            + ",Signature=".len()
            + 64,
    );
    out.push_str(ALGORITHM);
    out.push_str(" Credential=");
    out.push_str(access_key_id);
    out.push_str(",SignedHeaders=");
    let signed_start = out.len();

    let mut hash = Sha256::new();
    hash.update(req.method.as_bytes());
    hash.update(b"\n");
    hash.update(if req.path.is_empty() { "/" } else { req.path }.as_bytes());
    hash.update(b"\n");
    if !req.query.is_empty() {
        hash.update(canonical_query(req.query).as_bytes());
    }
    hash.update(b"\n");
    for group in lowered.chunk_by(|a, b| a.0 == b.0) {
        let Some((name, _)) = group.first() else {
            continue;
        };
        if out.len() > signed_start {
            out.push(';');
        }
        out.push_str(name);
        hash.update(name.as_bytes());
        hash.update(b":");
        for (k, (_, value)) in group.iter().enumerate() {
            if k > 0 {
                hash.update(b",");
            }
            hash.update(value.as_bytes());
        }
        hash.update(b"\n");
    }
    hash.update(b"\n");
    hash.update(&out.as_bytes()[signed_start..]);
    hash.update(b"\n");
    hash.update(req.hashed_payload.as_bytes());

    // `ACS3-HMAC-SHA256\n` and the hex digest, on the stack.
    let mut string_to_sign = [0u8; ALGORITHM.len() + 1 + 64];
    string_to_sign[..ALGORITHM.len()].copy_from_slice(ALGORITHM.as_bytes());
    string_to_sign[ALGORITHM.len()] = b'\n';
    hex_into(&mut string_to_sign[ALGORITHM.len() + 1..], &hash.finalize());
    mac.update(&string_to_sign);
    out.push_str(",Signature=");
    push_hex(&mut out, &mac.finalize().into_bytes());
    out
}

/// A keyed HMAC-SHA256 over `data`.
#[doc(hidden)]
pub fn mac(secret: &str, data: &str) -> HmacSha256 {
    let mut mac = keyed(secret);
    mac.update(data.as_bytes());
    mac
}

/// Signs `req` with `ACS3-HMAC-SHA256`.
///
/// `req.headers` must be exactly the headers to sign, including `x-acs-content-sha256`
/// (the hash of `req.body`); names may be in any case. The secret is used as-is as the
/// HMAC key.
pub fn sign(
    req: &SignableRequest<'_>,
    access_key_id: &str,
    access_key_secret: &str,
) -> V3Signature {
    let mut out = string_to_sign(req);
    out.signature = hex::encode(
        mac(access_key_secret, &out.string_to_sign)
            .finalize()
            .into_bytes(),
    );
    out.authorization = format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={}",
        out.signed_headers, out.signature
    );
    out
}
