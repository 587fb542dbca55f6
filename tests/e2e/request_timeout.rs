//! kubectl's `--request-timeout`: a slow API server (a sandbox fault that delays) is an error
//! after the limit, not a hang; 0 waits.

use crate::support::can_i::{Sandbox, text};
use std::time::{Duration, Instant};

#[test]
fn a_delayed_api_server_times_out_with_request_timeout() {
    let sb = Sandbox::start("aksadmin@contoso.com", &[]);
    sb.post_fault(serde_json::json!({"endpoint": "api", "delay_ms": 20000, "count": 1}));
    let started = Instant::now();
    let out = sb.entra_admin(&["whoami", "--no-graph", "--request-timeout", "1s"]);
    let took = started.elapsed();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error:"), "{err}");
    assert!(
        err.contains("--request-timeout 1s"),
        "says which limit: {err}"
    );
    // Far below the 20 s the server waits: the limit, not the fault, ended it.
    assert!(took < Duration::from_secs(15), "{took:?}");

    // A delay below the limit (and 0 = no limit) answers.
    sb.post_fault(serde_json::json!({"endpoint": "api", "delay_ms": 300, "count": 1}));
    let out = sb.entra_admin(&["whoami", "--no-graph", "--request-timeout", "0"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
