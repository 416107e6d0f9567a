//! Rust types: type expressions, structs (with their setters) and string
//! enums. Request structs, nested objects and shared shapes all go through [`struct_item`].

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use super::docs;
use crate::model::{Api, EnumRepr, EnumVariant, Field, TypeDef, TypeKind, TypeRef};

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
        TypeRef::Time(format) => super::vocab::time_type(*format),
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

/// One field of a struct to emit. Every field is an `Option`: the service omits response
/// fields freely, and a request's required fields are checked before sending, by name.
pub struct FieldItem {
    /// snake_case field name.
    pub rust: String,
    /// Wire name (for serde and the setter's doc).
    pub wire: String,
    /// The value's Rust type (without `Option`).
    pub ty: TokenStream,
    /// Whether setters take `impl Into<T>` (strings and times).
    pub into: bool,
    /// Documented as required (requests check it before sending).
    pub required: bool,
    /// Whether the value holds request objects that have required fields of their own.
    pub nested_required: bool,
    /// Doc attributes.
    pub doc: TokenStream,
    /// Held in a `crate::Secret`, which `Debug` never shows.
    pub secret: bool,
}

/// How a generated struct is used, which decides its methods.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StructKind {
    /// An operation's parameters: set by name through its call type, so no methods here.
    Request,
    /// An object inside a request: a setter per field, and its required fields checked.
    RequestObject,
    /// A response object (or a shape responses use): built from `Default` by assigning
    /// fields (stable under `#[non_exhaustive]`); setters would double it for tests only.
    Response,
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
    /// What the struct is for.
    pub kind: StructKind,
}

impl FieldItem {
    /// The field's type as stored: a secret is wrapped so `Debug` cannot show it.
    pub fn stored_type(&self) -> TokenStream {
        let ty = &self.ty;
        if self.secret {
            quote!(crate::Secret<#ty>)
        } else {
            ty.clone()
        }
    }

    /// A setter's argument type: strings and times take `impl Into<T>`.
    pub fn arg_type(&self) -> TokenStream {
        let ty = &self.ty;
        if self.into {
            quote!(impl Into<#ty>)
        } else {
            ty.clone()
        }
    }

    /// An argument of type [`FieldItem::arg_type`] as the stored value.
    pub fn store(&self, value: TokenStream) -> TokenStream {
        let value = if self.into {
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

    /// A field of a generated struct.
    pub fn of(f: &Field, def: &TypeDef, api: &Api) -> Self {
        Self {
            rust: f.rust_name.clone(),
            wire: f.wire_name.clone(),
            ty: rust_type(&f.ty, api, &def.area),
            into: takes_into(&f.ty),
            required: f.required && !def.all_optional(),
            nested_required: has_required_parts(&f.ty, api),
            doc: docs::field(&f.docs, &f.wire_name),
            secret: false,
        }
    }
}

/// Whether a setter takes `impl Into<T>` for this type: strings, and times (from an
/// `i64`, an `OffsetDateTime` or the text).
pub fn takes_into(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::String | TypeRef::Time(_))
}

/// Whether a type holds request objects with required fields (checked before sending).
pub fn has_required_parts(ty: &TypeRef, api: &Api) -> bool {
    match ty {
        TypeRef::Vec(inner) | TypeRef::Map(inner) => has_required_parts(inner, api),
        TypeRef::Named(key) => api.type_def(key).is_some_and(|d| {
            !d.all_optional()
                && matches!(&d.kind, TypeKind::Struct(fields)
                    if fields.iter().any(|f| f.required || has_required_parts(&f.ty, api)))
        }),
        _ => false,
    }
}

/// A struct with public `Option` fields, `#[non_exhaustive]` so fields can be added.
pub fn struct_item(s: &StructItem) -> TokenStream {
    let name = ident(&s.name);
    let doc = &s.doc;
    let fields = s.fields.iter().map(|f| {
        let (fdoc, fname, ty, wire) = (&f.doc, ident(&f.rust), f.stored_type(), &f.wire);
        let serde = s.serde.then(
            || quote!(#[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]),
        );
        quote!(#fdoc #serde pub #fname: Option<#ty>,)
    });
    let mut derives = vec![
        quote!(Clone),
        quote!(Debug),
        quote!(Default),
        quote!(PartialEq),
    ];
    if s.serde {
        derives.push(quote!(serde::Serialize));
        derives.push(quote!(serde::Deserialize));
    }
    let methods = (s.kind == StructKind::RequestObject).then(|| {
        let setters = s.fields.iter().map(|f| setter(f, &quote!(self), false));
        let required = required_check(&name, &s.fields);
        quote! {
            impl #name {
                #(#setters)*
            }
            #required
        }
    });
    quote! {
        #doc
        #[derive(#(#derives),*)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        #methods
    }
}

/// A setter named after the field, which sets `<target>.<field>`: the struct itself (a
/// one-line doc; the field has the full one), or the request inside a call (the field's
/// docs, since the call is where parameters are set).
pub fn setter(f: &FieldItem, target: &TokenStream, full_docs: bool) -> TokenStream {
    let field = ident(&f.rust);
    let setter = ident(&setter_name(&f.rust));
    let arg = f.arg_type();
    let value = f.store(quote!(value));
    let doc = if full_docs {
        f.doc.clone()
    } else {
        let required = if f.required { " (required)" } else { "" };
        let text = format!(" Sets `{}`{required}.", f.wire);
        quote!(#[doc = #text])
    };
    quote! {
        #doc
        pub fn #setter(mut self, value: #arg) -> Self {
            #target.#field = Some(#value);
            self
        }
    }
}

/// `crate::wire::Required` for a request object: the first required field that is unset,
/// as a path below the object.
fn required_check(name: &proc_macro2::Ident, fields: &[FieldItem]) -> TokenStream {
    let checks = fields.iter().filter_map(|f| {
        let (field, wire) = (ident(&f.rust), &f.wire);
        if f.required && f.nested_required {
            Some(quote! {
                match &self.#field {
                    None => return Some(#wire.to_string()),
                    Some(v) => if let Some(m) = crate::wire::Required::missing(v) {
                        return Some(format!("{}.{m}", #wire));
                    },
                }
            })
        } else if f.required {
            Some(quote!(if self.#field.is_none() { return Some(#wire.to_string()); }))
        } else if f.nested_required {
            Some(quote! {
                if let Some(m) = self.#field.as_ref().and_then(crate::wire::Required::missing) {
                    return Some(format!("{}.{m}", #wire));
                }
            })
        } else {
            None
        }
    });
    quote! {
        impl crate::wire::Required for #name {
            fn missing(&self) -> Option<String> {
                #(#checks)*
                None
            }
        }
    }
}

/// The setter for a field: its own name, unless that would shadow a method of a derived
/// trait (`x.clone()` must stay `Clone::clone`) or of the call types (`send`, and the
/// `wait_until_*` waiters).
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
        "send",
        "stream",
        "into_request",
    ];
    if TAKEN.contains(&field) || field.starts_with(crate::names::WAITER_METHOD_PREFIX) {
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
            kind: if def.all_optional() {
                StructKind::Response
            } else {
                StructKind::RequestObject
            },
        }),
        TypeKind::Enum { repr, variants } => enum_def(&def.name, doc, *repr, variants),
    }
}

/// An enum of documented values that keeps the values it does not know.
fn enum_def(name: &str, doc: TokenStream, repr: EnumRepr, variants: &[EnumVariant]) -> TokenStream {
    match repr {
        EnumRepr::String => string_enum(name, doc, variants),
        EnumRepr::I32 => number_enum(name, doc, variants, quote!(i32)),
        EnumRepr::I64 => number_enum(name, doc, variants, quote!(i64)),
    }
}

/// Variants with their docs: the wire value, then its meaning.
fn enum_items(variants: &[EnumVariant]) -> impl Iterator<Item = TokenStream> + '_ {
    variants.iter().map(|v| {
        let id = ident(&v.ident);
        let text = match &v.docs {
            Some(d) => format!("`{}`: {d}", v.value),
            None => format!("`{}`.", v.value),
        };
        let doc = docs::lines(&text);
        quote!(#doc #id,)
    })
}

/// A number enum (`integer`/`long` values such as `visibilityLevel` 0/10).
fn number_enum(
    name: &str,
    doc: TokenStream,
    variants: &[EnumVariant],
    num: TokenStream,
) -> TokenStream {
    let name = ident(name);
    let items = enum_items(variants);
    let value = |v: &EnumVariant| Literal::i64_unsuffixed(v.value.parse().unwrap_or_default());
    let from_arms = variants.iter().map(|v| {
        let (id, value) = (ident(&v.ident), value(v));
        quote!(#value => Self::#id,)
    });
    let as_arms = variants.iter().map(|v| {
        let (id, value) = (ident(&v.ident), value(v));
        quote!(Self::#id => #value,)
    });
    let num_str = num.to_string();
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = #num_str, into = #num_str)]
        #[non_exhaustive]
        pub enum #name {
            #(#items)*
            /// A value the documentation does not list, kept as sent.
            Unknown(#num),
        }
        impl #name {
            /// The wire value.
            pub fn value(self) -> #num {
                match self {
                    #(#as_arms)*
                    Self::Unknown(other) => other,
                }
            }
        }
        impl From<#num> for #name {
            fn from(value: #num) -> Self {
                match value {
                    #(#from_arms)*
                    other => Self::Unknown(other),
                }
            }
        }
        impl From<#name> for #num {
            fn from(value: #name) -> Self {
                value.value()
            }
        }
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }
        impl crate::wire::QueryValue for #name {
            fn to_query_value(&self) -> String {
                self.value().to_string()
            }
        }
    }
}

/// A string enum that keeps values it does not know.
fn string_enum(name: &str, doc: TokenStream, variants: &[EnumVariant]) -> TokenStream {
    let name = ident(name);
    let items = enum_items(variants);
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
