//! Times as the API writes them, with a typed view. Each type keeps the wire value exactly
//! (so decoding and re-encoding never changes what was sent) and converts to and from the
//! `time` crate's types.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::wire::QueryValue;

/// Milliseconds since the Unix epoch, as many fields carry times (`gmtCreate`,
/// `createTime`, ...). On the wire it is the number.
///
/// ```
/// use yunxiao::EpochMillis;
/// let t = EpochMillis::from(1_623_916_393_000);
/// assert_eq!(t.to_date_time().unwrap().to_string(), "2021-06-17 7:53:13.0 +00:00:00");
/// assert_eq!(t.as_millis(), 1_623_916_393_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EpochMillis(i64);

impl EpochMillis {
    /// The milliseconds since the epoch, as sent.
    pub fn as_millis(self) -> i64 {
        self.0
    }

    /// The time in UTC; `None` if it is outside the dates `time` can represent.
    pub fn to_date_time(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000).ok()
    }
}

impl From<i64> for EpochMillis {
    fn from(millis: i64) -> Self {
        Self(millis)
    }
}

impl From<EpochMillis> for i64 {
    fn from(t: EpochMillis) -> Self {
        t.0
    }
}

impl From<OffsetDateTime> for EpochMillis {
    fn from(t: OffsetDateTime) -> Self {
        // Whole milliseconds; the API has no finer unit.
        Self(i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for EpochMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl QueryValue for EpochMillis {
    fn to_query_value(&self) -> String {
        self.0.to_string()
    }
}

/// An RFC 3339 date and time with an offset (`2022-01-14T21:08:26+08:00`), kept as the
/// service wrote it.
///
/// ```
/// let t = yunxiao::DateTime::from("2022-01-14T21:08:26+08:00");
/// assert_eq!(t.parse().unwrap().unix_timestamp(), 1_642_165_706);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateTime(String);

impl DateTime {
    /// The text, as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The time it names.
    pub fn parse(&self) -> Result<OffsetDateTime, time::error::Parse> {
        OffsetDateTime::parse(&self.0, &Rfc3339)
    }
}

impl From<String> for DateTime {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for DateTime {
    fn from(text: &str) -> Self {
        Self(text.to_string())
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(t: OffsetDateTime) -> Self {
        // Formatting a valid time as RFC 3339 fails only for years outside 0..=9999.
        Self(t.format(&Rfc3339).unwrap_or_default())
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl QueryValue for DateTime {
    fn to_query_value(&self) -> String {
        self.0.clone()
    }
}

/// A date and time without an offset (`2022-03-18 14:24:54`), kept as the service wrote
/// it. The documentation gives no time zone; Yunxiao's pages use China Standard Time
/// (UTC+8), so [`LocalDateTime::parse`] leaves the offset to you.
///
/// ```
/// let t = yunxiao::LocalDateTime::from("2022-03-18 14:24:54");
/// let t = t.parse().unwrap().assume_offset(time::macros::offset!(+8));
/// assert_eq!(t.unix_timestamp(), 1_647_584_694);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalDateTime(String);

impl LocalDateTime {
    /// The text, as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date and time it names (`YYYY-MM-DD hh:mm:ss`), without an offset.
    pub fn parse(&self) -> Result<PrimitiveDateTime, time::error::Parse> {
        PrimitiveDateTime::parse(
            &self.0,
            format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        )
    }
}

impl From<String> for LocalDateTime {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for LocalDateTime {
    fn from(text: &str) -> Self {
        Self(text.to_string())
    }
}

impl From<PrimitiveDateTime> for LocalDateTime {
    fn from(t: PrimitiveDateTime) -> Self {
        let text = t
            .format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .unwrap_or_default();
        Self(text)
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl QueryValue for LocalDateTime {
    fn to_query_value(&self) -> String {
        self.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values_round_trip() {
        let t: EpochMillis = serde_json::from_str("1623916393000").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "1623916393000");
        let back = EpochMillis::from(t.to_date_time().unwrap());
        assert_eq!(back, t);
        let d: DateTime = serde_json::from_str("\"2022-01-14T21:08:26+08:00\"").unwrap();
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            "\"2022-01-14T21:08:26+08:00\""
        );
        let l: LocalDateTime = serde_json::from_str("\"2022-03-18 14:24:54\"").unwrap();
        assert_eq!(LocalDateTime::from(l.parse().unwrap()), l);
    }

    #[test]
    fn unparsable_text_is_kept_and_reported() {
        let d = DateTime::from("yesterday");
        assert_eq!(d.as_str(), "yesterday");
        assert!(d.parse().is_err());
        assert!(LocalDateTime::from("2022/03/18").parse().is_err());
    }
}
