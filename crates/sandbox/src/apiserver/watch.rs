//! `?watch=true`: the current objects as ADDED events (unless a resourceVersion is given),
//! then every later change, as newline-delimited JSON until `timeoutSeconds`.

use super::resources::ResourceDef;
use super::selectors::Selector;
use super::table;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::broadcast;

/// One change, sent to every open watch.
#[derive(Clone, Debug)]
pub struct Event {
    pub kind: &'static str,
    pub key: String,
    pub object: Value,
}

pub struct Filter {
    pub res: &'static ResourceDef,
    pub namespace: Option<String>,
    pub labels: Selector,
    pub fields: Selector,
    pub as_table: Option<String>,
}

impl Filter {
    fn matches(&self, ev: &Event) -> bool {
        ev.key == self.res.key()
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| super::store::meta_str(&ev.object, "namespace") == ns)
            && self.labels.matches_labels(&ev.object)
            && self.fields.matches_fields(&ev.object)
    }

    fn line(&self, kind: &str, obj: &Value) -> Bytes {
        let object = match &self.as_table {
            Some(include) => {
                let rv = super::store::meta_str(obj, "resourceVersion");
                table::table(self.res, std::slice::from_ref(obj), rv, include)
            }
            None => obj.clone(),
        };
        let mut line =
            serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
        line.push(b'\n');
        Bytes::from(line)
    }
}

pub fn stream(
    filter: Filter,
    initial: Vec<Value>,
    rx: broadcast::Receiver<Event>,
    timeout: std::time::Duration,
) -> Response {
    let filter = Arc::new(filter);
    let queue: VecDeque<Bytes> = initial.iter().map(|o| filter.line("ADDED", o)).collect();
    let deadline = tokio::time::Instant::now() + timeout;
    let s = futures_util::stream::unfold(
        (queue, rx, filter),
        move |(mut queue, mut rx, filter)| async move {
            if let Some(b) = queue.pop_front() {
                return Some((Ok::<_, std::convert::Infallible>(b), (queue, rx, filter)));
            }
            loop {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Ok(ev)) if filter.matches(&ev) => {
                        let b = filter.line(ev.kind, &ev.object);
                        return Some((Ok(b), (queue, rx, filter)));
                    }
                    Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                    _ => return None,
                }
            }
        },
    );
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(s),
    )
        .into_response()
}
