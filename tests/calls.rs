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
