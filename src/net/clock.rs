//! The clock the token path reads and sleeps on, passed in so that refresh windows, expiry
//! edges and `Retry-After` waits are tested on tokio's paused time instead of real waits.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub trait Clock: Send + Sync {
    /// Now, in unix seconds.
    fn now(&self) -> i64;
    /// Waits `d` (on tokio's timer in production, on paused time in tests).
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
}

/// The system's wall clock and tokio's timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        jiff::Timestamp::now().as_second()
    }

    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(d))
    }
}

#[cfg(test)]
pub(crate) mod test_clock {
    use super::*;

    /// Wall time that moves with tokio's (paused) clock: `base` plus the tokio time elapsed
    /// since creation. Under `#[tokio::test(start_paused = true)]` a sleep advances it at once.
    #[derive(Debug, Clone)]
    pub(crate) struct PausedClock {
        base: i64,
        start: tokio::time::Instant,
    }

    impl PausedClock {
        pub(crate) fn at(base: i64) -> PausedClock {
            PausedClock {
                base,
                start: tokio::time::Instant::now(),
            }
        }
    }

    impl Clock for PausedClock {
        fn now(&self) -> i64 {
            self.base + self.start.elapsed().as_secs() as i64
        }

        fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
            Box::pin(tokio::time::sleep(d))
        }
    }

    /// A clock that only moves when slept on: each sleep adds to `now` and returns at once, and
    /// is recorded. For code that also does real I/O, where paused tokio time would fire the
    /// I/O timeouts while a loopback answer is on its way.
    #[derive(Debug, Default)]
    pub(crate) struct ManualClock {
        now: std::sync::atomic::AtomicI64,
        slept: std::sync::Mutex<Vec<Duration>>,
    }

    impl ManualClock {
        pub(crate) fn at(now: i64) -> ManualClock {
            ManualClock {
                now: now.into(),
                slept: Default::default(),
            }
        }

        pub(crate) fn slept(&self) -> Vec<Duration> {
            self.slept.lock().map(|s| s.clone()).unwrap_or_default()
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> i64 {
            self.now.load(std::sync::atomic::Ordering::SeqCst)
        }

        fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
            self.now
                .fetch_add(d.as_secs() as i64, std::sync::atomic::Ordering::SeqCst);
            if let Ok(mut s) = self.slept.lock() {
                s.push(d);
            }
            Box::pin(std::future::ready(()))
        }
    }
}
