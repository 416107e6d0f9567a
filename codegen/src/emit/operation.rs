//! Everything one operation needs: request, response, error codes, `Operation` impl, the
//! `Client` method and, for list operations, the paginator.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{
    has_required_parts, ident, rust_type, setter, struct_item, takes_into, type_def, FieldItem,
    StructItem, StructKind,
};
use super::{docs, vocab};
use crate::model::*;

pub fn operation(op: &Operation, api: &Api) -> TokenStream {
    let request = request(op, api);
    let call = call(op, api);
    let response = response_alias(op, api);
    let types = op.types.iter().filter_map(|key| {
        let def = api.type_def(key)?;
        let doc = type_doc(op, def, *key == op.response_root());
        Some(type_def(def, api, doc))
    });
    let envelope = envelope_impl(op, api);
    let error_enum = error_enum(op);
    let meta_impl = operation_impl(op, api);
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
        #call
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

/// The parameters as fields: `full` docs for the call's setters, a short line for the request
/// struct (the call is where parameters are set).
fn param_items(op: &Operation, api: &Api, full: bool) -> Vec<FieldItem> {
    let call = op.call_type();
    op.params
        .iter()
        .map(|p| {
            let required = if p.required { ", required" } else { "" };
            let text = if full {
                let mut text = match &p.docs.description {
                    Some(d) => docs::escape(d),
                    None => format!("`{}`.", p.wire_name),
                };
                text.push_str(&format!(
                    "\n\nSent as {} parameter `{}`{required}.",
                    p.location, p.wire_name
                ));
                if let Some(example) = p.docs.example.as_ref().filter(|_| !p.secret) {
                    text.push_str(&format!(" {}", docs::example_line(example)));
                }
                text
            } else {
                let setter = super::types::setter_name(&p.rust_name);
                format!(
                    "`{}` ({} parameter{required}); set with [`{call}::{setter}`].",
                    p.wire_name, p.location
                )
            };
            FieldItem {
                rust: p.rust_name.clone(),
                wire: p.wire_name.clone(),
                ty: rust_type(&p.ty, api, &op.area),
                into: takes_into(&p.ty),
                required: p.required,
                nested_required: has_required_parts(&p.ty, api),
                doc: docs::raw(&text),
                secret: p.secret,
            }
        })
        .collect()
}

fn request(op: &Operation, api: &Api) -> TokenStream {
    let doc = docs::raw(&format!(
        "Parameters of [`Client::{f}`](crate::Client::{f}): {}\n\nSet them by name on [`{}`], which `Client::{f}` returns.",
        docs::escape(&op.docs.summary),
        op.call_type(),
        f = op.fn_name,
    ));
    struct_item(&StructItem {
        name: op.request_type(),
        doc,
        fields: param_items(op, api, false),
        serde: false,
        kind: StructKind::Request,
    })
}

/// `{Prefix}Call`: what `Client::{fn}` returns; parameters are set by name, then it is sent
/// (or streamed, for list operations).
fn call(op: &Operation, api: &Api) -> TokenStream {
    let (name, req) = (ident(&op.call_type()), ident(&op.request_type()));
    let (resp, code) = (ident(&op.response_type()), ident(&op.error_type()));
    let f = &op.fn_name;
    let doc = format!(
        " A call of [`Client::{f}`](crate::Client::{f}): set its parameters by name, then [`send`](Self::send) it."
    );
    let setters = param_items(op, api, true)
        .into_iter()
        .map(|item| setter(&item, &quote!(self.request), true));
    let stream = op.pagination.as_ref().map(|_| {
        quote! {
            /// Pages through every result: [`Paginator::items`](crate::Paginator::items) streams
            /// the items, [`pages`](crate::Paginator::pages) the pages. The page-size
            /// parameter, if set, sets the page size.
            pub fn stream(self) -> crate::Paginator<'a, #req> {
                crate::Paginator::new(self.client, self.request)
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        #[must_use = "a call does nothing until it is sent"]
        pub struct #name<'a> {
            client: &'a crate::Client,
            request: #req,
        }
        impl<'a> #name<'a> {
            #(#setters)*
            /// Sends the call. A required parameter that is not set is an
            /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) naming it, and
            /// nothing is sent.
            pub async fn send(self) -> Result<#resp, crate::Error<#code>> {
                self.client.send(self.request).await
            }
            #stream
            /// The parameters set so far (for [`Client::send`](crate::Client::send)).
            pub fn into_request(self) -> #req {
                self.request
            }
        }
    }
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

fn operation_impl(op: &Operation, api: &Api) -> TokenStream {
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
                quote!(req.path_param(#n, self.#f.as_ref())?;)
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
        if has_required_parts(&p.ty, api) {
            build.extend(quote!(req.require(#n, self.#f.as_ref())?;));
        }
        build.extend(quote!(req.#call(#n, self.#f.as_ref())#q;));
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
    let (req, call) = (ident(&op.request_type()), ident(&op.call_type()));
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
    let names = |required: bool| -> Vec<String> {
        op.params
            .iter()
            .filter(|p| p.required == required)
            .map(|p| {
                let setter = super::types::setter_name(&p.rust_name);
                format!("[`{setter}`]({}::{setter})", op.call_type())
            })
            .collect()
    };
    let (required, optional) = (names(true), names(false));
    let finish = if op.pagination.is_some() {
        "then [`send`](".to_string()
            + &op.call_type()
            + "::send) it, or [`stream`]("
            + &op.call_type()
            + "::stream) every page"
    } else {
        format!("then [`send`]({}::send) it", op.call_type())
    };
    text.push_str(&format!(
        "\n\nSet the parameters on the returned call by name, {finish}."
    ));
    if !required.is_empty() {
        text.push_str(&format!(" Required: {}.", required.join(", ")));
    }
    if !optional.is_empty() {
        text.push_str(&format!(" Optional: {}.", optional.join(", ")));
    }
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
            pub fn #f(&self) -> #call<'_> {
                #call { client: self, request: #req::default() }
            }
        }
    }
}

fn pagination(op: &Operation, p: &Pagination, api: &Api) -> TokenStream {
    let req = ident(&op.request_type());
    let item = rust_type(&p.item_type, api, &op.area);
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
            (
                quote!(crate::PageStyle::Cursor),
                quote!(#c.cloned()),
                quote! {
                    fn set_cursor(&mut self, cursor: String) {
                        self.#field = Some(cursor);
                    }
                    fn cursor(&self) -> Option<String> {
                        self.#field.clone()
                    }
                    fn reset_position(&mut self) {
                        self.#field = None;
                    }
                },
            )
        }
        PaginationStyle::Page { param } => {
            let p = &op.params[*param];
            let read = read_int(p);
            let field = ident(&p.rust_name);
            let value = int_conv(&p.ty, quote!(page));
            (
                quote!(crate::PageStyle::Page),
                quote!(None),
                quote! {
                    fn page_number(&self) -> Option<i64> {
                        #read
                    }
                    fn set_page_number(&mut self, page: i64) {
                        self.#field = Some(#value);
                    }
                    fn reset_position(&mut self) {
                        self.#field = None;
                    }
                },
            )
        }
    };
    let size_impl = match p.size_param {
        Some(i) => {
            let read = read_int(&op.params[i]);
            let field = ident(&op.params[i].rust_name);
            let value = int_conv(&op.params[i].ty, quote!(size));
            quote! {
                fn page_size(&self) -> Option<i64> {
                    #read
                }
                fn set_page_size(&mut self, size: i64) {
                    self.#field = Some(#value);
                }
            }
        }
        None => quote!(),
    };
    let wire = {
        let names = |path: &[String]| quote!(&[#(#path),*]);
        let opt = |path: &Option<Vec<String>>| match path {
            Some(p) => {
                let p = names(p);
                quote!(Some(#p))
            }
            None => quote!(None),
        };
        let param = |i: Option<usize>| match i {
            Some(i) => {
                let n = &op.params[i].wire_name;
                quote!(Some(#n))
            }
            None => quote!(None),
        };
        let (cursor_param, page_param) = match &p.style {
            PaginationStyle::Cursor { param: i, .. } => (param(Some(*i)), quote!(None)),
            PaginationStyle::Page { param: i } => (quote!(None), param(Some(*i))),
        };
        let (size, items) = (param(p.size_param), names(&p.wire.items));
        let (cursor, total) = (opt(&p.wire.cursor), opt(&p.wire.total));
        quote! {
            const WIRE: crate::PageWire = crate::PageWire {
                cursor_param: #cursor_param,
                page_param: #page_param,
                size_param: #size,
                items: #items,
                cursor: #cursor,
                total: #total,
            };
        }
    };
    let fixed = p.fixed.iter().map(|(i, value)| {
        let field = ident(&op.params[*i].rust_name);
        // Set even over the caller's value: the stream depends on this paging mode.
        quote! {
            self.#field = Some(#value.to_string());
        }
    });
    quote! {
        impl crate::Paginate for #req {
            type Item = #item;
            const STYLE: crate::PageStyle = #style;
            #wire
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
    }
}

/// Reads an integer parameter as `Option<i64>`.
fn read_int(p: &Param) -> TokenStream {
    let field = ident(&p.rust_name);
    if p.ty == TypeRef::I64 {
        quote!(self.#field)
    } else {
        quote!(self.#field.map(i64::from))
    }
}

/// Converts an `i64` (a page number or size) to the parameter's type.
fn int_conv(ty: &TypeRef, value: TokenStream) -> TokenStream {
    match ty {
        TypeRef::I32 => quote!(i32::try_from(#value).unwrap_or(i32::MAX)),
        _ => value,
    }
}
