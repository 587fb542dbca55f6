//! The sandbox CA and the serving certificate (SAN 127.0.0.1 and localhost), generated at the
//! first start and kept (0600) in `state_dir/apiserver/` so kubeconfigs stay valid across restarts.

use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct ServingCerts {
    pub ca_pem: String,
    pub ca_file: PathBuf,
    pub cert_pem: String,
    pub key_pem: String,
}

const CA_CERT: &str = "ca.crt";
const CA_KEY: &str = "ca.key";
const SERVER_CERT: &str = "server.crt";
const SERVER_KEY: &str = "server.key";

/// Loads the CA and serving pair from `dir`, or generates and stores them.
pub fn load_or_create(dir: &Path) -> anyhow::Result<ServingCerts> {
    let files = [CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY].map(|f| dir.join(f));
    if files.iter().all(|f| f.is_file()) {
        let read = |p: &PathBuf| {
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
        };
        return Ok(ServingCerts {
            ca_pem: read(&files[0])?,
            ca_file: files[0].clone(),
            cert_pem: read(&files[2])?,
            key_pem: read(&files[3])?,
        });
    }
    let (ca_pem, ca_key, cert_pem, key_pem) = generate()?;
    for (file, content) in files.iter().zip([&ca_pem, &ca_key, &cert_pem, &key_pem]) {
        crate::files::write_private(file, content.as_bytes())?;
    }
    Ok(ServingCerts {
        ca_pem,
        ca_file: files[0].clone(),
        cert_pem,
        key_pem,
    })
}

fn generate() -> anyhow::Result<(String, String, String, String)> {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
        IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().context("generating the sandbox CA key")?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "kubectl-entra sandbox CA");
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    validity(&mut ca);
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, &ca_key);

    let key = KeyPair::generate().context("generating the serving key")?;
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "kube-apiserver");
    params.distinguished_name = dn;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut params);
    let cert = params.signed_by(&key, &issuer)?;
    Ok((
        ca_cert.pem(),
        ca_key.serialize_pem(),
        cert.pem(),
        key.serialize_pem(),
    ))
}

/// Validity: from the start of last year (clock skew) for ten years.
fn validity(params: &mut rcgen::CertificateParams) {
    let year = i32::from(jiff::Zoned::now().year());
    params.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    params.not_after = rcgen::date_time_ymd(year + 10, 1, 1);
}

/// A rustls server config (ring provider, h2 and http/1.1) for the pair.
pub fn rustls_config(
    certs: &ServingCerts,
) -> anyhow::Result<axum_server::tls_rustls::RustlsConfig> {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
    let chain = CertificateDer::pem_slice_iter(certs.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .context("parsing the serving certificate")?;
    let key = PrivateKeyDer::from_pem_slice(certs.key_pem.as_bytes())
        .context("parsing the serving key")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(axum_server::tls_rustls::RustlsConfig::from_config(
        Arc::new(config),
    ))
}
