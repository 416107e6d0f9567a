//! Errors and exit codes: every error is one line on stderr, `error: ...`, and an exit code:
//! 1 when the call failed, 2 for a usage error.

use std::process::ExitCode;

/// Exit code of a call that failed: an API error, a transport error or timeout, an answer
/// that does not decode, a wait that failed or timed out.
pub const CALL_FAILED: u8 = 1;
/// Exit code of a usage error: a bad flag or value, a missing input, bad settings.
pub const USAGE: u8 = 2;

/// An error of the command line: its message and exit code.
#[derive(Debug)]
pub struct CliError {
    code: u8,
    message: String,
}

impl CliError {
    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }

    /// A failed call (exit code 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            code: CALL_FAILED,
            message: message.into(),
        }
    }

    /// Output that could not be written because its reader went away (`| head`): the
    /// command ends quietly, with 0.
    pub fn closed_output() -> Self {
        Self {
            code: 0,
            message: String::new(),
        }
    }

    /// An error writing the output.
    pub fn write(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Self::closed_output()
        } else {
            Self::failed(format!("cannot write the output: {e}"))
        }
    }

    /// The error of a call: an API error as `<Action> failed: HTTP <status> <Code>: <message>
    /// (request id <id>)`; a request that could not be built (a bad or missing value) or
    /// bad settings (the endpoint) is a usage error, since nothing was sent.
    pub fn call<C>(e: yunxiao::Error<C>) -> Self {
        let e = e.untyped();
        match &e {
            yunxiao::Error::Api(api) => {
                let mut text =
                    format!("{} failed: HTTP {} {}", api.operation, api.status, api.code);
                let message = if api.message.is_empty() {
                    api.documented.map(|d| d.message).unwrap_or_default()
                } else {
                    api.message.as_str()
                };
                if !message.is_empty() {
                    text.push_str(&format!(": {message}"));
                }
                if let Some(id) = &api.request_id {
                    text.push_str(&format!(" (request id {id})"));
                }
                Self::failed(text)
            }
            yunxiao::Error::InvalidParameter { .. } | yunxiao::Error::Config(_) => {
                Self::usage(e.to_string())
            }
            _ => Self::failed(e.to_string()),
        }
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// The message (without `error: `).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Prints the error (one line) and gives its exit code.
    pub fn report(&self) -> ExitCode {
        if !self.message.is_empty() {
            eprintln!("error: {}", one_line(&self.message));
        }
        ExitCode::from(self.code)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::write(e)
    }
}

/// Text on one line: line breaks and other control characters become spaces, runs of
/// spaces one.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line() {
        assert_eq!(one_line("a\nb\r\n\tc  d\u{1b}e"), "a b c d e");
    }
}
