//! `envgate migrate`: runs the pending database migrations and exits.

use std::path::Path;

use super::database::{database, stop};
use crate::config::DatabaseArgs;
use crate::db;

/// Migrates the configured (or development) database and says how many ran.
pub async fn run(args: &DatabaseArgs, state_dir: &Path) -> anyhow::Result<()> {
    let (urls, devdb) = database(args, state_dir, false).await?;
    let ran = db::migrate(&urls.direct).await;
    stop(devdb).await;
    println!("ran {} migration(s)", ran?);
    Ok(())
}
