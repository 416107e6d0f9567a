//! `Envelope` impls: the fields every Yunxiao answer may carry (`requestId`, `success`,
//! `errorCode`, `errorMessage`), read the same way on every response type.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::model::{Field, TypeDef, TypeKind, TypeRef};

/// `impl crate::Envelope` for a response root struct, from the envelope fields it has.
pub fn envelope_impl(def: &TypeDef) -> TokenStream {
    let TypeKind::Struct(fields) = &def.kind else {
        return quote!();
    };
    let find = |wire: &[&str]| fields.iter().find(|f| wire.contains(&f.wire_name.as_str()));
    let text = |f: Option<&Field>| {
        f.filter(|f| f.ty == TypeRef::String).map(|f| {
            let name = ident(&f.rust_name);
            quote!(self.#name.as_deref())
        })
    };
    let mut methods = TokenStream::new();
    if let Some(body) = text(find(&["requestId", "RequestId"])) {
        methods.extend(quote!(fn request_id(&self) -> Option<&str> { #body }));
    }
    if let Some(f) = find(&["success"]) {
        let name = ident(&f.rust_name);
        // Some operations document `success` as a string.
        let body = match f.ty {
            TypeRef::Bool => Some(quote!(self.#name)),
            TypeRef::String => Some(quote!(self.#name.as_deref().and_then(|s| s.parse().ok()))),
            _ => None,
        };
        if let Some(body) = body {
            methods.extend(quote!(fn success(&self) -> Option<bool> { #body }));
        }
    }
    if let Some(body) = text(find(&["errorCode"])) {
        methods.extend(quote!(fn error_code(&self) -> Option<&str> { #body }));
    }
    if let Some(body) = text(find(&["errorMessage", "errorMsg"])) {
        methods.extend(quote!(fn error_message(&self) -> Option<&str> { #body }));
    }
    let name = ident(&def.name);
    quote! {
        impl crate::Envelope for #name {
            #methods
        }
    }
}
