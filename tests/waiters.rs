//! Waiters against the mock server, with scripted sequences of answers: a run that
//! finishes, one that fails, one that never ends, errors (matched by an acceptor or not),
//! polls slower than the limit, and the pacing between polls. Delays are milliseconds here,
//! so every test takes well under a second; the default pacing (seconds to minutes) is
//! tested on tokio's paused clock in `src/waiter.rs`.
#![cfg(feature = "mock")]

use std::borrow::Cow;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use yunxiao::appstack::{GetReleaseStagePipelineRunCall, GetReleaseStagePipelineRunResponse};
use yunxiao::flow::{
    GetPipelineRunCall, GetPipelineRunErrorCode, GetPipelineRunRequest, GetPipelineRunResponse,
    PIPELINE_RUN_FINISHED,
};
use yunxiao::mock::{MockReply, MockServer};
use yunxiao::waiter::{Acceptor, AcceptorState, Comparator, WaiterSpec};
use yunxiao::{Client, Error, RetryConfig, Waiter, WaiterError};

const ORG: &str = "5ebbc0228123212b59xxxxx";
const MIN: Duration = Duration::from_millis(10);
const MAX: Duration = Duration::from_millis(40);

/// The GetPipelineRun call every test polls: run 7 of pipeline 1234.
fn run_call(client: &Client) -> GetPipelineRunCall<'_> {
    client
        .get_pipeline_run()
        .organization_id(ORG)
        .pipeline_id(1234)
        .pipeline_run_id(7)
}

fn request(client: &Client) -> GetPipelineRunRequest {
    run_call(client).into_request()
}

/// A GetPipelineRun answer with the run in `status`.
fn run(status: &str) -> MockReply {
    MockReply::json(
        200,
        json!({
            "requestId": "r",
            "success": true,
            "pipelineRun": {"pipelineId": 1234, "pipelineRunId": 7, "status": status,
                            "creatorAccountId": "1111111111"}
        }),
    )
}

/// Installs `script` as the next answers of `action`, in order.
fn script(server: &MockServer, action: &str, script: &[(usize, MockReply)]) {
    for (times, reply) in script {
        server.respond_times(action, *times, reply.clone()).unwrap();
    }
}

fn polls(server: &MockServer, action: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.action == action)
        .count()
}

fn status(response: &GetPipelineRunResponse) -> Option<&str> {
    response
        .pipeline_run
        .as_ref()?
        .status
        .as_ref()
        .map(|s| s.as_str())
}

fn stage_status(response: &GetReleaseStagePipelineRunResponse) -> Option<&str> {
    response
        .pipeline_run
        .as_ref()?
        .status
        .as_ref()
        .map(|s| s.as_str())
}

#[tokio::test]
async fn running_running_success_returns_the_final_response_after_three_polls() {
    let server = MockServer::start().await;
    script(
        &server,
        "GetPipelineRun",
        &[(2, run("RUNNING")), (1, run("SUCCESS"))],
    );
    let client = server.client();
    let started = Instant::now();
    let done = run_call(&client)
        .wait_until_pipeline_run_finished()
        .min_delay(MIN)
        .max_delay(MAX)
        .await
        .expect("the run finishes");
    let elapsed = started.elapsed();
    assert_eq!(status(&done), Some("SUCCESS"));
    assert_eq!(done.pipeline_run.unwrap().pipeline_run_id, Some(7));
    assert_eq!(polls(&server, "GetPipelineRun"), 3);
    // Two delays: 10 ms, then 10..20 ms.
    assert!(elapsed >= 2 * MIN, "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    // Every poll sent the same request.
    for r in server.requests() {
        assert_eq!(
            r.path,
            format!("/organization/{ORG}/pipelines/1234/pipelineRuns/7")
        );
    }
}

#[tokio::test]
async fn running_then_failed_names_the_acceptor_and_keeps_the_response() {
    let server = MockServer::start().await;
    script(
        &server,
        "GetPipelineRun",
        &[(1, run("RUNNING")), (1, run("FAIL"))],
    );
    let client = server.client();
    let err = run_call(&client)
        .wait_until_pipeline_run_finished()
        .min_delay(MIN)
        .max_delay(MAX)
        .wait()
        .await
        .unwrap_err();
    match &err {
        WaiterError::FailureState {
            waiter,
            acceptor,
            reason,
            attempts,
            last,
            ..
        } => {
            assert_eq!(*waiter, "PipelineRunFinished");
            // Acceptor 1 of the spec: failure when pipelineRun.status equals FAIL.
            assert_eq!(*acceptor, 1);
            assert_eq!(
                PIPELINE_RUN_FINISHED.acceptors[*acceptor].state,
                AcceptorState::Failure
            );
            assert_eq!(reason, "pipelineRun.status equals FAIL (got FAIL)");
            assert_eq!(*attempts, 2);
            let response = last.as_ref().as_ref().expect("a response");
            assert_eq!(status(response), Some("FAIL"));
        }
        other => panic!("expected FailureState, got {other:?}"),
    }
    assert_eq!(status(err.last_response().unwrap()), Some("FAIL"));
    let text = err.to_string();
    assert!(
        text.starts_with("waiter PipelineRunFinished ended in failure: acceptor 1 matched, pipelineRun.status equals FAIL (got FAIL), after 2 polls in "),
        "{text}"
    );
    // The message names the acceptor, not the whole response.
    assert!(!text.contains("1111111111"), "{text}");
    assert_eq!(polls(&server, "GetPipelineRun"), 2);
}

#[tokio::test]
async fn a_run_that_never_ends_times_out_at_max_wait_after_bounded_polls() {
    let server = MockServer::start().await;
    server.respond("GetPipelineRun", run("RUNNING")).unwrap();
    let client = server.client();
    let max_wait = Duration::from_millis(300);
    let started = Instant::now();
    let err = run_call(&client)
        .wait_until_pipeline_run_finished()
        .min_delay(MIN)
        .max_delay(MAX)
        .max_wait(max_wait)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let WaiterError::TimedOut {
        waiter,
        waited,
        max_wait: limit,
        attempts,
        last,
    } = &err
    else {
        panic!("expected TimedOut, got {err:?}");
    };
    assert_eq!(*waiter, "PipelineRunFinished");
    assert_eq!(*limit, max_wait);
    // The last poll starts min_delay before the deadline; nothing runs past it.
    assert!(*waited >= max_wait - MIN, "{waited:?}");
    assert!(
        *waited <= max_wait + Duration::from_millis(50),
        "{waited:?}"
    );
    assert!(
        elapsed <= max_wait + Duration::from_millis(100),
        "{elapsed:?}"
    );
    // Delays of 10..40 ms: at most 1 + 300/10 polls (fewer when polls are slow).
    assert!((3..=31).contains(attempts), "{attempts}");
    let sent = polls(&server, "GetPipelineRun") as u32;
    assert!(
        sent == *attempts || sent + 1 == *attempts,
        "{sent} vs {attempts}"
    );
    let last = last.as_deref().expect("a last answer");
    assert_eq!(status(last.as_ref().unwrap()), Some("RUNNING"));
    assert!(err.is_timeout());
    assert!(
        err.to_string()
            .starts_with("waiter PipelineRunFinished timed out: not done after "),
        "{err}"
    );
}

#[tokio::test]
async fn a_poll_slower_than_the_limit_is_cut_off_at_max_wait() {
    let server = MockServer::start().await;
    server
        .respond(
            "GetPipelineRun",
            run("RUNNING").with_delay(Duration::from_secs(5)),
        )
        .unwrap();
    let client = server.client();
    let started = Instant::now();
    let err = run_call(&client)
        .wait_until_pipeline_run_finished()
        .max_wait(Duration::from_millis(200))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(1),
        "{elapsed:?}"
    );
    match err {
        WaiterError::TimedOut { attempts, last, .. } => {
            assert_eq!(attempts, 1);
            assert!(last.is_none());
        }
        other => panic!("expected TimedOut, got {other:?}"),
    }
}

#[tokio::test]
async fn an_undocumented_status_is_not_success() {
    // CANCELED is no documented state: the waiter polls on (smithy: no match means retry).
    let server = MockServer::start().await;
    script(
        &server,
        "GetPipelineRun",
        &[(2, run("CANCELED")), (1, run("SUCCESS"))],
    );
    let client = server.client();
    let done = run_call(&client)
        .wait_until_pipeline_run_finished()
        .min_delay(MIN)
        .max_delay(MAX)
        .await
        .unwrap();
    assert_eq!(status(&done), Some("SUCCESS"));
    assert_eq!(polls(&server, "GetPipelineRun"), 3);
}

#[tokio::test]
async fn an_error_no_acceptor_matches_ends_the_wait_with_the_typed_error() {
    let server = MockServer::start().await;
    script(
        &server,
        "GetPipelineRun",
        &[
            (1, run("RUNNING")),
            (
                1,
                MockReply::custom_error(403, "Forbidden.NoPermission", "no"),
            ),
        ],
    );
    let client = server.client();
    let err = run_call(&client)
        .wait_until_pipeline_run_finished()
        .min_delay(MIN)
        .max_delay(MAX)
        .await
        .unwrap_err();
    let WaiterError::Operation {
        waiter,
        attempts,
        error,
    } = &err
    else {
        panic!("expected Operation, got {err:?}");
    };
    assert_eq!((*waiter, *attempts), ("PipelineRunFinished", 2));
    // The operation's own error, with its typed code.
    let error: &Error<GetPipelineRunErrorCode> = error;
    assert_eq!(
        error.code(),
        Some(GetPipelineRunErrorCode::Unknown(
            "Forbidden.NoPermission".into()
        ))
    );
    assert!(std::error::Error::source(&err).is_some());
    assert!(
        err.to_string()
            .starts_with("waiter PipelineRunFinished stopped at poll 2: GetPipelineRun failed: HTTP 403 Forbidden.NoPermission"),
        "{err}"
    );
}

#[tokio::test]
async fn transient_errors_are_retried_by_the_client_within_one_poll() {
    let server = MockServer::start().await;
    script(
        &server,
        "GetPipelineRun",
        &[
            (2, MockReply::custom_error(503, "ServiceUnavailable", "")),
            (1, run("SUCCESS")),
        ],
    );
    let client = server
        .client_builder()
        .retry(RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    let done = run_call(&client)
        .wait_until_pipeline_run_finished()
        .await
        .unwrap();
    assert_eq!(status(&done), Some("SUCCESS"));
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
}

// ---- a waiter of one's own: error acceptors, and the pacing observed ------------------

/// The values at `pipelineRun.status`, by hand (what the generated readers do).
fn run_status(response: &GetPipelineRunResponse) -> Vec<Cow<'_, str>> {
    status(response).map(Cow::Borrowed).into_iter().collect()
}

static WITH_ERRORS: WaiterSpec<GetPipelineRunRequest> = WaiterSpec::new(
    "RunWithErrors",
    Duration::from_millis(10),
    Duration::from_millis(40),
    Duration::from_secs(5),
    &[
        Acceptor::error(AcceptorState::Retry, "Pipeline.Starting"),
        Acceptor::error(AcceptorState::Failure, "PipelineRun.NotFound"),
        Acceptor::output(
            AcceptorState::Success,
            "pipelineRun.status",
            Comparator::Equals,
            &["SUCCESS"],
            run_status,
        ),
    ],
);

#[tokio::test]
async fn error_acceptors_retry_or_fail_on_their_codes() {
    let server = MockServer::start().await;
    let client = server.client();
    // A code the retry acceptor matches: poll again.
    script(
        &server,
        "GetPipelineRun",
        &[
            (1, MockReply::custom_error(404, "Pipeline.Starting", "")),
            (1, run("RUNNING")),
            (1, run("SUCCESS")),
        ],
    );
    let done = Waiter::new(&client, request(&client), &WITH_ERRORS)
        .await
        .unwrap();
    assert_eq!(status(&done), Some("SUCCESS"));
    assert_eq!(polls(&server, "GetPipelineRun"), 3);

    // A code the failure acceptor matches: FailureState, keeping the error.
    server.clear_requests();
    script(
        &server,
        "GetPipelineRun",
        &[
            (1, run("RUNNING")),
            (
                1,
                MockReply::custom_error(404, "PipelineRun.NotFound", "gone"),
            ),
        ],
    );
    let err = Waiter::new(&client, request(&client), &WITH_ERRORS)
        .await
        .unwrap_err();
    match &err {
        WaiterError::FailureState {
            acceptor,
            reason,
            attempts,
            last,
            ..
        } => {
            assert_eq!((*acceptor, *attempts), (1, 2));
            assert_eq!(reason, "error code PipelineRun.NotFound");
            let error = last.as_ref().as_ref().unwrap_err();
            assert_eq!(error.as_api().unwrap().status, 404);
        }
        other => panic!("expected FailureState, got {other:?}"),
    }
    assert!(err.last_response().is_none());
    assert!(std::error::Error::source(&err).is_some());
}

/// When each answer was read (the first acceptor reads every response).
static SEEN: Mutex<Vec<Instant>> = Mutex::new(Vec::new());

fn timed_status(response: &GetPipelineRunResponse) -> Vec<Cow<'_, str>> {
    SEEN.lock().unwrap().push(Instant::now());
    run_status(response)
}

static TIMED: WaiterSpec<GetPipelineRunRequest> = WaiterSpec::new(
    "Timed",
    Duration::from_millis(20),
    Duration::from_millis(80),
    Duration::from_millis(700),
    &[Acceptor::output(
        AcceptorState::Success,
        "pipelineRun.status",
        Comparator::Equals,
        &["SUCCESS"],
        timed_status,
    )],
);

#[tokio::test]
async fn delays_grow_from_min_delay_and_stay_within_max_delay() {
    let server = MockServer::start().await;
    server.respond("GetPipelineRun", run("RUNNING")).unwrap();
    let client = server.client();
    let waiter = Waiter::new(&client, request(&client), &TIMED);
    assert_eq!(waiter.pacing().max_wait, Duration::from_millis(700));
    let err = waiter.await.unwrap_err();
    assert!(err.is_timeout());
    let seen = SEEN.lock().unwrap().clone();
    assert!(seen.len() >= 8, "{}", seen.len());
    let (min, max) = (Duration::from_millis(20), Duration::from_millis(80));
    // Gaps between answers: a delay plus one poll's latency (loopback, a few ms).
    let slack = Duration::from_millis(50);
    let gaps: Vec<Duration> = seen.windows(2).map(|w| w[1] - w[0]).collect();
    let (last, full) = gaps.split_last().unwrap();
    for (n, gap) in full.iter().enumerate() {
        let ceiling = (min * 2u32.pow(n as u32)).min(max);
        assert!(*gap >= min, "gap {n}: {gap:?} < {min:?} ({gaps:?})");
        assert!(
            *gap <= ceiling + slack,
            "gap {n}: {gap:?} > {ceiling:?} ({gaps:?})"
        );
    }
    // The last delay may be shortened to end min_delay before the deadline.
    assert!(*last <= max + slack, "{gaps:?}");
}

// ---- the AppStack waiter, and the examples --------------------------------------------

fn stage_call(client: &Client) -> GetReleaseStagePipelineRunCall<'_> {
    client
        .get_release_stage_pipeline_run()
        .app_name("testApp")
        .release_workflow_sn("ce51b31b")
        .release_stage_sn("e173f3c1")
        .execution_number("1")
}

fn stage_run(status: &str) -> MockReply {
    MockReply::json(
        200,
        json!({"pipelineRun": {"pipelineId": 1234, "pipelineRunId": 1, "status": status}}),
    )
}

#[tokio::test]
async fn a_release_stage_execution_is_waited_for_until_it_finishes() {
    let server = MockServer::start().await;
    let action = "GetReleaseStagePipelineRun";
    script(
        &server,
        action,
        &[(2, stage_run("RUNNING")), (1, stage_run("SUCCESS"))],
    );
    let client = server.client();
    let done = stage_call(&client)
        .wait_until_release_stage_execution_finished()
        .min_delay(MIN)
        .max_delay(MAX)
        .await
        .unwrap();
    assert_eq!(stage_status(&done), Some("SUCCESS"));
    assert_eq!(polls(&server, action), 3);
    let path = &server.requests()[0].path;
    assert!(path.ends_with("/executions/1%3AgetPipelineRun"), "{path}");

    script(
        &server,
        action,
        &[(1, stage_run("RUNNING")), (1, stage_run("FAIL"))],
    );
    let err = stage_call(&client)
        .wait_until_release_stage_execution_finished()
        .min_delay(MIN)
        .max_delay(MAX)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            WaiterError::FailureState {
                acceptor: 1,
                attempts: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_documented_examples_end_the_waits_at_the_first_poll() {
    // Both examples show a finished run (status SUCCESS).
    let server = MockServer::start().await;
    let client = server.client();
    // A request already built waits the same way as a call.
    let run = client
        .wait_until_pipeline_run_finished(request(&client))
        .await
        .unwrap();
    let example: Value = yunxiao::mock::example_response("GetPipelineRun")
        .unwrap()
        .clone();
    assert_eq!(status(&run), example["pipelineRun"]["status"].as_str());
    let stage = stage_call(&client)
        .wait_until_release_stage_execution_finished()
        .await
        .unwrap();
    assert_eq!(stage_status(&stage), Some("SUCCESS"));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn the_generated_waiters_are_data() {
    let spec = &PIPELINE_RUN_FINISHED;
    assert_eq!(spec.name, "PipelineRunFinished");
    assert_eq!(
        (spec.min_delay, spec.max_delay, spec.max_wait),
        (
            Duration::from_secs(5),
            Duration::from_secs(60),
            Duration::from_secs(1800)
        )
    );
    let states: Vec<AcceptorState> = spec.acceptors.iter().map(|a| a.state).collect();
    assert_eq!(
        states,
        [
            AcceptorState::Success,
            AcceptorState::Failure,
            AcceptorState::Retry
        ]
    );
    assert_eq!(
        format!("{:?}", spec.acceptors[1]),
        "failure: pipelineRun.status equals FAIL"
    );
    let running: GetPipelineRunResponse =
        serde_json::from_value(json!({"pipelineRun": {"status": "RUNNING"}})).unwrap();
    assert_eq!(spec.decide(&Ok(running)), Some((2, AcceptorState::Retry)));
    let empty = GetPipelineRunResponse::default();
    assert_eq!(spec.decide(&Ok(empty)), None);
}
