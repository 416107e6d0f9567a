//! The words of the yunxiao spec format, written once.
//!
//! Every closed set of words a spec file uses (`type: long`, `in: query`, `method: POST`,
//! `body: json`, `style: json`, `pagination.style: cursor`, a waiter acceptor's
//! `state: success` and `comparator: equals`) is an enum here. The generator
//! reads them from YAML (feature `serde`) and describes them in `spec/schema.json` (feature
//! `schemars`); the runtime carries the same values in its operation metadata, so the mock
//! server matches on an enum, not a string. Adding a word is adding a variant: the compiler
//! then points at every `match` that must handle it, in the generator and in the runtime.

#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

/// A word that is not in its set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownWord {
    /// What the word names (`type`, `location`, ...).
    pub what: &'static str,
    /// The word as written.
    pub word: String,
    /// The words allowed.
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} '{}' (expected ", self.what, self.word)?;
        match self.expected {
            [one] => write!(f, "{one})"),
            many => write!(f, "one of {})", many.join(", ")),
        }
    }
}

impl std::error::Error for UnknownWord {}

/// A closed set of spec words, for code that treats every set alike (messages, docs).
pub trait Word: Copy + 'static {
    /// Every value, in the order the spec format documents them.
    const ALL: &'static [Self];
    /// What the word names in messages (`type`, `location`, ...).
    const WHAT: &'static str;
    /// The word as written in a spec.
    fn word(self) -> &'static str;
    /// The documentation of the value.
    fn meaning(self) -> &'static str;
}

/// Defines one word set: the enum, its words, parsing, display, and (with features) serde
/// and JSON Schema impls.
macro_rules! words {
    (
        $(#[$meta:meta])*
        $name:ident, what = $what:literal {
            $( $(#[doc = $vdoc:literal])+ $variant:ident = $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[doc = $vdoc])+ $variant, )+
        }

        impl $name {
            /// Every value, in the order the spec format documents them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// Every word, in the same order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];
            /// What the word names in messages.
            pub const WHAT: &'static str = $what;

            /// The word as written in a spec.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word,)+
                }
            }

            /// The documentation of the value.
            pub const fn doc(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($($vdoc),+),)+
                }
            }
        }

        impl Word for $name {
            const ALL: &'static [Self] = $name::ALL;
            const WHAT: &'static str = $what;
            fn word(self) -> &'static str {
                self.as_str()
            }
            fn meaning(self) -> &'static str {
                self.doc()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, UnknownWord> {
                match s {
                    $($word => Ok(Self::$variant),)+
                    other => Err(UnknownWord {
                        what: $what,
                        word: other.to_string(),
                        expected: Self::WORDS,
                    }),
                }
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // The word is checked inside the visitor, so the deserializer locates the
                // error at the value (serde_yaml: its line and key path).
                struct Word;
                impl serde::de::Visitor<'_> for Word {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "a {} ({})", $what, $name::WORDS.join(", "))
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        v.trim().parse().map_err(E::custom)
                    }
                }
                d.deserialize_str(Word)
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let choices: Vec<serde_json::Value> = Self::ALL
                    .iter()
                    .map(|w| serde_json::json!({ "const": w.as_str(), "description": w.doc().trim() }))
                    .collect();
                schemars::json_schema!({ "type": "string", "oneOf": choices })
            }
        }
    };
}

words! {
    /// A spec `type`: what a parameter, field or array item holds.
    TypeWord, what = "type" {
        /// A UTF-8 string (`String`); with `enum`, a string enum.
        String = "string",
        /// A 32-bit integer (`i32`).
        Integer = "integer",
        /// A 64-bit integer (`i64`).
        Long = "long",
        /// A 32-bit float (`f32`).
        Float = "float",
        /// A 64-bit float (`f64`).
        Double = "double",
        /// A 64-bit float (`f64`), as some pages write `double`.
        Number = "number",
        /// `true` or `false`.
        Boolean = "boolean",
        /// A JSON object with documented `fields` (a struct), or any object without them.
        Object = "object",
        /// A JSON array of `items`.
        Array = "array",
        /// A JSON object with arbitrary string keys and `values`.
        Map = "map",
        /// Any JSON value.
        Any = "any",
    }
}

impl TypeWord {
    /// Arrays, objects, maps and `any`: values that are not one scalar.
    pub const fn is_structured(self) -> bool {
        match self {
            Self::Object | Self::Array | Self::Map | Self::Any => true,
            Self::String
            | Self::Integer
            | Self::Long
            | Self::Float
            | Self::Double
            | Self::Number
            | Self::Boolean => false,
        }
    }
}

words! {
    /// A parameter's `in`: where it travels.
    ParamLocation, what = "location" {
        /// Substituted into the path template, percent-encoded as one segment.
        Path = "path",
        /// A query-string parameter.
        Query = "query",
        /// An HTTP header.
        Header = "header",
        /// A field of the request body (`body: json` or `form`).
        Body = "body",
    }
}

words! {
    /// An operation's HTTP `method`.
    HttpMethod, what = "HTTP method" {
        /// `GET`.
        Get = "GET",
        /// `POST`.
        Post = "POST",
        /// `PUT`.
        Put = "PUT",
        /// `DELETE`.
        Delete = "DELETE",
        /// `PATCH`.
        Patch = "PATCH",
    }
}

impl HttpMethod {
    /// Whether the method is idempotent by HTTP semantics (RFC 9110 section 9.2.2).
    pub const fn is_idempotent(self) -> bool {
        match self {
            Self::Get | Self::Put | Self::Delete => true,
            Self::Post | Self::Patch => false,
        }
    }
}

words! {
    /// An operation's `body`: how its `in: body` parameters are encoded.
    BodyEncoding, what = "body encoding" {
        /// No body.
        None = "none",
        /// A JSON object of the body parameters, always sent (`{}` when none is set).
        Json = "json",
        /// `application/x-www-form-urlencoded`, nested values flattened as the official SDK does.
        Form = "form",
    }
}

words! {
    /// A parameter's `style`: how a structured value travels in the query or a header.
    ParamStyle, what = "style" {
        /// The whole value as one JSON string.
        Json = "json",
    }
}

words! {
    /// A node's `format`: what a scalar means beyond its type (times, today). The wire
    /// value stays as the type says; the Rust type gives a typed view of it.
    TimeFormat, what = "format" {
        /// On a `long`: milliseconds since the Unix epoch (`1623916393000`).
        EpochMillis = "epoch-millis",
        /// On a `string`: an RFC 3339 date and time with an offset (`2022-01-14T21:08:26+08:00`).
        DateTime = "date-time",
        /// On a `string`: a date and time without an offset (`2022-03-18 14:24:54`).
        LocalDateTime = "local-date-time",
    }
}

words! {
    /// `pagination.style`: how a list operation pages.
    PageStyle, what = "pagination style" {
        /// An opaque cursor (`nextToken`) from each response.
        Cursor = "cursor",
        /// A 1-based page number.
        Page = "page",
    }
}

words! {
    /// A waiter acceptor's `state`: what it means when the acceptor matches.
    AcceptorState, what = "acceptor state" {
        /// The wait is over and succeeded: the waiter returns the response.
        Success = "success",
        /// The wait is over and failed: the waiter returns `WaiterError::FailureState`, naming the acceptor.
        Failure = "failure",
        /// Not done yet: poll again after the next delay.
        Retry = "retry",
    }
}

words! {
    /// A waiter acceptor's `comparator`: how the values at its `path` are compared with its `expected` values.
    Comparator, what = "comparator" {
        /// The path (without `[]`) holds a value equal to one of `expected`.
        Equals = "equals",
        /// The path (without `[]`) holds a value equal to none of `expected` (an absent value matches nothing).
        NotEquals = "not_equals",
        /// The path projects over array items (`[]`); at least one of them equals one of `expected`.
        AnyEquals = "any_equals",
        /// The path projects over array items (`[]`); there is at least one, and every one equals one of `expected`.
        AllEquals = "all_equals",
    }
}

impl Comparator {
    /// Whether the comparator reads several values (a path with `[]`) rather than one.
    pub const fn is_projection(self) -> bool {
        match self {
            Self::AnyEquals | Self::AllEquals => true,
            Self::Equals | Self::NotEquals => false,
        }
    }

    /// Whether `values` (what the path holds) match `expected` under this comparator.
    /// Values are compared as text: a string or enum value as sent, a number in decimal, a
    /// boolean as `true` or `false`.
    pub fn matches<S: AsRef<str>>(self, values: &[S], expected: &[&str]) -> bool {
        let known = |v: &S| expected.contains(&v.as_ref());
        match self {
            Self::Equals => matches!(values, [one] if known(one)),
            Self::NotEquals => matches!(values, [one] if !known(one)),
            Self::AnyEquals => values.iter().any(known),
            Self::AllEquals => !values.is_empty() && values.iter().all(known),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparators() {
        let exp = ["SUCCESS", "SKIPPED"];
        let none: [&str; 0] = [];
        assert!(Comparator::Equals.matches(&["SUCCESS"], &exp));
        assert!(!Comparator::Equals.matches(&["RUNNING"], &exp));
        assert!(!Comparator::Equals.matches(&none, &exp));
        assert!(Comparator::NotEquals.matches(&["RUNNING"], &exp));
        assert!(!Comparator::NotEquals.matches(&["SKIPPED"], &exp));
        assert!(!Comparator::NotEquals.matches(&none, &exp));
        assert!(Comparator::AnyEquals.matches(&["RUNNING", "SUCCESS"], &exp));
        assert!(!Comparator::AnyEquals.matches(&none, &exp));
        assert!(Comparator::AllEquals.matches(&["SKIPPED", "SUCCESS"], &exp));
        assert!(!Comparator::AllEquals.matches(&["RUNNING", "SUCCESS"], &exp));
        assert!(!Comparator::AllEquals.matches(&none, &exp));
        assert_eq!("any_equals".parse(), Ok(Comparator::AnyEquals));
        assert_eq!("retry".parse(), Ok(AcceptorState::Retry));
    }

    #[test]
    fn words_round_trip() {
        for w in TypeWord::ALL {
            assert_eq!(w.as_str().parse::<TypeWord>(), Ok(*w));
        }
        assert_eq!(TypeWord::ALL.len(), TypeWord::WORDS.len());
        assert_eq!("POST".parse(), Ok(HttpMethod::Post));
    }

    #[test]
    fn unknown_words_say_what_is_allowed() {
        let e = "lnog".parse::<TypeWord>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown type 'lnog' (expected one of string, integer, long, float, double, number, boolean, object, array, map, any)"
        );
        let e = "csv".parse::<ParamStyle>().unwrap_err();
        assert_eq!(e.to_string(), "unknown style 'csv' (expected json)");
        assert!("post".parse::<HttpMethod>().is_err());
    }
}
