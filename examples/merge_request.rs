//! Open and merge a merge request (代码评审): `CreateMergeRequest` from a branch, then
//! `GetMergeRequest` to see whether every merge requirement passes, then
//! `MergeMergeRequest` with the chosen merge type, or a report of what still blocks it.
//!
//! ```text
//! cargo run --features mock --example merge_request
//! ```
//!
//! `main` runs the job against the in-process mock (no credentials, no network). Against
//! the real service, build the client with `yunxiao::Client::builder().build()?` (the
//! credentials chain: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//! the CLI profile, an ECS role...) or `.credentials(Credentials::new(id, secret))`, and
//! call `open_and_merge` with your organization and repository ids.

use std::error::Error;
use std::io::Write;

use serde_json::json;
use yunxiao::codeup::{MergeMergeRequestMergeType, MergeRequestCreateFrom};
use yunxiao::mock::{MockReply, MockServer};
use yunxiao::Client;

#[derive(Debug, PartialEq)]
pub enum MergeOutcome {
    Merged {
        local_id: i64,
        revision: Option<String>,
    },
    /// Opened, not merged: a requirement does not pass. `blocking` names the failing
    /// checks the service lists (`todoList.requirementCheckItems`).
    NotReady {
        local_id: i64,
        status: Option<String>,
        blocking: Vec<String>,
    },
}

/// Opens a merge request of `source` into `target` in repository `repo_id` and merges it
/// with `merge_type` if every requirement (reviews, checks) passes.
pub async fn open_and_merge(
    client: &Client,
    org: &str,
    repo_id: i64,
    source: &str,
    target: &str,
    title: &str,
    merge_type: MergeMergeRequestMergeType,
) -> Result<MergeOutcome, Box<dyn Error>> {
    let created = client
        .create_merge_request()
        .organization_id(org)
        .repository_id(repo_id)
        .source_project_id(repo_id)
        .target_project_id(repo_id)
        .source_branch(source)
        .target_branch(target)
        .title(title)
        .create_from(MergeRequestCreateFrom::Web)
        .send()
        .await?;
    let local_id = created
        .result
        .and_then(|mr| mr.local_id)
        .ok_or("CreateMergeRequest returned no localId")?;

    let mr = client
        .get_merge_request()
        .organization_id(org)
        .repository_id(repo_id)
        .local_id(local_id)
        .send()
        .await?;
    let mr = mr.result.ok_or("GetMergeRequest returned no result")?;
    if mr.all_requirements_pass != Some(true) {
        let checks = mr
            .todo_list
            .and_then(|t| t.requirement_check_items)
            .unwrap_or_default();
        let blocking = checks
            .into_iter()
            .filter(|c| c.pass == Some(false))
            .filter_map(|c| c.item_type)
            .collect();
        return Ok(MergeOutcome::NotReady {
            local_id,
            status: mr.status,
            blocking,
        });
    }

    let merged = client
        .merge_merge_request()
        .organization_id(org)
        .repository_id(repo_id)
        .local_id(local_id)
        .merge_type(merge_type)
        .send()
        .await?;
    match merged.result {
        Some(result) if result.result == Some(true) => Ok(MergeOutcome::Merged {
            local_id,
            revision: result.merged_revision,
        }),
        other => Err(format!("merge request {local_id} was not merged: {other:?}").into()),
    }
}

const ORG: &str = "60de7a6852743a5162b5f957";
const REPO: i64 = 2369234;

/// The job against the mock: merge request 42 is ready and is squashed in; 43 waits for
/// a review and is left open.
pub async fn run(out: &mut impl Write) -> Result<(), Box<dyn Error>> {
    let server = MockServer::start().await;
    let client = server.client();
    let reply = |result: serde_json::Value| {
        MockReply::json(200, json!({"success": true, "result": result}))
    };
    server.respond_times(
        "CreateMergeRequest",
        1,
        reply(json!({"localId": 42, "status": "UNDER_REVIEW"})),
    )?;
    server.respond_times(
        "CreateMergeRequest",
        1,
        reply(json!({"localId": 43, "status": "UNDER_REVIEW"})),
    )?;
    server.respond_times(
        "GetMergeRequest",
        1,
        reply(json!({"localId": 42, "status": "UNDER_REVIEW", "allRequirementsPass": true})),
    )?;
    let checks = json!({"requirementCheckItems": [{"itemType": "COMMENTS_CHECK", "pass": true}, {"itemType": "MINIMUM_APPROVAL", "pass": false}]});
    server.respond_times("GetMergeRequest", 1, reply(json!({"localId": 43, "status": "UNDER_REVIEW", "allRequirementsPass": false, "todoList": checks})))?;
    server.respond(
        "MergeMergeRequest",
        reply(json!({"result": true, "localId": 42, "mergedRevision": "9f1c2e7d"})),
    )?;

    let squash = MergeMergeRequestMergeType::Squash;
    let first = open_and_merge(
        &client,
        ORG,
        REPO,
        "feature/login",
        "master",
        "Login page",
        squash.clone(),
    )
    .await?;
    writeln!(out, "feature/login -> master: {first:?}")?;
    let second = open_and_merge(
        &client,
        ORG,
        REPO,
        "feature/search",
        "master",
        "Search",
        squash,
    )
    .await?;
    writeln!(out, "feature/search -> master: {second:?}")?;

    // What the mock received: two creations with the branches, title and createFrom WEB,
    // and one merge, of 42, squashed.
    let sent = server.requests();
    let bodies = |action: &str| {
        sent.iter()
            .filter(|r| r.action == action)
            .map(|r| (r.path.clone(), r.body_json().unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let created = bodies("CreateMergeRequest");
    assert_eq!(created.len(), 2);
    let (path, body) = &created[0];
    assert_eq!(path, &format!("/api/v4/projects/{REPO}/merge_requests"));
    assert_eq!(
        (
            &body["sourceBranch"],
            &body["targetBranch"],
            &body["title"],
            &body["createFrom"],
            &body["sourceProjectId"]
        ),
        (
            &json!("feature/login"),
            &json!("master"),
            &json!("Login page"),
            &json!("WEB"),
            &json!(REPO)
        ),
    );
    assert_eq!(created[1].1["sourceBranch"], "feature/search");
    let merges = bodies("MergeMergeRequest");
    assert_eq!(merges.len(), 1, "only the ready merge request is merged");
    assert_eq!(
        merges[0].0,
        format!("/api/v4/projects/{REPO}/merge_requests/42/merge")
    );
    assert_eq!(merges[0].1["mergeType"], "squash");
    assert_eq!(
        first,
        MergeOutcome::Merged {
            local_id: 42,
            revision: Some("9f1c2e7d".into())
        }
    );
    assert!(
        matches!(&second, MergeOutcome::NotReady { local_id: 43, blocking, .. } if blocking == &["MINIMUM_APPROVAL"])
    );
    writeln!(out, "the mock saw 2 creations and 1 squash merge, of 42")?;
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
