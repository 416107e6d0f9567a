//! The `yunxiao` binary end to end, against the library's mock started in the test: what
//! it prints, the exit code, and what the mock received.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::*;
use serde_json::{json, Value};
use yunxiao::mock::{example_response, MockReply, MockServer, ReceivedRequest};

const ORG: &str = "5ebbc0228123212b59xxxxx";

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The one request the mock received.
fn only(server: &MockServer) -> ReceivedRequest {
    let mut requests = server.take_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests.remove(0)
}

/// `got` is the documented example response of `action`, but for the request id, which
/// the mock makes fresh for every answer.
fn assert_example(action: &str, got: &Value) {
    let mut want = example_response(action).unwrap().clone();
    if want.get("requestId").is_some() {
        assert!(
            got["requestId"].as_str().is_some_and(|id| !id.is_empty()),
            "{got}"
        );
        want["requestId"] = got["requestId"].clone();
    }
    assert_eq!(got, &want);
}

// ---- one call ----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_seed_operation_prints_the_response_and_sends_its_parameters() {
    let server = MockServer::start().await;
    let home = home();
    let run = run(
        against(&server, home.path()),
        &[
            "flow",
            "pass-pipeline-validate",
            "--organization-id",
            ORG,
            "--pipeline-id",
            "1234",
            "--pipeline-run-id",
            "7",
            "--job-id",
            "99",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.is_empty(), "{run:?}");
    // Not a terminal: one line of JSON.
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert_example("PassPipelineValidate", &run.json());
    let r = only(&server);
    assert_eq!(r.action, "PassPipelineValidate");
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.path,
        format!("/organization/{ORG}/pipelines/1234/pipelineRuns/7/jobs/99/pass")
    );
    assert!(r.query.is_empty(), "{r:?}");
    assert_eq!(r.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn body_query_enum_and_secret_parameters_are_sent() {
    let server = MockServer::start().await;
    let home = home();
    let token = home.path().join("token");
    std::fs::write(&token, "pt-secret-token\n").unwrap();
    let token_arg = format!("@{}", token.display());
    let run = run(
        against(&server, home.path()),
        &[
            "codeup",
            "update-group",
            "--organization-id",
            ORG,
            "--access-token",
            &token_arg,
            "--path-with-namespace",
            "org/group",
            "--name",
            "组",
            "--path",
            "group",
            "--visibility-level",
            "10",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_example("UpdateGroup", &run.json());
    let r = only(&server);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/groups/modify")
    );
    assert_eq!(r.query_param("organizationId"), Some(ORG));
    // The file's content without its line break.
    assert_eq!(r.query_param("accessToken"), Some("pt-secret-token"));
    assert_eq!(
        r.body_json().expect("a JSON body"),
        json!({"pathWithNamespace": "org/group", "name": "组", "path": "group", "visibilityLevel": 10})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn global_flags_work_after_the_operation_and_yaml_and_table_print() {
    let server = MockServer::start().await;
    let home = home();
    let args = |output: &'static str| {
        vec![
            "flow",
            "list-pipelines",
            "--organization-id",
            ORG,
            "--output",
            output,
        ]
    };
    let yaml = run(against(&server, home.path()), &args("yaml")).await;
    assert_eq!(yaml.code, 0, "{yaml:?}");
    let parsed: Value = serde_yaml::from_str(&yaml.stdout).expect("YAML");
    assert_example("ListPipelines", &parsed);

    let table = run(against(&server, home.path()), &args("table")).await;
    assert_eq!(table.code, 0, "{table:?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{table:?}");
    assert!(lines[0].starts_with("createTime"), "{table:?}");
    assert!(lines[0].contains("pipelineName"), "{table:?}");
    assert!(
        lines[1].contains("流水线") && lines[1].contains("124"),
        "{table:?}"
    );

    // An object response: key/value rows of the flattened fields.
    let table = run(
        against(&server, home.path()),
        &[
            "--output",
            "table",
            "projex",
            "get-project-info",
            "--organization-id",
            ORG,
            "--project-id",
            "p1",
        ],
    )
    .await;
    assert_eq!(table.code, 0, "{table:?}");
    assert!(
        table.stdout.lines().any(|l| l.starts_with("requestId ")),
        "{table:?}"
    );
}

// ---- --all -------------------------------------------------------------------------------

fn script_two_pages(server: &MockServer) {
    let pipeline = |id: i64, name: &str| json!({"pipelineId": id, "pipelineName": name});
    let page1 = json!({"success": true, "nextToken": "page-2", "totalCount": 3,
        "pipelines": [pipeline(101, "build"), pipeline(102, "nightly")]});
    let page2 = json!({"success": true, "totalCount": 3, "pipelines": [pipeline(103, "deploy")]});
    server
        .respond_times("ListPipelines", 1, MockReply::json(200, page1))
        .unwrap();
    server
        .respond_times("ListPipelines", 1, MockReply::json(200, page2))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn all_streams_every_item_of_every_page_as_json_lines() {
    let server = MockServer::start().await;
    let home = home();
    // The example's own pages: every item of the example, once.
    let run1 = run(
        against(&server, home.path()),
        &[
            "flow",
            "list-pipelines",
            "--organization-id",
            ORG,
            "--all",
            "--output",
            "yaml",
        ],
    )
    .await;
    assert_eq!(run1.code, 0, "{run1:?}");
    let example = example_response("ListPipelines").unwrap();
    let items: Vec<Value> = run1
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(&Value::Array(items), &example["pipelines"]);
    assert_eq!(server.take_requests().len(), 1);

    // Two pages: three lines, no repeats, two requests, the second with the cursor.
    script_two_pages(&server);
    let run2 = run(
        against(&server, home.path()),
        &["flow", "list-pipelines", "--organization-id", ORG, "--all"],
    )
    .await;
    assert_eq!(run2.code, 0, "{run2:?}");
    let ids: Vec<i64> = run2
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["pipelineId"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, [101, 102, 103]);
    let requests = server.take_requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(requests[0].query_param("nextToken"), None);
    assert_eq!(requests[1].query_param("nextToken"), Some("page-2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn max_pages_stops_early() {
    let server = MockServer::start().await;
    let home = home();
    script_two_pages(&server);
    let run = run(
        against(&server, home.path()),
        &[
            "flow",
            "list-pipelines",
            "--organization-id",
            ORG,
            "--all",
            "--max-pages",
            "1",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 2, "{run:?}");
    assert_eq!(server.take_requests().len(), 1);
}

// ---- --dry-run ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_the_signed_request_and_sends_nothing() {
    let server = MockServer::start().await;
    let home = home();
    let run = run(
        against(&server, home.path()),
        &[
            "codeup",
            "update-group",
            "--dry-run",
            "--organization-id",
            ORG,
            "--access-token",
            "pt-secret-token",
            "--path-with-namespace",
            "org/group",
            "--name",
            "g",
            "--path",
            "group",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(server.requests().is_empty(), "{:#?}", server.requests());
    let out = &run.stdout;
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("PUT {}/groups/modify?", server.endpoint()))
            && first.ends_with(" HTTP/1.1"),
        "{out}"
    );
    assert!(first.contains(&format!("organizationId={ORG}")), "{out}");
    assert!(!out.contains("pt-secret-token"), "{out}");
    assert!(
        out.contains("accessToken=<redacted>") || out.contains("accessToken=%3Credacted%3E"),
        "{out}"
    );
    let auth = out
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
        .expect("an Authorization header");
    assert!(auth.ends_with("Signature=<redacted>"), "{out}");
    assert!(
        out.to_ascii_lowercase()
            .contains("x-acs-action: updategroup"),
        "{out}"
    );
    assert!(out.contains(r#""pathWithNamespace":"org/group""#), "{out}");
}

// ---- errors ------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn an_api_error_is_one_line_and_exit_code_1() {
    let server = MockServer::start().await;
    server
        .respond(
            "GetPipelineRun",
            MockReply::custom_error(404, "Pipeline.NotFound", "流水线不存在\nsecond line"),
        )
        .unwrap();
    let home = home();
    let run = run(
        against(&server, home.path()),
        &[
            "flow",
            "get-pipeline-run",
            "--organization-id",
            ORG,
            "--pipeline-id",
            "1",
            "--pipeline-run-id",
            "2",
        ],
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    let line = run.stderr.trim_end();
    assert!(
        line.starts_with("error: GetPipelineRun failed: HTTP 404 Pipeline.NotFound: 流水线不存在 second line (request id "),
        "{line}"
    );
    assert!(line.ends_with(')'), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_is_exit_code_1() {
    let home = home();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = yunxiao(home.path());
    cmd.env("ALIBABA_CLOUD_ACCESS_KEY_ID", "id")
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret");
    let endpoint = format!("http://127.0.0.1:{port}");
    let run = run(
        cmd,
        &[
            "--endpoint",
            &endpoint,
            "--retries",
            "0",
            "projex",
            "get-project-info",
            "--organization-id",
            ORG,
            "--project-id",
            "p",
        ],
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.starts_with("error: "), "{run:?}");
}

/// A usage error: exit code 2, a message on stderr that contains `needle`, nothing sent.
async fn usage_error(server: &MockServer, args: &[&str], needle: &str) {
    let home = home();
    let run = run(against(server, home.path()), args).await;
    assert_eq!(run.code, 2, "{args:?}: {run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains(needle), "{args:?}: {run:?}");
    assert!(server.take_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_values_are_usage_errors() {
    let server = MockServer::start().await;
    let run_args = |pipeline: &'static str| {
        vec![
            "flow",
            "get-pipeline-run",
            "--organization-id",
            ORG,
            "--pipeline-id",
            pipeline,
            "--pipeline-run-id",
            "2",
        ]
    };
    // Not a number for a long.
    usage_error(
        &server,
        &run_args("twelve"),
        "invalid value 'twelve' for '--pipeline-id <INTEGER>'",
    )
    .await;
    // A missing required parameter.
    usage_error(
        &server,
        &[
            "flow",
            "get-pipeline-run",
            "--organization-id",
            ORG,
            "--pipeline-id",
            "1",
        ],
        "--pipeline-run-id <INTEGER>",
    )
    .await;
    // An enum value that is not documented.
    let group = |level: &'static str| {
        vec![
            "codeup",
            "update-group",
            "--organization-id",
            ORG,
            "--path-with-namespace",
            "a/b",
            "--name",
            "b",
            "--path",
            "b",
            "--visibility-level",
            level,
        ]
    };
    usage_error(&server, &group("20"), "[possible values: 0, 10]").await;
    // An unknown flag, with a suggestion.
    usage_error(
        &server,
        &["flow", "get-pipeline-run", "--organisation-id", ORG],
        "--organization-id",
    )
    .await;
    // An unknown global setting value.
    usage_error(
        &server,
        &[
            "--output",
            "xml",
            "flow",
            "list-pipelines",
            "--organization-id",
            ORG,
        ],
        "possible values: json, yaml, table",
    )
    .await;
    // An endpoint that does not parse.
    usage_error(
        &server,
        &[
            "--endpoint",
            "ftp://example.com",
            "projex",
            "get-project-info",
            "--organization-id",
            ORG,
            "--project-id",
            "p",
        ],
        "error: endpoint scheme must be http or https",
    )
    .await;
    // An endpoint without a host.
    usage_error(
        &server,
        &[
            "--endpoint",
            "http://",
            "projex",
            "get-project-info",
            "--organization-id",
            ORG,
            "--project-id",
            "p",
        ],
        "is not a valid endpoint",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_json_and_unreadable_files_are_usage_errors() {
    let server = MockServer::start().await;
    // A JSON parameter: CreateCheckRun's `output` (an object).
    let check_run = |output: &'static str| {
        vec![
            "codeup",
            "create-check-run",
            "--organization-id",
            ORG,
            "--repository-identity",
            "1",
            "--head-sha",
            "40f4ccfe019cdd4a62d4acb0c57130106fc7e1be",
            "--name",
            "ci",
            "--output-json",
            output,
        ]
    };
    usage_error(
        &server,
        &check_run("{not json"),
        "--output-json: not valid JSON",
    )
    .await;
    usage_error(
        &server,
        &check_run("[1, 2]"),
        "--output-json: not valid JSON",
    )
    .await;
    usage_error(
        &server,
        &check_run("@/nonexistent/file.json"),
        "--output-json: cannot read @/nonexistent/file.json",
    )
    .await;
    // A secret from a file that is not there.
    usage_error(
        &server,
        &[
            "codeup",
            "update-group",
            "--organization-id",
            ORG,
            "--access-token",
            "@/nonexistent/token",
            "--path-with-namespace",
            "a/b",
            "--name",
            "b",
            "--path",
            "b",
        ],
        "--access-token: cannot read @/nonexistent/token",
    )
    .await;
}

// ---- --wait ------------------------------------------------------------------------------

fn status(s: &str) -> MockReply {
    MockReply::json(
        200,
        json!({"success": true, "pipelineRun": {"pipelineRunId": 7, "status": s}}),
    )
}

fn get_run_args() -> Vec<&'static str> {
    vec![
        "flow",
        "get-pipeline-run",
        "--organization-id",
        ORG,
        "--pipeline-id",
        "1",
        "--pipeline-run-id",
        "7",
        "--wait",
        "--poll-interval",
        "0.01",
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_polls_until_the_waiter_succeeds() {
    let server = MockServer::start().await;
    server
        .respond_times("GetPipelineRun", 2, status("RUNNING"))
        .unwrap();
    server
        .respond_times("GetPipelineRun", 1, status("SUCCESS"))
        .unwrap();
    let home = home();
    let run = run(against(&server, home.path()), &get_run_args()).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["pipelineRun"]["status"], "SUCCESS");
    assert_eq!(server.take_requests().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_or_timed_out_wait_prints_the_last_response_and_exits_1() {
    let server = MockServer::start().await;
    server
        .respond_times("GetPipelineRun", 1, status("RUNNING"))
        .unwrap();
    server
        .respond_times("GetPipelineRun", 1, status("FAIL"))
        .unwrap();
    let home = home();
    let failed = run(against(&server, home.path()), &get_run_args()).await;
    assert_eq!(failed.code, 1, "{failed:?}");
    assert_eq!(failed.json()["pipelineRun"]["status"], "FAIL");
    assert!(
        failed
            .stderr
            .starts_with("error: waiter PipelineRunFinished ended in failure: acceptor"),
        "{failed:?}"
    );

    server.respond("GetPipelineRun", status("RUNNING")).unwrap();
    let mut args = get_run_args();
    args.extend(["--max-wait", "0.3"]);
    let timed_out = run(against(&server, home.path()), &args).await;
    assert_eq!(timed_out.code, 1, "{timed_out:?}");
    assert_eq!(timed_out.json()["pipelineRun"]["status"], "RUNNING");
    assert!(
        timed_out
            .stderr
            .starts_with("error: waiter PipelineRunFinished timed out"),
        "{timed_out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn start_pipeline_run_wait_starts_then_follows_the_run() {
    let server = MockServer::start().await;
    server
        .respond(
            "StartPipelineRun",
            MockReply::json(200, json!({"success": true, "pipelineRunId": 42})),
        )
        .unwrap();
    server
        .respond_times("GetPipelineRun", 1, status("RUNNING"))
        .unwrap();
    server
        .respond_times("GetPipelineRun", 1, status("SUCCESS"))
        .unwrap();
    let home = home();
    let run = run(
        against(&server, home.path()),
        &[
            "flow",
            "start-pipeline-run",
            "--organization-id",
            ORG,
            "--pipeline-id",
            "1",
            "--params",
            r#"{"envs":{"K":"v"}}"#,
            "--wait",
            "--poll-interval",
            "0.01",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "started: pipelineRunId=42\n");
    assert_eq!(run.json()["pipelineRun"]["status"], "SUCCESS");
    let requests = server.take_requests();
    let actions: Vec<&str> = requests.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        ["StartPipelineRun", "GetPipelineRun", "GetPipelineRun"]
    );
    assert_eq!(
        requests[0].path,
        format!("/organizations/{ORG}/pipelines/1/run")
    );
    assert_eq!(
        requests[0].body_form(),
        [("params".to_string(), r#"{"envs":{"K":"v"}}"#.to_string())]
    );
    // The poll's path: this call's organization and pipeline, the run id it answered.
    assert!(
        requests[1]
            .path
            .ends_with(&format!("{ORG}/pipelines/1/pipelineRuns/42")),
        "{:?}",
        requests[1].path
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn start_pipeline_run_without_wait_is_one_call() {
    let server = MockServer::start().await;
    let home = home();
    let run = run(
        against(&server, home.path()),
        &[
            "flow",
            "start-pipeline-run",
            "--organization-id",
            ORG,
            "--pipeline-id",
            "1",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_example("StartPipelineRun", &run.json());
    assert_eq!(only(&server).action, "StartPipelineRun");
}

// ---- mock serve, completions ---------------------------------------------------------------

/// Kills the child when dropped (a failed assertion must not leave it running).
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn mock_serve_prints_its_endpoint_and_exports_and_answers_the_cli() {
    let home = home();
    let mut serve = yunxiao(home.path());
    serve
        .args(["mock", "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = Child(serve.spawn().unwrap());
    let mut out = BufReader::new(child.0.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let endpoint = first
        .trim_end()
        .strip_prefix("mock server listening on ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    let mut exports = String::new();
    out.read_line(&mut exports).unwrap();
    assert_eq!(
        exports.trim_end(),
        format!(
            "export YUNXIAO_ENDPOINT={endpoint} ALIBABA_CLOUD_ACCESS_KEY_ID=mock-access-key-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=mock-access-key-secret"
        )
    );
    // The CLI with those settings.
    let mut cmd = yunxiao(home.path());
    for pair in exports.trim_end().trim_start_matches("export ").split(' ') {
        let (k, v) = pair.split_once('=').unwrap();
        cmd.env(k, v);
    }
    let run = run_blocking(
        cmd,
        &[
            "projex",
            "get-project-info",
            "--organization-id",
            ORG,
            "--project-id",
            "p",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_example("GetProjectInfo", &run.json());
}

#[test]
fn mock_serve_on_a_taken_port_is_an_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let home = home();
    let run = run_blocking(yunxiao(home.path()), &["mock", "serve", "--port", &port]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .starts_with(&format!("error: cannot listen on 127.0.0.1:{port}")),
        "{run:?}"
    );
}

#[test]
fn completions_cover_every_area_and_operation() {
    let home = home();
    let run = run_blocking(yunxiao(home.path()), &["completions", "bash"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("get-pipeline-run"),
        "no operation in the script"
    );
    assert!(run.stdout.contains("--organization-id"));
    assert!(run.stdout.contains("update-group"));
    let run = run_blocking(yunxiao(home.path()), &["completions", "zsh"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("start-pipeline-run"));
}
