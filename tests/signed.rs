//! `Client::sign`: the signed request, without sending it, is the request a call sends; its
//! dump redacts every secret.
#![cfg(feature = "mock")]

use yunxiao::credentials::Credentials;
use yunxiao::mock::{MockServer, ReceivedRequest};
use yunxiao::{Operation, SignedRequest};

/// The parts of a request that the signature and the service read.
#[derive(Debug, PartialEq, Eq)]
struct Parts {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Vec<u8>,
    signed_headers: Vec<String>,
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

fn signed_headers(authorization: &str) -> Vec<String> {
    let list = authorization
        .split(',')
        .find_map(|p| p.trim().strip_prefix("SignedHeaders="))
        .expect("a V3 Authorization names its signed headers");
    let mut names: Vec<String> = list.split(';').map(str::to_string).collect();
    names.sort();
    names
}

fn of_signed(s: &SignedRequest) -> Parts {
    Parts {
        method: s.method().to_string(),
        path: s.path().to_string(),
        query: sorted(s.query().to_vec()),
        body: s.body().unwrap_or_default().to_vec(),
        signed_headers: s.signed_header_names(),
    }
}

fn of_received(r: &ReceivedRequest) -> Parts {
    Parts {
        method: r.method.clone(),
        path: r.path.clone(),
        query: sorted(r.query.clone()),
        body: r.body.clone(),
        signed_headers: signed_headers(r.header("authorization").unwrap()),
    }
}

/// Signs `request`, checks that nothing was sent, sends it, and compares.
async fn sign_then_send<O: Operation>(server: &MockServer, request: O) -> SignedRequest {
    let client = server.client();
    let signed = client.sign(&request).await.expect("signs");
    assert!(server.requests().is_empty(), "signing sent something");
    client
        .send(request)
        .await
        .expect("the mock accepts the call");
    let received = server.take_requests();
    assert_eq!(received.len(), 1);
    assert_eq!(of_signed(&signed), of_received(&received[0]));
    assert!(signed
        .url()
        .starts_with(&format!("{}{}", server.endpoint(), signed.path())));
    // The same headers, in the same order, apart from the per-attempt nonce and time and
    // what they change.
    let names = |h: &[(String, String)]| -> Vec<String> {
        h.iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .filter(|n| !matches!(n.as_str(), "content-length" | "accept-encoding"))
            .collect()
    };
    assert_eq!(names(signed.headers()), names(&received[0].headers));
    signed
}

#[tokio::test]
async fn a_signed_request_is_what_the_call_sends() {
    let server = MockServer::start().await;
    let client = server.client();

    // Query, a secret in the query, a JSON body.
    let update = client
        .update_group()
        .organization_id("org")
        .access_token("pt-secret-token")
        .path_with_namespace("org/group")
        .name("group")
        .path("group")
        .visibility_level(yunxiao::codeup::CodeupVisibility::Private)
        .into_request();
    let signed = sign_then_send(&server, update).await;
    let dump = signed.to_string();
    assert!(
        dump.starts_with(&format!(
            "PUT {}/groups/modify?accessToken=<redacted>&organizationId=org HTTP/1.1\n",
            server.endpoint()
        )),
        "{dump}"
    );
    assert!(!dump.contains("pt-secret-token"), "{dump}");
    assert!(dump.contains("Signature=<redacted>"), "{dump}");
    assert!(!dump.contains(signed.header("authorization").unwrap()));
    assert!(dump.contains("\n\n{\"name\":\"group\",\"path\":\"group\",\"pathWithNamespace\":\"org/group\",\"visibilityLevel\":0}\n"), "{dump}");

    // Path parameters, no body (a form operation sends an empty form).
    let pass = client
        .pass_pipeline_validate()
        .organization_id("org")
        .pipeline_id(1)
        .pipeline_run_id(2)
        .job_id("3")
        .into_request();
    sign_then_send(&server, pass).await;

    // A form body.
    let start = client
        .start_pipeline_run()
        .organization_id("org")
        .pipeline_id(1)
        .params("{\"envs\":{\"k\":\"v\"}}")
        .into_request();
    let signed = sign_then_send(&server, start).await;
    assert!(signed
        .to_string()
        .ends_with("\n\nparams=%7B%22envs%22%3A%7B%22k%22%3A%22v%22%7D%7D\n"));
}

#[tokio::test]
async fn secrets_in_the_body_and_the_security_token_are_redacted() {
    let sts = Credentials::with_security_token("sts-id", "sts-secret", "sts-token-value");
    let server = MockServer::builder().credentials(sts).start().await;
    let client = server.client();
    let request = client
        .create_service_credential()
        .organization_id("org")
        .name("deploy")
        .password("hunter2-password")
        .type_("USERNAME_PASSWORD")
        .username("deployer")
        .into_request();
    let signed = sign_then_send(&server, request).await;
    assert_eq!(
        signed.header("x-acs-security-token"),
        Some("sts-token-value")
    );
    let dump = signed.to_string();
    for secret in ["hunter2-password", "sts-token-value", "sts-secret"] {
        assert!(!dump.contains(secret), "{secret} in {dump}");
    }
    assert!(
        dump.contains("x-acs-security-token: <redacted>\n"),
        "{dump}"
    );
    assert!(dump.contains("\"password\":\"<redacted>\""), "{dump}");
    assert!(dump.contains("\"username\":\"deployer\""), "{dump}");
    assert!(!format!("{signed:?}").contains("hunter2"));
}

#[tokio::test]
async fn a_request_that_cannot_be_sent_is_not_signed() {
    let server = MockServer::start().await;
    let client = server.client();
    let missing = client
        .pass_pipeline_validate()
        .organization_id("org")
        .into_request();
    let err = client.sign(&missing).await.unwrap_err();
    assert!(
        matches!(err, yunxiao::Error::InvalidParameter { .. }),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_mock_listens_on_the_port_asked_for() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = MockServer::builder().port(free).start().await;
    assert_eq!(server.addr().port(), free);
    assert_eq!(server.endpoint(), format!("http://127.0.0.1:{free}"));
    // The port is taken now: a second server on it reports the bind error.
    let err = MockServer::builder()
        .port(free)
        .try_start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    let any = MockServer::builder()
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .start()
        .await;
    assert_ne!(any.addr().port(), 0);
}
