//! The fields every Yunxiao answer may carry, read the same way on every response type.

/// `requestId`, `success`, `errorCode` and `errorMessage` of a response, whatever the
/// operation. Implemented by every generated response type; a method returns `None` when
/// the response does not document (or did not carry) that field.
///
/// ```
/// use yunxiao::projex::GetProjectInfoResponse;
/// use yunxiao::Envelope;
///
/// // Response types are `#[non_exhaustive]`: build one (say, for a test) from `Default`.
/// let mut response = GetProjectInfoResponse::default();
/// response.request_id = Some("4C5A1-...".into());
/// assert_eq!(response.request_id(), Some("4C5A1-..."));
/// assert_eq!(response.success(), None);
/// ```
pub trait Envelope {
    /// The request id the service gave the call.
    fn request_id(&self) -> Option<&str> {
        None
    }

    /// Whether the service reports success (`success`, also when documented as a string).
    fn success(&self) -> Option<bool> {
        None
    }

    /// The error code in the body (`errorCode`).
    fn error_code(&self) -> Option<&str> {
        None
    }

    /// The error message in the body (`errorMessage`, or `errorMsg`).
    fn error_message(&self) -> Option<&str> {
        None
    }
}

/// A plain-text response carries no envelope.
impl Envelope for String {}

/// A bare JSON array carries no envelope.
impl<T> Envelope for Vec<T> {}

/// An object response without documented fields carries no typed envelope.
impl<V> Envelope for std::collections::BTreeMap<String, V> {}

/// An `any` response carries no typed envelope.
impl Envelope for serde_json::Value {}
