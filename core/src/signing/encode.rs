//! Percent-encoding and query canonicalization shared by both signature versions.
//!
//! ENC (see docs/signing.md): every UTF-8 byte outside the RFC 3986 unreserved set
//! `A-Z a-z 0-9 - _ . ~` becomes `%XX` with uppercase hex digits.

/// Whether `b` is an RFC 3986 unreserved byte (kept as-is by ENC).
#[inline]
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Uppercase hex digit of a nibble (`n < 16`).
#[inline]
fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'A' + (n - 10) })
}

/// Appends ENC(`s`) to `out`.
#[doc(hidden)]
pub fn percent_encode_into(out: &mut String, s: &str) {
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
        }
    }
}

/// Percent-encodes `s` with ENC: every UTF-8 byte outside `A-Za-z0-9-_.~`
/// becomes `%XX` (uppercase hex).
///
/// Used for path segments, canonical query values and the wire query string.
///
/// ```
/// use yunxiao::signing::encode::percent_encode;
/// assert_eq!(percent_encode("a b/c+d~e*f"), "a%20b%2Fc%2Bd~e%2Af");
/// assert_eq!(percent_encode("描"), "%E6%8F%8F");
/// ```
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    percent_encode_into(&mut out, s);
    out
}

/// The pairs sorted by key bytes, then value bytes, so repeated keys are deterministic.
#[doc(hidden)]
pub fn sorted_pairs(query: &[(String, String)]) -> Vec<&(String, String)> {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    // Byte order on UTF-8 equals code point order, which is what the SDK sorts by.
    pairs.sort_unstable_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
    });
    pairs
}

/// Builds the V3 canonical query string from decoded pairs in any order.
///
/// Pairs are sorted by key bytes (then value bytes for repeated keys) and emitted as
/// `key=ENC(value)` joined with `&`; keys are not encoded and an empty value gives
/// `key=`. Empty input gives an empty string.
///
/// ```
/// use yunxiao::signing::encode::canonical_query;
/// let q = vec![("b".to_string(), "x y".to_string()), ("a".to_string(), String::new())];
/// assert_eq!(canonical_query(&q), "a=&b=x%20y");
/// ```
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in sorted_pairs(query).into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

/// Builds the query string actually sent on the wire (without the leading `?`).
///
/// Sorted like [`canonical_query`]; keys and values are both encoded with ENC (space
/// becomes `%20`, which the service decodes like the SDK's `+`). Empty input gives an
/// empty string, so callers should then send no `?` at all.
///
/// ```
/// use yunxiao::signing::encode::wire_query;
/// let q = vec![("filePath".to_string(), "/a b".to_string())];
/// assert_eq!(wire_query(&q), "filePath=%2Fa%20b");
/// assert_eq!(wire_query(&[]), "");
/// ```
pub fn wire_query(query: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in sorted_pairs(query).into_iter().enumerate() {
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

    #[test]
    fn encodes_every_reserved_byte() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode(" +*/%?#&="), "%20%2B%2A%2F%25%3F%23%26%3D");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn repeated_keys_sort_by_value() {
        let q = vec![
            ("k".to_string(), "2".to_string()),
            ("k".to_string(), "1".to_string()),
        ];
        assert_eq!(canonical_query(&q), "k=1&k=2");
        assert_eq!(wire_query(&q), "k=1&k=2");
    }
}
