//! `labelSelector` (equality and set-based) and `fieldSelector` (metadata.name,
//! metadata.namespace, and a few per-type fields) on lists and watches.
//! Hand-written because no crate parses Kubernetes selector strings server-side.

use super::status::{ApiError, ApiResult};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Eq(String),
    NotEq(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    NotExists,
}

#[derive(Debug, Clone, Default)]
pub struct Selector {
    reqs: Vec<(String, Op)>,
}

/// Splits on commas outside parentheses.
fn split_top(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn set_values(s: &str) -> Option<Vec<String>> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

impl Selector {
    pub fn parse_labels(s: &str) -> ApiResult<Selector> {
        let mut reqs = Vec::new();
        for part in split_top(s) {
            let bad = || ApiError::bad_request(format!("unable to parse requirement: {part:?}"));
            let req = if let Some(k) = part.strip_prefix('!') {
                (k.trim().to_string(), Op::NotExists)
            } else if let Some((k, v)) = part.split_once("!=") {
                (k.trim().to_string(), Op::NotEq(v.trim().to_string()))
            } else if let Some((k, v)) = part.split_once("==") {
                (k.trim().to_string(), Op::Eq(v.trim().to_string()))
            } else if let Some((k, v)) = part.split_once('=') {
                (k.trim().to_string(), Op::Eq(v.trim().to_string()))
            } else if let Some((k, v)) = part.split_once(" notin ") {
                (
                    k.trim().to_string(),
                    Op::NotIn(set_values(v).ok_or_else(bad)?),
                )
            } else if let Some((k, v)) = part.split_once(" in ") {
                (k.trim().to_string(), Op::In(set_values(v).ok_or_else(bad)?))
            } else if part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            {
                (part.clone(), Op::Exists)
            } else {
                return Err(bad());
            };
            if req.0.is_empty() {
                return Err(bad());
            }
            reqs.push(req);
        }
        Ok(Selector { reqs })
    }

    /// Field selectors allow only `=`, `==` and `!=` on supported fields.
    pub fn parse_fields(s: &str, kind: &str) -> ApiResult<Selector> {
        let sel = Self::parse_labels(s)?;
        for (k, op) in &sel.reqs {
            if !matches!(op, Op::Eq(_) | Op::NotEq(_)) {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: {s:?}; only = and != are supported for fields"
                )));
            }
            // Events (always listed empty here) take involvedObject.* and more.
            let supported = kind == "Event"
                || matches!(k.as_str(), "metadata.name" | "metadata.namespace")
                || (kind == "Pod" && matches!(k.as_str(), "status.phase" | "spec.nodeName"))
                || (kind == "Namespace" && k == "status.phase")
                || (kind == "Secret" && k == "type");
            if !supported {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {k}"
                )));
            }
        }
        Ok(sel)
    }

    fn matches_with(&self, get: impl Fn(&str) -> Option<String>) -> bool {
        self.reqs.iter().all(|(k, op)| {
            let v = get(k);
            match op {
                Op::Eq(want) => v.as_deref() == Some(want.as_str()),
                Op::NotEq(want) => v.as_deref() != Some(want.as_str()),
                Op::In(set) => v.is_some_and(|v| set.contains(&v)),
                Op::NotIn(set) => !v.is_some_and(|v| set.contains(&v)),
                Op::Exists => v.is_some(),
                Op::NotExists => v.is_none(),
            }
        })
    }

    pub fn matches_labels(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        self.matches_with(|k| {
            labels
                .and_then(|l| l.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
    }

    pub fn matches_fields(&self, obj: &Value) -> bool {
        self.matches_with(|k| {
            let pointer = format!("/{}", k.replace('.', "/"));
            Some(
                obj.pointer(&pointer)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels() {
        let o = json!({"metadata":{"name":"a","labels":{"app":"web","tier":"fe"}}});
        let t = |s: &str| {
            Selector::parse_labels(s)
                .map(|x| x.matches_labels(&o))
                .unwrap_or(false)
        };
        assert!(t("app=web"));
        assert!(t("app==web,tier"));
        assert!(!t("app!=web"));
        assert!(t("app in (web, db)"));
        assert!(!t("app notin (web)"));
        assert!(t("!missing"));
        assert!(!t("missing"));
        assert!(Selector::parse_labels("a in b").is_err());
    }

    #[test]
    fn fields() {
        let o = json!({"metadata":{"name":"a","namespace":"dev"}});
        let s = Selector::parse_fields("metadata.name=a,metadata.namespace!=x", "Pod");
        assert!(s.map(|s| s.matches_fields(&o)).unwrap_or(false));
        assert!(Selector::parse_fields("spec.foo=a", "Pod").is_err());
    }
}
