//! The global flags (given before or after the operation) and the `Client` they configure.
//!
//! To add a global flag: an `Arg` in [`global_args`] (`.global(true)`; its long name in the
//! generator's `RESERVED_FLAGS` so no parameter's flag takes the name), then read it in
//! [`Context::from_matches`].

use std::io::IsTerminal;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches};
use yunxiao::credentials::{DefaultChain, ENV_PROFILE};
use yunxiao::{Client, RetryConfig};

use crate::args;
use crate::error::CliError;

/// The long names of the global flags that take a value (to find the area before parsing).
pub fn global_value_flags() -> Vec<String> {
    global_args()
        .iter()
        .filter(|a| a.get_action().takes_values())
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect()
}

/// The endpoint's environment variable.
pub const ENV_ENDPOINT: &str = "YUNXIAO_ENDPOINT";
/// The region's environment variable (the Alibaba Cloud CLI's and SDKs' name).
pub const ENV_REGION: &str = "ALIBABA_CLOUD_REGION_ID";

/// Retries after the first attempt, by default (the library's default: 3 attempts).
const DEFAULT_RETRIES: u32 = 2;

/// How responses are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON: indented on a terminal, one line otherwise.
    Json,
    /// YAML.
    Yaml,
    /// A table: the list items as columns, or an object's fields as key/value rows.
    Table,
}

/// The global flags, for the root command.
pub fn global_args() -> Vec<Arg> {
    let args = vec![
        Arg::new("output")
            .long("output")
            .global(true)
            .value_name("FORMAT")
            .value_parser(["json", "yaml", "table"])
            .default_value("json")
            .help("Output format: json (indented on a terminal, one line otherwise), yaml or table"),
        Arg::new("profile")
            .long("profile")
            .global(true)
            .value_name("NAME")
            .help("Credentials profile (of ~/.aliyun/config.json or the credentials file), as ALIBABA_CLOUD_PROFILE"),
        Arg::new("endpoint")
            .long("endpoint")
            .global(true)
            .env(ENV_ENDPOINT)
            .hide_env_values(true)
            .value_name("URL")
            .help("API endpoint: host, https://host[:port] or http://127.0.0.1:PORT [default: devops.aliyuncs.com]"),
        Arg::new("region")
            .long("region")
            .global(true)
            .env(ENV_REGION)
            .hide_env_values(true)
            .value_name("ID")
            .help("Region id, e.g. cn-hangzhou (the API has one endpoint for every region)"),
        Arg::new("timeout")
            .long("timeout")
            .global(true)
            .value_name("SECS")
            .value_parser(args::seconds)
            .help("Time allowed for one attempt, in seconds [default: 30]"),
        Arg::new("retries")
            .long("retries")
            .global(true)
            .value_name("N")
            .value_parser(clap::value_parser!(u32).range(0..=10))
            .help("Retries after the first attempt, for what is safe to retry (0: none) [default: 2]"),
        Arg::new("dry-run")
            .long("dry-run")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Print the signed HTTP request (secrets redacted) instead of sending it"),
    ];
    // Apart from each operation's own flags in every help.
    args.into_iter()
        .map(|a| a.help_heading("Global options"))
        .collect()
}

/// What a command runs with: the client and the output settings.
#[derive(Debug)]
pub struct Context {
    /// The client the global flags configure.
    pub client: Client,
    /// `--output`.
    pub format: Format,
    /// Whether JSON is indented (stdout is a terminal).
    pub pretty: bool,
    /// `--dry-run`.
    pub dry_run: bool,
}

impl Context {
    /// The context of parsed arguments (the root's matches: global flags are there).
    pub fn from_matches(m: &ArgMatches) -> Result<Self, CliError> {
        let format = match args::one::<String>(m, "output")?.as_deref() {
            Some("yaml") => Format::Yaml,
            Some("table") => Format::Table,
            _ => Format::Json,
        };
        let timeout = args::one::<Duration>(m, "timeout")?.unwrap_or(Duration::from_secs(30));
        let retries = args::one::<u32>(m, "retries")?.unwrap_or(DEFAULT_RETRIES);
        let retry = if retries == 0 {
            RetryConfig::disabled()
        } else {
            RetryConfig {
                max_attempts: retries + 1,
                ..RetryConfig::default()
            }
        };
        // The whole call: every attempt with its whole timeout, and the backoffs (at most
        // 5 s each), but never less than the library's default.
        let attempts = retries + 1;
        let deadline = (timeout + Duration::from_secs(5))
            .saturating_mul(attempts)
            .max(yunxiao::DEFAULT_DEADLINE);
        let mut builder = Client::builder()
            .timeout(timeout)
            .deadline(deadline)
            .retry(retry)
            .user_agent(concat!("yunxiao-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(endpoint) = args::one::<String>(m, "endpoint")? {
            builder = builder.endpoint(endpoint);
        }
        if let Some(region) = args::one::<String>(m, "region")? {
            builder = builder.region(region);
        }
        if let Some(profile) = args::one::<String>(m, "profile")? {
            // The official chain, as configured by the environment, with the profile named.
            builder = builder.credentials(DefaultChain::from_lookup(move |name| {
                if name == ENV_PROFILE {
                    Some(profile.clone())
                } else {
                    std::env::var(name).ok()
                }
            }));
        }
        let client = builder.build().map_err(CliError::call)?;
        Ok(Self {
            client,
            format,
            pretty: std::io::stdout().is_terminal(),
            dry_run: m.get_flag("dry-run"),
        })
    }
}
