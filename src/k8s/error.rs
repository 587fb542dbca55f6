//! Kubernetes API errors as people read them, for every caller (reviews, discovery, bind).

/// A kube error as people read it: an API refusal becomes its message (kube's own text appends
/// a Debug dump of the whole Status), with the next step for the refusals users meet.
pub fn readable(e: kube::Error) -> anyhow::Error {
    match e {
        kube::Error::Api(status) => {
            let message = if status.message.is_empty() {
                format!("HTTP {} {}", status.code, status.reason)
            } else {
                status.message.clone()
            };
            let next = if message.contains("cannot impersonate") {
                "; --as, --as-group and --as-entra-group need the impersonate permission: ask from an admin's context (e.g. a member of the Entra group bound to cluster-admin)"
            } else if status.code == 401 {
                "; the cluster did not accept the credentials: sign in again with `kubectl entra logout` and retry"
            } else {
                ""
            };
            anyhow::anyhow!("{message}{next}")
        }
        other => anyhow::Error::new(other),
    }
}
