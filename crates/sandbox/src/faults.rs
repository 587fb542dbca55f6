//! Fault injection behind `POST /_sandbox/faults`: the next N calls of one endpoint fail with a
//! status, an Entra OAuth error, malformed JSON, or arrive late.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultEndpoint {
    Token,
    Devicecode,
    Keys,
    Discovery,
    Graph,
    /// The Kubernetes API stand-in (any request): a delay, or a status with a Status body.
    Api,
    /// Only the device-code polls of the token endpoint: a tenant whose Conditional Access
    /// blocks device code (`{"endpoint":"devicepoll","error":"invalid_grant","aadsts":53003,"count":1000}`).
    Devicepoll,
    /// The managed identity endpoints (IMDS and App Service shapes).
    Imds,
}

/// One queued fault, exactly as posted (`{"endpoint":"token","count":2,"status":503}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub endpoint: FaultEndpoint,
    /// How many calls it affects (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// HTTP status (default 400 for an OAuth error, 200 for `malformed`).
    #[serde(default)]
    pub status: Option<u16>,
    /// OAuth `error`, e.g. `invalid_grant`, `slow_down`, `interaction_required`.
    #[serde(default)]
    pub error: Option<String>,
    /// AADSTS number put in `error_codes` and the description.
    #[serde(default)]
    pub aadsts: Option<u32>,
    #[serde(default)]
    pub suberror: Option<String>,
    /// A `claims` challenge string for the error body.
    #[serde(default)]
    pub claims: Option<String>,
    /// Answer 200 with truncated JSON.
    #[serde(default)]
    pub malformed: bool,
    /// Sleep before answering (normally, or with the fault).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Adds `Retry-After: N` to the fault's answer.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// True when the fault changes the answer, not only its timing.
    pub fn alters_response(&self) -> bool {
        self.malformed || self.error.is_some() || self.status.is_some()
    }
}

#[derive(Debug, Default)]
pub struct Faults {
    queue: Mutex<Vec<Fault>>,
}

impl Faults {
    pub fn add(&self, fault: Fault) {
        if fault.count > 0 {
            self.lock().push(fault);
        }
    }

    /// Takes one use of the first fault queued for `endpoint`.
    pub fn take(&self, endpoint: FaultEndpoint) -> Option<Fault> {
        let mut queue = self.lock();
        let index = queue.iter().position(|f| f.endpoint == endpoint)?;
        let fault = queue[index].clone();
        queue[index].count -= 1;
        if queue[index].count == 0 {
            queue.remove(index);
        }
        Some(fault)
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn pending(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_used_up_in_order() {
        let faults = Faults::default();
        let f: Fault =
            serde_json::from_str(r#"{"endpoint":"token","count":2,"status":503}"#).expect("json");
        faults.add(f);
        faults.add(
            serde_json::from_str(r#"{"endpoint":"token","error":"invalid_grant","aadsts":70043}"#)
                .expect("json"),
        );
        assert!(faults.take(FaultEndpoint::Devicecode).is_none());
        assert_eq!(
            faults.take(FaultEndpoint::Token).map(|f| f.status),
            Some(Some(503))
        );
        assert_eq!(
            faults.take(FaultEndpoint::Token).map(|f| f.status),
            Some(Some(503))
        );
        let third = faults.take(FaultEndpoint::Token).expect("third");
        assert_eq!(third.aadsts, Some(70043));
        assert!(faults.take(FaultEndpoint::Token).is_none());
    }

    #[test]
    fn unknown_endpoint_is_rejected() {
        assert!(serde_json::from_str::<Fault>(r#"{"endpoint":"nope"}"#).is_err());
    }
}
