//! Routing: every operation's path template, compiled from the generated metadata.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::OperationMeta;

/// One piece of a path segment template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Literal text, percent-decoded (`%3A` in a template is `:`).
    Literal(String),
    /// A `{name}` parameter.
    Param(&'static str),
}

/// A compiled route.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) meta: &'static OperationMeta,
    segments: Vec<Vec<Piece>>,
    /// Bytes of literal text: more is more specific.
    literal_len: usize,
}

/// A route that matched a request, with its path parameter values (decoded).
#[derive(Debug)]
pub(crate) struct RouteMatch<'r> {
    pub(crate) route: &'r Route,
    pub(crate) params: Vec<(&'static str, String)>,
}

/// Every operation's route.
#[derive(Debug)]
pub(crate) struct Router {
    routes: Vec<Route>,
}

/// Percent-decodes one path segment; invalid UTF-8 is replaced, so it matches no literal.
fn decode(segment: &str) -> Cow<'_, str> {
    percent_decode_str(segment).decode_utf8_lossy()
}

/// Splits a template segment such as `{executionNumber}%3Acancel` into pieces.
fn compile_segment(template: &'static str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(start) => {
                let Some(len) = rest[start..].find('}') else {
                    // An unclosed brace is literal text.
                    pieces.push(Piece::Literal(decode(rest).into_owned()));
                    break;
                };
                if start > 0 {
                    pieces.push(Piece::Literal(decode(&rest[..start]).into_owned()));
                }
                pieces.push(Piece::Param(&rest[start + 1..start + len]));
                rest = &rest[start + len + 1..];
            }
            None => {
                pieces.push(Piece::Literal(decode(rest).into_owned()));
                break;
            }
        }
    }
    pieces
}

/// Matches one decoded segment against its pieces, collecting parameter values.
/// A parameter matches one or more characters within the segment.
fn match_pieces(pieces: &[Piece], text: &str, out: &mut Vec<(&'static str, String)>) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Literal(lit), rest)) => match text.strip_prefix(lit.as_str()) {
            Some(tail) => match_pieces(rest, tail, out),
            None => false,
        },
        Some((Piece::Param(name), rest)) => {
            if rest.is_empty() {
                if text.is_empty() {
                    return false;
                }
                out.push((name, text.to_string()));
                return true;
            }
            // Shortest value first; try every char boundary.
            for (i, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
                let mark = out.len();
                out.push((name, text[..i].to_string()));
                if match_pieces(rest, &text[i..], out) {
                    return true;
                }
                out.truncate(mark);
            }
            false
        }
    }
}

impl Route {
    fn new(meta: &'static OperationMeta) -> Self {
        let segments: Vec<Vec<Piece>> = meta
            .path
            .strip_prefix('/')
            .unwrap_or(meta.path)
            .split('/')
            .map(compile_segment)
            .collect();
        let literal_len = segments
            .iter()
            .flatten()
            .map(|p| match p {
                Piece::Literal(l) => l.len(),
                Piece::Param(_) => 0,
            })
            .sum();
        Self {
            meta,
            segments,
            literal_len,
        }
    }

    /// Path parameter values if `segments` (decoded) match this route.
    fn matches(&self, segments: &[Cow<'_, str>]) -> Option<Vec<(&'static str, String)>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (pieces, text) in self.segments.iter().zip(segments) {
            if !match_pieces(pieces, text, &mut params) {
                return None;
            }
        }
        Some(params)
    }
}

impl Router {
    /// Routes for every operation given.
    pub(crate) fn new(operations: &[&'static OperationMeta]) -> Self {
        Self {
            routes: operations.iter().map(|m| Route::new(m)).collect(),
        }
    }

    /// Every route matching `method` and the encoded `path`, most specific first.
    pub(crate) fn find(&self, method: &str, path: &str) -> Vec<RouteMatch<'_>> {
        let Some(rest) = path.strip_prefix('/') else {
            return Vec::new();
        };
        let segments: Vec<Cow<'_, str>> = rest.split('/').map(decode).collect();
        let mut found: Vec<RouteMatch<'_>> = self
            .routes
            .iter()
            .filter(|r| r.meta.method.as_str().eq_ignore_ascii_case(method))
            .filter_map(|route| {
                route
                    .matches(&segments)
                    .map(|params| RouteMatch { route, params })
            })
            .collect();
        found.sort_by_key(|m| std::cmp::Reverse(m.route.literal_len));
        found
    }

    /// The route of an action.
    pub(crate) fn by_action(&self, action: &str) -> Option<&'static OperationMeta> {
        self.routes
            .iter()
            .find(|r| r.meta.action == action)
            .map(|r| r.meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(template: &'static str, text: &str) -> Option<Vec<(&'static str, String)>> {
        let mut out = Vec::new();
        match_pieces(&compile_segment(template), text, &mut out).then_some(out)
    }

    #[test]
    fn segments() {
        assert_eq!(matches("abc", "abc"), Some(vec![]));
        assert_eq!(matches("abc", "abd"), None);
        assert_eq!(matches("{id}", "x"), Some(vec![("id", "x".into())]));
        assert_eq!(matches("{id}", ""), None);
        assert_eq!(
            matches("{n}%3Acancel", "12:cancel"),
            Some(vec![("n", "12".into())])
        );
        assert_eq!(matches("{n}%3Acancel", ":cancel"), None);
        assert_eq!(matches("apps%3Asearch", "apps:search"), Some(vec![]));
        assert_eq!(
            matches("{a}-{b}", "x-y-z"),
            Some(vec![("a", "x".into()), ("b", "y-z".into())])
        );
        assert_eq!(matches("{a}描", "é描"), Some(vec![("a", "é".into())]));
    }

    #[test]
    fn every_template_matches_itself_with_values() {
        let router = Router::new(crate::OPERATIONS);
        for meta in crate::OPERATIONS {
            // Put a plain value in place of every parameter.
            let mut path = String::new();
            let mut rest = meta.path;
            while let Some(start) = rest.find('{') {
                let end = rest[start..]
                    .find('}')
                    .map_or(rest.len(), |e| start + e + 1);
                path.push_str(&rest[..start]);
                path.push_str("v%2Fw");
                rest = &rest[end..];
            }
            path.push_str(rest);
            let found = router.find(meta.method.as_str(), &path);
            assert!(
                found.iter().any(|m| m.route.meta.action == meta.action),
                "{} {} does not route to {}",
                meta.method,
                path,
                meta.action
            );
            assert_eq!(found.len(), 1, "{} {} is ambiguous", meta.method, path);
            let own = found
                .iter()
                .find(|m| m.route.meta.action == meta.action)
                .map(|m| m.params.clone())
                .unwrap_or_default();
            assert!(own.iter().all(|(_, v)| v == "v/w"), "{own:?}");
        }
    }
}
