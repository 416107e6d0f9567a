//! `yunxiao`, the command line of the Yunxiao (Alibaba Cloud DevOps) API: one command per
//! operation, `yunxiao <area> <operation> --<parameter> VALUE ...`, generated from the same
//! specs as the `yunxiao` crate (`build.rs` runs the generator's CLI emitter into
//! `OUT_DIR`; the committed copy is `generated/cli/commands.rs`).
//!
//! The generated code builds the commands and the requests; this crate is the small runtime
//! it calls:
//!
//! | module | what |
//! |---|---|
//! | [`context`] | the global flags, and the `Client` they configure |
//! | [`args`] | reading values: JSON and `@file`, secrets, enum values |
//! | [`output`] | JSON, YAML and table output |
//! | [`run`] | running an operation: one call, `--all`, `--wait`, `--dry-run` |
//! | [`mock`] | `yunxiao mock serve` |
//! | [`error`] | errors and exit codes |
//!
//! Exit codes: 0 success; 1 the call failed (an API error, a transport error, a failed or
//! timed-out wait); 2 a usage error (a bad flag or value, missing input, bad settings).

pub mod args;
pub mod commands;
pub mod context;
pub mod error;
pub mod mock;
pub mod output;
pub mod run;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Arg, ArgMatches, Command};

use crate::context::Context;
use crate::error::CliError;

const ABOUT: &str = "The Yunxiao (Alibaba Cloud DevOps) API from the command line: every operation, typed, generated from the same specs as the yunxiao SDK.";

const AFTER_HELP: &str = "\
Credentials come from the Alibaba Cloud default chain: ALIBABA_CLOUD_ACCESS_KEY_ID and \
ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN), OIDC, the aliyun CLI's \
profile, the credentials file, the ECS instance role.

Exit codes: 0 success, 1 the call failed (API error, transport error, failed wait), \
2 usage error.";

/// The `yunxiao` command. With `full`, every area's operations are built; otherwise only
/// those of `area` (the others are listed by name and description, which is all `--help`
/// shows of them): clap builds every command it is given, and 241 commands with their
/// arguments take longer to build than a call takes to send.
pub fn command(area: Option<&str>, full: bool) -> Command {
    let areas = commands::AREAS.iter().map(|(name, about)| {
        let built = if full || area == Some(*name) {
            commands::area_command(name)
        } else {
            None
        };
        built.unwrap_or_else(|| Command::new(*name).about(*about))
    });
    Command::new("yunxiao")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .max_term_width(100)
        .args(context::global_args())
        .subcommands(areas)
        .subcommand(mock::command())
        .subcommand(
            Command::new("completions")
                .about("Prints a shell completion script (e.g. `yunxiao completions bash > /etc/bash_completion.d/yunxiao`)")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell))
                        .help("The shell"),
                ),
        )
}

/// The whole command tree, every operation built (for completions and tests).
pub fn command_tree() -> Command {
    command(None, true)
}

/// The area the arguments name, read before parsing so that only its commands are built:
/// the first word that is not a flag or the value of a global flag (`help <area>` too).
fn peek_area(argv: &[OsString]) -> Option<String> {
    let takes_value = context::global_value_flags();
    let mut words = Vec::new();
    let mut it = argv.iter().skip(1);
    while let Some(word) = it.next() {
        let word = word.to_string_lossy();
        if word == "--" {
            break;
        }
        if let Some(flag) = word.strip_prefix("--") {
            if !flag.contains('=') && takes_value.iter().any(|f| f == flag) {
                it.next();
            }
            continue;
        }
        if word.starts_with('-') {
            continue;
        }
        words.push(word.into_owned());
        if words.len() == 2 {
            break;
        }
    }
    match words.first().map(String::as_str) {
        Some("help") => words.get(1).cloned(),
        first => first.map(str::to_string),
    }
}

/// Runs the command line with these arguments (`argv[0]` first) and gives the exit code.
pub fn main_with(argv: Vec<OsString>) -> ExitCode {
    let area = peek_area(&argv);
    let full = area.as_deref() == Some("completions");
    let matches = match command(area.as_deref(), full).try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match run(&matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

fn run(matches: &ArgMatches) -> Result<(), CliError> {
    match matches.subcommand() {
        Some(("mock", m)) => mock::run(m),
        Some(("completions", m)) => {
            let shell = args::one::<clap_complete::Shell>(m, "shell")?
                .ok_or_else(|| CliError::usage("give a shell"))?;
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut command_tree(), "yunxiao", &mut out);
            Ok(())
        }
        Some((area, area_matches)) => {
            let Some((operation, m)) = area_matches.subcommand() else {
                return Err(CliError::usage(format!("give an operation of `{area}`")));
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::failed(format!("cannot start the runtime: {e}")))?;
            runtime.block_on(async {
                let cx = Context::from_matches(matches)?;
                commands::dispatch(&cx, area, operation, m).await
            })
        }
        None => Err(CliError::usage("give an area, `mock` or `completions`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peek(args: &[&str]) -> Option<String> {
        let argv: Vec<OsString> = std::iter::once("yunxiao")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        peek_area(&argv)
    }

    #[test]
    fn the_area_is_found_before_parsing() {
        assert_eq!(peek(&["flow", "get-pipeline-run"]).as_deref(), Some("flow"));
        assert_eq!(
            peek(&["--output", "yaml", "--dry-run", "codeup", "x"]).as_deref(),
            Some("codeup")
        );
        assert_eq!(
            peek(&["--output=yaml", "projex"]).as_deref(),
            Some("projex")
        );
        assert_eq!(peek(&["help", "flow", "x"]).as_deref(), Some("flow"));
        assert_eq!(peek(&["--help"]), None);
        assert_eq!(
            peek(&["--profile", "flow", "codeup"]).as_deref(),
            Some("codeup")
        );
    }
}
