//! What one call costs the client process, against the floor: CPU time per call of
//! `GetProjectInfo` (a 1 KiB JSON answer) on loopback, sequential and 16 concurrent.
//!
//! ```sh
//! cargo bench --bench overhead                       # the table: 7 interleaved rounds
//! cargo bench --bench overhead -- --rounds 9 --calls 8000
//! cargo bench --bench overhead -- --only yunxiao --concurrency 16 --seconds 20   # to profile
//! cargo bench --bench overhead -- --pieces    # decode, signing and a timer, each alone
//! ```
//!
//! Three clients call the same server, one after the other within each round (the order
//! rotates from round to round):
//!
//! - `floor`: raw `reqwest`, the header set the client sends with a signature computed
//!   once, a header map and URL cloned per call, the body read as bytes. No timer, no
//!   signing, no decoding: what any client of this API must at least spend.
//! - `raw+sign+decode`: raw `reqwest` plus what the client must do on top: V3 signing per
//!   call (fresh nonce and date), a 30 s per-request timeout, headers added one by one,
//!   and the body decoded into a `serde_json::Value`.
//! - `yunxiao`: `client.get_project_info()...send()` with the defaults (retries, deadline,
//!   body cap, envelope check, typed decoding).
//!
//! The server runs in a child process (this binary with `--serve`; a fixed answer per
//! request, keep-alive), so the CPU clock of this process (`CLOCK_PROCESS_CPUTIME_ID`:
//! every thread, user and system time) counts the client side only. The figure is CPU
//! time per call; each cell gives min / median / max over the rounds and the ratio of
//! its median to the floor's median in the same column.
//!
//! Options: `--rounds R` (7), `--calls N` per measurement (sequential: N, 16 concurrent:
//! 2N; default 4000), `--only VARIANT`, `--concurrency C` and `--seconds S` (run one
//! variant for S seconds, for `perf record`). `OVERHEAD_SERVER=host:port` uses a server
//! started elsewhere (`overhead --serve`), so that a profiler sees only the client.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yunxiao::signing::{self, RequestContext, SignatureVersion};
use yunxiao::{Client, Credentials, API_VERSION};

const ORG: &str = "5ebbc0228123212b59xxxxx";
const PROJECT: &str = "e8b2xxxxxxx09b07d23";
const ACCESS_KEY_ID: &str = "LTAI5tBenchAccessKey0001";
const ACCESS_KEY_SECRET: &str = "bench-secret-not-a-real-one";
const BODY_LEN: usize = 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--serve") {
        serve();
        return;
    }
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let num =
        |name: &str, default: usize| opt(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    let rounds = num("--rounds", 7);
    let calls = num("--calls", 4000);

    let (addr, _child) = match std::env::var("OVERHEAD_SERVER") {
        Ok(addr) => (addr, None),
        Err(_) => {
            let (addr, child) = spawn_server();
            (addr, Some(ChildGuard(child)))
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let bench = Arc::new(Bench::new(&addr));
    let variants = [Variant::Floor, Variant::RawSignDecode, Variant::Yunxiao];

    if let Some(only) = opt("--only") {
        let variant = *variants
            .iter()
            .find(|v| v.name() == only || v.short() == only)
            .unwrap_or_else(|| panic!("--only: one of floor, raw, yunxiao"));
        let concurrency = num("--concurrency", 16);
        let seconds = num("--seconds", 20) as u64;
        runtime.block_on(run(&bench, variant, 2000, concurrency));
        let (cpu, wall, n) = runtime.block_on(async {
            let started = Instant::now();
            let cpu0 = cpu_time();
            let mut n = 0;
            while started.elapsed() < Duration::from_secs(seconds) {
                run(&bench, variant, calls, concurrency).await;
                n += calls;
            }
            (cpu_time() - cpu0, started.elapsed(), n)
        });
        println!(
            "{}: {n} calls at concurrency {concurrency}: {:.1} µs CPU/call, {:.1} µs wall/call",
            variant.name(),
            cpu.as_secs_f64() * 1e6 / n as f64,
            wall.as_secs_f64() * 1e6 / n as f64
        );
        return;
    }

    if args.iter().any(|a| a == "--pieces") {
        pieces(&bench, &runtime, calls * 50);
        return;
    }

    let concurrencies = [1usize, 16];
    // Warm-up: connections, pools, caches, the allocator.
    for v in variants {
        runtime.block_on(run(&bench, v, 2000, 16));
        runtime.block_on(run(&bench, v, 500, 1));
    }
    // results[variant][concurrency] = CPU µs/call per round.
    let mut results = vec![vec![Vec::new(); concurrencies.len()]; variants.len()];
    for round in 0..rounds {
        for (ci, &c) in concurrencies.iter().enumerate() {
            let n = if c == 1 { calls } else { calls * 2 };
            for k in 0..variants.len() {
                let vi = (k + round) % variants.len();
                let (cpu, _wall) = runtime.block_on(measure(&bench, variants[vi], n, c));
                results[vi][ci].push(cpu.as_secs_f64() * 1e6 / n as f64);
            }
        }
    }

    println!(
        "overhead: GetProjectInfo, {BODY_LEN}-byte JSON answer, loopback, {} client worker threads; \
         {rounds} interleaved rounds; CPU µs per call of the client process (min / median / max)",
        std::thread::available_parallelism().map_or(1, |p| p.get())
    );
    println!(
        "{:<17} {:>28} {:>7} {:>28} {:>7}",
        "client", "sequential", "ratio", "16 concurrent", "ratio"
    );
    let stats: Vec<Vec<Stats>> = results
        .iter()
        .map(|per_c| per_c.iter().map(|v| Stats::of(v)).collect())
        .collect();
    for (v, per_c) in variants.iter().zip(&stats) {
        let mut line = format!("{:<17}", v.name());
        for (s, floor) in per_c.iter().zip(&stats[0]) {
            let floor = floor.median;
            line.push_str(&format!(
                " {:>8.1} / {:>6.1} / {:>8.1} {:>6.2}x",
                s.min,
                s.median,
                s.max,
                s.median / floor
            ));
        }
        println!("{line}");
    }
    // The ratio per round, too: rounds are interleaved, so a slow round slows all variants.
    for (v, per_c) in variants.iter().zip(&results).skip(1) {
        let mut line = format!("{:<17}", format!("{} / floor", v.short()));
        for (values, floor) in per_c.iter().zip(&results[0]) {
            let ratios: Vec<f64> = values.iter().zip(floor).map(|(a, b)| a / b).collect();
            let s = Stats::of(&ratios);
            line.push_str(&format!(
                " per round {:>5.2} / {:>5.2} / {:>5.2}x      ",
                s.min, s.median, s.max
            ));
        }
        println!("{line}");
    }
}

/// The pieces of a call that the floor does not do and any client must, each timed alone
/// on one thread (CPU µs per call; the best of 5 runs of `n`).
fn pieces(bench: &Bench, runtime: &tokio::runtime::Runtime, n: usize) {
    fn best(n: usize, mut f: impl FnMut()) -> f64 {
        (0..5)
            .map(|_| {
                let t0 = cpu_time();
                for _ in 0..n {
                    f();
                }
                (cpu_time() - t0).as_secs_f64() * 1e6 / n as f64
            })
            .fold(f64::INFINITY, f64::min)
    }
    let body = answer_body();
    let decode = best(n, || {
        let r: yunxiao::projex::GetProjectInfoResponse =
            serde_json::from_slice(std::hint::black_box(&body)).expect("JSON");
        std::hint::black_box(r);
    });
    let sign = best(n, || {
        let nonce = signing::new_nonce();
        std::hint::black_box(signing::sign_headers(&bench.context(&nonce)));
    });
    // A timer armed and cancelled around a future that is pending once, less the same
    // future without the timer.
    let pending_once = || {
        let mut polled = false;
        std::future::poll_fn(move |cx| {
            if std::mem::replace(&mut polled, true) {
                std::task::Poll::Ready(())
            } else {
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
    };
    let timed = best(n / 10, || {
        runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(30), pending_once()).await })
            .expect("no timeout");
    });
    let untimed = best(n / 10, || runtime.block_on(pending_once()));
    let timer = timed - untimed;
    println!("pieces, one thread, CPU µs per call (best of 5 runs of {n}):");
    println!("  decode the answer into GetProjectInfoResponse  {decode:6.2}");
    println!("  sign (nonce, date, V3 headers, HMAC)           {sign:6.2}");
    println!("  one timer armed and cancelled                  {timer:6.2}");
    println!(
        "  sum                                            {:6.2}",
        decode + sign + timer
    );
}

struct Stats {
    min: f64,
    median: f64,
    max: f64,
}

impl Stats {
    fn of(values: &[f64]) -> Self {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let median = if v.len() % 2 == 1 {
            v[v.len() / 2]
        } else {
            (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
        };
        Self {
            min: v[0],
            median,
            max: v[v.len() - 1],
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Variant {
    Floor,
    RawSignDecode,
    Yunxiao,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Floor => "floor",
            Variant::RawSignDecode => "raw+sign+decode",
            Variant::Yunxiao => "yunxiao",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Variant::Floor => "floor",
            Variant::RawSignDecode => "raw",
            Variant::Yunxiao => "yunxiao",
        }
    }
}

struct Bench {
    /// The `reqwest::Client` of the raw variants, built as `yunxiao` builds its own.
    http: reqwest::Client,
    client: Client,
    url: reqwest::Url,
    host: String,
    path: String,
    user_agent: String,
    credentials: Credentials,
    /// The floor's headers: the client's header set, signed once.
    signed: HeaderMap,
}

impl Bench {
    fn new(addr: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .retry(reqwest::retry::never().max_retries_per_request(0))
            .build()
            .expect("an HTTP client");
        let client = Client::builder()
            .endpoint(format!("http://{addr}"))
            .access_key(ACCESS_KEY_ID, ACCESS_KEY_SECRET)
            .build()
            .expect("a client");
        let path = format!("/organization/{ORG}/project/{PROJECT}");
        let url = reqwest::Url::parse(&format!("http://{addr}{path}")).expect("a URL");
        // The client's user agent, so that every variant sends the same bytes.
        let user_agent = format!(
            "AlibabaCloud ({}; {}) yunxiao-rust/{} TeaDSL/2",
            std::env::consts::OS,
            std::env::consts::ARCH,
            env!("CARGO_PKG_VERSION")
        );
        let credentials = Credentials::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET);
        let mut bench = Self {
            http,
            client,
            url,
            host: addr.to_string(),
            path,
            user_agent,
            credentials,
            signed: HeaderMap::new(),
        };
        for (name, value) in bench.sign() {
            bench.signed.append(
                HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                HeaderValue::from_str(&value).expect("a header value"),
            );
        }
        bench
    }

    /// What the raw variants sign: GetProjectInfo now, with `nonce`.
    fn context<'a>(&'a self, nonce: &'a str) -> RequestContext<'a> {
        RequestContext {
            version: SignatureVersion::V3,
            method: "GET",
            host: &self.host,
            path: &self.path,
            query: &[],
            action: "GetProjectInfo",
            api_version: API_VERSION,
            user_agent: &self.user_agent,
            content_type: None,
            body: &[],
            timestamp: SystemTime::now(),
            nonce,
            credentials: &self.credentials,
            extra_headers: &[],
        }
    }

    fn sign(&self) -> Vec<(String, String)> {
        signing::sign_request(&self.context(&signing::new_nonce()))
    }

    async fn call(&self, variant: Variant) {
        match variant {
            Variant::Floor => {
                let mut request = reqwest::Request::new(reqwest::Method::GET, self.url.clone());
                *request.headers_mut() = self.signed.clone();
                let response = self.http.execute(request).await.expect("an answer");
                assert_eq!(response.status(), 200);
                let body = response.bytes().await.expect("a body");
                assert_eq!(body.len(), BODY_LEN);
            }
            Variant::RawSignDecode => {
                let headers = self.sign();
                let mut builder = self
                    .http
                    .get(self.url.clone())
                    .timeout(Duration::from_secs(30));
                for (name, value) in &headers {
                    builder = builder.header(name.as_str(), value.as_str());
                }
                let response = builder.send().await.expect("an answer");
                assert_eq!(response.status(), 200);
                let body = response.bytes().await.expect("a body");
                let value: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
                assert!(value["project"].is_object());
            }
            Variant::Yunxiao => {
                let info = self
                    .client
                    .get_project_info()
                    .organization_id(ORG)
                    .project_id(PROJECT)
                    .send()
                    .await
                    .expect("an answer");
                assert!(info.project.is_some());
            }
        }
    }
}

/// `calls` calls in `concurrency` tasks on the runtime.
async fn run(bench: &Arc<Bench>, variant: Variant, calls: usize, concurrency: usize) {
    let tasks: Vec<_> = (0..concurrency)
        .map(|i| {
            let bench = bench.clone();
            let n = calls / concurrency + usize::from(i < calls % concurrency);
            tokio::spawn(async move {
                for _ in 0..n {
                    bench.call(variant).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("no task panics");
    }
}

/// CPU time and wall time of `calls` calls.
async fn measure(
    bench: &Arc<Bench>,
    variant: Variant,
    calls: usize,
    concurrency: usize,
) -> (Duration, Duration) {
    let started = Instant::now();
    let cpu0 = cpu_time();
    run(bench, variant, calls, concurrency).await;
    (cpu_time() - cpu0, started.elapsed())
}

/// CPU time of this process so far: every thread, user and system.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

// ---------------------------------------------------------------------------------------
// The server: a fixed answer to every request, in a child process.
// ---------------------------------------------------------------------------------------

struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts this binary with `--serve` and reads the address it listens on.
fn spawn_server() -> (String, Child) {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let mut child = Command::new(exe)
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server process starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("the server's address");
    (line.trim().to_string(), child)
}

/// The documented example answer of GetProjectInfo, padded to [`BODY_LEN`] bytes.
fn answer_body() -> Vec<u8> {
    let examples: serde_json::Value =
        serde_json::from_str(include_str!("../generated/examples.json")).expect("examples");
    let mut answer = examples["GetProjectInfo"].clone();
    let len = serde_json::to_vec(&answer).expect("JSON").len();
    let description = answer["project"]["description"]
        .as_str()
        .expect("a description")
        .to_string();
    answer["project"]["description"] =
        format!("{description}{}", "x".repeat(BODY_LEN - len)).into();
    let body = serde_json::to_vec(&answer).expect("JSON");
    assert_eq!(body.len(), BODY_LEN);
    body
}

/// Serves until stdin closes (the parent exited).
fn serve() {
    let body = answer_body();
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json;charset=utf-8\r\n\
         content-length: {}\r\nx-acs-request-id: ASSDS-ASSASX-XSAXSA-XSAXSAXS\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    let response: Arc<[u8]> = response.into();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("a Tokio runtime");
    let bind = std::env::var("OVERHEAD_BIND").unwrap_or_else(|_| "127.0.0.1:0".into());
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(bind))
        .expect("bind");
    let addr = listener.local_addr().expect("an address");
    println!("{addr}");
    std::io::stdout().flush().expect("stdout");
    std::thread::spawn(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
        std::process::exit(0);
    });
    runtime.block_on(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(stream, response.clone()));
        }
    });
}

/// Answers each complete request (head and `content-length` body) on one connection.
async fn connection(mut stream: tokio::net::TcpStream, response: Arc<[u8]>) {
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let total = end + 4 + content_length(&buf[..end]);
            if buf.len() < total {
                break;
            }
            buf.drain(..total);
            if stream.write_all(&response).await.is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}
