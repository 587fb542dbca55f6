//! The one HTTP layer for Entra and Microsoft Graph: how clients are built (user agent,
//! timeouts, rustls with the OS trust store, proxies, no redirects), which URLs may carry a secret, how much of an answer we read,
//! how `Retry-After` is understood and how long we wait, and how transport failures are worded.
//!
//! Nothing here knows OAuth or Graph: callers decide what an answer means.

pub(crate) mod body;
mod client;
mod clock;
mod retry;
mod tls;

pub use body::{BodyError, BodyTooLarge, ENTRA_BODY_LIMIT, GRAPH_BODY_LIMIT, read_capped};
pub use client::{
    client, client_builder, client_with_ca, describe_transport, ensure_secret_url, is_loopback,
    redirect_error, redirect_target,
};
pub use clock::{Clock, SystemClock};
pub use retry::{RetryPolicy, TooLong, parse_retry_after};
pub use tls::{CA_FILE_ENV, certificate_problem};

#[cfg(test)]
pub(crate) use clock::test_clock::{ManualClock, PausedClock};
