//! RPC-style signature (HMAC-SHA1, signature version 1.0), used by STS (`AssumeRole`).
//!
//! Unlike the ROA signatures the client uses for Yunxiao ([`super::v3`], [`super::legacy`]),
//! an RPC request carries every parameter, the signature included, in the query string:
//!
//! - the canonical query is the parameters (without `Signature`) sorted by key, each key and
//!   value percent-encoded with RFC 3986 (`ENC`: space `%20`, `*` `%2A`, `~` kept), joined
//!   as `k=v` with `&`;
//! - the string to sign is `METHOD&%2F&` + ENC(canonical query);
//! - the signature is base64(HMAC-SHA1(`<secret>&`, string to sign)).
//!
//! The official Python library encodes with `quote_plus`, which agrees with ENC for every
//! value without a space; for a space it signs `%2B` where the standard (and every other
//! official SDK) signs `%2520`. This module uses the standard encoding.

use base64::Engine as _;

use super::encode::{percent_encode_into, sorted_pairs};
use super::legacy::mac;
use hmac::Mac as _;

/// Value of the `SignatureMethod` parameter.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// Value of the `SignatureVersion` parameter.
pub const SIGNATURE_VERSION: &str = "1.0";

/// Every intermediate and final value of an RPC signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcSignature {
    /// The sorted, encoded `k=v&...` string (without `Signature`).
    pub canonical_query: String,
    /// `METHOD&%2F&` + ENC(canonical query).
    pub string_to_sign: String,
    /// Standard base64 of HMAC-SHA1(`<secret>&`, string to sign).
    pub signature: String,
}

/// The canonical query of `params` (any order; a `Signature` pair must not be included).
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut out = String::with_capacity(params.len() * 32);
    for (i, (k, v)) in sorted_pairs(params).into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

/// Signs `params` for an RPC request sent with `method` (`GET` for STS).
///
/// ```
/// use yunxiao::signing::rpc;
/// let params = vec![("Action".to_string(), "AssumeRole".to_string())];
/// let sig = rpc::sign("GET", &params, "secret");
/// assert_eq!(sig.string_to_sign, "GET&%2F&Action%3DAssumeRole");
/// ```
pub fn sign(method: &str, params: &[(String, String)], access_key_secret: &str) -> RpcSignature {
    let canonical_query = canonical_query(params);
    let mut string_to_sign = String::with_capacity(canonical_query.len() * 5 / 4 + 16);
    string_to_sign.push_str(method);
    string_to_sign.push_str("&%2F&");
    percent_encode_into(&mut string_to_sign, &canonical_query);
    let mut key = String::with_capacity(access_key_secret.len() + 1);
    key.push_str(access_key_secret);
    key.push('&');
    let signature = base64::engine::general_purpose::STANDARD
        .encode(mac(&key, &string_to_sign).finalize().into_bytes());
    RpcSignature {
        canonical_query,
        string_to_sign,
        signature,
    }
}

/// The query string sent on the wire: `params` in the given order (the official library's
/// order), each key and value ENC-encoded, without a leading `?`.
///
/// ```
/// use yunxiao::signing::rpc;
/// let q = vec![("RoleArn".to_string(), "acs:ram::1:role/r".to_string())];
/// assert_eq!(rpc::wire_query(&q), "RoleArn=acs%3Aram%3A%3A1%3Arole%2Fr");
/// ```
pub fn wire_query(params: &[(String, String)]) -> String {
    let mut out = String::with_capacity(params.len() * 40);
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn space_is_signed_as_percent_20() {
        let s = sign("GET", &p(&[("B", "a b"), ("A", "x*~")]), "k");
        assert_eq!(s.canonical_query, "A=x%2A~&B=a%20b");
        assert_eq!(s.string_to_sign, "GET&%2F&A%3Dx%252A~%26B%3Da%2520b");
        assert_eq!(wire_query(&p(&[("B", "a b")])), "B=a%20b");
    }
}
