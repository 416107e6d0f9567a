//! Examples for the mock server, its round-trip tests and the tour: an `Example` impl per
//! operation (a request filled from the spec's parameter examples, compiled only with the
//! `mock` feature) and `examples.json`, the documented example responses as data, which
//! only the mock includes. Other builds carry no example data.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, type_path};
use crate::model::*;

pub fn example_impl(op: &Operation, api: &Api) -> TokenStream {
    let name = ident(&op.request_type());
    let fields = op.params.iter().map(|p| {
        let f = ident(&p.rust_name);
        let mut value = value(&p.ty, p.docs.example.as_deref(), api, &op.area, 0);
        if p.secret {
            value = quote!(crate::Secret::new(#value));
        }
        quote!(#f: Some(#value))
    });
    quote! {
        #[cfg(feature = "mock")]
        impl crate::mock::Example for #name {
            fn example() -> Self {
                Self { #(#fields,)* }
            }
        }
    }
}

/// A Rust expression of type `ty`: the example where it parses, else a plain value.
fn value(ty: &TypeRef, example: Option<&str>, api: &Api, area: &str, depth: usize) -> TokenStream {
    let example = example.map(str::trim).filter(|e| !e.is_empty());
    match ty {
        TypeRef::String => {
            // Path-safe and never empty, so every example request can be sent.
            let text = example
                .filter(|e| *e != "." && *e != "..")
                .unwrap_or("example");
            quote!(#text.to_string())
        }
        TypeRef::I32 => {
            let v = example.and_then(|e| e.parse::<i32>().ok()).unwrap_or(1);
            quote!(#v)
        }
        TypeRef::I64 => {
            let v = example.and_then(|e| e.parse::<i64>().ok()).unwrap_or(1);
            quote!(#v)
        }
        TypeRef::F32 => {
            let v = example
                .and_then(|e| e.parse::<f32>().ok())
                .filter(|v| v.is_finite())
                .unwrap_or(1.0);
            quote!(#v)
        }
        TypeRef::F64 => {
            let v = example
                .and_then(|e| e.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .unwrap_or(1.0);
            quote!(#v)
        }
        TypeRef::Bool => {
            let v = example.and_then(|e| e.parse::<bool>().ok()).unwrap_or(true);
            quote!(#v)
        }
        TypeRef::Time(format) => {
            let ty = super::vocab::time_type(*format);
            match format {
                TimeFormat::EpochMillis => {
                    let v = example.and_then(|e| e.parse::<i64>().ok()).unwrap_or(1);
                    quote!(#ty::from(#v))
                }
                TimeFormat::DateTime | TimeFormat::LocalDateTime => {
                    let text = example.unwrap_or("example");
                    quote!(#ty::from(#text))
                }
            }
        }
        TypeRef::Any => match example {
            Some(e) => quote!(serde_json::Value::String(#e.to_string())),
            None => quote!(serde_json::Value::Null),
        },
        TypeRef::Vec(inner) => {
            let item = value(inner, example, api, area, depth + 1);
            quote!(vec![#item])
        }
        TypeRef::Map(_) => quote!(std::collections::BTreeMap::new()),
        TypeRef::Named(key) => named(key, example, api, area, depth),
    }
}

/// A named type's example: a struct from its fields' examples; an enum's variant whose wire
/// value is the example (else its first).
fn named(key: &TypeKey, example: Option<&str>, api: &Api, area: &str, depth: usize) -> TokenStream {
    let Some(def) = api.type_def(key).filter(|_| depth < 32) else {
        return quote!(Default::default());
    };
    let path = type_path(def, area);
    match &def.kind {
        TypeKind::Struct(fields) => {
            let fields = fields.iter().map(|f| {
                let fname = ident(&f.rust_name);
                let v = value(&f.ty, f.docs.example.as_deref(), api, area, depth + 1);
                quote!(#fname: Some(#v))
            });
            quote!(#path { #(#fields,)* })
        }
        TypeKind::Enum { variants, .. } => {
            let chosen = variants
                .iter()
                .find(|v| Some(v.value.as_str()) == example)
                .or(variants.first());
            match chosen {
                Some(v) => {
                    let variant = ident(&v.ident);
                    quote!(#path::#variant)
                }
                None => quote!(Default::default()),
            }
        }
    }
}

/// `examples.json`: every documented example response by action: the JSON value, or for a
/// plain-text response the text itself.
pub fn responses(api: &Api) -> String {
    let map: serde_json::Map<String, serde_json::Value> = api
        .operations
        .iter()
        .filter_map(|op| {
            let text = op.example_response.as_deref()?.trim_end();
            let value = match serde_json::from_str(text) {
                Ok(v) if !op.response_is_text => v,
                _ => serde_json::Value::String(text.to_string()),
            };
            Some((op.action.clone(), value))
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&map).unwrap_or_default();
    out.push('\n');
    out
}
