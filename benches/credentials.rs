//! The cost of getting credentials on the hot path (every attempt of every request),
//! against the cost of signing; and one refresh for 1,000 concurrent callers.
//!
//! Besides criterion's estimates, prints min / median / max ns per call over 51 samples,
//! and the number of requests the fake STS received during the concurrent refresh.

#[path = "../tests/fake_http/mod.rs"]
mod fake_http;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use criterion::Criterion;
use fake_http::{FakeServer, Reply};
use futures_util::FutureExt as _;
use yunxiao::credentials::{
    Credentials, DefaultChain, ManualClock, ProvideCredentials, ProviderConfig, RamRoleArnProvider,
};
use yunxiao::signing::{self, RequestContext, SignatureVersion};

const T0: u64 = 1_767_225_600;
const BODY: &[u8] = br#"{"name":"codeup_group","path":"codeup_group","visibilityLevel":10}"#;

fn sts_reply(n: u32, exp: u64) -> Reply {
    Reply::json(&serde_json::json!({
        "Credentials": {
            "AccessKeyId": format!("STS.key{n}"),
            "AccessKeySecret": "secret",
            "SecurityToken": "token",
            "Expiration": signing::format_acs_date(UNIX_EPOCH + Duration::from_secs(T0 + exp)),
        }
    }))
}

/// A RAM-role provider against a loopback STS, on a manual clock at T0.
fn role_provider(
    rt: &tokio::runtime::Runtime,
    replies: Vec<Reply>,
) -> (FakeServer, ManualClock, Arc<RamRoleArnProvider>) {
    let fake = rt.block_on(FakeServer::start(replies));
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(T0));
    let provider = RamRoleArnProvider::builder()
        .configure(
            &ProviderConfig::new()
                .with_env(|_| None)
                .with_clock(Arc::new(clock.clone())),
        )
        .access_key("src", "src-secret")
        .role_arn("acs:ram::1:role/r")
        .sts_endpoint(fake.url())
        .build()
        .expect("provider");
    (fake, clock, Arc::new(provider))
}

/// Min / median / max ns per call of `f`, over 51 samples of `iters` calls.
fn summary(name: &str, iters: u32, mut f: impl FnMut()) {
    let mut samples: Vec<f64> = (0..51)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    println!(
        "{name:<45} min {:>9.1} ns   median {:>9.1} ns   max {:>9.1} ns",
        samples[0], samples[25], samples[50]
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    // Warm paths. The futures are ready at once, so they are polled without a runtime.
    let creds = Credentials::new("testid", "testsecret");
    let (_fake, _clock, role) = role_provider(&rt, vec![sts_reply(1, 3600)]);
    rt.block_on(role.provide_credentials()).expect("warm up");
    let env_chain = DefaultChain::from_lookup(|k| match k {
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("id".into()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("secret".into()),
        _ => None,
    });
    rt.block_on(env_chain.provide_credentials())
        .expect("warm up");

    let query = vec![(
        "organizationId".to_string(),
        "1e9903d8b3f1xxxxxf9286ef5".to_string(),
    )];
    let ctx = RequestContext {
        version: SignatureVersion::V3,
        method: "PUT",
        host: "devops.aliyuncs.com",
        path: "/groups/modify",
        query: &query,
        action: "UpdateGroup",
        api_version: "2021-06-25",
        user_agent: "yunxiao-rust/0.1.0",
        content_type: Some(signing::JSON_CONTENT_TYPE),
        body: BODY,
        timestamp: UNIX_EPOCH + Duration::from_secs(T0),
        nonce: "f4dc63c27930536a9f68422baa4a5c67",
        credentials: &creds,
        extra_headers: &[],
    };

    println!("ns per call (51 samples):");
    summary("provide_credentials/static", 100_000, || {
        black_box(black_box(&creds).provide_credentials().now_or_never());
    });
    summary(
        "provide_credentials/ram_role_arn_warm_cache",
        100_000,
        || {
            black_box(black_box(&role).provide_credentials().now_or_never());
        },
    );
    summary("provide_credentials/default_chain_env", 20_000, || {
        black_box(black_box(&env_chain).provide_credentials().now_or_never());
    });
    summary("sign_request/v3", 5_000, || {
        black_box(signing::sign_request(black_box(&ctx)));
    });

    // 1,000 concurrent calls while a refresh is due: one request.
    let (fake, clock, provider) = role_provider(
        &rt,
        vec![
            sts_reply(1, 3600),
            sts_reply(2, 7200).delay(Duration::from_millis(50)),
        ],
    );
    rt.block_on(provider.provide_credentials())
        .expect("first fetch");
    clock.set(UNIX_EPOCH + Duration::from_secs(T0 + 2700));
    let started = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let p = provider.clone();
                tokio::spawn(async move { p.provide_credentials().await })
            })
            .collect();
        for t in tasks {
            let c = t.await.expect("task").expect("credentials");
            assert_eq!(c.access_key_id(), "STS.key2");
        }
    });
    let refreshes = fake.count() - 1;
    println!(
        "1000 concurrent calls during a refresh: {refreshes} AssumeRole request(s), all done in {:?}",
        started.elapsed()
    );
    assert_eq!(refreshes, 1);

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("provide_credentials/static", |b| {
        b.iter(|| black_box(&creds).provide_credentials().now_or_never())
    });
    c.bench_function("provide_credentials/ram_role_arn_warm_cache", |b| {
        b.iter(|| black_box(&role).provide_credentials().now_or_never())
    });
    c.bench_function("provide_credentials/default_chain_env", |b| {
        b.iter(|| black_box(&env_chain).provide_credentials().now_or_never())
    });
    c.bench_function("sign_request/v3", |b| {
        b.iter(|| signing::sign_request(black_box(&ctx)))
    });
    c.final_summary();
}
