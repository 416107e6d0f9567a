//! Approve or refuse a manual gate (人工卡点): read the pipeline run with `GetPipelineRun`,
//! find the job that waits for a decision, and send `PassPipelineValidate` or
//! `RefusePipelineValidate` for that job.
//!
//! ```text
//! cargo run --features mock --example manual_gate
//! ```
//!
//! `main` runs the job against the in-process mock (no credentials, no network). Against
//! the real service, build the client with `yunxiao::Client::builder().build()?` (the
//! credentials chain: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//! the CLI profile, an ECS role...) or `.credentials(Credentials::new(id, secret))`, and
//! call `decide_gate` with your organization, pipeline and run ids.
//!
//! Spec gap: the documentation lists no values for a job's `status` (only the examples
//! `RUNNING` and `SUCCESS`) and none for a run held at a gate, so no status says "waits
//! for a decision". What it does document is each job's `actions`: a gate job carries a
//! `PassPipelineValidate` action, `disable: true` once it can no longer be taken (the
//! documented example, a finished run). A job with that action enabled is the gate that
//! waits; that is the rule used here.

use std::error::Error;
use std::io::Write;

use serde_json::json;
use yunxiao::flow::PipelineRun;
use yunxiao::mock::{MockReply, MockServer};
use yunxiao::Client;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    Approve,
    Refuse,
}

/// A job waiting at a manual gate.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    pub stage: String,
    pub job_id: i64,
    pub job_name: String,
}

/// The gates of `run` that wait for a decision, in stage order.
pub fn waiting_gates(run: &PipelineRun) -> Vec<Gate> {
    let mut gates = Vec::new();
    for stage in run.stages.iter().flatten() {
        let Some(info) = &stage.stage_info else {
            continue;
        };
        for job in info.jobs.iter().flatten() {
            let open = job.actions.iter().flatten().any(|a| {
                a.type_.as_deref() == Some("PassPipelineValidate") && a.disable == Some(false)
            });
            if let (true, Some(job_id)) = (open, job.id) {
                let stage = stage.name.clone().unwrap_or_default();
                gates.push(Gate {
                    stage,
                    job_id,
                    job_name: job.name.clone().unwrap_or_default(),
                });
            }
        }
    }
    gates
}

/// Takes `decision` on the first gate of the run that waits, and returns it; `None` if no
/// gate waits (nothing is sent then).
pub async fn decide_gate(
    client: &Client,
    org: &str,
    pipeline_id: i64,
    run_id: i64,
    decision: Decision,
) -> Result<Option<Gate>, Box<dyn Error>> {
    let answer = client
        .get_pipeline_run()
        .organization_id(org)
        .pipeline_id(pipeline_id)
        .pipeline_run_id(run_id)
        .send()
        .await?;
    let run = answer
        .pipeline_run
        .ok_or("GetPipelineRun returned no pipelineRun")?;
    let Some(gate) = waiting_gates(&run).into_iter().next() else {
        return Ok(None);
    };
    let job_id = gate.job_id.to_string();
    match decision {
        Decision::Approve => {
            client
                .pass_pipeline_validate()
                .organization_id(org)
                .pipeline_id(pipeline_id)
                .pipeline_run_id(run_id)
                .job_id(job_id)
                .send()
                .await?;
        }
        Decision::Refuse => {
            client
                .refuse_pipeline_validate()
                .organization_id(org)
                .pipeline_id(pipeline_id)
                .pipeline_run_id(run_id)
                .job_id(job_id)
                .send()
                .await?;
        }
    }
    Ok(Some(gate))
}

const ORG: &str = "5ebbc0228123212b59xxxxx";
const PIPELINE: i64 = 11222;

/// A run held at the gate job 2002 of stage Approval, after a finished build.
fn held_run(run_id: i64) -> serde_json::Value {
    let job = |id: i64, name: &str, status: &str, actions: serde_json::Value| json!({"id": id, "name": name, "status": status, "actions": actions});
    let gate_actions = json!([{"type": "PassPipelineValidate", "disable": false}, {"type": "RefusePipelineValidate", "disable": false}]);
    json!({"success": true, "pipelineRun": {"pipelineId": PIPELINE, "pipelineRunId": run_id, "status": "RUNNING", "stages": [
        {"name": "Build", "stageInfo": {"status": "SUCCESS", "jobs": [job(2001, "mvn package", "SUCCESS", json!([]))]}},
        {"name": "Approval", "stageInfo": {"status": "RUNNING", "jobs": [job(2002, "release approval", "RUNNING", gate_actions)]}},
        {"name": "Deploy", "stageInfo": {"jobs": [{"id": 2003, "name": "deploy"}]}}
    ]}})
}

/// The job against the mock: approve run 1111, refuse run 1112, and leave run 1113 (the
/// documented example, a finished run) alone.
pub async fn run(out: &mut impl Write) -> Result<(), Box<dyn Error>> {
    let server = MockServer::start().await;
    let client = server.client();
    server.respond_times("GetPipelineRun", 1, MockReply::json(200, held_run(1111)))?;
    server.respond_times("GetPipelineRun", 1, MockReply::json(200, held_run(1112)))?;

    for (run_id, decision) in [
        (1111, Decision::Approve),
        (1112, Decision::Refuse),
        (1113, Decision::Approve),
    ] {
        match decide_gate(&client, ORG, PIPELINE, run_id, decision).await? {
            Some(gate) => writeln!(
                out,
                "run {run_id}: {decision:?} gate job {} ({}, stage {})",
                gate.job_id, gate.job_name, gate.stage
            )?,
            None => writeln!(out, "run {run_id}: no gate waits, nothing sent")?,
        }
    }

    // What the mock received: one pass, for job 2002 of run 1111; one refusal, for job
    // 2002 of run 1112; nothing for run 1113.
    let sent = server.requests();
    let paths = |action: &str| {
        sent.iter()
            .filter(|r| r.action == action)
            .map(|r| r.path.clone())
            .collect::<Vec<_>>()
    };
    let base = format!("/organization/{ORG}/pipelines/{PIPELINE}/pipelineRuns");
    assert_eq!(
        paths("PassPipelineValidate"),
        [format!("{base}/1111/jobs/2002/pass")]
    );
    assert_eq!(
        paths("RefusePipelineValidate"),
        [format!("{base}/1112/jobs/2002/refuse")]
    );
    assert_eq!(paths("GetPipelineRun").len(), 3);
    assert!(sent.iter().all(|r| r.status == 200));
    writeln!(
        out,
        "the mock saw one pass and one refusal, for the right jobs"
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
