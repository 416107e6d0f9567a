//! Measures how the client holds up against hostile servers on loopback, with its default
//! settings: peak memory for a 2 GiB body, requests sent by 50 concurrent calls against a
//! server that always answers 503, attempts of a non-idempotent POST on 503, and the time
//! to give up on a body that never ends (about a minute: the default deadline).
//!
//! `cargo run --release --example hostile_figures` (Linux: memory is read from
//! `/proc/self/status`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use yunxiao::{Client, Credentials};

/// A server answering every connection with `answer`; returns its endpoint and a request
/// counter.
async fn serve<F, Fut>(answer: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(TcpStream) -> Fut + Send + Copy + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::Relaxed);
                answer(stream).await;
            });
        }
    });
    (endpoint, count)
}

fn client(endpoint: &str) -> Client {
    Client::builder()
        .endpoint(endpoint)
        .credentials(Credentials::new("AKID", "secret"))
        .build()
        .expect("client")
}

/// Peak and current resident set size, in MiB.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Streams 2 GiB of spaces after `head`, for as long as the client reads.
async fn two_gib(mut s: TcpStream, head: &str) {
    if s.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let piece = vec![b' '; 1 << 20];
    for _ in 0..2048 {
        if s.write_all(&piece).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    let (_, before) = rss();
    println!("resident before: {before:.1} MiB");

    let (endpoint, _) = serve(|s| async move {
        two_gib(
            s,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2147483648\r\n\r\n",
        )
        .await
    })
    .await;
    let err = client(&endpoint)
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .expect_err("too large");
    let (peak, _) = rss();
    println!("2 GiB body with its length: {err}; peak RSS so far {peak:.1} MiB");

    let (endpoint, _) = serve(|s| async move {
        two_gib(
            s,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n",
        )
        .await
    })
    .await;
    let started = Instant::now();
    let err = client(&endpoint)
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .expect_err("too large");
    let (peak, _) = rss();
    println!(
        "2 GiB body without a length: {err} after {:.2?}; peak RSS {peak:.1} MiB",
        started.elapsed()
    );

    let (endpoint, count) = serve(|mut s| async move {
        let body = r#"{"Code":"ServiceUnavailable","Message":"down"}"#;
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = s.write_all(answer.as_bytes()).await;
    })
    .await;
    let shared = client(&endpoint);
    let calls = (0..50).map(|_| {
        let c = shared.clone();
        tokio::spawn(async move {
            c.get_project_info()
                .organization_id("o")
                .project_id("p")
                .send()
                .await
        })
    });
    futures_util::future::join_all(calls).await;
    println!(
        "50 concurrent GetProjectInfo calls against an always-503 server: {} requests",
        count.load(Ordering::Relaxed)
    );
    count.store(0, Ordering::Relaxed);
    let _ = client(&endpoint)
        .start_pipeline_run()
        .organization_id("org")
        .pipeline_id(1)
        .send()
        .await;
    println!(
        "StartPipelineRun (non-idempotent POST) on 503: {} attempt(s)",
        count.load(Ordering::Relaxed)
    );

    let (endpoint, count) = serve(|mut s| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        while s.write_all(b"1\r\n \r\n").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let started = Instant::now();
    let err = client(&endpoint)
        .get_project_info()
        .organization_id("o")
        .project_id("p")
        .send()
        .await
        .expect_err("never ends");
    println!(
        "never-ending body, default settings: gave up after {:.1?} and {} request(s): {err}",
        started.elapsed(),
        count.load(Ordering::Relaxed)
    );
}
