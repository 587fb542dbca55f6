//! Graph's retry knobs. The retry rules and the `Retry-After` parser are `crate::net`'s, shared
//! with Entra; Graph retries 429/503/504, backs off when the server does not say how long, and
//! caps a long `Retry-After` at `max_wait` instead of giving up (a lookup retry is cheap).

use std::time::Duration;

pub use crate::net::parse_retry_after;

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
        let net = crate::net::RetryPolicy::default();
        RetryPolicy {
            max_attempts: net.max_attempts,
            max_wait: net.max_wait,
        }
    }
}

impl From<&RetryPolicy> for crate::net::RetryPolicy {
    fn from(p: &RetryPolicy) -> Self {
        crate::net::RetryPolicy {
            max_attempts: p.max_attempts,
            max_wait: p.max_wait,
            ..crate::net::RetryPolicy::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_knobs_map_onto_the_shared_rules() {
        let p = crate::net::RetryPolicy::from(&RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_millis(20),
        });
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(1))),
            Some(Duration::from_millis(20))
        );
        assert_eq!(p.wait(1, None), Some(Duration::from_millis(20)));
        assert_eq!(p.wait(3, None), None);
    }
}
