//! Rust types, structs and enums.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::docs;
use crate::model::{EnumDef, StructDef, TypeDef, TypeRef};

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type for a model type.
pub fn rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::Bool => quote!(bool),
        TypeRef::Any => quote!(serde_json::Value),
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Named(name) => {
            let name = ident(name);
            quote!(#name)
        }
    }
}

/// A parameter type for a constructor or setter: strings take `impl Into<String>`.
pub fn arg_type(ty: &TypeRef) -> (TokenStream, bool) {
    match ty {
        TypeRef::String => (quote!(impl Into<String>), true),
        other => (rust_type(other), false),
    }
}

/// A struct or enum; `fn_name` is the operation's method, for the root response's doc link.
pub fn type_def(def: &TypeDef, fn_name: &str) -> TokenStream {
    match def {
        TypeDef::Struct(s) if s.is_request => request_struct(s),
        TypeDef::Struct(s) => response_struct(s, fn_name),
        TypeDef::Enum(e) => string_enum(e),
    }
}

/// A struct of the response tree: every field optional, unknown fields ignored.
fn response_struct(s: &StructDef, fn_name: &str) -> TokenStream {
    let name = ident(&s.name);
    let mut text = match &s.docs {
        Some(d) => docs::escape(d),
        None => "Part of a response.".to_string(),
    };
    if s.is_root {
        text = format!("Response of [`Client::{fn_name}`](crate::Client::{fn_name}).\n\n{text}");
        if s.docs.is_none() {
            text = format!("Response of [`Client::{fn_name}`](crate::Client::{fn_name}).");
        }
    }
    let doc = docs::raw(&text);
    let fields = s.fields.iter().map(|f| {
        let doc = docs::field(&f.docs, &f.wire_name);
        let fname = ident(&f.rust_name);
        let ty = rust_type(&f.ty);
        let wire = &f.wire_name;
        quote! {
            #doc
            #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
            pub #fname: Option<#ty>,
        }
    });
    quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fields)*
        }
    }
}

/// A nested object of a request: required fields are plain, optional ones `Option`, and a
/// `new` + setters API like the top-level request.
fn request_struct(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let doc = docs::lines(s.docs.as_deref().unwrap_or("Part of a request."));
    let fields = s.fields.iter().map(|f| {
        let doc = docs::field(&f.docs, &f.wire_name);
        let fname = ident(&f.rust_name);
        let ty = rust_type(&f.ty);
        let wire = &f.wire_name;
        if f.required {
            quote! { #doc #[serde(rename = #wire)] pub #fname: #ty, }
        } else {
            quote! {
                #doc
                #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
                pub #fname: Option<#ty>,
            }
        }
    });
    let ctor = constructor(
        &s.fields
            .iter()
            .map(|f| (f.rust_name.as_str(), &f.ty, f.required))
            .collect::<Vec<_>>(),
        &[],
    );
    let setters = setters(
        &s.fields
            .iter()
            .map(|f| {
                (
                    f.rust_name.as_str(),
                    f.wire_name.as_str(),
                    &f.ty,
                    f.required,
                )
            })
            .collect::<Vec<_>>(),
    );
    let derive_default = if s.fields.iter().any(|f| f.required) {
        quote!()
    } else {
        quote!(Default,)
    };
    quote! {
        #doc
        #[derive(Clone, Debug, #derive_default PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fields)*
        }
        impl #name {
            #ctor
            #setters
        }
    }
}

/// `new(required...)`: required fields as arguments, optional ones `None`.
/// `extra` lists fields set to fixed expressions.
pub fn constructor(fields: &[(&str, &TypeRef, bool)], extra: &[TokenStream]) -> TokenStream {
    let args = fields.iter().filter(|f| f.2).map(|(n, ty, _)| {
        let n = ident(n);
        let (ty, _) = arg_type(ty);
        quote!(#n: #ty)
    });
    let inits = fields.iter().map(|(n, ty, required)| {
        let n = ident(n);
        if *required {
            if arg_type(ty).1 {
                quote!(#n: #n.into())
            } else {
                quote!(#n)
            }
        } else {
            quote!(#n: None)
        }
    });
    let many = fields.iter().filter(|f| f.2).count() > 7;
    let allow = if many {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };
    let doc = if fields.iter().any(|f| f.2) {
        " Creates a value from its required fields; optional ones start unset."
    } else {
        " Creates a value with every optional field unset."
    };
    quote! {
        #[doc = #doc]
        #allow
        pub fn new(#(#args),*) -> Self {
            Self { #(#inits,)* #(#extra,)* }
        }
    }
}

/// One setter per optional field, named after the field.
pub fn setters(fields: &[(&str, &str, &TypeRef, bool)]) -> TokenStream {
    let mut out = TokenStream::new();
    for (name, wire, ty, required) in fields {
        if *required {
            continue;
        }
        let field = ident(name);
        let setter = ident(&setter_name(name));
        let (arg, is_into) = arg_type(ty);
        let value = if is_into {
            quote!(value.into())
        } else {
            quote!(value)
        };
        let doc = format!(" Sets `{wire}`.");
        out.extend(quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: #arg) -> Self {
                self.#field = Some(#value);
                self
            }
        });
    }
    out
}

/// The setter for a field; `new` is taken by the constructor.
pub fn setter_name(field: &str) -> String {
    if field == "new" {
        "with_new".to_string()
    } else {
        field.to_string()
    }
}

/// A string enum that keeps values it does not know.
fn string_enum(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs::lines(
        e.docs
            .as_deref()
            .unwrap_or("A documented set of string values."),
    );
    let variants = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let text = match &v.docs {
            Some(d) => format!("`{}`: {d}", v.value),
            None => format!("`{}`.", v.value),
        };
        let doc = docs::lines(&text);
        quote!(#doc #id,)
    });
    let from_arms = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = &v.value;
        quote!(#value => Self::#id,)
    });
    let as_arms = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = &v.value;
        quote!(Self::#id => #value,)
    });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum #name {
            #(#variants)*
            /// A value the documentation does not list, kept as sent.
            Unknown(String),
        }
        impl #name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_arms)*
                    Self::Unknown(other) => other,
                }
            }
        }
        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#from_arms)*
                    _ => Self::Unknown(value),
                }
            }
        }
        impl From<#name> for String {
            fn from(value: #name) -> Self {
                value.as_str().to_string()
            }
        }
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl crate::wire::QueryValue for #name {
            fn to_query_value(&self) -> String {
                self.as_str().to_string()
            }
        }
    }
}
