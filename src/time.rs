//! Instants in time: RFC 3339 parsing and formatting, and the RFC 1123Z rendering notation uses in
//! its messages.
//!
//! The core never reads a clock (sans-IO): every "now" is an [`Instant`] passed in by the caller.
//! signature-envelope-jws.md §Protected Headers: header times are RFC 3339; fractional seconds and
//! any UTC offset are accepted on verification, signers emit whole seconds in UTC.

use core::fmt;

use crate::error::ErrorCode;

/// A point in time, UTC, with nanosecond precision. Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    secs: i64,
    nanos: u32,
}

/// Why a time string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeError {
    /// The text is not an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`).
    Syntax(String),
    /// A field is out of range (month 13, day 31 in April, hour 24, ...).
    Range(String),
}

impl TimeError {
    /// Stable error code.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::Parse
    }
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeError::Syntax(s) => write!(f, "invalid RFC 3339 time {s:?}"),
            TimeError::Range(s) => write!(f, "RFC 3339 time out of range {s:?}"),
        }
    }
}

impl std::error::Error for TimeError {}

const DAYS_IN_MONTH: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Instant {
    /// The Unix epoch.
    pub const UNIX_EPOCH: Instant = Instant { secs: 0, nanos: 0 };

    /// An instant from whole seconds since the Unix epoch.
    pub const fn from_unix_seconds(secs: i64) -> Self {
        Instant { secs, nanos: 0 }
    }

    /// An instant from milliseconds since the Unix epoch (what JavaScript's `Date.now()` gives).
    pub fn from_unix_millis(ms: i64) -> Self {
        Instant {
            secs: ms.div_euclid(1000),
            nanos: (ms.rem_euclid(1000) as u32) * 1_000_000,
        }
    }

    /// Whole seconds since the Unix epoch (rounded towards the past).
    pub const fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Milliseconds since the Unix epoch (rounded towards the past).
    pub fn unix_millis(&self) -> i64 {
        self.secs
            .saturating_mul(1000)
            .saturating_add(i64::from(self.nanos / 1_000_000))
    }

    /// Sub-second part in nanoseconds.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// This instant moved by a signed number of seconds (saturating).
    pub fn add_seconds(&self, delta: i64) -> Self {
        Instant {
            secs: self.secs.saturating_add(delta),
            nanos: self.nanos,
        }
    }

    /// An instant from a UTC calendar date and time; `None` when a field is out of range.
    pub fn from_utc(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Self> {
        if !(1..=12).contains(&mo) || d == 0 || h > 23 || mi > 59 || s > 60 {
            return None;
        }
        let mut dim = DAYS_IN_MONTH[(mo - 1) as usize];
        if mo == 2 && is_leap(y) {
            dim = 29;
        }
        if d > dim {
            return None;
        }
        // A leap second (:60) is folded into the next second, as Go's time package does.
        let days = days_from_civil(y, mo, d);
        let secs = days
            .checked_mul(86_400)?
            .checked_add(i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s))?;
        Some(Instant { secs, nanos: 0 })
    }

    /// Parses an RFC 3339 date-time (`2024-01-02T03:04:05Z`, `...05.123+08:00`).
    ///
    /// signature-envelope-jws.md §Protected Headers: verification accepts fractional seconds and
    /// any offset.
    pub fn parse_rfc3339(text: &str) -> Result<Self, TimeError> {
        let syntax = || TimeError::Syntax(text.to_string());
        let range = || TimeError::Range(text.to_string());
        let b = text.as_bytes();
        if b.len() < 20 || !b.is_ascii() {
            return Err(syntax());
        }
        let num = |r: core::ops::Range<usize>| -> Result<u32, TimeError> {
            let s = &b[r];
            if !s.iter().all(u8::is_ascii_digit) {
                return Err(syntax());
            }
            Ok(s.iter().fold(0u32, |a, c| a * 10 + u32::from(c - b'0')))
        };
        if b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(syntax());
        }
        let (y, mo, d, h, mi, s) = (
            num(0..4)?,
            num(5..7)?,
            num(8..10)?,
            num(11..13)?,
            num(14..16)?,
            num(17..19)?,
        );
        let mut i = 19;
        let mut nanos = 0u32;
        if b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let digits = i - start;
            if digits == 0 {
                return Err(syntax());
            }
            for _ in digits..9 {
                nanos *= 10;
            }
        }
        let offset: i64 = match b.get(i) {
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
                let oh = num(i + 1..i + 3)?;
                let om = num(i + 4..i + 6)?;
                if oh > 23 || om > 59 {
                    return Err(range());
                }
                let o = i64::from(oh * 3600 + om * 60);
                if *sign == b'-' {
                    -o
                } else {
                    o
                }
            }
            _ => return Err(syntax()),
        };
        if s > 59 && s != 60 {
            return Err(range());
        }
        let base = Instant::from_utc(i64::from(y), mo, d, h, mi, s).ok_or_else(range)?;
        Ok(Instant {
            secs: base.secs - offset,
            nanos,
        })
    }

    /// The UTC calendar fields `(year, month, day, hour, minute, second)`.
    pub fn to_utc(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (
            y,
            m,
            d,
            (rem / 3600) as u32,
            ((rem % 3600) / 60) as u32,
            (rem % 60) as u32,
        )
    }

    /// RFC 3339 in UTC (`2024-01-02T03:04:05Z`); notation writes signing times in whole seconds
    /// (signature-envelope-jws.md §Protected Headers).
    /// A non-zero sub-second part is kept (trailing zeros trimmed, as Go's RFC3339Nano), so a
    /// time read from an envelope is shown as signed; signers truncate first.
    pub fn to_rfc3339(&self) -> String {
        let (y, mo, d, h, mi, s) = self.to_utc();
        let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }

    /// RFC 1123 with numeric zone (`Fri, 29 Jul 2022 23:59:00 +0000`), the form notation uses in
    /// its expiry message.
    pub fn to_rfc1123z(&self) -> String {
        const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MO: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let (y, mo, d, h, mi, s) = self.to_utc();
        let wd = WD[self.secs.div_euclid(86_400).rem_euclid(7) as usize];
        format!(
            "{wd}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02} +0000",
            MO[(mo - 1) as usize]
        )
    }

    /// This instant truncated to whole seconds.
    pub fn truncate_to_seconds(&self) -> Self {
        Instant {
            secs: self.secs,
            nanos: 0,
        }
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_fractions() {
        let z = Instant::parse_rfc3339("2022-07-29T23:59:00Z").unwrap();
        let plus = Instant::parse_rfc3339("2022-07-30T07:59:00+08:00").unwrap();
        let minus = Instant::parse_rfc3339("2022-07-29T16:59:00.5-07:00").unwrap();
        assert_eq!(z, plus);
        assert_eq!(minus.unix_seconds(), z.unix_seconds());
        assert_eq!(minus.subsec_nanos(), 500_000_000);
        assert!(minus > z);
        assert_eq!(z.to_rfc1123z(), "Fri, 29 Jul 2022 23:59:00 +0000");
        assert_eq!(z.to_rfc3339(), "2022-07-29T23:59:00Z");
        assert_eq!(minus.to_rfc3339(), "2022-07-29T23:59:00.5Z");
    }

    #[test]
    fn rejects_bad_text() {
        for bad in [
            "2022-07-29 23:59:00Z",
            "2022-13-01T00:00:00Z",
            "2022-02-30T00:00:00Z",
            "2022-07-29T23:59:00",
            "2022-07-29T23:59:00.Z",
            "2022-07-29T23:59:00+0800",
            "20220729T235900Z",
            "",
        ] {
            assert!(Instant::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips_calendar() {
        for secs in [0i64, 951_782_400, 4_102_444_800, -86_400, 4_765_132_800] {
            let t = Instant::from_unix_seconds(secs);
            assert_eq!(Instant::parse_rfc3339(&t.to_rfc3339()).unwrap(), t);
        }
        assert_eq!(Instant::from_unix_millis(-1).unix_seconds(), -1);
    }
}
