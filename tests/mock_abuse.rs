//! The mock under abuse (issue 9): slow headers and bodies time out, unsigned bodies are
//! refused before they are read, the recording is bounded in bytes, stale dates and
//! reused nonces are refused like the gateway does, and the mock checks its own answers.
#![cfg(feature = "mock")]

use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use yunxiao::mock::{AnswerCheck, MockReply, MockServer, MOCK_ACCESS_KEY_ID};
use yunxiao::signing::{self, RequestContext, SignatureVersion};
use yunxiao::{Error, API_VERSION};

/// Opens a connection that sends a request head and part of its body, then stalls.
async fn stall(server: &MockServer, signed_looking: bool) -> TcpStream {
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    let auth = if signed_looking {
        format!("authorization: ACS3-HMAC-SHA256 Credential={MOCK_ACCESS_KEY_ID},SignedHeaders=host,Signature=00\r\n")
    } else {
        String::new()
    };
    let head = format!(
        "PUT /groups/modify?organizationId=o HTTP/1.1\r\nhost: {}\r\nx-acs-action: UpdateGroup\r\n{auth}content-length: 1000\r\n\r\n{{\"pa",
        server.addr()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

#[tokio::test]
async fn slow_bodies_and_headers_time_out_and_free_their_slots() {
    let server = MockServer::builder()
        .max_connections(8)
        .read_timeout(Duration::from_millis(500))
        .start()
        .await;
    let mut slow = Vec::new();
    for _ in 0..4 {
        slow.push(TcpStream::connect(server.addr()).await.unwrap());
    }
    for _ in 0..8 {
        slow.push(stall(&server, true).await);
    }
    for _ in 0..4 {
        // Connections that send nothing at all.
        slow.push(TcpStream::connect(server.addr()).await.unwrap());
    }
    for _ in 0..4 {
        // Headers that never end.
        let mut s = TcpStream::connect(server.addr()).await.unwrap();
        s.write_all(b"GET /organization/o/project/p HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        slow.push(s);
    }
    // Every slot is taken by a stalled connection; a real call still gets through soon.
    let started = Instant::now();
    server
        .client()
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // The stalled bodies were answered 408 and recorded without a body.
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), slow[4].read_to_end(&mut answer)).await;
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let timed_out = server.requests().iter().filter(|r| r.status == 408).count();
    assert_eq!(timed_out, 8);
}

#[tokio::test]
async fn unsigned_bodies_are_refused_unread() {
    let server = MockServer::builder()
        .read_timeout(Duration::from_secs(30))
        .start()
        .await;
    // No signature: answered at once, without waiting for the 1000 promised bytes.
    let mut s = stall(&server, false).await;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut answer))
        .await
        .expect("answered without reading the body")
        .unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 403"));
    assert!(server.requests()[0].body.is_empty());
}

#[tokio::test]
async fn the_recording_is_bounded_in_bytes() {
    // 12 posts of 9 MB: 108 MB recorded before; at most the 64 MiB default now.
    let server = MockServer::builder().verify_signatures(false).start().await;
    let client = reqwest::Client::new();
    let body = vec![b'x'; 9_000_000];
    for _ in 0..12 {
        let response = client
            .put(format!(
                "{}/groups/modify?organizationId=o",
                server.endpoint()
            ))
            .header("x-acs-action", "UpdateGroup")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
    }
    let kept: usize = server.requests().iter().map(|r| r.body.len()).sum();
    assert!(kept <= yunxiao::mock::DEFAULT_RECORD_BYTES, "{kept}");
    assert!(kept >= 5 * 9_000_000, "the newest are kept: {kept}");

    let small = MockServer::builder()
        .verify_signatures(false)
        .record_bytes(20_000_000)
        .start()
        .await;
    for _ in 0..5 {
        client
            .put(format!(
                "{}/groups/modify?organizationId=o",
                small.endpoint()
            ))
            .header("x-acs-action", "UpdateGroup")
            .body(body.clone())
            .send()
            .await
            .unwrap();
    }
    assert_eq!(small.requests().len(), 2);
}

/// A signed GetProjectInfo request at time `at` with `nonce`; returns status and body.
async fn signed_call(server: &MockServer, at: SystemTime, nonce: &str) -> (u16, Value) {
    let path = "/organization/o/project/p";
    let headers = signing::sign_request(&RequestContext {
        version: SignatureVersion::V3,
        method: "GET",
        host: &server.addr().to_string(),
        path,
        query: &[],
        action: "GetProjectInfo",
        api_version: API_VERSION,
        user_agent: "abuse-test",
        content_type: None,
        body: b"",
        timestamp: at,
        nonce,
        credentials: server.credentials(),
        extra_headers: &[],
    });
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.endpoint()));
    for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn stale_dates_and_reused_nonces_are_refused() {
    let server = MockServer::start().await;
    let now = SystemTime::now();
    let stale = now - Duration::from_secs(16 * 60);
    let (status, body) = signed_call(&server, stale, &signing::new_nonce()).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("InvalidTimeStamp.Expired"))
    );
    let (status, _) = signed_call(
        &server,
        now + Duration::from_secs(16 * 60),
        &signing::new_nonce(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = signed_call(
        &server,
        now - Duration::from_secs(14 * 60),
        &signing::new_nonce(),
    )
    .await;
    assert_eq!(status, 200);

    let nonce = signing::new_nonce();
    assert_eq!(signed_call(&server, now, &nonce).await.0, 200);
    let (status, body) = signed_call(&server, now, &nonce).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("SignatureNonceUsed"))
    );

    // Each check has a switch.
    let lax = MockServer::builder()
        .check_timestamps(false)
        .check_nonces(false)
        .start()
        .await;
    assert_eq!(signed_call(&lax, stale, &nonce).await.0, 200);
    assert_eq!(signed_call(&lax, stale, &nonce).await.0, 200);
}

#[tokio::test]
async fn the_mock_checks_its_own_answers() {
    let server = MockServer::start().await;
    // An object where the response type has a string: refused by the mock itself.
    server
        .respond(
            "GetProjectInfo",
            MockReply::json(
                200,
                json!({"success": true, "project": {"name": {"zh": "x"}}}),
            ),
        )
        .unwrap();
    let err = server
        .client()
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(
        (api.status, api.code.as_str()),
        (500, "Mock.AnswerMismatch")
    );
    assert!(api.message.contains("`project.name`"), "{}", api.message);

    // A lossless conversion passes the default check; strict mode refuses it.
    let drift = json!({"success": "true", "project": {"name": "x"}});
    server
        .respond("GetProjectInfo", MockReply::json(200, drift.clone()))
        .unwrap();
    server
        .client()
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap();
    let strict = MockServer::builder()
        .check_answers(AnswerCheck::Strict)
        .start()
        .await;
    strict
        .respond("GetProjectInfo", MockReply::json(200, drift))
        .unwrap();
    let err = strict
        .client()
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api(e) if e.code == "Mock.AnswerMismatch" && e.message.contains("`success`: string read as boolean")),
        "{err:?}"
    );
    // Raw answers are sent as given.
    strict
        .respond(
            "GetProjectInfo",
            MockReply::raw(200, "application/json", r#"{"success":"true"}"#),
        )
        .unwrap();
    strict
        .client()
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap();
}

/// Every documented example decodes into its operation's response type without a single
/// scalar conversion: the mock's own answers match the spec exactly.
#[test]
fn every_example_passes_the_strict_answer_check() {
    let mut drifting = Vec::new();
    for op in yunxiao::MOCK_OPERATIONS {
        let meta = op.meta;
        let (Some(example), false) = (
            yunxiao::mock::example_response(meta.action),
            meta.response_is_text,
        ) else {
            continue;
        };
        let body = serde_json::to_vec(example).expect("examples serialize");
        if let Err(e) = (op.check_answer)(&body, AnswerCheck::Strict) {
            drifting.push((meta.action, e));
        }
    }
    assert!(drifting.is_empty(), "{drifting:#?}");
}
