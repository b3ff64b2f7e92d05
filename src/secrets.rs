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
/// The longest key id `ENVGATE_MASTER_KEYS` accepts.
const MAX_KEY_ID_LEN: usize = 32;

/// The id of the master key that sealed `sealed`, if it is a sealed secret at all.
pub fn key_id_of(sealed: &str) -> Option<&str> {
    let mut parts = sealed.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(VERSION), Some(id), Some(_)) => Some(id),
        _ => None,
    }
}

/// The master keys a server holds: the first seals, every one opens what it sealed.
/// Rotation adds a new key in front, re-seals (`envgate keys reseal`), then drops the
/// old one.
#[derive(Debug)]
pub struct MasterKeys {
    keys: Vec<MasterKey>,
}

impl From<MasterKey> for MasterKeys {
    fn from(key: MasterKey) -> Self {
        Self { keys: vec![key] }
    }
}

impl MasterKeys {
    /// The keys in order; the first seals. Refuses an empty list and repeated ids.
    pub fn new(keys: Vec<MasterKey>) -> anyhow::Result<Self> {
        anyhow::ensure!(!keys.is_empty(), "at least one master key is needed");
        for (i, key) in keys.iter().enumerate() {
            anyhow::ensure!(
                !keys[..i].iter().any(|k| k.id == key.id),
                "master key id {} is given twice",
                key.id
            );
        }
        Ok(Self { keys })
    }

    /// `ENVGATE_MASTER_KEYS`: comma-separated `KEYID:64-hex-characters`, first seals.
    pub fn parse(list: &str) -> anyhow::Result<Self> {
        let keys = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (id, hex_key) = entry
                    .split_once(':')
                    .ok_or_else(|| anyhow::anyhow!("each master key is KEYID:64-hex-characters"))?;
                MasterKey::with_id(id, hex_key)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Self::new(keys)
    }

    /// The key that seals.
    pub fn current(&self) -> &MasterKey {
        &self.keys[0]
    }

    /// Whether a key with this id is held.
    pub fn holds(&self, id: &str) -> bool {
        self.keys.iter().any(|k| k.id == id)
    }

    /// The ids held, the sealing one first.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.id.as_str()).collect()
    }

    /// Seals with the current key.
    pub fn seal(&self, plaintext: &str, binding: Binding<'_>) -> String {
        self.current().seal(plaintext, binding)
    }

    /// Opens with whichever held key sealed it.
    pub fn open(&self, sealed: &str, binding: Binding<'_>) -> Result<String, OpenError> {
        let id = key_id_of(sealed).ok_or(OpenError::Malformed)?;
        self.keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| OpenError::UnknownKey(id.to_owned()))?
            .open(sealed, binding)
    }
}

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

    /// A key from 64 hex characters with an id of the operator's choosing (letters,
    /// digits, `-` and `_`, at most 32), as `ENVGATE_MASTER_KEYS` names them.
    pub fn with_id(id: &str, hex_key: &str) -> anyhow::Result<Self> {
        let id = id.trim();
        anyhow::ensure!(
            (1..=MAX_KEY_ID_LEN).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "a master key id must be 1 to {MAX_KEY_ID_LEN} letters, digits, '-' or '_' (got {id:?})"
        );
        Ok(Self {
            id: id.to_owned(),
            ..Self::from_hex(hex_key)?
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
    fn a_keyring_seals_with_its_first_key_and_opens_with_any() {
        let old = MasterKey::with_id("old", &MasterKey::generate_hex()).unwrap();
        let sealed_by_old = old.seal("x", binding("password"));
        let new_hex = MasterKey::generate_hex();
        let ring = MasterKeys::parse(&format!(" new:{new_hex} , old:{}", "0".repeat(64))).unwrap();
        assert_eq!(ring.ids(), ["new", "old"]);
        assert_eq!(key_id_of(&ring.seal("y", binding("password"))), Some("new"));
        // A key of the same id but other bytes does not open it.
        assert_eq!(
            ring.open(&sealed_by_old, binding("password")),
            Err(OpenError::Forged)
        );
        let ring =
            MasterKeys::new(vec![MasterKey::with_id("new", &new_hex).unwrap(), old]).unwrap();
        assert_eq!(ring.open(&sealed_by_old, binding("password")).unwrap(), "x");
        assert!(MasterKeys::parse("a:00").is_err());
        assert!(MasterKeys::parse(&format!("a.b:{new_hex}")).is_err());
        assert!(MasterKeys::parse(&format!("a:{new_hex},a:{new_hex}")).is_err());
        assert!(MasterKeys::parse(" , ").is_err());
    }

    #[test]
    fn malformed_keys_are_refused() {
        assert!(MasterKey::from_hex("abc").is_err());
        assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(MasterKey::from_hex(&"ab".repeat(31)).is_err());
    }
}
