//! `--production`: what `serve` refuses to start without (an explicit database, JWT
//! secret or identity provider with an audience, master key) and with (a license
//! verified by a key other than the built-in one, a short JWT secret).

use super::super::configured;
use crate::config::ServeArgs;
use crate::edition;

/// The shortest JWT secret `--production` accepts (HS256 wants 256 bits).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// What the `--production` rules look at: whether each setting is configured (a
/// blank one is not) and how long the JWT secret is, never a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Production {
    /// `DATABASE_URL`.
    pub database_url: bool,
    /// `ENVGATE_JWT_SECRET`'s length in bytes, when set.
    pub jwt_secret_bytes: Option<usize>,
    /// `ENVGATE_JWKS_URL`, `ENVGATE_JWKS_FILE` or `ENVGATE_OIDC_ISSUER`.
    pub identity_provider: bool,
    /// `ENVGATE_JWT_AUDIENCE`.
    pub jwt_audience: bool,
    /// `ENVGATE_MASTER_KEY` or `ENVGATE_MASTER_KEYS`.
    pub master_key: bool,
    /// `ENVGATE_LICENSE_PUBLIC_KEY_FILE`.
    pub license_public_key_file: bool,
    /// `ENVGATE_LICENSE_KEY`.
    pub license_key: bool,
    /// Whether this binary verifies licenses with the public development key
    /// ([`edition::DEVELOPMENT_LICENSE_KEY`]).
    pub development_license_key: bool,
}

impl Production {
    /// What `serve`'s settings configure, in this binary.
    pub fn of(args: &ServeArgs) -> Self {
        Self {
            database_url: configured(&args.database.database_url).is_some(),
            jwt_secret_bytes: configured(&args.jwt.jwt_secret).map(str::len),
            identity_provider: args.provider.configured(),
            jwt_audience: configured(&args.jwt.jwt_audience).is_some(),
            master_key: configured(&args.keys.master_key).is_some()
                || configured(&args.keys.master_keys).is_some(),
            license_public_key_file: args.license_public_key_file.is_some(),
            license_key: configured(&args.license_key).is_some(),
            development_license_key: edition::DEVELOPMENT_LICENSE_KEY,
        }
    }

    /// Why a production server must not start with these settings, rule by rule
    /// (every missing setting named at once), or nothing.
    pub fn check(&self) -> anyhow::Result<()> {
        let missing: Vec<&str> = [
            ("DATABASE_URL", !self.database_url),
            (
                "ENVGATE_JWT_SECRET or an identity provider (ENVGATE_JWKS_URL, ENVGATE_JWKS_FILE, ENVGATE_OIDC_ISSUER)",
                self.jwt_secret_bytes.is_none() && !self.identity_provider,
            ),
            (
                "ENVGATE_JWT_AUDIENCE (with an identity provider, tokens it signs for other applications would pass)",
                self.identity_provider && !self.jwt_audience,
            ),
            ("ENVGATE_MASTER_KEY or ENVGATE_MASTER_KEYS", !self.master_key),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        if !missing.is_empty() {
            anyhow::bail!(
                "--production needs explicit settings; missing: {}",
                missing.join(", ")
            );
        }
        if self.license_public_key_file {
            anyhow::bail!(
                "--production verifies licenses with the key built into the binary only: remove --license-public-key-file (ENVGATE_LICENSE_PUBLIC_KEY_FILE)"
            );
        }
        if self.license_key && self.development_license_key {
            anyhow::bail!(
                "--production with a license needs a binary built with ENVGATE_LICENSE_PUBLIC_KEY set: this one verifies licenses with the public development key"
            );
        }
        if self
            .jwt_secret_bytes
            .is_some_and(|bytes| bytes < MIN_JWT_SECRET_BYTES)
        {
            anyhow::bail!(
                "--production needs a JWT secret of at least {MIN_JWT_SECRET_BYTES} bytes"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A production server's settings with a JWT secret: every rule met.
    fn complete() -> Production {
        Production {
            database_url: true,
            jwt_secret_bytes: Some(MIN_JWT_SECRET_BYTES),
            identity_provider: false,
            jwt_audience: false,
            master_key: true,
            license_public_key_file: false,
            license_key: false,
            development_license_key: true,
        }
    }

    fn refusal(settings: Production) -> String {
        settings.check().unwrap_err().to_string()
    }

    const MISSING: &str = "--production needs explicit settings; missing: ";

    #[test]
    fn explicit_settings_start() {
        complete().check().unwrap();
        // An identity provider with an audience instead of a secret.
        Production {
            jwt_secret_bytes: None,
            identity_provider: true,
            jwt_audience: true,
            ..complete()
        }
        .check()
        .unwrap();
        // A license verified by the key of record of a release build.
        Production {
            license_key: true,
            development_license_key: false,
            ..complete()
        }
        .check()
        .unwrap();
    }

    #[test]
    fn a_database_url_is_required() {
        let settings = Production {
            database_url: false,
            ..complete()
        };
        assert_eq!(refusal(settings), format!("{MISSING}DATABASE_URL"));
    }

    #[test]
    fn a_jwt_secret_or_an_identity_provider_is_required() {
        let settings = Production {
            jwt_secret_bytes: None,
            ..complete()
        };
        assert_eq!(
            refusal(settings),
            format!(
                "{MISSING}ENVGATE_JWT_SECRET or an identity provider (ENVGATE_JWKS_URL, ENVGATE_JWKS_FILE, ENVGATE_OIDC_ISSUER)"
            )
        );
    }

    #[test]
    fn an_identity_provider_needs_an_audience() {
        let settings = Production {
            identity_provider: true,
            jwt_audience: false,
            ..complete()
        };
        assert_eq!(
            refusal(settings),
            format!(
                "{MISSING}ENVGATE_JWT_AUDIENCE (with an identity provider, tokens it signs for other applications would pass)"
            )
        );
    }

    #[test]
    fn a_master_key_is_required() {
        let settings = Production {
            master_key: false,
            ..complete()
        };
        assert_eq!(
            refusal(settings),
            format!("{MISSING}ENVGATE_MASTER_KEY or ENVGATE_MASTER_KEYS")
        );
    }

    #[test]
    fn every_missing_setting_is_named_at_once() {
        let nothing = Production {
            database_url: false,
            jwt_secret_bytes: None,
            identity_provider: false,
            jwt_audience: false,
            master_key: false,
            license_public_key_file: true,
            license_key: true,
            development_license_key: true,
        };
        assert_eq!(
            refusal(nothing),
            format!(
                "{MISSING}DATABASE_URL, ENVGATE_JWT_SECRET or an identity provider (ENVGATE_JWKS_URL, ENVGATE_JWKS_FILE, ENVGATE_OIDC_ISSUER), ENVGATE_MASTER_KEY or ENVGATE_MASTER_KEYS"
            )
        );
    }

    #[test]
    fn licenses_are_verified_by_the_built_in_key_only() {
        let settings = Production {
            license_public_key_file: true,
            ..complete()
        };
        assert_eq!(
            refusal(settings),
            "--production verifies licenses with the key built into the binary only: remove --license-public-key-file (ENVGATE_LICENSE_PUBLIC_KEY_FILE)"
        );
    }

    #[test]
    fn a_license_needs_a_binary_with_a_key_of_record() {
        let settings = Production {
            license_key: true,
            development_license_key: true,
            ..complete()
        };
        assert_eq!(
            refusal(settings),
            "--production with a license needs a binary built with ENVGATE_LICENSE_PUBLIC_KEY set: this one verifies licenses with the public development key"
        );
        // Without a license the development key verifies nothing: no refusal.
        Production {
            license_key: false,
            development_license_key: true,
            ..complete()
        }
        .check()
        .unwrap();
    }

    #[test]
    fn a_jwt_secret_has_at_least_32_bytes() {
        let settings = Production {
            jwt_secret_bytes: Some(MIN_JWT_SECRET_BYTES - 1),
            ..complete()
        };
        assert_eq!(
            refusal(settings),
            "--production needs a JWT secret of at least 32 bytes"
        );
        // Also beside an identity provider.
        let settings = Production {
            jwt_secret_bytes: Some(5),
            identity_provider: true,
            jwt_audience: true,
            ..complete()
        };
        assert_eq!(
            refusal(settings),
            "--production needs a JWT secret of at least 32 bytes"
        );
    }

    #[test]
    fn blank_settings_are_not_configured() {
        use clap::Parser as _;

        use crate::config::{Cli, Command};

        // Flags only (each wins over its variable), blanks where a value is expected.
        let cli = Cli::try_parse_from([
            "envgate",
            "serve",
            "--production",
            "--database-url",
            " ",
            "--jwt-secret",
            "  0123456789abcdef0123456789abcdef  ",
            "--jwt-audience",
            "",
            "--license-key",
            " ",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            unreachable!("serve was parsed")
        };
        let settings = Production::of(&args);
        assert!(!settings.database_url);
        // Trimmed before it is measured.
        assert_eq!(settings.jwt_secret_bytes, Some(32));
        assert!(!settings.jwt_audience);
        assert!(!settings.license_key);
    }
}
