use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};

use crate::edition;

/// The edition the server runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum EditionName {
    /// Production only: one environment.
    Community,
    /// Multiple environments, from a valid license.
    Enterprise,
}

/// The state of the configured license key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum LicenseStatus {
    /// No license key is configured.
    None,
    /// The license verifies and has not expired.
    Valid,
    /// The license verifies but its expiry has passed.
    Expired,
    /// The license does not verify (bad signature or shape).
    Invalid,
}

/// The running edition and its license, as of this request.
#[derive(Debug, Clone, SimpleObject)]
pub struct Edition {
    /// COMMUNITY or ENTERPRISE.
    pub name: EditionName,
    /// Whether a license is configured, valid, expired or invalid.
    pub license_status: LicenseStatus,
    /// Whether environments other than Production can be used.
    pub multi_environment: bool,
    /// Who the license is for, when it verifies.
    pub licensee: Option<String>,
    /// When the license lapses, when it verifies.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<edition::Edition> for Edition {
    fn from(e: edition::Edition) -> Self {
        Self {
            name: match e.name {
                edition::EditionName::Community => EditionName::Community,
                edition::EditionName::Enterprise => EditionName::Enterprise,
            },
            license_status: match e.license_status {
                edition::LicenseStatus::None => LicenseStatus::None,
                edition::LicenseStatus::Valid => LicenseStatus::Valid,
                edition::LicenseStatus::Expired => LicenseStatus::Expired,
                edition::LicenseStatus::Invalid => LicenseStatus::Invalid,
            },
            multi_environment: e.multi_environment,
            licensee: e.licensee,
            expires_at: e.expires_at,
        }
    }
}
