//! `yunxiao`: see the `yunxiao_cli` library for the runtime, and `yunxiao --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    // A bug must not end in a backtrace: one line, and exit code 1.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        eprintln!(
            "error: internal error (please report it): {}",
            yunxiao_cli::error::one_line(&message)
        );
    }));
    match std::panic::catch_unwind(|| yunxiao_cli::main_with(std::env::args_os().collect())) {
        Ok(code) => code,
        Err(_) => ExitCode::from(1),
    }
}
