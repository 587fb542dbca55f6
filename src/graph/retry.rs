//! Retrying throttled (429) and unavailable (503/504) Graph calls, honouring `Retry-After`.

use std::time::Duration;

/// How often and how long to wait. Tests shorten `max_wait` so that no test sleeps long.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// Upper bound of one wait, whatever `Retry-After` asks for.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (1-based `attempt`): `Retry-After` when given,
    /// else 1 s, 2 s, 4 s ..., never above `max_wait`.
    pub fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let fallback = Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5));
        retry_after.unwrap_or(fallback).min(self.max_wait)
    }
}

/// `Retry-After`: delay-seconds, or an HTTP-date (RFC 9110 IMF-fixdate, which RFC 2822 parsing
/// accepts). A date in the past is no wait; garbage is None.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let secs = at.as_second() - now.as_second();
    Some(Duration::from_secs(secs.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds_and_dates() {
        let now: jiff::Timestamp = "2025-01-01T12:00:00Z".parse().unwrap();
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
    }

    #[test]
    fn waits_are_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(120))),
            Duration::from_secs(30)
        );
        assert_eq!(p.wait(1, None), Duration::from_secs(1));
        assert_eq!(p.wait(2, None), Duration::from_secs(2));
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
    }
}
