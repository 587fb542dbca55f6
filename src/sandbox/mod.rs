//! The sandbox: an Entra-shaped identity provider, a Graph subset and a Kubernetes API stand-in
//! on loopback. It uses `rbac` but never the client side's `entra` or `cache`, so tests compare
//! two sides that do not share the code under test.

pub mod apiserver;
pub mod graph;
pub mod stats;
pub mod tenant;
