//! Which server certificates we trust, and what we say when one is not trusted.
//!
//! Trusted: the bundled Mozilla roots (webpki-roots), the OS trust store (rustls-native-certs,
//! which reads `SSL_CERT_FILE` / `SSL_CERT_DIR` instead of the system paths when they are set),
//! and an explicit CA bundle (`--authority-ca-file`, e.g. a TLS-inspecting proxy's CA).
//!
//! The verifier is webpki's, wrapped to remember the issuer of a chain it refused, so the error
//! can say who issued the certificate: reqwest's error only says "UnknownIssuer".

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The environment variable behind `--authority-ca-file`.
pub const CA_FILE_ENV: &str = "KUBECTL_ENTRA_CA_FILE";

/// A CA bundle file is PEM, a few certificates; anything larger is not one.
const CA_FILE_LIMIT: u64 = 4 * 1024 * 1024;

/// The rustls client config for our HTTPS clients, trusting the bundled and OS roots plus
/// `ca_file`. Built once per process per CA file (loading the OS store reads ~200 KB).
pub(crate) fn client_config(ca_file: Option<&Path>) -> anyhow::Result<rustls::ClientConfig> {
    static ROOTS: Mutex<Vec<(Option<PathBuf>, Arc<RootCertStore>)>> = Mutex::new(Vec::new());
    let key = ca_file.map(Path::to_path_buf);
    let cached = ROOTS
        .lock()
        .ok()
        .and_then(|r| r.iter().find(|(k, _)| *k == key).map(|(_, s)| s.clone()));
    let roots = match cached {
        Some(roots) => roots,
        None => {
            let roots = Arc::new(root_store(ca_file)?);
            if let Ok(mut r) = ROOTS.lock() {
                r.push((key, roots.clone()));
            }
            roots
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
        .build()
        .map_err(|e| anyhow::anyhow!("cannot set up certificate checks: {e}"))?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("cannot set up TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Remembering { inner }))
        .with_no_client_auth();
    Ok(config)
}

fn root_store(ca_file: Option<&Path>) -> anyhow::Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::debug!("OS trust store: {e}");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    tracing::debug!("OS trust store: {added} roots added, {ignored} unusable");
    if let Some(path) = ca_file {
        for cert in read_ca_file(path)? {
            roots.add(cert).map_err(|e| {
                anyhow::anyhow!(
                    "--authority-ca-file {}: a certificate in it cannot be a trust anchor ({e})",
                    path.display()
                )
            })?;
        }
    }
    Ok(roots)
}

/// The certificates of a PEM bundle; an error names the file and says what is wrong with it.
fn read_ca_file(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    use std::io::Read as _;
    let shown = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("--authority-ca-file {shown}: cannot open it ({e})"))?;
    let mut pem = Vec::new();
    file.take(CA_FILE_LIMIT + 1)
        .read_to_end(&mut pem)
        .map_err(|e| anyhow::anyhow!("--authority-ca-file {shown}: cannot read it ({e})"))?;
    if pem.len() as u64 > CA_FILE_LIMIT {
        anyhow::bail!("--authority-ca-file {shown}: larger than 4 MiB, not a CA bundle");
    }
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--authority-ca-file {shown}: not PEM certificates ({e})"))?;
    if certs.is_empty() {
        anyhow::bail!(
            "--authority-ca-file {shown}: no certificate in it (expected PEM, -----BEGIN CERTIFICATE-----)"
        );
    }
    Ok(certs)
}

/// The issuer of the last chain refused per server name, for the error message.
fn refused() -> &'static Mutex<HashMap<String, String>> {
    static REFUSED: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    REFUSED.get_or_init(Default::default)
}

/// webpki's verifier, remembering who issued a refused chain.
#[derive(Debug)]
struct Remembering {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for Remembering {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        if verdict.is_err() {
            // The top of the presented chain names the CA that would have to be trusted.
            let top = intermediates.last().unwrap_or(end_entity);
            if let (Some(issuer), Ok(mut map)) = (issuer_of(top), refused().lock()) {
                map.insert(server_name.to_str().into_owned(), issuer);
            }
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The issuer's distinguished name (`CN=..., O=...`), printable.
fn issuer_of(der: &CertificateDer<'_>) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let name = cert.issuer().to_string();
    let name: String = name.chars().take(300).collect();
    Some(crate::sink::printable(&name).into_owned())
}

/// Why a server certificate was refused, in the terms the message needs.
enum Refusal {
    Untrusted,
    Expired,
    WrongName,
    Other(String),
}

impl Refusal {
    fn from_rustls(c: &CertificateError) -> Refusal {
        match c {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => Refusal::Untrusted,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => Refusal::Expired,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                Refusal::WrongName
            }
            other => Refusal::Other(format!("{other:?}")),
        }
    }

    /// rustls's own wording, for when the error reached us boxed beyond downcasting.
    fn from_text(text: &str) -> Option<Refusal> {
        let rest = text.split("invalid peer certificate: ").nth(1)?;
        Some(
            if rest.starts_with("UnknownIssuer") || rest.starts_with("BadSignature") {
                Refusal::Untrusted
            } else if rest.starts_with("Expired") {
                Refusal::Expired
            } else if rest.starts_with("NotValidForName") {
                Refusal::WrongName
            } else {
                Refusal::Other(rest.chars().take(80).collect())
            },
        )
    }
}

/// The certificate refusal somewhere in `e`'s causes, if that is why the call failed.
fn refusal(e: &(dyn std::error::Error + 'static)) -> Option<Refusal> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return Some(Refusal::from_rustls(c));
        }
        // io::Error's source() skips the error it wraps: look inside.
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            if let Some(rustls::Error::InvalidCertificate(c)) =
                inner.downcast_ref::<rustls::Error>()
            {
                return Some(Refusal::from_rustls(c));
            }
            if let Some(r) = Refusal::from_text(&inner.to_string()) {
                return Some(r);
            }
        }
        if let Some(r) = Refusal::from_text(&err.to_string()) {
            return Some(r);
        }
        current = err.source();
    }
    None
}

/// For a failure caused by the server's certificate: one line that says the certificate is not
/// trusted, who issued it, and how to trust that CA. None for any other failure.
pub fn certificate_problem(e: &reqwest::Error) -> Option<String> {
    let problem = refusal(e)?;
    let host = e
        .url()
        .and_then(|u| u.host_str())
        .map(|h| crate::sink::printable(h).into_owned())
        .unwrap_or_else(|| "the server".to_string());
    let issuer = refused().lock().ok().and_then(|m| {
        m.get(host.trim_start_matches('[').trim_end_matches(']'))
            .cloned()
    });
    let issued_by = match &issuer {
        Some(issuer) => format!("issued by {issuer:?}"),
        None => "its issuer is unknown".to_string(),
    };
    let why = match &problem {
        Refusal::Untrusted => {
            format!("is not trusted: it is {issued_by}, a CA that is not in the trust store")
        }
        Refusal::Expired => format!("has expired ({issued_by})"),
        Refusal::WrongName => format!("is not valid for {host} ({issued_by})"),
        Refusal::Other(what) => format!(
            "is not accepted ({}; {issued_by})",
            crate::sink::printable(what)
        ),
    };
    Some(format!(
        "the TLS certificate of {host} {why}. If your network inspects TLS (a corporate proxy), trust its CA: --authority-ca-file FILE or {CA_FILE_ENV}=FILE (PEM), SSL_CERT_FILE, or the system trust store (update-ca-certificates)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_must_hold_pem_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let e = client_config(Some(&missing)).unwrap_err().to_string();
        assert!(e.contains("cannot open"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "hello\n").unwrap();
        let e = client_config(Some(&empty)).unwrap_err().to_string();
        assert!(e.contains("no certificate"), "{e}");
    }
}
