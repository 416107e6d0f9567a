//! Paginated streams (`Client::*_stream`) against a local server that serves several pages.
//!
//! One test per paging style in spec/:
//! - cursor in the query (`nextToken`/`maxResults`, Flow `ListPipelineGroups`),
//! - page number in the query (`page`/`pageSize`, Codeup `ListRepositoryTags`),
//! - page number in the query (`page`/`perPage`, Codeup `ListRepositories`),
//! - the AppStack hybrid (`fixed: {pagination: keyset}` + `nextToken` + `perPage`,
//!   `ListApplications`),
//! - cursor in the JSON body (`nextToken`/`maxResults`, Insight `ExportInsightField`),
//! - page number in the JSON body (`page`/`pageSize`, Codeup `ListSearchRepository`).
//!
//! Each runs the same scenarios (see [`check_style`]): every item in order through `.items()`
//! and `.collect_all()` with exactly the expected requests, `.max_pages(1)`, an error on
//! page 2, and a server that keeps answering the same page (and cursor).

use futures_util::StreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};
use yunxiao::{Client, Error, Paginate, Paginator, RetryConfig};

const ORG: &str = "org1";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .endpoint(server.uri())
        .access_key("id", "secret")
        .retry(RetryConfig::disabled())
        .build()
        .expect("client")
}

/// How the fake server behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Serves the request's page; past the last page, empty pages.
    Normal,
    /// Page 2 fails with HTTP 500 (retries are disabled).
    FailPage2,
    /// Ignores the cursor / page number: answers page 1 (and its next cursor) forever.
    Repeat,
}

/// One paging style: an operation, how its requests ask for a page and how a page looks.
struct Style<O: Paginate> {
    method: &'static str,
    path: &'static str,
    /// Item ids of each page the server has.
    pages: &'static [&'static [i64]],
    /// The 0-based page a request asks for.
    page_of: fn(&Request) -> usize,
    /// Where a request is in the listing: its paging parameters, as text.
    params_of: fn(&Request) -> String,
    /// Response body of 0-based page `i`, holding `items`; `last` when no page follows.
    body: fn(i: usize, items: &[i64], last: bool) -> Value,
    /// The stream under test.
    start: for<'a> fn(&'a Client) -> Paginator<'a, O>,
    /// An item's id.
    id_of: fn(&O::Item) -> i64,
    /// `params_of` of each request of a complete run, in order.
    expected: &'static [&'static str],
    /// How many requests the stream makes in [`Mode::Repeat`] before it stops by itself;
    /// `None` when the responses give it nothing to stop on (it would page forever).
    repeat_requests: Option<usize>,
}

async fn serve<O: Paginate>(style: &Style<O>, mode: Mode) -> MockServer {
    let server = MockServer::start().await;
    let (pages, page_of, body) = (style.pages, style.page_of, style.body);
    Mock::given(method(style.method))
        .and(path(style.path))
        .respond_with(move |req: &Request| {
            let i = if mode == Mode::Repeat {
                0
            } else {
                page_of(req)
            };
            if mode == Mode::FailPage2 && i == 1 {
                return ResponseTemplate::new(500).set_body_json(json!({
                    "errorCode": "SystemError",
                    "errorMessage": "page 2 failed",
                    "success": false,
                }));
            }
            let items = pages.get(i).copied().unwrap_or(&[]);
            ResponseTemplate::new(200).set_body_json(body(i, items, i + 1 >= pages.len()))
        })
        .mount(&server)
        .await;
    server
}

async fn requests<O: Paginate>(style: &Style<O>, server: &MockServer) -> Vec<String> {
    let received = server.received_requests().await.expect("recording is on");
    received.iter().map(|r| (style.params_of)(r)).collect()
}

/// The scenarios every paging style must pass.
async fn check_style<O: Paginate>(name: &str, style: Style<O>) {
    let all: Vec<i64> = style.pages.iter().flat_map(|p| p.iter().copied()).collect();
    let first: Vec<i64> = style.pages[0].to_vec();

    // Every item, in order, through .items(); exactly the expected requests.
    let server = serve(&style, Mode::Normal).await;
    let c = client(&server);
    let got: Vec<i64> = (style.start)(&c)
        .items()
        .map(|item| (style.id_of)(&item.unwrap_or_else(|e| panic!("{name}: items(): {e}"))))
        .collect()
        .await;
    assert_eq!(got, all, "{name}: items()");
    assert_eq!(
        requests(&style, &server).await,
        style.expected,
        "{name}: requests of items()"
    );

    // The same through .collect_all().
    let server = serve(&style, Mode::Normal).await;
    let c = client(&server);
    let got = (style.start)(&c)
        .collect_all()
        .await
        .unwrap_or_else(|e| panic!("{name}: collect_all(): {e}"));
    let got: Vec<i64> = got.iter().map(style.id_of).collect();
    assert_eq!(got, all, "{name}: collect_all()");
    assert_eq!(
        requests(&style, &server).await,
        style.expected,
        "{name}: requests of collect_all()"
    );

    // .pages() gives the server's pages as they are.
    let server = serve(&style, Mode::Normal).await;
    let c = client(&server);
    let pages: Vec<Vec<i64>> = (style.start)(&c)
        .pages()
        .map(|page| page.expect("page").iter().map(style.id_of).collect())
        .collect()
        .await;
    let want: Vec<Vec<i64>> = style.pages.iter().map(|p| p.to_vec()).collect();
    assert_eq!(pages, want, "{name}: pages()");

    // .max_pages(1) stops after the first page, with one request.
    let server = serve(&style, Mode::Normal).await;
    let c = client(&server);
    let got: Vec<i64> = (style.start)(&c)
        .max_pages(1)
        .items()
        .map(|item| (style.id_of)(&item.expect("item")))
        .collect()
        .await;
    assert_eq!(got, first, "{name}: max_pages(1)");
    assert_eq!(
        requests(&style, &server).await,
        style.expected[..1],
        "{name}: requests of max_pages(1)"
    );

    // An error on page 2 surfaces after page 1's items, and ends the stream.
    let server = serve(&style, Mode::FailPage2).await;
    let c = client(&server);
    let mut items = (style.start)(&c).items();
    for want in &first {
        let item = items
            .next()
            .await
            .expect("an item")
            .expect("page 1 is fine");
        assert_eq!(
            (style.id_of)(&item),
            *want,
            "{name}: page 1 before the error"
        );
    }
    match items.next().await {
        Some(Err(Error::Api(e))) => {
            assert_eq!(e.status, 500, "{name}: {e:?}");
            assert_eq!(e.code, "SystemError", "{name}: {e:?}");
        }
        other => panic!(
            "{name}: expected the API error after page 1, got {:?}",
            other.map(|r| r.map(|i| (style.id_of)(&i)))
        ),
    }
    assert!(
        items.next().await.is_none(),
        "{name}: stream ends after the error"
    );
    drop(items);
    assert_eq!(
        requests(&style, &server).await,
        style.expected[..2],
        "{name}: requests up to the error"
    );
    let server = serve(&style, Mode::FailPage2).await;
    let c = client(&server);
    assert!(
        matches!((style.start)(&c).collect_all().await, Err(Error::Api(_))),
        "{name}: collect_all() returns the error"
    );

    // A server that answers the same page (and cursor) forever does not keep the stream going.
    if let Some(n) = style.repeat_requests {
        let server = serve(&style, Mode::Repeat).await;
        let c = client(&server);
        // bounded, so a regression fails instead of hanging
        let pages = (style.start)(&c).pages().take(50).collect::<Vec<_>>().await;
        assert!(
            pages.iter().all(Result::is_ok),
            "{name}: repeating server: {pages:?}",
            pages = pages
                .iter()
                .map(|p| p.as_ref().map(Vec::len))
                .collect::<Vec<_>>()
        );
        assert_eq!(pages.len(), n, "{name}: pages from a repeating server");
        assert_eq!(
            requests(&style, &server).await.len(),
            n,
            "{name}: requests to a repeating server"
        );
    }
}

// --------------------------------------------------------------------------------------
// Reading requests

fn query(req: &Request, name: &str) -> String {
    req.url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map_or_else(|| "-".to_string(), |(_, v)| v.into_owned())
}

fn body(req: &Request) -> Value {
    serde_json::from_slice(&req.body).expect("a JSON body")
}

/// A body field as text: `-` when absent.
fn field(body: &Value, name: &str) -> String {
    match body.get(name) {
        None => "-".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// `None` -> page 0, `t1` -> page 1, `t2` -> page 2.
fn page_of_cursor(cursor: &str) -> usize {
    match cursor {
        "-" => 0,
        t => t
            .strip_prefix('t')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected cursor {t:?}")),
    }
}

/// Page number `n` (1-based) -> page `n - 1`; no page number -> page 0.
fn page_of_number(page: &str) -> usize {
    match page {
        "-" => 0,
        n => n.parse::<usize>().expect("a page number") - 1,
    }
}

/// The cursor that follows page `i`: `t<i+1>`.
fn next_cursor(i: usize) -> String {
    format!("t{}", i + 1)
}

// --------------------------------------------------------------------------------------
// Cursor (nextToken/maxResults) in the query: Flow ListPipelineGroups. Ends when the response
// has no nextToken.

fn list_pipeline_groups(c: &Client) -> Paginator<'_, yunxiao::flow::ListPipelineGroupsRequest> {
    c.list_pipeline_groups()
        .organization_id(ORG)
        .max_results(2)
        .stream()
}

#[tokio::test]
async fn cursor_in_query_flow_list_pipeline_groups() {
    check_style(
        "ListPipelineGroups",
        Style {
            method: "GET",
            path: "/organization/org1/pipelineGroups",
            pages: &[&[1, 2], &[3, 4], &[5]],
            page_of: |r| page_of_cursor(&query(r, "nextToken")),
            params_of: |r| {
                format!(
                    "nextToken={} maxResults={}",
                    query(r, "nextToken"),
                    query(r, "maxResults")
                )
            },
            body: |i, items, last| {
                let groups: Vec<Value> = items
                    .iter()
                    .map(|id| json!({"id": id, "name": format!("group {id}")}))
                    .collect();
                let mut b = json!({"success": true, "requestId": "r", "pipelineGroups": groups});
                if !last {
                    b["nextToken"] = json!(next_cursor(i));
                }
                b
            },
            start: list_pipeline_groups,
            id_of: |g| g.id.expect("id"),
            expected: &[
                "nextToken=- maxResults=2",
                "nextToken=t1 maxResults=2",
                "nextToken=t2 maxResults=2",
            ],
            repeat_requests: Some(2),
        },
    )
    .await;
}

// --------------------------------------------------------------------------------------
// Page number (page/pageSize) in the query: Codeup ListRepositoryTags. Ends on a short page.

fn list_repository_tags(c: &Client) -> Paginator<'_, yunxiao::codeup::ListRepositoryTagsRequest> {
    c.list_repository_tags()
        .repository_id(42)
        .organization_id(ORG)
        .page_size(2)
        .stream()
}

fn tags_body(_: usize, items: &[i64], _: bool) -> Value {
    let tags: Vec<Value> = items
        .iter()
        .map(|id| json!({"name": format!("v{id}"), "message": "release"}))
        .collect();
    json!({"success": true, "requestId": "r", "result": tags})
}

fn tag_id(t: &yunxiao::codeup::CodeupTag) -> i64 {
    let name = t.name.as_deref().expect("name");
    name.strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .expect("v<n>")
}

#[tokio::test]
async fn page_and_page_size_in_query_codeup_list_repository_tags() {
    check_style(
        "ListRepositoryTags",
        Style {
            method: "GET",
            path: "/repository/42/tag/list",
            pages: &[&[1, 2], &[3, 4], &[5]],
            page_of: |r| page_of_number(&query(r, "page")),
            params_of: |r| {
                format!(
                    "organizationId={} page={} pageSize={}",
                    query(r, "organizationId"),
                    query(r, "page"),
                    query(r, "pageSize")
                )
            },
            body: tags_body,
            start: list_repository_tags,
            id_of: tag_id,
            expected: &[
                "organizationId=org1 page=- pageSize=2",
                "organizationId=org1 page=2 pageSize=2",
                "organizationId=org1 page=3 pageSize=2",
            ],
            // no total and every repeated page is full: only max_pages bounds it
            repeat_requests: None,
        },
    )
    .await;
}

fn list_repository_tags_no_size(
    c: &Client,
) -> Paginator<'_, yunxiao::codeup::ListRepositoryTagsRequest> {
    c.list_repository_tags()
        .repository_id(42)
        .organization_id(ORG)
        .stream()
}

/// Without a page size the paginator cannot tell a short page: it stops on the empty page
/// after the last one.
#[tokio::test]
async fn page_in_query_without_page_size_stops_on_an_empty_page() {
    check_style(
        "ListRepositoryTags without pageSize",
        Style {
            method: "GET",
            path: "/repository/42/tag/list",
            pages: &[&[1, 2], &[3, 4], &[5], &[]],
            page_of: |r| page_of_number(&query(r, "page")),
            params_of: |r| {
                format!(
                    "page={} pageSize={}",
                    query(r, "page"),
                    query(r, "pageSize")
                )
            },
            // the server's last page is the empty one
            body: tags_body,
            start: list_repository_tags_no_size,
            id_of: tag_id,
            expected: &[
                "page=- pageSize=-",
                "page=2 pageSize=-",
                "page=3 pageSize=-",
                "page=4 pageSize=-",
            ],
            repeat_requests: None,
        },
    )
    .await;
}

// --------------------------------------------------------------------------------------
// Page number (page/perPage) in the query: Codeup ListRepositories. Ends when `total` items
// have been seen (the last page is full).

fn list_repositories(c: &Client) -> Paginator<'_, yunxiao::codeup::ListRepositoriesRequest> {
    c.list_repositories()
        .organization_id(ORG)
        .page(1)
        .per_page(2)
        .stream()
}

#[tokio::test]
async fn page_and_per_page_in_query_codeup_list_repositories() {
    check_style(
        "ListRepositories",
        Style {
            method: "GET",
            path: "/repository/list",
            pages: &[&[1, 2], &[3, 4], &[5, 6]],
            page_of: |r| page_of_number(&query(r, "page")),
            params_of: |r| {
                format!(
                    "organizationId={} page={} perPage={}",
                    query(r, "organizationId"),
                    query(r, "page"),
                    query(r, "perPage")
                )
            },
            body: |_, items, _| {
                let repos: Vec<Value> = items
                    .iter()
                    .map(|id| json!({"Id": id, "name": format!("repo{id}"), "namespaceId": 7}))
                    .collect();
                json!({"success": true, "requestId": "r", "result": repos, "total": 6})
            },
            start: list_repositories,
            id_of: |r| r.id.expect("id"),
            expected: &[
                "organizationId=org1 page=1 perPage=2",
                "organizationId=org1 page=2 perPage=2",
                "organizationId=org1 page=3 perPage=2",
            ],
            // page 1 over and over: total (6) is reached after 3 pages
            repeat_requests: Some(3),
        },
    )
    .await;
}

// --------------------------------------------------------------------------------------
// AppStack hybrid: keyset paging asked for with pagination=keyset, nextToken + perPage in the
// query. Ends on an empty nextToken.

fn list_applications(c: &Client) -> Paginator<'_, yunxiao::appstack::ListApplicationsRequest> {
    c.list_applications()
        .organization_id(ORG)
        .per_page(2)
        .stream()
}

#[tokio::test]
async fn appstack_hybrid_keyset_list_applications() {
    check_style(
        "ListApplications",
        Style {
            method: "GET",
            path: "/appstack/apps%3Asearch",
            pages: &[&[1, 2], &[3, 4], &[5]],
            page_of: |r| page_of_cursor(&query(r, "nextToken")),
            params_of: |r| {
                format!(
                    "pagination={} nextToken={} perPage={}",
                    query(r, "pagination"),
                    query(r, "nextToken"),
                    query(r, "perPage")
                )
            },
            body: |i, items, last| {
                let apps: Vec<Value> = items
                    .iter()
                    .map(|id| json!({"name": format!("app-{id}"), "description": "d"}))
                    .collect();
                let next = if last { String::new() } else { next_cursor(i) };
                json!({"requestId": "r", "data": apps, "nextToken": next})
            },
            start: list_applications,
            id_of: |a| {
                let name = a.name.as_deref().expect("name");
                name.strip_prefix("app-")
                    .and_then(|n| n.parse().ok())
                    .expect("app-<n>")
            },
            expected: &[
                "pagination=keyset nextToken=- perPage=2",
                "pagination=keyset nextToken=t1 perPage=2",
                "pagination=keyset nextToken=t2 perPage=2",
            ],
            repeat_requests: Some(2),
        },
    )
    .await;
}

// --------------------------------------------------------------------------------------
// Cursor (nextToken/maxResults) in the JSON body: Insight ExportInsightField. Ends when the
// response has no nextToken (totalCount is larger and never reached).

fn export_insight_field(c: &Client) -> Paginator<'_, yunxiao::insight::ExportInsightFieldRequest> {
    c.export_insight_field()
        .organization_id(ORG)
        .end_time("2024-06-01 00:00:00")
        .start_time("2024-05-01 00:00:00")
        .max_results(2)
        .stream()
}

#[tokio::test]
async fn cursor_in_json_body_insight_export_insight_field() {
    check_style(
        "ExportInsightField",
        Style {
            method: "POST",
            path: "/organization/org1/data/fields",
            pages: &[&[1, 2], &[3, 4], &[5]],
            page_of: |r| page_of_cursor(&field(&body(r), "nextToken")),
            params_of: |r| {
                let b = body(r);
                format!(
                    "body nextToken={} maxResults={} startTime={} endTime={}; query nextToken={}",
                    field(&b, "nextToken"),
                    field(&b, "maxResults"),
                    field(&b, "startTime"),
                    field(&b, "endTime"),
                    query(r, "nextToken"),
                )
            },
            body: |i, items, last| {
                let fields: Vec<Value> = items
                    .iter()
                    .map(|id| json!({"id": id, "fieldId": format!("f{id}"), "isDeleted": "N"}))
                    .collect();
                let mut b = json!({"maxResults": 2, "result": fields, "totalCount": 100});
                if !last {
                    b["nextToken"] = json!(next_cursor(i));
                }
                b
            },
            start: export_insight_field,
            id_of: |f| f.id.expect("id"),
            expected: &[
                "body nextToken=- maxResults=2 startTime=2024-05-01 00:00:00 endTime=2024-06-01 00:00:00; query nextToken=-",
                "body nextToken=t1 maxResults=2 startTime=2024-05-01 00:00:00 endTime=2024-06-01 00:00:00; query nextToken=-",
                "body nextToken=t2 maxResults=2 startTime=2024-05-01 00:00:00 endTime=2024-06-01 00:00:00; query nextToken=-",
            ],
            repeat_requests: Some(2),
        },
    )
    .await;
}

// --------------------------------------------------------------------------------------
// Page number (page/pageSize) in the JSON body: Codeup ListSearchRepository. Ends on a short
// page (total agrees).

fn list_search_repository(
    c: &Client,
) -> Paginator<'_, yunxiao::codeup::ListSearchRepositoryRequest> {
    c.list_search_repository()
        .organization_id(ORG)
        .keyword("test")
        .page_size(2)
        .stream()
}

#[tokio::test]
async fn page_in_json_body_codeup_list_search_repository() {
    check_style(
        "ListSearchRepository",
        Style {
            method: "POST",
            path: "/search/repo",
            pages: &[&[1, 2], &[3, 4], &[5]],
            page_of: |r| page_of_number(&field(&body(r), "page")),
            params_of: |r| {
                let b = body(r);
                format!(
                    "body keyword={} page={} pageSize={}; query organizationId={} page={}",
                    field(&b, "keyword"),
                    field(&b, "page"),
                    field(&b, "pageSize"),
                    query(r, "organizationId"),
                    query(r, "page"),
                )
            },
            body: |_, items, _| {
                let hits: Vec<Value> = items
                    .iter()
                    .map(|id| json!({"docId": format!("doc{id}"), "source": {"repoName": "r"}}))
                    .collect();
                json!({"success": true, "requestId": "r", "result": hits, "total": 5})
            },
            start: list_search_repository,
            id_of: |h| {
                let doc = h.doc_id.as_deref().expect("docId");
                doc.strip_prefix("doc")
                    .and_then(|n| n.parse().ok())
                    .expect("doc<n>")
            },
            expected: &[
                "body keyword=test page=- pageSize=2; query organizationId=org1 page=-",
                "body keyword=test page=2 pageSize=2; query organizationId=org1 page=-",
                "body keyword=test page=3 pageSize=2; query organizationId=org1 page=-",
            ],
            // page 1 over and over: total (5) is reached after 3 pages
            repeat_requests: Some(3),
        },
    )
    .await;
}

// --------------------------------------------------------------------------------------
// Known gaps of src/paginate.rs (ignored until it is fixed; each is bounded, never hangs).

/// A server whose cursors cycle (t1 -> t2 -> t1 ...) keeps the stream going: the paginator
/// only compares a cursor with the one just before it, not with every cursor it has sent.
#[tokio::test]
async fn cursor_cycle_does_not_loop_forever() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/organization/org1/pipelineGroups"))
        .respond_with(|r: &Request| {
            let next = match query(r, "nextToken").as_str() {
                "-" | "t2" => "t1",
                _ => "t2",
            };
            ResponseTemplate::new(200)
                .set_body_json(json!({"pipelineGroups": [{"id": 1}], "nextToken": next}))
        })
        .mount(&server)
        .await;
    let c = client(&server);
    let pages = list_pipeline_groups(&c).pages().take(50).count().await;
    // None -> t1, t1 -> t2, t2 -> t1 (seen): three pages
    assert_eq!(pages, 3, "pages from a server whose cursors cycle");
}

/// A server that caps the page size (asked for 100, sends 2) while `total` says more remain:
/// the stream keeps paging until the total is reached.
#[tokio::test]
async fn short_page_with_total_left_keeps_paging() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repository/list"))
        .respond_with(|r: &Request| {
            let p: i64 = query(r, "page").parse().unwrap_or(1);
            let items: Vec<Value> = if p <= 3 {
                vec![json!({"Id": 2 * p - 1}), json!({"Id": 2 * p})]
            } else {
                vec![]
            };
            ResponseTemplate::new(200).set_body_json(json!({"result": items, "total": 6}))
        })
        .mount(&server)
        .await;
    let c = client(&server);
    let all = c
        .list_repositories()
        .organization_id(ORG)
        .per_page(100)
        .stream()
        .collect_all()
        .await
        .expect("pages");
    let ids: Vec<i64> = all.iter().map(|r| r.id.expect("id")).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
}

/// A stream that starts at page 3 of 3 counts the first two pages against the total, so it
/// makes no extra request for an empty page 4.
#[tokio::test]
async fn starting_at_a_later_page_counts_earlier_pages_toward_the_total() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repository/list"))
        .respond_with(|r: &Request| {
            let p: i64 = query(r, "page").parse().unwrap_or(1);
            let items: Vec<Value> = if p <= 3 {
                vec![json!({"Id": 2 * p - 1}), json!({"Id": 2 * p})]
            } else {
                vec![]
            };
            ResponseTemplate::new(200).set_body_json(json!({"result": items, "total": 6}))
        })
        .mount(&server)
        .await;
    let c = client(&server);
    let all = c
        .list_repositories()
        .organization_id(ORG)
        .page(3)
        .per_page(2)
        .stream()
        .collect_all()
        .await
        .expect("pages");
    let ids: Vec<i64> = all.iter().map(|r| r.id.expect("id")).collect();
    assert_eq!(ids, [5, 6]);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
