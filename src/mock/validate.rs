//! Parameter checks: required parameters are present and values parse as their spec type.

use serde_json::{Map, Value};

use crate::{BodyEncoding, OperationMeta, ParamLocation, ParamMeta, TypeWord};

/// Error code for a missing required parameter.
pub const PARAM_NOT_PRESENT: &str = "InvalidParam.ParamNotPresent";
/// Error code for a value that does not parse as its documented type.
pub const TYPE_MISMATCH: &str = "InvalidParam.TypeMismatch";
/// Error code for a body that is not what the operation takes (bad JSON, not an object).
pub const MALFORMED_BODY: &str = "InvalidParam.MalformedBody";

/// Why a request's parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl Invalid {
    fn missing(p: &ParamMeta) -> Self {
        Self {
            code: PARAM_NOT_PRESENT,
            message: format!(
                "required {} parameter `{}` is not present",
                p.location, p.name
            ),
        }
    }

    fn mismatch(p: &ParamMeta, shown: &str) -> Self {
        let mut shown = shown.to_string();
        if shown.len() > 80 {
            let mut end = 80;
            while !shown.is_char_boundary(end) {
                end -= 1;
            }
            shown.truncate(end);
            shown.push('…');
        }
        Self {
            code: TYPE_MISMATCH,
            message: format!(
                "{} parameter `{}` must be of type {}, got {shown}",
                p.location, p.name, p.ty
            ),
        }
    }
}

/// Whether `text` (a path segment, query value, header or form value) parses as `ty`.
/// Arrays, objects and maps travel as one JSON document.
fn text_is(ty: TypeWord, text: &str) -> bool {
    match ty {
        TypeWord::Integer => text.parse::<i32>().is_ok(),
        TypeWord::Long => text.parse::<i64>().is_ok(),
        TypeWord::Float | TypeWord::Double | TypeWord::Number => text
            .parse::<f64>()
            .is_ok_and(|f| f.is_finite() && !text.trim().is_empty()),
        TypeWord::Boolean => text == "true" || text == "false",
        TypeWord::Array | TypeWord::Object | TypeWord::Map => {
            serde_json::from_str::<Value>(text).is_ok_and(|v| json_is(ty, &v))
        }
        TypeWord::String | TypeWord::Any => true,
    }
}

/// Whether a JSON value has the shape of `ty`.
fn json_is(ty: TypeWord, v: &Value) -> bool {
    match ty {
        TypeWord::String => v.is_string(),
        TypeWord::Integer => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        TypeWord::Long => v.as_i64().is_some(),
        TypeWord::Float | TypeWord::Double | TypeWord::Number => v.is_number(),
        TypeWord::Boolean => v.is_boolean(),
        TypeWord::Array => v.is_array(),
        TypeWord::Object | TypeWord::Map => v.is_object(),
        TypeWord::Any => true,
    }
}

/// The decoded parts of a request that parameters can come from.
pub(crate) struct RequestParts<'a> {
    pub(crate) path_params: &'a [(&'static str, String)],
    pub(crate) query: &'a [(String, String)],
    pub(crate) headers: &'a [(String, String)],
    pub(crate) body: &'a [u8],
}

/// Checks every parameter of `meta` against the request.
pub(crate) fn check(meta: &OperationMeta, req: &RequestParts<'_>) -> Result<(), Invalid> {
    let body = Body::parse(meta.body, req.body)?;
    for p in meta.params {
        match p.location {
            ParamLocation::Path => {
                let value = req.path_params.iter().find(|(n, _)| *n == p.name);
                check_text(p, value.map(|(_, v)| v.as_str()))?;
            }
            ParamLocation::Query => {
                let value = req.query.iter().find(|(n, _)| n == p.name);
                check_text(p, value.map(|(_, v)| v.as_str()))?;
            }
            ParamLocation::Header => {
                let value = req
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(p.name));
                check_text(p, value.map(|(_, v)| v.as_str()))?;
            }
            ParamLocation::Body => body.check(p)?,
        }
    }
    Ok(())
}

fn check_text(p: &ParamMeta, value: Option<&str>) -> Result<(), Invalid> {
    match value {
        None if p.required => Err(Invalid::missing(p)),
        None => Ok(()),
        Some(v) if text_is(p.ty, v) => Ok(()),
        Some(v) => Err(Invalid::mismatch(p, &format!("'{v}'"))),
    }
}

/// A parsed request body.
enum Body {
    None,
    Json(Map<String, Value>),
    Form(Vec<(String, String)>),
}

impl Body {
    fn parse(encoding: BodyEncoding, bytes: &[u8]) -> Result<Self, Invalid> {
        match encoding {
            // No body is expected; whatever came is ignored.
            BodyEncoding::None => Ok(Body::None),
            // The client always sends at least `{}`, but an empty body is read as `{}`.
            BodyEncoding::Json if bytes.iter().all(u8::is_ascii_whitespace) => {
                Ok(Body::Json(Map::new()))
            }
            BodyEncoding::Json => match serde_json::from_slice::<Value>(bytes) {
                Ok(Value::Object(map)) => Ok(Body::Json(map)),
                Ok(other) => Err(Invalid {
                    code: MALFORMED_BODY,
                    message: format!("the body must be a JSON object, not {}", kind(&other)),
                }),
                Err(e) => Err(Invalid {
                    code: MALFORMED_BODY,
                    message: format!("the body is not valid JSON: {e}"),
                }),
            },
            BodyEncoding::Form => Ok(Body::Form(parse_urlencoded(bytes))),
        }
    }

    fn check(&self, p: &ParamMeta) -> Result<(), Invalid> {
        match self {
            Body::None => {
                if p.required {
                    Err(Invalid::missing(p))
                } else {
                    Ok(())
                }
            }
            Body::Json(map) => match map.get(p.name) {
                None | Some(Value::Null) if p.required => Err(Invalid::missing(p)),
                None | Some(Value::Null) => Ok(()),
                Some(v) if json_is(p.ty, v) => Ok(()),
                Some(v) => Err(Invalid::mismatch(p, &v.to_string())),
            },
            Body::Form(pairs) => {
                // Arrays and objects are flattened as `name.1`, `name.key`.
                let prefix = format!("{}.", p.name);
                let direct = pairs.iter().find(|(k, _)| k == p.name);
                let flattened = pairs.iter().any(|(k, _)| k.starts_with(&prefix));
                match direct {
                    Some((_, v)) => check_text(p, Some(v)),
                    None if flattened && p.ty.is_structured() => Ok(()),
                    None if flattened => Err(Invalid::mismatch(p, "a flattened value")),
                    None => check_text(p, None),
                }
            }
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Decodes `application/x-www-form-urlencoded` text (also used for query strings): `+`
/// is a space; invalid UTF-8 is replaced.
pub(crate) fn parse_urlencoded(bytes: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &[u8]| {
        let plus: Vec<u8> = s
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        percent_encoding::percent_decode(&plus)
            .decode_utf8_lossy()
            .into_owned()
    };
    bytes
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut kv = pair.splitn(2, |&b| b == b'=');
            let k = kv.next().unwrap_or_default();
            let v = kv.next().unwrap_or_default();
            (decode(k), decode(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types() {
        assert!(text_is(TypeWord::Long, "-12"));
        assert!(!text_is(TypeWord::Long, "12a"));
        assert!(!text_is(TypeWord::Integer, "3000000000"));
        assert!(text_is(TypeWord::Boolean, "true"));
        assert!(!text_is(TypeWord::Boolean, "True"));
        assert!(!text_is(TypeWord::Double, "NaN"));
        assert!(text_is(TypeWord::Double, "1.5"));
        assert!(text_is(TypeWord::Array, "[1,2]"));
        assert!(!text_is(TypeWord::Array, "{}"));
        assert!(text_is(TypeWord::String, "anything"));
    }

    #[test]
    fn json_types() {
        assert!(json_is(TypeWord::Integer, &serde_json::json!(10)));
        assert!(!json_is(TypeWord::Integer, &serde_json::json!("ten")));
        assert!(!json_is(TypeWord::Integer, &serde_json::json!(1.5)));
        assert!(json_is(TypeWord::Long, &serde_json::json!(-5)));
        assert!(!json_is(TypeWord::Long, &serde_json::json!(u64::MAX)));
        assert!(json_is(TypeWord::Map, &serde_json::json!({"a": 1})));
        assert!(json_is(TypeWord::Any, &serde_json::json!(null)));
    }

    #[test]
    fn urlencoded() {
        assert_eq!(
            parse_urlencoded(b"a=1+2&b=%2F&c&=x&d=%FF"),
            vec![
                ("a".into(), "1 2".into()),
                ("b".into(), "/".into()),
                ("c".into(), String::new()),
                (String::new(), "x".into()),
                ("d".into(), "\u{FFFD}".into()),
            ]
        );
    }
}
