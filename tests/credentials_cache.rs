//! The credentials cache (single flight, refresh ahead, failures) and each network
//! provider's failures (timeouts, 5xx, malformed replies, expired replies, a token file
//! that disappears), with a controllable clock; and that no secret reaches a `Debug`,
//! `Display`, error or log line, for every provider.

mod fake_http;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fake_http::{FakeServer, Reply};
use serde_json::json;
use yunxiao::credentials::{
    CachedProvider, Credentials, CredentialsError, CredentialsUriProvider, DefaultChain,
    EcsRamRoleProvider, EnvironmentProvider, ExternalProvider, IniProfileProvider, ManualClock,
    OidcProvider, ProfileProvider, ProvideCredentials, ProvideCredentialsFuture, ProviderConfig,
    RamRoleArnProvider, RefreshPolicy, StaticProvider,
};

const T0: u64 = 1_767_225_600;
const SECRET: &str = "SeCrEt-ReplySecret-0001";
const TOKEN: &str = "CAIS-ReplyToken-0001";
const SOURCE_SECRET: &str = "SoUrCe-Secret-9876";
const OIDC_TOKEN: &str = "eyJ-oidc-token-value-5555";

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(T0 + secs)
}

fn iso(secs: u64) -> String {
    yunxiao::signing::format_acs_date(at(secs))
}

/// A credentials-URI reply expiring `exp` seconds after T0.
fn uri_reply(n: u32, exp: u64) -> Reply {
    Reply::json(&json!({
        "Code": "Success",
        "AccessKeyId": format!("STS.key{n}"),
        "AccessKeySecret": format!("{SECRET}-{n}"),
        "SecurityToken": format!("{TOKEN}-{n}"),
        "Expiration": iso(exp),
    }))
}

fn sts_reply(n: u32, exp: u64) -> Reply {
    Reply::json(&json!({
        "RequestId": "R",
        "Credentials": {
            "AccessKeyId": format!("STS.key{n}"),
            "AccessKeySecret": format!("{SECRET}-{n}"),
            "SecurityToken": format!("{TOKEN}-{n}"),
            "Expiration": iso(exp),
        }
    }))
}

fn config(clock: &ManualClock) -> ProviderConfig {
    ProviderConfig::new()
        .with_env(|_| None)
        .with_clock(Arc::new(clock.clone()))
}

fn uri_provider(fake: &FakeServer, clock: &ManualClock) -> CredentialsUriProvider {
    CredentialsUriProvider::builder()
        .configure(&config(clock))
        .uri(format!("{}/creds", fake.url()))
        .read_timeout(Duration::from_millis(500))
        .build()
        .expect("provider")
}

// ---------------------------------------------------------------------------------------
// Single flight

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_calls_make_one_request_per_refresh() {
    let fake = FakeServer::start(vec![
        uri_reply(1, 3600).delay(Duration::from_millis(300)),
        uri_reply(2, 7200).delay(Duration::from_millis(300)),
    ])
    .await;
    let clock = ManualClock::new(at(0));
    let provider = Arc::new(uri_provider(&fake, &clock));

    let burst = |expect: &'static str| {
        let handles: Vec<_> = (0..1000)
            .map(|_| {
                let p = provider.clone();
                tokio::spawn(async move { p.provide_credentials().await })
            })
            .collect();
        async move {
            for h in handles {
                let c = h.await.expect("task").expect("credentials");
                assert_eq!(c.access_key_id(), expect);
            }
        }
    };
    // Nothing cached: one request for all.
    burst("STS.key1").await;
    assert_eq!(fake.count(), 1);
    // Warm: none.
    burst("STS.key1").await;
    assert_eq!(fake.count(), 1);
    // Inside the 15-minute margin: one refresh for all.
    clock.set(at(2700));
    burst("STS.key2").await;
    assert_eq!(fake.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_is_shared_by_the_callers_that_waited_for_it() {
    let fake = FakeServer::start(vec![
        Reply::new(503, r#"{"Code":"ServiceUnavailable"}"#).delay(Duration::from_millis(300))
    ])
    .await;
    let clock = ManualClock::new(at(0));
    let provider = Arc::new(uri_provider(&fake, &clock));
    let handles: Vec<_> = (0..100)
        .map(|_| {
            let p = provider.clone();
            tokio::spawn(async move { p.provide_credentials().await })
        })
        .collect();
    for h in handles {
        let err = h.await.expect("task").expect_err("fails");
        assert!(
            matches!(err, CredentialsError::Service { status: 503, .. }),
            "{err:?}"
        );
    }
    assert_eq!(fake.count(), 1);
}

// ---------------------------------------------------------------------------------------
// Refresh failures

#[tokio::test]
async fn a_failed_refresh_keeps_serving_unexpired_credentials_then_retries_after_a_backoff() {
    let fake = FakeServer::start(vec![
        uri_reply(1, 3600),
        Reply::new(500, r#"{"Code":"InternalError"}"#),
        uri_reply(2, 7200),
    ])
    .await;
    let clock = ManualClock::new(at(0));
    let p = uri_provider(&fake, &clock);
    assert_eq!(
        p.provide_credentials().await.unwrap().access_key_id(),
        "STS.key1"
    );

    clock.set(at(2700));
    let c = p
        .provide_credentials()
        .await
        .expect("old credentials still valid");
    assert_eq!(c.access_key_id(), "STS.key1");
    assert_eq!(fake.count(), 2);
    // Backing off: no request for at least a second.
    p.provide_credentials().await.expect("cached");
    clock.set(at(2700) + Duration::from_millis(999));
    p.provide_credentials().await.expect("cached");
    assert_eq!(fake.count(), 2);
    // The first backoff is at most 10 s.
    clock.set(at(2711));
    assert_eq!(
        p.provide_credentials().await.unwrap().access_key_id(),
        "STS.key2"
    );
    assert_eq!(fake.count(), 3);
}

#[tokio::test]
async fn expired_credentials_are_never_served() {
    let fake = FakeServer::start(vec![uri_reply(1, 3600)]).await;
    fake.set_fallback(Reply::new(500, "{}"));
    let clock = ManualClock::new(at(0));
    let p = uri_provider(&fake, &clock);
    p.provide_credentials().await.expect("first");
    clock.set(at(3600));
    let err = p
        .provide_credentials()
        .await
        .expect_err("expired, refresh fails");
    assert!(
        matches!(err, CredentialsError::Service { status: 500, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_reply_that_has_already_expired_is_an_error() {
    let fake = FakeServer::start(vec![uri_reply(1, 0)]).await;
    let clock = ManualClock::new(at(10));
    let err = uri_provider(&fake, &clock)
        .provide_credentials()
        .await
        .expect_err("expired");
    match &err {
        CredentialsError::Expired {
            provider,
            expired_at,
        } => {
            assert_eq!(provider, "credential_uri");
            assert_eq!(expired_at, "2026-01-01T00:00:00Z");
        }
        other => panic!("{other:?}"),
    }
}

/// A provider counting calls, answering what it is told.
#[derive(Debug, Default)]
struct Scripted {
    calls: AtomicUsize,
    replies: Mutex<Vec<Result<Credentials, CredentialsError>>>,
}

impl ProvideCredentials for Scripted {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let next = self.replies.lock().unwrap().remove(0);
        ProvideCredentialsFuture::ready(next)
    }
}

#[tokio::test]
async fn cache_policies_follow_the_official_margins() {
    let clock = ManualClock::new(at(0));
    let creds = |n: &str, exp: u64| Ok(Credentials::new(n, "s").with_expiry(Some(at(exp))));
    // ECS: 15 min before expiry, and one hour after each fetch (here inline).
    let inner = Arc::new(Scripted {
        replies: Mutex::new(vec![creds("a", 6 * 3600), creds("b", 7 * 3600)]),
        ..Scripted::default()
    });
    let cache = CachedProvider::with_clock(
        inner.clone(),
        RefreshPolicy::ecs().background_prefetch(false),
        Arc::new(clock.clone()),
    );
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "a"
    );
    clock.set(at(3599));
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "a"
    );
    assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
    clock.set(at(3600));
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "b"
    );
    assert_eq!(inner.calls.load(Ordering::SeqCst), 2);

    // External: 180 s before expiry; without an expiry, every call.
    let inner = Arc::new(Scripted {
        replies: Mutex::new(vec![
            creds("x", 3600),
            Ok(Credentials::new("y", "s")),
            Ok(Credentials::new("z", "s")),
        ]),
        ..Scripted::default()
    });
    let cache = CachedProvider::with_clock(
        inner.clone(),
        RefreshPolicy::external(),
        Arc::new(clock.clone()),
    );
    clock.set(at(0));
    cache.provide_credentials().await.unwrap();
    clock.set(at(3419));
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "x"
    );
    clock.set(at(3420));
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "y"
    );
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "z"
    );
    assert_eq!(inner.calls.load(Ordering::SeqCst), 3);

    // Static credentials in front of a default cache: fetched once, kept.
    let inner = Arc::new(Scripted {
        replies: Mutex::new(vec![Ok(Credentials::new("k", "s"))]),
        ..Scripted::default()
    });
    let cache =
        CachedProvider::with_clock(inner.clone(), RefreshPolicy::sts(), Arc::new(clock.clone()));
    for _ in 0..3 {
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "k"
        );
    }
    assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------
// Network failures, per provider

#[tokio::test]
async fn timeouts_are_reported_as_timeouts() {
    let clock = ManualClock::new(at(0));
    // URI: a reply slower than the read timeout.
    let fake = FakeServer::start(vec![uri_reply(1, 3600).delay(Duration::from_secs(5))]).await;
    let started = Instant::now();
    let err = CredentialsUriProvider::builder()
        .configure(&config(&clock))
        .uri(format!("{}/creds?token=QUERY-SECRET", fake.url()))
        .read_timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .provide_credentials()
        .await
        .expect_err("timeout");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, CredentialsError::Timeout { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("QUERY-SECRET"), "{err}");

    // STS: the same.
    let fake = FakeServer::start(vec![sts_reply(1, 3600).delay(Duration::from_secs(5))]).await;
    let err = RamRoleArnProvider::builder()
        .configure(&config(&clock))
        .access_key("src", SOURCE_SECRET)
        .role_arn("acs:ram::1:role/r")
        .sts_endpoint(fake.url())
        .read_timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .provide_credentials()
        .await
        .expect_err("timeout");
    assert!(
        matches!(err, CredentialsError::Timeout { ref endpoint, .. } if !endpoint.contains('?')),
        "{err:?}"
    );

    // ECS with IMDSv1 disabled: a token PUT that never answers in time is the error.
    let fake = FakeServer::start(vec![Reply::new(200, "tok").delay(Duration::from_secs(5))]).await;
    let started = Instant::now();
    let err = EcsRamRoleProvider::builder()
        .configure(&config(&clock))
        .endpoint(fake.url())
        .role_name("r")
        .disable_imds_v1(true)
        .build()
        .unwrap()
        .provide_credentials()
        .await
        .expect_err("timeout");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the 1 s default read timeout"
    );
    assert!(
        matches!(err, CredentialsError::Timeout { ref endpoint, .. } if endpoint.ends_with("/latest/api/token")),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let clock = ManualClock::new(at(0));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = CredentialsUriProvider::builder()
        .configure(&config(&clock))
        .uri(format!("http://127.0.0.1:{port}/creds"))
        .build()
        .unwrap()
        .provide_credentials()
        .await
        .expect_err("refused");
    assert!(matches!(err, CredentialsError::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("credential_uri"), "{err}");
}

/// Malformed, incomplete or mistyped replies: an error naming the problem, no panic, no
/// secret.
#[tokio::test]
async fn malformed_replies_are_errors_without_secrets() {
    let clock = ManualClock::new(at(0));
    let bad_bodies = [
        format!("not json {SECRET}"),
        "[1,2]".to_owned(),
        json!({"Code": "Success", "AccessKeyId": 5, "AccessKeySecret": SECRET, "SecurityToken": TOKEN, "Expiration": iso(3600)}).to_string(),
        json!({"Code": "Success", "AccessKeyId": "k", "AccessKeySecret": SECRET, "SecurityToken": TOKEN, "Expiration": "tomorrow"}).to_string(),
        json!({"Code": "Success", "AccessKeyId": "k", "AccessKeySecret": SECRET, "Expiration": iso(3600)}).to_string(),
        json!({"Code": 7, "AccessKeySecret": SECRET}).to_string(),
        format!(r#"{{"Code":"Success","AccessKeySecret":"{SECRET}""#),
    ];
    for body in &bad_bodies {
        // URI and ECS read the same shape.
        let fake = FakeServer::start(vec![Reply::new(200, body.clone())]).await;
        let err = uri_provider(&fake, &clock)
            .provide_credentials()
            .await
            .expect_err(body);
        let text = format!("{err} {err:?}");
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        assert!(
            matches!(
                err,
                CredentialsError::InvalidResponse { .. } | CredentialsError::Service { .. }
            ),
            "{err:?}"
        );

        let fake =
            FakeServer::start(vec![Reply::new(200, "tok"), Reply::new(200, body.clone())]).await;
        let err = EcsRamRoleProvider::builder()
            .configure(&config(&clock))
            .endpoint(fake.url())
            .role_name("r")
            .disable_imds_v1(true)
            .build()
            .unwrap()
            .provide_credentials()
            .await
            .expect_err(body);
        let text = format!("{err} {err:?}");
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");

        // STS wraps it in `Credentials`.
        let wrapped = match serde_json::from_str::<serde_json::Value>(body) {
            Ok(v) => json!({"Credentials": v}).to_string(),
            Err(_) => body.clone(),
        };
        let fake = FakeServer::start(vec![Reply::new(200, wrapped)]).await;
        let err = RamRoleArnProvider::builder()
            .configure(&config(&clock))
            .access_key("src", SOURCE_SECRET)
            .role_arn("acs:ram::1:role/r")
            .sts_endpoint(fake.url())
            .build()
            .unwrap()
            .provide_credentials()
            .await;
        // `{"Code":"Success",...}` with every field is fine for STS; the rest must fail.
        if let Err(err) = err {
            let text = format!("{err} {err:?}");
            assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        }
    }
    // A string where STS has an object.
    let fake = FakeServer::start(vec![Reply::new(200, r#"{"Credentials":"x"}"#)]).await;
    let err = RamRoleArnProvider::builder()
        .configure(&config(&clock))
        .access_key("src", SOURCE_SECRET)
        .role_arn("acs:ram::1:role/r")
        .sts_endpoint(fake.url())
        .build()
        .unwrap()
        .provide_credentials()
        .await
        .expect_err("not an object");
    assert!(err.to_string().contains("`Credentials`"), "{err}");
}

#[tokio::test]
async fn server_errors_name_the_provider_status_and_code_but_not_the_body() {
    let clock = ManualClock::new(at(0));
    let fake = FakeServer::start(vec![Reply::new(
        502,
        format!(r#"{{"Code":"BadGateway","Message":"upstream","AccessKeySecret":"{SECRET}"}}"#),
    )])
    .await;
    let err = uri_provider(&fake, &clock)
        .provide_credentials()
        .await
        .expect_err("502");
    let msg = err.to_string();
    assert!(
        msg.contains("credential_uri") && msg.contains("HTTP 502") && msg.contains("BadGateway"),
        "{msg}"
    );
    assert!(!msg.contains("upstream") && !msg.contains(SECRET), "{msg}");

    // STS messages are kept: they explain the failure and hold no credentials.
    let fake = FakeServer::start(vec![Reply::new(
        403,
        r#"{"Code":"NoPermission","Message":"You are not authorized to do this action."}"#,
    )])
    .await;
    let err = RamRoleArnProvider::builder()
        .configure(&config(&clock))
        .access_key("src", SOURCE_SECRET)
        .role_arn("acs:ram::1:role/r")
        .sts_endpoint(fake.url())
        .build()
        .unwrap()
        .provide_credentials()
        .await
        .expect_err("403");
    let msg = err.to_string();
    assert!(
        msg.contains("ram_role_arn")
            && msg.contains("NoPermission")
            && msg.contains("not authorized"),
        "{msg}"
    );
    assert!(
        !msg.contains("Signature") && !msg.contains('?'),
        "no query in errors: {msg}"
    );
}

#[tokio::test]
async fn an_oidc_token_file_that_disappears() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{OIDC_TOKEN}\n")).unwrap();
    let fake = FakeServer::start(vec![sts_reply(1, 3600)]).await;
    fake.set_fallback(sts_reply(9, 9999));
    let clock = ManualClock::new(at(0));
    let p = OidcProvider::builder()
        .configure(&config(&clock))
        .role_arn("acs:ram::1:role/r")
        .oidc_provider_arn("acs:ram::1:oidc-provider/p")
        .token_file(&token)
        .sts_endpoint(fake.url())
        .build()
        .unwrap();
    p.provide_credentials().await.expect("first");
    let sent = &fake.requests()[0];
    assert_eq!(
        sent.query_pairs()
            .iter()
            .find(|(k, _)| k == "OIDCToken")
            .map(|(_, v)| v.as_str()),
        Some(OIDC_TOKEN),
        "the trailing newline is not sent"
    );

    std::fs::remove_file(&token).unwrap();
    // Inside the refresh margin: the refresh fails, the valid credentials are kept.
    clock.set(at(2700));
    assert_eq!(
        p.provide_credentials().await.unwrap().access_key_id(),
        "STS.key1"
    );
    assert_eq!(fake.count(), 1, "no request without a token");
    // Expired: the error says which file.
    clock.set(at(3600));
    let err = p.provide_credentials().await.expect_err("gone");
    assert!(
        matches!(err, CredentialsError::ReadConfig { ref path, .. } if path == &token),
        "{err:?}"
    );

    // Back again: read at the next refresh.
    std::fs::write(&token, OIDC_TOKEN).unwrap();
    clock.set(at(3700));
    assert_eq!(
        p.provide_credentials().await.unwrap().access_key_id(),
        "STS.key9"
    );

    // An empty token file is refused before anything is sent.
    std::fs::write(&token, "\n").unwrap();
    let p = OidcProvider::builder()
        .configure(&config(&clock))
        .role_arn("acs:ram::1:role/r")
        .oidc_provider_arn("acs:ram::1:oidc-provider/p")
        .token_file(&token)
        .sts_endpoint(fake.url())
        .build()
        .unwrap();
    let before = fake.count();
    let err = p.provide_credentials().await.expect_err("empty");
    assert!(err.to_string().contains("empty"), "{err}");
    assert_eq!(fake.count(), before);
}

#[tokio::test]
async fn misconfiguration_is_reported_before_anything_is_sent() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        ProviderConfig::new().with_env(move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
    };
    let err = RamRoleArnProvider::builder()
        .configure(&env(&[]))
        .access_key("a", "b")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("ALIBABA_CLOUD_ROLE_ARN"), "{err}");
    let err = RamRoleArnProvider::builder()
        .configure(&env(&[("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r")]))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"),
        "{err}"
    );
    let err = RamRoleArnProvider::builder()
        .configure(&env(&[]))
        .access_key("a", "b")
        .role_arn("r")
        .sts_endpoint("ftp://x")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("http or https"), "{err}");
    let err = OidcProvider::builder()
        .configure(&env(&[("ALIBABA_CLOUD_ROLE_ARN", "r")]))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("ALIBABA_CLOUD_OIDC_PROVIDER_ARN"),
        "{err}"
    );
    let err = CredentialsUriProvider::builder()
        .configure(&env(&[]))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("ALIBABA_CLOUD_CREDENTIALS_URI"),
        "{err}"
    );
    let err = CredentialsUriProvider::builder()
        .configure(&env(&[]))
        .uri("http://")
        .build()
        .unwrap_err();
    assert!(matches!(err, CredentialsError::Config { .. }), "{err:?}");
    let err = EcsRamRoleProvider::builder()
        .configure(&env(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "True")]))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("disabled"), "{err}");
    let err = ExternalProvider::new("cmd 'unterminated").unwrap_err();
    assert!(matches!(err, CredentialsError::Config { .. }), "{err:?}");
}

#[tokio::test]
async fn endpoint_selection_follows_region_and_vpc() {
    use yunxiao::credentials::sts_host;
    assert_eq!(sts_host(None, false), "sts.aliyuncs.com");
    assert_eq!(sts_host(None, true), "sts.aliyuncs.com");
    assert_eq!(
        sts_host(Some("cn-shanghai"), false),
        "sts.cn-shanghai.aliyuncs.com"
    );
    assert_eq!(
        sts_host(Some("cn-shanghai"), true),
        "sts-vpc.cn-shanghai.aliyuncs.com"
    );
    let dbg = format!(
        "{:?}",
        RamRoleArnProvider::builder()
            .configure(&ProviderConfig::new().with_env(|_| None))
            .access_key("a", SOURCE_SECRET)
            .role_arn("acs:ram::1:role/r")
            .sts_region("eu-central-1")
            .enable_vpc(true)
            .build()
            .unwrap()
    );
    assert!(
        dbg.contains("https://sts-vpc.eu-central-1.aliyuncs.com"),
        "{dbg}"
    );
    let dbg = format!(
        "{:?}",
        EcsRamRoleProvider::builder()
            .configure(&ProviderConfig::new().with_env(|_| None))
            .build()
            .unwrap()
    );
    assert!(dbg.contains("http://100.100.100.200"), "{dbg}");
}

// ---------------------------------------------------------------------------------------
// No secret in Debug, Display, errors or logs

/// Collects every tracing event and span field as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Visitor<'a>(&'a mut String);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut Visitor(&mut self.0.lock().unwrap()));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut Visitor(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut s = self.0.lock().unwrap();
        s.push_str(event.metadata().level().as_str());
        s.push(' ');
        event.record(&mut Visitor(&mut s));
        s.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn assert_clean(what: &str, text: &str) {
    for s in [
        SECRET,
        TOKEN,
        SOURCE_SECRET,
        OIDC_TOKEN,
        "ext-secret-value",
        "QUERY-SECRET",
    ] {
        assert!(!text.contains(s), "{what} leaks `{s}`:\n{text}");
    }
}

/// Runs `p` through a success, a failed refresh and a failure, checking its `Debug`,
/// every result's `Debug`/`Display`, and every log line.
async fn exercise(name: &str, p: &dyn ProvideCredentials, clock: &ManualClock, logs: &Capture) {
    assert_clean(name, &format!("{p:?} {p:#?}"));
    for t in [0, 2700, 4000] {
        clock.set(at(t));
        match p.provide_credentials().await {
            Ok(c) => assert_clean(name, &format!("{c:?} {c:#?}")),
            Err(e) => assert_clean(name, &format!("{e} {e:?} {e:#?}")),
        }
    }
    assert_clean(name, &format!("{p:?}"));
    assert_clean(&format!("{name} logs"), &logs.0.lock().unwrap());
}

#[test]
fn no_secret_in_debug_display_errors_or_logs_for_any_provider() {
    let logs = Capture::default();
    let _guard = tracing::subscriber::set_default(logs.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let clock = ManualClock::new(at(0));
        let cfg = config(&clock);
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("token");
        std::fs::write(&token, OIDC_TOKEN).unwrap();

        // Each network provider: a success, then 500s (with secrets in the body).
        let fail = Reply::new(500, format!(r#"{{"Code":"X","AccessKeySecret":"{SECRET}","SecurityToken":"{TOKEN}"}}"#));
        let fake = FakeServer::start(vec![uri_reply(1, 3600)]).await;
        fake.set_fallback(fail.clone());
        let uri = CredentialsUriProvider::builder()
            .configure(&cfg)
            .uri(format!("{}/c?token=QUERY-SECRET", fake.url()))
            .build()
            .unwrap();
        exercise("CredentialsUriProvider", &uri, &clock, &logs).await;

        let fake = FakeServer::start(vec![sts_reply(1, 3600)]).await;
        fake.set_fallback(fail.clone());
        let role = RamRoleArnProvider::builder()
            .configure(&cfg)
            .source(Credentials::with_security_token("src", SOURCE_SECRET, TOKEN))
            .role_arn("acs:ram::1:role/r")
            .external_id("ext-secret-value")
            .sts_endpoint(fake.url())
            .build()
            .unwrap();
        exercise("RamRoleArnProvider", &role, &clock, &logs).await;

        let fake = FakeServer::start(vec![sts_reply(1, 3600)]).await;
        fake.set_fallback(fail.clone());
        let oidc = OidcProvider::builder()
            .configure(&cfg)
            .role_arn("acs:ram::1:role/r")
            .oidc_provider_arn("acs:ram::1:oidc-provider/p")
            .token_file(&token)
            .sts_endpoint(fake.url())
            .build()
            .unwrap();
        exercise("OidcProvider", &oidc, &clock, &logs).await;

        let fake = FakeServer::start(vec![
            Reply::new(200, "imds-session-token"),
            Reply::new(200, "role"),
            Reply::new(200, "imds-session-token"),
            uri_reply(1, 3600),
        ])
        .await;
        fake.set_fallback(fail.clone());
        let ecs = EcsRamRoleProvider::builder()
            .configure(&cfg)
            .endpoint(fake.url())
            .background_prefetch(false)
            .build()
            .unwrap();
        exercise("EcsRamRoleProvider", &ecs, &clock, &logs).await;

        // Files and the environment.
        let cli = dir.path().join("config.json");
        std::fs::write(
            &cli,
            json!({"current": "a", "profiles": [
                {"name": "a", "mode": "StsToken", "access_key_id": "id", "access_key_secret": SECRET, "sts_token": TOKEN},
                {"name": "x", "mode": "External", "process_command": format!("/bin/sh -c 'echo \"{{\\\"access_key_id\\\":\\\"e\\\",\\\"access_key_secret\\\":\\\"{SECRET}\\\"}}\"'")},
                {"name": "bad", "mode": "External", "process_command": format!("/bin/sh -c 'echo {SECRET} >&2; exit 4'")},
            ]})
            .to_string(),
        )
        .unwrap();
        exercise("ProfileProvider", &ProfileProvider::from_file(&cli, None), &clock, &logs).await;
        exercise("ProfileProvider External", &ProfileProvider::from_file(&cli, Some("x".into())), &clock, &logs).await;
        exercise("ProfileProvider External failing", &ProfileProvider::from_file(&cli, Some("bad".into())), &clock, &logs).await;
        let ini = dir.path().join("c.ini");
        std::fs::write(&ini, format!("[default]\ntype = access_key\naccess_key_id = id\naccess_key_secret = {SECRET}\n")).unwrap();
        exercise("IniProfileProvider", &IniProfileProvider::with_config(cfg.clone()).with_file(&ini), &clock, &logs).await;
        let env_cfg = move |k: &str| match k {
            "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("id".to_owned()),
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some(SECRET.to_owned()),
            "ALIBABA_CLOUD_SECURITY_TOKEN" => Some(TOKEN.to_owned()),
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED" => Some("true".to_owned()),
            _ => None,
        };
        exercise("EnvironmentProvider", &EnvironmentProvider::from_lookup(env_cfg), &clock, &logs).await;
        exercise("DefaultChain", &DefaultChain::from_lookup(env_cfg), &clock, &logs).await;
        let nothing = DefaultChain::from_lookup(|k| (k == "ALIBABA_CLOUD_ECS_METADATA_DISABLED").then(|| "true".into()));
        exercise("DefaultChain (empty)", &nothing, &clock, &logs).await;
        exercise("StaticProvider", &StaticProvider::new(Credentials::with_security_token("id", SECRET, TOKEN)), &clock, &logs).await;
        exercise(
            "CachedProvider",
            &CachedProvider::new(Credentials::with_security_token("id", SECRET, TOKEN), RefreshPolicy::sts()),
            &clock,
            &logs,
        )
        .await;
    });
    // The failures above were logged (so the check saw real lines).
    let text = logs.0.lock().unwrap().clone();
    assert!(text.contains("credentials refresh failed"), "{text}");
}

// ---------------------------------------------------------------------------------------
// The client

#[cfg(feature = "mock")]
#[tokio::test]
async fn the_client_signs_with_credentials_from_a_cached_provider() {
    use yunxiao::mock::MockServer;

    // The real clock: an expiry far ahead.
    let sts = FakeServer::start(vec![sts_reply(1, 20 * 365 * 86_400)]).await;
    let mock = MockServer::builder()
        .credentials(Credentials::with_security_token(
            "STS.key1",
            format!("{SECRET}-1"),
            format!("{TOKEN}-1"),
        ))
        .start()
        .await;
    let provider = RamRoleArnProvider::builder()
        .configure(&ProviderConfig::new().with_env(|_| None))
        .access_key("src", SOURCE_SECRET)
        .role_arn("acs:ram::1:role/r")
        .sts_endpoint(sts.url())
        .build()
        .unwrap();
    let client = mock.client_builder().credentials(provider).build().unwrap();
    for _ in 0..3 {
        client
            .get_project_info()
            .organization_id("org")
            .project_id("project")
            .send()
            .await
            .expect("signed with the assumed role");
    }
    assert_eq!(sts.count(), 1, "one AssumeRole for three calls");
    let sent = mock.requests();
    assert_eq!(sent.len(), 3);
    assert_eq!(
        sent[0].header("x-acs-credentials-provider"),
        Some("ram_role_arn/static_ak")
    );
    assert_eq!(
        sent[0].header("x-acs-security-token"),
        Some(format!("{TOKEN}-1").as_str())
    );
}
