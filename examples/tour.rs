//! A tour of the SDK, against the in-process mock server (no network, no real
//! credentials):
//!
//! ```text
//! cargo run --features mock --example tour
//! ```
//!
//! It calls the five seed operations with their documented example values, handles a
//! documented error with its typed code, streams a paginated list, and waits for a
//! pipeline run to finish.

use std::error::Error as StdError;
use std::io::Write;
use std::time::Duration;

use serde_json::json;
use yunxiao::mock::{MockReply, MockServer, MOCK_ACCESS_KEY_ID, MOCK_ACCESS_KEY_SECRET};
use yunxiao::projex::GetProjectInfoErrorCode;
use yunxiao::{Client, RetryConfig, WaiterError};

/// The organization id the documentation's examples use.
const ORG: &str = "5ebbc0228123212b59xxxxx";

fn or_dash(value: Option<&str>) -> &str {
    value.unwrap_or("-")
}

/// Runs the tour, writing what it does to `out`.
pub async fn run(out: &mut impl Write) -> Result<(), Box<dyn StdError>> {
    // A mock of the whole API on 127.0.0.1, answering each operation's documented example.
    let server = MockServer::start().await;
    writeln!(out, "mock server on {}", server.endpoint())?;

    // A client pointed at it, with the mock's test credentials. (`server.client()` is a
    // shortcut for the same thing.)
    let client = Client::builder()
        .endpoint(server.endpoint())
        .access_key(MOCK_ACCESS_KEY_ID, MOCK_ACCESS_KEY_SECRET)
        .retry(RetryConfig::disabled())
        .build()?;

    writeln!(out, "\n== the five seed operations")?;
    let artifact = client
        .get_pipeline_artifact_url()
        .organization_id(ORG)
        .file_path("/test/test/test.tgz")
        .file_name("test.tgz")
        .send()
        .await?;
    writeln!(
        out,
        "GetPipelineArtifactUrl  success={:?} fileUrl={}",
        artifact.success.unwrap_or(false),
        or_dash(artifact.file_url.as_deref()),
    )?;

    let passed = client
        .pass_pipeline_validate()
        .organization_id(ORG)
        .pipeline_id(11222)
        .pipeline_run_id(1111)
        .job_id("111")
        .send()
        .await?;
    writeln!(
        out,
        "PassPipelineValidate    success={:?} (pipeline 11222, run 1111, job 111 passed)",
        passed.success.unwrap_or(false),
    )?;

    let refused = client
        .refuse_pipeline_validate()
        .organization_id(ORG)
        .pipeline_id(12222)
        .pipeline_run_id(1111)
        .job_id("1111")
        .send()
        .await?;
    writeln!(
        out,
        "RefusePipelineValidate  success={:?} (pipeline 12222, run 1111, job 1111 refused)",
        refused.success.unwrap_or(false),
    )?;

    let info = client
        .get_project_info()
        .organization_id(ORG)
        .project_id("e8b2xxxxxxx09b07d23")
        .send()
        .await?;
    let project = info.project.unwrap_or_default();
    writeln!(
        out,
        "GetProjectInfo          name={} code={} status={} scope={} created={}",
        or_dash(project.name.as_deref()),
        or_dash(project.custom_code.as_deref()),
        or_dash(project.logical_status.as_deref()),
        or_dash(project.scope.as_ref().map(|s| s.as_str())),
        project
            .gmt_create
            .map_or("-".to_string(), |t| format!("{t} ms")),
    )?;

    let group = client
        .update_group()
        .organization_id("1e9903d8b3f1xxxxxf9286ef5")
        .path_with_namespace("org/group/subgroup/here")
        .name("codeup_group")
        .path("codeup_group")
        .visibility_level(yunxiao::codeup::CodeupVisibility::Internal)
        .description("描述信息的具体内容")
        .send()
        .await?;
    let result = group.result.unwrap_or_default();
    writeln!(
        out,
        "UpdateGroup             id={} path={} visibility={} type={}",
        result.id.map_or("-".to_string(), |id| id.to_string()),
        or_dash(result.path_with_namespace.as_deref()),
        result
            .visibility_level
            .map_or("-".to_string(), |v| v.to_string()),
        or_dash(result.type_.as_deref()),
    )?;

    // A documented error: the mock answers GetProjectInfo with `Operate.NoPermission`,
    // with the HTTP status and message its spec gives.
    writeln!(out, "\n== a documented error, handled")?;
    server.respond("GetProjectInfo", MockReply::error("Operate.NoPermission"))?;
    match client
        .get_project_info()
        .organization_id(ORG)
        .project_id("e8b2xxxxxxx09b07d23")
        .send()
        .await
    {
        Ok(_) => return Err("GetProjectInfo should have failed".into()),
        Err(err) => match (err.code(), err.as_api()) {
            (Some(GetProjectInfoErrorCode::OperateNoPermission), Some(api)) => writeln!(
                out,
                "GetProjectInfo          denied: HTTP {} {} \"{}\" (request id {})",
                api.status,
                api.code,
                api.message,
                or_dash(api.request_id.as_deref()),
            )?,
            _ => return Err(err.into()),
        },
    }
    server.reset("GetProjectInfo")?;

    // Pagination: the first page comes from an override with a next cursor; the second
    // is the documented example, whose empty `nextToken` ends the stream.
    writeln!(out, "\n== a paginated list, streamed")?;
    server.respond_times(
        "ListProjects",
        1,
        MockReply::json(
            200,
            json!({
                "success": true,
                "maxResults": 2,
                "nextToken": "page-2",
                "totalCount": 3,
                "projects": [
                    {"name": "alpha", "customCode": "ALPH", "identifier": "p-1"},
                    {"name": "beta", "customCode": "BETA", "identifier": "p-2"}
                ]
            }),
        ),
    )?;
    let mut projects = client
        .list_projects()
        .organization_id(ORG)
        .category("Project")
        .max_results(2)
        .stream()
        .max_pages(5)
        .items();
    let mut count = 0;
    while let Some(p) = projects.try_next().await? {
        count += 1;
        writeln!(
            out,
            "ListProjects            #{count} {} ({})",
            or_dash(p.name.as_deref()),
            or_dash(p.custom_code.as_deref()),
        )?;
    }
    let list_calls = server
        .requests()
        .into_iter()
        .filter(|r| r.action == "ListProjects")
        .collect::<Vec<_>>();
    writeln!(
        out,
        "ListProjects            {count} projects in {} pages (second request sent nextToken={})",
        list_calls.len(),
        list_calls
            .get(1)
            .and_then(|r| r.query_param("nextToken"))
            .unwrap_or("-"),
    )?;

    // A waiter: GetPipelineRun answers RUNNING twice, then SUCCESS; the waiter polls with
    // backoff until the run ends (milliseconds here; the waiter's own pacing is 5 s to 60 s).
    writeln!(out, "\n== waiting for a pipeline run to finish")?;
    let run = |status: &str| {
        MockReply::json(
            200,
            json!({"success": true, "pipelineRun": {"pipelineRunId": 1, "status": status}}),
        )
    };
    server.respond_times("GetPipelineRun", 2, run("RUNNING"))?;
    server.respond_times("GetPipelineRun", 1, run("SUCCESS"))?;
    let done = client
        .get_pipeline_run()
        .organization_id(ORG)
        .pipeline_id(1234)
        .pipeline_run_id(1)
        .wait_until_pipeline_run_finished()
        .min_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(50))
        .await?;
    let polls = server
        .requests()
        .iter()
        .filter(|r| r.action == "GetPipelineRun")
        .count();
    writeln!(
        out,
        "PipelineRunFinished     run 1: status={} after {polls} polls",
        or_dash(
            done.pipeline_run
                .and_then(|r| r.status)
                .as_ref()
                .map(|s| s.as_str())
        ),
    )?;
    // A run that fails ends the wait with the acceptor that says so.
    server.respond_times("GetPipelineRun", 1, run("RUNNING"))?;
    server.respond_times("GetPipelineRun", 1, run("FAIL"))?;
    match client
        .get_pipeline_run()
        .organization_id(ORG)
        .pipeline_id(1234)
        .pipeline_run_id(2)
        .wait_until_pipeline_run_finished()
        .min_delay(Duration::from_millis(20))
        .await
    {
        Err(err @ WaiterError::FailureState { .. }) => writeln!(out, "{err}")?,
        other => return Err(format!("the run should have failed: {other:?}").into()),
    }

    writeln!(
        out,
        "\nthe mock received {} requests, every one signed and checked against its spec",
        server.requests().len()
    )?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn StdError>> {
    let mut stdout = std::io::stdout();
    run(&mut stdout).await
}
