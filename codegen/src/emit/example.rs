//! `Example` impls: a request filled from the spec's examples and the documented example
//! response, for the mock server, its round-trip tests and the tour. Compiled only with the
//! `mock` feature, so other builds carry no example data.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::types::{ident, type_path};
use crate::model::*;

pub fn example_impl(op: &Operation, api: &Api) -> TokenStream {
    let name = ident(&op.request_type());
    let fields = op.params.iter().map(|p| {
        let f = ident(&p.rust_name);
        let value = value(&p.ty, p.docs.example.as_deref(), api, &op.area, 0);
        if p.required {
            quote!(#f: #value)
        } else {
            quote!(#f: Some(#value))
        }
    });
    let response = match &op.example_response {
        Some(e) => {
            let lit = raw_string(e.trim_end());
            quote!(Some(#lit))
        }
        None => quote!(None),
    };
    quote! {
        #[cfg(feature = "mock")]
        impl crate::mock::Example for #name {
            const RESPONSE: Option<&'static str> = #response;
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
        TypeRef::Any => match example {
            Some(e) => quote!(serde_json::Value::String(#e.to_string())),
            None => quote!(serde_json::Value::Null),
        },
        TypeRef::Vec(inner) => {
            let item = value(inner, example, api, area, depth + 1);
            quote!(vec![#item])
        }
        TypeRef::Map(_) => quote!(std::collections::BTreeMap::new()),
        TypeRef::Named(key) => named(key, api, area, depth),
    }
}

fn named(key: &TypeKey, api: &Api, area: &str, depth: usize) -> TokenStream {
    let Some(def) = api.type_def(key).filter(|_| depth < 32) else {
        return quote!(Default::default());
    };
    let path = type_path(def, area);
    match &def.kind {
        TypeKind::Struct(fields) => {
            let fields = fields.iter().map(|f| {
                let fname = ident(&f.rust_name);
                let v = value(&f.ty, f.docs.example.as_deref(), api, area, depth + 1);
                if f.required && !def.all_optional() {
                    quote!(#fname: #v)
                } else {
                    quote!(#fname: Some(#v))
                }
            });
            quote!(#path { #(#fields,)* })
        }
        TypeKind::Enum(variants) => match variants.first() {
            Some(v) => {
                let variant = ident(&v.ident);
                quote!(#path::#variant)
            }
            None => quote!(#path::Unknown(String::new())),
        },
    }
}

/// A raw string literal, so multi-line JSON stays readable in the generated code.
fn raw_string(s: &str) -> Literal {
    let mut hashes = String::from("#");
    while s.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    let text = format!("r{hashes}\"{s}\"{hashes}");
    text.parse::<Literal>()
        .unwrap_or_else(|_| Literal::string(s))
}
