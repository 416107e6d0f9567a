//! The mock checks its own answers: a 2xx JSON answer (the example or an override) must
//! decode into the operation's typed response, as the client would decode it.

use crate::decode::{self, DecodeMode};
use crate::Operation;

/// How closely the mock's 2xx answers must match the operation's documented response
/// type. An answer that does not is replaced by HTTP 500 `Mock.AnswerMismatch` naming
/// the field, so a test sees the problem instead of a confusing decode later.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerCheck {
    /// No check.
    Off,
    /// It must decode as the client decodes by default, scalar conversions allowed
    /// (the default).
    #[default]
    Tolerant,
    /// It must decode without any scalar conversion: catches examples and overrides
    /// that drift from the documented types.
    Strict,
}

/// One operation's answer check: `Err` names the field and what is wrong.
pub type CheckAnswer = fn(&[u8], AnswerCheck) -> Result<(), String>;

/// Checks `body` against `O`'s response type (each generated `MOCK_OPERATIONS` entry holds
/// this for its operation).
pub fn check_answer<O: Operation>(body: &[u8], check: AnswerCheck) -> Result<(), String> {
    let mode = match check {
        AnswerCheck::Off => return Ok(()),
        AnswerCheck::Tolerant => DecodeMode::Tolerant,
        AnswerCheck::Strict => DecodeMode::Strict,
    };
    decode::typed::<O::Response>(body, mode)
        .map(|_| ())
        .map_err(|f| format!("at `{}`: {}", f.field, f.message))
}

/// The answer check of an action, if there is such an operation.
pub fn answer_check(action: &str) -> Option<CheckAnswer> {
    crate::MOCK_OPERATIONS
        .iter()
        .find(|op| op.meta.action == action)
        .map(|op| op.check_answer)
}
