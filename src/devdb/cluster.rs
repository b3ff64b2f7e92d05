//! A private cluster's lifecycle: start (creating it on first use, or reusing a server
//! already running on it), wait until it accepts connections, pause, resume, stop.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tracing::{info, warn};

use super::files::{check_reachable, holds_cluster, prepare_dir, write_file, write_settings};
use super::init::init_cluster;
use super::os_user::{os_user_ids, running_as_root};
use super::pid_file::{PidFile, inspect_pid_file, postmaster_alive, reuse_running};
use super::runner::{Runner, find_bin_dir};
use super::sql::{connect, is_auth_failure};
use super::{HOST, MAINTENANCE_DATABASE, POSTGRES_USER};

/// Everything but RFC 3986's unreserved characters is percent-encoded in a URL's
/// userinfo and path.
const UNRESERVED_KEPT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A PostgreSQL cluster in a directory of our own, run with the machine's PostgreSQL binaries.
pub struct PrivateCluster {
    pub(super) data_dir: PathBuf,
    pub(super) log_file: PathBuf,
    port: u16,
    password: Option<String>,
    runner: Runner,
    /// False when we reused a server someone else started: stopping it is their business.
    owned: bool,
}

impl fmt::Debug for PrivateCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateCluster")
            .field("data_dir", &self.data_dir)
            .field("log_file", &self.log_file)
            .field("port", &self.port)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("owned", &self.owned)
            .finish()
    }
}

impl PrivateCluster {
    /// Starts the cluster in `dir`, initializing it first if `dir` holds no cluster yet.
    ///
    /// Initialization runs initdb with superuser `postgres` and UTF8 encoding; authentication is
    /// `trust` when `password` is None, otherwise `scram-sha-256` with that password for user
    /// `postgres` on both local and host lines. The password only takes effect when the cluster is
    /// created; an existing cluster keeps the one it was created with.
    ///
    /// The server listens on 127.0.0.1 only, on a free TCP port, with its unix socket inside `dir`,
    /// and this waits until it accepts connections. A server already running on the cluster (e.g.
    /// left behind by a crashed run) is reused without taking ownership of stopping it; a stale
    /// `postmaster.pid` is removed.
    ///
    /// When the current process is root, every command runs as the `postgres` OS user and `dir` is
    /// chowned to it; its parent directories must be traversable by that user.
    pub async fn start(dir: &Path, password: Option<&str>) -> anyhow::Result<PrivateCluster> {
        if password.is_some_and(|p| p.contains(['\n', '\r'])) {
            // initdb --pwfile reads only the first line.
            bail!(
                "the PostgreSQL password for the cluster in {} must not contain line breaks",
                dir.display()
            );
        }
        // Commands run from inside `dir`, so a relative path would resolve twice.
        let dir = std::path::absolute(dir).with_context(|| {
            format!("could not resolve the cluster directory {}", dir.display())
        })?;
        let bin_dir = find_bin_dir()?;
        let owner = if running_as_root() {
            Some(os_user_ids(POSTGRES_USER)?)
        } else {
            None
        };
        let runner = Runner {
            bin_dir,
            owner,
            cwd: dir.clone(),
        };
        let layout = Layout::new(&dir);

        prepare_dir(&dir, owner).await?;
        if owner.is_some() {
            check_reachable(&runner, &dir).await?;
        }
        if !holds_cluster(&layout.data).await? {
            init_cluster(&runner, &layout, password).await?;
        }

        run_server(&layout, &runner, password, None).await
    }

    /// Starts a streaming replica of this cluster in `dir`, made on first use with
    /// `pg_basebackup` (a copy of the running cluster, then `standby.signal`), and
    /// waits until it accepts connections (read-only). Like [`PrivateCluster::start`]
    /// it listens on 127.0.0.1 on a port of its own, runs as the `postgres` OS user
    /// when we are root, and reuses a server already running on it. Its
    /// `primary_conninfo` names this cluster's port at every start.
    pub async fn start_replica(&self, dir: &Path) -> anyhow::Result<PrivateCluster> {
        let dir = std::path::absolute(dir).with_context(|| {
            format!("could not resolve the replica directory {}", dir.display())
        })?;
        let runner = Runner {
            cwd: dir.clone(),
            ..self.runner.clone()
        };
        let layout = Layout::new(&dir);
        prepare_dir(&dir, runner.owner).await?;
        if runner.owner.is_some() {
            check_reachable(&runner, &dir).await?;
        }
        if !holds_cluster(&layout.data).await? {
            let staging = dir.join(format!("data.backup-{}", std::process::id()));
            let mut backup = runner.pg_tool("pg_basebackup");
            backup
                .args([
                    "-h",
                    HOST,
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    POSTGRES_USER,
                ])
                .arg("-D")
                .arg(&staging)
                .args(["-X", "stream", "-c", "fast", "--no-sync"]);
            if let Some(password) = &self.password {
                backup.env("PGPASSWORD", password);
            }
            runner.run(backup, "pg_basebackup").await.with_context(|| {
                format!(
                    "could not copy the cluster in {} to a replica",
                    self.data_dir.display()
                )
            })?;
            write_file(&staging.join("standby.signal"), b"", runner.owner).await?;
            tokio::fs::rename(&staging, &layout.data)
                .await
                .with_context(|| format!("could not move the replica into {}", dir.display()))?;
        }
        run_server(&layout, &runner, self.password.as_deref(), Some(self.port)).await
    }

    /// The TCP port the server listens on at 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres[:password]@127.0.0.1:PORT/DB`
    pub fn url(&self, database: &str) -> String {
        let password = self
            .password
            .as_deref()
            .map(|p| format!(":{}", utf8_percent_encode(p, UNRESERVED_KEPT)))
            .unwrap_or_default();
        format!(
            "postgres://{POSTGRES_USER}{password}@{HOST}:{}/{}",
            self.port,
            utf8_percent_encode(database, UNRESERVED_KEPT)
        )
    }

    /// Stops the server with `pg_ctl stop -m fast`, only if this value started it.
    pub async fn stop(self) -> anyhow::Result<()> {
        if !self.owned {
            return Ok(());
        }
        self.pause().await
    }

    /// Stops the server (`pg_ctl stop -m fast`) and keeps everything else, so that
    /// [`PrivateCluster::resume`] starts it again on the same port: a database outage,
    /// for fault tests.
    pub async fn pause(&self) -> anyhow::Result<()> {
        let mut pg_ctl = self.runner.pg("pg_ctl");
        pg_ctl
            .arg("stop")
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-m", "fast", "-w", "-t", "60", "-s"]);
        self.runner
            .run(pg_ctl, "pg_ctl stop")
            .await
            .with_context(|| {
                format!(
                    "could not stop PostgreSQL in {}; see the log at {}",
                    self.data_dir.display(),
                    self.log_file.display()
                )
            })?;
        info!("PostgreSQL in {} stopped", self.data_dir.display());
        Ok(())
    }

    /// Starts the server again after [`PrivateCluster::pause`], on the same port, and
    /// waits until it accepts connections.
    pub async fn resume(&self) -> anyhow::Result<()> {
        self.runner
            .start_server(&self.data_dir, &self.log_file)
            .await?;
        match self.wait_accepting(None).await? {
            Readiness::Accepting => Ok(()),
            Readiness::Exited => bail!(
                "PostgreSQL in {} exited right after starting; see the log at {}",
                self.data_dir.display(),
                self.log_file.display()
            ),
        }
    }

    /// Polls until the server accepts a connection, it exits, or `READY_TIMEOUT` passes.
    pub(super) async fn wait_accepting(&self, pid: Option<u32>) -> anyhow::Result<Readiness> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let error =
                match connect(self.port, self.password.as_deref(), MAINTENANCE_DATABASE).await {
                    Ok(_) => return Ok(Readiness::Accepting),
                    Err(e) => e,
                };
            if is_auth_failure(&error) {
                // Retrying cannot help, and the usual cause is a cluster created with another password.
                return Err(error.context(format!(
                    "PostgreSQL in {} rejected the credentials of user {POSTGRES_USER} \
                     (a cluster keeps the password it was created with)",
                    self.data_dir.display()
                )));
            }
            if pid.is_some_and(|pid| !postmaster_alive(pid)) {
                return Ok(Readiness::Exited);
            }
            if Instant::now() >= deadline {
                return Err(error.context(format!(
                    "PostgreSQL in {} did not accept connections on {HOST}:{} within {} s; see the log at {}",
                    self.data_dir.display(),
                    self.port,
                    READY_TIMEOUT.as_secs(),
                    self.log_file.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Starts the server of the cluster at `layout` (a replica of the one on port
/// `standby_of`), or reuses one already running on it, and waits until it accepts
/// connections. The port is chosen afresh; a start that loses it to another process is
/// tried again.
async fn run_server(
    layout: &Layout,
    runner: &Runner,
    password: Option<&str>,
    standby_of: Option<u16>,
) -> anyhow::Result<PrivateCluster> {
    let owner = runner.owner;
    let mut last_error = None;
    for _ in 0..START_ATTEMPTS {
        if let Some(cluster) = reuse_running(layout, runner, password).await? {
            return Ok(cluster);
        }

        let port = free_port()?;
        write_settings(layout, port, owner, standby_of).await?;
        let log_offset = file_len(&layout.log).await;
        if let Err(e) = runner.start_server(&layout.data, &layout.log).await {
            let tail = log_tail(&layout.log, log_offset).await;
            let error = e.context(format!(
                "could not start PostgreSQL in {} on port {port}; see the log at {}:\n{tail}",
                layout.data.display(),
                layout.log.display()
            ));
            // Another process may have taken the port since we probed it, or may be starting
            // this same cluster concurrently: both resolve on another attempt.
            if tail.contains("Address already in use") || tail.contains("lock file") {
                last_error = Some(error);
                continue;
            }
            return Err(error);
        }

        // The pid file has the port the server really bound, even if a concurrent start
        // rewrote envgate.conf between our write and the server reading it.
        let live = match inspect_pid_file(&layout.data).await {
            Ok(PidFile::Live(live)) => Some(live),
            _ => None,
        };
        let port = live.as_ref().map_or(port, |l| l.port);
        let cluster = layout.cluster(runner, port, password, true);
        return match cluster.wait_accepting(live.map(|l| l.pid)).await {
            Ok(Readiness::Accepting) => {
                info!(
                    "PostgreSQL started on {HOST}:{port} (data in {}, log {})",
                    layout.data.display(),
                    layout.log.display()
                );
                Ok(cluster)
            }
            Ok(Readiness::Exited) => Err(anyhow!(
                "PostgreSQL in {} exited right after starting; see the log at {}",
                layout.data.display(),
                layout.log.display()
            )),
            Err(e) => {
                if let Err(stop_error) = cluster.stop().await {
                    warn!("{stop_error:#}");
                }
                Err(e)
            }
        };
    }
    Err(last_error
        .unwrap_or_else(|| anyhow!("could not start PostgreSQL in {}", layout.data.display())))
}

pub(super) enum Readiness {
    Accepting,
    Exited,
}

/// Where things live inside a cluster directory.
pub(super) struct Layout {
    pub(super) dir: PathBuf,
    pub(super) data: PathBuf,
    pub(super) log: PathBuf,
}

impl Layout {
    pub(super) fn new(dir: &Path) -> Layout {
        Layout {
            dir: dir.to_path_buf(),
            data: dir.join("data"),
            log: dir.join("postgres.log"),
        }
    }

    pub(super) fn cluster(
        &self,
        runner: &Runner,
        port: u16,
        password: Option<&str>,
        owned: bool,
    ) -> PrivateCluster {
        PrivateCluster {
            data_dir: self.data.clone(),
            log_file: self.log.clone(),
            port,
            password: password.map(str::to_owned),
            runner: runner.clone(),
            owned,
        }
    }
}

/// A port nothing listens on right now; the server binds it moments later.
pub(super) fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind((HOST, 0))
        .context("could not find a free TCP port on 127.0.0.1")?;
    Ok(listener
        .local_addr()
        .context("could not find a free TCP port on 127.0.0.1")?
        .port())
}

pub(super) async fn file_len(path: &Path) -> u64 {
    tokio::fs::metadata(path).await.map_or(0, |m| m.len())
}

/// The last lines the server logged since `offset`.
pub(super) async fn log_tail(log: &Path, offset: u64) -> String {
    let bytes = match tokio::fs::read(log).await {
        Ok(bytes) => bytes,
        Err(e) => return format!("(could not read the log: {e})"),
    };
    let start = usize::try_from(offset)
        .ok()
        .filter(|&o| o <= bytes.len())
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&bytes[start..]);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
}

/// How long a started (or reused) server may take to accept connections, e.g. after crash recovery.
pub(super) const READY_TIMEOUT: Duration = Duration::from_secs(60);

pub(super) const START_ATTEMPTS: usize = 3;

pub(super) const LOG_TAIL_LINES: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_escape_passwords() {
        let encode = |s| utf8_percent_encode(s, UNRESERVED_KEPT).to_string();
        assert_eq!(encode("s3cret"), "s3cret");
        assert_eq!(encode("p@ss:w/rd%~._-"), "p%40ss%3Aw%2Frd%25~._-");
    }
}
