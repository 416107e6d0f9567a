//! Doc comments from spec text.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::FieldDocs;

/// `#[doc = "..."]` lines for spec text (prettyplease prints them as `///`).
pub fn lines(text: &str) -> TokenStream {
    raw(&escape(text))
}

/// Doc lines for text that is already Markdown (generated links, code spans).
pub fn raw(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    // A bare carriage return (from a `\r` escape in the YAML) is not allowed in a doc comment.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    for line in text.trim_end().lines() {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {}", line.trim_end())
        };
        out.extend(quote!(#[doc = #line]));
    }
    out
}

/// Spec text made safe for rustdoc, line by line.
pub fn escape(text: &str) -> String {
    text.lines()
        .map(escape_markdown)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Docs for a field or parameter: description, then the example.
pub fn field(docs: &FieldDocs, wire_name: &str) -> TokenStream {
    let mut text = match &docs.description {
        Some(d) => escape(d),
        None => format!("`{wire_name}`."),
    };
    if let Some(example) = &docs.example {
        text.push_str(&format!("\n\n{}", example_line(example)));
    }
    raw(&text)
}

/// Keeps rustdoc from reading spec text as markup it is not: bare URLs become links, and
/// `[`/`]` (common in the Chinese docs, e.g. `【OrganizationId】` is fine, `[x]` is not) are
/// escaped so they are not taken for broken intra-doc links.
fn escape_markdown(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(i) = rest.find("http") {
            let (before, tail) = rest.split_at(i);
            out.push_str(&escape_brackets(before));
            if tail.starts_with("http://") || tail.starts_with("https://") {
                let end = tail
                    .find(|c: char| {
                        c.is_whitespace() || ",，。)）】>\"'`<".contains(c) || !c.is_ascii()
                    })
                    .unwrap_or(tail.len());
                // Sentence punctuation right after a URL is not part of it.
                let end = tail[..end]
                    .trim_end_matches(['.', ';', ':', '!', '?'])
                    .len();
                let (url, after) = tail.split_at(end);
                out.push('<');
                out.push_str(url);
                out.push('>');
                rest = after;
            } else {
                out.push_str("http");
                rest = &tail[4..];
            }
        } else {
            out.push_str(&escape_brackets(rest));
            break;
        }
    }
    out
}

fn escape_brackets(s: &str) -> String {
    s.replace('[', "\\[")
        .replace(']', "\\]")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `Example: `value`` on one line, safe inside a code span.
pub fn example_line(example: &str) -> String {
    let one_line = example.replace(['\n', '\r'], " ").replace('`', "'");
    format!("Example: `{one_line}`")
}
