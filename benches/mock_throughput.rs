//! Requests per second the mock server sustains with the client on loopback.
//!
//! `cargo bench --features mock --bench mock_throughput` runs `N` GetProjectInfo calls
//! (each signed by the client, then verified, routed, checked and answered by the mock)
//! at concurrency 1 and 16 and prints the rates. Set `MOCK_BENCH_N` to change `N`.

use std::time::{Duration, Instant};

use yunxiao::mock::MockServer;
use yunxiao::Client;

const DEFAULT_N: usize = 20_000;

async fn run(client: &Client, calls: usize) {
    for _ in 0..calls {
        let info = client
            .get_project_info()
            .organization_id("5ebbc0228123212b59xxxxx")
            .project_id("e8b2xxxxxxx09b07d23")
            .send()
            .await
            .expect("the mock answers");
        assert!(info.project.is_some());
    }
}

async fn measure(client: &Client, n: usize, concurrency: usize) -> Duration {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..concurrency {
        let client = client.clone();
        let calls = n / concurrency + usize::from(i < n % concurrency);
        tasks.push(tokio::spawn(async move { run(&client, calls).await }));
    }
    for task in tasks {
        task.await.expect("no task panics");
    }
    started.elapsed()
}

fn main() {
    let n = std::env::var("MOCK_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_N);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        let server = MockServer::start().await;
        let client = server.client();
        // Warm up the connection pool and caches.
        measure(&client, 500, 16).await;
        println!(
            "mock_throughput: {n} GetProjectInfo calls, {} worker threads",
            std::thread::available_parallelism().map_or(1, |p| p.get())
        );
        for concurrency in [1, 16] {
            let elapsed = measure(&client, n, concurrency).await;
            println!(
                "  concurrency {concurrency:>2}: {:>8.0} req/s  ({:.1} µs/request, {:.2?} total)",
                n as f64 / elapsed.as_secs_f64(),
                elapsed.as_secs_f64() * 1e6 / n as f64,
                elapsed,
            );
        }
    });
}
