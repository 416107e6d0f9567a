//! Report a project's work items: the project's name from `GetProjectInfo`, every work
//! item of the chosen categories from `ListWorkitems` (all pages, one category at a time,
//! as the operation requires), and a count by category and status. The counting is a
//! plain function with its own unit test.
//!
//! ```text
//! cargo run --features mock --example work_item_report
//! ```
//!
//! `main` runs the job against the in-process mock (no credentials, no network). Against
//! the real service, build the client with `yunxiao::Client::builder().build()?` (the
//! credentials chain: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//! the CLI profile, an ECS role...) or `.credentials(Credentials::new(id, secret))`, and
//! call `project_report` with your organization and project ids.

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt;
use std::io::Write;

use serde_json::json;
use yunxiao::mock::{MockReply, MockServer};
use yunxiao::projex::{ProjexWorkItemCategory, WorkItem};
use yunxiao::Client;

/// Work items counted by (category, status).
#[derive(Debug, PartialEq)]
pub struct ProjectReport {
    pub project: String,
    pub total: usize,
    pub counts: BTreeMap<(String, String), usize>,
}

/// Counts `items` by category and status (the status's display name, e.g. 待处理).
pub fn build_report(project: &str, items: &[WorkItem]) -> ProjectReport {
    let mut counts = BTreeMap::new();
    for item in items {
        let category = item
            .category_identifier
            .as_ref()
            .map_or("(none)", |c| c.as_str());
        let status = item.status.as_deref().unwrap_or("(none)");
        *counts
            .entry((category.to_string(), status.to_string()))
            .or_insert(0) += 1;
    }
    ProjectReport {
        project: project.to_string(),
        total: items.len(),
        counts,
    }
}

impl fmt::Display for ProjectReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {} work items", self.project, self.total)?;
        for ((category, status), n) in &self.counts {
            writeln!(f, "  {category:<5} {n:>3}  {status}")?;
        }
        Ok(())
    }
}

/// The report of project `project_id` over the work items of `categories`.
pub async fn project_report(
    client: &Client,
    org: &str,
    project_id: &str,
    categories: &[ProjexWorkItemCategory],
) -> Result<ProjectReport, Box<dyn Error>> {
    let info = client
        .get_project_info()
        .organization_id(org)
        .project_id(project_id)
        .send()
        .await?;
    let name = info
        .project
        .and_then(|p| p.name)
        .unwrap_or_else(|| project_id.to_string());
    let mut items = Vec::new();
    for category in categories {
        let mut pages = client
            .list_workitems()
            .organization_id(org)
            .space_type("Project")
            .space_identifier(project_id)
            .category(category.clone())
            .max_results(200)
            .stream()
            .items();
        while let Some(mut item) = pages.try_next().await? {
            item.category_identifier
                .get_or_insert_with(|| category.clone());
            items.push(item);
        }
    }
    Ok(build_report(&name, &items))
}

const ORG: &str = "5ebbc0228123212b59xxxxx";
const PROJECT: &str = "e8b2xxxxxxx09b07d23";

/// The job against the mock: five requirements over two pages, two bugs (one without its
/// categoryIdentifier, which the category asked for fills in).
pub async fn run(out: &mut impl Write) -> Result<(), Box<dyn Error>> {
    let server = MockServer::start().await;
    let client = server.client();
    // (serialNumber, categoryIdentifier, status) by page; BUG-2 has no categoryIdentifier.
    #[rustfmt::skip]
    let pages = [
        (vec![("REQ-1", Some("Req"), "待处理"), ("REQ-2", Some("Req"), "开发中"), ("REQ-3", Some("Req"), "已完成")], Some("n2"), 5),
        (vec![("REQ-4", Some("Req"), "开发中"), ("REQ-5", Some("Req"), "待处理")], None, 5),
        (vec![("BUG-1", Some("Bug"), "待处理"), ("BUG-2", None, "已修复")], None, 2),
    ];
    for (items, next, total) in pages {
        let items: Vec<_> = items.iter().map(|(serial, category, status)| {
            json!({"serialNumber": serial, "subject": serial, "categoryIdentifier": category, "status": status})
        }).collect();
        let page =
            json!({"success": true, "workitems": items, "nextToken": next, "totalCount": total});
        server.respond_times("ListWorkitems", 1, MockReply::json(200, page))?;
    }

    let categories = [ProjexWorkItemCategory::Req, ProjexWorkItemCategory::Bug];
    let report = project_report(&client, ORG, PROJECT, &categories).await?;
    write!(out, "{report}")?;

    // What the mock received: the project, then Req twice (the second page by its cursor)
    // and Bug once, all for this project.
    let sent = server.requests();
    assert_eq!(sent[0].action, "GetProjectInfo");
    assert!(
        sent[0].path.ends_with(&format!("/project/{PROJECT}")),
        "{}",
        sent[0].path
    );
    let lists: Vec<_> = sent
        .iter()
        .filter(|r| r.action == "ListWorkitems")
        .collect();
    let asked: Vec<_> = lists
        .iter()
        .map(|r| (r.query_param("category"), r.query_param("nextToken")))
        .collect();
    assert_eq!(
        asked,
        [
            (Some("Req"), None),
            (Some("Req"), Some("n2")),
            (Some("Bug"), None)
        ]
    );
    assert!(lists
        .iter()
        .all(|r| r.query_param("spaceIdentifier") == Some(PROJECT)
            && r.query_param("spaceType") == Some("Project")));
    let count = |c: &str, s: &str| report.counts[&(c.to_string(), s.to_string())];
    assert_eq!((report.project.as_str(), report.total), ("demo示例项目", 7));
    assert_eq!(
        [
            count("Req", "待处理"),
            count("Req", "开发中"),
            count("Bug", "已修复")
        ],
        [2, 2, 1]
    );
    writeln!(
        out,
        "the mock saw 1 project read and 3 list pages, for the right categories"
    )?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    run(&mut std::io::stdout()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work_item(category: Option<ProjexWorkItemCategory>, status: Option<&str>) -> WorkItem {
        // Response types are #[non_exhaustive]: start from Default and set fields.
        let mut item = WorkItem::default();
        item.category_identifier = category;
        item.status = status.map(str::to_string);
        item
    }

    #[test]
    fn counts_by_category_and_status() {
        use ProjexWorkItemCategory::{Bug, Req};
        let items = [
            work_item(Some(Req), Some("待处理")),
            work_item(Some(Req), Some("待处理")),
            work_item(Some(Bug), Some("待处理")),
            work_item(Some(Bug), None),
            work_item(None, Some("已完成")),
        ];
        let report = build_report("demo", &items);
        let key = |c: &str, s: &str| (c.to_string(), s.to_string());
        let expected = BTreeMap::from([
            (key("Req", "待处理"), 2),
            (key("Bug", "待处理"), 1),
            (key("Bug", "(none)"), 1),
            (key("(none)", "已完成"), 1),
        ]);
        assert_eq!(
            report,
            ProjectReport {
                project: "demo".into(),
                total: 5,
                counts: expected
            }
        );
        assert!(report.to_string().starts_with("demo: 5 work items\n"));
        assert!(build_report("empty", &[]).counts.is_empty());
    }

    #[tokio::test]
    async fn runs_against_the_mock() {
        run(&mut std::io::sink()).await.unwrap();
    }
}
