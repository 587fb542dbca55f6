//! A service principal's certificate and the client assertion signed with it (RFC 7523
//! `private_key_jwt`, as Entra's "certificate credentials" page describes it): an RS256 JWT whose
//! header names the certificate by its SHA-1 thumbprint (`x5t`) and carries the certificate
//! (`x5c`, as kubelogin's azidentity sends it), with `aud` = the token endpoint, `iss` = `sub` =
//! the client id, a fresh `jti`, and a ten-minute life.
//!
//! The certificate file is PEM (certificate and its RSA key, PKCS#1 or PKCS#8) or PFX/PKCS#12
//! (with an optional password). Signing is `ring`'s, already linked through rustls; the JWT is
//! two base64 JSON parts and a signature, built by hand so no second RSA stack is linked.

use super::settings::Secret;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rustls_pki_types::pem::{PemObject, SectionKind};
use std::path::Path;

/// Certificate files are a few KB; a chain with a dozen certificates stays far below this.
const MAX_CERTIFICATE_FILE: u64 = 1 << 20;

/// How long an assertion is valid (Entra's page: "5-10 minutes after nbf").
pub const ASSERTION_LIFETIME_SECONDS: i64 = 600;

/// A certificate with its private key. Debug shows the thumbprint only.
pub struct ClientCertificate {
    key: RsaKeyPair,
    /// DER of the certificate that matches the key.
    der: Vec<u8>,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t", &self.x5t())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl ClientCertificate {
    /// Reads a PEM or PFX file (told apart by content, not by name).
    pub fn load(path: &Path, password: Option<&Secret>) -> anyhow::Result<ClientCertificate> {
        let shown = path.display();
        let bytes = read_limited(path).map_err(|e| {
            anyhow::anyhow!(
                "cannot read the client certificate {shown}: {e}; check --client-certificate (or AZURE_CLIENT_CERTIFICATE_PATH)"
            )
        })?;
        let text_start = bytes.iter().skip_while(|b| b.is_ascii_whitespace()).take(5);
        if text_start.eq(b"-----".iter()) {
            from_pem(&bytes, &shown.to_string())
        } else {
            from_pfx(&bytes, password, &shown.to_string())
        }
    }

    /// `x5t`: base64url of the SHA-1 of the certificate's DER (what Entra looks the key up by).
    pub fn x5t(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der);
        URL_SAFE_NO_PAD.encode(digest.as_ref())
    }

    /// The signed assertion for `client_id` at the token endpoint `audience`, valid from `now`.
    pub fn assertion(&self, client_id: &str, audience: &str, now: i64) -> anyhow::Result<String> {
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": self.x5t(),
            "x5c": [STANDARD.encode(&self.der)],
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| anyhow::anyhow!("signing the client assertion failed"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_CERTIFICATE_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_CERTIFICATE_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_CERTIFICATE_FILE} bytes, not a certificate"
        )));
    }
    Ok(bytes)
}

/// PEM: every certificate and every key in the file; the certificate used is the one whose
/// public key is the key's (a chain may come first).
fn from_pem(bytes: &[u8], shown: &str) -> anyhow::Result<ClientCertificate> {
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes) {
        let (kind, der) = item.map_err(|e| {
            anyhow::anyhow!("{shown} is not valid PEM ({e}); use a PEM file with the certificate and its private key, or a PFX")
        })?;
        match kind {
            SectionKind::Certificate => certs.push(der),
            SectionKind::RsaPrivateKey => {
                keys.push(RsaKeyPair::from_der(&der).map_err(|e| bad_key(shown, &e.to_string()))?)
            }
            SectionKind::PrivateKey => {
                keys.push(RsaKeyPair::from_pkcs8(&der).map_err(|e| bad_key(shown, &e.to_string()))?)
            }
            SectionKind::EcPrivateKey => anyhow::bail!(
                "{shown} holds an EC key; Entra certificate credentials need an RSA key (2048 bits or more)"
            ),
            _ => {}
        }
    }
    if keys.is_empty() {
        if bytes
            .windows(b"ENCRYPTED PRIVATE KEY".len())
            .any(|w| w == b"ENCRYPTED PRIVATE KEY")
        {
            anyhow::bail!(
                "the private key in {shown} is encrypted, which PEM files here may not be; decrypt it (openssl pkey -in KEY -out key.pem) or use a PFX with --client-certificate-password"
            );
        }
        anyhow::bail!(
            "the client certificate {shown} has no private key; use a PEM file with both the certificate and its key (or a PFX)"
        );
    }
    if certs.is_empty() {
        anyhow::bail!(
            "{shown} has a private key but no certificate; put the certificate (-----BEGIN CERTIFICATE-----) in the same file"
        );
    }
    pair(keys, certs, shown)
}

fn bad_key(shown: &str, why: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "the private key in {shown} is not a usable RSA key ({why}); Entra certificate credentials need an RSA key of 2048 bits or more"
    )
}

/// PFX: decrypted with the password (none = the empty password, as `openssl pkcs12 -passout
/// pass:` and Azure's exports without one write them).
fn from_pfx(
    bytes: &[u8],
    password: Option<&Secret>,
    shown: &str,
) -> anyhow::Result<ClientCertificate> {
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(
        bytes,
        password.map(Secret::expose).unwrap_or(""),
    )
    .map_err(|e| match e {
        p12_keystore::error::Error::MacError(_) => match password {
            Some(_) => anyhow::anyhow!(
                "the password for the PFX certificate {shown} is wrong; check --client-certificate-password (or AZURE_CLIENT_CERTIFICATE_PASSWORD)"
            ),
            None => anyhow::anyhow!(
                "the PFX certificate {shown} is password-protected; pass --client-certificate-password (or set AZURE_CLIENT_CERTIFICATE_PASSWORD)"
            ),
        },
        other => anyhow::anyhow!(
            "{shown} is neither PEM nor a readable PFX/PKCS#12 file ({other}); use a PEM file with the certificate and its key, or a PFX"
        ),
    })?;
    let keys = archive
        .keys
        .iter()
        .map(|bag| RsaKeyPair::from_pkcs8(bag.key.as_der()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_key(shown, &e.to_string()))?;
    if keys.is_empty() {
        anyhow::bail!(
            "the PFX certificate {shown} has no private key; export it with its key (e.g. openssl pkcs12 -export -inkey KEY -in CERT)"
        );
    }
    let certs: Vec<Vec<u8>> = archive
        .certs
        .iter()
        .map(|bag| bag.cert.as_der().to_vec())
        .collect();
    if certs.is_empty() {
        anyhow::bail!("the PFX file {shown} has a private key but no certificate");
    }
    pair(keys, certs, shown)
}

/// The first key with a certificate for it.
fn pair(
    keys: Vec<RsaKeyPair>,
    certs: Vec<Vec<u8>>,
    shown: &str,
) -> anyhow::Result<ClientCertificate> {
    for key in keys {
        let public = key.public().as_ref().to_vec();
        if let Some(der) = certs
            .iter()
            .find(|der| rsa_public_key(der).as_deref() == Some(&public))
        {
            return Ok(ClientCertificate {
                key,
                der: der.clone(),
            });
        }
    }
    anyhow::bail!(
        "no certificate in {shown} belongs to its private key; put the key's own certificate in the file"
    )
}

/// The DER `RSAPublicKey` inside a certificate's subject public key info.
fn rsa_public_key(cert_der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).ok()?;
    Some(cert.public_key().subject_public_key.data.to_vec())
}

#[cfg(test)]
#[path = "client_assertion_tests.rs"]
mod tests;
