//! Times as the API writes them, with a typed view. Each type keeps the wire value exactly
//! (so decoding and re-encoding never changes what was sent) and converts to and from the
//! `time` crate's types.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::error::{Parse, ParseFromDescription};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

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
        parse_fixed(&self.0, b' ', "")
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
        Self(format_fixed(t, ' ', ""))
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

// The fixed `YYYY-MM-DD?hh:mm:ss` forms, read and written by hand: the `time` crate's
// format-description parser and formatter are generic and inlined, and instantiating
// them cost about a fifth of this crate's code before any area is compiled. These give
// what `[year]-[month]-[day]?[hour]:[minute]:[second]` gives (the tests compare).

/// `t` as `YYYY-MM-DD{sep}hh:mm:ss{tail}`; a year before 1 is written `-YYYY`.
pub(crate) fn format_fixed(t: PrimitiveDateTime, sep: char, tail: &str) -> String {
    let mut out = String::with_capacity(20 + tail.len());
    push_year(&mut out, t.year());
    for (c, n) in [
        ('-', u8::from(t.month())),
        ('-', t.day()),
        (sep, t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(c);
        push2(&mut out, n);
    }
    out.push_str(tail);
    out
}

/// `[year]`: at least four digits, zero-padded, `-` before negative years.
pub(crate) fn push_year(out: &mut String, year: i32) {
    if year < 0 {
        out.push('-');
    }
    let y = year.unsigned_abs();
    for d in [1000, 100, 10] {
        if y < d {
            out.push('0');
        }
    }
    out.push_str(&y.to_string());
}

/// Two digits, zero-padded.
pub(crate) fn push2(out: &mut String, n: u8) {
    out.push(char::from(b'0' + n / 10 % 10));
    out.push(char::from(b'0' + n % 10));
}

/// Reads `[+-]YYYY-MM-DD{sep}hh:mm:ss{tail}` exactly, as `time`'s parser reads
/// `[year]-[month]-[day]{sep}[hour]:[minute]:[second]{tail}`.
pub(crate) fn parse_fixed(text: &str, sep: u8, tail: &str) -> Result<PrimitiveDateTime, Parse> {
    fn invalid(name: &'static str) -> Parse {
        Parse::ParseFromDescription(ParseFromDescription::InvalidComponent(name))
    }
    fn number(rest: &mut &[u8], width: usize, name: &'static str) -> Result<u8, Parse> {
        let digits = rest.get(..width).ok_or_else(|| invalid(name))?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(invalid(name));
        }
        *rest = &rest[width..];
        Ok(digits.iter().fold(0, |n, d| n * 10 + (d - b'0')))
    }
    let mut rest = text.as_bytes();
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = &rest[1..];
    }
    let century = number(&mut rest, 2, "year")?;
    let year = i32::from(century) * 100 + i32::from(number(&mut rest, 2, "year")?);
    let year = if negative { -year } else { year };
    let mut values = [0u8; 5];
    for (value, (before, name)) in values.iter_mut().zip([
        (b'-', "month"),
        (b'-', "day"),
        (sep, "hour"),
        (b':', "minute"),
        (b':', "second"),
    ]) {
        // A missing separator: the component after it cannot be read (`time` names the
        // literal instead; both are parse errors).
        rest = rest.strip_prefix(&[before]).ok_or_else(|| invalid(name))?;
        *value = number(&mut rest, 2, name)?;
    }
    if rest != tail.as_bytes() {
        return Err(invalid("second"));
    }
    let [month, day, hour, minute, second] = values;
    let range = |e| Parse::TryFromParsed(time::error::TryFromParsed::ComponentRange(e));
    let month = Month::try_from(month).map_err(range)?;
    let date = Date::from_calendar_date(year, month, day).map_err(range)?;
    let time = Time::from_hms(hour, minute, second).map_err(range)?;
    Ok(PrimitiveDateTime::new(date, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written forms agree with `time`'s format descriptions.
    #[test]
    fn fixed_forms_match_the_time_crate() {
        use time::macros::format_description;
        let local = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        let utc = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        let mut secs: i64 = -377_705_116_800; // -9999-01-01
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        while secs < 253_402_300_800 {
            let t = OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let p = PrimitiveDateTime::new(t.date(), t.time());
            let text = format_fixed(p, ' ', "");
            assert_eq!(text, p.format(local).unwrap());
            assert_eq!(parse_fixed(&text, b' ', "").unwrap(), p);
            let text = format_fixed(p, 'T', "Z");
            assert_eq!(text, p.format(utc).unwrap());
            assert_eq!(parse_fixed(&text, b'T', "Z").unwrap(), p);
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            secs += (state % 20_000_000_000) as i64;
        }
        for bad in [
            "2022/03/18 14:24:54",
            "2022-03-18 14:24:54 ",
            "2022-03-18 14:24",
            "2022-13-18 14:24:54",
            "2022-02-30 14:24:54",
            "2022-03-18 24:24:54",
            "22-03-18 14:24:54",
            "2022-3-18 14:24:54",
            "",
        ] {
            assert!(parse_fixed(bad, b' ', "").is_err(), "{bad}");
            assert!(PrimitiveDateTime::parse(bad, local).is_err(), "{bad}");
        }
        for good in [
            "+2022-03-18 14:24:54",
            "-0001-03-18 14:24:54",
            "0000-01-01 00:00:00",
        ] {
            assert_eq!(
                parse_fixed(good, b' ', "").unwrap(),
                PrimitiveDateTime::parse(good, local).unwrap(),
                "{good}"
            );
        }
    }

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
