//! The emulator's token signing key: RSA 2048, created on first start and kept in the state dir
//! so tokens (and the API server's trust) survive a restart.

use super::files::write_private;
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::PrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

const KEY_FILE: &str = "signing-key.pem";
const KEY_BITS: usize = 2048;

pub struct SigningKeys {
    encoding: EncodingKey,
    kid: String,
    jwks: serde_json::Value,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKeys {
    /// Loads `state_dir/signing-key.pem`, or generates and saves a new key (0600).
    pub fn load_or_create(state_dir: &Path) -> anyhow::Result<SigningKeys> {
        let path = state_dir.join(KEY_FILE);
        let key = if path.exists() {
            let pem = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            PrivateKey::from_pkcs8_pem(&pem).with_context(|| {
                format!(
                    "{} is not a PKCS#8 RSA key; delete it to make a new one",
                    path.display()
                )
            })?
        } else {
            let key = PrivateKey::new(&mut getrandom::SysRng, KEY_BITS)
                .context("cannot generate the sandbox signing key")?;
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .context("cannot encode the sandbox signing key")?;
            write_private(&path, pem.as_bytes())?;
            key
        };
        Self::from_key(&key)
    }

    fn from_key(key: &PrivateKey) -> anyhow::Result<SigningKeys> {
        let pem = key.to_pkcs8_pem(LineEnding::LF)?;
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())
            .context("jsonwebtoken rejected the sandbox signing key")?;
        let public_der = key.to_public_key().to_public_key_der()?;
        // Entra's kid/x5t are 27-character base64url thumbprints; ours is the SHA-256 of the
        // public key cut to the same length, stable for as long as the key is.
        let digest = Sha256::digest(public_der.as_bytes());
        let kid = URL_SAFE_NO_PAD.encode(&digest[..20]);
        let n = URL_SAFE_NO_PAD.encode(key.n().to_be_bytes_trimmed_vartime());
        let e = URL_SAFE_NO_PAD.encode(key.e().to_be_bytes_trimmed_vartime());
        let jwks = serde_json::json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": kid,
                "x5t": kid,
                "n": n,
                "e": e,
            }]
        });
        Ok(SigningKeys {
            encoding,
            kid,
            jwks,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `{"keys":[{kty,use,kid,x5t,n,e}]}`
    pub fn jwks(&self) -> serde_json::Value {
        self.jwks.clone()
    }

    /// RS256 JWT with `typ: JWT` and `kid`; v1 access tokens also carry `x5t` like Entra's.
    pub fn sign<T: Serialize>(&self, claims: &T, with_x5t: bool) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some("JWT".to_string());
        header.kid = Some(self.kid.clone());
        if with_x5t {
            header.x5t = Some(self.kid.clone());
        }
        jsonwebtoken::encode(&header, claims, &self.encoding).context("cannot sign a token")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[test]
    fn key_persists_and_verifies_against_jwks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = SigningKeys::load_or_create(dir.path()).expect("create");
        let b = SigningKeys::load_or_create(dir.path()).expect("reload");
        assert_eq!(a.kid(), b.kid());
        assert_eq!(a.kid().len(), 27);
        let token = a
            .sign(
                &serde_json::json!({"sub": "x", "exp": 4_000_000_000u64}),
                true,
            )
            .expect("sign");
        let jwk = &b.jwks()["keys"][0];
        let n = jwk["n"].as_str().expect("n");
        let e = jwk["e"].as_str().expect("e");
        assert_eq!(e, "AQAB");
        let key = DecodingKey::from_rsa_components(n, e).expect("key");
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_aud = false;
        let data = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &v).expect("verify");
        assert_eq!(data.header.kid.as_deref(), Some(a.kid()));
        assert_eq!(data.header.x5t.as_deref(), Some(a.kid()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
