//! `--help` of the top level, an area and a few operations: the spec's summary, each
//! parameter's description and example, its type and where it is sent.

mod common;

use common::*;

fn help(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let run = run_blocking(yunxiao(home.path()), args);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.is_empty(), "{run:?}");
    run.stdout
}

macro_rules! help_snapshot {
    ($test:ident, $($arg:literal),+) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(help(&[$($arg),+]));
        }
    };
}

help_snapshot!(top_level, "--help");
help_snapshot!(area_flow, "flow", "--help");
// Path parameters only; a seed operation.
help_snapshot!(
    pass_pipeline_validate,
    "flow",
    "pass-pipeline-validate",
    "--help"
);
// A number enum, a secret, body parameters.
help_snapshot!(update_group, "codeup", "update-group", "--help");
// Paged: --all and --max-pages; epoch-millis times.
help_snapshot!(list_pipelines, "flow", "list-pipelines", "--help");
// A waiter: --wait.
help_snapshot!(get_pipeline_run, "flow", "get-pipeline-run", "--help");
// then_wait: --wait polls GetPipelineRun.
help_snapshot!(start_pipeline_run, "flow", "start-pipeline-run", "--help");

#[test]
fn short_help_is_one_line_per_flag() {
    let text = help(&["codeup", "update-group", "-h"]);
    assert!(text.contains("--visibility-level <INTEGER>"), "{text}");
    assert!(text.contains("[possible values: 0, 10]"), "{text}");
    assert!(!text.contains("Sent as"), "{text}");
}

#[test]
fn help_after_the_operation_and_the_help_command_agree() {
    assert_eq!(
        help(&["help", "flow", "get-pipeline-run"]),
        help(&["flow", "get-pipeline-run", "--help"])
    );
}

#[test]
fn version() {
    assert_eq!(
        help(&["--version"]),
        format!("yunxiao {}\n", env!("CARGO_PKG_VERSION"))
    );
}
