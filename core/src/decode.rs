//! Tolerant response decoding.
//!
//! The documentation and the service disagree on some scalar types (thirteen operations
//! document `success` as a string; the service sends a boolean). A body is first decoded
//! with plain `serde_json`, which costs nothing extra when it matches. Only when that
//! fails is it decoded again through `Coerce`, which converts scalars that convert
//! without loss (`"true"` and `true`, `"12"` and `12`, numbers and booleans to strings),
//! records each conversion with its field path, and names the field of any mismatch that
//! remains (an object where an array belongs, a string that is no number, ...).
//!
//! The envelope (`requestId`, `success`, the error code and message) is read field by
//! field, so that one odd field never hides the others.

use std::cell::RefCell;
use std::fmt;

use serde::de::{
    self, Deserialize, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess,
    SeqAccess, Visitor,
};

/// How strictly a response must match its documented types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeMode {
    /// Lossless scalar conversions are made (and logged at debug level).
    Tolerant,
    /// Any conversion is an error naming every converted field.
    Strict,
}

/// Why a body does not decode: the field path (`.` for the whole body) and what is wrong.
#[derive(Debug)]
pub struct Failure {
    pub field: String,
    pub message: String,
}

/// One scalar conversion made while decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coercion {
    /// Path of the field (`project.success`, `items[2].id`).
    pub field: String,
    /// What was sent: `string`, `boolean` or `number`.
    pub from: &'static str,
    /// What the type asked for.
    pub to: &'static str,
}

impl fmt::Display for Coercion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No value: a field may hold a secret.
        write!(f, "`{}`: {} read as {}", self.field, self.from, self.to)
    }
}

/// Decodes `body` as `T`: plain `serde_json` first, the coercing decoder if that fails.
pub fn typed<T: DeserializeOwned>(body: &[u8], mode: DecodeMode) -> Result<T, Failure> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    tolerant(body, mode)
}

/// Decodes `body` as `T` with plain `serde_json`, the fast path, and reads on the way
/// whether the body's top-level `success` says the call failed (as
/// [`Envelope::says_failure`] would), so that a successful answer is parsed once. `None`
/// when plain decoding fails: the caller then reads the envelope and decodes with
/// [`tolerant`].
pub fn plain<T: DeserializeOwned>(body: &[u8]) -> Option<(T, bool)> {
    let mut says_failure = false;
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = T::deserialize(Tap {
        de: &mut de,
        says_failure: &mut says_failure,
    })
    .ok()?;
    de.end().ok()?;
    Some((value, says_failure))
}

/// The coercing decoder alone (what [`typed`] falls back to): lossless conversions made
/// and logged, or refused in strict mode; a mismatch names its field.
pub fn tolerant<T: DeserializeOwned>(body: &[u8], mode: DecodeMode) -> Result<T, Failure> {
    let (value, coercions) = coerce::<T>(body);
    let value = value?;
    if coercions.is_empty() {
        return Ok(value);
    }
    if mode == DecodeMode::Strict {
        return Err(strict_failure(&coercions));
    }
    for c in &coercions {
        tracing::debug!(coercion = %c, "response field converted");
    }
    Ok(value)
}

/// Where the send loop leaves a decoded response: the operation's response type behind
/// one vtable, so that the loop (signing, sending, reading, the envelope, retries) is
/// compiled once for the crate rather than once per operation a program calls.
pub trait ResponseSlot: Send {
    /// [`plain`]: `Some(says_failure)` when the body decoded (the value is kept).
    fn plain(&mut self, body: &[u8]) -> Option<bool>;
    /// [`tolerant`], keeping the value.
    fn tolerant(&mut self, body: &[u8], mode: DecodeMode) -> Result<(), Failure>;
    /// A plain-text response's text as the value.
    fn text(&mut self, text: String) -> Result<(), String>;
}

impl<T: DeserializeOwned + Send> ResponseSlot for Option<T> {
    fn plain(&mut self, body: &[u8]) -> Option<bool> {
        let (value, says_failure) = plain::<T>(body)?;
        *self = Some(value);
        Some(says_failure)
    }

    fn tolerant(&mut self, body: &[u8], mode: DecodeMode) -> Result<(), Failure> {
        *self = Some(tolerant::<T>(body, mode)?);
        Ok(())
    }

    fn text(&mut self, text: String) -> Result<(), String> {
        let value = T::deserialize(de::value::StringDeserializer::<de::value::Error>::new(text))
            .map_err(|e| e.to_string())?;
        *self = Some(value);
        Ok(())
    }
}

/// The error strict mode gives for `coercions` (not empty).
pub fn strict_failure(coercions: &[Coercion]) -> Failure {
    let list: Vec<String> = coercions.iter().map(Coercion::to_string).collect();
    Failure {
        field: coercions
            .first()
            .map_or_else(|| ".".to_string(), |c| c.field.clone()),
        message: format!(
            "strict decoding: {} field(s) differ from the documented type: {}",
            coercions.len(),
            list.join("; ")
        ),
    }
}

/// Decodes `body` through the coercing decoder: the value or the failure, and every
/// conversion made.
pub fn coerce<T: DeserializeOwned>(body: &[u8]) -> (Result<T, Failure>, Vec<Coercion>) {
    let track = Track::default();
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = T::deserialize(Coerce {
        de: &mut de,
        track: &track,
    })
    .and_then(|value| de.end().map(|()| value));
    let result = result.map_err(|e| Failure {
        field: track
            .error_path
            .borrow_mut()
            .take()
            .unwrap_or_else(|| ".".into()),
        message: e.to_string(),
    });
    (result, track.coercions.into_inner())
}

// ---------------------------------------------------------------------------------------
// The envelope
// ---------------------------------------------------------------------------------------

/// The fields every Yunxiao response may carry, in any Alibaba form.
#[derive(Debug, Default)]
pub struct Envelope {
    pub request_id: Option<String>,
    pub code: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
    pub error_message: Option<String>,
    success: Option<Loose>,
}

impl Envelope {
    /// Reads the envelope fields of a JSON object, each on its own: a field of an odd type
    /// is read as text or skipped, and what was read before a syntax error is kept. Not an
    /// object: all empty.
    pub fn parse(body: &[u8]) -> Self {
        let mut envelope = Envelope::default();
        let mut de = serde_json::Deserializer::from_slice(body);
        let _ = de.deserialize_map(EnvelopeVisitor(&mut envelope));
        envelope
    }

    /// `success` is `false` (a boolean, or the text `false` in any case).
    pub fn says_failure(&self) -> bool {
        match &self.success {
            Some(Loose::Bool(b)) => !b,
            Some(Loose::Text(t)) => text_says_false(t),
            _ => false,
        }
    }
}

/// `success` given as text says failure: `false` in any case, spaces around allowed.
fn text_says_false(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("false")
}

/// A scalar of any kind; objects, arrays and null read as `Skipped`.
#[derive(Debug)]
enum Loose {
    Bool(bool),
    Text(String),
    Skipped,
}

impl Loose {
    fn text(self) -> Option<String> {
        match self {
            Loose::Bool(b) => Some(b.to_string()),
            Loose::Text(t) => Some(t),
            Loose::Skipped => None,
        }
    }
}

impl<'de> de::Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
        Ok(Loose::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Text(v))
    }
    fn visit_unit<E>(self) -> Result<Loose, E> {
        Ok(Loose::Skipped)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Loose::Skipped)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Loose::Skipped)
    }
}

/// The envelope keys, matched without allocating.
enum Key {
    Success,
    RequestId,
    Code,
    ErrorCode,
    Message,
    ErrorMessage,
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "success" => Key::Success,
                    "requestId" | "RequestId" => Key::RequestId,
                    "Code" | "code" => Key::Code,
                    "errorCode" => Key::ErrorCode,
                    "Message" | "message" => Key::Message,
                    "errorMessage" | "errorMsg" => Key::ErrorMessage,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

struct EnvelopeVisitor<'a>(&'a mut Envelope);

impl<'de> Visitor<'de> for EnvelopeVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let e = self.0;
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Success => {
                    e.success = Some(map.next_value::<Loose>()?);
                    continue;
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                Key::RequestId => &mut e.request_id,
                Key::Code => &mut e.code,
                Key::ErrorCode => &mut e.error_code,
                Key::Message => &mut e.message,
                Key::ErrorMessage => &mut e.error_message,
            };
            // A later duplicate wins, as in the official SDKs' JSON readers.
            *slot = map.next_value::<Loose>()?.text();
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The envelope's `success`, read during the plain decoding
// ---------------------------------------------------------------------------------------

macro_rules! forward {
    ($($method:ident($ty:ty),)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.visitor.$method(v)
        }
    )*};
}

/// Every `visit_*` of a scalar, passed on to `self.visitor` unchanged.
macro_rules! forward_scalars {
    () => {
        forward! {
            visit_bool(bool),
            visit_i8(i8),
            visit_i16(i16),
            visit_i32(i32),
            visit_i64(i64),
            visit_i128(i128),
            visit_u8(u8),
            visit_u16(u16),
            visit_u32(u32),
            visit_u64(u64),
            visit_u128(u128),
            visit_f32(f32),
            visit_f64(f64),
            visit_char(char),
            visit_str(&str),
            visit_borrowed_str(&'de str),
            visit_string(String),
            visit_bytes(&[u8]),
            visit_borrowed_bytes(&'de [u8]),
            visit_byte_buf(Vec<u8>),
        }
    };
}

/// Hands the top-level object to `T` through [`TapMap`]; everything else passes unchanged.
struct Tap<'s, D> {
    de: D,
    says_failure: &'s mut bool,
}

macro_rules! pass {
    ($($method:ident($($arg:ident: $ty:ty),*),)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.de.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Tap<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_any(TapVisitor {
            visitor,
            says_failure: self.says_failure,
        })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_map(TapVisitor {
            visitor,
            says_failure: self.says_failure,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_struct(
            name,
            fields,
            TapVisitor {
                visitor,
                says_failure: self.says_failure,
            },
        )
    }

    pass! {
        deserialize_bool(),
        deserialize_i8(),
        deserialize_i16(),
        deserialize_i32(),
        deserialize_i64(),
        deserialize_i128(),
        deserialize_u8(),
        deserialize_u16(),
        deserialize_u32(),
        deserialize_u64(),
        deserialize_u128(),
        deserialize_f32(),
        deserialize_f64(),
        deserialize_char(),
        deserialize_str(),
        deserialize_string(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_option(),
        deserialize_unit(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_seq(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(),
        deserialize_ignored_any(),
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// The visitor of the top-level value: an object is read through [`TapMap`].
struct TapVisitor<'s, V> {
    visitor: V,
    says_failure: &'s mut bool,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for TapVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    forward_scalars!();

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
        self.visitor.visit_some(d)
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
        self.visitor.visit_newtype_struct(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_map(TapMap {
            map,
            says_failure: self.says_failure,
            at_success: false,
        })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_enum(data)
    }
}

/// The top-level object: each key is looked at on its way to `T`, and the value of
/// `success` is read on its way too. Nested values pass straight through.
struct TapMap<'s, A> {
    map: A,
    says_failure: &'s mut bool,
    /// The key just read is `success`.
    at_success: bool,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TapMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key::<KeyText<'de>>()? else {
            self.at_success = false;
            return Ok(None);
        };
        let key = match &key {
            KeyText::Borrowed(k) => k,
            KeyText::Owned(k) => k.as_str(),
        };
        self.at_success = key == "success";
        seed.deserialize(de::value::StrDeserializer::<A::Error>::new(key))
            .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        if std::mem::take(&mut self.at_success) {
            self.map.next_value_seed(SuccessSeed {
                seed,
                says_failure: self.says_failure,
            })
        } else {
            self.map.next_value_seed(seed)
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A top-level key, read once (borrowed from the body unless it has escapes) so that
/// `success` can be noted, then handed on as text.
enum KeyText<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl<'de> de::Deserialize<'de> for KeyText<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyTextVisitor;
        impl<'de> Visitor<'de> for KeyTextVisitor {
            type Value = KeyText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<KeyText<'de>, E> {
                Ok(KeyText::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText<'de>, E> {
                Ok(KeyText::Owned(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyText<'de>, E> {
                Ok(KeyText::Owned(v))
            }
        }
        d.deserialize_str(KeyTextVisitor)
    }
}

/// The value of `success`: read once as JSON, judged as [`Envelope::says_failure`]
/// judges it (a later duplicate wins there too), then handed to `T`.
struct SuccessSeed<'s, S> {
    seed: S,
    says_failure: &'s mut bool,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for SuccessSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        *self.says_failure = match &value {
            serde_json::Value::Bool(b) => !b,
            serde_json::Value::String(t) => text_says_false(t),
            _ => false,
        };
        self.seed.deserialize(value).map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------
// The coercing decoder
// ---------------------------------------------------------------------------------------

enum Segment {
    Key(String),
    Index(usize),
}

/// The path being decoded, the path of the first failure, and the conversions made.
#[derive(Default)]
struct Track {
    path: RefCell<Vec<Segment>>,
    error_path: RefCell<Option<String>>,
    coercions: RefCell<Vec<Coercion>>,
}

impl Track {
    /// `a.b[0].c`, or `.` for the root (the form `serde_path_to_error` uses).
    fn render(&self) -> String {
        let path = self.path.borrow();
        if path.is_empty() {
            return ".".into();
        }
        let mut out = String::new();
        for segment in path.iter() {
            match segment {
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }

    /// Notes where an error happened; the innermost (first) place wins.
    fn fail<E>(&self, e: E) -> E {
        let mut slot = self.error_path.borrow_mut();
        if slot.is_none() {
            *slot = Some(self.render());
        }
        e
    }

    fn record(&self, from: &'static str, to: &'static str) {
        let field = self.render();
        self.coercions
            .borrow_mut()
            .push(Coercion { field, from, to });
    }

    fn enter(&self, segment: Segment) {
        self.path.borrow_mut().push(segment);
    }

    fn leave(&self) {
        self.path.borrow_mut().pop();
    }
}

/// A deserializer that converts scalars to the kind asked for and tracks the path.
struct Coerce<'t, D> {
    de: D,
    track: &'t Track,
}

/// The scalar kind a type asks for.
#[derive(Clone, Copy)]
enum Target {
    Bool,
    Int,
    Float,
    Str,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Bool => "boolean",
            Target::Int => "integer",
            Target::Float => "number",
            Target::Str => "string",
        }
    }
}

macro_rules! scalar {
    ($($method:ident => $target:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            let track = self.track;
            self.de
                .deserialize_any(Scalar { visitor, target: Target::$target, track })
                .map_err(|e| track.fail(e))
        }
    )*};
}

macro_rules! structural {
    ($($method:ident($($arg:ident: $ty:ty),*),)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            let track = self.track;
            self.de
                .$method($($arg,)* Wrap { visitor, track })
                .map_err(|e| track.fail(e))
        }
    )*};
}

macro_rules! plain {
    ($($method:ident($($arg:ident: $ty:ty),*),)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            let track = self.track;
            self.de.$method($($arg,)* visitor).map_err(|e| track.fail(e))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Coerce<'_, D> {
    type Error = D::Error;

    scalar! {
        deserialize_bool => Bool,
        deserialize_i8 => Int,
        deserialize_i16 => Int,
        deserialize_i32 => Int,
        deserialize_i64 => Int,
        deserialize_i128 => Int,
        deserialize_u8 => Int,
        deserialize_u16 => Int,
        deserialize_u32 => Int,
        deserialize_u64 => Int,
        deserialize_u128 => Int,
        deserialize_f32 => Float,
        deserialize_f64 => Float,
        deserialize_str => Str,
        deserialize_string => Str,
    }

    structural! {
        deserialize_any(),
        deserialize_option(),
        deserialize_seq(),
        deserialize_map(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_newtype_struct(name: &'static str),
    }

    plain! {
        deserialize_char(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_unit(),
        deserialize_unit_struct(name: &'static str),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(),
        deserialize_ignored_any(),
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// Passes everything on, wrapping what nests so that it is decoded through [`Coerce`].
struct Wrap<'t, V> {
    visitor: V,
    track: &'t Track,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    forward_scalars!();

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
        self.visitor.visit_some(Coerce {
            de: d,
            track: self.track,
        })
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
        self.visitor.visit_newtype_struct(Coerce {
            de: d,
            track: self.track,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_seq(Seq {
            seq,
            track: self.track,
            index: 0,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_map(Map {
            map,
            track: self.track,
            key: None,
        })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.visitor.visit_enum(data)
    }
}

/// Hands a scalar to a visitor that wants `target`, converting it when that is lossless.
struct Scalar<'t, V> {
    visitor: V,
    target: Target,
    track: &'t Track,
}

impl<'de, V: Visitor<'de>> Scalar<'_, V> {
    fn number_as_text<E: de::Error>(self, text: String) -> Result<V::Value, E> {
        self.track.record("number", Target::Str.name());
        self.visitor.visit_string(text)
    }

    fn text<E: de::Error>(self, s: &str) -> Result<V::Value, E> {
        let converted = match self.target {
            Target::Bool => match s {
                "true" => Some(Converted::Bool(true)),
                "false" => Some(Converted::Bool(false)),
                _ => None,
            },
            Target::Int => s
                .parse::<i64>()
                .map(Converted::I64)
                .or_else(|_| s.parse::<u64>().map(Converted::U64))
                .ok(),
            // Only what reads as a finite number; "NaN" or "inf" are no numbers here.
            Target::Float => s
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && s.bytes().any(|b| b.is_ascii_digit()))
                .map(Converted::F64),
            Target::Str => None,
        };
        let Some(converted) = converted else {
            return self.visitor.visit_str(s);
        };
        self.track.record("string", self.target.name());
        match converted {
            Converted::Bool(b) => self.visitor.visit_bool(b),
            Converted::I64(n) => self.visitor.visit_i64(n),
            Converted::U64(n) => self.visitor.visit_u64(n),
            Converted::F64(n) => self.visitor.visit_f64(n),
        }
    }
}

enum Converted {
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Scalar<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if let Target::Str = self.target {
            self.track.record("boolean", Target::Str.name());
            return self.visitor.visit_string(v.to_string());
        }
        self.visitor.visit_bool(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match self.target {
            Target::Str => self.number_as_text(v.to_string()),
            _ => self.visitor.visit_i64(v),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match self.target {
            Target::Str => self.number_as_text(v.to_string()),
            _ => self.visitor.visit_u64(v),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        match self.target {
            Target::Str => self.number_as_text(v.to_string()),
            _ => self.visitor.visit_f64(v),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.text(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        match self.target {
            Target::Str => self.visitor.visit_borrowed_str(v),
            _ => self.text(v),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        match self.target {
            Target::Str => self.visitor.visit_string(v),
            _ => self.text(&v),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Wrap {
            visitor: self.visitor,
            track: self.track,
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Wrap {
            visitor: self.visitor,
            track: self.track,
        }
        .visit_map(map)
    }
}

/// A sequence whose elements decode through [`Coerce`], each at `[index]`.
struct Seq<'t, A> {
    seq: A,
    track: &'t Track,
    index: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.track.enter(Segment::Index(self.index));
        let result = self.seq.next_element_seed(Seed {
            seed,
            track: self.track,
        });
        self.track.leave();
        self.index += 1;
        result
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// A map whose values decode through [`Coerce`], each at its key.
struct Map<'t, A> {
    map: A,
    track: &'t Track,
    key: Option<String>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        // JSON keys are strings: read it once to know the path, then hand it on.
        let Some(key) = self.map.next_key::<String>()? else {
            return Ok(None);
        };
        let value = seed.deserialize(de::value::StrDeserializer::<A::Error>::new(&key))?;
        self.key = Some(key);
        Ok(Some(value))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.track
            .enter(Segment::Key(self.key.take().unwrap_or_default()));
        let result = self.map.next_value_seed(Seed {
            seed,
            track: self.track,
        });
        self.track.leave();
        result
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A seed whose deserializer is wrapped in [`Coerce`].
struct Seed<'t, S> {
    seed: S,
    track: &'t Track,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Coerce {
            de: d,
            track: self.track,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    struct Inner {
        id: Option<i64>,
        ok: Option<bool>,
        name: Option<String>,
        ratio: Option<f64>,
    }

    #[derive(Debug, Deserialize, PartialEq, Default)]
    #[serde(rename_all = "camelCase")]
    struct Outer {
        success: Option<String>,
        items: Option<Vec<Inner>>,
        tags: Option<Vec<String>>,
        by_name: Option<BTreeMap<String, i32>>,
        inner: Option<Inner>,
        total: i32,
    }

    #[test]
    fn scalars_convert_losslessly_and_are_recorded() {
        let body = br#"{"success": true, "total": "3",
            "items": [{"id": "12", "ok": "false", "name": 7, "ratio": "1.5"}, {"id": 4}],
            "tags": [1, true, "x"], "byName": {"a": "2"}, "inner": {"ok": true}}"#;
        let (v, coercions) = coerce::<Outer>(body);
        let v = v.unwrap();
        assert_eq!(v.success.as_deref(), Some("true"));
        assert_eq!(v.total, 3);
        let items = v.items.unwrap();
        assert_eq!(items[0].id, Some(12));
        assert_eq!(items[0].ok, Some(false));
        assert_eq!(items[0].name.as_deref(), Some("7"));
        assert_eq!(items[0].ratio, Some(1.5));
        assert_eq!(v.tags.unwrap(), ["1", "true", "x"]);
        assert_eq!(v.by_name.unwrap()["a"], 2);
        let fields: Vec<&str> = coercions.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "success",
                "total",
                "items[0].id",
                "items[0].ok",
                "items[0].name",
                "items[0].ratio",
                "tags[0]",
                "tags[1]",
                "byName.a"
            ]
        );
        assert_eq!(
            coercions[0].to_string(),
            "`success`: boolean read as string"
        );
        assert!(matches!(
            typed::<Outer>(body, DecodeMode::Strict),
            Err(Failure { field, .. }) if field == "success"
        ));
        assert!(typed::<Outer>(body, DecodeMode::Tolerant).is_ok());
    }

    #[test]
    fn structural_mismatches_name_the_field() {
        let cases: [(&[u8], &str); 5] = [
            (br#"{"total": 1, "items": {"id": 1}}"#, "items"),
            (
                br#"{"total": 1, "items": [{}, {"id": "twelve"}]}"#,
                "items[1].id",
            ),
            (br#"{"total": 1, "inner": {"ok": "yes"}}"#, "inner.ok"),
            (br#"{"total": 1, "inner": {"ratio": "NaN"}}"#, "inner.ratio"),
            (br#"{"items": []}"#, "."),
        ];
        for (body, field) in cases {
            let err = typed::<Outer>(body, DecodeMode::Tolerant).unwrap_err();
            assert_eq!(err.field, field, "{}", String::from_utf8_lossy(body));
        }
        let err =
            typed::<Outer>(br#"{"total": 1, "inner": {"id": 1"#, DecodeMode::Tolerant).unwrap_err();
        assert!(err.message.contains("EOF"), "{}", err.message);
    }

    #[test]
    fn envelope_reads_each_field_on_its_own() {
        let e = Envelope::parse(
            br#"{"success": "false", "requestId": 12, "errorCode": {"x": 1}, "Code": "E",
                "message": ["odd"], "errorMessage": "m"}"#,
        );
        assert!(e.says_failure());
        assert_eq!(e.request_id.as_deref(), Some("12"));
        assert_eq!(e.code.as_deref(), Some("E"));
        assert_eq!(e.error_code, None);
        assert_eq!(e.message, None);
        assert_eq!(e.error_message.as_deref(), Some("m"));
        // Truncated: what came before the break is kept.
        let e = Envelope::parse(br#"{"requestId": "R", "errorCode": "C", "data": [1, 2"#);
        assert_eq!(
            (e.request_id.as_deref(), e.error_code.as_deref()),
            (Some("R"), Some("C"))
        );
        assert!(!Envelope::parse(br#"{"success": true}"#).says_failure());
        assert!(!Envelope::parse(br#"{"success": "true"}"#).says_failure());
        assert!(Envelope::parse(br#"{"success": false}"#).says_failure());
        assert!(!Envelope::parse(b"[1]").says_failure());
    }
}
