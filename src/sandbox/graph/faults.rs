//! Failures a test asks the Graph subset to return next (403, 429 with Retry-After, 503 ...).

use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphFault {
    pub status: u16,
    /// Graph `error.code`, e.g. `Authorization_RequestDenied` or `TooManyRequests`.
    pub code: String,
    /// `Retry-After` seconds.
    pub retry_after: Option<u64>,
}

/// A queue: each Graph request (after token verification) takes the first fault, if any.
#[derive(Debug, Default)]
pub struct GraphFaults {
    queue: Mutex<VecDeque<GraphFault>>,
}

impl GraphFaults {
    pub fn push(&self, status: u16, code: &str, retry_after: Option<u64>) {
        self.lock().push_back(GraphFault {
            status,
            code: code.to_string(),
            retry_after,
        });
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(super) fn take(&self) -> Option<GraphFault> {
        self.lock().pop_front()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<GraphFault>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl GraphFault {
    pub(super) fn into_response(self) -> Response {
        let status = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let message = match self.code.as_str() {
            "Authorization_RequestDenied" => "Insufficient privileges to complete the operation.",
            "TooManyRequests" => "Too many requests.",
            _ => "Injected sandbox fault.",
        };
        let mut resp = super::handlers::graph_error(status, &self.code, message).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = http::HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(http::header::RETRY_AFTER, v);
        }
        resp
    }
}
