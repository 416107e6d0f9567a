//! The mock pages a list operation's example items the way the service pages: it honours
//! the request's page size and cursor or page number, gives a cursor only while items
//! remain, and makes the total match the items it has.

use serde_json::{Map, Value};

use crate::PageWire;

/// Where the page starts and how long it is, from the request's paging parameters.
struct Window {
    offset: usize,
    size: Option<usize>,
}

/// `example` as the page the request asks for. Examples without an items array at the
/// documented path are answered as they are.
pub(crate) fn page(
    example: &Value,
    wire: &PageWire,
    query: &[(String, String)],
    body: &[u8],
) -> Value {
    let mut answer = example.clone();
    let Some(Value::Array(items)) = at_mut(&mut answer, wire.items) else {
        return answer;
    };
    let all = std::mem::take(items);
    let params = Params::new(query, body);
    let window = window(wire, &params);
    let end = window.size.map_or(all.len(), |size| {
        window.offset.saturating_add(size).min(all.len())
    });
    let start = window.offset.min(end);
    let total = all.len();
    *items = all[start..end].to_vec();
    let more = end < total;
    if let Some(path) = wire.cursor {
        match (more, path.split_last()) {
            (true, _) => set(&mut answer, path, Value::String(cursor(end))),
            // The last page has no cursor.
            (false, Some((last, parent))) => {
                if let Some(Value::Object(map)) = at_mut(&mut answer, parent) {
                    map.remove(*last);
                }
            }
            (false, None) => {}
        }
    }
    if let Some(path) = wire.total {
        set(&mut answer, path, Value::from(total));
    }
    answer
}

/// The cursor for the page that starts at item `offset`.
fn cursor(offset: usize) -> String {
    format!("mock-page-from-{offset}")
}

fn window(wire: &PageWire, params: &Params<'_>) -> Window {
    let size = wire
        .size_param
        .and_then(|p| params.number(p))
        .filter(|n| *n > 0)
        .and_then(|n| usize::try_from(n).ok());
    let offset = match (wire.cursor_param, wire.page_param) {
        (Some(p), _) => params
            .text(p)
            .and_then(|c| c.strip_prefix("mock-page-from-")?.parse().ok())
            .unwrap_or(0),
        (None, Some(p)) => {
            let page = params.number(p).filter(|n| *n > 0).unwrap_or(1);
            // Without a page size the first page holds every item.
            let per_page = size.unwrap_or(usize::MAX);
            usize::try_from(page - 1)
                .ok()
                .and_then(|p| p.checked_mul(per_page))
                .unwrap_or(usize::MAX)
        }
        (None, None) => 0,
    };
    Window { offset, size }
}

/// Paging parameters of a request: the query, or a JSON body.
struct Params<'a> {
    query: &'a [(String, String)],
    body: Map<String, Value>,
}

impl<'a> Params<'a> {
    fn new(query: &'a [(String, String)], body: &[u8]) -> Self {
        let body = match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        Self { query, body }
    }

    fn text(&self, name: &str) -> Option<String> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| match self.body.get(name)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
    }

    fn number(&self, name: &str) -> Option<i64> {
        self.text(name)?.trim().parse().ok()
    }
}

fn at_mut<'v>(value: &'v mut Value, path: &[&str]) -> Option<&'v mut Value> {
    path.iter()
        .try_fold(value, |v, key| v.as_object_mut()?.get_mut(*key))
}

/// Sets the field at `path`, creating it in its (existing) parent object.
fn set(value: &mut Value, path: &[&str], new: Value) {
    if let Some((last, parent)) = path.split_last() {
        if let Some(Value::Object(map)) = at_mut(value, parent) {
            map.insert((*last).to_string(), new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CURSOR: PageWire = PageWire {
        cursor_param: Some("nextToken"),
        page_param: None,
        size_param: Some("maxResults"),
        items: &["data", "items"],
        cursor: Some(&["nextToken"]),
        total: Some(&["totalCount"]),
    };

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn cursor_pages_end_without_a_cursor_and_with_a_true_total() {
        let example = json!({"data": {"items": [1, 2, 3]}, "nextToken": "same", "totalCount": 149});
        let first = page(&example, &CURSOR, &q(&[("maxResults", "2")]), b"");
        assert_eq!(
            first,
            json!({"data": {"items": [1, 2]}, "nextToken": "mock-page-from-2", "totalCount": 3})
        );
        let last = page(
            &example,
            &CURSOR,
            &q(&[("maxResults", "2"), ("nextToken", "mock-page-from-2")]),
            b"",
        );
        assert_eq!(last, json!({"data": {"items": [3]}, "totalCount": 3}));
    }

    #[test]
    fn page_numbers_and_body_parameters() {
        let wire = PageWire {
            cursor_param: None,
            page_param: Some("page"),
            size_param: Some("pageSize"),
            items: &["result"],
            cursor: None,
            total: None,
        };
        let example = json!({"result": ["a", "b", "c"]});
        let body = br#"{"page": 2, "pageSize": 2}"#;
        assert_eq!(page(&example, &wire, &[], body), json!({"result": ["c"]}));
        assert_eq!(
            page(
                &example,
                &wire,
                &q(&[("page", "3"), ("pageSize", "2")]),
                b""
            ),
            json!({"result": []})
        );
        // No page size: the first page holds everything, the second nothing.
        assert_eq!(page(&example, &wire, &[], b""), example);
        assert_eq!(
            page(&example, &wire, &q(&[("page", "2")]), b""),
            json!({"result": []})
        );
    }
}
