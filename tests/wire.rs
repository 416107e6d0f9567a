//! Wire-level tests against a local wiremock server: the five seed operations must send
//! what the official SDK sends (`fixtures/official-requests.json`), signatures must verify
//! under an independent implementation (`support`), and responses, errors, timeouts,
//! retries, hostile path parameters and secrets must behave.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};
use yunxiao::codeup::{UpdateGroupCall, UpdateGroupErrorCode};
use yunxiao::flow::{
    GetPipelineArtifactUrlErrorCode, GetPipelineArtifactUrlRequest, GetPipelineArtifactUrlResponse,
};
use yunxiao::projex::{GetProjectInfoErrorCode, GetProjectInfoRequest, GetProjectInfoResponse};
use yunxiao::{
    Client, ClientBuilder, Credentials, Error, HttpRequest, Operation, OperationMeta, RetryConfig,
    SignatureVersion,
};

use support::{
    check_signature, enc, fixture, is_nonce, is_recent, parse_acs_date, parse_http_date, received,
    s, v3_signed_headers, Received, AK, SECRET,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn builder(server: &MockServer, creds: Credentials, version: SignatureVersion) -> ClientBuilder {
    Client::builder()
        .endpoint(server.uri())
        .credentials(creds)
        .signature_version(version)
        .retry(RetryConfig::disabled())
        .timeout(Duration::from_secs(10))
}

fn client(server: &MockServer, version: SignatureVersion) -> Client {
    builder(server, Credentials::new(AK, SECRET), version)
        .build()
        .expect("client builds")
}

/// Retries with tiny backoffs so tests stay fast.
fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        max_attempts,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    }
}

/// The documented example response of `action`, read from its spec through the generator
/// (the crate embeds examples only with the `mock` feature).
fn example_response(action: &str) -> &'static str {
    static SPECS: std::sync::OnceLock<yunxiao_codegen::model::Api> = std::sync::OnceLock::new();
    let api = SPECS.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
        let (sources, _) = yunxiao_codegen::load::read_dir(&dir).expect("spec/ reads");
        yunxiao_codegen::api(&sources).expect("spec/ is valid")
    });
    api.operations
        .iter()
        .find(|o| o.action == action)
        .and_then(|o| o.example_response.as_deref())
        .expect("operation has an example response")
}

fn json_response(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

async fn mount(server: &MockServer, response: ResponseTemplate) {
    Mock::given(any())
        .respond_with(response)
        .mount(server)
        .await;
}

async fn mount_n(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(any())
        .respond_with(response)
        .up_to_n_times(times)
        .mount(server)
        .await;
}

/// A request value for `Client::send` (the low-level path: fields set directly).
fn project_request() -> GetProjectInfoRequest {
    let mut request = GetProjectInfoRequest::default();
    request.organization_id = Some("org-1".into());
    request.project_id = Some("proj-1".into());
    request
}

/// One GetProjectInfo call against a server answering `response`.
async fn project_call(
    response: ResponseTemplate,
) -> (
    Result<GetProjectInfoResponse, Error<GetProjectInfoErrorCode>>,
    Vec<Received>,
) {
    let server = MockServer::start().await;
    mount(&server, response).await;
    let result = client(&server, SignatureVersion::V3)
        .send(project_request())
        .await;
    (result, received(&server).await)
}

fn api<C: std::fmt::Debug>(result: Result<impl std::fmt::Debug, Error<C>>) -> yunxiao::ApiError {
    match result {
        Err(Error::Api(e)) => *e,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

fn decode_err<C: std::fmt::Debug>(
    result: Result<impl std::fmt::Debug, Error<C>>,
) -> yunxiao::DecodeError {
    match result {
        Err(Error::Decode(e)) => *e,
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// 1. The seed operations send what the official SDK sends
// ---------------------------------------------------------------------------------------

/// GetPipelineArtifactUrl with neither query parameter set. The typed call refuses this
/// (filePath and fileName are required, and a call without them is an `InvalidParameter`),
/// but the official SDK's `omit-all` capture sends it; built here through a copy of the
/// generated META without the two parameters and the same request-building helpers the
/// generated code uses.
struct ArtifactUrlWithoutQuery(String);

impl Operation for ArtifactUrlWithoutQuery {
    type Response = GetPipelineArtifactUrlResponse;
    type ErrorCode = GetPipelineArtifactUrlErrorCode;
    const META: &'static OperationMeta = &OperationMeta {
        params: &[yunxiao::ParamMeta::path(
            "organizationId",
            yunxiao::TypeWord::String,
        )],
        ..*<GetPipelineArtifactUrlRequest as Operation>::META
    };
    fn to_http_request(&self) -> Result<HttpRequest, Error> {
        let mut req = yunxiao::wire::RequestBuilder::new(Self::META);
        req.path_literal("/organization/");
        req.path_param("organizationId", Some(&self.0))?;
        req.path_literal("/pipeline/getArtifactDownloadUrl");
        req.finish()
    }
}

/// The example response of the case's operation.
fn case_example(op: &str) -> &'static str {
    example_response(op)
}

const EXAMPLE_REQUEST_ID: &str = "ASSDS-ASSASX-XSAXSA-XSAXSAXS";

/// Builds the typed request from the case's inputs, calls the client method and checks
/// the decoded example response.
async fn call_case(client: &Client, op: &str, inputs: &Value) -> Result<(), Error> {
    let path = &inputs["path"];
    let query = &inputs["query"];
    let body = &inputs["body"];
    let id = |v: &Value| -> i64 { s(v).parse().expect("numeric id") };
    match op {
        "GetPipelineArtifactUrl" => {
            let org = s(&path["organizationId"]);
            let resp = match (query.get("filePath"), query.get("fileName")) {
                (Some(fp), Some(name)) => {
                    client
                        .get_pipeline_artifact_url()
                        .organization_id(org)
                        .file_path(s(fp))
                        .file_name(s(name))
                        .send()
                        .await?
                }
                (None, None) => client.send(ArtifactUrlWithoutQuery(org.into())).await?,
                other => panic!("unexpected query inputs {other:?}"),
            };
            assert_eq!(resp.success, Some(true));
            assert_eq!(resp.file_url.as_deref(), Some("http://aliyun.com/"));
            assert_eq!(resp.request_id.as_deref(), Some(EXAMPLE_REQUEST_ID));
        }
        "PassPipelineValidate" => {
            let resp = client
                .pass_pipeline_validate()
                .organization_id(s(&path["organizationId"]))
                .pipeline_id(id(&path["pipelineId"]))
                .pipeline_run_id(id(&path["pipelineRunId"]))
                .job_id(s(&path["jobId"]))
                .send()
                .await?;
            assert_eq!(resp.success, Some(true));
            assert_eq!(resp.request_id.as_deref(), Some(EXAMPLE_REQUEST_ID));
        }
        "RefusePipelineValidate" => {
            let resp = client
                .refuse_pipeline_validate()
                .organization_id(s(&path["organizationId"]))
                .pipeline_id(id(&path["pipelineId"]))
                .pipeline_run_id(id(&path["pipelineRunId"]))
                .job_id(s(&path["jobId"]))
                .send()
                .await?;
            assert_eq!(resp.success, Some(true));
            assert_eq!(resp.request_id.as_deref(), Some(EXAMPLE_REQUEST_ID));
        }
        "GetProjectInfo" => {
            let resp = client
                .get_project_info()
                .organization_id(s(&path["organizationId"]))
                .project_id(s(&path["projectId"]))
                .send()
                .await?;
            assert_eq!(resp.success, Some(true));
            let project = resp.project.expect("project");
            assert_eq!(
                project.gmt_create.map(|t| t.as_millis()),
                Some(1_623_916_393_000)
            );
            assert_eq!(project.name.as_deref(), Some("demo示例项目"));
        }
        "UpdateGroup" => {
            let mut req = client
                .update_group()
                .organization_id(s(&query["organizationId"]))
                .path_with_namespace(s(&body["pathWithNamespace"]))
                .name(s(&body["name"]))
                .path(s(&body["path"]));
            if let Some(v) = query.get("accessToken") {
                req = req.access_token(s(v));
            }
            if let Some(v) = body.get("visibilityLevel") {
                req = req.visibility_level((v.as_i64().expect("int") as i32).into());
            }
            if let Some(v) = body.get("description") {
                req = req.description(s(v));
            }
            if let Some(v) = body.get("avatarUrl") {
                req = req.avatar_url(s(v));
            }
            let resp = req.send().await?;
            assert_eq!(resp.success, Some(true));
            let result = resp.result.expect("result");
            assert_eq!(result.id, Some(30815));
            assert_eq!(result.visibility_level.map(i32::from), Some(10));
        }
        other => panic!("unknown operation {other}"),
    }
    Ok(())
}

/// Headers the HTTP stack owns; their presence and values are not the SDK's business.
const TRANSPORT_HEADERS: [&str; 2] = ["accept-encoding", "content-length"];

/// Headers whose value must equal the captured one exactly.
const STABLE_HEADERS: [&str; 10] = [
    "x-acs-version",
    "x-acs-action",
    "accept",
    "content-type",
    "x-acs-content-sha256",
    "x-acs-credentials-provider",
    "x-acs-accesskey-id",
    "x-acs-security-token",
    "x-acs-signature-method",
    "x-acs-signature-version",
];

fn captured_headers(want: &Value) -> Vec<(String, String)> {
    want["headers"]
        .as_array()
        .expect("captured headers")
        .iter()
        .map(|p| (s(&p[0]).to_ascii_lowercase(), s(&p[1]).to_string()))
        .collect()
}

fn captured_received(request: &Value) -> Received {
    Received {
        method: s(&request["method"]).to_string(),
        path: s(&request["path"]).to_string(),
        query: request["query"].as_str().map(str::to_string),
        headers: captured_headers(request),
        body: base64::engine::general_purpose::STANDARD
            .decode(s(&request["body_b64"]))
            .expect("captured body is base64"),
    }
}

fn assert_matches_capture(id: &str, got: &Received, want: &Value, port: u16) {
    let want_req = captured_received(want);
    assert_eq!(got.method, want_req.method, "{id}: method");
    assert_eq!(got.path, want_req.path, "{id}: raw path");
    assert_eq!(got.query, want_req.query, "{id}: raw query string");
    assert_eq!(
        got.body,
        want_req.body,
        "{id}: body bytes\n got: {}\nwant: {}",
        String::from_utf8_lossy(&got.body),
        String::from_utf8_lossy(&want_req.body)
    );

    // The same set of header names, apart from transport headers.
    let names = |h: &[(String, String)]| -> BTreeSet<String> {
        h.iter()
            .map(|(n, _)| n.clone())
            .filter(|n| !TRANSPORT_HEADERS.contains(&n.as_str()))
            .collect()
    };
    assert_eq!(
        names(&got.headers),
        names(&want_req.headers),
        "{id}: header names"
    );
    for name in STABLE_HEADERS {
        assert_eq!(
            got.header(name),
            want_req.header(name),
            "{id}: value of header {name}"
        );
    }
    // host: the captured one is 127.0.0.1 with the capture server's port.
    let want_host = want_req.header("host").expect("captured host");
    assert!(want_host.starts_with("127.0.0.1:"), "{id}: {want_host}");
    assert_eq!(
        got.header("host"),
        Some(format!("127.0.0.1:{port}").as_str()),
        "{id}: host carries the port"
    );
    // user-agent: present, same product prefix and suffix, value otherwise ours.
    let ua = got.header("user-agent").expect("user-agent");
    assert!(
        ua.starts_with("AlibabaCloud (") && ua.contains("TeaDSL/2"),
        "{id}: user-agent {ua}"
    );
    // Nonce and date: well-formed and fresh.
    let nonce = got.header("x-acs-signature-nonce").expect("nonce");
    assert!(is_nonce(nonce), "{id}: nonce {nonce}");
    let auth = got.authorization();
    if let Some(date) = want_req.header("x-acs-date") {
        assert!(parse_acs_date(date).is_some(), "{id}: captured date {date}");
        let sent = got.header("x-acs-date").expect("x-acs-date");
        let ts = parse_acs_date(sent).unwrap_or_else(|| panic!("{id}: bad x-acs-date {sent}"));
        assert!(is_recent(ts), "{id}: x-acs-date {sent} is not now");
        assert_eq!(
            v3_signed_headers(auth),
            v3_signed_headers(want_req.authorization()),
            "{id}: SignedHeaders"
        );
        let prefix = format!("ACS3-HMAC-SHA256 Credential={AK},SignedHeaders=");
        assert!(auth.starts_with(&prefix), "{id}: {auth}");
        let sig = auth.rsplit_once(",Signature=").expect("Signature").1;
        assert!(
            sig.len() == 64 && sig.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}: {sig}"
        );
    } else {
        let date = want_req.header("date").expect("legacy capture has date");
        assert!(
            parse_http_date(date).is_some(),
            "{id}: captured date {date}"
        );
        let sent = got.header("date").expect("date");
        let ts = parse_http_date(sent).unwrap_or_else(|| panic!("{id}: bad date {sent}"));
        assert!(is_recent(ts), "{id}: date {sent} is not now");
        let sig = auth
            .strip_prefix(&format!("acs {AK}:"))
            .unwrap_or_else(|| panic!("{id}: legacy Authorization {auth}"));
        let raw = base64::engine::general_purpose::STANDARD
            .decode(sig)
            .expect("base64 signature");
        assert_eq!(raw.len(), 20, "{id}: HMAC-SHA1 is 20 bytes");
    }
    check_signature(got, AK, SECRET).unwrap_or_else(|e| panic!("{id}: {e}"));
}

async fn run_case(id: &str) {
    let doc = fixture("official-requests.json");
    let case = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"));
    let op = s(&case["operation"]);
    let inputs = &case["inputs"];
    let version = match s(&case["signature_mode"]) {
        "v3" => SignatureVersion::V3,
        "v2" => SignatureVersion::Legacy,
        other => panic!("unknown mode {other}"),
    };
    let creds = match inputs["security_token"].as_str() {
        Some(token) => Credentials::with_security_token(AK, SECRET, token),
        None => Credentials::new(AK, SECRET),
    };
    let server = MockServer::start().await;
    mount(&server, json_response(200, case_example(op))).await;
    let client = builder(&server, creds, version).build().expect("client");
    call_case(&client, op, inputs)
        .await
        .unwrap_or_else(|e| panic!("{id}: call failed: {e}"));
    let got = received(&server).await;
    assert_eq!(got.len(), 1, "{id}: exactly one request");
    assert_matches_capture(id, &got[0], &case["request"], server.address().port());
}

macro_rules! official_cases {
    ($($name:ident => $id:literal,)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                run_case($id).await;
            }
        )*

        const CASE_IDS: &[&str] = &[$($id),*];
    };
}

official_cases! {
    official_v3_get_pipeline_artifact_url_basic => "v3.GetPipelineArtifactUrl.basic",
    official_v3_get_pipeline_artifact_url_omit_all => "v3.GetPipelineArtifactUrl.omit-all",
    official_v3_get_pipeline_artifact_url_sts => "v3.GetPipelineArtifactUrl.sts",
    official_v3_pass_pipeline_validate_basic => "v3.PassPipelineValidate.basic",
    official_v3_pass_pipeline_validate_sts => "v3.PassPipelineValidate.sts",
    official_v3_refuse_pipeline_validate_basic => "v3.RefusePipelineValidate.basic",
    official_v3_refuse_pipeline_validate_sts => "v3.RefusePipelineValidate.sts",
    official_v3_get_project_info_basic => "v3.GetProjectInfo.basic",
    official_v3_get_project_info_sts => "v3.GetProjectInfo.sts",
    official_v3_update_group_full => "v3.UpdateGroup.full",
    official_v3_update_group_required_only => "v3.UpdateGroup.required-only",
    official_v3_update_group_sts => "v3.UpdateGroup.sts",
    official_v2_get_pipeline_artifact_url_basic => "v2.GetPipelineArtifactUrl.basic",
    official_v2_get_pipeline_artifact_url_omit_all => "v2.GetPipelineArtifactUrl.omit-all",
    official_v2_get_pipeline_artifact_url_sts => "v2.GetPipelineArtifactUrl.sts",
    official_v2_pass_pipeline_validate_basic => "v2.PassPipelineValidate.basic",
    official_v2_pass_pipeline_validate_sts => "v2.PassPipelineValidate.sts",
    official_v2_refuse_pipeline_validate_basic => "v2.RefusePipelineValidate.basic",
    official_v2_refuse_pipeline_validate_sts => "v2.RefusePipelineValidate.sts",
    official_v2_get_project_info_basic => "v2.GetProjectInfo.basic",
    official_v2_get_project_info_sts => "v2.GetProjectInfo.sts",
    official_v2_update_group_full => "v2.UpdateGroup.full",
    official_v2_update_group_required_only => "v2.UpdateGroup.required-only",
    official_v2_update_group_sts => "v2.UpdateGroup.sts",
}

#[test]
fn every_official_case_has_a_test() {
    let doc = fixture("official-requests.json");
    let ids: BTreeSet<&str> = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| s(&c["id"]))
        .collect();
    let tested: BTreeSet<&str> = CASE_IDS.iter().copied().collect();
    assert_eq!(ids, tested);
}

/// The independent verifier in `support` accepts every request the official SDK signed
/// (so it really implements the service's rules) and rejects tampered copies (so the
/// checks above can fail).
#[test]
fn independent_verifier_accepts_official_captures_and_rejects_tampering() {
    let doc = fixture("official-requests.json");
    for case in doc["cases"].as_array().expect("cases") {
        let id = s(&case["id"]);
        let req = captured_received(&case["request"]);
        check_signature(&req, AK, SECRET).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(check_signature(&req, AK, "wrongsecret").is_err(), "{id}");

        let mut t = req.clone();
        t.path.push('x');
        assert!(check_signature(&t, AK, SECRET).is_err(), "{id}: path");

        let mut t = req.clone();
        t.query = Some(match &req.query {
            Some(q) => format!("{q}&extra=1"),
            None => "extra=1".into(),
        });
        assert!(check_signature(&t, AK, SECRET).is_err(), "{id}: query");

        let mut t = req.clone();
        for (n, v) in &mut t.headers {
            if n == "x-acs-signature-nonce" {
                v.replace_range(0..1, if v.starts_with('0') { "1" } else { "0" });
            }
        }
        assert!(check_signature(&t, AK, SECRET).is_err(), "{id}: nonce");

        if s(&case["signature_mode"]) == "v3" {
            // V3 covers the body (through x-acs-content-sha256).
            let mut t = req.clone();
            t.body.extend_from_slice(b" ");
            assert!(check_signature(&t, AK, SECRET).is_err(), "{id}: body");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. Responses and errors
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn error_body_shapes_all_decode_into_api_errors() {
    let shapes = [
        r#"{"Code":"Some.Error","Message":"pascal message","RequestId":"req-pascal"}"#,
        r#"{"code":"Some.Error","message":"camel message","requestId":"req-camel"}"#,
        r#"{"errorCode":"Some.Error","errorMessage":"yunxiao message","requestId":"req-yx","success":false}"#,
    ];
    let expected = [
        ("pascal message", "req-pascal"),
        ("camel message", "req-camel"),
        ("yunxiao message", "req-yx"),
    ];
    for (body, (message, request_id)) in shapes.iter().zip(expected) {
        let (result, reqs) = project_call(json_response(400, body)).await;
        assert_eq!(reqs.len(), 1);
        let err = result.expect_err(body);
        assert_eq!(err.request_id(), Some(request_id), "{body}");
        assert_eq!(
            err.code(),
            Some(GetProjectInfoErrorCode::Unknown("Some.Error".into())),
            "{body}"
        );
        let e = api(Err::<(), _>(err));
        assert_eq!(e.status, 400, "{body}");
        assert_eq!(e.operation, "GetProjectInfo");
        assert_eq!(e.code, "Some.Error", "{body}");
        assert_eq!(e.message, message, "{body}");
        assert_eq!(e.request_id.as_deref(), Some(request_id), "{body}");
        assert!(e.documented.is_none(), "{body}");
        assert!(!e.is_throttling(), "{body}");
    }
}

#[tokio::test]
async fn documented_code_is_typed_and_documented() {
    let body = r#"{"errorCode":"Operate.NoPermission","errorMessage":"no","requestId":"r1","success":false}"#;
    let (result, _) = project_call(json_response(403, body)).await;
    let err = result.expect_err("403");
    assert_eq!(
        err.code(),
        Some(GetProjectInfoErrorCode::OperateNoPermission)
    );
    let e = err.as_api().expect("api error");
    let doc = e.documented.expect("documented");
    assert_eq!(doc.code, "Operate.NoPermission");
    assert_eq!(doc.status, 403);
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn undocumented_code_is_unknown() {
    let body = r#"{"Code":"Brand.New.Code","Message":"?","RequestId":"r2"}"#;
    let (result, _) = project_call(json_response(404, body)).await;
    let err = result.expect_err("404");
    assert_eq!(
        err.code(),
        Some(GetProjectInfoErrorCode::Unknown("Brand.New.Code".into()))
    );
    assert!(err.as_api().expect("api").documented.is_none());
}

#[tokio::test]
async fn success_false_on_http_200_is_an_error() {
    let body = r#"{"success":false,"errorCode":"Operate.NoPermission","errorMessage":"denied","requestId":"r3"}"#;
    let (result, _) = project_call(json_response(200, body)).await;
    let e = api(result);
    assert_eq!(e.status, 200);
    assert_eq!(e.code, "Operate.NoPermission");
    assert_eq!(e.message, "denied");
    assert_eq!(e.request_id.as_deref(), Some("r3"));
    assert!(e.documented.is_some());
}

#[tokio::test]
async fn http_500_with_a_non_json_body() {
    let body = "<html><body>upstream exploded</body></html>";
    let (result, reqs) = project_call(
        ResponseTemplate::new(500)
            .set_body_raw(body.as_bytes().to_vec(), "text/html")
            .insert_header("x-acs-request-id", "hdr-req-500"),
    )
    .await;
    assert_eq!(reqs.len(), 1, "retries are disabled");
    let err = result.expect_err("500");
    assert!(err.is_retryable());
    let text = err.to_string();
    let e = api(Err::<(), _>(err));
    assert_eq!(e.status, 500);
    assert_eq!(e.code, "HTTP500");
    assert_eq!(e.message, "");
    assert!(e.body_snippet.contains("upstream exploded"), "{e:?}");
    assert_eq!(e.request_id.as_deref(), Some("hdr-req-500"));
    assert!(text.contains("upstream exploded"), "{text}");
}

#[tokio::test]
async fn long_error_body_snippet_is_bounded() {
    let body = "x".repeat(10_000);
    let (result, _) =
        project_call(ResponseTemplate::new(502).set_body_raw(body.into_bytes(), "text/plain"))
            .await;
    let e = api(result);
    assert_eq!(e.code, "HTTP502");
    assert!(e.body_snippet.len() < 300, "{}", e.body_snippet.len());
}

#[tokio::test]
async fn malformed_200_body_is_a_decode_error() {
    for body in [
        "this is not json",
        r#"{"success":true,"project":{"name":"x""#,
    ] {
        let (result, _) = project_call(json_response(200, body)).await;
        let e = decode_err(result);
        assert_eq!(e.operation, "GetProjectInfo");
        assert_eq!(e.status, 200);
        assert!(!e.message.is_empty());
        assert!(!e.field.is_empty());
        assert!(body.starts_with(e.body_snippet.as_str()), "{e:?}");
    }
    let (result, _) = project_call(json_response(200, "this is not json")).await;
    assert_eq!(decode_err(result).field, ".");
}

#[tokio::test]
async fn wrong_typed_field_names_its_path() {
    let body =
        r#"{"success":true,"requestId":"r4","project":{"name":"p","gmtCreate":"yesterday"}}"#;
    let (result, _) = project_call(json_response(200, body)).await;
    let err = result.expect_err("decode error");
    let text = err.to_string();
    let e = decode_err(Err::<(), _>(err));
    assert_eq!(e.field, "project.gmtCreate");
    assert!(e.body_snippet.contains("yesterday"), "{e:?}");
    assert_eq!(e.request_id.as_deref(), Some("r4"));
    assert!(text.contains("project.gmtCreate"), "{text}");
    assert!(text.contains("yesterday"), "{text}");
}

#[tokio::test]
async fn unknown_extra_fields_and_missing_fields_decode() {
    let body = r#"{"success":true,"brandNew":{"nested":[1,2,{"x":null}]},
        "project":{"name":"p","notInSpec":"?","gmtCreate":5}}"#;
    let (result, _) = project_call(json_response(200, body)).await;
    let resp = result.expect("extra fields are ignored");
    let project = resp.project.expect("project");
    assert_eq!(project.name.as_deref(), Some("p"));
    assert_eq!(project.gmt_create.map(|t| t.as_millis()), Some(5));
    assert_eq!(project.gmt_modified, None);
    assert_eq!(resp.request_id, None);

    let (result, _) = project_call(json_response(200, "{}")).await;
    assert_eq!(result.expect("all fields optional"), Default::default());
}

#[tokio::test]
async fn positive_retry_after_marks_throttling() {
    let body = r#"{"Code":"Busy","Message":"slow down","RequestId":"r5"}"#;
    let (result, reqs) =
        project_call(json_response(400, body).insert_header("x-acs-retry-after", "250")).await;
    assert_eq!(reqs.len(), 1);
    let err = result.expect_err("throttled");
    assert!(err.is_retryable());
    let e = api(Err::<(), _>(err));
    assert_eq!(e.retry_after, Some(Duration::from_millis(250)));
    assert!(e.is_throttling());

    // Zero is not positive: an ordinary, non-retryable client error.
    let (result, _) =
        project_call(json_response(400, body).insert_header("x-acs-retry-after", "0")).await;
    let err = result.expect_err("plain 400");
    assert!(!err.is_retryable());
    let e = api(Err::<(), _>(err));
    assert_eq!(e.retry_after, None);
    assert!(!e.is_throttling());
}

#[tokio::test]
async fn retry_after_on_a_successful_response_is_not_an_error() {
    // A non-idempotent call that succeeded must not be reported as failed (and retried).
    let server = MockServer::start().await;
    let example = example_response("PassPipelineValidate");
    mount(
        &server,
        json_response(200, example).insert_header("x-acs-retry-after", "100"),
    )
    .await;
    let client = builder(&server, Credentials::new(AK, SECRET), SignatureVersion::V3)
        .retry(fast_retry(3))
        .build()
        .expect("client");
    let resp = client
        .pass_pipeline_validate()
        .organization_id("org")
        .pipeline_id(1)
        .pipeline_run_id(2)
        .job_id("3")
        .send()
        .await
        .expect("a 200 success stays a success");
    assert_eq!(resp.success, Some(true));
    assert_eq!(received(&server).await.len(), 1);
}

// ---------------------------------------------------------------------------------------
// 3. Timeouts and retries
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn slow_server_gives_timeout() {
    let server = MockServer::start().await;
    mount(
        &server,
        json_response(200, "{}").set_delay(Duration::from_secs(5)),
    )
    .await;
    let client = builder(&server, Credentials::new(AK, SECRET), SignatureVersion::V3)
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client.send(project_request()).await.expect_err("timeout");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    match &err {
        Error::Timeout { operation, timeout } => {
            assert_eq!(*operation, "GetProjectInfo");
            assert_eq!(*timeout, Duration::from_millis(200));
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn timeout_then_success_is_retried() {
    let server = MockServer::start().await;
    mount_n(
        &server,
        json_response(200, "{}").set_delay(Duration::from_secs(5)),
        1,
    )
    .await;
    mount(&server, json_response(200, r#"{"success":true}"#)).await;
    let client = builder(&server, Credentials::new(AK, SECRET), SignatureVersion::V3)
        .timeout(Duration::from_millis(300))
        .retry(fast_retry(2))
        .build()
        .expect("client");
    let resp = client
        .send(project_request())
        .await
        .expect("second attempt succeeds");
    assert_eq!(resp.success, Some(true));
    assert_eq!(received(&server).await.len(), 2);
}

/// Two attempts: each a fresh nonce, each validly signed.
fn assert_fresh_and_signed(reqs: &[Received]) {
    let nonces: BTreeSet<&str> = reqs
        .iter()
        .map(|r| r.header("x-acs-signature-nonce").expect("nonce"))
        .collect();
    assert_eq!(nonces.len(), reqs.len(), "nonces repeat: {nonces:?}");
    for r in reqs {
        check_signature(r, AK, SECRET).expect("each attempt is validly signed");
    }
}

#[tokio::test]
async fn server_error_then_success_is_retried() {
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let server = MockServer::start().await;
        mount_n(&server, ResponseTemplate::new(503), 1).await;
        let example = example_response("UpdateGroup");
        mount(&server, json_response(200, example)).await;
        let client = builder(&server, Credentials::new(AK, SECRET), version)
            .retry(fast_retry(3))
            .build()
            .expect("client");
        let resp = client
            .update_group()
            .organization_id("org")
            .path_with_namespace("a/b")
            .name("b")
            .path("b")
            .visibility_level(yunxiao::codeup::CodeupVisibility::Private)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(resp.success, Some(true));
        let reqs = received(&server).await;
        assert_eq!(reqs.len(), 2, "{version:?}");
        assert_eq!(reqs[0].body, reqs[1].body);
        assert_fresh_and_signed(&reqs);
    }
}

#[tokio::test]
async fn throttling_400_then_success_is_retried() {
    let server = MockServer::start().await;
    let throttled = r#"{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"t1"}"#;
    mount_n(&server, json_response(400, throttled), 1).await;
    mount(&server, json_response(200, r#"{"success":true}"#)).await;
    let client = builder(&server, Credentials::new(AK, SECRET), SignatureVersion::V3)
        .retry(fast_retry(3))
        .build()
        .expect("client");
    client
        .send(project_request())
        .await
        .expect("retried after throttling");
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2);
    assert_fresh_and_signed(&reqs);
}

#[tokio::test]
async fn retry_budget_runs_out() {
    let server = MockServer::start().await;
    mount(
        &server,
        json_response(503, r#"{"Code":"ServiceUnavailable","Message":"down"}"#),
    )
    .await;
    let client = builder(&server, Credentials::new(AK, SECRET), SignatureVersion::V3)
        .retry(fast_retry(3))
        .build()
        .expect("client");
    let e = api(client.send(project_request()).await);
    assert_eq!(e.status, 503);
    assert_eq!(e.code, "ServiceUnavailable");
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 3);
    assert_fresh_and_signed(&reqs);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (status, body) in [
        (
            404,
            r#"{"errorCode":"NotFound","errorMessage":"nope","success":false}"#,
        ),
        (400, r#"{"Code":"InvalidParam","Message":"bad"}"#),
        (
            403,
            r#"{"errorCode":"Operate.NoPermission","success":false}"#,
        ),
    ] {
        let server = MockServer::start().await;
        mount(&server, json_response(status, body)).await;
        let client = builder(&server, Credentials::new(AK, SECRET), SignatureVersion::V3)
            .retry(fast_retry(5))
            .build()
            .expect("client");
        let e = api(client.send(project_request()).await);
        assert_eq!(e.status, status);
        assert_eq!(received(&server).await.len(), 1, "HTTP {status}");
    }
}

#[tokio::test]
async fn disabled_retries_send_exactly_once() {
    let server = MockServer::start().await;
    mount(&server, ResponseTemplate::new(503)).await;
    let client = builder(&server, Credentials::new(AK, SECRET), SignatureVersion::V3)
        .retry(RetryConfig::disabled())
        .build()
        .expect("client");
    let e = api(client.send(project_request()).await);
    assert_eq!((e.status, e.code.as_str()), (503, "HTTP503"));
    assert_eq!(received(&server).await.len(), 1);
}

#[test]
fn zero_max_attempts_is_a_config_error() {
    let err = Client::builder()
        .access_key(AK, SECRET)
        .retry(RetryConfig {
            max_attempts: 0,
            ..RetryConfig::default()
        })
        .build()
        .expect_err("0 attempts");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------
// 4. Hostile path parameters
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn hostile_path_parameters_travel_as_one_encoded_segment() {
    // (value, the segment it must arrive as)
    let cases = [
        ("a/b", "a%2Fb"),
        ("a?b=c", "a%3Fb%3Dc"),
        ("a#frag", "a%23frag"),
        ("100%", "100%25"),
        ("%2E%2E", "%252E%252E"),
        ("with space", "with%20space"),
        ("a+b&c;d", "a%2Bb%26c%3Bd"),
        ("a..b", "a..b"),
        ("...", "..."),
        ("../etc", "..%2Fetc"),
        ("项目-ü", "%E9%A1%B9%E7%9B%AE-%C3%BC"),
        ("~tilde_-.", "~tilde_-."),
    ];
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        for (value, segment) in cases {
            assert_eq!(enc(value), segment, "test table");
            let server = MockServer::start().await;
            mount(&server, json_response(200, r#"{"success":true}"#)).await;
            client(&server, version)
                .get_project_info()
                .organization_id("org-1")
                .project_id(value)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{value:?}: {e}"));
            let reqs = received(&server).await;
            assert_eq!(reqs.len(), 1);
            assert_eq!(
                reqs[0].path,
                format!("/organization/org-1/project/{segment}"),
                "{version:?} {value:?}"
            );
            assert_eq!(reqs[0].query, None);
            check_signature(&reqs[0], AK, SECRET)
                .unwrap_or_else(|e| panic!("{version:?} {value:?}: {e}"));
        }
    }

    // Another operation, a string parameter among numeric ones.
    let server = MockServer::start().await;
    mount(&server, json_response(200, r#"{"success":true}"#)).await;
    client(&server, SignatureVersion::V3)
        .pass_pipeline_validate()
        .organization_id("o/rg")
        .pipeline_id(-1)
        .pipeline_run_id(2)
        .job_id("j/../k")
        .send()
        .await
        .expect("sent");
    let reqs = received(&server).await;
    assert_eq!(
        reqs[0].path,
        "/organization/o%2Frg/pipelines/-1/pipelineRuns/2/jobs/j%2F..%2Fk/pass"
    );
    check_signature(&reqs[0], AK, SECRET).expect("signature");
}

#[tokio::test]
async fn dot_and_empty_path_parameters_are_rejected_before_sending() {
    let server = MockServer::start().await;
    mount(&server, json_response(200, r#"{"success":true}"#)).await;
    let client = client(&server, SignatureVersion::V3);
    for value in [".", "..", ""] {
        let err = client
            .get_project_info()
            .organization_id("org-1")
            .project_id(value)
            .send()
            .await
            .expect_err(value);
        match &err {
            Error::InvalidParameter {
                operation, name, ..
            } => {
                assert_eq!(*operation, "GetProjectInfo");
                assert_eq!(name, "projectId", "{value:?}");
            }
            other => panic!("{value:?}: expected InvalidParameter, got {other:?}"),
        }
        assert!(!err.is_retryable());
    }
    let err = client
        .get_project_info()
        .organization_id("")
        .project_id("p")
        .send()
        .await
        .expect_err("empty org");
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "organizationId"),
        "{err:?}"
    );
    let err = client
        .refuse_pipeline_validate()
        .organization_id("org")
        .pipeline_id(1)
        .pipeline_run_id(2)
        .job_id("..")
        .send()
        .await
        .expect_err("dot-dot job");
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "jobId"),
        "{err:?}"
    );
    assert_eq!(received(&server).await.len(), 0, "nothing was sent");
}

// ---------------------------------------------------------------------------------------
// 5. Secrets never appear
// ---------------------------------------------------------------------------------------

const LEAK_SECRET: &str = "sk-TOPSECRET-9f8e7d6c";
const LEAK_TOKEN: &str = "sts-TOKEN-1a2b3c4d";
const LEAK_ACCESS_TOKEN: &str = "pat-ACCESS-5e6f7a8b";

fn assert_no_secret(what: &str, text: &str) {
    for secret in [LEAK_SECRET, LEAK_TOKEN, LEAK_ACCESS_TOKEN] {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
    }
}

fn assert_error_has_no_secret(what: &str, err: &Error) {
    assert_no_secret(&format!("{what} (Debug)"), &format!("{err:?}"));
    assert_no_secret(&format!("{what} (Display)"), &err.to_string());
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        assert_no_secret(&format!("{what} (source)"), &s.to_string());
        assert_no_secret(&format!("{what} (source Debug)"), &format!("{s:?}"));
        source = s.source();
    }
}

fn secret_creds() -> Credentials {
    Credentials::with_security_token(AK, LEAK_SECRET, LEAK_TOKEN)
}

fn secret_group(c: &Client) -> UpdateGroupCall<'_> {
    c.update_group()
        .organization_id("org")
        .path_with_namespace("org/g")
        .name("g")
        .path("g")
        .access_token(LEAK_ACCESS_TOKEN)
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_display() {
    let server = MockServer::start().await;
    let unsent = Client::builder()
        .endpoint(server.uri())
        .access_key(AK, "x")
        .build()
        .expect("client");
    let call = secret_group(&unsent);
    assert_no_secret("UpdateGroupCall Debug", &format!("{call:?}"));
    let request = call.into_request();
    let text = format!("{request:?}");
    assert_no_secret("UpdateGroupRequest Debug", &text);
    assert!(text.contains("access_token"), "{text}");
    assert_no_secret("Credentials Debug", &format!("{:?}", secret_creds()));

    let b = builder(&server, secret_creds(), SignatureVersion::V3).retry(fast_retry(2));
    assert_no_secret("ClientBuilder Debug", &format!("{b:?}"));
    let c = b.build().expect("client");
    assert_no_secret("Client Debug", &format!("{c:?}"));
    let b2 = Client::builder().access_key(AK, LEAK_SECRET);
    assert_no_secret("ClientBuilder Debug (access_key)", &format!("{b2:?}"));
    assert_no_secret(
        "Client Debug (access_key)",
        &format!("{:?}", b2.build().expect("client")),
    );

    let mut errors: Vec<(&str, Error)> = Vec::new();

    // API errors: documented 403, then a bare 500 (retried once), then a decode error.
    let doc403 = r#"{"errorCode":"Forbidden.UserNotAdminOrOwner","errorMessage":"no","requestId":"x","success":false}"#;
    mount_n(&server, json_response(403, doc403), 1).await;
    mount_n(
        &server,
        ResponseTemplate::new(500).set_body_raw(b"oops".to_vec(), "text/plain"),
        2,
    )
    .await;
    mount_n(
        &server,
        json_response(200, r#"{"success":true,"result":{"id":"not a number"}}"#),
        1,
    )
    .await;
    mount(
        &server,
        json_response(200, "{}").set_delay(Duration::from_secs(5)),
    )
    .await;

    let err = secret_group(&c).send().await.expect_err("403");
    assert_eq!(
        err.code(),
        Some(UpdateGroupErrorCode::ForbiddenUserNotAdminOrOwner)
    );
    errors.push(("documented API error", err.untyped()));
    let err = secret_group(&c).send().await.expect_err("500");
    assert_eq!(err.as_api().map(|e| e.status), Some(500));
    errors.push(("HTTP500 after retries", err.untyped()));
    let err = secret_group(&c).send().await.expect_err("decode");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    errors.push(("decode error", err.untyped()));

    let slow = builder(&server, secret_creds(), SignatureVersion::Legacy)
        .timeout(Duration::from_millis(150))
        .build()
        .expect("client");
    let err = secret_group(&slow).send().await.expect_err("timeout");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    errors.push(("timeout", err.untyped()));

    // The secrets really were on the wire (so their absence above means something).
    let reqs = received(&server).await;
    assert!(reqs.iter().all(|r| r
        .query
        .as_deref()
        .is_some_and(|q| q.contains(LEAK_ACCESS_TOKEN))));
    assert!(reqs
        .iter()
        .all(|r| r.header("x-acs-security-token") == Some(LEAK_TOKEN)));

    let err = c
        .get_project_info()
        .organization_id("org")
        .project_id("..")
        .send()
        .await
        .expect_err("invalid");
    errors.push(("invalid parameter", err.untyped()));

    // Transport error for a URL whose query carries the access token.
    let dead = Client::builder()
        .endpoint(format!("http://127.0.0.1:{}", closed_port()))
        .credentials(secret_creds())
        .retry(RetryConfig::disabled())
        .build()
        .expect("client");
    let err = secret_group(&dead).send().await.expect_err("refused");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    errors.push(("transport error", err.untyped()));

    let err = Client::builder()
        .endpoint("ftp://example.com")
        .credentials(secret_creds())
        .build()
        .expect_err("bad endpoint");
    errors.push(("config error", err.untyped()));

    for (what, err) in &errors {
        assert_error_has_no_secret(what, err);
    }
}

// ---------------------------------------------------------------------------------------
// 6. The endpoint
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn plain_http_loopback_endpoint_with_port() {
    let server = MockServer::start().await;
    mount(&server, json_response(200, r#"{"success":true}"#)).await;
    let port = server.address().port();
    for endpoint in [
        format!("http://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}/"),
    ] {
        let c = Client::builder()
            .endpoint(&endpoint)
            .access_key(AK, SECRET)
            .build()
            .expect("client");
        assert_eq!(c.endpoint().scheme(), "http");
        assert_eq!(c.endpoint().host(), format!("127.0.0.1:{port}"));
        c.send(project_request())
            .await
            .unwrap_or_else(|e| panic!("{endpoint}: {e}"));
    }
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.header("host"), Some(format!("127.0.0.1:{port}").as_str()));
        check_signature(r, AK, SECRET).expect("signature");
    }
}

/// An endpoint naming the scheme's default port (`:80` here, `:443` in real use): the URL
/// library drops the port, so the `host` header on the wire must still be the one signed.
/// Sent through an HTTP proxy (the mock server) so any host name can be used.
#[tokio::test]
async fn endpoint_with_default_port_sends_the_signed_host() {
    let server = MockServer::start().await;
    mount(&server, json_response(200, r#"{"success":true}"#)).await;
    let http = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(server.uri()).expect("proxy"))
        .build()
        .expect("http client");
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let c = Client::builder()
            .endpoint("http://yunxiao.invalid:80")
            .access_key(AK, SECRET)
            .signature_version(version)
            .retry(RetryConfig::disabled())
            .http_client(http.clone())
            .build()
            .expect("client");
        c.send(project_request())
            .await
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
    }
    let reqs = received(&server).await;
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.path, "/organization/org-1/project/proj-1");
        check_signature(r, AK, SECRET)
            .unwrap_or_else(|e| panic!("host {:?}: {e}", r.header("host")));
    }
}

#[test]
fn documented_values_decode_to_variants_and_new_ones_to_unknown() {
    use yunxiao::codeup::CodeupVisibility;
    use yunxiao::flow::{FlowRunStatus, GetPipelineRunResponse};

    // A string enum inside a response: documented, then a value the service added later.
    let known: GetPipelineRunResponse =
        serde_json::from_value(serde_json::json!({"pipelineRun": {"status": "FAIL"}})).unwrap();
    assert_eq!(
        known.pipeline_run.unwrap().status,
        Some(FlowRunStatus::Fail)
    );
    let new: GetPipelineRunResponse =
        serde_json::from_value(serde_json::json!({"pipelineRun": {"status": "CANCELED"}})).unwrap();
    let status = new.pipeline_run.unwrap().status.unwrap();
    assert_eq!(status, FlowRunStatus::Unknown("CANCELED".into()));
    // Unknown values go back on the wire unchanged.
    assert_eq!(serde_json::to_value(&status).unwrap(), "CANCELED");
    assert_eq!(status.as_str(), "CANCELED");

    // A number enum: the wire value is the number, both ways.
    let v: CodeupVisibility = serde_json::from_value(serde_json::json!(10)).unwrap();
    assert_eq!(v, CodeupVisibility::Internal);
    assert_eq!(serde_json::to_value(v).unwrap(), 10);
    let v: CodeupVisibility = serde_json::from_value(serde_json::json!(20)).unwrap();
    assert_eq!(v, CodeupVisibility::Unknown(20));
    assert_eq!(serde_json::to_value(v).unwrap(), 20);
    // A string where the number belongs is a decode error, not a silent Unknown.
    assert!(serde_json::from_value::<CodeupVisibility>(serde_json::json!("10")).is_err());
}
