//! Rust names for wire names: heck for the case, a suffix for keywords.

use heck::{ToPascalCase, ToSnakeCase};

/// Words Rust reserves in any edition; a field or method with such a name gets a `_` suffix
/// (`type` -> `type_`), which reads better than `r#type` and also works for `self`/`crate`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// snake_case Rust identifier for a wire name.
pub fn field_name(wire: &str) -> String {
    let mut s = wire.to_snake_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("f_{s}");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// PascalCase Rust type or variant name. Dots and other separators split words
/// (`InvalidParam.ParamNotPresent` -> `InvalidParamParamNotPresent`).
pub fn type_name(wire: &str) -> String {
    let cleaned: String = wire
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut s = cleaned.to_pascal_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("V{s}");
    }
    if s == "Self" {
        s.push('_');
    }
    s
}

/// The Rust field name of a parameter or field: the spec's `rust_name`, else the wire name
/// in snake_case.
pub fn rust_field_name(wire: &str, explicit: Option<&str>) -> String {
    match explicit {
        Some(r) => r.to_string(),
        None => field_name(wire),
    }
}

/// What every waiter method's name starts with (setters that would clash are renamed).
pub const WAITER_METHOD_PREFIX: &str = "wait_until_";

/// The method a waiter becomes on its operation's call and on `Client`:
/// `wait_until_<name in snake_case>`.
pub fn waiter_method(waiter: &str) -> String {
    format!(
        "{WAITER_METHOD_PREFIX}{}",
        heck::ToSnakeCase::to_snake_case(waiter.trim())
    )
}

/// The `static` holding a waiter's definition in its area's module: `PIPELINE_RUN_FINISHED`.
pub fn waiter_static(waiter: &str) -> String {
    heck::ToShoutySnakeCase::to_shouty_snake_case(waiter.trim())
}

/// Whether `s` can be emitted as an identifier (`proc_macro2::Ident::new` panics otherwise):
/// heck keeps any alphanumeric character, and some (`²`, `½`) are not identifier characters.
pub fn is_rust_ident(s: &str) -> bool {
    syn::parse_str::<syn::Ident>(s).is_ok()
}

/// The Rust variant of an enum value: its `name`, else the PascalCase of its text.
pub fn enum_variant(v: &crate::spec::EnumValueSpec) -> String {
    match &v.name {
        Some(name) => name.trim().to_string(),
        None => type_name(&v.value.to_string()),
    }
}

/// Whether `s` is a valid snake_case identifier a user may give as `rust_name`.
pub fn is_valid_field_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&s)
}

/// Whether `s` is a valid PascalCase identifier for `type_name`.
pub fn is_valid_type_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && s != "Self"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(field_name("organizationId"), "organization_id");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("ref"), "ref_");
        assert_eq!(field_name("avatar_url"), "avatar_url");
        assert_eq!(field_name("Import_from_svn"), "import_from_svn");
        assert_eq!(field_name("2fa"), "f_2fa");
        assert_eq!(
            type_name("InvalidParam.ParamNotPresent"),
            "InvalidParamParamNotPresent"
        );
        assert_eq!(type_name("GetVMDeployOrder"), "GetVmDeployOrder");
        assert_eq!(type_name("self"), "Self_");
        assert!(is_valid_field_name("body_id"));
        assert!(!is_valid_field_name("Body"));
        assert!(!is_valid_field_name("type"));
    }
}
