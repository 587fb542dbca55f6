//! The AKS article "Use Kubernetes RBAC with Microsoft Entra ID in AKS", adapted to the sandbox:
//! its Role/RoleBinding manifests (with the sandbox's group object ids) and the steps to try.

use super::files::{ensure_private_dir, write_private};
use super::info::SandboxInfo;
use std::path::{Path, PathBuf};

/// The article's Role + RoleBinding for one namespace (`dev` for appdev, `sre` for opssre).
pub fn manifest(namespace: &str, group_object_id: &str) -> String {
    format!(
        "kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: {namespace}-user-full-access
  namespace: {namespace}
rules:
- apiGroups: [\"\", \"extensions\", \"apps\"]
  resources: [\"*\"]
  verbs: [\"*\"]
- apiGroups: [\"batch\"]
  resources:
  - jobs
  - cronjobs
  verbs: [\"*\"]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: {namespace}-user-access
  namespace: {namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {namespace}-user-full-access
subjects:
- kind: Group
  namespace: {namespace}
  name: {group_object_id}
"
    )
}

/// Writes `walkthrough/dev.yaml` and `walkthrough/sre.yaml`; returns their paths.
pub fn write_manifests(state_dir: &Path, info: &SandboxInfo) -> anyhow::Result<Vec<PathBuf>> {
    let dir = state_dir.join("walkthrough");
    ensure_private_dir(&dir)?;
    let mut out = Vec::new();
    for (ns, group) in [("dev", "appdev"), ("sre", "opssre")] {
        let Some(id) = info.groups.get(group) else {
            continue;
        };
        let path = dir.join(format!("{ns}.yaml"));
        write_private(&path, manifest(ns, id).as_bytes())?;
        out.push(path);
    }
    Ok(out)
}

/// The steps printed on stderr when the sandbox starts.
pub fn text(info: &SandboxInfo, manifests: &[PathBuf]) -> String {
    let appdev = info.groups.get("appdev").map(String::as_str).unwrap_or("?");
    let opssre = info.groups.get("opssre").map(String::as_str).unwrap_or("?");
    let mut s = String::new();
    s.push_str(&format!(
        "Sandbox Entra tenant {} ({}) at {}\n",
        info.tenant_domain, info.tenant_id, info.authority_host
    ));
    s.push_str(&format!(
        "  state dir:        {}\n",
        info.state_dir.display()
    ));
    s.push_str(&format!("  device login:     {}\n", info.verification_uri));
    s.push_str(&format!(
        "  group appdev:     {appdev}\n  group opssre:     {opssre}\n"
    ));
    let (Some(api), Some(admin), Some(user)) = (
        &info.api_server,
        &info.admin_kubeconfig,
        &info.user_kubeconfig,
    ) else {
        s.push_str("\nThe Kubernetes API stand-in is not running, so only the identity provider is available.\n");
        return s;
    };
    s.push_str(&format!("  API server:       {api}\n"));
    s.push_str(&format!("  admin kubeconfig: {}\n", admin.display()));
    s.push_str(&format!("  user kubeconfig:  {}\n", user.display()));
    let files: Vec<String> = manifests.iter().map(|p| p.display().to_string()).collect();
    s.push_str(&format!(
        "
Walk through \"Use Kubernetes RBAC with Microsoft Entra ID in AKS\":

1. As the cluster admin, create the namespaces and give each Entra group its namespace.
   The article's way (its Role and RoleBinding, with the group object ids above):
     export KUBECONFIG={admin}
     kubectl create namespace dev
     kubectl create namespace sre
     kubectl apply -f {files}
   Or the kubectl-entra way: sign in as aksadmin@contoso.com (a member of aks-admins, which
   the sandbox binds to cluster-admin like an AKS admin group) and bind the groups by name:
     export KUBECONFIG={user}
     kubectl entra bind --group appdev -n dev --create-namespace
     kubectl entra bind --group opssre -n sre --create-namespace
     kubectl entra bindings -A
     kubectl entra logout --all

2. As a developer, use the user kubeconfig. kubectl runs kubectl-entra get-token, which shows a
   device code; open {verify} , enter the code and sign in as aksdev@contoso.com:
     export KUBECONFIG={user}
     kubectl entra whoami
     kubectl run nginx-dev --image=mcr.microsoft.com/oss/nginx/nginx:1.15.5-alpine --namespace dev
     kubectl get pods --namespace dev
     kubectl get pods --all-namespaces        # Forbidden: aksdev may only use dev
     kubectl entra can-i create pods -n sre --why
   (or approve from another terminal: kubectl entra sandbox approve CODE --user aksdev@contoso.com)

3. To switch to the SRE user, sign out and sign in again as akssre@contoso.com:
     kubectl entra logout --all
     kubectl run nginx-sre --image=mcr.microsoft.com/oss/nginx/nginx:1.15.5-alpine --namespace sre
",
        admin = admin.display(),
        user = user.display(),
        files = files.join(" -f "),
        verify = info.verification_uri,
    ));
    s.push('\n');
    s.push_str(&automation(info));
    s.push_str(&pipelines_steps(info));
    s.push_str(&managed_identity_steps(info));
    s.push_str(&format!(
        "\nPress Ctrl-C to stop the sandbox; its state stays in {}.\n",
        info.state_dir.display()
    ));
    s
}

/// Step 4: the sign-ins without a user (service principal, workload identity), as a CI job or
/// a pod runs them. Each needs the RoleBinding for the application's object id (AKS names
/// applications by object id).
fn automation(info: &SandboxInfo) -> String {
    let Some(a) = &info.apps else {
        return String::new();
    };
    let base = format!(
        "kubectl entra get-token --server-id {} --tenant-id {} --authority-host {}",
        info.server_id, info.tenant_id, info.authority_host
    );
    format!(
        "4. Automation, no user: a service principal ({spn}, object id {spn_oid}) and a workload
   identity ({wi}, object id {wi_oid}). Give them access as the admin, by object id:
     kubectl --kubeconfig {admin} create rolebinding ci-view -n dev --clusterrole=view --user={spn_oid}
   then, as `users[].user.exec.args` in a kubeconfig or by hand:
     {base} --login spn --client-id {spn} --client-secret '{secret}'
     {base} --login spn --client-id {spn} --client-certificate {pem}
     {base} --login spn --client-id {spn} --client-certificate {pfx} --client-certificate-password {pfx_pw}
     AZURE_FEDERATED_TOKEN_FILE={token} {base} --login workloadidentity --client-id {wi}
   (the token file is a service-account token of issuer {issuer}
    for {subject}, which {wi} trusts through a federated identity credential)

",
        spn = a.spn_client_id,
        spn_oid = a.spn_object_id,
        wi = a.workload_client_id,
        wi_oid = a.workload_object_id,
        admin = info
            .admin_kubeconfig
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        secret = a.spn_client_secret,
        pem = a.spn_certificate_pem.display(),
        pfx = a.spn_certificate_pfx.display(),
        pfx_pw = a.spn_certificate_pfx_password,
        token = a.federated_token_file.display(),
        issuer = a.federated_issuer,
        subject = a.federated_subject,
    )
}

/// `--login azurepipelines` with the variables an Azure Pipelines job step would have.
fn pipelines_steps(info: &SandboxInfo) -> String {
    let Some(p) = &info.azure_pipelines else {
        return String::new();
    };
    format!(
        "   In an Azure Pipelines job (--login azurepipelines): the service connection {name} signs
   in as {app} (object id {oid}); Azure DevOps' OIDC token (issuer {issuer},
   subject {subject}) is exchanged through the app's federated credential. A job step has:
     export SYSTEM_OIDCREQUESTURI={uri}
     export SYSTEM_ACCESSTOKEN={token}
     export AZURESUBSCRIPTION_CLIENT_ID={app} AZURESUBSCRIPTION_TENANT_ID={tenant}
     export AZURESUBSCRIPTION_SERVICE_CONNECTION_ID={id}
     kubectl entra get-token --login azurepipelines --server-id {server} --authority-host {authority}

",
        name = p.service_connection_name,
        app = p.client_id,
        oid = p.object_id,
        issuer = p.issuer,
        subject = p.subject,
        uri = p.oidc_request_uri,
        token = p.access_token,
        tenant = info.tenant_id,
        id = p.service_connection_id,
        server = info.server_id,
        authority = info.authority_host,
    )
}

/// `--login msi` against the sandbox's IMDS-shaped endpoint.
fn managed_identity_steps(info: &SandboxInfo) -> String {
    let id = |name: &str, f: fn(&super::idp::imds::ManagedIdentity) -> &str| {
        info.managed_identities
            .get(name)
            .map(f)
            .unwrap_or("?")
            .to_string()
    };
    let system_oid = id(super::idp::imds::SYSTEM, |m| &m.object_id);
    let uami = super::idp::imds::USER_ASSIGNED;
    format!(
        "
A managed identity (--login msi): the sandbox answers as IMDS at {imds} (and as App Service's
IDENTITY_ENDPOINT {endpoint} with IDENTITY_HEADER from the port file). The machine has a
system-assigned identity (object id {system_oid}) and {uami} (client id {uami_client}).
The API server names them by object id, as AKS does:
     kubectl --kubeconfig {admin} create clusterrolebinding msi-view --clusterrole view --user {system_oid}
     export AZURE_POD_IDENTITY_AUTHORITY_HOST={imds}
     kubectl entra get-token --login msi --authority-host {authority} --tenant-id {tenant}
   (add --client-id {uami_client} for {uami}; set the same variable in the kubeconfig's exec env)
   The sandbox also plays an Azure Arc agent at {arc} (IDENTITY_ENDPOINT, with
   IMDS_ENDPOINT={imds}); its challenge names a key file in the state dir, which kubectl-entra
   refuses: it reads Arc keys only from the agent's own directory.
",
        imds = info.imds_endpoint,
        endpoint = info.identity_endpoint,
        arc = info.arc_identity_endpoint,
        uami_client = id(uami, |m| &m.client_id),
        admin = info
            .admin_kubeconfig
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        authority = info.authority_host,
        tenant = info.tenant_id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_four_shows_each_automation_sign_in() {
        let apps = crate::apps::AppsInfo {
            spn_client_id: "spn-id".into(),
            spn_object_id: "spn-oid".into(),
            spn_client_secret: "sec".into(),
            spn_certificate_pem: "/s/apps/ci.pem".into(),
            spn_certificate_only_pem: "/s/apps/ci-certificate.pem".into(),
            spn_certificate_pfx: "/s/apps/ci.pfx".into(),
            spn_certificate_pfx_password: "pw".into(),
            spn_certificate_x5t: "x5t".into(),
            workload_client_id: "wi-id".into(),
            workload_object_id: "wi-oid".into(),
            federated_token_file: "/s/apps/token".into(),
            federated_issuer: "https://issuer/".into(),
            federated_subject: "system:serviceaccount:default:sa".into(),
        };
        let info = SandboxInfo {
            authority_host: "http://127.0.0.1:1".into(),
            tenant_id: "tid".into(),
            tenant_domain: "contoso.com".into(),
            issuer: String::new(),
            client_id: String::new(),
            server_id: "srv".into(),
            discovery_url: String::new(),
            devicecode_endpoint: String::new(),
            token_endpoint: String::new(),
            jwks_uri: String::new(),
            verification_uri: String::new(),
            graph_endpoint: String::new(),
            stats_url: String::new(),
            faults_url: String::new(),
            revoke_url: String::new(),
            approve_url: String::new(),
            state_dir: "/s".into(),
            pid: 1,
            users: Default::default(),
            groups: Default::default(),
            api_server: Some("https://127.0.0.1:2".into()),
            admin_kubeconfig: Some("/s/admin.kubeconfig".into()),
            user_kubeconfig: Some("/s/user.kubeconfig".into()),
            ca_file: None,
            apps: Some(apps),
            azure_pipelines: Some(crate::idp::pipelines::PipelinesInfo {
                oidc_request_uri: "http://127.0.0.1:1/org/oidctoken".into(),
                access_token: "job-token".into(),
                service_connection_id: "sc-id".into(),
                service_connection_name: "sc-name".into(),
                client_id: "ado-app".into(),
                object_id: "ado-oid".into(),
                issuer: "https://vstoken.dev.azure.com/o".into(),
                subject: "sc://o/p/sc-name".into(),
            }),
            authority_ca_file: None,
            imds_endpoint: "http://127.0.0.1:1/metadata/identity/oauth2/token".into(),
            identity_endpoint: String::new(),
            identity_header: String::new(),
            arc_identity_endpoint: String::new(),
            managed_identities: Default::default(),
        };
        let text = text(&info, &[]);
        for want in [
            "--login spn --client-id spn-id --client-secret 'sec'",
            "--client-certificate /s/apps/ci.pem",
            "--client-certificate /s/apps/ci.pfx --client-certificate-password pw",
            "AZURE_FEDERATED_TOKEN_FILE=/s/apps/token",
            "--login workloadidentity --client-id wi-id",
            "--user=spn-oid",
            "export SYSTEM_OIDCREQUESTURI=http://127.0.0.1:1/org/oidctoken",
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID=sc-id",
            "--login azurepipelines --server-id srv",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
    }

    #[test]
    fn manifest_names_the_group_id() {
        let m = manifest("dev", "cccc0000-0000-4000-8000-000000000001");
        assert!(m.contains("name: dev-user-full-access"));
        assert!(m.contains("name: cccc0000-0000-4000-8000-000000000001"));
        let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&m)
            .map(|d| serde::Deserialize::deserialize(d).expect("yaml"))
            .collect();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["roleRef"]["name"], "dev-user-full-access");
    }
}
