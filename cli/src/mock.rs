//! `yunxiao mock serve`: the spec-driven mock of the whole API, on its own, for tests in any
//! language. It prints its endpoint and the shell exports that point the command line (and
//! the SDKs' environment credentials) at it, then serves until Ctrl-C or SIGTERM.

use clap::{Arg, ArgMatches, Command};
use yunxiao::credentials::{
    Credentials, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN,
};
use yunxiao::mock::MockServer;

use crate::args;
use crate::context::ENV_ENDPOINT;
use crate::error::CliError;

/// `yunxiao mock` and its `serve`.
pub fn command() -> Command {
    Command::new("mock")
        .about("The spec-driven mock of the API, for tests")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("serve")
                .about("Serves every operation's documented example on 127.0.0.1 until Ctrl-C or SIGTERM")
                .long_about(
                    "Serves every operation on 127.0.0.1 from its spec, until Ctrl-C or SIGTERM: it checks signatures, routes, the x-acs-action header and the parameters, and answers the documented example (list operations page it like the service).\n\n\
                     Prints one line with the endpoint, then one line of shell exports (YUNXIAO_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET) that point yunxiao, and any SDK reading the ALIBABA_CLOUD_* variables, at it. With --port N the endpoint is known in advance: http://127.0.0.1:N.",
                )
                .arg(
                    Arg::new("port")
                        .long("port")
                        .value_name("N")
                        .value_parser(clap::value_parser!(u16))
                        .default_value("0")
                        .help("Port on 127.0.0.1 (0: any free port)"),
                )
                .arg(
                    Arg::new("access-key-id")
                        .long("access-key-id")
                        .value_name("ID")
                        .requires("access-key-secret")
                        .help("The AccessKey id it accepts [default: mock-access-key-id]"),
                )
                .arg(
                    Arg::new("access-key-secret")
                        .long("access-key-secret")
                        .value_name("SECRET|@FILE")
                        .requires("access-key-id")
                        .help("The AccessKey secret it accepts [default: mock-access-key-secret]"),
                )
                .arg(
                    Arg::new("security-token")
                        .long("security-token")
                        .value_name("TOKEN|@FILE")
                        .requires("access-key-id")
                        .help("An STS token the requests must carry too"),
                ),
        )
}

/// A value for a shell: as is when it is plain, else in single quotes.
fn shell_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@%+=,".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// Runs `yunxiao mock ...`.
pub fn run(m: &ArgMatches) -> Result<(), CliError> {
    let Some(("serve", m)) = m.subcommand() else {
        return Err(CliError::usage("give a mock command: serve"));
    };
    let port = args::one::<u16>(m, "port")?.unwrap_or(0);
    let secret = |id: &str| -> Result<Option<String>, CliError> {
        args::one::<String>(m, id)?
            .map(|v| {
                let text = args::text_or_file(id, &v)?;
                Ok(text.trim_end_matches(['\n', '\r']).to_string())
            })
            .transpose()
    };
    let credentials = match (
        args::one::<String>(m, "access-key-id")?,
        secret("access-key-secret")?,
        secret("security-token")?,
    ) {
        (Some(id), Some(key), Some(token)) => {
            Some(Credentials::with_security_token(id, key, token))
        }
        (Some(id), Some(key), None) => Some(Credentials::new(id, key)),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let mut builder = MockServer::builder().port(port);
        if let Some(c) = credentials {
            builder = builder.credentials(c);
        }
        let server = builder
            .try_start()
            .await
            .map_err(|e| CliError::failed(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        let c = server.credentials();
        let mut exports = vec![
            (ENV_ENDPOINT, server.endpoint()),
            (ENV_ACCESS_KEY_ID, c.access_key_id().to_string()),
            (ENV_ACCESS_KEY_SECRET, c.access_key_secret().to_string()),
        ];
        if let Some(token) = c.security_token() {
            exports.push((ENV_SECURITY_TOKEN, token.to_string()));
        }
        let exports: Vec<String> = exports
            .iter()
            .map(|(k, v)| format!("{k}={}", shell_quote(v)))
            .collect();
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "mock server listening on {}", server.endpoint())?;
            writeln!(out, "export {}", exports.join(" "))?;
            out.flush()?;
        }
        stopped().await;
        eprintln!("mock server stopped");
        drop(server);
        Ok(())
    })
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn values_are_quoted_for_a_shell() {
        assert_eq!(shell_quote("http://127.0.0.1:80"), "http://127.0.0.1:80");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
