//! Sealing and opening option secrets with AES-256-GCM under the server's master key.
//!
//! A sealed secret is `v1.<key id>.<base64(nonce ‖ ciphertext)>`. Its associated data
//! binds it to one (data source, environment, option key), so a ciphertext copied to
//! another row does not open. The key id names the master key that sealed it, so a
//! later rotation can tell old ciphertexts from new ones and re-seal them.

use aes_gcm::aead::{Aead, Generate as _, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as BASE64;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

const VERSION: &str = "v1";
const NONCE_LEN: usize = 12;

/// The row a secret belongs to: its associated data.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub data_source_id: Uuid,
    pub environment_id: Uuid,
    pub key: &'a str,
}

impl Binding<'_> {
    fn associated_data(&self) -> Vec<u8> {
        format!(
            "envgate/{VERSION}/{}/{}/{}",
            self.data_source_id, self.environment_id, self.key
        )
        .into_bytes()
    }
}

/// Why a sealed secret did not open. Never carries the secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("the sealed secret is malformed")]
    Malformed,
    #[error("the secret was sealed under master key {0}, which this server does not hold")]
    UnknownKey(String),
    #[error("the secret does not open for this row (tampered, or copied from another row)")]
    Forged,
}

/// The master key, ready to seal and open secrets.
pub struct MasterKey {
    cipher: Aes256Gcm,
    id: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl MasterKey {
    /// A key from 64 hex characters (32 bytes).
    pub fn from_hex(hex_key: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(hex_key.trim())
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or_else(|| {
                anyhow::anyhow!("the master key must be 64 hexadecimal characters (32 bytes)")
            })?;
        let key = Key::<Aes256Gcm>::try_from(bytes.as_slice())
            .map_err(|_| anyhow::anyhow!("bad master key length"))?;
        // The id is a digest of the key: stable, and reveals nothing usable about it.
        let id = hex::encode(
            &Sha256::digest([b"envgate-master-key-id:".as_slice(), &bytes].concat())[..4],
        );
        Ok(Self {
            cipher: Aes256Gcm::new(&key),
            id,
        })
    }

    /// A new random key, as 64 hex characters.
    pub fn generate_hex() -> String {
        hex::encode(rand::random::<[u8; 32]>())
    }

    /// The id written into every secret this key seals.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Seals `plaintext` for the row `binding` names.
    pub fn seal(&self, plaintext: &str, binding: Binding<'_>) -> String {
        let nonce = Nonce::generate();
        let aad = binding.associated_data();
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        format!("{VERSION}.{}.{}", self.id, BASE64.encode(blob))
    }

    /// Opens a secret sealed for the row `binding` names.
    pub fn open(&self, sealed: &str, binding: Binding<'_>) -> Result<String, OpenError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(VERSION), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(OpenError::Malformed);
        };
        if key_id != self.id {
            return Err(OpenError::UnknownKey(key_id.to_owned()));
        }
        let blob = BASE64.decode(body).map_err(|_| OpenError::Malformed)?;
        if blob.len() < NONCE_LEN {
            return Err(OpenError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| OpenError::Malformed)?;
        let aad = binding.associated_data();
        let plaintext = self
            .cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| OpenError::Forged)?;
        String::from_utf8(plaintext).map_err(|_| OpenError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(key: &str) -> Binding<'_> {
        Binding {
            data_source_id: Uuid::from_u128(1),
            environment_id: Uuid::from_u128(2),
            key,
        }
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_own_row() {
        let master = MasterKey::from_hex(&MasterKey::generate_hex()).unwrap();
        let sealed = master.seal("hunter2", binding("password"));
        assert!(!sealed.contains("hunter2"));
        assert!(sealed.starts_with(&format!("v1.{}.", master.id())));
        assert_eq!(
            master.open(&sealed, binding("password")).unwrap(),
            "hunter2"
        );
        assert_eq!(
            master.open(&sealed, binding("token")),
            Err(OpenError::Forged)
        );
        let other_env = Binding {
            environment_id: Uuid::from_u128(3),
            ..binding("password")
        };
        assert_eq!(master.open(&sealed, other_env), Err(OpenError::Forged));
    }

    #[test]
    fn another_master_key_is_recognised_by_its_id() {
        let a = MasterKey::from_hex(&MasterKey::generate_hex()).unwrap();
        let b = MasterKey::from_hex(&MasterKey::generate_hex()).unwrap();
        let sealed = a.seal("x", binding("password"));
        assert_eq!(
            b.open(&sealed, binding("password")),
            Err(OpenError::UnknownKey(a.id().to_owned()))
        );
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert!(MasterKey::from_hex("abc").is_err());
        assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(MasterKey::from_hex(&"ab".repeat(31)).is_err());
    }
}
