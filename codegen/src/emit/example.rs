//! `Example` impls: a request filled from the spec's examples, for the mock server's
//! round-trip tests and the tour. Only compiled with the `mock` feature.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::model::*;

pub fn example_impl(op: &Operation) -> TokenStream {
    let name = ident(&op.request_type());
    let fields = op.params.iter().map(|p| {
        let f = ident(&p.rust_name);
        let value = value(&p.ty, p.docs.example.as_deref(), &op.request_types, 0);
        if p.required {
            quote!(#f: #value)
        } else {
            quote!(#f: Some(#value))
        }
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
fn value(ty: &TypeRef, example: Option<&str>, types: &[TypeDef], depth: usize) -> TokenStream {
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
            let item = value(inner, example, types, depth + 1);
            quote!(vec![#item])
        }
        TypeRef::Map(_) => quote!(std::collections::BTreeMap::new()),
        TypeRef::Named(name) => named(name, types, depth),
    }
}

fn named(name: &str, types: &[TypeDef], depth: usize) -> TokenStream {
    let id = ident(name);
    match types.iter().find(|t| {
        matches!(t, TypeDef::Struct(s) if s.name == name)
            || matches!(t, TypeDef::Enum(e) if e.name == name)
    }) {
        Some(TypeDef::Struct(s)) => {
            let fields = s.fields.iter().map(|f| {
                let fname = ident(&f.rust_name);
                let v = value(&f.ty, f.docs.example.as_deref(), types, depth + 1);
                if f.required {
                    quote!(#fname: #v)
                } else {
                    quote!(#fname: Some(#v))
                }
            });
            quote!(#id { #(#fields,)* })
        }
        Some(TypeDef::Enum(e)) => match e.variants.first() {
            Some(v) => {
                let variant = ident(&v.ident);
                quote!(#id::#variant)
            }
            None => quote!(#id::Unknown(String::new())),
        },
        None => quote!(Default::default()),
    }
}
