//! The sandbox tenant's applications for automation: service principals with a client secret,
//! an uploaded certificate, and a federated identity credential that trusts service-account
//! tokens of a sandbox "AKS OIDC issuer" (issuer + `system:serviceaccount:NS:NAME`, as AKS's
//! issuer writes them).
//!
//! At start the sandbox makes the certificate's key (RSA 2048, kept in the state dir), a
//! self-signed certificate for it, and writes what a CI job or a pod would hold: the PEM
//! (certificate + key), the certificate alone, a PFX with a password, and a service-account
//! token file. Their paths go into the port file ([`AppsInfo`]).

use super::files::{ensure_private_dir, write_private};
use super::keys::SigningKeys;
use super::tenant::Tenant;
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The CI service principal: client secret and certificate.
pub const CI_APP_ID: &str = "a9900000-0000-4000-8000-000000000001";
pub const CI_OBJECT_ID: &str = "5b000000-0000-4000-8000-000000000001";
pub const CI_NAME: &str = "ci-deployer";
/// Sandbox only: a fixed, documented secret (real ones are random and shown once).
pub const CI_SECRET: &str = "ci8Q~sandbox-secret-of-ci-deployer";
/// The password of the PFX file the sandbox writes.
pub const PFX_PASSWORD: &str = "sandbox";

/// The workload identity application: a federated credential, no secret.
pub const WORKLOAD_APP_ID: &str = "a9900000-0000-4000-8000-000000000002";
pub const WORKLOAD_OBJECT_ID: &str = "5b000000-0000-4000-8000-000000000002";
pub const WORKLOAD_NAME: &str = "gitops-workload";
/// The service account the federated credential trusts (Azure's docs use this name).
pub const SERVICE_ACCOUNT_NAMESPACE: &str = "default";
pub const SERVICE_ACCOUNT_NAME: &str = "workload-identity-sa";
/// The application behind the sandbox's Azure Pipelines service connection: a federated
/// credential trusting Azure DevOps' OIDC tokens for it ([`crate::idp::pipelines`]).
pub const PIPELINES_APP_ID: &str = "a9900000-0000-4000-8000-000000000003";
pub const PIPELINES_OBJECT_ID: &str = "5b000000-0000-4000-8000-000000000003";
pub const PIPELINES_NAME: &str = "ado-pipeline";
/// The only audience Entra accepts in federated tokens.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
/// Lifetime of the service-account token written at start (a kubelet refreshes hourly; the
/// sandbox writes one that lasts the day).
const SERVICE_ACCOUNT_TOKEN_SECONDS: i64 = 24 * 3600;

/// A certificate registered on an application: looked up by `x5t`, verified with `n`/`e`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AppCertificate {
    /// base64url SHA-1 of the DER.
    pub x5t: String,
    /// base64url modulus and exponent of the RSA public key.
    pub n: String,
    pub e: String,
}

/// A federated identity credential: tokens of `issuer` for `subject` with one of `audiences`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FederatedCredential {
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
}

/// An application registration with its service principal in the sandbox tenant.
#[derive(Clone, Serialize, Deserialize)]
pub struct ServicePrincipal {
    pub app_id: String,
    pub object_id: String,
    pub display_name: String,
    #[serde(default, skip_serializing)]
    pub secret: Option<String>,
    #[serde(default)]
    pub certificates: Vec<AppCertificate>,
    #[serde(default)]
    pub federated: Vec<FederatedCredential>,
}

impl std::fmt::Debug for ServicePrincipal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServicePrincipal")
            .field("app_id", &self.app_id)
            .field("object_id", &self.object_id)
            .field("display_name", &self.display_name)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("certificates", &self.certificates.len())
            .field("federated", &self.federated)
            .finish()
    }
}

/// The issuer of the sandbox's service-account tokens, shaped like an AKS cluster's OIDC issuer
/// URL (`https://{region}.oic.prod-aks.azure.com/{tenant}/{cluster guid}/`).
pub fn service_account_issuer(tenant_id: &str) -> String {
    format!(
        "https://sandbox.oic.prod-aks.azure.com/{tenant_id}/5a7d0000-0000-4000-8000-00000000c1a5/"
    )
}

pub fn service_account_subject() -> String {
    format!("system:serviceaccount:{SERVICE_ACCOUNT_NAMESPACE}:{SERVICE_ACCOUNT_NAME}")
}

/// The seeded applications (the certificate is added at start by [`provision`]).
pub fn seed(tenant_id: &str) -> Vec<ServicePrincipal> {
    vec![
        ServicePrincipal {
            app_id: CI_APP_ID.into(),
            object_id: CI_OBJECT_ID.into(),
            display_name: CI_NAME.into(),
            secret: Some(CI_SECRET.into()),
            certificates: Vec::new(),
            federated: Vec::new(),
        },
        ServicePrincipal {
            app_id: WORKLOAD_APP_ID.into(),
            object_id: WORKLOAD_OBJECT_ID.into(),
            display_name: WORKLOAD_NAME.into(),
            secret: None,
            certificates: Vec::new(),
            federated: vec![FederatedCredential {
                name: "sandbox-aks-service-account".into(),
                issuer: service_account_issuer(tenant_id),
                subject: service_account_subject(),
                audiences: vec![TOKEN_EXCHANGE_AUDIENCE.into()],
            }],
        },
        ServicePrincipal {
            app_id: PIPELINES_APP_ID.into(),
            object_id: PIPELINES_OBJECT_ID.into(),
            display_name: PIPELINES_NAME.into(),
            secret: None,
            certificates: Vec::new(),
            federated: vec![FederatedCredential {
                name: "sandbox-azure-devops-service-connection".into(),
                issuer: crate::idp::pipelines::issuer(),
                subject: crate::idp::pipelines::subject(),
                audiences: vec![TOKEN_EXCHANGE_AUDIENCE.into()],
            }],
        },
    ]
}

/// What the port file tells about the applications and the files that sign them in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppsInfo {
    pub spn_client_id: String,
    pub spn_object_id: String,
    /// Sandbox only: printed so the walkthrough can be followed.
    pub spn_client_secret: String,
    /// Certificate and its PKCS#8 key.
    pub spn_certificate_pem: PathBuf,
    /// The certificate alone (what is uploaded to the app registration).
    pub spn_certificate_only_pem: PathBuf,
    pub spn_certificate_pfx: PathBuf,
    pub spn_certificate_pfx_password: String,
    pub spn_certificate_x5t: String,
    pub workload_client_id: String,
    pub workload_object_id: String,
    pub federated_token_file: PathBuf,
    pub federated_issuer: String,
    pub federated_subject: String,
}

/// Makes (or reloads) the certificate key, registers the certificate on the CI application,
/// writes the credential files under `state_dir/apps`, and returns their description.
pub fn provision(
    state_dir: &Path,
    tenant: &mut Tenant,
    keys: &SigningKeys,
) -> anyhow::Result<AppsInfo> {
    let dir = state_dir.join("apps");
    ensure_private_dir(&dir)?;
    let key_path = dir.join(format!("{CI_NAME}-key.pem"));
    let key = match std::fs::read_to_string(&key_path)
        .ok()
        .and_then(|pem| rsa::PrivateKey::from_pkcs8_pem(&pem).ok())
    {
        Some(key) => key,
        None => {
            let key = <rsa::PrivateKey as rsa::Generate>::generate();
            write_private(&key_path, key.to_pkcs8_pem(LineEnding::LF)?.as_bytes())?;
            key
        }
    };
    let key_pem = key.to_pkcs8_pem(LineEnding::LF)?.to_string();
    let key_pair = rcgen::KeyPair::from_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256)
        .context("rcgen rejected the certificate key")?;
    let mut params = rcgen::CertificateParams::new(vec![format!("{CI_NAME}.sandbox")])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, CI_NAME);
    let cert = params.self_signed(&key_pair)?;
    let der = cert.der().to_vec();
    let x5t = URL_SAFE_NO_PAD.encode(sha1_digest(&der));

    let pem_path = dir.join(format!("{CI_NAME}.pem"));
    write_private(&pem_path, format!("{}{key_pem}", cert.pem()).as_bytes())?;
    let cert_only = dir.join(format!("{CI_NAME}-certificate.pem"));
    write_private(&cert_only, cert.pem().as_bytes())?;
    let pfx_path = dir.join(format!("{CI_NAME}.pfx"));
    write_private(&pfx_path, &pfx(&der, key.to_pkcs8_der()?.as_bytes())?)?;

    let registered = AppCertificate {
        x5t: x5t.clone(),
        n: URL_SAFE_NO_PAD.encode(key.n().to_be_bytes_trimmed_vartime()),
        e: URL_SAFE_NO_PAD.encode(key.e().to_be_bytes_trimmed_vartime()),
    };
    if let Some(ci) = tenant
        .service_principals
        .iter_mut()
        .find(|sp| sp.app_id == CI_APP_ID)
    {
        ci.certificates = vec![registered];
    }

    let token_path = dir.join("workload-identity-token");
    write_private(
        &token_path,
        service_account_token(keys, &tenant.id, SERVICE_ACCOUNT_TOKEN_SECONDS)?.as_bytes(),
    )?;
    Ok(AppsInfo {
        spn_client_id: CI_APP_ID.into(),
        spn_object_id: CI_OBJECT_ID.into(),
        spn_client_secret: CI_SECRET.into(),
        spn_certificate_pem: pem_path,
        spn_certificate_only_pem: cert_only,
        spn_certificate_pfx: pfx_path,
        spn_certificate_pfx_password: PFX_PASSWORD.into(),
        spn_certificate_x5t: x5t,
        workload_client_id: WORKLOAD_APP_ID.into(),
        workload_object_id: WORKLOAD_OBJECT_ID.into(),
        federated_token_file: token_path,
        federated_issuer: service_account_issuer(&tenant.id),
        federated_subject: service_account_subject(),
    })
}

/// SHA-1, only because `x5t` is defined as a SHA-1 thumbprint.
fn sha1_digest(der: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der)
        .as_ref()
        .to_vec()
}

/// The certificate and key as a PFX with [`PFX_PASSWORD`].
fn pfx(cert_der: &[u8], pkcs8_der: &[u8]) -> anyhow::Result<Vec<u8>> {
    let cert = p12_keystore::Certificate::from_der(cert_der)?;
    let key = p12_keystore::PrivateKey::from_der(pkcs8_der)?;
    let chain = p12_keystore::PrivateKeyChain::new(b"ci-deployer".as_slice(), key, [cert]);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(CI_NAME, p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    Ok(store.writer(PFX_PASSWORD).write()?)
}

/// A projected service-account token as the kubelet writes it for the workload identity
/// webhook's volume, signed by the sandbox's key, valid for `seconds` (negative: expired).
pub fn service_account_token(
    keys: &SigningKeys,
    tenant_id: &str,
    seconds: i64,
) -> anyhow::Result<String> {
    let now = jiff::Timestamp::now().as_second();
    let claims = serde_json::json!({
        "aud": [TOKEN_EXCHANGE_AUDIENCE],
        "exp": now + seconds,
        "iat": now.min(now + seconds) - 60,
        "nbf": now.min(now + seconds) - 60,
        "iss": service_account_issuer(tenant_id),
        "jti": uuid::Uuid::new_v4().to_string(),
        "kubernetes.io": {
            "namespace": SERVICE_ACCOUNT_NAMESPACE,
            "serviceaccount": {"name": SERVICE_ACCOUNT_NAME, "uid": "5a000000-0000-4000-8000-0000000000aa"},
            "pod": {"name": "gitops-runner", "uid": "5a000000-0000-4000-8000-0000000000bb"},
        },
        "sub": service_account_subject(),
    });
    keys.sign(&claims, false)
}
