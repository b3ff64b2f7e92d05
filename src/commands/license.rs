//! `envgate license keygen | issue`: license key pairs, and the licenses they sign.

use anyhow::{Context as _, bail};
use chrono::{NaiveTime, Utc};

use crate::config::LicenseCommand;
use crate::{dev, edition};

/// Runs one `envgate license` command.
pub fn run(command: LicenseCommand) -> anyhow::Result<()> {
    match command {
        LicenseCommand::Keygen { out } => {
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let (private, public) = edition::keygen()?;
            let (private_path, public_path) = (
                out.join("license-private.pem"),
                out.join("license-public.pem"),
            );
            if private_path.exists() {
                bail!(
                    "{} exists: refusing to overwrite a private key",
                    private_path.display()
                );
            }
            dev::write_private(&private_path, &private)
                .with_context(|| format!("writing {}", private_path.display()))?;
            std::fs::write(&public_path, public)
                .with_context(|| format!("writing {}", public_path.display()))?;
            eprintln!(
                "wrote {} and {}",
                private_path.display(),
                public_path.display()
            );
            Ok(())
        }
        LicenseCommand::Issue {
            private_key,
            licensee,
            expires,
        } => {
            let pem = std::fs::read(&private_key)
                .with_context(|| format!("reading {}", private_key.display()))?;
            // Valid through the whole of the last day, UTC.
            let expires_at = expires
                .succ_opt()
                .context("expiry date out of range")?
                .and_time(NaiveTime::MIN)
                .and_utc();
            if expires_at <= Utc::now() {
                tracing::warn!("this license has already expired");
            }
            println!("{}", edition::issue(&pem, &licensee, expires_at)?);
            Ok(())
        }
    }
}
