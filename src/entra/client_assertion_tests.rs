//! Certificate loading (PEM PKCS#1/PKCS#8, PFX with and without a password) and the assertion
//! built from it (header `x5t`/`x5c`, claims, a signature the certificate's key verifies).

use super::*;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::{EncodePrivateKey as _, LineEnding};
use std::sync::OnceLock;

struct Fixture {
    pkcs8_der: Vec<u8>,
    pkcs1_pem: String,
    pkcs8_pem: String,
    cert_der: Vec<u8>,
    cert_pem: String,
    /// Another key and its certificate, for "the certificate is not the key's".
    other_cert_pem: String,
}

fn certificate(pkcs8_pem: &str) -> rcgen::Certificate {
    let kp = rcgen::KeyPair::from_pem_and_sign_algo(pkcs8_pem, &rcgen::PKCS_RSA_SHA256).unwrap();
    rcgen::CertificateParams::new(vec!["ci-deployer".to_string()])
        .unwrap()
        .self_signed(&kp)
        .unwrap()
}

/// RSA key generation is slow: one key (and one other) for every test in this binary.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let key = <rsa::PrivateKey as rsa::Generate>::generate();
        let pkcs8_pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        let cert = certificate(&pkcs8_pem);
        let other = <rsa::PrivateKey as rsa::Generate>::generate();
        let other_cert = certificate(&other.to_pkcs8_pem(LineEnding::LF).unwrap());
        Fixture {
            pkcs8_der: key.to_pkcs8_der().unwrap().as_bytes().to_vec(),
            pkcs1_pem: key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string(),
            pkcs8_pem,
            cert_der: cert.der().to_vec(),
            cert_pem: cert.pem(),
            other_cert_pem: other_cert.pem(),
        }
    })
}

fn pfx(password: &str, with_key: bool) -> Vec<u8> {
    let f = fixture();
    let cert = p12_keystore::Certificate::from_der(&f.cert_der).unwrap();
    let mut store = p12_keystore::KeyStore::new();
    let entry = if with_key {
        let key = p12_keystore::PrivateKey::from_der(&f.pkcs8_der).unwrap();
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
            b"1".as_slice(),
            key,
            [cert],
        ))
    } else {
        p12_keystore::KeyStoreEntry::Certificate(cert)
    };
    store.add_entry("ci-deployer", entry);
    store.writer(password).write().unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn expected_x5t() -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &fixture().cert_der);
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

#[test]
fn pem_with_a_pkcs8_or_pkcs1_key_in_either_order() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("p8.pem", format!("{}{}", f.cert_pem, f.pkcs8_pem)),
        ("p1.pem", format!("{}\n{}", f.pkcs1_pem, f.cert_pem)),
        // A chain before the key's own certificate: the matching one is used.
        (
            "chain.pem",
            format!("{}{}{}", f.other_cert_pem, f.cert_pem, f.pkcs8_pem),
        ),
    ] {
        let cert = ClientCertificate::load(&write(&dir, name, text.as_bytes()), None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cert.x5t(), expected_x5t(), "{name}");
        assert_eq!(cert.der, f.cert_der, "{name}");
    }
}

#[test]
fn pfx_with_and_without_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let with = write(&dir, "with.pfx", &pfx("s3cret!", true));
    let cert = ClientCertificate::load(&with, Some(&Secret::new("s3cret!"))).unwrap();
    assert_eq!(cert.x5t(), expected_x5t());
    // No password: the empty one, as exports without a password are written.
    let without = write(&dir, "without.p12", &pfx("", true));
    assert_eq!(
        ClientCertificate::load(&without, None).unwrap().x5t(),
        expected_x5t()
    );
}

#[test]
fn wrong_or_missing_pfx_password_is_one_line_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "c.pfx", &pfx("right", true));
    let e = ClientCertificate::load(&path, Some(&Secret::new("wrong-pw-xyz")))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("password")
            && e.contains("is wrong")
            && e.contains("--client-certificate-password"),
        "{e}"
    );
    assert!(!e.contains("wrong-pw-xyz") && !e.contains('\n'), "{e}");
    let e = ClientCertificate::load(&path, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("password-protected"), "{e}");
}

#[test]
fn a_certificate_without_its_key_is_refused() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("cert-only.pem", f.cert_pem.clone().into_bytes(), "has no private key"),
        ("cert-only.pfx", pfx("", false), "has no private key"),
        ("key-only.pem", f.pkcs8_pem.clone().into_bytes(), "no certificate"),
        (
            "mismatch.pem",
            format!("{}{}", f.other_cert_pem, f.pkcs8_pem).into_bytes(),
            "belongs to its private key",
        ),
        (
            "encrypted.pem",
            format!(
                "{}-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                f.cert_pem
            )
            .into_bytes(),
            "encrypted",
        ),
        ("garbage.pfx", b"\x30\x03\x02\x01\x03".to_vec(), "neither PEM nor"),
    ];
    for (name, bytes, want) in cases {
        let e = ClientCertificate::load(&write(&dir, name, &bytes), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{name}: {e}");
        assert!(!e.contains('\n'), "{name}: {e}");
    }
    let e = ClientCertificate::load(&dir.path().join("missing.pem"), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot read") && e.contains("--client-certificate"),
        "{e}"
    );
}

fn decode(part: &str) -> serde_json::Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn the_assertion_names_the_certificate_and_verifies_with_its_key() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "c.pem",
        format!("{}{}", f.cert_pem, f.pkcs8_pem).as_bytes(),
    );
    let cert = ClientCertificate::load(&path, None).unwrap();
    let aud = "https://login.microsoftonline.com/t1/oauth2/v2.0/token";
    let now = 1_700_000_000;
    let jwt = cert.assertion("app-1", aud, now).unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);

    let header = decode(parts[0]);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["x5t"], expected_x5t().as_str());
    assert_eq!(header["x5c"][0], STANDARD.encode(&f.cert_der).as_str());

    let claims = decode(parts[1]);
    assert_eq!(claims["aud"], aud);
    assert_eq!(claims["iss"], "app-1");
    assert_eq!(claims["sub"], "app-1");
    assert_eq!(claims["nbf"], now);
    assert_eq!(claims["exp"], now + ASSERTION_LIFETIME_SECONDS);
    let jti = claims["jti"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(jti).is_ok(), "{jti}");
    let again = decode(
        cert.assertion("app-1", aud, now)
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap(),
    );
    assert_ne!(
        again["jti"], claims["jti"],
        "every assertion has its own jti"
    );

    let public = rsa_public_key(&f.cert_der).unwrap();
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let input = format!("{}.{}", parts[0], parts[1]);
    ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, public)
        .verify(input.as_bytes(), &signature)
        .expect("the signature verifies with the certificate's public key");
}

#[test]
fn debug_shows_the_thumbprint_not_the_key() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "c.pem",
        format!("{}{}", f.cert_pem, f.pkcs1_pem).as_bytes(),
    );
    let text = format!("{:?}", ClientCertificate::load(&path, None).unwrap());
    assert!(
        text.contains(&expected_x5t()) && text.contains("redacted"),
        "{text}"
    );
}
