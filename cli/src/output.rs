//! Printing responses: JSON (indented on a terminal, one line otherwise), YAML, or a table
//! (hand-rolled: the list items as columns, or an object's fields as key/value rows).
//! Responses are printed with their wire names, as the service sent them.

use std::io::Write;

use serde::Serialize;
use serde_json::Value;
use yunxiao::OperationMeta;

use crate::context::{Context, Format};
use crate::error::CliError;

/// The widest a table cell gets, in terminal columns; longer text is cut with `…`.
pub const MAX_CELL: usize = 48;

/// Prints a response in the context's format. A plain-text response prints as is.
/// JSON and YAML keep the response's field order (the spec's); a table is built from the
/// JSON value, whose keys are sorted.
pub fn response<T: Serialize>(
    cx: &Context,
    meta: &OperationMeta,
    response: &T,
) -> Result<(), CliError> {
    let shown =
        |e: &dyn std::fmt::Display| CliError::failed(format!("cannot show the response: {e}"));
    let mut text = match cx.format {
        _ if meta.response_is_text => match serde_json::to_value(response) {
            Ok(Value::String(text)) => text,
            Ok(other) => other.to_string(),
            Err(e) => return Err(shown(&e)),
        },
        Format::Json if cx.pretty => {
            serde_json::to_string_pretty(response).map_err(|e| shown(&e))?
        }
        Format::Json => serde_json::to_string(response).map_err(|e| shown(&e))?,
        Format::Yaml => serde_yaml::to_string(response).map_err(|e| shown(&e))?,
        Format::Table => table(&serde_json::to_value(response).map_err(|e| shown(&e))?),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// A table: for a response with one array of objects (the list items), a column per field
/// with a header row; otherwise two columns, the flattened field paths and their values.
pub fn table(value: &Value) -> String {
    let mut lists = Vec::new();
    find_lists(value, &mut lists);
    if let [items] = lists.as_slice() {
        return columns(items);
    }
    let mut rows = Vec::new();
    flatten("", value, &mut rows);
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(k, v)| vec![k, v]).collect();
    grid(&rows)
}

/// Arrays of objects in a value, looking through objects (not into the arrays).
fn find_lists<'a>(value: &'a Value, out: &mut Vec<&'a [Value]>) {
    match value {
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            out.push(items)
        }
        Value::Object(map) => map.values().for_each(|v| find_lists(v, out)),
        _ => {}
    }
}

fn columns(items: &[Value]) -> String {
    let mut keys: Vec<&str> = Vec::new();
    for item in items {
        if let Value::Object(map) = item {
            for k in map.keys() {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
    }
    let mut rows = vec![keys.iter().map(|k| k.to_string()).collect::<Vec<_>>()];
    for item in items {
        rows.push(
            keys.iter()
                .map(|k| item.get(k).map(cell).unwrap_or_default())
                .collect(),
        );
    }
    grid(&rows)
}

/// A field path and its value for each scalar (or array of scalars) below `value`.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(items) if items.iter().any(|v| v.is_object() || v.is_array()) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        _ => out.push((prefix.to_string(), cell(value))),
    }
}

/// A value as one cell: text as is, other scalars as JSON, nested values as compact JSON;
/// on one line, cut at [`MAX_CELL`] columns.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let text = crate::error::one_line(&text);
    cut(&text, MAX_CELL)
}

fn cut(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Rows aligned in columns two spaces apart, the last column not padded.
fn grid(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, c) in row.iter().enumerate() {
            line.push_str(c);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Terminal columns of text: East Asian wide characters take two.
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let c = c as u32;
    let wide = matches!(c,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD);
    match c {
        0..=0x1F | 0x7F..=0x9F => 0,
        _ if wide => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_list_is_a_column_table() {
        let v = json!({
            "requestId": "R",
            "pipelines": [
                {"pipelineId": 1, "pipelineName": "构建", "tags": ["a"]},
                {"pipelineId": 22, "pipelineName": "deploy", "extra": null}
            ]
        });
        assert_eq!(
            table(&v),
            "pipelineId  pipelineName  tags   extra\n\
             1           构建          [\"a\"]\n\
             22          deploy\n"
        );
    }

    #[test]
    fn an_object_is_a_key_value_table() {
        // Two lists of objects: no one of them is "the" list.
        let v =
            json!({"a": {"b": 1, "c": "x"}, "d": [1, 2], "e": [{"f": true}], "g": [{"h": null}]});
        assert_eq!(
            table(&v),
            "a.b     1\na.c     x\nd       [1,2]\ne[0].f  true\ng[0].h\n"
        );
    }

    #[test]
    fn long_cells_are_cut() {
        let long = "字".repeat(40);
        let c = cell(&Value::String(long));
        assert!(c.ends_with('…'));
        assert!(width(&c) <= MAX_CELL, "{}", width(&c));
    }
}
