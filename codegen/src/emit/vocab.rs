//! The spec's words as runtime values. Each match is exhaustive, so a new word in
//! `yunxiao-vocab` does not compile until it is emitted here.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{AcceptorState, BodyEncoding, Comparator, HttpMethod, TimeFormat, TypeWord};

pub fn method(m: HttpMethod) -> TokenStream {
    match m {
        HttpMethod::Get => quote!(crate::HttpMethod::Get),
        HttpMethod::Post => quote!(crate::HttpMethod::Post),
        HttpMethod::Put => quote!(crate::HttpMethod::Put),
        HttpMethod::Delete => quote!(crate::HttpMethod::Delete),
        HttpMethod::Patch => quote!(crate::HttpMethod::Patch),
    }
}

pub fn body(b: BodyEncoding) -> TokenStream {
    match b {
        BodyEncoding::None => quote!(crate::BodyEncoding::None),
        BodyEncoding::Json => quote!(crate::BodyEncoding::Json),
        BodyEncoding::Form => quote!(crate::BodyEncoding::Form),
    }
}

pub fn type_word(t: TypeWord) -> TokenStream {
    match t {
        TypeWord::String => quote!(crate::TypeWord::String),
        TypeWord::Integer => quote!(crate::TypeWord::Integer),
        TypeWord::Long => quote!(crate::TypeWord::Long),
        TypeWord::Float => quote!(crate::TypeWord::Float),
        TypeWord::Double => quote!(crate::TypeWord::Double),
        TypeWord::Number => quote!(crate::TypeWord::Number),
        TypeWord::Boolean => quote!(crate::TypeWord::Boolean),
        TypeWord::Object => quote!(crate::TypeWord::Object),
        TypeWord::Array => quote!(crate::TypeWord::Array),
        TypeWord::Map => quote!(crate::TypeWord::Map),
        TypeWord::Any => quote!(crate::TypeWord::Any),
    }
}

/// The runtime type that gives a time its typed view.
pub fn time_type(f: TimeFormat) -> TokenStream {
    match f {
        TimeFormat::EpochMillis => quote!(crate::EpochMillis),
        TimeFormat::DateTime => quote!(crate::DateTime),
        TimeFormat::LocalDateTime => quote!(crate::LocalDateTime),
    }
}

pub fn acceptor_state(s: AcceptorState) -> TokenStream {
    match s {
        AcceptorState::Success => quote!(crate::waiter::AcceptorState::Success),
        AcceptorState::Failure => quote!(crate::waiter::AcceptorState::Failure),
        AcceptorState::Retry => quote!(crate::waiter::AcceptorState::Retry),
    }
}

pub fn comparator(c: Comparator) -> TokenStream {
    match c {
        Comparator::Equals => quote!(crate::waiter::Comparator::Equals),
        Comparator::NotEquals => quote!(crate::waiter::Comparator::NotEquals),
        Comparator::AnyEquals => quote!(crate::waiter::Comparator::AnyEquals),
        Comparator::AllEquals => quote!(crate::waiter::Comparator::AllEquals),
    }
}
