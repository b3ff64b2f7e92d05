//! Where the database is, for the commands that use one (`serve`, `migrate`, `keys`):
//! the configured URLs, or the zero-config development database.

use std::path::Path;

use anyhow::bail;

use super::configured;
use crate::config::DatabaseArgs;
use crate::db;
use crate::devdb::DevDatabase;

/// Where the database is: what requests use, and the direct connection for migrations
/// and the change listener.
pub struct DatabaseUrls {
    /// `DATABASE_URL`: the pool's, maybe a pooler's.
    pub pooled: db::DatabaseUrl,
    /// `ENVGATE_DIRECT_DATABASE_URL`, else `DATABASE_URL`.
    pub direct: db::DatabaseUrl,
    /// The development database's streaming replica (`--dev-replica`).
    pub dev_replica: Option<db::DatabaseUrl>,
}

/// The configured database URLs, or the zero-config development database. Behind a
/// transaction pooler without a direct URL, refuses: migrations and the change listener
/// can't go through it (events would be lost without a word).
pub async fn database(
    args: &DatabaseArgs,
    state_dir: &Path,
    dev_replica: bool,
) -> anyhow::Result<(DatabaseUrls, Option<DevDatabase>)> {
    let direct = configured(&args.direct_database_url);
    if args.database_pooler == db::Pooler::Transaction && direct.is_none() {
        bail!(
            "ENVGATE_DATABASE_POOLER=transaction needs ENVGATE_DIRECT_DATABASE_URL (--direct-database-url): a direct connection to the database for migrations and the change listener, which a transaction pooler can't carry"
        );
    }
    // Both are parsed (their TLS settings read) before anything starts.
    let direct = direct
        .map(|url| db::DatabaseUrl::parse(url, "ENVGATE_DIRECT_DATABASE_URL"))
        .transpose()?;
    let (pooled, dev_replica, devdb) = match configured(&args.database_url) {
        Some(_) if dev_replica => bail!(
            "--dev-replica starts a replica of the development database, and DATABASE_URL is set: name your replicas in ENVGATE_READ_DATABASE_URLS"
        ),
        Some(url) => (db::DatabaseUrl::parse(url, "DATABASE_URL")?, None, None),
        None => {
            let devdb = if dev_replica {
                DevDatabase::start_with_replica(state_dir).await?
            } else {
                DevDatabase::start(state_dir).await?
            };
            let urls = db::DatabaseUrl::parse(&devdb.url, "the development database URL").and_then(
                |url| {
                    let replica = devdb
                        .replica_url
                        .as_deref()
                        .map(|r| db::DatabaseUrl::parse(r, "the development replica URL"))
                        .transpose()?;
                    Ok((url, replica))
                },
            );
            match urls {
                Ok((url, replica)) => (url, replica, Some(devdb)),
                Err(error) => {
                    stop(Some(devdb)).await;
                    return Err(error);
                }
            }
        }
    };
    let direct = direct.unwrap_or_else(|| pooled.clone());
    Ok((
        DatabaseUrls {
            pooled,
            direct,
            dev_replica,
        },
        devdb,
    ))
}

/// Stops the development database, when one was started.
pub async fn stop(devdb: Option<DevDatabase>) {
    if let Some(devdb) = devdb
        && let Err(e) = devdb.stop().await
    {
        tracing::warn!(
            error = format!("{e:#}"),
            "stopping the development database"
        );
    }
}
