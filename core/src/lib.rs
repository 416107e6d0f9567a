//! The parts of [yunxiao](https://docs.rs/yunxiao) that do not depend on the API's
//! operations: the operation contract the generated code implements, request building
//! (`wire`), response decoding, errors, request signing, credentials and the retry policy.
//!
//! Use it through `yunxiao`, which re-exports every public item at the same path
//! (`yunxiao::credentials::EnvironmentProvider`, `yunxiao::Error`, ...). It is a crate of
//! its own so that it is compiled once: the generated API and the client in `yunxiao`
//! change with the enabled areas and the specs; this does not.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod credentials;
#[doc(hidden)]
pub mod decode;
#[doc(hidden)]
pub mod envelope;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod operation;
pub mod retry;
#[doc(hidden)]
pub mod secret;
pub mod signing;
#[doc(hidden)]
pub mod times;
#[doc(hidden)]
pub mod wire;

pub use credentials::{Credentials, ProvideCredentials, ProvideCredentialsFuture};
pub use envelope::Envelope;
pub use error::{AnyCode, ApiError, DecodeError, Error};
pub use operation::{
    ApiErrorCode, ErrorDoc, HttpRequest, Operation, OperationMeta, ParamMeta, RequestBody,
    UndocumentedCode,
};
pub use retry::{RetryBudget, RetryConfig};
pub use secret::Secret;
pub use signing::SignatureVersion;
pub use times::{DateTime, EpochMillis, LocalDateTime};
/// The words of the spec format, as the operation metadata carries them.
pub use yunxiao_vocab::{BodyEncoding, HttpMethod, ParamLocation, TypeWord};
