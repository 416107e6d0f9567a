//! Calls name every input: `client.<operation>().<param>(value)...send()`. A required input
//! that is not set is refused before anything is sent, and named.
#![cfg(feature = "mock")]

use yunxiao::mock::MockServer;
use yunxiao::projex::WorkItemPropertyUpdate;
use yunxiao::Error;

fn invalid<C>(err: &Error<C>) -> (&'static str, &str, &str) {
    match err {
        Error::InvalidParameter {
            operation,
            name,
            reason,
        } => (*operation, name.as_str(), reason.as_str()),
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[tokio::test]
async fn named_inputs_reach_their_places() {
    let server = MockServer::start().await;
    let client = server.client();
    // Codeup puts the organization last in its paths, Projex first: by name, order is moot.
    client
        .list_repository_branches()
        .organization_id("my-org")
        .repository_id(12345)
        .send()
        .await
        .expect("listed");
    let sent = server.take_requests();
    assert_eq!(sent[0].path, "/repository/12345/branches");
    assert_eq!(sent[0].query_param("organizationId"), Some("my-org"));
}

#[tokio::test]
async fn a_missing_path_input_is_refused_before_sending() {
    let server = MockServer::start().await;
    let err = server
        .client()
        .get_project_info()
        .organization_id("org")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        ("GetProjectInfo", "projectId", "is required but not set")
    );
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn missing_query_and_body_inputs_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = server.client();
    let err = client
        .get_pipeline_artifact_url()
        .organization_id("org")
        .file_path("/a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(invalid(&err).1, "fileName");
    let err = client
        .update_group()
        .organization_id("org")
        .path_with_namespace("org/g")
        .path("g")
        .send()
        .await
        .unwrap_err();
    assert_eq!(invalid(&err).1, "name");
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_missing_field_of_a_request_object_is_refused_and_located() {
    let server = MockServer::start().await;
    let client = server.client();
    let complete = WorkItemPropertyUpdate::default()
        .field_identifier("status")
        .field_value("done");
    let incomplete = WorkItemPropertyUpdate::default().field_identifier("assignedTo");
    let err = client
        .update_workitem_field()
        .organization_id("org")
        .workitem_identifier("wi-1")
        .update_workitem_property_request(vec![complete.clone(), incomplete])
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).1,
        "updateWorkitemPropertyRequest.2.fieldValue"
    );
    assert!(server.requests().is_empty(), "nothing was sent");

    client
        .update_workitem_field()
        .organization_id("org")
        .workitem_identifier("wi-1")
        .update_workitem_property_request(vec![complete])
        .send()
        .await
        .expect("a complete request is sent");
    assert_eq!(server.requests().len(), 1);
}

/// Every public function signature in the generated code, joined onto one line:
/// `(file, "pub fn name(args) -> Ret")`.
fn generated_signatures() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated"),
        &mut files,
    );
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("pub fn ") {
            let end = rest[start..].find('{').map_or(rest.len(), |e| start + e);
            let sig = rest[start..end].split_whitespace().collect::<Vec<_>>();
            out.push((file.display().to_string(), sig.join(" ")));
            rest = &rest[end..];
        }
    }
    out
}

/// Splits an argument list at the commas outside `<..>` and `(..)`.
fn top_level_args(args: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in args.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(args[start..].trim());
    out.retain(|a| !a.is_empty());
    out
}

#[test]
fn no_generated_call_takes_inputs_by_position() {
    let sigs = generated_signatures();
    assert!(sigs.len() > 1500, "only {} signatures", sigs.len());
    let mut setters = 0;
    for (file, sig) in &sigs {
        let args = &sig[sig.find('(').unwrap() + 1..sig.rfind(')').unwrap()];
        let args = top_level_args(args);
        match args.first().copied() {
            // A setter: one named value.
            Some("mut self") => {
                assert_eq!(args.len(), 2, "{file}: {sig}");
                assert!(args[1].starts_with("value:"), "{file}: {sig}");
                setters += 1;
            }
            // `client.<operation>()`, `send`, `stream`, `into_request`, waiters on a call
            // take nothing; a waiter on `Client` takes a request already built.
            Some("&self") | Some("self") => {
                let extra = &args[1..];
                assert!(
                    extra.is_empty() || (extra.len() == 1 && extra[0].starts_with("request:")),
                    "{file}: {sig}"
                );
            }
            // Free functions (waiter readers, `as_str`, ...) take no request inputs.
            _ => assert!(
                !sig.starts_with("pub fn new("),
                "{file}: a constructor with positional inputs: {sig}"
            ),
        }
    }
    assert!(setters > 1000, "only {setters} setters");
}
