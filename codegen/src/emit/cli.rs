//! The `yunxiao` command line, from the same model as the client: plain clap builder code,
//! one function per operation (as progenitor generates for OpenAPI).
//!
//! Per operation:
//! - `<op>_command()`: the `clap::Command` (`yunxiao <area> <operation-in-kebab-case>`),
//!   with one `Arg` per parameter: its flag, whether it is required, its help (from the
//!   spec's description and example) and a value parser for its type;
//! - `<op>_request(&ArgMatches)`: the request, one field assignment per parameter;
//! - for an operation with `then_wait`, `<op>_then_wait(request, response)`: the polling
//!   operation's request, from this call.
//!
//! Then `area_command(area)` and `dispatch`, which hands each request to a generic runner of
//! the CLI crate (`crate::run`). Everything that is not the model's (reading values, output,
//! paging, waiting, errors) lives in the CLI crate's runtime, which the generated code calls
//! as `crate::args` and `crate::run`.

use std::collections::BTreeSet;

use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::types::ident;
use crate::error::Diagnostic;
use crate::model::*;

/// Flags the runtime adds to every command or to some (`--all`, `--wait`, ...): no
/// parameter's flag may take one of these names.
pub const RESERVED_FLAGS: &[&str] = &[
    "help",
    "version",
    "output",
    "profile",
    "region",
    "endpoint",
    "timeout",
    "retries",
    "dry-run",
    "all",
    "max-pages",
    "wait",
    "max-wait",
    "poll-interval",
];

/// Top-level commands of the runtime: no area may be named like one.
pub const RESERVED_COMMANDS: &[&str] = &["mock", "completions", "help"];

/// The command name of an operation: its action in kebab case (`GetPipelineRun` ->
/// `get-pipeline-run`).
pub fn command_name(action: &str) -> String {
    action.to_kebab_case()
}

/// `cli/commands.rs`: every operation's command, request builder and dispatch.
pub fn commands(api: &Api) -> Result<TokenStream, Diagnostic> {
    let mut items = Vec::new();
    for area in areas(api) {
        if RESERVED_COMMANDS.contains(&area) {
            return Err(problem(
                &format!("spec/{area}"),
                format!("the area '{area}' would shadow the command `yunxiao {area}`; rename the folder"),
            ));
        }
    }
    let mut names: BTreeSet<(String, String)> = BTreeSet::new();
    for op in &api.operations {
        if !names.insert((op.area.clone(), command_name(&op.action))) {
            return Err(problem(
                &op.source,
                format!(
                    "the command name '{}' of {} is also another operation's in area '{}'",
                    command_name(&op.action),
                    op.action,
                    op.area
                ),
            ));
        }
        let flags = flags(op, api)?;
        items.push(command_fn(op, api, &flags));
        items.push(request_fn(op, &flags));
        if let Some(t) = &op.then_wait {
            items.push(then_wait_fn(op, t, api)?);
        }
    }
    let area_fns = areas(api).into_iter().map(|area| area_fn(api, area));
    let area_list = areas(api).into_iter().map(|area| {
        let about = area_about(area);
        quote!((#area, #about))
    });
    let area_arms = areas(api).into_iter().map(|area| {
        let f = ident(&format!("{area}_area"));
        quote!(#area => Some(#f()),)
    });
    let dispatch = dispatch_fn(api)?;
    let count = proc_macro2::Literal::usize_unsuffixed(api.operations.len());
    Ok(quote! {
        /// The areas, `yunxiao <area>`, with what each is about.
        pub const AREAS: &[(&str, &str)] = &[#(#area_list),*];
        /// How many operations there are, one command each.
        pub const OPERATION_COUNT: usize = #count;
        /// The command of one area, with its operations' commands; `None` for an unknown area.
        pub fn area_command(area: &str) -> Option<clap::Command> {
            match area {
                #(#area_arms)*
                _ => None,
            }
        }
        #(#area_fns)*
        #dispatch
        #(#items)*
    })
}

fn problem(file: &str, message: String) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        location: None,
        field: String::new(),
        message,
    }
}

/// The areas that have operations, sorted.
fn areas(api: &Api) -> Vec<&str> {
    let mut areas: Vec<&str> = api.operations.iter().map(|o| o.area.as_str()).collect();
    areas.dedup();
    areas
}

fn area_about(area: &str) -> String {
    super::area_doc(area).trim().to_string()
}

fn area_fn(api: &Api, area: &str) -> TokenStream {
    let f = ident(&format!("{area}_area"));
    let about = area_about(area);
    let commands = api
        .operations
        .iter()
        .filter(|o| o.area == area)
        .map(|o| ident(&format!("{}_command", o.fn_name)));
    let doc = format!(" `yunxiao {area}`: {about}");
    quote! {
        #[doc = #doc]
        fn #f() -> clap::Command {
            clap::Command::new(#area)
                .about(#about)
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommands([#(#commands()),*])
        }
    }
}

/// How a parameter is read from the command line.
#[derive(Debug, Clone)]
enum Kind {
    /// Text as given.
    Text,
    /// A secret string: the value, or `@FILE`.
    Secret,
    /// `i32`, `i64`, `f32`, `f64` or `bool`, by clap's value parser for the type.
    Scalar(&'static str),
    /// Epoch milliseconds, read as an `i64`.
    Millis,
    /// A time as text, in its wrapper type (`DateTime`, `LocalDateTime`).
    TimeText(&'static str),
    /// One of an enum's documented values.
    Choice {
        /// Numbers (`integer`, `long` enums) or strings.
        number: bool,
        /// `(wire value, help)`.
        values: Vec<(String, String)>,
    },
    /// A repeated flag, one item each.
    List(Box<Kind>),
    /// JSON text or `@FILE` (objects, maps, arrays of objects, any).
    Json,
}

fn kind(p: &Param, api: &Api) -> Kind {
    if p.secret {
        return match p.ty {
            TypeRef::String => Kind::Secret,
            _ => Kind::Json,
        };
    }
    kind_of(&p.ty, api, true)
}

fn kind_of(ty: &TypeRef, api: &Api, top: bool) -> Kind {
    match ty {
        TypeRef::String => Kind::Text,
        TypeRef::I32 => Kind::Scalar("i32"),
        TypeRef::I64 => Kind::Scalar("i64"),
        TypeRef::F32 => Kind::Scalar("f32"),
        TypeRef::F64 => Kind::Scalar("f64"),
        TypeRef::Bool if top => Kind::Scalar("bool"),
        TypeRef::Time(TimeFormat::EpochMillis) if top => Kind::Millis,
        TypeRef::Time(TimeFormat::DateTime) if top => Kind::TimeText("DateTime"),
        TypeRef::Time(TimeFormat::LocalDateTime) if top => Kind::TimeText("LocalDateTime"),
        TypeRef::Named(key) => match api.type_def(key).map(|d| &d.kind) {
            Some(TypeKind::Enum { repr, variants }) => {
                let number = *repr != EnumRepr::String;
                let values = variants
                    .iter()
                    .map(|v| {
                        let doc = v.docs.as_deref().map(one_line).unwrap_or_default();
                        let help = match (number, doc.is_empty()) {
                            (true, true) => v.ident.clone(),
                            (true, false) => format!("{} ({doc})", v.ident),
                            (false, _) => doc,
                        };
                        (v.value.clone(), help)
                    })
                    .collect();
                Kind::Choice { number, values }
            }
            _ => Kind::Json,
        },
        TypeRef::Vec(inner) if top => match kind_of(inner, api, false) {
            inner @ (Kind::Text | Kind::Scalar(_) | Kind::Choice { .. }) => {
                Kind::List(Box::new(inner))
            }
            _ => Kind::Json,
        },
        _ => Kind::Json,
    }
}

/// A parameter's flag and how it is read.
#[derive(Debug, Clone)]
struct Flag {
    /// The long name, also the argument's id: `organization-id`, `items-json`.
    name: String,
    kind: Kind,
}

/// Every parameter's flag, unique within the operation and apart from the runtime's
/// flags: the wire name in kebab case (`-json` after it for JSON values); if that is
/// taken, the Rust field name in kebab case; then the location before it
/// (`--query-region`).
fn flags(op: &Operation, api: &Api) -> Result<Vec<Flag>, Diagnostic> {
    let mut taken: BTreeSet<String> = RESERVED_FLAGS.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    for p in &op.params {
        let kind = kind(p, api);
        let suffix = if matches!(kind, Kind::Json) {
            "-json"
        } else {
            ""
        };
        let wire = format!("{}{suffix}", p.wire_name.to_kebab_case());
        let rust = format!("{}{suffix}", p.rust_name.to_kebab_case());
        let located = format!("{}-{wire}", p.location);
        let Some(name) = [wire, rust, located]
            .into_iter()
            .find(|n| !taken.contains(n))
        else {
            return Err(problem(
                &op.source,
                format!(
                    "parameter '{}' of {} cannot be given a flag of its own; set its rust_name",
                    p.wire_name, op.action
                ),
            ));
        };
        taken.insert(name.clone());
        out.push(Flag { name, kind });
    }
    Ok(out)
}

fn command_fn(op: &Operation, api: &Api, flags: &[Flag]) -> TokenStream {
    let f = ident(&format!("{}_command", op.fn_name));
    let name = command_name(&op.action);
    let about = one_line(&op.docs.summary);
    let mut long = vec![op.docs.summary.trim().to_string()];
    if let Some(en) = &op.docs.summary_en {
        long.push(en.trim().to_string());
    }
    if let Some(d) = op.docs.description.as_deref().map(str::trim) {
        if d != op.docs.summary.trim() {
            long.push(d.to_string());
        }
    }
    long.push(format!(
        "API: {}, {} {}",
        op.action, op.method, op.path_template
    ));
    let long_about = long.join("\n\n");
    let args = op.params.iter().zip(flags).map(|(p, flag)| arg(p, flag));
    let extra = runtime_args(op, api);
    let doc = docs::raw(&format!(
        "`yunxiao {} {name}`: {}\n\nFrom `{}`.",
        op.area,
        docs::escape(&about),
        op.source
    ));
    quote! {
        #doc
        fn #f() -> clap::Command {
            clap::Command::new(#name)
                .about(#about)
                .long_about(#long_about)
                #(.arg(#args))*
                #extra
        }
    }
}

/// The runtime's flags for this operation: `--wait` for waiters or `then_wait`, `--all`
/// for pagination (in that order of precedence: one runner per operation).
fn runtime_args(op: &Operation, api: &Api) -> TokenStream {
    if let Some(t) = &op.then_wait {
        let (operation, waiter) = (&t.operation, &t.waiter);
        let max_wait = api.then_wait_target(t).map_or(0, |(_, w)| w.max_wait);
        let max_wait = proc_macro2::Literal::u64_unsuffixed(max_wait);
        return quote!(.args(crate::run::then_wait_args(#operation, #waiter, #max_wait)));
    }
    if !op.waiters.is_empty() {
        let waiters = op.waiters.iter().map(|w| {
            let about = w
                .description
                .as_deref()
                .map(one_line)
                .unwrap_or_else(|| format!("The {} waiter.", w.name));
            let (name, max_wait) = (&w.name, proc_macro2::Literal::u64_unsuffixed(w.max_wait));
            quote!((#name, #about, #max_wait))
        });
        return quote!(.args(crate::run::wait_args(&[#(#waiters),*])));
    }
    if op.pagination.is_some() {
        return quote!(.args(crate::run::paging_args()));
    }
    quote!()
}

fn arg(p: &Param, flag: &Flag) -> TokenStream {
    let name = &flag.name;
    let required = p.required;
    let description = p.docs.description.as_deref().map(str::trim);
    let example = p.docs.example.as_deref().filter(|_| !p.secret);
    let help = match (description, example) {
        (Some(d), _) => first_sentence(d),
        (None, Some(e)) => format!("Example: {}", example_text(e)),
        (None, None) => format!("Sent as {} parameter `{}`", p.location, p.wire_name),
    };
    let mut long = Vec::new();
    if let Some(d) = description {
        long.push(d.to_string());
    }
    if let Some(e) = example {
        long.push(format!("Example: {}", example_text(e)));
    }
    match &flag.kind {
        Kind::Secret => long.push(
            "A secret: give the value, or @FILE to read it from a file (which keeps it out of the process list and the shell's history).".to_string(),
        ),
        Kind::Json => long.push(
            "JSON text, or @FILE to read it from a file.".to_string(),
        ),
        Kind::List(_) => long.push("Repeat the flag for each item.".to_string()),
        Kind::Millis => long.push("Milliseconds since the Unix epoch.".to_string()),
        _ => {}
    }
    let required_word = if required { ", required" } else { "" };
    long.push(format!(
        "Sent as {} parameter `{}`{required_word}.",
        p.location, p.wire_name
    ));
    let long_help = long.join("\n\n");
    let parser = parser(&flag.kind);
    quote! {
        clap::Arg::new(#name)
            .long(#name)
            .required(#required)
            #parser
            .help(#help)
            .long_help(#long_help)
    }
}

/// `.value_name(..)` and the value parser for a kind.
fn parser(kind: &Kind) -> TokenStream {
    match kind {
        Kind::Text => quote!(.value_name("TEXT")),
        Kind::Secret => quote!(.value_name("TEXT|@FILE")),
        Kind::Scalar("bool") => quote! {
            .value_name("BOOL")
            .value_parser(clap::value_parser!(bool))
            .num_args(0..=1)
            .default_missing_value("true")
        },
        Kind::Scalar(ty) => {
            let name = if ty.starts_with('f') {
                "NUMBER"
            } else {
                "INTEGER"
            };
            let ty = ident(ty);
            quote!(.value_name(#name).value_parser(clap::value_parser!(#ty)))
        }
        Kind::Millis => quote!(.value_name("MILLIS").value_parser(clap::value_parser!(i64))),
        Kind::TimeText(_) => quote!(.value_name("DATE-TIME")),
        Kind::Choice { number, values } => {
            let name = if *number { "INTEGER" } else { "VALUE" };
            let pairs = values.iter().map(|(v, h)| quote!((#v, #h)));
            quote!(.value_name(#name).value_parser(crate::args::choices(&[#(#pairs),*])))
        }
        Kind::List(inner) => {
            let inner = parser(inner);
            quote!(#inner.action(clap::ArgAction::Append))
        }
        Kind::Json => quote!(.value_name("JSON|@FILE")),
    }
}

/// The expression reading a flag into its field's type (`Option<T>`).
fn read(kind: &Kind, name: &str) -> TokenStream {
    match kind {
        Kind::Text => quote!(crate::args::one::<String>(m, #name)?),
        Kind::Secret => quote!(crate::args::secret(m, #name)?),
        Kind::Scalar(ty) => {
            let ty = ident(ty);
            quote!(crate::args::one::<#ty>(m, #name)?)
        }
        Kind::Millis => quote!(crate::args::one::<i64>(m, #name)?.map(yunxiao::EpochMillis::from)),
        Kind::TimeText(ty) => {
            let ty = ident(ty);
            quote!(crate::args::one::<String>(m, #name)?.map(yunxiao::#ty::from))
        }
        Kind::Choice { number: false, .. } => quote!(crate::args::choice(m, #name)?),
        Kind::Choice { number: true, .. } => quote!(crate::args::choice_number(m, #name)?),
        Kind::List(inner) => match inner.as_ref() {
            Kind::Scalar(ty) => {
                let ty = ident(ty);
                quote!(crate::args::many::<#ty>(m, #name)?)
            }
            Kind::Choice { number: false, .. } => quote!(crate::args::choice_list(m, #name)?),
            Kind::Choice { number: true, .. } => {
                quote!(crate::args::choice_number_list(m, #name)?)
            }
            _ => quote!(crate::args::many::<String>(m, #name)?),
        },
        Kind::Json => quote!(crate::args::json(m, #name)?),
    }
}

/// The request's path, from the CLI crate.
fn request_path(op: &Operation) -> TokenStream {
    let (area, req) = (ident(&op.area), ident(&op.request_type()));
    quote!(yunxiao::#area::#req)
}

fn request_fn(op: &Operation, flags: &[Flag]) -> TokenStream {
    let f = ident(&format!("{}_request", op.fn_name));
    let req = request_path(op);
    let sets = op.params.iter().zip(flags).map(|(p, flag)| {
        let field = ident(&p.rust_name);
        let value = read(&flag.kind, &flag.name);
        quote!(r.#field = #value;)
    });
    let doc = format!(
        " The request of `{}` from the parsed flags.",
        command_name(&op.action)
    );
    if op.params.is_empty() {
        return quote! {
            #[doc = #doc]
            fn #f(_m: &clap::ArgMatches) -> Result<#req, crate::error::CliError> {
                Ok(#req::default())
            }
        };
    }
    quote! {
        #[doc = #doc]
        fn #f(m: &clap::ArgMatches) -> Result<#req, crate::error::CliError> {
            let mut r = #req::default();
            #(#sets)*
            Ok(r)
        }
    }
}

/// Whether a value of this type is `Copy` (read without `.clone()`).
fn is_copy(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::I32
            | TypeRef::I64
            | TypeRef::F32
            | TypeRef::F64
            | TypeRef::Bool
            | TypeRef::Time(TimeFormat::EpochMillis)
    )
}

/// [`Api::then_wait_target`], or a located error should the checks ever let one through.
fn then_wait_target<'a>(
    op: &Operation,
    t: &ThenWait,
    api: &'a Api,
) -> Result<(&'a Operation, &'a Waiter), Diagnostic> {
    api.then_wait_target(t).ok_or_else(|| {
        problem(
            &op.source,
            format!(
                "then_wait: no waiter {} on operation {}",
                t.waiter, t.operation
            ),
        )
    })
}

fn then_wait_fn(op: &Operation, t: &ThenWait, api: &Api) -> Result<TokenStream, Diagnostic> {
    let (target, _) = then_wait_target(op, t, api)?;
    let f = ident(&format!("{}_then_wait", op.fn_name));
    let (req, target_req) = (request_path(op), request_path(target));
    let area = ident(&op.area);
    let resp = ident(&op.response_type());
    let mut sets = Vec::new();
    let mut started = Vec::new();
    for input in &t.inputs {
        let Some(param) = target.params.get(input.param) else {
            continue;
        };
        let field = ident(&param.rust_name);
        let copy = is_copy(&param.ty);
        let value = match &input.source {
            InputSource::Request(i) => {
                let from = ident(&op.params[*i].rust_name);
                if copy {
                    quote!(request.#from)
                } else {
                    quote!(request.#from.clone())
                }
            }
            InputSource::Response { path, fields } => {
                let mut it = fields.iter();
                let Some(first) = it.next() else {
                    continue;
                };
                let first = ident(first);
                let rest: Vec<_> = it.map(|s| ident(s)).collect();
                let value = match rest.split_last() {
                    None if copy => quote!(response.#first),
                    None => quote!(response.#first.clone()),
                    Some((last, middle)) => {
                        let leaf = if copy {
                            quote!(v.#last)
                        } else {
                            quote!(v.#last.clone())
                        };
                        quote!(response.#first.as_ref()#(.and_then(|v| v.#middle.as_ref()))*.and_then(|v| #leaf))
                    }
                };
                started.push(quote!((#path, crate::run::shown(&r.#field))));
                value
            }
        };
        sets.push(quote!(r.#field = #value;));
    }
    let doc = format!(
        " What `--wait` polls after {}: {} (its `{}` waiter), with parameters from this call.",
        op.action, t.operation, t.waiter
    );
    Ok(quote! {
        #[doc = #doc]
        fn #f(request: &#req, response: &yunxiao::#area::#resp) -> crate::run::Follow<#target_req> {
            let mut r = #target_req::default();
            #(#sets)*
            let started = Vec::from([#(#started),*]);
            crate::run::Follow { request: r, started }
        }
    })
}

fn dispatch_fn(api: &Api) -> Result<TokenStream, Diagnostic> {
    let mut arms = Vec::new();
    for op in &api.operations {
        let (area, name) = (&op.area, command_name(&op.action));
        let request = ident(&format!("{}_request", op.fn_name));
        let run = if let Some(t) = &op.then_wait {
            let (target, w) = then_wait_target(op, t, api)?;
            let waiter = waiter_path(target, w);
            let follow = ident(&format!("{}_then_wait", op.fn_name));
            quote!(crate::run::starter(cx, m, #request(m)?, #follow, &#waiter).await)
        } else if !op.waiters.is_empty() {
            let waiters = op.waiters.iter().map(|w| {
                let (name, path) = (&w.name, waiter_path(op, w));
                quote!((#name, &#path))
            });
            quote!(crate::run::waitable(cx, m, #request(m)?, &[#(#waiters),*]).await)
        } else if op.pagination.is_some() {
            quote!(crate::run::paged(cx, m, #request(m)?).await)
        } else {
            quote!(crate::run::operation(cx, m, #request(m)?).await)
        };
        arms.push(quote!((#area, #name) => #run,));
    }
    Ok(quote! {
        /// Runs `yunxiao <area> <operation>` with its parsed flags.
        pub async fn dispatch(
            cx: &crate::context::Context,
            area: &str,
            operation: &str,
            m: &clap::ArgMatches,
        ) -> Result<(), crate::error::CliError> {
            match (area, operation) {
                #(#arms)*
                _ => Err(crate::error::CliError::usage(format!(
                    "unknown command `{area} {operation}`"
                ))),
            }
        }
    })
}

fn waiter_path(op: &Operation, w: &Waiter) -> TokenStream {
    let (area, name) = (ident(&op.area), ident(&w.static_name));
    quote!(yunxiao::#area::#name)
}

/// An example on one line: JSON text compact, anything else with its whitespace runs
/// made one space.
fn example_text(example: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(example) {
        Ok(v @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => v.to_string(),
        _ => one_line(example),
    }
}

/// Text on one line: whitespace runs (line breaks included) become one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first sentence of a description, on one line: up to the first `。`, `；`, or a `.`
/// followed by a space (or the end of the first line).
pub fn first_sentence(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default().trim();
    let mut end = line.len();
    // Not inside brackets: "可见性 (0:私有; 10:企业可见)" is one sentence.
    let mut depth = 0usize;
    for (i, c) in line.char_indices() {
        let next = line[i + c.len_utf8()..].chars().next();
        let stop = match c {
            '(' | '（' | '[' | '【' => {
                depth += 1;
                false
            }
            ')' | '）' | ']' | '】' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ if depth > 0 => false,
            '。' | '；' | '！' | '？' => true,
            '.' | '!' | '?' | ';' => next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if stop {
            end = i + c.len_utf8();
            break;
        }
    }
    one_line(&line[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentences() {
        assert_eq!(first_sentence("企业标识。可在链接中获取"), "企业标识。");
        assert_eq!(first_sentence("The id. Found in the URL."), "The id.");
        assert_eq!(
            first_sentence("see https://a.b/c.d for more\nsecond line"),
            "see https://a.b/c.d for more"
        );
        assert_eq!(
            first_sentence("代码组的可见性 (0:私有; 10:企业可见)。其余"),
            "代码组的可见性 (0:私有; 10:企业可见)。"
        );
        assert_eq!(
            command_name("CreateProtectdBranch"),
            "create-protectd-branch"
        );
        assert_eq!(
            command_name("ListPipelineJobHistorys"),
            "list-pipeline-job-historys"
        );
    }
}
