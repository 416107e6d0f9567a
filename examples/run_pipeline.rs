//! Run a pipeline and wait for it: find the pipeline by name (listing every pipeline of
//! the organization, across pages), start a run with `StartPipelineRun`, and wait with
//! the `PipelineRunFinished` waiter, telling a success, a failed run and a run still going
//! when the wait ran out apart.
//!
//! ```text
//! cargo run --features mock --example run_pipeline
//! ```
//!
//! `main` runs the job against the in-process mock (no credentials, no network). Against
//! the real service, build the client with `yunxiao::Client::builder().build()?` (the
//! credentials chain: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//! the CLI profile, an ECS role...) or `.credentials(Credentials::new(id, secret))`, and
//! call `find_pipeline` and `run_pipeline` with your organization id.

use std::error::Error;
use std::io::Write;
use std::time::Duration;

use serde_json::json;
use yunxiao::flow::FlowRunStatus;
use yunxiao::mock::{MockReply, MockServer};
use yunxiao::{Client, WaiterError};

/// How a run ended.
#[derive(Debug, PartialEq)]
pub enum RunOutcome {
    Succeeded {
        run_id: i64,
    },
    Failed {
        run_id: i64,
        reason: String,
    },
    /// The wait ran out; the run goes on. `status` is what the last poll said.
    StillRunning {
        run_id: i64,
        waited: Duration,
        status: Option<FlowRunStatus>,
    },
}

/// The id of the pipeline called `name`, looking through every pipeline of the
/// organization (`ListPipelines`, 50 a page, following `nextToken`).
pub async fn find_pipeline(
    client: &Client,
    org: &str,
    name: &str,
) -> Result<Option<i64>, yunxiao::Error> {
    let mut pipelines = client
        .list_pipelines()
        .organization_id(org)
        .max_results(50)
        .stream()
        .items();
    while let Some(pipeline) = pipelines.try_next().await? {
        if pipeline.pipeline_name.as_deref() == Some(name) {
            return Ok(pipeline.pipeline_id);
        }
    }
    Ok(None)
}

/// Starts a run of `pipeline_id` with `params` (StartPipelineRun's JSON, e.g. branches and
/// environment variables) and waits up to `max_wait` for it to finish, polling no more
/// often than every `min_delay` (the waiter's default pacing is 5 s to 60 s).
pub async fn run_pipeline(
    client: &Client,
    org: &str,
    pipeline_id: i64,
    params: &str,
    min_delay: Duration,
    max_wait: Duration,
) -> Result<RunOutcome, Box<dyn Error>> {
    let started = client
        .start_pipeline_run()
        .organization_id(org)
        .pipeline_id(pipeline_id)
        .params(params)
        .send()
        .await?;
    let run_id = started
        .pipeline_run_id
        .ok_or("StartPipelineRun returned no pipelineRunId")?;

    let wait = client
        .get_pipeline_run()
        .organization_id(org)
        .pipeline_id(pipeline_id)
        .pipeline_run_id(run_id)
        .wait_until_pipeline_run_finished()
        .min_delay(min_delay)
        .max_wait(max_wait)
        .await;
    match wait {
        Ok(_) => Ok(RunOutcome::Succeeded { run_id }),
        Err(WaiterError::FailureState { reason, .. }) => Ok(RunOutcome::Failed { run_id, reason }),
        Err(WaiterError::TimedOut { waited, last, .. }) => {
            let status = last.and_then(|answer| (*answer).ok()?.pipeline_run?.status);
            Ok(RunOutcome::StillRunning {
                run_id,
                waited,
                status,
            })
        }
        Err(other) => Err(other.into()),
    }
}

const ORG: &str = "5ebbc0228123212b59xxxxx";

/// The job against the mock: two pages of pipelines, then three runs (a success after two
/// RUNNING polls, a failure, and one that outlasts the wait).
pub async fn run(out: &mut impl Write) -> Result<(), Box<dyn Error>> {
    let server = MockServer::start().await;
    let client = server.client();
    let pipeline = |id: i64, name: &str| json!({"pipelineId": id, "pipelineName": name});
    let page1 = json!({"success": true, "nextToken": "page-2", "totalCount": 3,
        "pipelines": [pipeline(101, "build-frontend"), pipeline(102, "nightly")]});
    let page2 =
        json!({"success": true, "totalCount": 3, "pipelines": [pipeline(103, "deploy-staging")]});
    server.respond_times("ListPipelines", 1, MockReply::json(200, page1))?;
    server.respond_times("ListPipelines", 1, MockReply::json(200, page2))?;
    for run_id in [7, 8, 9] {
        server.respond_times(
            "StartPipelineRun",
            1,
            MockReply::json(200, json!({"success": true, "pipelineRunId": run_id})),
        )?;
    }
    let status =
        |s: &str| MockReply::json(200, json!({"success": true, "pipelineRun": {"status": s}}));
    server.respond_times("GetPipelineRun", 2, status("RUNNING"))?; // run 7
    server.respond_times("GetPipelineRun", 1, status("SUCCESS"))?;
    server.respond_times("GetPipelineRun", 1, status("RUNNING"))?; // run 8
    server.respond_times("GetPipelineRun", 1, status("FAIL"))?;
    server.respond("GetPipelineRun", status("RUNNING"))?; // run 9, for ever

    let id = find_pipeline(&client, ORG, "deploy-staging")
        .await?
        .ok_or("no pipeline deploy-staging")?;
    writeln!(out, "pipeline deploy-staging is {id}")?;
    let params = json!({"envs": {"DEPLOY_ENV": "staging"}, "runningBranchs": {"https://codeup.aliyun.com/demo/web.git": "release/1.4"}}).to_string();
    let fast = Duration::from_millis(10);
    let mut outcomes = Vec::new();
    for max_wait in [
        Duration::from_secs(5),
        Duration::from_secs(5),
        Duration::from_millis(200),
    ] {
        let outcome = run_pipeline(&client, ORG, id, &params, fast, max_wait).await?;
        match &outcome {
            RunOutcome::Succeeded { run_id } => writeln!(out, "run {run_id}: SUCCESS")?,
            RunOutcome::Failed { run_id, reason } => {
                writeln!(out, "run {run_id}: failed ({reason})")?
            }
            RunOutcome::StillRunning {
                run_id,
                waited,
                status,
            } => {
                let status = status.as_ref().map_or("-", |s| s.as_str());
                writeln!(
                    out,
                    "run {run_id}: still {status} after {waited:.1?}, not waiting longer"
                )?
            }
        }
        outcomes.push(outcome);
    }

    // What the mock received: both pages of pipelines, three starts of pipeline 103 with
    // the parameters, and 3 + 2 + at least 1 polls of the right runs.
    let sent = server.requests();
    let of = |action: &str| {
        sent.iter()
            .filter(|r| r.action == action)
            .collect::<Vec<_>>()
    };
    let lists = of("ListPipelines");
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[1].query_param("nextToken"), Some("page-2"));
    let starts = of("StartPipelineRun");
    assert_eq!(starts.len(), 3);
    for start in &starts {
        assert!(start.path.ends_with("/pipelines/103/run"), "{}", start.path);
        assert_eq!(
            start
                .body_form()
                .iter()
                .find(|(name, _)| name == "params")
                .map(|(_, value)| value.as_str()),
            Some(params.as_str())
        );
    }
    let polls = |run: i64| {
        of("GetPipelineRun")
            .iter()
            .filter(|r| {
                r.path
                    .ends_with(&format!("/pipelines/103/pipelineRuns/{run}"))
            })
            .count()
    };
    assert_eq!((polls(7), polls(8)), (3, 2));
    assert!(polls(9) >= 1);
    assert_eq!(outcomes[0], RunOutcome::Succeeded { run_id: 7 });
    assert!(
        matches!(&outcomes[1], RunOutcome::Failed { run_id: 8, reason } if reason.contains("FAIL"))
    );
    assert!(matches!(
        &outcomes[2],
        RunOutcome::StillRunning {
            run_id: 9,
            status: Some(FlowRunStatus::Running),
            ..
        }
    ));
    writeln!(
        out,
        "the mock saw {} requests, as expected ({} polls of run 9)",
        sent.len(),
        polls(9)
    )?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    run(&mut std::io::stdout()).await
}

#[cfg(test)]
#[tokio::test]
async fn runs_against_the_mock() {
    run(&mut std::io::sink()).await.unwrap();
}
