//! `Retry-After` (RFC 9110 §10.2.3): a number of seconds, or an HTTP-date to wait until. The date comes in
//! the IMF-fixdate form servers must send (`Sun, 06 Nov 1994 08:49:37 GMT`) or one of the two obsolete forms
//! recipients must still accept (RFC 850's `Sunday, 06-Nov-94 08:49:37 GMT`, asctime's
//! `Sun Nov  6 08:49:37 1994`).

use std::time::Duration;

/// How long to wait before asking again, as the answer's `Retry-After` says. A date is measured against the
/// answer's own `Date` where it has one, so that a server whose clock is off from this machine's is waited
/// for as long as it means; else against this machine's clock.
pub fn wait(retry_after: &str, date: Option<&str>) -> Option<Duration> {
    let now = date.and_then(http_date).unwrap_or_else(super::unix_now);
    parse(retry_after, now)
}

/// How long the server asks to be left alone, seen at `now` (seconds since the Unix epoch). A date in the
/// past means now; a value that is neither form is `None` (the usual backoff applies).
fn parse(value: &str, now: u64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = http_date(value)?;
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// An HTTP-date as seconds since the Unix epoch. `httpdate` reads the three forms RFC 9110 names, and only
/// them: a date whose weekday does not match it, or a time past 23:59:59, is not one.
fn http_date(value: &str) -> Option<u64> {
    let at = httpdate::parse_http_date(value).ok()?;
    at.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1994-11-06 08:49:37 UTC, the example date of RFC 9110.
    const EXAMPLE: u64 = 784_111_777;

    #[test]
    fn all_three_date_forms_name_the_same_instant() {
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(http_date(form), Some(EXAMPLE), "{form}");
        }
        assert_eq!(http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
        assert_eq!(
            http_date("Mon, 23 Nov 2026 00:00:00 GMT"),
            Some(20_780 * 86_400)
        );
    }

    #[test]
    fn seconds_or_the_time_left_until_the_date() {
        assert_eq!(parse(" 120 ", 0), Some(Duration::from_secs(120)));
        assert_eq!(
            parse("Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE - 5),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse("Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE + 5),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
    }

    #[test]
    fn a_date_is_measured_against_the_answers_own_date() {
        let server_now = "Sun, 06 Nov 1994 08:49:32 GMT";
        assert_eq!(
            wait("Sun, 06 Nov 1994 08:49:37 GMT", Some(server_now)),
            Some(Duration::from_secs(5))
        );
        // Without a usable `Date`, this machine's clock: a date of 1994 is long past.
        for date in [None, Some("yesterday")] {
            assert_eq!(
                wait("Sun, 06 Nov 1994 08:49:37 GMT", date),
                Some(Duration::ZERO)
            );
        }
        assert_eq!(wait("7", Some(server_now)), Some(Duration::from_secs(7)));
    }

    #[test]
    fn anything_else_is_no_answer() {
        for value in [
            "",
            "-5",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov  6 08:49:37:00 1994",
            // A weekday that is not the date's.
            "Mon, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse(value, EXAMPLE), None, "{value:?}");
        }
    }
}
