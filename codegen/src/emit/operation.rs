//! Everything one operation needs: request, response, error codes, `Operation` impl, the
//! `Client` method and, for list operations, the paginator.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs;
use super::types::{constructor, ident, rust_type, setters, type_def};
use crate::model::*;

pub fn operation(op: &Operation) -> TokenStream {
    let request = request(op);
    let response = response(op);
    let error_enum = error_enum(op);
    let meta_impl = operation_impl(op);
    let method = client_method(op);
    let pagination = op
        .pagination
        .as_ref()
        .map(|p| pagination(op, p))
        .unwrap_or_default();
    let example = super::example::example_impl(op);
    // Validation registers children before parents; reversed, each type precedes its parts.
    let types = op
        .request_types
        .iter()
        .rev()
        .chain(op.response_types.iter().rev())
        .map(|t| type_def(t, &op.fn_name));
    quote! {
        #request
        #response
        #(#types)*
        #error_enum
        #meta_impl
        #method
        #pagination
        #example
    }
}

fn request(op: &Operation) -> TokenStream {
    let name = ident(&op.request_type());
    let doc = docs::raw(&format!(
        "Parameters of [`Client::{}`](crate::Client::{}): {}",
        op.fn_name,
        op.fn_name,
        docs::escape(&op.docs.summary)
    ));
    let fields = op.params.iter().map(|p| {
        let mut text = match &p.docs.description {
            Some(d) => docs::escape(d),
            None => format!("`{}`.", p.wire_name),
        };
        text.push_str(&format!(
            "\n\nSent as {} parameter `{}`.",
            p.location.as_str(),
            p.wire_name
        ));
        if let Some(example) = &p.docs.example {
            if !p.secret {
                text.push_str(&format!(" {}", docs::example_line(example)));
            }
        }
        let doc = docs::raw(&text);
        let fname = ident(&p.rust_name);
        let ty = rust_type(&p.ty);
        if p.required {
            quote!(#doc pub #fname: #ty,)
        } else {
            quote!(#doc pub #fname: Option<#ty>,)
        }
    });
    let ctor = constructor(
        &op.params
            .iter()
            .map(|p| (p.rust_name.as_str(), &p.ty, p.required))
            .collect::<Vec<_>>(),
        &[],
    );
    let setters = setters(
        &op.params
            .iter()
            .map(|p| {
                (
                    p.rust_name.as_str(),
                    p.wire_name.as_str(),
                    &p.ty,
                    p.required,
                )
            })
            .collect::<Vec<_>>(),
    );
    let has_secret = op.params.iter().any(|p| p.secret);
    let derive_debug = if has_secret { quote!() } else { quote!(Debug,) };
    let derive_default = if op.params.iter().any(|p| p.required) {
        quote!()
    } else {
        quote!(Default,)
    };
    let debug_impl = if has_secret {
        let name_str = op.request_type();
        let entries = op.params.iter().map(|p| {
            let f = ident(&p.rust_name);
            let label = &p.rust_name;
            if p.secret && p.required {
                quote!(.field(#label, &crate::wire::Redacted))
            } else if p.secret {
                quote!(.field(#label, &self.#f.as_ref().map(|_| crate::wire::Redacted)))
            } else {
                quote!(.field(#label, &self.#f))
            }
        });
        quote! {
            impl std::fmt::Debug for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(#name_str) #(#entries)* .finish()
                }
            }
        }
    } else {
        quote!()
    };
    quote! {
        #doc
        #[derive(Clone, #derive_debug #derive_default PartialEq)]
        pub struct #name {
            #(#fields)*
        }
        impl #name {
            #ctor
            #setters
        }
        #debug_impl
    }
}

fn response(op: &Operation) -> TokenStream {
    // An object response is the root struct the validator registered under `{Prefix}Response`;
    // anything else gets a type alias so every operation has a `{Prefix}Response`.
    match &op.response {
        TypeRef::Named(n) if *n == op.response_type() => quote!(),
        other => {
            let name = ident(&op.response_type());
            let ty = rust_type(other);
            let doc = format!(
                " Response of [`Client::{}`](crate::Client::{}).",
                op.fn_name, op.fn_name
            );
            quote!(#[doc = #doc] pub type #name = #ty;)
        }
    }
}

fn error_enum(op: &Operation) -> TokenStream {
    let name = ident(&op.error_type());
    let doc = format!(
        " Error codes documented for [`Client::{}`](crate::Client::{}). Read one from an error with [`Error::code`](crate::Error::code).",
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
    let from_body = if op.errors.is_empty() {
        quote!(Self::Unknown(code.to_string()))
    } else {
        quote! {
            match code {
                #(#from)*
                other => Self::Unknown(other.to_string()),
            }
        }
    };
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
    let method = &op.method;
    let path = &op.path_template;
    let area = &op.area;
    let body = match op.body {
        BodyEncoding::None => quote!(crate::BodyEncoding::None),
        BodyEncoding::Json => quote!(crate::BodyEncoding::Json),
        BodyEncoding::Form => quote!(crate::BodyEncoding::Form),
    };
    let is_text = op.response_is_text;
    let idempotent = op.idempotent;
    let params = op.params.iter().map(|p| {
        let n = &p.wire_name;
        let loc = match p.location {
            Location::Path => quote!(Path),
            Location::Query => quote!(Query),
            Location::Header => quote!(Header),
            Location::Body => quote!(Body),
        };
        let ty = &p.spec_type;
        let required = p.required;
        let secret = p.secret;
        quote!(crate::ParamMeta { name: #n, location: crate::ParamLocation::#loc, ty: #ty, required: #required, secret: #secret })
    });
    let errors = op.errors.iter().map(|e| {
        let (status, code, message, description) = (e.status, &e.code, &e.message, &e.description);
        quote!(crate::ErrorDoc { status: #status, code: #code, message: #message, description: #description })
    });
    let example = match &op.example_response {
        Some(e) => {
            let lit = raw_string(e.trim_end());
            quote!(Some(#lit))
        }
        None => quote!(None),
    };

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
            (Location::Path, _) => continue,
            (Location::Query, false) => quote!(query),
            (Location::Query, true) => quote!(query_json),
            (Location::Header, false) => quote!(header),
            (Location::Header, true) => quote!(header_json),
            (Location::Body, _) => quote!(body_field),
        };
        let fallible = p.json_style || matches!(p.location, Location::Body | Location::Header);
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
                example_response: #example,
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
        "\n\n# Errors\n\nAny [`Error`](crate::Error); for API errors, [`{}`] names the documented codes.",
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
            pub async fn #f(&self, request: #req) -> Result<#resp, crate::Error> {
                self.send(request).await
            }
        }
    }
}

fn pagination(op: &Operation, p: &Pagination) -> TokenStream {
    let req = ident(&op.request_type());
    let item = rust_type(&p.item_type);
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
