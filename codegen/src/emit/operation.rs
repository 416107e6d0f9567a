//! Everything one operation needs: request, response, error codes, `Operation` impl, the
//! `Client` method and, for list operations, the paginator.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, rust_type, struct_item, type_def, FieldItem, StructItem};
use super::{docs, vocab};
use crate::model::*;

pub fn operation(op: &Operation, api: &Api) -> TokenStream {
    let request = request(op, api);
    let response = response_alias(op, api);
    let types = op.types.iter().filter_map(|key| {
        let def = api.type_def(key)?;
        let doc = type_doc(op, def, *key == op.response_root());
        Some(type_def(def, api, doc))
    });
    let envelope = envelope_impl(op, api);
    let error_enum = error_enum(op);
    let meta_impl = operation_impl(op);
    let method = client_method(op);
    let pagination = op
        .pagination
        .as_ref()
        .map(|p| pagination(op, p, api))
        .unwrap_or_default();
    let example = super::example::example_impl(op, api);
    let waiters = super::waiter::waiters(op, api);
    quote! {
        #request
        #response
        #(#types)*
        #envelope
        #error_enum
        #meta_impl
        #method
        #pagination
        #waiters
        #example
    }
}

/// The doc of one of the operation's own types.
fn type_doc(op: &Operation, def: &TypeDef, is_root: bool) -> TokenStream {
    let f = &op.fn_name;
    let text = match (&def.docs, is_root) {
        (Some(d), true) => format!(
            "Response of [`Client::{f}`](crate::Client::{f}).\n\n{}",
            docs::escape(d)
        ),
        (None, true) => format!("Response of [`Client::{f}`](crate::Client::{f})."),
        (Some(d), false) => docs::escape(d),
        (None, false) if def.in_request => {
            format!("Part of the request of [`Client::{f}`](crate::Client::{f}).")
        }
        (None, false) => format!("Part of the response of [`Client::{f}`](crate::Client::{f})."),
    };
    docs::raw(&text)
}

fn request(op: &Operation, api: &Api) -> TokenStream {
    let doc = docs::raw(&format!(
        "Parameters of [`Client::{}`](crate::Client::{}): {}",
        op.fn_name,
        op.fn_name,
        docs::escape(&op.docs.summary)
    ));
    let fields = op
        .params
        .iter()
        .map(|p| {
            let mut text = match &p.docs.description {
                Some(d) => docs::escape(d),
                None => format!("`{}`.", p.wire_name),
            };
            text.push_str(&format!(
                "\n\nSent as {} parameter `{}`.",
                p.location, p.wire_name
            ));
            if let Some(example) = &p.docs.example {
                if !p.secret {
                    text.push_str(&format!(" {}", docs::example_line(example)));
                }
            }
            FieldItem {
                rust: p.rust_name.clone(),
                wire: p.wire_name.clone(),
                ty: rust_type(&p.ty, api, &op.area),
                is_string: p.ty == TypeRef::String,
                required: p.required,
                doc: docs::raw(&text),
                secret: p.secret,
            }
        })
        .collect();
    struct_item(&StructItem {
        name: op.request_type(),
        doc,
        fields,
        serde: false,
        constructor: true,
    })
}

/// Every operation has a `{Prefix}Response`: the inline root struct, or an alias.
fn response_alias(op: &Operation, api: &Api) -> TokenStream {
    if op.response == TypeRef::Named(op.response_root()) {
        return quote!();
    }
    let name = ident(&op.response_type());
    let ty = rust_type(&op.response, api, &op.area);
    let doc = format!(
        " Response of [`Client::{}`](crate::Client::{}).",
        op.fn_name, op.fn_name
    );
    quote!(#[doc = #doc] pub type #name = #ty;)
}

/// `Envelope` for an inline response root: the fields every Yunxiao answer may carry.
fn envelope_impl(op: &Operation, api: &Api) -> TokenStream {
    if op.response != TypeRef::Named(op.response_root()) {
        return quote!();
    }
    match api.type_def(&op.response_root()) {
        Some(def) => super::envelope::envelope_impl(def),
        None => quote!(),
    }
}

fn error_enum(op: &Operation) -> TokenStream {
    let name = ident(&op.error_type());
    if op.errors.is_empty() {
        let doc = format!(
            " Error codes of [`Client::{f}`](crate::Client::{f}): it documents none, so every code reads as `Unknown(code)`.",
            f = op.fn_name
        );
        return quote!(#[doc = #doc] pub type #name = crate::UndocumentedCode;);
    }
    let doc = format!(
        " Error codes documented for [`Client::{}`](crate::Client::{}). Read one from its error with [`Error::code`](crate::Error::code).",
        op.fn_name, op.fn_name
    );
    let variants = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let mut text = format!("`{}` (HTTP {})", e.code, e.status);
        if !e.message.is_empty() {
            text.push_str(&format!(": {}", docs::escape(&e.message)));
        }
        if !e.description.is_empty() {
            text.push_str(&format!("\n\n{}", docs::escape(&e.description)));
        }
        let doc = docs::raw(&text);
        quote!(#doc #v,)
    });
    let from = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let code = &e.code;
        quote!(#code => Self::#v,)
    });
    let as_str = op.errors.iter().map(|e| {
        let v = ident(&e.variant);
        let code = &e.code;
        quote!(Self::#v => #code,)
    });
    let from_body = quote! {
        match code {
            #(#from)*
            other => Self::Unknown(other.to_string()),
        }
    };
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A code the documentation does not list, kept as sent.
            Unknown(String),
        }
        impl crate::ApiErrorCode for #name {
            fn from_code(code: &str) -> Self {
                #from_body
            }
            fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(other) => other,
                }
            }
        }
    }
}

fn operation_impl(op: &Operation) -> TokenStream {
    let name = ident(&op.request_type());
    let response = ident(&op.response_type());
    let error = ident(&op.error_type());
    let action = &op.action;
    let method = vocab::method(op.method);
    let idempotent = op.idempotent;
    let path = &op.path_template;
    let area = &op.area;
    let body = vocab::body(op.body);
    let is_text = op.response_is_text;
    let params = op.params.iter().map(|p| {
        let (name, ty) = (&p.wire_name, vocab::type_word(p.word));
        let mut meta = match p.location {
            ParamLocation::Path => quote!(crate::ParamMeta::path(#name, #ty)),
            ParamLocation::Query => quote!(crate::ParamMeta::query(#name, #ty)),
            ParamLocation::Header => quote!(crate::ParamMeta::header(#name, #ty)),
            ParamLocation::Body => quote!(crate::ParamMeta::body(#name, #ty)),
        };
        if p.required && p.location != ParamLocation::Path {
            meta.extend(quote!(.required()));
        }
        if p.secret {
            meta.extend(quote!(.secret()));
        }
        meta
    });
    let errors = op.errors.iter().map(|e| {
        let (status, code, message, description) = (e.status, &e.code, &e.message, &e.description);
        quote!(crate::ErrorDoc { status: #status, code: #code, message: #message, description: #description })
    });

    let mut build = TokenStream::new();
    for part in &op.path {
        build.extend(match part {
            PathPart::Literal(s) => quote!(req.path_literal(#s);),
            PathPart::Param(i) => {
                let p = &op.params[*i];
                let (n, f) = (&p.wire_name, ident(&p.rust_name));
                quote!(req.path_param(#n, &self.#f)?;)
            }
        });
    }
    for p in &op.params {
        let (n, f) = (&p.wire_name, ident(&p.rust_name));
        let call = match (p.location, p.json_style) {
            (ParamLocation::Path, _) => continue,
            (ParamLocation::Query, false) => quote!(query),
            (ParamLocation::Query, true) => quote!(query_json),
            (ParamLocation::Header, false) => quote!(header),
            (ParamLocation::Header, true) => quote!(header_json),
            (ParamLocation::Body, _) => quote!(body_field),
        };
        let fallible =
            p.json_style || matches!(p.location, ParamLocation::Body | ParamLocation::Header);
        let q = if fallible { quote!(?) } else { quote!() };
        build.extend(if p.required {
            quote!(req.#call(#n, Some(&self.#f))#q;)
        } else {
            quote!(req.#call(#n, self.#f.as_ref())#q;)
        });
    }
    quote! {
        impl crate::Operation for #name {
            type Response = #response;
            type ErrorCode = #error;
            const META: &'static crate::OperationMeta = &crate::OperationMeta {
                action: #action,
                method: #method,
                idempotent: #idempotent,
                path: #path,
                area: #area,
                body: #body,
                response_is_text: #is_text,
                params: &[#(#params),*],
                errors: &[#(#errors),*],
            };
            fn to_http_request(&self) -> Result<crate::HttpRequest, crate::Error> {
                let mut req = crate::wire::RequestBuilder::new(Self::META);
                #build
                req.finish()
            }
        }
    }
}

fn client_method(op: &Operation) -> TokenStream {
    let f = ident(&op.fn_name);
    let req = ident(&op.request_type());
    let resp = ident(&op.response_type());
    let code = ident(&op.error_type());
    let mut text = docs::escape(&op.docs.summary);
    if let Some(en) = &op.docs.summary_en {
        text.push_str(&format!("\n\n{}", docs::escape(en)));
    }
    if let Some(d) = &op.docs.description {
        if d != &op.docs.summary {
            text.push_str(&format!("\n\n{}", docs::escape(d)));
        }
    }
    text.push_str(&format!(
        "\n\n`{} {}` (action `{}`).",
        op.method, op.path_template, op.action
    ));
    text.push_str(&format!(
        "\n\n# Errors\n\nAny [`Error`](crate::Error); for API errors, [`Error::code`](crate::Error::code) gives a [`{}`], which names the documented codes.",
        op.error_type()
    ));
    if !op.docs.notes.is_empty() {
        text.push_str("\n\n# Notes from the spec\n");
        for n in &op.docs.notes {
            text.push_str(&format!("\n- {}", docs::escape(&n.replace('\n', " "))));
        }
    }
    let doc = docs::raw(&text);
    quote! {
        impl crate::Client {
            #doc
            pub async fn #f(&self, request: #req) -> Result<#resp, crate::Error<#code>> {
                self.send(request).await
            }
        }
    }
}

fn pagination(op: &Operation, p: &Pagination, api: &Api) -> TokenStream {
    let req = ident(&op.request_type());
    let item = rust_type(&p.item_type, api, &op.area);
    let stream_fn = ident(&format!("{}_stream", op.fn_name));
    let f = &op.fn_name;
    let chain = |path: &[String]| -> TokenStream {
        // response.a.b.c, each level optional: response.a.as_ref().and_then(|v| v.b.as_ref())...
        let mut it = path.iter();
        let first = ident(it.next().map(String::as_str).unwrap_or("missing"));
        let mut expr = quote!(response.#first.as_ref());
        for seg in it {
            let seg = ident(seg);
            expr = quote!(#expr.and_then(|v| v.#seg.as_ref()));
        }
        expr
    };
    let items_expr = {
        let mut it = p.items_path.iter();
        let first = ident(it.next().map(String::as_str).unwrap_or("missing"));
        let mut expr = quote!(response.#first);
        for seg in it {
            let seg = ident(seg);
            expr = quote!(#expr.and_then(|v| v.#seg));
        }
        quote!(#expr.unwrap_or_default())
    };
    let total_expr = match &p.total_path {
        Some(path) => {
            let c = chain(path);
            if p.total_is_i64 {
                quote!(#c.copied())
            } else {
                quote!(#c.copied().map(i64::from))
            }
        }
        None => quote!(None),
    };
    let (style, cursor_expr, set_impl) = match &p.style {
        PaginationStyle::Cursor { param, field_path } => {
            let c = chain(field_path);
            let field = ident(&op.params[*param].rust_name);
            let value = wrap(op.params[*param].required, quote!(cursor));
            (
                quote!(crate::PageStyle::Cursor),
                quote!(#c.cloned()),
                if op.params[*param].required {
                    quote! {
                        fn set_cursor(&mut self, cursor: String) {
                            self.#field = #value;
                        }
                        fn cursor(&self) -> Option<String> {
                            Some(self.#field.clone())
                        }
                    }
                } else {
                    quote! {
                        fn set_cursor(&mut self, cursor: String) {
                            self.#field = #value;
                        }
                        fn cursor(&self) -> Option<String> {
                            self.#field.clone()
                        }
                    }
                },
            )
        }
        PaginationStyle::Page { param } => {
            let p = &op.params[*param];
            let read = read_int(p);
            let field = ident(&p.rust_name);
            let value = wrap(p.required, int_conv(&p.ty));
            (
                quote!(crate::PageStyle::Page),
                quote!(None),
                quote! {
                    fn page_number(&self) -> Option<i64> {
                        #read
                    }
                    fn set_page_number(&mut self, page: i64) {
                        self.#field = #value;
                    }
                },
            )
        }
    };
    let size_impl = match p.size_param {
        Some(i) => {
            let read = read_int(&op.params[i]);
            quote! {
                fn page_size(&self) -> Option<i64> {
                    #read
                }
            }
        }
        None => quote!(),
    };
    let fixed = p.fixed.iter().map(|(i, value)| {
        let field = ident(&op.params[*i].rust_name);
        // Set even over the caller's value: the stream depends on this paging mode.
        quote! {
            self.#field = Some(#value.to_string());
        }
    });
    let doc = format!(
        " Streams every item of [`Client::{f}`](crate::Client::{f}) across pages. The request's own page-size parameter sets the page size; the stream stops after the last page."
    );
    quote! {
        impl crate::Paginate for #req {
            type Item = #item;
            const STYLE: crate::PageStyle = #style;
            fn prepare(&mut self) {
                #(#fixed)*
            }
            fn split_page(response: Self::Response) -> crate::PageParts<Self::Item> {
                let cursor = #cursor_expr;
                let total = #total_expr;
                crate::PageParts { items: #items_expr, cursor, total }
            }
            #size_impl
            #set_impl
        }
        impl crate::Client {
            #[doc = #doc]
            pub fn #stream_fn(&self, request: #req) -> crate::Paginator<'_, #req> {
                crate::Paginator::new(self, request)
            }
        }
    }
}

/// `Some(value)` for an optional field, `value` for a required one.
fn wrap(required: bool, value: TokenStream) -> TokenStream {
    if required {
        value
    } else {
        quote!(Some(#value))
    }
}

/// Reads an integer parameter as `Option<i64>`.
fn read_int(p: &Param) -> TokenStream {
    let field = ident(&p.rust_name);
    if p.ty == TypeRef::I64 {
        if p.required {
            quote!(Some(self.#field))
        } else {
            quote!(self.#field)
        }
    } else if p.required {
        quote!(Some(i64::from(self.#field)))
    } else {
        quote!(self.#field.map(i64::from))
    }
}

/// Converts an `i64` page number to the parameter's type.
fn int_conv(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::I32 => quote!(i32::try_from(page).unwrap_or(i32::MAX)),
        _ => quote!(page),
    }
}
