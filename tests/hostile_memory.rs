//! Memory under hostile servers (issue 9): huge and non-UTF-8 error bodies, endless and
//! byte-by-byte bodies, giant pagination cursors, and byte-by-byte uploads to the mock.
//!
//! A counting allocator measures the bytes this process holds; the tests take a lock so
//! that one runs at a time and each measures only itself.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use yunxiao::{Client, Credentials, Error, RetryConfig};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        System.dealloc(p, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = System.realloc(p, layout, new_size);
        if !q.is_null() {
            if new_size >= layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

// Async: the guard is held across awaits.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MIB: usize = 1024 * 1024;

/// Runs `f` and returns its output and the most bytes held at once above the start.
async fn peak_during<T>(f: impl std::future::Future<Output = T>) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f.await;
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    (out, peak)
}

/// A loopback server: reads a request head, then lets `answer` write what it likes.
async fn server<F, Fut>(answer: F) -> String
where
    F: Fn(TcpStream, String) -> Fut + Send + Sync + Copy + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut byte).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&byte[..n]),
                    }
                }
                answer(stream, String::from_utf8_lossy(&head).into_owned()).await;
            });
        }
    });
    format!("http://{addr}")
}

fn client(endpoint: &str) -> yunxiao::ClientBuilder {
    Client::builder()
        .endpoint(endpoint)
        .credentials(Credentials::new("AKID", "secret"))
        .retry(RetryConfig::disabled())
        .timeout(Duration::from_secs(20))
}

/// Writes `total` bytes of `fill` after a head, in 64 KiB pieces.
async fn stream_body(mut s: TcpStream, head: String, total: usize, fill: u8) {
    if s.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let piece = vec![fill; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let n = piece.len().min(total - sent);
        if s.write_all(&piece[..n]).await.is_err() {
            return;
        }
        sent += n;
    }
}

#[tokio::test]
async fn a_huge_non_utf8_error_body_costs_its_size_only() {
    let _one = ONE_AT_A_TIME.lock().await;
    const SIZE: usize = 48 * MIB;
    let endpoint = server(|s, _| async move {
        let head = format!("HTTP/1.1 500 Internal Server Error\r\ncontent-length: {SIZE}\r\n\r\n");
        stream_body(s, head, SIZE, 0xFF).await
    })
    .await;
    let client = client(&endpoint)
        .max_response_size(64 * MIB)
        .build()
        .unwrap();
    let (result, peak) = peak_during(
        client
            .get_project_info()
            .organization_id("o")
            .project_id("p")
            .send(),
    )
    .await;
    let err = result.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!((api.status, api.code.as_str()), (500, "HTTP500"));
    assert!(api.body_snippet.chars().count() <= 201);
    // The body itself, once; a lossy copy of it would be three times more.
    assert!(peak < SIZE + 8 * MIB, "peak {} MiB", peak / MIB);
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let _one = ONE_AT_A_TIME.lock().await;
    // 256 MiB, chunked (no length to refuse it by): read up to the 32 MiB cap only.
    let endpoint = server(|s, _| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n".to_string();
        stream_body(s, head, 256 * MIB, b' ').await
    })
    .await;
    let client = client(&endpoint).build().unwrap();
    let (result, peak) = peak_during(
        client
            .get_project_info()
            .organization_id("o")
            .project_id("p")
            .send(),
    )
    .await;
    assert!(
        matches!(result, Err(Error::ResponseTooLarge { limit, .. }) if limit == 32 * MIB),
        "{result:?}"
    );
    assert!(peak < 40 * MIB, "peak {} MiB", peak / MIB);
}

#[tokio::test]
async fn a_body_sent_byte_by_byte_costs_its_bytes() {
    let _one = ONE_AT_A_TIME.lock().await;
    const BYTES: usize = 1500;
    let endpoint = server(|mut s, _| async move {
        let _ = s.set_nodelay(true);
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n{\r\n";
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for _ in 0..BYTES {
            if s.write_all(b"1\r\n \r\n").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        let _ = s.write_all(b"1\r\n}\r\n0\r\n\r\n").await;
    })
    .await;
    let client = client(&endpoint).build().unwrap();
    let (result, peak) = peak_during(
        client
            .get_project_info()
            .organization_id("o")
            .project_id("p")
            .send(),
    )
    .await;
    result.unwrap();
    // Kilobytes per byte would be megabytes here.
    assert!(peak < 512 * 1024, "peak {} KiB", peak / 1024);
}

#[tokio::test]
async fn huge_distinct_cursors_do_not_accumulate() {
    let _one = ONE_AT_A_TIME.lock().await;
    const TOKEN: usize = 30 * 1024;
    const PAGES: usize = 600;
    // Each page carries one item and a fresh 30 KB cursor; the last has none.
    let endpoint = server(|s, head| async move {
        let page = head
            .split(['?', '&', ' '])
            .find_map(|p| p.strip_prefix("nextToken="))
            .and_then(|t| {
                t.trim_start_matches('c')
                    .split('x')
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .unwrap_or(0);
        let next = if page + 1 < PAGES {
            let mut t = format!("c{}x", page + 1);
            t.extend(std::iter::repeat_n('z', TOKEN - t.len()));
            format!(r#""nextToken":"{t}","#)
        } else {
            String::new()
        };
        let body = format!(r#"{{"success":true,{next}"projects":[{{"name":"p{page}"}}]}}"#);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let mut s = s;
        let _ = s.write_all(head.as_bytes()).await;
        let _ = s.write_all(body.as_bytes()).await;
    })
    .await;
    let client = client(&endpoint).build().unwrap();
    let mut items = client
        .list_projects()
        .organization_id("org")
        .category("Project")
        .stream()
        .items();
    let mut count = 0;
    let mut after_100 = 0;
    let mut most = 0;
    while let Some(item) = items.next().await {
        item.unwrap();
        count += 1;
        let live = LIVE.load(Ordering::Relaxed);
        if count == 100 {
            after_100 = live;
        }
        if count > 100 {
            most = most.max(live);
        }
    }
    assert_eq!(count, PAGES);
    // 500 more cursors of 30 KB would be 15 MB if they were kept.
    let growth = most.saturating_sub(after_100);
    assert!(growth < 2 * MIB, "grew {} KiB", growth / 1024);
}

#[cfg(feature = "mock")]
#[tokio::test]
async fn the_mock_holds_uploads_sent_byte_by_byte_at_their_size() {
    let _one = ONE_AT_A_TIME.lock().await;
    let mock = yunxiao::mock::MockServer::start().await;
    let addr = mock.addr();
    const BYTES: usize = 1500;
    let upload = || async move {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.set_nodelay(true).unwrap();
        // A known key passes the checks made before the body is read.
        let head = format!(
            "PUT /groups/modify?organizationId=o HTTP/1.1\r\nhost: {addr}\r\nx-acs-action: UpdateGroup\r\n\
             authorization: ACS3-HMAC-SHA256 Credential={},SignedHeaders=host,Signature=00\r\n\
             connection: close\r\ncontent-length: {BYTES}\r\n\r\n",
            yunxiao::mock::MOCK_ACCESS_KEY_ID
        );
        s.write_all(head.as_bytes()).await.unwrap();
        for _ in 0..BYTES {
            if s.write_all(b"a").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer).await;
    };
    let ((), peak) = peak_during(async {
        futures_util::future::join_all((0..4).map(|_| upload())).await;
    })
    .await;
    assert_eq!(mock.requests().len(), 4);
    assert!(peak < 2 * MIB, "peak {} KiB", peak / 1024);
}
