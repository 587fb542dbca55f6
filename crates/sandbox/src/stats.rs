//! Request counters behind `GET /_sandbox/stats`, so tests can bound how many calls a command makes.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Counts by category (`devicecode`, `token`, `graph`, `api`) and key (a grant type, a path,
/// `verb resource`).
#[derive(Debug, Default)]
pub struct Stats {
    counts: Mutex<BTreeMap<String, BTreeMap<String, u64>>>,
}

impl Stats {
    pub fn incr(&self, category: &str, key: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts
            .entry(category.to_string())
            .or_default()
            .entry(key.to_string())
            .or_default() += 1;
    }

    pub fn get(&self, category: &str, key: &str) -> u64 {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts
            .get(category)
            .and_then(|c| c.get(key))
            .copied()
            .unwrap_or(0)
    }

    /// `{"category": {"key": n, ...}, "category_total": n, ...}`
    pub fn snapshot(&self) -> serde_json::Value {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = serde_json::Map::new();
        for (category, keys) in counts.iter() {
            let total: u64 = keys.values().sum();
            out.insert(category.clone(), serde_json::json!(keys));
            out.insert(format!("{category}_total"), serde_json::json!(total));
        }
        serde_json::Value::Object(out)
    }

    pub fn reset(&self) {
        self.counts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_totals() {
        let s = Stats::default();
        s.incr("token", "refresh_token");
        s.incr("token", "refresh_token");
        s.incr("token", "device_code");
        assert_eq!(s.get("token", "refresh_token"), 2);
        let snap = s.snapshot();
        assert_eq!(snap["token_total"], 3);
        assert_eq!(snap["token"]["device_code"], 1);
        s.reset();
        assert_eq!(s.get("token", "device_code"), 0);
    }
}
