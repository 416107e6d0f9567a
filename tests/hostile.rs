//! The client against misbehaving servers on loopback (issue 9): redirects, oversized and
//! never-ending bodies, retries of calls that took effect, odd envelopes, wire parity.
//! Each server here is a raw `TcpListener` that writes whatever HTTP the test wants.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use yunxiao::codeup::DeleteBranchCall;
use yunxiao::retry::{ClassifyRetry, FailedAttempt, RetryDecision};
use yunxiao::{Client, ClientBuilder, Credentials, Error, RetryBudget, RetryConfig};

const SECRET: &str = "hostile-test-secret-value";
const TOKEN: &str = "hostile-sts-token-value";

/// One request as a hostile server read it.
#[derive(Clone, Debug)]
struct Seen {
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// Reads one request (head and a `content-length` body); `None` when the peer closed.
async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut seen = Seen {
        head,
        body: buf[head_end..].to_vec(),
    };
    let len: usize = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while seen.body.len() < len {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.body.extend_from_slice(&chunk[..n]);
    }
    Some(seen)
}

/// A loopback server calling `answer` for every request; it records what it read.
struct Hostile {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    async fn start<F, Fut>(answer: F) -> Self
    where
        F: Fn(TcpStream, Seen, usize) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, answer)
    }

    fn serve<F, Fut>(listener: TcpListener, answer: F) -> Self
    where
        F: Fn(TcpStream, Seen, usize) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (answer, log) = (answer.clone(), log.clone());
                tokio::spawn(async move {
                    // One request per connection: every answer closes it.
                    if let Some(req) = read_request(&mut stream).await {
                        let n = {
                            let mut log = log.lock().unwrap();
                            log.push(req.clone());
                            log.len()
                        };
                        answer(stream, req, n).await;
                    }
                });
            }
        });
        Self { addr, seen, task }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

/// Writes a complete response and closes.
async fn respond(mut stream: TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    let _ = stream.write_all(&bytes).await;
    let _ = stream.shutdown().await;
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn builder(endpoint: &str) -> ClientBuilder {
    Client::builder()
        .endpoint(endpoint)
        .credentials(Credentials::with_security_token("AKID", SECRET, TOKEN))
        .timeout(Duration::from_secs(10))
}

/// Retries with tiny backoffs so tests stay fast.
fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        max_attempts,
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(10),
    }
}

fn assert_no_secret(text: &str) {
    for s in [SECRET, TOKEN, "accessToken=", "import-secret"] {
        assert!(!text.contains(s), "`{s}` leaked into: {text}");
    }
}

// ---------------------------------------------------------------------------------------
// 1. Redirects
// ---------------------------------------------------------------------------------------

/// Where a hostile server points: a second server that records what reaches it.
async fn thief() -> Hostile {
    Hostile::start(|s, _, _| async move {
        let body = br#"{"success": true, "result": {"id": 666}}"#;
        respond(s, "200 OK", &[JSON], body).await
    })
    .await
}

#[tokio::test]
async fn redirects_are_errors_and_nothing_reaches_the_other_host() {
    let thief = thief().await;
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let location = format!("{}/steal?accessToken=abc&x=1", thief.endpoint());
        let server = Hostile::start(move |s, _, _| {
            let location = location.clone();
            async move { respond(s, status, &[("location", &location)], b"").await }
        })
        .await;
        let client = builder(&server.endpoint()).build().unwrap();
        let err = client
            .create_repository()
            .organization_id("org")
            .name("repo")
            .access_token("my-access-token")
            .import_token("import-secret")
            .send()
            .await
            .unwrap_err();
        match &err {
            Error::Redirect {
                status: code,
                location,
                ..
            } => {
                assert_eq!(code.to_string(), status[..3]);
                assert_eq!(
                    location.as_deref(),
                    Some(format!("{}/steal", thief.endpoint()).as_str())
                );
            }
            other => panic!("{status}: expected Error::Redirect, got {other:?}"),
        }
        assert!(!err.is_retryable());
        assert_no_secret(&err.to_string());
        assert_no_secret(&format!("{err:?}"));
        assert_eq!(server.count(), 1, "{status}: one request, not retried");
        assert!(server.requests()[0].header("referer").is_none());
    }
    assert_eq!(thief.count(), 0, "nothing may reach the other host");
}

#[tokio::test]
async fn a_callers_client_that_follows_redirects_is_caught() {
    let thief = thief().await;
    let location = format!("{}/steal", thief.endpoint());
    let server = Hostile::start(move |s, _, _| {
        let location = location.clone();
        async move { respond(s, "307 Temporary Redirect", &[("location", &location)], b"").await }
    })
    .await;
    // A client with reqwest's defaults (follows up to 10 redirects).
    let client = builder(&server.endpoint())
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let err = client
        .create_repository()
        .organization_id("org")
        .name("repo")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Redirect { status: 200, location: Some(l), .. } if l.starts_with(&thief.endpoint())),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------
// 3. Size cap, 4. deadline
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_declared_2_gib_body_is_refused_without_reading_it() {
    let server = Hostile::start(|mut s, _, _| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2147483648\r\n\r\n{";
        let _ = s.write_all(head.as_bytes()).await;
        // Then nothing: a client that waits for the body hangs.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = builder(&server.endpoint())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { status: 200, limit, .. } if limit == yunxiao::DEFAULT_MAX_RESPONSE_SIZE),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.to_string().contains("33554432-byte cap"), "{err}");
}

/// Headers, then one byte of body every 50 ms, forever.
async fn never_ending(mut s: TcpStream) {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    if s.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    loop {
        if s.write_all(b"1\r\n \r\n").await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_deadline_bounds_retries_of_a_never_ending_body() {
    let server = Hostile::start(|s, _, _| never_ending(s)).await;
    let client = builder(&server.endpoint())
        .timeout(Duration::from_millis(800))
        .deadline(Duration::from_millis(2000))
        .retry(fast_retry(10))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    match err {
        Error::DeadlineExceeded {
            deadline, attempts, ..
        } => {
            assert_eq!(deadline, Duration::from_millis(2000));
            assert_eq!(attempts, 3);
        }
        other => panic!("expected DeadlineExceeded, got {other:?}"),
    }
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_millis(2600),
        "{elapsed:?}"
    );
    assert_eq!(server.count(), 3);
}

// ---------------------------------------------------------------------------------------
// 5. Retries that are safe, and a budget
// ---------------------------------------------------------------------------------------

async fn always_503() -> Hostile {
    Hostile::start(|s, _, _| async move {
        let body = br#"{"Code":"ServiceUnavailable","Message":"down"}"#;
        respond(s, "503 Service Unavailable", &[JSON], body).await
    })
    .await
}

#[tokio::test]
async fn a_non_idempotent_post_is_not_resent_after_a_503() {
    let server = always_503().await;
    let client = builder(&server.endpoint())
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let err = client
        .start_pipeline_run()
        .organization_id("org")
        .pipeline_id(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.as_api().map(|e| e.status), Some(503));
    assert_eq!(server.count(), 1, "StartPipelineRun must run at most once");
    client
        .create_repository()
        .organization_id("org")
        .name("repo")
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 2, "CreateRepository must run at most once");
    // A POST that only reads is idempotent by its spec, and retried.
    client
        .get_pipeline_artifact_url()
        .organization_id("org")
        .file_path("p")
        .file_name("f")
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn a_connection_closed_mid_answer_retries_only_idempotent_calls() {
    // Odd requests: closed in the middle of the head; even ones: of the body.
    let server = Hostile::start(|mut s, _, n| async move {
        let cut: &[u8] = if n % 2 == 1 {
            b"HTTP/1.1 200 OK\r\ncontent-le"
        } else {
            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"succ"
        };
        let _ = s.write_all(cut).await;
        let _ = s.shutdown().await;
    })
    .await;
    let client = builder(&server.endpoint())
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let err = client
        .create_repository()
        .organization_id("org")
        .name("repo")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.count(), 1);
    client
        .create_repository()
        .organization_id("org")
        .name("repo")
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 2);
    client
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn a_timed_out_post_is_not_resent() {
    let server = Hostile::start(|s, _, _| async move {
        let _open = s;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = builder(&server.endpoint())
        .timeout(Duration::from_millis(200))
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let err = client
        .start_pipeline_run()
        .organization_id("org")
        .pipeline_id(1)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(server.count(), 1);
    client
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn throttling_and_refused_connections_are_retried_for_any_call() {
    let server = Hostile::start(|s, _, n| async move {
        if n == 1 {
            let body = br#"{"Code":"Throttling.User","Message":"slow down"}"#;
            respond(s, "429 Too Many Requests", &[JSON], body).await
        } else {
            respond(s, "200 OK", &[JSON], br#"{"success": true}"#).await
        }
    })
    .await;
    let client = builder(&server.endpoint())
        .retry(fast_retry(3))
        .build()
        .unwrap();
    client
        .start_pipeline_run()
        .organization_id("org")
        .pipeline_id(1)
        .send()
        .await
        .expect("retried after throttling");
    assert_eq!(server.count(), 2);

    // Connection refused: the port is closed for the first attempt, then served.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = builder(&format!("http://{addr}"))
        .retry(RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(300),
            max_backoff: Duration::from_millis(300),
        })
        .build()
        .unwrap();
    let call = tokio::spawn(async move {
        client
            .start_pipeline_run()
            .organization_id("org")
            .pipeline_id(1)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let listener = TcpListener::bind(addr).await.unwrap();
    let late = Hostile::serve(listener, |s, _, _| async move {
        respond(s, "200 OK", &[JSON], br#"{"success": true}"#).await
    });
    call.await
        .unwrap()
        .expect("retried after connection refused");
    assert_eq!(late.count(), 1);
}

#[tokio::test]
async fn fifty_concurrent_calls_against_a_failing_server_spend_the_budget() {
    let server = always_503().await;
    let client = builder(&server.endpoint())
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .get_project_info()
                .organization_id("o")
                .project_id("p")
                .send()
                .await
        })
    });
    for call in futures_util::future::join_all(calls).await {
        assert!(call.unwrap().is_err());
    }
    // 50 first attempts and 20 retries (100 tokens, 5 each), not 150 requests.
    assert_eq!(server.count(), 70);
}

#[derive(Debug)]
struct NeverRetry;

impl ClassifyRetry for NeverRetry {
    fn classify(&self, _: &FailedAttempt<'_>) -> RetryDecision {
        RetryDecision::DoNotRetry
    }
}

#[tokio::test]
async fn the_classifier_and_the_budget_can_be_replaced() {
    let server = always_503().await;
    let client = builder(&server.endpoint())
        .retry(fast_retry(3))
        .retry_classifier(NeverRetry)
        .build()
        .unwrap();
    client
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);

    // A shared, empty budget: no retries for either client.
    let budget = RetryBudget::new(4);
    for _ in 0..2 {
        let client = builder(&server.endpoint())
            .retry(fast_retry(3))
            .retry_budget(budget.clone())
            .build()
            .unwrap();
        client
            .get_project_info()
            .organization_id("o")
            .project_id("p")
            .send()
            .await
            .unwrap_err();
    }
    assert_eq!(server.count(), 3);
    let unlimited = builder(&server.endpoint())
        .retry(fast_retry(3))
        .retry_budget(RetryBudget::unlimited())
        .build()
        .unwrap();
    unlimited
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 6);
}

// ---------------------------------------------------------------------------------------
// 6. Tolerant decoding
// ---------------------------------------------------------------------------------------

async fn answering(status: &'static str, body: &'static str) -> Hostile {
    Hostile::start(move |s, _, _| async move {
        respond(
            s,
            status,
            &[JSON, ("x-acs-request-id", "HEADER-ID")],
            body.as_bytes(),
        )
        .await
    })
    .await
}

fn delete_branch(c: &Client) -> DeleteBranchCall<'_> {
    c.delete_branch()
        .repository_id(1)
        .branch_name("b")
        .organization_id("org")
}

#[tokio::test]
async fn a_string_success_where_the_docs_say_boolean_decodes() {
    let body = r#"{"requestId":"R1","success":"true","result":{"branchName":"b"}}"#;
    let server = answering("200 OK", body).await;
    let client = builder(&server.endpoint()).build().unwrap();
    let done = delete_branch(&client).send().await.unwrap();
    assert_eq!(done.success, Some(true));

    // Strict mode names the converted field.
    let strict = builder(&server.endpoint())
        .strict_decoding(true)
        .build()
        .unwrap();
    match delete_branch(&strict).send().await {
        Err(Error::Decode(e)) => {
            assert_eq!(e.field, "success");
            assert!(
                e.message.contains("string read as boolean"),
                "{}",
                e.message
            );
            assert_eq!(e.request_id.as_deref(), Some("R1"));
        }
        other => panic!("expected a strict decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn success_false_as_text_is_a_failure() {
    let body =
        r#"{"requestId":"R2","success":"false","errorCode":"Repo.NotFound","errorMessage":"gone"}"#;
    let server = answering("200 OK", body).await;
    let client = builder(&server.endpoint()).build().unwrap();
    let err = delete_branch(&client).send().await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(
        (
            api.code.as_str(),
            api.message.as_str(),
            api.request_id.as_deref()
        ),
        ("Repo.NotFound", "gone", Some("R2"))
    );
}

#[tokio::test]
async fn one_odd_envelope_field_hides_nothing() {
    let body =
        r#"{"requestId":"R3","errorCode":"Quota.Exceeded","errorMessage":{"zh":"x"},"success":0}"#;
    let server = answering("500 Internal Server Error", body).await;
    let client = builder(&server.endpoint())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let err = client
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.code, "Quota.Exceeded");
    assert_eq!(api.request_id.as_deref(), Some("R3"));
}

#[tokio::test]
async fn a_structural_mismatch_still_names_the_field() {
    let body = r#"{"success":true,"project":{"name":"p","members":{"a":1}, "gmtCreate": "12"}}"#;
    let server = answering("200 OK", body).await;
    let client = builder(&server.endpoint()).build().unwrap();
    // `gmtCreate` ("12" for a long) converts; an object where a string belongs does not.
    let body_ok = r#"{"success":"true","project":{"name":"p","gmtCreate":"12"}}"#;
    let ok_server = answering("200 OK", body_ok).await;
    let ok = builder(&ok_server.endpoint()).build().unwrap();
    let info = ok
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap();
    assert_eq!(info.success, Some(true));
    assert_eq!(
        info.project
            .and_then(|p| p.gmt_create)
            .map(|t| t.as_millis()),
        Some(12)
    );
    let body_bad = r#"{"success":true,"project":{"name":{"zh":"p"}}}"#;
    let bad_server = answering("200 OK", body_bad).await;
    let bad = builder(&bad_server.endpoint()).build().unwrap();
    match bad
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
    {
        Err(Error::Decode(e)) => assert_eq!(e.field, "project.name"),
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    drop((server, client));
}

// ---------------------------------------------------------------------------------------
// 8. Wire parity
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn bodiless_posts_send_content_length_zero() {
    let server = answering("200 OK", r#"{"success":true}"#).await;
    let client = builder(&server.endpoint()).build().unwrap();
    client
        .get_pipeline_artifact_url()
        .organization_id("org")
        .file_path("p")
        .file_name("f")
        .send()
        .await
        .unwrap();
    client
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .unwrap();
    let seen = server.requests();
    assert!(seen[0].head.starts_with("POST "));
    assert_eq!(seen[0].header("content-length").as_deref(), Some("0"));
    assert!(seen[1].head.starts_with("GET "));
    assert_eq!(seen[1].header("content-length"), None);
}

#[tokio::test]
async fn unsendable_values_are_refused_before_sending() {
    let server = answering("200 OK", r#"{"success":true}"#).await;
    let config = |r: Result<Client, Error>| match r {
        Err(Error::Config(m)) => m,
        other => panic!("expected a config error, got {other:?}"),
    };
    let m = config(
        builder(&server.endpoint())
            .user_agent("app/1\r\nx-evil: 1")
            .build(),
    );
    assert!(m.contains("user agent") && m.contains("line break"), "{m}");
    let m = config(
        builder(&server.endpoint())
            .user_agent("x".repeat(70 * 1024))
            .build(),
    );
    assert!(m.contains("64 KiB"), "{m}");

    for creds in [
        Credentials::new("AKID\n", SECRET),
        Credentials::new("AKID", format!("{SECRET}\r\n")),
        Credentials::with_security_token("AKID", SECRET, format!("{TOKEN}\r\nx: y")),
        Credentials::with_security_token("AKID", SECRET, "t".repeat(70 * 1024)),
    ] {
        let client = builder(&server.endpoint())
            .credentials(creds)
            .build()
            .unwrap();
        let err = client
            .get_project_info()
            .organization_id("o")
            .project_id("p")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("credentials")),
            "{err:?}"
        );
        assert_no_secret(&err.to_string());
    }

    let client = builder(&server.endpoint()).build().unwrap();
    let long = "f".repeat(70 * 1024);
    let err = client
        .get_pipeline_artifact_url()
        .organization_id("org")
        .file_path("p")
        .file_name(long)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "fileName"),
        "{err:?}"
    );
    let err = client
        .update_group()
        .organization_id("o")
        .path_with_namespace("a/b")
        .name("b")
        .path("b")
        .access_token("t".repeat(70 * 1024))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidParameter { name, .. } if name == "accessToken"),
        "{err:?}"
    );
    assert_eq!(server.count(), 0, "nothing was sent");
}

#[test]
fn legacy_signing_takes_lower_case_x_acs_headers_only() {
    use yunxiao::signing::{legacy, verify, SignableRequest};
    let headers: Vec<(String, String)> = [
        ("date", "Fri, 02 Jan 2026 03:04:05 GMT"),
        ("accept", "application/json"),
        ("x-acs-action", "GetProjectInfo"),
        ("X-Acs-Custom", "not signed by the official rule"),
        ("x-acs-version", "2021-06-25"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let req = SignableRequest {
        method: "GET",
        path: "/p",
        query: &[],
        headers: &headers,
        body: b"",
    };
    let sig = legacy::sign(&req, "AK", "SK");
    assert_eq!(
        sig.canonicalized_headers,
        "x-acs-action:GetProjectInfo\nx-acs-version:2021-06-25\n"
    );
    // A gateway that sees the names as sent verifies it, whatever `X-Acs-Custom` says.
    let mut sent = headers.clone();
    sent.push(("authorization".into(), sig.authorization.clone()));
    sent[3].1 = "changed in transit".into();
    let verified = verify("GET", "/p", &[], &sent, b"", |_| Some("SK".into())).unwrap();
    assert!(!verified
        .signed_headers
        .contains(&"x-acs-custom".to_string()));
}
