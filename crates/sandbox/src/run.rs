//! Starting a sandbox: state dir, signing key, the emulator (IdP + Graph subset + test
//! endpoints), the Kubernetes API stand-in, the kubeconfigs and the port file.

use super::apiserver::{self, ApiServerConfig};
use super::faults::{FaultEndpoint, Faults};
use super::files::{ensure_private_dir, write_private};
use super::graph::{self, GraphState};
use super::idp::directory::{AKS_CLIENT_ID, AKS_SERVER_ID};
use super::idp::inject::fault_response;
use super::idp::issue::opaque;
use super::info::{SandboxInfo, last_sandbox_pointer};
use super::keys::SigningKeys;
use super::options::SandboxOptions;
use super::state::{IdpConfig, IdpState, Shared};
use super::stats::Stats;
use super::tenant::Tenant;
use super::{apps, control, idp, kubeconfig, walkthrough};
use anyhow::Context;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A started sandbox. Dropping it stops nothing; call `shutdown`.
pub struct RunningSandbox {
    pub info: SandboxInfo,
    /// The port file written (`--port-file`, else `<state-dir>/sandbox.json`).
    pub port_file: PathBuf,
    /// Why the API stand-in is not running, when it is not.
    pub api_error: Option<String>,
    /// The walkthrough manifests written under the state dir.
    pub manifests: Vec<PathBuf>,
    pub state: Shared,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// Stops accepting connections, lets in-flight requests finish, and waits for the server.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.server)
            .await
            .context("the sandbox server task failed")?
            .context("the sandbox server stopped with an error")?;
        Ok(())
    }

    /// The walkthrough for stderr.
    pub fn walkthrough(&self) -> String {
        walkthrough::text(&self.info, &self.manifests)
    }
}

/// Starts the sandbox on 127.0.0.1 and returns once every port is bound and the port file is
/// written.
pub async fn run(options: SandboxOptions) -> anyhow::Result<RunningSandbox> {
    let state_dir = match &options.state_dir {
        Some(dir) => dir.clone(),
        None => tempfile::Builder::new()
            .prefix("kubectl-entra-sandbox-")
            .tempdir()
            .context("cannot create a temp dir for the sandbox")?
            .keep(),
    };
    ensure_private_dir(&state_dir)?;
    let state_dir = state_dir.canonicalize().unwrap_or(state_dir);

    let mut tenant = Tenant::seed();
    if let Some(upn) = &options.auto_approve
        && tenant.user_by_upn(upn).is_none()
    {
        let known: Vec<&str> = tenant.users.iter().map(|u| u.upn.as_str()).collect();
        anyhow::bail!(
            "--auto-approve {upn}: no such user in the sandbox tenant; use one of {}",
            known.join(", ")
        );
    }
    let dir = state_dir.clone();
    let keys = tokio::task::spawn_blocking(move || SigningKeys::load_or_create(&dir))
        .await
        .context("the key generation task failed")??;
    let keys = Arc::new(keys);
    let apps = {
        let (dir, keys) = (state_dir.clone(), keys.clone());
        tokio::task::spawn_blocking(move || {
            let apps = apps::provision(&dir, &mut tenant, &keys);
            (tenant, apps)
        })
    };
    let (tenant, apps) = apps.await.context("the application setup task failed")?;
    let apps = apps.context("cannot set up the sandbox applications")?;
    let tenant = Arc::new(tenant);

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on 127.0.0.1:{}; pick another --port or 0",
                options.port
            )
        })?;
    let addr = listener.local_addr()?;
    // The emulator's own CA and certificate (SAN 127.0.0.1 and localhost), kept in the state dir.
    let emulator_tls = if options.tls {
        let dir = state_dir.join("emulator-tls");
        ensure_private_dir(&dir)?;
        Some(apiserver::tls::load_or_create(&dir)?)
    } else {
        None
    };
    let scheme = if emulator_tls.is_some() {
        "https"
    } else {
        "http"
    };
    let base_url = format!("{scheme}://{addr}");

    let stats = Arc::new(Stats::default());
    let faults = Arc::new(Faults::default());
    let arc_key_dir = state_dir.join("arc-tokens");
    ensure_private_dir(&arc_key_dir)?;
    let state: Shared = Arc::new(IdpState::new(
        tenant.clone(),
        keys.clone(),
        stats.clone(),
        faults.clone(),
        IdpConfig {
            base_url: base_url.clone(),
            poll_interval: options.poll_interval,
            device_code_lifetime: options.device_code_lifetime,
            token_lifetime: options.token_lifetime,
            auto_approve: options.auto_approve.clone(),
            arc_key_dir: Some(arc_key_dir),
        },
    ));

    let graph_router = graph::router(GraphState {
        tenant: tenant.clone(),
        stats: stats.clone(),
        jwks: keys.jwks(),
        issuer: state.v1_issuer(),
    });
    let app = Router::new()
        .merge(idp::router(state.clone()))
        .merge(control::router(state.clone()))
        .nest("/v1.0", graph_router)
        .layer(axum::middleware::from_fn_with_state(
            faults.clone(),
            graph_faults,
        ));

    let (tx, rx) = oneshot::channel::<()>();
    let server = match &emulator_tls {
        None => tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
        }),
        Some(certs) => {
            let handle = axum_server::Handle::new();
            let server = axum_server::from_tcp_rustls(
                listener.into_std()?,
                apiserver::tls::rustls_config(certs)?,
            )?
            .handle(handle.clone());
            tokio::spawn(async move {
                let _ = rx.await;
                handle.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
            });
            tokio::spawn(async move {
                server
                    .serve(app.into_make_service_with_connect_info::<SocketAddr>())
                    .await
            })
        }
    };

    let mut info = describe(&state, &state_dir);
    info.apps = Some(apps);
    info.authority_ca_file = emulator_tls.map(|certs| certs.ca_file);

    let admin_token = admin_token(&state_dir)?;
    let api = apiserver::start(ApiServerConfig {
        state_dir: state_dir.clone(),
        port: options.api_port,
        issuer: state.v1_issuer(),
        audience: AKS_SERVER_ID.to_string(),
        jwks: keys.jwks(),
        admin_token: admin_token.clone(),
        cluster_admin_groups: tenant
            .groups
            .iter()
            .filter(|g| g.display_name == "aks-admins")
            .map(|g| g.object_id.clone())
            .collect(),
        stats: stats.clone(),
        faults: Some(faults.clone()),
        directory: Some(tenant.clone()),
    })
    .await;
    let mut api_error = None;
    match api {
        Ok(api) => {
            let admin_path = state_dir.join("admin.kubeconfig");
            let user_path = state_dir.join("user.kubeconfig");
            kubeconfig::write(
                &admin_path,
                &kubeconfig::admin(&api.url, &api.ca_pem, &admin_token),
            )?;
            let plugin = match &options.plugin_command {
                Some(p) => p.clone(),
                None => default_plugin_command(),
            };
            kubeconfig::write(
                &user_path,
                &kubeconfig::user(&api.url, &api.ca_pem, &plugin, &tenant.id, &base_url),
            )?;
            info.api_server = Some(api.url.clone());
            info.admin_kubeconfig = Some(admin_path);
            info.user_kubeconfig = Some(user_path);
            info.ca_file = Some(api.ca_file.clone());
        }
        Err(e) => api_error = Some(format!("{e:#}")),
    }

    let manifests = walkthrough::write_manifests(&state_dir, &info)?;
    let own = state_dir.join("sandbox.json");
    info.write(&own)?;
    let port_file = match &options.port_file {
        Some(p) => {
            info.write(p)?;
            p.clone()
        }
        None => own,
    };
    if options.remember {
        remember(&port_file);
    }
    Ok(RunningSandbox {
        info,
        port_file,
        api_error,
        manifests,
        state,
        shutdown: Some(tx),
        server,
    })
}

fn describe(state: &IdpState, state_dir: &Path) -> SandboxInfo {
    let base = &state.config.base_url;
    let tid = &state.tenant.id;
    SandboxInfo {
        authority_host: base.clone(),
        tenant_id: tid.clone(),
        tenant_domain: state.tenant.domain.clone(),
        issuer: state.v1_issuer(),
        client_id: AKS_CLIENT_ID.to_string(),
        server_id: AKS_SERVER_ID.to_string(),
        discovery_url: format!("{base}/{tid}/v2.0/.well-known/openid-configuration"),
        devicecode_endpoint: format!("{base}/{tid}/oauth2/v2.0/devicecode"),
        token_endpoint: format!("{base}/{tid}/oauth2/v2.0/token"),
        jwks_uri: format!("{base}/{tid}/discovery/v2.0/keys"),
        verification_uri: state.verification_uri(),
        graph_endpoint: format!("{base}/v1.0"),
        stats_url: format!("{base}/_sandbox/stats"),
        faults_url: format!("{base}/_sandbox/faults"),
        revoke_url: format!("{base}/_sandbox/revoke"),
        approve_url: format!("{base}/_sandbox/approve"),
        state_dir: state_dir.to_path_buf(),
        pid: std::process::id(),
        users: state
            .tenant
            .users
            .iter()
            .map(|u| (u.upn.clone(), u.object_id.clone()))
            .collect(),
        groups: ["appdev", "opssre", "aks-admins"]
            .iter()
            .filter_map(|name| {
                let found = state.tenant.groups_named(name);
                let g = found.first()?;
                Some((g.display_name.clone(), g.object_id.clone()))
            })
            .collect(),
        imds_endpoint: base.clone(),
        identity_endpoint: format!("{base}{}", idp::imds::APP_SERVICE_PATH),
        identity_header: idp::imds::identity_header(state),
        arc_identity_endpoint: format!("{base}{}", idp::arc::ARC_PATH),
        managed_identities: idp::imds::identities(),
        api_server: None,
        admin_kubeconfig: None,
        user_kubeconfig: None,
        ca_file: None,
        apps: None,
        azure_pipelines: Some(idp::pipelines::info(state, base)),
        authority_ca_file: None,
    }
}

/// The admin kubeconfig's static bearer token: made once, kept in the state dir (0600).
fn admin_token(state_dir: &Path) -> anyhow::Result<String> {
    let path = state_dir.join("admin-token");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let t = text.trim();
        if t.len() >= 32 {
            return Ok(t.to_string());
        }
    }
    let token = format!("sandbox-admin.{}", opaque(32));
    write_private(&path, token.as_bytes())?;
    Ok(token)
}

/// Best effort: `sandbox approve` without flags then finds this sandbox.
fn remember(port_file: &Path) {
    let pointer = last_sandbox_pointer();
    let result = pointer
        .parent()
        .map(ensure_private_dir)
        .unwrap_or(Ok(()))
        .and_then(|_| write_private(&pointer, port_file.to_string_lossy().as_bytes()));
    if let Err(e) = result {
        tracing::warn!(
            "cannot remember the sandbox in {}: {e:#}",
            pointer.display()
        );
    }
}

/// Fault injection for the Graph subset (any path under `/v1.0`), which another module serves.
async fn graph_faults(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path != "/v1.0" && !path.starts_with("/v1.0/") {
        return next.run(request).await;
    }
    if let Some(fault) = faults.take(FaultEndpoint::Graph) {
        if let Some(ms) = fault.delay_ms {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        if fault.alters_response() {
            if fault.malformed
                && let Some(r) = fault_response(&fault, None)
            {
                return r;
            }
            let status = fault
                .status
                .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                .unwrap_or(axum::http::StatusCode::BAD_REQUEST);
            let code = fault.error.clone().unwrap_or_else(|| {
                if status.is_server_error() {
                    "serviceNotAvailable".to_string()
                } else {
                    "BadRequest".to_string()
                }
            });
            let body = serde_json::json!({"error": {
                "code": code,
                "message": "Injected by the sandbox fault.",
                "innerError": {
                    "date": jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S").to_string(),
                    "request-id": uuid::Uuid::new_v4().to_string(),
                    "client-request-id": uuid::Uuid::new_v4().to_string(),
                }
            }});
            let mut r = (status, axum::Json(body)).into_response();
            if let Some(secs) = fault.retry_after {
                r.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(secs),
                );
            }
            return r;
        }
    }
    next.run(request).await
}

/// `kubectl-entra` beside this binary (a release archive, `cargo install`, a target dir), else
/// the bare name for kubectl to find on PATH.
fn default_plugin_command() -> PathBuf {
    let name = format!("kubectl-entra{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.canonicalize().ok())
        .and_then(|exe| exe.parent().map(|dir| dir.join(&name)))
        .filter(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}
