//! The edition the server runs as, from a signed license key: an EdDSA (Ed25519) JWT
//! verified offline with the seller's public key. The license is checked once at start;
//! its expiry is compared with the clock on every request, so a license lapses at its
//! exact expiry without a restart.

use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The public key of record that verifies licenses: the SPKI PEM given at build time
/// in `ENVGATE_LICENSE_PUBLIC_KEY`, else the development key committed beside this
/// file (whose private half is public too: it signs development licenses only).
pub const LICENSE_PUBLIC_KEY: &str = match option_env!("ENVGATE_LICENSE_PUBLIC_KEY") {
    Some(pem) => pem,
    None => include_str!("dev-license/license-public.pem"),
};

/// Whether this build verifies licenses with the development key (anyone can sign
/// for it), so `--production` must not accept a license with it.
pub const DEVELOPMENT_LICENSE_KEY: bool = option_env!("ENVGATE_LICENSE_PUBLIC_KEY").is_none();

/// The feature flag a license must carry to unlock multiple environments.
pub const MULTI_ENVIRONMENT: &str = "multi_environment";

/// Which edition runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EditionName {
    Community,
    Enterprise,
}

/// The state of the configured license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenseStatus {
    /// No license key is configured.
    None,
    Valid,
    Expired,
    /// Bad signature, bad shape, or no public key to check it with.
    Invalid,
}

/// The edition at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edition {
    pub name: EditionName,
    pub license_status: LicenseStatus,
    pub multi_environment: bool,
    pub licensee: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct LicenseClaims {
    sub: String,
    edition: String,
    features: Vec<String>,
    exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat: Option<i64>,
}

/// A license whose signature and shape were verified.
#[derive(Debug, Clone)]
struct License {
    licensee: String,
    enterprise: bool,
    features: Vec<String>,
    expires_at: DateTime<Utc>,
}

/// The configured license, verified once.
#[derive(Debug, Clone)]
pub struct Licensing(Option<Result<License, String>>);

impl Licensing {
    /// No license: the Community edition.
    pub fn community() -> Self {
        Self(None)
    }

    /// Verifies `key` with the SPKI PEM `public_key`, or the built-in key of record
    /// ([`LICENSE_PUBLIC_KEY`]) when none is given. A key that can't be verified is
    /// remembered as invalid (and the reason logged), never an error at start.
    pub fn load(key: Option<&str>, public_key: Option<&[u8]>) -> Self {
        let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
            return Self(None);
        };
        let verified = verify(key, public_key.unwrap_or(LICENSE_PUBLIC_KEY.as_bytes()));
        match &verified {
            Ok(license) => {
                tracing::info!(licensee = %license.licensee, expires_at = %license.expires_at, "license verified")
            }
            Err(reason) => {
                tracing::warn!(%reason, "the license key is invalid; running as Community")
            }
        }
        Self(Some(verified))
    }

    /// Whether multiple environments are unlocked at `now`: what every request asks,
    /// without building the whole [`Edition`].
    pub fn multi_environment_at(&self, now: DateTime<Utc>) -> bool {
        matches!(&self.0, Some(Ok(license)) if now < license.expires_at && license.enterprise && license.has(MULTI_ENVIRONMENT))
    }

    /// The edition at `now`.
    pub fn edition_at(&self, now: DateTime<Utc>) -> Edition {
        let community = |license_status| Edition {
            name: EditionName::Community,
            license_status,
            multi_environment: false,
            licensee: None,
            expires_at: None,
        };
        match &self.0 {
            None => community(LicenseStatus::None),
            Some(Err(_)) => community(LicenseStatus::Invalid),
            Some(Ok(license)) => {
                let valid = now < license.expires_at;
                let enterprise = valid && license.enterprise;
                Edition {
                    name: if enterprise {
                        EditionName::Enterprise
                    } else {
                        EditionName::Community
                    },
                    license_status: if valid {
                        LicenseStatus::Valid
                    } else {
                        LicenseStatus::Expired
                    },
                    multi_environment: self.multi_environment_at(now),
                    licensee: Some(license.licensee.clone()),
                    expires_at: Some(license.expires_at),
                }
            }
        }
    }
}

impl License {
    fn has(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }
}

fn verify(key: &str, public_key_pem: &[u8]) -> Result<License, String> {
    let decoding = DecodingKey::from_ed_pem(public_key_pem)
        .map_err(|e| format!("the license public key is not an Ed25519 PEM: {e}"))?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    // Expiry is judged per request, so that an expired license reads EXPIRED, not INVALID.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let claims = jsonwebtoken::decode::<LicenseClaims>(key, &decoding, &validation)
        .map_err(|e| format!("the license does not verify: {e}"))?
        .claims;
    let expires_at = DateTime::from_timestamp(claims.exp, 0)
        .ok_or_else(|| "the license expiry is out of range".to_owned())?;
    if claims.sub.trim().is_empty() {
        return Err("the license names no licensee".to_owned());
    }
    Ok(License {
        licensee: claims.sub,
        enterprise: claims.edition == "enterprise",
        features: claims.features,
        expires_at,
    })
}

/// A new Ed25519 key pair as (private PKCS#8 PEM, public SPKI PEM).
pub fn keygen() -> anyhow::Result<(String, String)> {
    let signing = ed25519_dalek::SigningKey::from_bytes(&rand::random());
    let private = signing.to_pkcs8_pem(LineEnding::LF)?.to_string();
    let public = signing.verifying_key().to_public_key_pem(LineEnding::LF)?;
    Ok((private, public))
}

/// A signed Enterprise license with the multi-environment feature.
pub fn issue(
    private_key_pem: &[u8],
    licensee: &str,
    expires_at: DateTime<Utc>,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        !licensee.trim().is_empty(),
        "the licensee must not be empty"
    );
    let key = EncodingKey::from_ed_pem(private_key_pem)
        .map_err(|e| anyhow::anyhow!("the private key is not an Ed25519 PKCS#8 PEM: {e}"))?;
    let claims = LicenseClaims {
        sub: licensee.to_owned(),
        edition: "enterprise".to_owned(),
        features: vec![MULTI_ENVIRONMENT.to_owned()],
        exp: expires_at.timestamp(),
        iat: Some(Utc::now().timestamp()),
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::EdDSA),
        &claims,
        &key,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_license_is_valid_until_its_exact_expiry() {
        let (private, public) = keygen().unwrap();
        let expires = DateTime::from_timestamp(Utc::now().timestamp() + 3600, 0).unwrap();
        let key = issue(private.as_bytes(), "Acme", expires).unwrap();
        let licensing = Licensing::load(Some(&key), Some(public.as_bytes()));
        let before = licensing.edition_at(expires - Duration::seconds(1));
        assert_eq!(before.name, EditionName::Enterprise);
        assert_eq!(before.license_status, LicenseStatus::Valid);
        assert!(before.multi_environment);
        assert!(licensing.multi_environment_at(expires - Duration::seconds(1)));
        assert!(!licensing.multi_environment_at(expires));
        assert_eq!(before.licensee.as_deref(), Some("Acme"));
        let at = licensing.edition_at(expires);
        assert_eq!(
            (at.name, at.license_status, at.multi_environment),
            (EditionName::Community, LicenseStatus::Expired, false)
        );
        assert_eq!(at.expires_at, Some(expires));
    }

    #[test]
    fn the_built_in_key_verifies_what_its_private_half_signs() {
        let private = include_str!("dev-license/license-private.pem");
        let key = issue(private.as_bytes(), "Dev", Utc::now() + Duration::days(1)).unwrap();
        let edition = Licensing::load(Some(&key), None).edition_at(Utc::now());
        assert_eq!(edition.license_status, LicenseStatus::Valid);
    }

    #[test]
    fn a_license_signed_by_another_key_is_invalid() {
        let (private, _) = keygen().unwrap();
        let (_, other_public) = keygen().unwrap();
        let key = issue(private.as_bytes(), "Acme", Utc::now() + Duration::days(1)).unwrap();
        let edition =
            Licensing::load(Some(&key), Some(other_public.as_bytes())).edition_at(Utc::now());
        assert_eq!(
            (edition.name, edition.license_status),
            (EditionName::Community, LicenseStatus::Invalid)
        );
        assert_eq!(edition.licensee, None);
    }
}
