//! The sandbox: an Entra-shaped identity provider, a Graph subset and a Kubernetes API stand-in
//! on loopback. It uses `rbac` but never the client side's `entra` or `cache`, so tests compare
//! two sides that do not share the code under test.

pub mod apiserver;
pub mod approve;
pub mod apps;
pub mod control;
pub mod faults;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
pub mod idp;
pub mod info;
pub mod keys;
pub mod kubeconfig;
pub mod options;
pub mod run;
pub mod state;
pub mod stats;
pub mod tenant;
pub mod walkthrough;

pub use info::SandboxInfo;
pub use options::SandboxOptions;
pub use run::{RunningSandbox, run};
