//! Rust types: type expressions, structs (with their constructor and setters) and string
//! enums. Request structs, nested objects and shared shapes all go through [`struct_item`].

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::docs;
use crate::model::{Api, EnumVariant, Field, TypeDef, TypeKind, TypeRef};

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type for a model type, written from inside module `area`.
pub fn rust_type(ty: &TypeRef, api: &Api, area: &str) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::Bool => quote!(bool),
        TypeRef::Any => quote!(serde_json::Value),
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner, api, area);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner, api, area);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Named(key) => match api.type_def(key) {
            Some(def) => type_path(def, area),
            None => quote!(serde_json::Value),
        },
    }
}

/// A generated type's path from inside module `area`.
pub fn type_path(def: &TypeDef, area: &str) -> TokenStream {
    let name = ident(&def.name);
    if def.area == area {
        quote!(#name)
    } else {
        let module = ident(&def.area);
        quote!(crate::#module::#name)
    }
}

/// One field of a struct to emit.
pub struct FieldItem {
    /// snake_case field name.
    pub rust: String,
    /// Wire name (for serde and the setter's doc).
    pub wire: String,
    /// The value's Rust type (without `Option`).
    pub ty: TokenStream,
    /// Whether the value is a `String` (setters take `impl Into<String>`).
    pub is_string: bool,
    /// Required: a plain field and an argument of `new`; else `Option` with a setter.
    pub required: bool,
    /// Doc attributes.
    pub doc: TokenStream,
    /// Held in a `crate::Secret`, which `Debug` never shows.
    pub secret: bool,
}

/// A struct to emit: the fields and how the struct is used.
pub struct StructItem {
    /// Rust name.
    pub name: String,
    /// Doc attributes.
    pub doc: TokenStream,
    /// The fields, in spec order.
    pub fields: Vec<FieldItem>,
    /// Whether the struct is (de)serialized as a JSON object (all but top-level requests).
    pub serde: bool,
    /// A request type: `new(required..)` and setters named after the fields. Response types
    /// are built from `Default` by assigning fields.
    pub constructor: bool,
}

impl FieldItem {
    /// The field's type as stored: a secret is wrapped so `Debug` cannot show it.
    fn stored_type(&self) -> TokenStream {
        let ty = &self.ty;
        if self.secret {
            quote!(crate::Secret<#ty>)
        } else {
            ty.clone()
        }
    }

    /// An argument of type [`arg_type`] as the stored value.
    fn store(&self, value: TokenStream) -> TokenStream {
        let value = if self.is_string {
            quote!(#value.into())
        } else {
            value
        };
        if self.secret {
            quote!(crate::Secret::new(#value))
        } else {
            value
        }
    }

    /// A field of a generated struct; in types a response uses, every field is optional.
    pub fn of(f: &Field, def: &TypeDef, api: &Api) -> Self {
        Self {
            rust: f.rust_name.clone(),
            wire: f.wire_name.clone(),
            ty: rust_type(&f.ty, api, &def.area),
            is_string: f.ty == TypeRef::String,
            required: f.required && !def.all_optional(),
            doc: docs::field(&f.docs, &f.wire_name),
            secret: false,
        }
    }
}

/// A struct with public fields, `#[non_exhaustive]` so fields can be added, built with `new`
/// (required fields) or `Default`, and a setter per optional field.
pub fn struct_item(s: &StructItem) -> TokenStream {
    let name = ident(&s.name);
    let doc = &s.doc;
    let fields = s.fields.iter().map(|f| {
        let (fdoc, fname, ty, wire) = (&f.doc, ident(&f.rust), f.stored_type(), &f.wire);
        let serde = match (s.serde, f.required) {
            (false, _) => quote!(),
            (true, true) => quote!(#[serde(rename = #wire)]),
            (true, false) => {
                quote!(#[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")])
            }
        };
        if f.required {
            quote!(#fdoc #serde pub #fname: #ty,)
        } else {
            quote!(#fdoc #serde pub #fname: Option<#ty>,)
        }
    });
    let has_required = s.fields.iter().any(|f| f.required);
    let mut derives = vec![quote!(Clone), quote!(Debug)];
    if !has_required {
        derives.push(quote!(Default));
    }
    derives.push(quote!(PartialEq));
    if s.serde {
        derives.push(quote!(serde::Serialize));
        derives.push(quote!(serde::Deserialize));
    }
    // Response types are built as `Default` plus field assignments (stable under
    // `#[non_exhaustive]`); setters would double their size for tests only.
    let ctor = s.constructor.then(|| constructor(&s.fields));
    let setters = s.constructor.then(|| setters(&s.fields));
    let impls = s.constructor.then(|| quote!(impl #name { #ctor #setters }));
    quote! {
        #doc
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        #impls
    }
}

/// `new(required...)`: required fields as arguments, optional ones `None`.
fn constructor(fields: &[FieldItem]) -> TokenStream {
    let args = fields.iter().filter(|f| f.required).map(|f| {
        let n = ident(&f.rust);
        let ty = arg_type(f);
        quote!(#n: #ty)
    });
    let inits = fields.iter().map(|f| {
        let n = ident(&f.rust);
        if f.required && !f.is_string && !f.secret {
            quote!(#n)
        } else if f.required {
            let value = f.store(quote!(#n));
            quote!(#n: #value)
        } else {
            quote!(#n: None)
        }
    });
    let allow = (fields.iter().filter(|f| f.required).count() > 7)
        .then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let doc = if fields.iter().any(|f| f.required) {
        " Creates a value from its required fields; optional ones start unset."
    } else {
        " Creates a value with every optional field unset."
    };
    quote! {
        #[doc = #doc]
        #allow
        pub fn new(#(#args),*) -> Self {
            Self { #(#inits,)* }
        }
    }
}

/// A setter's argument type: strings take `impl Into<String>`.
fn arg_type(f: &FieldItem) -> TokenStream {
    if f.is_string {
        quote!(impl Into<String>)
    } else {
        f.ty.clone()
    }
}

/// One setter per optional field, named after the field.
fn setters(fields: &[FieldItem]) -> TokenStream {
    let mut out = TokenStream::new();
    for f in fields.iter().filter(|f| !f.required) {
        let field = ident(&f.rust);
        let setter = ident(&setter_name(&f.rust));
        let arg = arg_type(f);
        let value = f.store(quote!(value));
        let doc = format!(" Sets `{}`.", f.wire);
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

/// The setter for a field: its own name, unless that would shadow the constructor or a
/// method of a derived trait (`x.clone()` must stay `Clone::clone`).
pub fn setter_name(field: &str) -> String {
    const TAKEN: &[&str] = &[
        "new",
        "default",
        "clone",
        "clone_from",
        "eq",
        "ne",
        "fmt",
        "serialize",
        "deserialize",
    ];
    if TAKEN.contains(&field) {
        format!("with_{field}")
    } else {
        field.to_string()
    }
}

/// A generated struct or enum definition.
pub fn type_def(def: &TypeDef, api: &Api, doc: TokenStream) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(fields) => struct_item(&StructItem {
            name: def.name.clone(),
            doc,
            fields: fields.iter().map(|f| FieldItem::of(f, def, api)).collect(),
            serde: true,
            constructor: !def.all_optional(),
        }),
        TypeKind::Enum(variants) => string_enum(&def.name, doc, variants),
    }
}

/// A string enum that keeps values it does not know.
fn string_enum(name: &str, doc: TokenStream, variants: &[EnumVariant]) -> TokenStream {
    let name = ident(name);
    let items = variants.iter().map(|v| {
        let id = ident(&v.ident);
        let text = match &v.docs {
            Some(d) => format!("`{}`: {d}", v.value),
            None => format!("`{}`.", v.value),
        };
        let doc = docs::lines(&text);
        quote!(#doc #id,)
    });
    let from_arms = variants.iter().map(|v| {
        let (id, value) = (ident(&v.ident), &v.value);
        quote!(#value => Self::#id,)
    });
    let as_arms = variants.iter().map(|v| {
        let (id, value) = (ident(&v.ident), &v.value);
        quote!(Self::#id => #value,)
    });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        #[non_exhaustive]
        pub enum #name {
            #(#items)*
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
