//! The zero-config development database: what `serve` uses when no database URL is configured.
//!
//! This module owns finding a PostgreSQL server to develop against: it prefers a server that
//! already answers on 127.0.0.1:5432 with trust auth, and otherwise runs a private cluster in a
//! directory of our own with the machine's PostgreSQL binaries. It owns that directory's layout:
//!
//! ```text
//! <dir>/data/                the cluster (PGDATA); initdb fills <dir>/data.init-<pid> first
//! <dir>/data/envgate.conf    port, listen address and socket directory, rewritten at every start
//! <dir>/postgres.log         the server log (pg_ctl -l)
//! <dir>/.s.PGSQL.<port>      the server's unix socket
//! ```
//!
//! PostgreSQL refuses to run as root, so when we are root every PostgreSQL command runs as the
//! `postgres` OS user (through `runuser`) and the directory is handed to that user.
//! Liveness checks read `/proc`, so this module is Linux-only.
//!
//! One concern per file: `cluster` starts, stops and waits for a cluster; `init`
//! creates one; `files` owns the directory and its settings; `pid_file` judges
//! `postmaster.pid`; `runner` finds and runs PostgreSQL's programs; `os_user` decides
//! whom they run as; `sql` talks to the server.

mod cluster;
mod files;
mod init;
mod os_user;
mod pid_file;
mod runner;
mod sql;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use tracing::{info, warn};

pub use self::cluster::PrivateCluster;
use self::sql::{connect, ensure_database};

const HOST: &str = "127.0.0.1";
const SYSTEM_PORT: u16 = 5432;
const DEV_DATABASE: &str = "envgate";
/// Both the database superuser and the OS user the server runs as when we are root.
const POSTGRES_USER: &str = "postgres";
/// The database every cluster has, used for administrative connections.
const MAINTENANCE_DATABASE: &str = "postgres";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// What `serve` connects to when no database URL is configured.
#[derive(Debug)]
pub struct DevDatabase {
    /// Connection URL of the `envgate` database.
    pub url: String,
    cluster: Option<PrivateCluster>,
    /// Connection URL of the `envgate` database on the streaming replica, when one
    /// was started ([`DevDatabase::start_with_replica`]).
    pub replica_url: Option<String>,
    replica: Option<PrivateCluster>,
}

impl DevDatabase {
    /// Finds or starts a development database and makes sure database `envgate` exists in it.
    ///
    /// 1. If a server answers at postgres://postgres@127.0.0.1:5432 (connect timeout ~2 s),
    ///    creates database `envgate` there if missing and returns its URL
    ///    (postgres://postgres@127.0.0.1:5432/envgate).
    /// 2. Otherwise starts (creating it on first use) a private trust-auth cluster under
    ///    `state_dir.join("postgres")`, creates database `envgate` in it if missing, and returns
    ///    its URL. Data persists between runs.
    pub async fn start(state_dir: &Path) -> anyhow::Result<DevDatabase> {
        match connect(SYSTEM_PORT, None, MAINTENANCE_DATABASE).await {
            Ok(client) => {
                ensure_database(&client, DEV_DATABASE).await.with_context(|| {
                    format!("could not prepare database {DEV_DATABASE} on the PostgreSQL server at {HOST}:{SYSTEM_PORT}")
                })?;
                let url = format!("postgres://{POSTGRES_USER}@{HOST}:{SYSTEM_PORT}/{DEV_DATABASE}");
                info!("using the PostgreSQL server at {url}");
                return Ok(DevDatabase {
                    url,
                    cluster: None,
                    replica_url: None,
                    replica: None,
                });
            }
            Err(e) => info!(
                "no PostgreSQL server usable without a password at {HOST}:{SYSTEM_PORT} ({e:#}); using a private cluster"
            ),
        }

        Self::start_private(state_dir).await
    }

    /// The private cluster under `state_dir.join("postgres")` (started, created on first
    /// use), with database `envgate`.
    async fn start_private(state_dir: &Path) -> anyhow::Result<DevDatabase> {
        let cluster = PrivateCluster::start(&state_dir.join("postgres"), None).await?;
        let prepared = async {
            let client = connect(cluster.port(), None, MAINTENANCE_DATABASE).await?;
            ensure_database(&client, DEV_DATABASE).await
        }
        .await;
        if let Err(e) = prepared {
            let context = format!(
                "could not prepare database {DEV_DATABASE} in the private PostgreSQL cluster in {} (log: {})",
                cluster.data_dir.display(),
                cluster.log_file.display()
            );
            if let Err(stop_error) = cluster.stop().await {
                warn!("{stop_error:#}");
            }
            return Err(e.context(context));
        }
        Ok(DevDatabase {
            url: cluster.url(DEV_DATABASE),
            cluster: Some(cluster),
            replica_url: None,
            replica: None,
        })
    }

    /// The private cluster (never a server found on port 5432: its copy would be
    /// someone else's data) with a streaming replica of it under
    /// `state_dir.join("postgres-replica")`, made with `pg_basebackup` on first use
    /// and started with it; both keep their data between runs.
    pub async fn start_with_replica(state_dir: &Path) -> anyhow::Result<DevDatabase> {
        let mut database = Self::start_private(state_dir).await?;
        let Some(cluster) = &database.cluster else {
            anyhow::bail!("the development database has no private cluster to copy");
        };
        match cluster
            .start_replica(&state_dir.join("postgres-replica"))
            .await
        {
            Ok(replica) => {
                database.replica_url = Some(replica.url(DEV_DATABASE));
                database.replica = Some(replica);
                Ok(database)
            }
            Err(error) => {
                if let Err(stop_error) = database.stop().await {
                    warn!("{stop_error:#}");
                }
                Err(error.context("could not start a streaming replica of the private cluster"))
            }
        }
    }

    /// Stops the private cluster and its replica if this process started them; does
    /// nothing otherwise.
    pub async fn stop(self) -> anyhow::Result<()> {
        if let Some(replica) = self.replica
            && let Err(error) = replica.stop().await
        {
            warn!("{error:#}");
        }
        match self.cluster {
            Some(cluster) => cluster.stop().await,
            None => Ok(()),
        }
    }
}
