//! Reading flag values into request fields (the generated `<op>_request` functions call
//! these): text and numbers as clap parsed them, enum values through serde, JSON text or
//! `@FILE`, secrets from the value or `@FILE`.

use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::ArgMatches;
use serde::de::DeserializeOwned;
use serde_json::Value;
use yunxiao::Secret;

use crate::error::CliError;

/// An argument read with the wrong type: the generated code and its value parser disagree.
fn internal(id: &str, e: impl std::fmt::Display) -> CliError {
    CliError::failed(format!("internal error reading --{id}: {e}"))
}

/// The value of a flag, as its value parser made it.
pub fn one<T: Clone + Send + Sync + 'static>(
    m: &ArgMatches,
    id: &str,
) -> Result<Option<T>, CliError> {
    m.try_get_one::<T>(id)
        .map(|v| v.cloned())
        .map_err(|e| internal(id, e))
}

/// The values of a repeated flag, in order; `None` when it is not given.
pub fn many<T: Clone + Send + Sync + 'static>(
    m: &ArgMatches,
    id: &str,
) -> Result<Option<Vec<T>>, CliError> {
    m.try_get_many::<T>(id)
        .map(|v| v.map(|values| values.cloned().collect()))
        .map_err(|e| internal(id, e))
}

/// The value parser of an enum's documented values, each with its help.
pub fn choices(values: &[(&'static str, &'static str)]) -> PossibleValuesParser {
    PossibleValuesParser::new(values.iter().map(|(value, help)| {
        let value = PossibleValue::new(*value);
        if help.is_empty() {
            value
        } else {
            value.help(*help)
        }
    }))
}

fn enum_value<T: DeserializeOwned>(id: &str, value: Value) -> Result<T, CliError> {
    serde_json::from_value(value).map_err(|e| CliError::usage(format!("--{id}: {e}")))
}

fn number(id: &str, text: &str) -> Result<Value, CliError> {
    text.parse::<i64>()
        .map(Value::from)
        .map_err(|e| CliError::usage(format!("--{id}: '{text}' is not an integer: {e}")))
}

/// A string enum's value (one of its documented values, which clap checked).
pub fn choice<T: DeserializeOwned>(m: &ArgMatches, id: &str) -> Result<Option<T>, CliError> {
    one::<String>(m, id)?
        .map(|s| enum_value(id, Value::String(s)))
        .transpose()
}

/// A number enum's value.
pub fn choice_number<T: DeserializeOwned>(m: &ArgMatches, id: &str) -> Result<Option<T>, CliError> {
    one::<String>(m, id)?
        .map(|s| enum_value(id, number(id, &s)?))
        .transpose()
}

/// A repeated string enum flag.
pub fn choice_list<T: DeserializeOwned>(
    m: &ArgMatches,
    id: &str,
) -> Result<Option<Vec<T>>, CliError> {
    many::<String>(m, id)?
        .map(|v| {
            v.into_iter()
                .map(|s| enum_value(id, Value::String(s)))
                .collect()
        })
        .transpose()
}

/// A repeated number enum flag.
pub fn choice_number_list<T: DeserializeOwned>(
    m: &ArgMatches,
    id: &str,
) -> Result<Option<Vec<T>>, CliError> {
    many::<String>(m, id)?
        .map(|v| {
            v.into_iter()
                .map(|s| enum_value(id, number(id, &s)?))
                .collect()
        })
        .transpose()
}

/// The text a value stands for: itself, or the contents of `FILE` for `@FILE` (`@-`:
/// standard input).
pub fn text_or_file(id: &str, value: &str) -> Result<String, CliError> {
    let Some(path) = value.strip_prefix('@') else {
        return Ok(value.to_string());
    };
    let read = if path == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    read.map_err(|e| CliError::usage(format!("--{id}: cannot read @{path}: {e}")))
}

/// A JSON value (an object, a map, an array of objects, any JSON) as the parameter's type:
/// JSON text, or `@FILE`.
pub fn json<T: DeserializeOwned>(m: &ArgMatches, id: &str) -> Result<Option<T>, CliError> {
    let Some(value) = one::<String>(m, id)? else {
        return Ok(None);
    };
    let text = text_or_file(id, &value)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| CliError::usage(format!("--{id}: not valid JSON for this parameter: {e}")))
}

/// A secret: the value, or the contents of `@FILE` without its final line break (so that a
/// token need not sit in the process list or the shell's history).
pub fn secret(m: &ArgMatches, id: &str) -> Result<Option<Secret<String>>, CliError> {
    let Some(value) = one::<String>(m, id)? else {
        return Ok(None);
    };
    let mut text = text_or_file(id, &value)?;
    if value.starts_with('@') {
        let kept = text.trim_end_matches(['\n', '\r']).len();
        text.truncate(kept);
    }
    Ok(Some(Secret::new(text)))
}

/// Value parser of a duration in seconds (`30`, `0.5`).
pub fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !secs.is_finite() || secs <= 0.0 || secs > 1e9 {
        return Err(format!("'{text}': give a positive number of seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_parse() {
        assert_eq!(seconds("30"), Ok(Duration::from_secs(30)));
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        assert!(seconds("0").is_err());
        assert!(seconds("-1").is_err());
        assert!(seconds("NaN").is_err());
        assert!(seconds("soon").is_err());
    }
}
