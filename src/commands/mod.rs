//! The `envgate` commands, one module each by its noun: [`serve`], [`migrate`],
//! [`token`], [`license`], [`keys`] and [`config`] (`schema` only prints
//! [`crate::graphql::sdl`]). `main.rs` parses the command line and dispatches here.
//!
//! What several commands share lives here: a setting's configured value, the JWT
//! secret and the master keys (configured, or the development ones of the state
//! directory); where the database is, in [`database`].

use std::path::Path;

use anyhow::Context as _;

use crate::auth::TokenKeys;
use crate::config::{JwtArgs, MasterKeyArgs};
use crate::dev;
use crate::error::AppError;
use crate::secrets::{MasterKey, MasterKeys};

pub mod config;
pub mod database;
pub mod keys;
pub mod license;
pub mod migrate;
pub mod serve;
pub mod token;

/// A setting's value, when it is set to something other than blanks.
fn configured(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The configured JWT secret, or the development one (and whether it is that).
fn jwt_keys(args: &JwtArgs, state_dir: &Path) -> anyhow::Result<(TokenKeys, bool)> {
    let (secret, development) = match configured(&args.jwt_secret) {
        Some(secret) => (secret.to_owned(), false),
        None => (dev::jwt_secret(state_dir)?, true),
    };
    Ok((
        TokenKeys::new(
            secret.as_bytes(),
            args.jwt_issuer.clone(),
            args.jwt_audience.clone(),
        ),
        development,
    ))
}

/// The configured master keys, or the development key of the state directory.
fn master_keys(args: &MasterKeyArgs, state_dir: &Path) -> anyhow::Result<MasterKeys> {
    if let Some(list) = configured(&args.master_keys) {
        return MasterKeys::parse(list).context("ENVGATE_MASTER_KEYS");
    }
    let key = match configured(&args.master_key) {
        Some(key) => MasterKey::from_hex(key).context("ENVGATE_MASTER_KEY")?,
        None => {
            tracing::warn!(
                "no master key configured: using a development key kept in {}",
                state_dir.display()
            );
            MasterKey::from_hex(&dev::master_key(state_dir)?)?
        }
    };
    Ok(key.into())
}

/// A domain error as a command's failure: its message, or an internal failure's own
/// detail (nothing logged it: [`crate::error::INTERNAL_MESSAGE`] would say it was).
fn failed(error: AppError) -> anyhow::Error {
    match error {
        AppError::Internal(source) => source,
        other => anyhow::anyhow!(other.message()),
    }
}
