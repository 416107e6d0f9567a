//! A signed request, as [`Client::sign`](crate::Client::sign) returns it and as the client
//! sends it, with a redacting HTTP/1.1-style dump.

use std::fmt;

use crate::secret::REDACTED;
use crate::signing::encode::{percent_encode, sorted_pairs};
use crate::wire::FORM_CONTENT_TYPE;

/// One attempt of a call, signed: exactly what the client sends (method, URL, headers in
/// wire order, body, and `content-length: 0` for a POST, PUT, PATCH or DELETE without a
/// body), apart from the transport headers the HTTP stack adds (a body's
/// `content-length`, `accept-encoding`).
///
/// Made by [`Client::sign`](crate::Client::sign), which builds the request with the same
/// code, the same credentials and the same clock as sending does: a request only signed is
/// the request that would have been sent, with its own nonce and time.
///
/// `Display` prints it as an HTTP/1.1 request (request line with the absolute URL, one
/// header per line, a blank line, the body) with every secret replaced by `<redacted>`:
/// the values of the operation's secret parameters (in the query, a header or the body),
/// `x-acs-security-token`, and the signature inside `Authorization`. A signed request is
/// valid for the gateway's time window (15 minutes) whatever its nonce, so the dump must
/// not be enough to send it. `Debug` redacts the same way.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub(crate) method: &'static str,
    pub(crate) url: reqwest::Url,
    pub(crate) base: String,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) secret_names: Vec<&'static str>,
}

impl SignedRequest {
    /// The HTTP method.
    pub fn method(&self) -> &str {
        self.method
    }

    /// The full URL, query included (secrets not redacted).
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The percent-encoded path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The decoded query pairs (secrets not redacted).
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// Every header sent, in wire order, `Authorization` last (secrets not redacted).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (any case; secrets not redacted).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body bytes, if the request has a body (secrets not redacted).
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The names of the headers the signature covers, lower-case and sorted (from
    /// `SignedHeaders=` of a V3 `Authorization`); empty for the legacy signature, which
    /// names none.
    pub fn signed_header_names(&self) -> Vec<String> {
        let Some(auth) = self.header("authorization") else {
            return Vec::new();
        };
        let mut names: Vec<String> = auth
            .split([',', ' '])
            .find_map(|part| part.trim().strip_prefix("SignedHeaders="))
            .map(|list| list.split(';').map(str::to_ascii_lowercase).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    fn is_secret(&self, name: &str) -> bool {
        self.secret_names
            .iter()
            .any(|s| s.eq_ignore_ascii_case(name))
    }

    /// A header value as the dump shows it.
    fn shown_header<'a>(&self, name: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
        if name.eq_ignore_ascii_case("x-acs-security-token") || self.is_secret(name) {
            return REDACTED.into();
        }
        if name.eq_ignore_ascii_case("authorization") {
            return redact_signature(value).into();
        }
        value.into()
    }

    /// The body as the dump shows it: JSON and form bodies with secret fields redacted;
    /// a body that cannot be read as either, when the operation has secrets, not at all.
    fn shown_body(&self) -> Option<String> {
        let bytes = self.body.as_deref()?;
        let text = String::from_utf8_lossy(bytes);
        if self.secret_names.is_empty() {
            return Some(text.into_owned());
        }
        if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(bytes) {
            for (k, v) in map.iter_mut() {
                if self.is_secret(k) {
                    *v = serde_json::Value::String(REDACTED.into());
                }
            }
            return serde_json::to_string(&serde_json::Value::Object(map)).ok();
        }
        let form = self
            .header("content-type")
            .is_some_and(|ct| ct.starts_with(FORM_CONTENT_TYPE));
        if form {
            let pairs: Vec<String> = text
                .split('&')
                .map(|pair| {
                    let key = pair.split('=').next().unwrap_or_default();
                    // Form keys of nested values are `name.sub` and `name.1`.
                    let root = key.split(['.', '%']).next().unwrap_or_default();
                    if self.is_secret(root) {
                        format!("{key}={REDACTED}")
                    } else {
                        pair.to_string()
                    }
                })
                .collect();
            return Some(pairs.join("&"));
        }
        Some(format!("{REDACTED} ({} bytes)", bytes.len()))
    }

    /// The URL as the dump shows it: secret query values redacted, in wire order.
    fn shown_url(&self) -> String {
        let mut url = format!("{}{}", self.base, self.path);
        for (i, (k, v)) in sorted_pairs(&self.query).into_iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&percent_encode(k));
            url.push('=');
            if self.is_secret(k) {
                url.push_str(REDACTED);
            } else {
                url.push_str(&percent_encode(v));
            }
        }
        url
    }
}

/// `Authorization` with its signature replaced: V3 `Signature=<redacted>`, legacy
/// `acs AK:<redacted>`.
fn redact_signature(value: &str) -> String {
    if let Some(at) = value.find("Signature=") {
        let start = at + "Signature=".len();
        let end = value[start..]
            .find([',', ' '])
            .map_or(value.len(), |i| start + i);
        return format!("{}{REDACTED}{}", &value[..start], &value[end..]);
    }
    if let Some(rest) = value.strip_prefix("acs ") {
        if let Some((id, _)) = rest.rsplit_once(':') {
            return format!("acs {id}:{REDACTED}");
        }
    }
    REDACTED.to_string()
}

impl fmt::Display for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {} HTTP/1.1", self.method, self.shown_url())?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {}", self.shown_header(name, value))?;
        }
        if let Some(body) = self.shown_body() {
            writeln!(f)?;
            writeln!(f, "{body}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), self.shown_header(n, v).into_owned()))
            .collect();
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .field("url", &self.shown_url())
            .field("headers", &headers)
            .field("body", &self.shown_body())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::redact_signature;

    #[test]
    fn signatures_are_redacted() {
        assert_eq!(
            redact_signature(
                "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc123"
            ),
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=<redacted>"
        );
        assert_eq!(redact_signature("acs AK:c2lnbmF0dXJl"), "acs AK:<redacted>");
        assert_eq!(redact_signature("Bearer x"), "<redacted>");
    }
}
