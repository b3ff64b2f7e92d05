//! `envgate keys status | reseal`: master-key rotation.

use std::path::Path;

use anyhow::Context as _;

use super::database::{database, stop};
use super::{failed, master_keys};
use crate::config::{KeysArgs, KeysCommand};
use crate::db;
use crate::domain::keys;

/// Re-seals (for `reseal`), then counts the stored secrets per master key.
pub async fn run(command: KeysCommand, state_dir: &Path) -> anyhow::Result<()> {
    let (args, batch_size) = match &command {
        KeysCommand::Status(args) => (args, None),
        KeysCommand::Reseal { args, batch_size } => (args, Some(*batch_size)),
    };
    let KeysArgs {
        database: database_args,
        keys: key_args,
    } = args;
    let master_keys = master_keys(key_args, state_dir)?;
    let (urls, devdb) = database(database_args, state_dir, false).await?;
    let result = async {
        let mut conn = db::Conn::direct(
            urls.direct
                .establish()
                .await
                .context("connecting to the database")?,
        );
        if let Some(batch_size) = batch_size {
            let total = keys::rows_to_reseal(&mut conn, &master_keys)
                .await
                .map_err(failed)?;
            let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(0));
            let summary = keys::reseal(&mut conn, &master_keys, batch_size, None, |done| {
                bar.set_position(done)
            })
            .await
            .map_err(failed)?;
            bar.finish_and_clear();
            println!(
                "re-sealed {} secret(s) in {} row(s) under master key {}",
                summary.secrets,
                summary.rows,
                master_keys.current().id()
            );
        }
        for count in keys::status(&mut conn).await.map_err(failed)? {
            let held = if count.key_id == master_keys.current().id() {
                "current"
            } else if master_keys.holds(&count.key_id) {
                "held"
            } else {
                "NOT HELD"
            };
            println!("{}\t{} secret(s)\t{held}", count.key_id, count.secrets);
        }
        anyhow::Ok(())
    }
    .await;
    stop(devdb).await;
    result
}
