//! When to repeat a call that the server refused for now (429, 5xx), and for how long to wait.
//! One `Retry-After` parser for Entra and Graph (delta-seconds or an HTTP-date).

use std::time::Duration;

/// What to do when `Retry-After` asks for more than `max_wait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLong {
    /// Give up at once: kubectl is waiting for a credential, and a long pause is better said.
    Refuse,
    /// Wait `max_wait` and try again (Graph lookups, where a retry is cheap).
    WaitMax,
}

/// How often and how long to wait.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// The longest single wait.
    pub max_wait: Duration,
    /// A busy answer without `Retry-After` is retried after 1 s, 2 s, 4 s ... when true.
    pub backoff_without_header: bool,
    pub too_long: TooLong,
}

impl Default for RetryPolicy {
    /// Graph's: 3 attempts, waits up to 30 s, backoff when the server does not say.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_secs(30),
            backoff_without_header: true,
            too_long: TooLong::WaitMax,
        }
    }
}

impl RetryPolicy {
    /// Entra's: repeat only when the authority says when (`Retry-After`, as MSAL honours it), at
    /// most twice, and only for waits up to 30 s.
    pub fn entra() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_secs(30),
            backoff_without_header: false,
            too_long: TooLong::Refuse,
        }
    }

    /// The wait before attempt `attempt + 1` (1-based `attempt`), or None to stop retrying.
    pub fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        match retry_after {
            Some(d) if d <= self.max_wait => Some(d),
            Some(_) => match self.too_long {
                TooLong::Refuse => None,
                TooLong::WaitMax => Some(self.max_wait),
            },
            None if self.backoff_without_header => {
                let backoff = Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5));
                Some(backoff.min(self.max_wait))
            }
            None => None,
        }
    }
}

/// `Retry-After`: delay-seconds, or an HTTP-date (RFC 9110 IMF-fixdate, which RFC 2822 parsing
/// accepts) compared with `now` (unix seconds). A date in the past is no wait; garbage is None.
pub fn parse_retry_after(value: &str, now: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let secs = at.as_second().saturating_sub(now);
    Some(Duration::from_secs(secs.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds_and_dates() {
        let now = "2025-01-01T12:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 01 Jan 2025 12:00:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
    }

    #[test]
    fn graph_waits_are_capped_and_back_off() {
        let p = RetryPolicy::default();
        let s = Duration::from_secs;
        assert_eq!(p.wait(1, Some(s(120))), Some(s(30)));
        assert_eq!(p.wait(1, None), Some(s(1)));
        assert_eq!(p.wait(2, None), Some(s(2)));
        assert_eq!(p.wait(1, Some(s(3))), Some(s(3)));
        assert_eq!(p.wait(3, Some(s(3))), None, "three attempts in all");
    }

    #[test]
    fn entra_honours_retry_after_within_bounds_and_refuses_beyond() {
        let p = RetryPolicy::entra();
        let s = Duration::from_secs;
        assert_eq!(p.wait(1, Some(s(30))), Some(s(30)));
        assert_eq!(p.wait(1, Some(s(31))), None);
        assert_eq!(p.wait(1, None), None, "no header, no retry");
        assert_eq!(p.wait(2, Some(s(1))), Some(s(1)));
        assert_eq!(p.wait(3, Some(s(1))), None);
    }
}
