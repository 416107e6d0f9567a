//! Cost of building and signing the headers of one request.

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion};
use yunxiao::credentials::Credentials;
use yunxiao::signing::{self, legacy, RequestContext, SignableRequest, SignatureVersion};

const BODY: &[u8] = br#"{"avatarUrl":"https://tcs-devops.aliyuncs.com/thumbnail/112afcb7a6a35c3f67f1bea827c4/w/100/h/100","description":"group description","name":"codeup_group","path":"codeup_group","pathWithNamespace":"org/group/subgroup/here","visibilityLevel":10}"#;

fn query() -> Vec<(String, String)> {
    vec![
        ("organizationId".into(), "1e9903d8b3f1xxxxxf9286ef5".into()),
        (
            "accessToken".into(),
            "f0b1e61dxxxxxxx975a93f9129d2513".into(),
        ),
    ]
}

fn bench_signing(c: &mut Criterion) {
    let creds = Credentials::new("testid", "testsecret");
    let query = query();
    let ctx = |version| RequestContext {
        version,
        method: "PUT",
        host: "devops.aliyuncs.com",
        path: "/groups/modify",
        query: &query,
        action: "UpdateGroup",
        api_version: "2021-06-25",
        user_agent: "yunxiao-rust/0.1.0",
        content_type: Some(signing::JSON_CONTENT_TYPE),
        body: BODY,
        timestamp: UNIX_EPOCH + Duration::from_secs(1_767_323_045),
        nonce: "f4dc63c27930536a9f68422baa4a5c67",
        credentials: &creds,
        extra_headers: &[],
    };

    let v3_ctx = ctx(SignatureVersion::V3);
    c.bench_function("sign_request/v3_json_body", |b| {
        b.iter(|| signing::sign_request(black_box(&v3_ctx)))
    });

    let legacy_ctx = ctx(SignatureVersion::Legacy);
    c.bench_function("sign_request/legacy_json_body", |b| {
        b.iter(|| signing::sign_request(black_box(&legacy_ctx)))
    });

    // The bare legacy algorithm over prepared headers.
    let headers = signing::sign_request(&legacy_ctx);
    let headers = &headers[..headers.len() - 1];
    let req = SignableRequest {
        method: "PUT",
        path: "/groups/modify",
        query: &query,
        headers,
        body: BODY,
    };
    c.bench_function("legacy::sign", |b| {
        b.iter(|| legacy::sign(black_box(&req), "testid", "testsecret"))
    });
}

criterion_group!(benches, bench_signing);
criterion_main!(benches);
