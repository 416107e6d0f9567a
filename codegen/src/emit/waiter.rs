//! An operation's waiters: per acceptor with a path, a function reading the values at the
//! path (Rust field accessors resolved at generation time); per waiter, its definition as a
//! `static` `yunxiao::waiter::WaiterSpec` and its `wait_until_<name>` methods
//! (on the operation's call, and on `Client` for a request already built).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::types::{ident, rust_type};
use super::{docs, vocab};
use crate::model::*;

/// Everything the operation's waiters need, or nothing if it has none: one reader per
/// distinct path (shared by the acceptors and waiters that compare it), then each waiter.
pub fn waiters(op: &Operation, api: &Api) -> TokenStream {
    let paths = paths(op);
    let readers = paths
        .iter()
        .enumerate()
        .map(|(k, (path, steps, leaf))| reader(op, api, k, path, steps, *leaf));
    let waiters = op.waiters.iter().map(|w| waiter(op, w, &paths));
    quote! {
        #(#readers)*
        #(#waiters)*
    }
}

/// The distinct paths of the operation's acceptors, in order of first use.
fn paths(op: &Operation) -> Vec<(&str, &[PathStep], LeafKind)> {
    let mut out: Vec<(&str, &[PathStep], LeafKind)> = Vec::new();
    for a in op.waiters.iter().flat_map(|w| &w.acceptors) {
        if let AcceptorMatch::Output {
            path, steps, leaf, ..
        } = &a.matcher
        {
            if !out.iter().any(|(p, _, _)| p == path) {
                out.push((path, steps, *leaf));
            }
        }
    }
    out
}

/// The reader of the `k`-th distinct path: `<operation>_values_<k>`.
fn reader_name(op: &Operation, k: usize) -> String {
    format!("{}_values_{k}", op.fn_name)
}

fn waiter(op: &Operation, w: &Waiter, paths: &[(&str, &[PathStep], LeafKind)]) -> TokenStream {
    let req = ident(&op.request_type());
    let acceptors = w.acceptors.iter().map(|a| {
        let state = vocab::acceptor_state(a.state);
        match &a.matcher {
            AcceptorMatch::Output {
                path,
                comparator,
                expected,
                ..
            } => {
                let comparator = vocab::comparator(*comparator);
                let k = paths.iter().position(|(p, _, _)| p == path).unwrap_or(0);
                let f = ident(&reader_name(op, k));
                quote!(crate::waiter::Acceptor::output(#state, #path, #comparator, &[#(#expected),*], #f))
            }
            AcceptorMatch::Error { code } => {
                quote!(crate::waiter::Acceptor::error(#state, #code))
            }
        }
    });
    let name = &w.name;
    let [min, max, wait] = [w.min_delay, w.max_delay, w.max_wait].map(Literal::u64_unsuffixed);
    let static_name = ident(&w.static_name);
    let method = ident(&w.method);
    let call = ident(&op.call_type());
    let static_doc = docs::raw(&format!(
        "The `{name}` waiter of [`Client::{f}`](crate::Client::{f}), as data: what [`{call}::{m}`]({call}::{m}) runs. Pass it to [`Waiter::new`](crate::Waiter::new) to run it with a request of your own making.",
        f = op.fn_name,
        call = op.call_type(),
        m = w.method
    ));
    let method_doc = docs::raw(&method_doc(op, w));
    let client_doc = docs::raw(&format!(
        "Runs the `{name}` waiter with a request you already hold; with parameters set by name, [`{call}::{m}`]({call}::{m}) is the same wait.",
        call = op.call_type(),
        m = w.method
    ));
    quote! {
        #static_doc
        pub static #static_name: crate::waiter::WaiterSpec<#req> = crate::waiter::WaiterSpec::new(
            #name,
            std::time::Duration::from_secs(#min),
            std::time::Duration::from_secs(#max),
            std::time::Duration::from_secs(#wait),
            &[#(#acceptors),*],
        );
        impl<'a> #call<'a> {
            #method_doc
            pub fn #method(self) -> crate::Waiter<'a, #req> {
                crate::Waiter::new(self.client, self.request, &#static_name)
            }
        }
        impl crate::Client {
            #client_doc
            pub fn #method(&self, request: #req) -> crate::Waiter<'_, #req> {
                crate::Waiter::new(self, request, &#static_name)
            }
        }
    }
}

/// `fn <operation>_values_<k>(response) -> Vec<Cow<str>>`: the values at the path, through
/// each `Option` field and each projected array.
fn reader(
    op: &Operation,
    api: &Api,
    k: usize,
    path: &str,
    steps: &[PathStep],
    leaf: LeafKind,
) -> TokenStream {
    let f = ident(&reader_name(op, k));
    let resp = rust_type(&op.response, api, &op.area);
    let mut chain = quote!(std::iter::once(response));
    for step in steps {
        let field = ident(&step.rust_name);
        chain = quote!(#chain.flat_map(|v| v.#field.as_ref()));
        for _ in 0..step.each {
            chain = quote!(#chain.flatten());
        }
    }
    let text = match leaf {
        LeafKind::Str | LeafKind::Enum => {
            quote!(.map(|v| std::borrow::Cow::Borrowed(v.as_str())))
        }
        LeafKind::Display => quote!(.map(|v| std::borrow::Cow::Owned(v.to_string()))),
    };
    let doc = format!(" The values at `{path}` in a response, for the waiters' acceptors.");
    quote! {
        #[doc = #doc]
        fn #f(response: &#resp) -> Vec<std::borrow::Cow<'_, str>> {
            #chain #text.collect()
        }
    }
}

/// `5 s`, `2 min`, `1 h`.
fn duration(secs: u64) -> String {
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// `` `A` ``, `` `A` or `B` ``, `` `A`, `B` or `C` ``.
fn alternatives(values: &[String], word: &str) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|v| format!("`{}`", v.replace('`', "'")))
        .collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// What an acceptor means, in words.
fn acceptor_line(a: &Acceptor) -> String {
    let when = match &a.matcher {
        AcceptorMatch::Output {
            path,
            comparator,
            expected,
            ..
        } => match comparator {
            Comparator::Equals => format!("`{path}` is {}", alternatives(expected, "or")),
            Comparator::NotEquals => {
                format!(
                    "`{path}` is present and is not {}",
                    alternatives(expected, "nor")
                )
            }
            Comparator::AnyEquals => format!("some `{path}` is {}", alternatives(expected, "or")),
            Comparator::AllEquals => format!(
                "every `{path}` is {} (and there is at least one)",
                alternatives(expected, "or")
            ),
        },
        AcceptorMatch::Error { code } => format!("the call fails with error code `{code}`"),
    };
    let then = match a.state {
        AcceptorState::Success => "the wait returns the response",
        AcceptorState::Failure => {
            "the wait ends with [`WaiterError::FailureState`](crate::WaiterError::FailureState)"
        }
        AcceptorState::Retry => "poll again",
    };
    let mut line = format!("**{}** when {when}: {then}.", a.state);
    if let Some(d) = &a.description {
        line.push_str(&format!(" {}", docs::escape(&d.replace('\n', " "))));
    }
    line
}

fn method_doc(op: &Operation, w: &Waiter) -> String {
    let f = &op.fn_name;
    let mut text = match &w.description {
        Some(d) => docs::escape(d),
        None => format!("Waits for the `{}` waiter's condition.", w.name),
    };
    text.push_str(&format!(
        "\n\nPolls [`Client::{f}`](crate::Client::{f}) with this call's parameters: at once, then after {}, the delays doubling up to {} (with jitter), for at most {} unless [`Waiter::max_wait`](crate::Waiter::max_wait) says otherwise. `.await` the [`Waiter`](crate::Waiter) it returns.",
        duration(w.min_delay),
        duration(w.max_delay),
        duration(w.max_wait),
    ));
    // Numbered from 0, as `WaiterError::FailureState` names them.
    text.push_str("\n\nEach answer is checked against these acceptors, in order; the first that matches decides:\n");
    for (i, a) in w.acceptors.iter().enumerate() {
        text.push_str(&format!("\n{i}. {}", acceptor_line(a)));
    }
    text.push_str(
        "\n\nAn answer no acceptor matches means poll again (so an undocumented value never counts as success).",
    );
    text.push_str(&format!(
        "\n\n# Errors\n\n[`WaiterError`](crate::WaiterError): `FailureState` (a failure acceptor matched; it keeps that answer), `TimedOut` (`max_wait` passed; it keeps the last answer), or `Operation` (a poll failed with an error no acceptor matches, after the client's own retries; [`Error::code`](crate::Error::code) gives a [`{}`]).",
        op.error_type()
    ));
    if !w.notes.is_empty() {
        text.push_str("\n\n# Notes from the spec\n");
        for n in &w.notes {
            text.push_str(&format!("\n- {}", docs::escape(&n.replace('\n', " "))));
        }
    }
    text
}
