//! The mock server: every operation's example round-trips, bad requests are refused,
//! overrides reach the client's typed errors, and the tour runs.
#![cfg(feature = "mock")]

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use yunxiao::credentials::Credentials;
use yunxiao::mock::{MockOperation, MockReply, MockServer, PARAM_NOT_PRESENT, TYPE_MISMATCH};
use yunxiao::projex::GetProjectInfoErrorCode;
use yunxiao::signing::{self, RequestContext, SignatureVersion};
use yunxiao::{Error, RetryConfig, API_VERSION, OPERATIONS};

#[allow(dead_code)]
#[path = "../examples/tour.rs"]
mod tour;

/// Operations whose typed response, re-serialized, differs from the documented example
/// only in how numbers are written: the example has an integer (`120`) where the spec
/// types the field `float`/`double`, so the typed value re-serializes as `120.0`. The
/// values are equal; the set is checked exactly (a new entry, or one that starts matching
/// byte for byte, fails the test).
const NUMBER_FORM_ONLY: &[&str] = &[
    // result[].value
    "ExportInsightExpectedWorkTime",
    // result[].actualValue
    "ExportInsightWorkTime",
    // workitemTimeEstimate[].spentTime
    "ListWorkitemEstimate",
    // workitemTime[].actualTime
    "ListWorkitemTime",
];

fn without_request_id(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.remove("requestId");
    }
    v
}

/// Equality where numbers compare by value (`120 == 120.0`).
fn same_numbers(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_numbers(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_numbers(v, w)))
        }
        _ => a == b,
    }
}

fn example_json(op: &MockOperation) -> Value {
    match yunxiao::mock::example_response(op.meta.action) {
        // A plain-text example that is a JSON string reads as that string.
        Some(Value::String(text)) if op.meta.response_is_text => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Some(value) => value.clone(),
        None => json!({}),
    }
}

#[tokio::test]
async fn every_example_call_round_trips() {
    let server = MockServer::start().await;
    let client = server.client();
    assert_eq!(yunxiao::MOCK_OPERATIONS.len(), OPERATIONS.len());
    let mut number_form = BTreeSet::new();
    let mut failures = Vec::new();
    for op in yunxiao::MOCK_OPERATIONS {
        let (meta, action) = (op.meta, &op.meta.action);
        let typed = match (op.call_example)(&client).await {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{action}: call failed: {e}"));
                server.clear_requests();
                continue;
            }
        };
        let received = server.take_requests();
        assert_eq!(received.len(), 1, "{action}: {received:?}");
        assert_eq!(received[0].action, *action);
        assert_eq!(received[0].method, meta.method.as_str(), "{action}");
        assert_eq!(received[0].header("x-acs-action"), Some(*action));
        assert_eq!(received[0].status, 200, "{action}");

        let typed = without_request_id(typed);
        // A list operation's example is answered as the page the request asks for.
        let example = if op.paging.is_some() {
            serde_json::from_slice(&received[0].answer).expect("a JSON answer")
        } else {
            example_json(op)
        };
        let example = without_request_id(example);
        if typed == example {
            continue;
        }
        if same_numbers(&typed, &example) {
            number_form.insert(*action);
        } else {
            failures.push(format!(
                "{action}: typed response differs from the example\n  typed:   {typed}\n  example: {example}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let known: BTreeSet<&str> = NUMBER_FORM_ONLY.iter().copied().collect();
    assert_eq!(
        number_form, known,
        "operations differing only in number form"
    );
}

// ---------------------------------------------------------------------------------------
// Raw requests, signed like the client signs them.

struct Raw<'a> {
    method: &'static str,
    path: &'a str,
    query: Vec<(String, String)>,
    action: &'a str,
    body: Option<(&'static str, Vec<u8>)>,
}

impl<'a> Raw<'a> {
    fn new(method: &'static str, path: &'a str, action: &'a str) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            action,
            body: None,
        }
    }

    fn query(mut self, k: &str, v: &str) -> Self {
        self.query.push((k.to_string(), v.to_string()));
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some((signing::JSON_CONTENT_TYPE, body.to_string().into_bytes()));
        self
    }

    fn bytes(mut self, content_type: &'static str, body: &[u8]) -> Self {
        self.body = Some((content_type, body.to_vec()));
        self
    }

    /// Headers for this request signed with `credentials` (V3).
    fn signed_headers(&self, host: &str, credentials: &Credentials) -> Vec<(String, String)> {
        let nonce = signing::new_nonce();
        signing::sign_request(&RequestContext {
            version: SignatureVersion::V3,
            method: self.method,
            host,
            path: self.path,
            query: &self.query,
            action: self.action,
            api_version: API_VERSION,
            user_agent: "mock-test",
            content_type: self.body.as_ref().map(|(ct, _)| *ct),
            body: self
                .body
                .as_ref()
                .map(|(_, b)| b.as_slice())
                .unwrap_or_default(),
            timestamp: SystemTime::now(),
            nonce: &nonce,
            credentials,
            extra_headers: &[],
        })
    }

    /// Sends it signed with the server's credentials; returns status and JSON body.
    async fn send(self, server: &MockServer) -> (u16, Value) {
        let headers = self.signed_headers(&server.addr().to_string(), server.credentials());
        self.send_with(server, headers).await
    }

    async fn send_with(self, server: &MockServer, headers: Vec<(String, String)>) -> (u16, Value) {
        let mut url = format!("{}{}", server.endpoint(), self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&signing::encode::wire_query(&self.query));
        }
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut request = reqwest::Client::new().request(method, url);
        for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
            request = request.header(name, value);
        }
        if let Some((_, body)) = self.body {
            request = request.body(body);
        }
        let response = request.send().await.expect("the mock answers");
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
}

fn assert_param_error(status: u16, body: &Value, code: &str, names: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errorCode"], code, "{body}");
    assert_eq!(body["Code"], code, "{body}");
    assert_eq!(body["success"], false, "{body}");
    let message = body["errorMessage"].as_str().unwrap();
    assert!(message.contains(&format!("`{names}`")), "{message}");
    assert_eq!(body["Message"], message);
    assert!(body["requestId"].as_str().is_some_and(|id| !id.is_empty()));
}

const ORG: &str = "5ebbc0228123212b59xxxxx";

#[tokio::test]
async fn a_valid_raw_request_is_answered() {
    let server = MockServer::start().await;
    let (status, body) = Raw::new(
        "POST",
        "/organization/org/pipeline/getArtifactDownloadUrl",
        "GetPipelineArtifactUrl",
    )
    .query("filePath", "/a b+c.tgz")
    .query("fileName", "a b+c.tgz")
    .send(&server)
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["fileUrl"], "http://aliyun.com/");
    let received = server.requests();
    assert_eq!(received[0].query_param("filePath"), Some("/a b+c.tgz"));
}

#[tokio::test]
async fn missing_required_query_parameter_is_400() {
    let server = MockServer::start().await;
    let (status, body) = Raw::new(
        "POST",
        "/organization/org/pipeline/getArtifactDownloadUrl",
        "GetPipelineArtifactUrl",
    )
    .query("filePath", "/test/test.tgz")
    .send(&server)
    .await;
    assert_param_error(status, &body, PARAM_NOT_PRESENT, "fileName");
    assert_eq!(server.requests()[0].status, 400);
}

#[tokio::test]
async fn missing_required_body_parameter_is_400() {
    let server = MockServer::start().await;
    let (status, body) = Raw::new("PUT", "/groups/modify", "UpdateGroup")
        .query("organizationId", ORG)
        .json(json!({"pathWithNamespace": "org/g", "path": "g"}))
        .send(&server)
        .await;
    assert_param_error(status, &body, PARAM_NOT_PRESENT, "name");

    // null counts as absent.
    let (status, body) = Raw::new("PUT", "/groups/modify", "UpdateGroup")
        .query("organizationId", ORG)
        .json(json!({"pathWithNamespace": "org/g", "path": "g", "name": null}))
        .send(&server)
        .await;
    assert_param_error(status, &body, PARAM_NOT_PRESENT, "name");

    // A required query parameter of a JSON operation.
    let (status, body) = Raw::new("PUT", "/groups/modify", "UpdateGroup")
        .json(json!({"pathWithNamespace": "org/g", "path": "g", "name": "g"}))
        .send(&server)
        .await;
    assert_param_error(status, &body, PARAM_NOT_PRESENT, "organizationId");
}

#[tokio::test]
async fn wrong_types_are_400() {
    let server = MockServer::start().await;
    // A JSON body field of type integer.
    let (status, body) = Raw::new("PUT", "/groups/modify", "UpdateGroup")
        .query("organizationId", ORG)
        .json(json!({"pathWithNamespace": "org/g", "path": "g", "name": "g", "visibilityLevel": "ten"}))
        .send(&server)
        .await;
    assert_param_error(status, &body, TYPE_MISMATCH, "visibilityLevel");

    // A long query parameter with letters.
    let (status, body) = Raw::new(
        "GET",
        "/organization/org/pipelines/12/pipelineRuns",
        "ListPipelineRuns",
    )
    .query("maxResults", "20x")
    .send(&server)
    .await;
    assert_param_error(status, &body, TYPE_MISMATCH, "maxResults");

    // A long path parameter with letters.
    let (status, body) = Raw::new(
        "POST",
        "/organization/org/pipelines/abc/pipelineRuns/1111/jobs/111/pass",
        "PassPipelineValidate",
    )
    .send(&server)
    .await;
    assert_param_error(status, &body, TYPE_MISMATCH, "pipelineId");

    // A JSON body that is not an object, and one that is not JSON at all.
    for bad in [&b"[1, 2]"[..], b"{\"name\": ", b"\xff\xfe"] {
        let (status, body) = Raw::new("PUT", "/groups/modify", "UpdateGroup")
            .query("organizationId", ORG)
            .bytes(signing::JSON_CONTENT_TYPE, bad)
            .send(&server)
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errorCode"], yunxiao::mock::MALFORMED_BODY);
    }
}

#[tokio::test]
async fn bad_signatures_are_403() {
    let server = MockServer::start().await;
    fn request(c: &yunxiao::Client) -> yunxiao::projex::GetProjectInfoCall<'_> {
        c.get_project_info().organization_id(ORG).project_id("p")
    }

    // Wrong secret, through the client: an API error with status 403.
    let client = server
        .client_builder()
        .access_key(yunxiao::mock::MOCK_ACCESS_KEY_ID, "wrong-secret")
        .build()
        .unwrap();
    let err = request(&client).send().await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_str()),
        (403, "SignatureDoesNotMatch")
    );
    assert!(matches!(err, Error::Api(_)));
    assert!(api.request_id.is_some());

    // Unknown access key.
    let client = server
        .client_builder()
        .access_key("someone-else", "secret")
        .build()
        .unwrap();
    let err = request(&client).send().await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(
        (api.status, api.code.as_str()),
        (403, "InvalidAccessKeyId.NotFound")
    );

    // No signature at all.
    let (status, body) = Raw::new("GET", "/organization/o/project/p", "GetProjectInfo")
        .send_with(
            &server,
            vec![("x-acs-action".into(), "GetProjectInfo".into())],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(body["Code"], "IncompleteSignature");

    // A body changed after signing.
    let raw = Raw::new("PUT", "/groups/modify", "UpdateGroup")
        .query("organizationId", ORG)
        .json(json!({"pathWithNamespace": "o/g", "path": "g", "name": "g"}));
    let headers = raw.signed_headers(&server.addr().to_string(), server.credentials());
    let tampered = raw.json(json!({"pathWithNamespace": "o/g", "path": "g", "name": "evil"}));
    let (status, body) = tampered.send_with(&server, headers).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (403, Some("SignatureDoesNotMatch"))
    );
}

#[tokio::test]
async fn legacy_and_sts_signatures_are_accepted() {
    let server = MockServer::start().await;
    let legacy = server
        .client_builder()
        .signature_version(SignatureVersion::Legacy)
        .build()
        .unwrap();
    legacy
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap();

    let sts = Credentials::with_security_token("sts-id", "sts-secret", "CAIS+token==");
    let server = MockServer::builder().credentials(sts.clone()).start().await;
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let client = server
            .client_builder()
            .signature_version(version)
            .build()
            .unwrap();
        let info = client
            .get_project_info()
            .organization_id(ORG)
            .project_id("p")
            .send()
            .await
            .unwrap();
        assert!(info.project.is_some());
    }
    assert_eq!(
        server.requests()[0].header("x-acs-security-token"),
        Some("CAIS+token==")
    );
    for creds in [
        Credentials::with_security_token("sts-id", "sts-secret", "another-token"),
        Credentials::new("sts-id", "sts-secret"),
    ] {
        let client = server.client_builder().credentials(creds).build().unwrap();
        let err = client
            .get_project_info()
            .organization_id(ORG)
            .project_id("p")
            .send()
            .await
            .unwrap_err();
        let api = err.as_api().unwrap();
        assert_eq!(
            (api.status, api.code.as_str()),
            (403, "InvalidSecurityToken.Mismatch")
        );
    }
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_actions_400() {
    let server = MockServer::start().await;
    let (status, body) = Raw::new("GET", "/no/such/operation", "GetProjectInfo")
        .send(&server)
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["Code"], "InvalidAction.NotFound");
    assert!(body["Message"]
        .as_str()
        .unwrap()
        .contains("/no/such/operation"));
    assert!(body["requestId"].is_string());

    // A known path with another method.
    let (status, _) = Raw::new("DELETE", "/organization/o/project/p", "GetProjectInfo")
        .send(&server)
        .await;
    assert_eq!(status, 404);

    // A trailing slash is another path.
    let (status, _) = Raw::new("GET", "/organization/o/project/p/", "GetProjectInfo")
        .send(&server)
        .await;
    assert_eq!(status, 404);

    // The right path with another operation's action.
    let (status, body) = Raw::new("GET", "/organization/o/project/p", "UpdateGroup")
        .send(&server)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["Code"], "InvalidAction.Mismatch");
}

#[tokio::test]
async fn templates_with_encoded_colons_route() {
    let server = MockServer::start().await;
    // `/appstack/apps%3Asearch`: the literal `%3A` matches `:` and `%3A`.
    for path in ["/appstack/apps%3Asearch", "/appstack/apps:search"] {
        let (status, body) = Raw::new("GET", path, "ListApplications")
            .query("organizationId", ORG)
            .send(&server)
            .await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let received = server.requests();
    assert!(received.iter().all(|r| r.action == "ListApplications"));
}

#[tokio::test]
async fn documented_error_override_reaches_the_typed_error() {
    let server = MockServer::start().await;
    let client = server.client();
    server
        .respond("GetProjectInfo", MockReply::error("Operate.NoPermission"))
        .unwrap();
    let err = client
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(GetProjectInfoErrorCode::OperateNoPermission)
    );
    let api = err.as_api().unwrap();
    assert_eq!(api.status, 403);
    assert_eq!(api.message, "NoPermission");
    assert_eq!(api.documented.map(|d| d.description), Some("没有权限"));
    let id = api.request_id.as_deref().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(err.request_id(), Some(id));
    assert_eq!(server.requests()[0].status, 403);

    // Every call keeps failing until reset.
    assert!(client
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .is_err());
    server.reset("GetProjectInfo").unwrap();
    client
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap();

    // Codes the operation does not document, and unknown actions, are refused.
    assert_eq!(
        server.respond("GetProjectInfo", MockReply::error("Nope")),
        Err(yunxiao::mock::MockError::UndocumentedError {
            action: "GetProjectInfo".into(),
            code: "Nope".into()
        })
    );
    assert!(server
        .respond("NoSuchAction", MockReply::example())
        .is_err());
}

#[tokio::test]
async fn success_false_on_200_is_an_api_error() {
    let server = MockServer::start().await;
    server
        .respond(
            "GetProjectInfo",
            MockReply::unsuccessful("Openapi.RequestError", "it did not work"),
        )
        .unwrap();
    let err = server
        .client()
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.status, 200);
    assert_eq!(api.code, "Openapi.RequestError");
    assert_eq!(api.message, "it did not work");
}

#[tokio::test]
async fn custom_json_and_headers() {
    let server = MockServer::start().await;
    server
        .respond(
            "GetProjectInfo",
            MockReply::json(200, json!({"success": true, "project": {"name": "mine"}}))
                .with_header("x-extra", "1"),
        )
        .unwrap();
    let info = server
        .client()
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap();
    assert_eq!(info.project.unwrap().name.as_deref(), Some("mine"));

    // Throttling: 429 with x-acs-retry-after.
    server
        .respond(
            "GetProjectInfo",
            MockReply::custom_error(429, "Throttling.User", "slow down")
                .with_header("x-acs-retry-after", "5"),
        )
        .unwrap();
    let err = server
        .client()
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert!(api.is_throttling());
    assert_eq!(api.retry_after, Some(Duration::from_millis(5)));
}

#[tokio::test]
async fn a_delay_longer_than_the_timeout_times_out() {
    let server = MockServer::start().await;
    server
        .respond(
            "GetProjectInfo",
            MockReply::example().with_delay(Duration::from_secs(5)),
        )
        .unwrap();
    let client = server
        .client_builder()
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "GetProjectInfo",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn limited_overrides_drive_retries() {
    let server = MockServer::start().await;
    server
        .respond_times(
            "GetProjectInfo",
            2,
            MockReply::custom_error(503, "ServiceUnavailable", "try again"),
        )
        .unwrap();
    let client = server
        .client_builder()
        .retry(RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    client
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap();
    let statuses: Vec<u16> = server.take_requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);

    // Limited overrides come before a permanent one, in the order installed.
    server
        .respond("GetProjectInfo", MockReply::custom_error(500, "E3", ""))
        .unwrap();
    server
        .respond_times("GetProjectInfo", 1, MockReply::custom_error(500, "E1", ""))
        .unwrap();
    server
        .respond_times("GetProjectInfo", 1, MockReply::custom_error(500, "E2", ""))
        .unwrap();
    let client = server.client();
    let mut codes = Vec::new();
    for _ in 0..4 {
        let err = client
            .get_project_info()
            .organization_id(ORG)
            .project_id("p")
            .send()
            .await
            .unwrap_err();
        codes.push(err.as_api().unwrap().code.clone());
    }
    assert_eq!(codes, ["E1", "E2", "E3", "E3"]);
    server.reset_all();
    client
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn requests_are_recorded() {
    let server = MockServer::start().await;
    server
        .client()
        .update_group()
        .organization_id(ORG)
        .path_with_namespace("org/g")
        .name("name")
        .path("g")
        .visibility_level(yunxiao::codeup::CodeupVisibility::Internal)
        .send()
        .await
        .unwrap();
    let received = server.requests();
    let r = &received[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/groups/modify")
    );
    assert_eq!(r.query, [("organizationId".to_string(), ORG.to_string())]);
    assert_eq!(
        r.body_json(),
        Some(
            json!({"pathWithNamespace": "org/g", "name": "name", "path": "g", "visibilityLevel": 10})
        )
    );
    assert!(r
        .header("authorization")
        .unwrap()
        .starts_with("ACS3-HMAC-SHA256 "));

    let server = MockServer::builder().record_limit(2).start().await;
    let client = server.client();
    for _ in 0..3 {
        client
            .get_project_info()
            .organization_id(ORG)
            .project_id("p")
            .send()
            .await
            .unwrap();
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn the_official_sdks_requests_are_accepted() {
    #[derive(serde::Deserialize)]
    struct Fixture {
        cases: Vec<Case>,
    }
    #[derive(serde::Deserialize)]
    struct Case {
        id: String,
        operation: String,
        inputs: Inputs,
        request: Request,
    }
    #[derive(serde::Deserialize)]
    struct Inputs {
        security_token: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Request {
        method: String,
        target: String,
        headers: Vec<(String, String)>,
        body_b64: String,
    }
    use base64::Engine as _;
    let fixture: Fixture = serde_json::from_str(include_str!("fixtures/official-requests.json"))
        .expect("fixture parses");
    // The captures are old: their x-acs-date is far from now.
    let plain = MockServer::builder()
        .access_key("testid", "testsecret")
        .check_timestamps(false)
        .start()
        .await;
    let mut sts = None;
    for case in &fixture.cases {
        let server = match &case.inputs.security_token {
            None => &plain,
            Some(token) => {
                let creds = Credentials::with_security_token("testid", "testsecret", token);
                let builder = MockServer::builder().check_timestamps(false);
                sts.get_or_insert(builder.credentials(creds).start().await)
            }
        };
        let body = base64::engine::general_purpose::STANDARD
            .decode(&case.request.body_b64)
            .unwrap();
        let mut raw = format!(
            "{} {} HTTP/1.1\r\n",
            case.request.method, case.request.target
        );
        for (name, value) in &case.request.headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("connection: close\r\n\r\n");
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(&body);
        let (status, body) = raw_http(server, &bytes).await;
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if case.id.ends_with(".omit-all") {
            assert_eq!(status, 400, "{}: {body}", case.id);
            assert_eq!(body["errorCode"], PARAM_NOT_PRESENT, "{}", case.id);
        } else {
            assert_eq!(status, 200, "{}: {body}", case.id);
        }
        let last = server.requests().pop().unwrap();
        assert_eq!(last.action, case.operation);
    }
}

/// Sends raw bytes and reads one response; returns its status (0 if none) and body.
async fn raw_http(server: &MockServer, request: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut buf = Vec::new();
    let read = async {
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            if response_complete(&buf) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = match text.find("\r\n\r\n") {
        Some(i) => buf[i + 4..].to_vec(),
        None => Vec::new(),
    };
    (status, body)
}

fn response_complete(buf: &[u8]) -> bool {
    let text = String::from_utf8_lossy(buf);
    let Some(end) = text.find("\r\n\r\n") else {
        return false;
    };
    let len = text[..end]
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    buf.len() >= end + 4 + len
}

#[tokio::test]
async fn bad_input_does_not_break_the_server() {
    // Unsigned requests are refused before their bodies are read; without signature
    // checks, these reach the body limit itself.
    let server = MockServer::builder()
        .body_limit(1024)
        .verify_signatures(false)
        .start()
        .await;
    let host = server.addr().to_string();

    // Garbage instead of HTTP.
    let (status, _) = raw_http(&server, b"\x00\x01garbage\r\n\r\n").await;
    assert!(status == 0 || status == 400, "{status}");
    // A request line with bad UTF-8 and an invalid percent-escape.
    let (status, _) = raw_http(
        &server,
        b"GET /organization/%ZZ\xff/project/p HTTP/1.1\r\nhost: x\r\n\r\n",
    )
    .await;
    assert!(status == 0 || (400..500).contains(&status), "{status}");

    // A declared body over the limit: 413 at once.
    let head = format!(
        "PUT /groups/modify HTTP/1.1\r\nhost: {host}\r\ncontent-length: {}\r\n\r\n",
        11 * 1024 * 1024
    );
    let (status, body) = raw_http(&server, head.as_bytes()).await;
    assert_eq!(status, 413);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["Code"], "RequestEntityTooLarge");

    // A chunked body that grows over the limit.
    let mut req = format!(
        "PUT /groups/modify HTTP/1.1\r\nhost: {host}\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..3 {
        req.extend_from_slice(b"200\r\n");
        req.extend_from_slice(&[b'a'; 0x200]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let (status, _) = raw_http(&server, &req).await;
    assert_eq!(status, 413);

    // Percent-escapes of bad UTF-8 in a path parameter are still routed and answered.
    let (status, body) = Raw::new("GET", "/organization/%FF%FE/project/p", "GetProjectInfo")
        .send(&server)
        .await;
    assert_eq!(status, 200, "{body}");

    // And the server still works.
    server
        .client()
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn dropping_the_server_stops_it_and_its_tasks() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let baseline = metrics.num_alive_tasks();
    let server = MockServer::start().await;
    let endpoint = server.endpoint();
    let client = server.client();
    // Keep a few connections open, one of them waiting on a delayed answer.
    server
        .respond_times(
            "GetPipelineArtifactUrl",
            1,
            MockReply::example().with_delay(Duration::from_secs(60)),
        )
        .unwrap();
    let slow_client = server
        .client_builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let slow = tokio::spawn(async move {
        slow_client
            .get_pipeline_artifact_url()
            .organization_id(ORG)
            .file_path("/a")
            .file_name("a")
            .send()
            .await
    });
    for _ in 0..3 {
        client
            .get_project_info()
            .organization_id(ORG)
            .project_id("p")
            .send()
            .await
            .unwrap();
    }
    while server.requests().len() < 4 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(metrics.num_alive_tasks() > baseline);
    drop(server);

    // The pending call fails instead of hanging for a minute.
    let result = tokio::time::timeout(Duration::from_secs(5), slow)
        .await
        .unwrap()
        .unwrap();
    assert!(result.is_err());
    // New connections are refused.
    let err = client
        .get_project_info()
        .organization_id(ORG)
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(reqwest::get(&endpoint).await.is_err());
    drop(client);
    // Every task the server spawned is gone.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while metrics.num_alive_tasks() > baseline && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(metrics.num_alive_tasks(), baseline);
}

#[tokio::test]
async fn the_tour_runs() {
    let mut out = Vec::new();
    tour::run(&mut out).await.expect("the tour succeeds");
    let text = String::from_utf8(out).unwrap();
    for needle in [
        "GetPipelineArtifactUrl",
        "PassPipelineValidate",
        "RefusePipelineValidate",
        "GetProjectInfo ",
        "UpdateGroup",
        "Operate.NoPermission",
        "HTTP 403",
        "3 projects in 2 pages",
        "status=SUCCESS after 3 polls",
        "acceptor 1 matched, pipelineRun.status equals FAIL (got FAIL)",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

/// The mock pages every list operation like the service: each example item comes once, in
/// order, one request per page, and the list ends (no cursor left, totals that match).
#[tokio::test]
async fn every_list_operation_pages_consistently() {
    let server = MockServer::start().await;
    let client = server.client();
    let mut checked = 0;
    let mut failures = Vec::new();
    for op in yunxiao::MOCK_OPERATIONS {
        let (Some(wire), Some(stream)) = (op.paging, op.stream_example) else {
            continue;
        };
        let action = op.meta.action;
        let example = example_json(op);
        let expected: Vec<Value> = wire
            .items
            .iter()
            .try_fold(&example, |v, k| v.get(*k))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        server.clear_requests();
        let items = match stream(&client, 1).await {
            Ok(items) => items,
            Err(e) => {
                failures.push(format!("{action}: {e}"));
                continue;
            }
        };
        let requests = server.take_requests().len();
        // One item per page; a page-number list without a total needs one more (empty)
        // page to see the end, and so does an empty list.
        let ends_on_empty_page = wire.size_param.is_none()
            || (wire.page_param.is_some() && wire.total.is_none())
            || expected.is_empty();
        let want_requests = if wire.size_param.is_none() {
            2 - usize::from(expected.is_empty() || wire.cursor_param.is_some())
        } else {
            expected.len() + usize::from(ends_on_empty_page)
        };
        let typed_expected: Vec<Value> = expected.iter().map(strip_nulls).collect();
        let typed_items: Vec<Value> = items.iter().map(strip_nulls).collect();
        if !same_items(&typed_items, &typed_expected) {
            failures.push(format!(
                "{action}: streamed {} items, expected the {} example items once each",
                items.len(),
                expected.len()
            ));
        }
        if requests != want_requests {
            failures.push(format!(
                "{action}: {requests} requests for {} items at page size 1 (expected {want_requests})",
                expected.len()
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 40, "only {checked} list operations");
}

fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

/// The typed items equal the example's, allowing only number forms (`120` vs `120.0`) and
/// fields the item type does not document.
fn same_items(typed: &[Value], example: &[Value]) -> bool {
    typed.len() == example.len()
        && typed
            .iter()
            .zip(example)
            .all(|(t, e)| t == e || same_numbers(t, e) || subset(t, e))
}

/// Every field of `typed` is in `example` with the same value.
fn subset(typed: &Value, example: &Value) -> bool {
    match (typed, example) {
        (Value::Object(t), Value::Object(e)) => t.iter().all(|(k, v)| {
            e.get(k)
                .is_some_and(|ev| subset(v, ev) || same_numbers(v, ev))
        }),
        (Value::Array(t), Value::Array(e)) => {
            t.len() == e.len() && t.iter().zip(e).all(|(a, b)| subset(a, b))
        }
        (t, e) => t == e,
    }
}
