//! The spec format described for people and editors, from the serde types in [`crate::spec`]:
//! `spec/schema.json` (operations), `spec/shape.schema.json` (shared shapes), and the key
//! tables of `spec/README.md` between [`README_BEGIN`] and [`README_END`].

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

use yunxiao_vocab::Word;

use crate::spec::{
    AcceptorState, BodyEncoding, Comparator, HttpMethod, PageStyle, ParamLocation, ParamStyle,
    ShapeFile, SpecFile, TypeWord,
};

/// Marks the start of the generated reference in `spec/README.md`.
pub const README_BEGIN: &str =
    "<!-- BEGIN GENERATED: the key reference, from codegen/src/spec.rs -->";
/// Marks its end.
pub const README_END: &str = "<!-- END GENERATED -->";

/// Generated files of the spec folder: `(name relative to spec/, text)`.
pub fn spec_files() -> Vec<(&'static str, String)> {
    vec![
        ("schema.json", json_schema::<SpecFile>()),
        ("shape.schema.json", json_schema::<ShapeFile>()),
    ]
}

/// A draft-07 JSON Schema (what the YAML language server reads), pretty-printed.
pub fn json_schema<T: JsonSchema>() -> String {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// `readme` with its generated section replaced by the current reference. `None` if the
/// markers are missing.
pub fn refresh_readme(readme: &str) -> Option<String> {
    let start = readme.find(README_BEGIN)? + README_BEGIN.len();
    let end = readme[start..].find(README_END)? + start;
    Some(format!(
        "{}\n\n{}\n{}",
        &readme[..start],
        reference(),
        &readme[end..]
    ))
}

/// Markdown tables of every key and word of the format.
pub fn reference() -> String {
    let op = schema_value::<SpecFile>();
    let shape = schema_value::<ShapeFile>();
    let defs = op.get("definitions").cloned().unwrap_or(Value::Null);
    let mut out = String::new();
    let sections: [(&str, &Value); 9] = [
        ("An operation file (`spec/<area>/<action>.yaml`)", &op),
        ("A parameter (`parameters[]`)", &defs["ParamSpec"]),
        (
            "A schema node (`response`, object `fields[]`, `items`, `values`)",
            &defs["NodeSpec"],
        ),
        ("An enum value (`enum[]`)", &defs["EnumValueSpec"]),
        ("An error (`errors[]`)", &defs["ErrorSpec"]),
        ("Pagination (`pagination`)", &defs["PaginationSpec"]),
        ("A waiter (`waiters[]`)", &defs["WaiterSpec"]),
        (
            "An acceptor (`waiters[].acceptors[]`)",
            &defs["AcceptorSpec"],
        ),
        ("A shared shape (`spec/<area>/shapes/<shape>.yaml`)", &shape),
    ];
    for (title, schema) in sections {
        out.push_str(&format!("### {title}\n\n{}\n", key_table(schema)));
    }
    out.push_str("### Words\n\n");
    out.push_str(&word_table::<TypeWord>("`type`"));
    out.push_str(&word_table::<ParamLocation>("`in`"));
    out.push_str(&word_table::<HttpMethod>("`method`"));
    out.push_str(&word_table::<BodyEncoding>("`body`"));
    out.push_str(&word_table::<ParamStyle>("`style`"));
    out.push_str(&word_table::<PageStyle>("`pagination.style`"));
    out.push_str(&word_table::<AcceptorState>("acceptor `state`"));
    out.push_str(&word_table::<Comparator>("acceptor `comparator`"));
    out
}

fn schema_value<T: JsonSchema>() -> Value {
    serde_json::from_str(&json_schema::<T>()).unwrap_or(Value::Null)
}

/// `| key | required | meaning |` for an object schema.
fn key_table(schema: &Value) -> String {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = String::from("| key | required | meaning |\n|---|---|---|\n");
    if let Some(props) = schema["properties"].as_object() {
        // Required keys first, then the others, each alphabetically.
        let mut keys: Vec<(&String, &Value)> = props.iter().collect();
        keys.sort_by_key(|(k, _)| (!required.contains(&k.as_str()), k.as_str()));
        for (key, prop) in keys {
            let desc = prop["description"].as_str().unwrap_or_default();
            let yes = if required.contains(&key.as_str()) {
                "yes"
            } else {
                "no"
            };
            out.push_str(&format!("| `{key}` | {yes} | {} |\n", one_line(desc)));
        }
    }
    out
}

/// The words of one set, with their meaning.
fn word_table<W: Word>(key: &str) -> String {
    let mut out = format!("{key}:\n\n| word | meaning |\n|---|---|\n");
    for w in W::ALL {
        out.push_str(&format!("| `{}` | {} |\n", w.word(), one_line(w.meaning())));
    }
    out.push('\n');
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
