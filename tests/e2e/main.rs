//! The one integration test binary: every end-to-end test drives the built `kubectl-entra`
//! (and `kubectl-entra-sandbox`, the real `kubectl`) on loopback. One binary links once.

mod support;

mod apiserver_api;
mod apiserver_authn;
mod apiserver_bind_noop;
mod apiserver_impersonation;
mod apiserver_kubectl;
mod apiserver_kubectl_audit;
mod apiserver_kubectl_create;
mod apiserver_ssa;
mod audit_sandbox;
mod bind_apply;
mod bind_cli;
mod bind_graph;
mod bind_sandbox;
mod bindings_output;
mod can_i_cli;
mod can_i_impersonation;
mod can_i_json_why;
mod can_i_kubectl_parity;
mod can_i_sandbox;
mod cli_exit_codes;
mod closed_streams;
mod completion_drift;
#[cfg(unix)] // the sh helper kubectl_complete-entra
mod completion_groups;
#[cfg(unix)] // the sh helper kubectl_complete-entra
mod completion_plugin;
#[cfg(unix)] // bash and the sh helper kubectl_complete-entra
mod completion_shells;
mod convert_kubeconfig;
mod corporate_network;
mod credential_resource;
#[cfg(unix)]
mod get_token_cache_trust;
mod get_token_concurrency;
mod get_token_errors;
mod get_token_flow;
mod get_token_kubectl;
mod get_token_security;
mod interactive_browser;
#[cfg(unix)] // a bash script plays az
mod login_azure_cli;
mod login_azure_pipelines;
mod login_context;
mod login_msi;
mod login_msi_arc;
mod login_spn;
mod login_workload_identity;
mod matrix_namespaces;
mod overage_sandbox;
mod packaging_manifest;
mod packaging_readme;
mod packaging_release;
mod request_timeout;
mod sandbox_approve_choice;
mod sandbox_command;
mod sandbox_emulator;
mod sandbox_faults;
mod sandbox_inprocess;
#[cfg(target_os = "linux")]
mod secret_service_cache;
mod unbind_conventions;
mod verbosity;
mod walkthrough;
mod who_can_sandbox;
mod who_can_user;
mod whoami_sandbox;
