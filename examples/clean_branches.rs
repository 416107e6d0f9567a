//! Clean up branches: list every branch of a Codeup repository
//! (`ListRepositoryBranches`, all pages), keep those under a prefix (`tmp/`), skip the
//! protected ones, and delete the rest with `DeleteBranch`; a dry run only reports.
//!
//! ```text
//! cargo run --features mock --example clean_branches
//! ```
//!
//! `main` runs the job against the in-process mock (no credentials, no network). Against
//! the real service, build the client with `yunxiao::Client::builder().build()?` (the
//! credentials chain: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//! the CLI profile, an ECS role...) or `.credentials(Credentials::new(id, secret))`, and
//! call `clean_branches` with your organization and repository ids (try `dry_run` first).

use std::error::Error;
use std::io::Write;

use serde_json::json;
use yunxiao::mock::{MockReply, MockServer};
use yunxiao::Client;

/// What a clean-up found and did.
#[derive(Debug, Default, PartialEq)]
pub struct CleanReport {
    /// Branches in the repository.
    pub listed: usize,
    /// Under the prefix but protected: left alone.
    pub protected: Vec<String>,
    /// Deleted (in a dry run: would be deleted).
    pub deleted: Vec<String>,
    /// Deletions that failed, with the error.
    pub failed: Vec<(String, String)>,
}

/// Deletes the unprotected branches of `repo_id` whose name starts with `prefix`; with
/// `dry_run`, deletes nothing and reports what it would delete.
pub async fn clean_branches(
    client: &Client,
    org: &str,
    repo_id: i64,
    prefix: &str,
    dry_run: bool,
) -> Result<CleanReport, Box<dyn Error>> {
    // Every page first, then the deletions, so that deleting does not shift the pages.
    let branches = client
        .list_repository_branches()
        .organization_id(org)
        .repository_id(repo_id)
        .page_size(100)
        .stream()
        .collect_all()
        .await?;
    let mut report = CleanReport {
        listed: branches.len(),
        ..CleanReport::default()
    };
    for branch in branches {
        let Some(name) = branch.name.filter(|n| n.starts_with(prefix)) else {
            continue;
        };
        if branch.protected == Some(true) {
            report.protected.push(name);
        } else if dry_run {
            report.deleted.push(name);
        } else {
            match client
                .delete_branch()
                .organization_id(org)
                .repository_id(repo_id)
                .branch_name(&name)
                .send()
                .await
            {
                Ok(_) => report.deleted.push(name),
                Err(err) => report.failed.push((name, err.to_string())),
            }
        }
    }
    Ok(report)
}

const ORG: &str = "60de7a6852743a5162b5f957";
const REPO: i64 = 2369234;

/// Six branches in two pages of three: the stream asks for page 2 because `total` says 6,
/// and stops there.
fn script_branches(server: &MockServer) -> Result<(), Box<dyn Error>> {
    let branch = |name: &str, protected: bool| json!({"name": name, "protected": protected});
    let pages = [
        [
            branch("master", true),
            branch("tmp/spike-cache", false),
            branch("feature/login", false),
        ],
        [
            branch("tmp/release-1.4", true),
            branch("tmp/ci-debug", false),
            branch("develop", true),
        ],
    ];
    for page in pages {
        server.respond_times(
            "ListRepositoryBranches",
            1,
            MockReply::json(200, json!({"success": true, "total": 6, "result": page})),
        )?;
    }
    Ok(())
}

/// The job against the mock: a dry run, then the clean-up, of a repository with three
/// `tmp/` branches, one of them protected.
pub async fn run(out: &mut impl Write) -> Result<(), Box<dyn Error>> {
    let server = MockServer::start().await;
    let client = server.client();
    // One failure, to show it reported rather than fatal.
    server.respond_times(
        "DeleteBranch",
        1,
        MockReply::json(
            200,
            json!({"success": true, "result": {"branchName": "tmp/spike-cache"}}),
        ),
    )?;
    server.respond_times(
        "DeleteBranch",
        1,
        MockReply::custom_error(403, "Forbidden.Protected", "branch is locked"),
    )?;

    script_branches(&server)?;
    let dry = clean_branches(&client, ORG, REPO, "tmp/", true).await?;
    writeln!(
        out,
        "dry run: {} branches, would delete {:?}, protected {:?}",
        dry.listed, dry.deleted, dry.protected
    )?;
    assert!(
        server.requests().iter().all(|r| r.action != "DeleteBranch"),
        "a dry run deletes nothing"
    );

    script_branches(&server)?;
    let done = clean_branches(&client, ORG, REPO, "tmp/", false).await?;
    writeln!(
        out,
        "clean-up: deleted {:?}, kept protected {:?}",
        done.deleted, done.protected
    )?;
    for (name, err) in &done.failed {
        writeln!(out, "  could not delete {name}: {err}")?;
    }

    // What the mock received: four list pages (page 1 and 2, twice), and DeleteBranch for
    // exactly the unprotected tmp/ branches.
    let sent = server.requests();
    // (The first request leaves `page` out: the service's default is 1.)
    let pages: Vec<_> = sent
        .iter()
        .filter(|r| r.action == "ListRepositoryBranches")
        .map(|r| r.query_param("page").unwrap_or("1"))
        .collect();
    assert_eq!(pages, ["1", "2", "1", "2"]);
    let deleted: Vec<_> = sent
        .iter()
        .filter(|r| r.action == "DeleteBranch")
        .map(|r| r.query_param("branchName").unwrap_or_default())
        .collect();
    assert_eq!(deleted, ["tmp/spike-cache", "tmp/ci-debug"]);
    assert_eq!(dry.deleted, deleted);
    assert_eq!(
        (done.listed, done.protected.clone()),
        (6, vec!["tmp/release-1.4".to_string()])
    );
    assert_eq!((done.deleted.len(), done.failed.len()), (1, 1));
    writeln!(
        out,
        "the mock saw {} deletions, both of unprotected tmp/ branches",
        deleted.len()
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
