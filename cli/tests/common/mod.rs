//! Running the `yunxiao` binary in a clean environment: no ALIBABA_CLOUD_* variable, no
//! real HOME (so no real credentials or config are read), 100 columns.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use yunxiao::mock::{MockServer, MOCK_ACCESS_KEY_ID, MOCK_ACCESS_KEY_SECRET};

/// The binary with a clean environment and `home` as HOME.
pub fn yunxiao(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yunxiao"));
    cmd.env_clear()
        .env("HOME", home)
        .env("COLUMNS", "100")
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    cmd
}

/// The binary pointed at `server`, with its credentials in the environment.
pub fn against(server: &MockServer, home: &Path) -> Command {
    let mut cmd = yunxiao(home);
    cmd.env("YUNXIAO_ENDPOINT", server.endpoint())
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", MOCK_ACCESS_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", MOCK_ACCESS_KEY_SECRET);
    cmd
}

/// What a run gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(out: Output) -> Self {
        let run = Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        // Never a panic or a backtrace, whatever the outcome.
        assert!(
            !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
            "{run:?}"
        );
        run
    }

    /// Stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

/// Runs `cmd` with `args` off the async runtime (the mock serves on it meanwhile).
pub async fn run(mut cmd: Command, args: &[&str]) -> Run {
    cmd.args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("the run finishes")
        .expect("the binary starts");
    Run::of(out)
}

/// Runs `cmd` with `args`, blocking.
pub fn run_blocking(mut cmd: Command, args: &[&str]) -> Run {
    Run::of(cmd.args(args).output().expect("the binary starts"))
}
