//! Kubernetes operations: a client from kubeconfig + context, bind manifests, access reviews.
//! (Named `k8s` rather than `kube` so that it never shadows the `kube` crate.)

pub mod bind;
pub mod client;
pub mod discovery;
pub mod error;
#[cfg(test)]
pub(crate) mod mock_api;
pub mod review;
