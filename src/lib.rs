//! Typed Rust SDK for the Alibaba Cloud DevOps (Yunxiao, 云效) OpenAPI, product `devops`,
//! version `2021-06-25`.
//!
//! Every operation is generated from a YAML spec in `spec/`: a method on [`Client`] that
//! returns a call whose parameters are set by name (required ones are checked before
//! anything is sent), a request type, a response type, and an enum of its documented
//! error codes. Operations that report on a long job also have waiters,
//! `client.<operation>()...wait_until_<name>()`, which poll until the job ends ([`waiter`]).
//!
//! # Areas and features
//!
//! Operations are grouped by area, one module and one cargo feature each. All are on by
//! default; a program that calls only some areas can compile only those
//! (`yunxiao = { version = "0.1", default-features = false, features = ["flow"] }`), and
//! the mock then serves only them. A type that several areas share compiles with any of
//! them (`common::BasicResponse` with `flow` or `organization`, `projex::ProjexField`
//! with `projex` or `testhub`).
//!
//! | feature | module | operations |
//! |---|---|---|
//! | `flow` | `flow` | pipelines, runs, jobs, manual gates, artifacts, host and variable groups, service connections |
//! | `codeup` | `codeup` | repositories, branches, tags, files, commits, merge requests, groups, members, webhooks |
//! | `projex` | `projex` | projects, work items, sprints and custom fields |
//! | `testhub` | `testhub` | test cases and test results |
//! | `appstack` | `appstack` | applications, release workflows and change requests |
//! | `organization` | `organization` | members, roles, organizations, users and SSH keys |
//! | `insight` | `insight` | data exports |
//! | `mock` | `mock` | a local, spec-driven mock of the enabled areas (off by default) |
//!
//! ```no_run
//! # async fn demo() -> Result<(), yunxiao::Error> {
//! let client = yunxiao::Client::builder()
//!     .access_key("LTAI...", "secret")
//!     .build()?;
//! let done = client
//!     .pass_pipeline_validate()
//!     .organization_id("org-id")
//!     .pipeline_id(11222)
//!     .pipeline_run_id(1111)
//!     .job_id("111")
//!     .send()
//!     .await?;
//! assert_eq!(done.success, Some(true));
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]
// docs.rs (nightly) marks each item with the features it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
#[cfg(feature = "mock")]
pub mod mock;
mod paginate;
mod signed;
pub mod waiter;

// The parts that do not depend on the operations live in `yunxiao-core`, compiled once;
// they are re-exported at the same paths.
#[doc(hidden)]
pub use yunxiao_core::wire;
#[doc(inline)]
pub use yunxiao_core::{credentials, retry, signing};
use yunxiao_core::{decode, error, operation, secret};

pub use client::{
    Client, ClientBuilder, Endpoint, API_VERSION, DEFAULT_DEADLINE, DEFAULT_ENDPOINT,
    DEFAULT_MAX_RESPONSE_SIZE, VPC_ENDPOINT,
};
pub use paginate::{PageParts, PageStyle, PageWire, Pages, Paginate, Paginator};
pub use signed::SignedRequest;
pub use waiter::{Waiter, WaiterError};
pub use yunxiao_core::{
    AnyCode, ApiError, ApiErrorCode, BodyEncoding, Credentials, DateTime, DecodeError, Envelope,
    EpochMillis, Error, ErrorDoc, HttpMethod, HttpRequest, LocalDateTime, Operation, OperationMeta,
    ParamLocation, ParamMeta, ProvideCredentials, ProvideCredentialsFuture, RequestBody,
    RetryBudget, RetryConfig, Secret, SignatureVersion, TypeWord, UndocumentedCode,
};

// The generated API: one module per area (each behind its feature), plus `OPERATIONS`.
#[allow(missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/mod.rs"));
}
pub use generated::*;
