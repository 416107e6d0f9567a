//! Running an operation: one call ([`operation`]); every page with `--all` ([`paged`]); a
//! waiter with `--wait` ([`waitable`], and [`starter`] for an operation whose `then_wait`
//! follows the job it starts); `--dry-run` for each. The generated `dispatch` picks the
//! runner, and the runtime flags each needs come from here too ([`paging_args`],
//! [`wait_args`], [`then_wait_args`]).

use std::io::Write;
use std::time::Duration;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches};
use serde::Serialize;
use yunxiao::waiter::WaiterSpec;
use yunxiao::{Operation, Paginate, Paginator, Waiter, WaiterError};

use crate::args;
use crate::context::Context;
use crate::error::CliError;
use crate::output;

/// `--all` and `--max-pages`, for operations that page.
pub fn paging_args() -> [Arg; 2] {
    [
        Arg::new("all")
            .long("all")
            .action(ArgAction::SetTrue)
            .help("Every item of every page, one JSON line each (--output is ignored)"),
        Arg::new("max-pages")
            .long("max-pages")
            .value_name("N")
            .requires("all")
            .value_parser(clap::value_parser!(u64).range(1..))
            .help("With --all: stop after N pages"),
    ]
}

/// `--max-wait` and `--poll-interval`, for every operation that waits (`max_wait`: the
/// waiter's own limit, in seconds; 0 when there are several).
fn pacing_args(max_wait: u64) -> [Arg; 2] {
    let limit = if max_wait == 0 {
        "the waiter's own".to_string()
    } else {
        max_wait.to_string()
    };
    [
        Arg::new("max-wait")
            .long("max-wait")
            .value_name("SECS")
            .requires("wait")
            .value_parser(args::seconds)
            .help(format!(
                "With --wait: give up after SECS [default: {limit}]"
            )),
        Arg::new("poll-interval")
            .long("poll-interval")
            .value_name("SECS")
            .requires("wait")
            .value_parser(args::seconds)
            .help("With --wait: poll every SECS [default: the waiter's backoff]"),
    ]
}

/// `--wait` (with the waiter's name when there are several), for an operation with waiters:
/// `(name, description, default max wait in seconds)` of each.
pub fn wait_args(waiters: &[(&'static str, &'static str, u64)]) -> Vec<Arg> {
    let wait = match waiters {
        [(name, about, _)] => Arg::new("wait")
            .long("wait")
            .action(ArgAction::SetTrue)
            .help(format!(
                "Poll until the {name} waiter ends, and print the final response (exit 1 if it fails or times out)"
            ))
            .long_help(format!(
                "Poll until the {name} waiter ends, and print the final response (exit 1 if it fails or times out, after printing the last response).\n\n{about}"
            )),
        _ => Arg::new("wait")
            .long("wait")
            .value_name("WAITER")
            .value_parser(PossibleValuesParser::new(
                waiters.iter().map(|(name, about, _)| {
                    clap::builder::PossibleValue::new(*name).help(*about)
                }),
            ))
            .help("Poll with this waiter until it ends, and print the final response (exit 1 if it fails or times out)"),
    };
    let max_wait = match waiters {
        [(_, _, max_wait)] => *max_wait,
        _ => 0,
    };
    let mut out = vec![wait];
    out.extend(pacing_args(max_wait));
    out
}

/// `--wait` for an operation that starts a job another operation's waiter follows
/// (`max_wait`: the waiter's own limit, in seconds).
pub fn then_wait_args(operation: &'static str, waiter: &'static str, max_wait: u64) -> Vec<Arg> {
    let wait = Arg::new("wait")
        .long("wait")
        .action(ArgAction::SetTrue)
        .help(format!(
            "Then poll {operation} until its {waiter} waiter ends: the start answer goes to stderr, the final response to stdout (exit 1 if the wait fails or times out)"
        ));
    let mut out = vec![wait];
    out.extend(pacing_args(max_wait));
    out
}

/// The polling request an operation's `then_wait` builds from its call, with the values it
/// took from the response (`started: pipelineRunId=7`).
#[derive(Debug)]
pub struct Follow<P> {
    /// The polling operation's request.
    pub request: P,
    /// `(field path, value)` of each input taken from the response.
    pub started: Vec<(&'static str, String)>,
}

/// A value for the `started:` line: text as is, numbers and others as JSON, `?` if absent.
pub fn shown<T: Serialize>(value: &Option<T>) -> String {
    match value.as_ref().map(serde_json::to_value) {
        Some(Ok(serde_json::Value::String(s))) => s,
        Some(Ok(other)) => other.to_string(),
        _ => "?".to_string(),
    }
}

/// Prints the signed request instead of sending it.
async fn dry_run<O: Operation>(cx: &Context, request: &O) -> Result<(), CliError> {
    let signed = cx.client.sign(request).await.map_err(CliError::call)?;
    write!(std::io::stdout().lock(), "{signed}")?;
    Ok(())
}

/// One call; its response printed.
pub async fn operation<O>(cx: &Context, _m: &ArgMatches, request: O) -> Result<(), CliError>
where
    O: Operation,
    O::Response: Serialize,
{
    if cx.dry_run {
        return dry_run(cx, &request).await;
    }
    let response = cx.client.send(request).await.map_err(CliError::call)?;
    output::response(cx, O::META, &response)
}

/// A list operation: one call, or with `--all` every item as one JSON line (`--max-pages`
/// pages at most).
pub async fn paged<O>(cx: &Context, m: &ArgMatches, request: O) -> Result<(), CliError>
where
    O: Paginate,
    O::Response: Serialize,
    O::Item: Serialize,
{
    if !args::one::<bool>(m, "all")?.unwrap_or(false) {
        return operation(cx, m, request).await;
    }
    if cx.dry_run {
        return dry_run(cx, &request).await;
    }
    let mut paginator = Paginator::new(&cx.client, request);
    if let Some(n) = args::one::<u64>(m, "max-pages")? {
        paginator = paginator.max_pages(usize::try_from(n).unwrap_or(usize::MAX));
    }
    let mut items = paginator.items();
    while let Some(item) = items.try_next().await.map_err(CliError::call)? {
        let line = serde_json::to_string(&item)
            .map_err(|e| CliError::failed(format!("cannot show an item: {e}")))?;
        // stdout is line-buffered: each item reaches a pipe as it arrives.
        writeln!(std::io::stdout().lock(), "{line}")?;
    }
    Ok(())
}

/// The waiter `--wait` asks for, if any.
fn chosen<O: Operation + 'static>(
    m: &ArgMatches,
    waiters: &[(&'static str, &'static WaiterSpec<O>)],
) -> Result<Option<&'static WaiterSpec<O>>, CliError> {
    if let [(_, spec)] = waiters {
        return Ok(args::one::<bool>(m, "wait")?
            .unwrap_or(false)
            .then_some(*spec));
    }
    let Some(name) = args::one::<String>(m, "wait")? else {
        return Ok(None);
    };
    Ok(waiters
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, spec)| *spec))
}

/// An operation with waiters: one call, or with `--wait` the waiter's polls until it ends.
pub async fn waitable<O>(
    cx: &Context,
    m: &ArgMatches,
    request: O,
    waiters: &[(&'static str, &'static WaiterSpec<O>)],
) -> Result<(), CliError>
where
    O: Operation + 'static,
    O::Response: Serialize,
{
    let Some(spec) = chosen(m, waiters)? else {
        return operation(cx, m, request).await;
    };
    if cx.dry_run {
        return dry_run(cx, &request).await;
    }
    wait(cx, m, request, spec).await
}

/// An operation that starts a job: one call, or with `--wait` the call, then the waiter of
/// the operation that follows the job (its request built by `follow`).
pub async fn starter<O, P>(
    cx: &Context,
    m: &ArgMatches,
    request: O,
    follow: fn(&O, &O::Response) -> Follow<P>,
    spec: &'static WaiterSpec<P>,
) -> Result<(), CliError>
where
    O: Operation + Clone,
    O::Response: Serialize,
    P: Operation + 'static,
    P::Response: Serialize,
{
    if !args::one::<bool>(m, "wait")?.unwrap_or(false) {
        return operation(cx, m, request).await;
    }
    if cx.dry_run {
        return dry_run(cx, &request).await;
    }
    let response = cx
        .client
        .send(request.clone())
        .await
        .map_err(CliError::call)?;
    let Follow {
        request: poll,
        started,
    } = follow(&request, &response);
    let shown: Vec<String> = started.iter().map(|(k, v)| format!("{k}={v}")).collect();
    eprintln!("started: {}", shown.join(" "));
    // A value the answer did not carry leaves the poll without a parameter it needs.
    if let Err(e) = poll.to_http_request() {
        return Err(CliError::failed(format!(
            "cannot wait: the {} answer does not give what {} needs ({e})",
            O::META.action,
            P::META.action
        )));
    }
    wait(cx, m, poll, spec).await
}

/// Runs a waiter; prints the final response, or the last one with the reason it failed.
async fn wait<O>(
    cx: &Context,
    m: &ArgMatches,
    request: O,
    spec: &'static WaiterSpec<O>,
) -> Result<(), CliError>
where
    O: Operation + 'static,
    O::Response: Serialize,
{
    let mut waiter = Waiter::new(&cx.client, request, spec);
    if let Some(max) = args::one::<Duration>(m, "max-wait")? {
        waiter = waiter.max_wait(max);
    }
    if let Some(every) = args::one::<Duration>(m, "poll-interval")? {
        waiter = waiter.min_delay(every).max_delay(every);
    }
    match waiter.await {
        Ok(response) => output::response(cx, O::META, &response),
        Err(WaiterError::Operation { error, .. }) => Err(CliError::call(error)),
        Err(e) => {
            let message = e.to_string();
            if let Some(last) = e.last_response() {
                output::response(cx, O::META, last)?;
            }
            Err(CliError::failed(message))
        }
    }
}
