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

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};
use tracing::{debug, info, warn};

const HOST: &str = "127.0.0.1";
const SYSTEM_PORT: u16 = 5432;
const DEV_DATABASE: &str = "envgate";
/// Both the database superuser and the OS user the server runs as when we are root.
const POSTGRES_USER: &str = "postgres";
/// The database every cluster has, used for administrative connections.
const MAINTENANCE_DATABASE: &str = "postgres";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a started (or reused) server may take to accept connections, e.g. after crash recovery.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const START_ATTEMPTS: usize = 3;
const SETTINGS_FILE: &str = "envgate.conf";
/// initdb writes into `<dir>/data.init-<pid>`, renamed to `<dir>/data` once complete.
const STAGING_PREFIX: &str = "data.init-";
/// initdb reads the password from `<dir>/initdb-password-<pid>`, removed right after.
const PASSWORD_FILE_PREFIX: &str = "initdb-password-";
const SETTINGS_INCLUDE: &str = "include_if_exists = 'envgate.conf'";
/// `sun_path` is 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH: usize = 107;
const LOG_TAIL_LINES: usize = 20;

/// What `serve` connects to when no database URL is configured.
#[derive(Debug)]
pub struct DevDatabase {
    /// Connection URL of the `envgate` database.
    pub url: String,
    cluster: Option<PrivateCluster>,
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
                return Ok(DevDatabase { url, cluster: None });
            }
            Err(e) => info!(
                "no PostgreSQL server usable without a password at {HOST}:{SYSTEM_PORT} ({e:#}); using a private cluster"
            ),
        }

        let cluster = PrivateCluster::start(&state_dir.join("postgres"), None).await?;
        let prepared = async {
            let client = connect(cluster.port, None, MAINTENANCE_DATABASE).await?;
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
        })
    }

    /// Stops the private cluster if this process started it; does nothing otherwise.
    pub async fn stop(self) -> anyhow::Result<()> {
        match self.cluster {
            Some(cluster) => cluster.stop().await,
            None => Ok(()),
        }
    }
}

/// A PostgreSQL cluster in a directory of our own, run with the machine's PostgreSQL binaries.
pub struct PrivateCluster {
    data_dir: PathBuf,
    log_file: PathBuf,
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
        let owner = if running_as_root().await? {
            Some(os_user_ids(POSTGRES_USER).await?)
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

        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            if let Some(cluster) = reuse_running(&layout, &runner, password).await? {
                return Ok(cluster);
            }

            let port = free_port()?;
            write_settings(&layout, port, owner).await?;
            let log_offset = file_len(&layout.log).await;
            let mut pg_ctl = runner.pg("pg_ctl");
            pg_ctl
                .arg("start")
                .arg("-D")
                .arg(&layout.data)
                .arg("-l")
                .arg(&layout.log);
            pg_ctl.args(["-w", "-t", "60", "-s"]);
            if let Err(e) = runner.run(pg_ctl, "pg_ctl start").await {
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
            let cluster = layout.cluster(&runner, port, password, true);
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

    /// The TCP port the server listens on at 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres[:password]@127.0.0.1:PORT/DB`
    pub fn url(&self, database: &str) -> String {
        let password = self
            .password
            .as_deref()
            .map(|p| format!(":{}", percent_encode(p)))
            .unwrap_or_default();
        format!(
            "postgres://{POSTGRES_USER}{password}@{HOST}:{}/{}",
            self.port,
            percent_encode(database)
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
        let mut pg_ctl = self.runner.pg("pg_ctl");
        pg_ctl
            .arg("start")
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(&self.log_file)
            .args(["-w", "-t", "60", "-s"]);
        self.runner.run(pg_ctl, "pg_ctl start").await?;
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
    async fn wait_accepting(&self, pid: Option<u32>) -> anyhow::Result<Readiness> {
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

enum Readiness {
    Accepting,
    Exited,
}

/// Where things live inside a cluster directory.
struct Layout {
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
}

impl Layout {
    fn new(dir: &Path) -> Layout {
        Layout {
            dir: dir.to_path_buf(),
            data: dir.join("data"),
            log: dir.join("postgres.log"),
        }
    }

    fn cluster(
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

/// Runs PostgreSQL's programs, as the `postgres` OS user when we are root.
#[derive(Clone)]
struct Runner {
    bin_dir: PathBuf,
    /// uid and gid of the `postgres` OS user when commands must run as it.
    owner: Option<(u32, u32)>,
    cwd: PathBuf,
}

impl Runner {
    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = match self.owner {
            Some(_) => {
                let mut c = Command::new(runuser_program());
                c.args(["-u", POSTGRES_USER, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        // The postgres user may not be able to enter our working directory.
        command.current_dir(&self.cwd).stdin(Stdio::null());
        command
    }

    fn pg(&self, tool: &str) -> Command {
        self.command(self.bin_dir.join(tool))
    }

    async fn run(&self, mut command: Command, what: &str) -> anyhow::Result<Output> {
        let output = command.output().await.with_context(|| {
            if self.owner.is_some() {
                format!("could not run {what} as the {POSTGRES_USER} OS user (via runuser)")
            } else {
                format!("could not run {what}")
            }
        })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stdout = String::from_utf8_lossy(&output.stdout);
            bail!(
                "{what} failed ({}): {}",
                output.status,
                format!("{stderr}\n{stdout}").trim()
            );
        }
        Ok(output)
    }
}

/// runuser lives in sbin, which is not on every root PATH (e.g. `su` without `-`).
fn runuser_program() -> &'static str {
    ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        .into_iter()
        .find(|path| is_executable(Path::new(path)))
        .unwrap_or("runuser")
}

/// The directory holding `initdb` and `pg_ctl`: PATH first, else the newest /usr/lib/postgresql/*/bin.
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    let has_tools = |dir: &Path| {
        ["initdb", "pg_ctl"]
            .iter()
            .all(|tool| is_executable(&dir.join(tool)))
    };
    // Relative PATH entries would resolve against the cluster directory we run commands in.
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).find(|dir| dir.is_absolute() && has_tools(dir))
    });
    if let Some(dir) = on_path {
        return Ok(dir);
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let version = version_key(&entry.file_name())?;
                    let bin = entry.path().join("bin");
                    has_tools(&bin).then_some((version, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        anyhow!(
            "no database configured and PostgreSQL's initdb/pg_ctl were found neither on PATH nor under \
             /usr/lib/postgresql/*/bin: install PostgreSQL (e.g. `apt-get install postgresql`) or set \
             DATABASE_URL to an existing database"
        )
    })
}

/// "15" -> [15], "9.6" -> [9, 6]; None for names that are not versions.
fn version_key(name: &OsStr) -> Option<Vec<u32>> {
    name.to_str()?
        .split('.')
        .map(|part| part.parse().ok())
        .collect()
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

async fn running_as_root() -> anyhow::Result<bool> {
    if let Ok(status) = tokio::fs::read_to_string("/proc/self/status").await {
        // "Uid: real effective saved fs"; PostgreSQL checks the effective one.
        let effective = status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1));
        if let Some(uid) = effective {
            return Ok(uid == "0");
        }
    }
    let output = Command::new("id")
        .arg("-u")
        .output()
        .await
        .context("could not determine the current user id (running `id -u`)")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

async fn os_user_ids(user: &str) -> anyhow::Result<(u32, u32)> {
    let id = |flag: &'static str| async move {
        let output = Command::new("id")
            .args([flag, user])
            .output()
            .await
            .context("could not run `id`")?;
        String::from_utf8_lossy(&output.stdout).trim().parse::<u32>().ok().ok_or_else(|| {
            anyhow!(
                "PostgreSQL refuses to run as root and there is no usable `{user}` OS user to run it as \
                 (`id {flag} {user}`: {}); install PostgreSQL or set DATABASE_URL",
                String::from_utf8_lossy(&output.stderr).trim()
            )
        })
    };
    Ok((id("-u").await?, id("-g").await?))
}

async fn prepare_dir(dir: &Path, owner: Option<(u32, u32)>) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(dir).await.with_context(|| {
        format!(
            "could not create the PostgreSQL directory {}",
            dir.display()
        )
    })?;
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(dir, Some(uid), Some(gid)).with_context(|| {
            format!(
                "could not hand {} to the {POSTGRES_USER} OS user",
                dir.display()
            )
        })?;
    }
    // The unix socket lives here, so it is as private as the data.
    tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .await
        .with_context(|| format!("could not restrict the permissions of {}", dir.display()))
}

/// Fails with a clear message when the `postgres` OS user cannot reach `dir`.
async fn check_reachable(runner: &Runner, dir: &Path) -> anyhow::Result<()> {
    let can_enter = |path: PathBuf| async move {
        let mut test = runner.command("test");
        test.arg("-x")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        test.status().await.is_ok_and(|s| s.success())
    };
    if can_enter(dir.to_path_buf()).await {
        return Ok(());
    }
    let ancestors: Vec<&Path> = dir.ancestors().collect();
    for ancestor in ancestors.into_iter().rev() {
        if !can_enter(ancestor.to_path_buf()).await {
            bail!(
                "PostgreSQL refuses to run as root, so the private cluster runs as the {POSTGRES_USER} OS user, \
                 which cannot enter {} (needed to reach {}): make it traversable (chmod o+x), use a state \
                 directory elsewhere, or set DATABASE_URL",
                ancestor.display(),
                dir.display()
            );
        }
    }
    Ok(())
}

async fn holds_cluster(data: &Path) -> anyhow::Result<bool> {
    if tokio::fs::try_exists(data.join("PG_VERSION"))
        .await
        .unwrap_or(false)
    {
        return Ok(true);
    }
    match tokio::fs::symlink_metadata(data).await {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        // Not ours to delete: it may be someone's data.
        Ok(_) => bail!(
            "{} exists but holds no PostgreSQL cluster; move it away so a new cluster can be created",
            data.display()
        ),
        Err(e) => Err(e).with_context(|| format!("could not inspect {}", data.display())),
    }
}

/// Runs initdb in a staging directory of this process and renames it into place, so that an
/// interrupted initialization never leaves a half-made cluster where we look for one, and two
/// processes creating the cluster at once cannot step on each other: the first rename wins.
async fn init_cluster(
    runner: &Runner,
    layout: &Layout,
    password: Option<&str>,
) -> anyhow::Result<()> {
    info!("creating a PostgreSQL cluster in {}", layout.data.display());
    remove_abandoned_staging(&layout.dir).await;
    let pid = std::process::id();
    let staging = layout.dir.join(format!("{STAGING_PREFIX}{pid}"));
    remove_dir_if_exists(&staging).await?;

    let auth = if password.is_some() {
        "scram-sha-256"
    } else {
        "trust"
    };
    let mut initdb = runner.pg("initdb");
    initdb.arg("-D").arg(&staging);
    // C collation: it exists on every machine, while a UTF8 locale may not be installed.
    initdb.args(["-U", POSTGRES_USER, "-E", "UTF8", "--locale=C"]);
    initdb.args([
        format!("--auth-local={auth}"),
        format!("--auth-host={auth}"),
    ]);
    let password_file = layout.dir.join(format!("{PASSWORD_FILE_PREFIX}{pid}"));
    if let Some(password) = password {
        write_file(&password_file, password.as_bytes(), runner.owner).await?;
        let mut arg = OsString::from("--pwfile=");
        arg.push(&password_file);
        initdb.arg(arg);
    }
    let result = runner.run(initdb, "initdb").await;
    let cleanup = match password {
        Some(_) => tokio::fs::remove_file(&password_file).await,
        None => Ok(()),
    };
    if let Err(e) = cleanup {
        warn!(
            "could not remove the temporary password file {}: {e}",
            password_file.display()
        );
    }
    result.with_context(|| {
        format!(
            "could not initialize a PostgreSQL cluster in {}",
            staging.display()
        )
    })?;

    let conf = staging.join("postgresql.conf");
    let mut file = tokio::fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .await
        .with_context(|| format!("could not open {}", conf.display()))?;
    file.write_all(
        format!(
            "\n# Port, listen address and socket directory, set by envgate.\n{SETTINGS_INCLUDE}\n"
        )
        .as_bytes(),
    )
    .await
    .with_context(|| format!("could not write {}", conf.display()))?;

    if let Err(e) = tokio::fs::rename(&staging, &layout.data).await {
        if holds_cluster(&layout.data).await.unwrap_or(false) {
            info!(
                "another process created the PostgreSQL cluster in {} first; using that one",
                layout.data.display()
            );
            return remove_dir_if_exists(&staging).await;
        }
        return Err(e).with_context(|| {
            format!(
                "could not move the new cluster into {}",
                layout.data.display()
            )
        });
    }
    Ok(())
}

/// Removes what initdb runs of processes that no longer exist left behind.
async fn remove_abandoned_staging(dir: &Path) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let owner_pid = name
            .strip_prefix(STAGING_PREFIX)
            .or_else(|| name.strip_prefix(PASSWORD_FILE_PREFIX))
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(owner_pid) = owner_pid else { continue };
        if Path::new(&format!("/proc/{owner_pid}")).exists() {
            continue;
        }
        let path = entry.path();
        let removed = if name.starts_with(STAGING_PREFIX) {
            tokio::fs::remove_dir_all(&path).await
        } else {
            tokio::fs::remove_file(&path).await
        };
        if let Err(e) = removed {
            warn!("could not remove the abandoned {}: {e}", path.display());
        }
    }
}

async fn remove_dir_if_exists(path: &Path) -> anyhow::Result<()> {
    match tokio::fs::remove_dir_all(path).await {
        Err(e) if e.kind() != ErrorKind::NotFound => {
            Err(e).with_context(|| format!("could not remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Writes the settings that change between runs: the port is chosen afresh at every start.
async fn write_settings(
    layout: &Layout,
    port: u16,
    owner: Option<(u32, u32)>,
) -> anyhow::Result<()> {
    let socket_dir = layout.dir.to_string_lossy();
    let socket_dirs = if socket_dir.len() + "/.s.PGSQL.65535".len() <= MAX_SOCKET_PATH {
        // unix_socket_directories is a list, so the element is double-quoted inside the string.
        format!("\"{}\"", socket_dir.replace('"', "\"\""))
    } else {
        // Too long for a socket path; we only connect over TCP anyway.
        debug!(
            "{socket_dir} is too long for a unix socket path; the cluster will have no unix socket"
        );
        String::new()
    };
    let settings = format!(
        "# Written by envgate at every start of this cluster; edits are lost.\n\
         listen_addresses = '{HOST}'\n\
         port = {port}\n\
         unix_socket_directories = {}\n",
        conf_string(&socket_dirs)
    );
    write_file(&layout.data.join(SETTINGS_FILE), settings.as_bytes(), owner).await
}

/// A postgresql.conf string literal.
fn conf_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// Writes a file readable only by its owner, which is the `postgres` OS user when given.
async fn write_file(path: &Path, contents: &[u8], owner: Option<(u32, u32)>) -> anyhow::Result<()> {
    let write = async {
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .await?;
        file.write_all(contents).await?;
        file.flush().await?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
        }
        anyhow::Ok(())
    };
    write
        .await
        .with_context(|| format!("could not write {}", path.display()))
}

struct Postmaster {
    pid: u32,
    port: u16,
}

/// Line 1 of postmaster.pid is the pid, line 4 the port.
fn parse_pid_file(text: &str) -> Option<Postmaster> {
    let lines: Vec<&str> = text.lines().collect();
    let pid = lines.first()?.trim().parse().ok()?;
    let port = lines.get(3)?.trim().parse().ok()?;
    Some(Postmaster { pid, port })
}

/// What `postmaster.pid` says about the server on a data directory.
enum PidFile {
    Absent,
    Live(Postmaster),
    /// Names a process that is gone (or is not a postgres), or is garbled. PostgreSQL itself
    /// only recovers from the first case, and not when the dead server is an unreaped zombie.
    /// Holds the file's text, so that we only ever delete the file we judged.
    Stale(String),
}

async fn inspect_pid_file(data: &Path) -> anyhow::Result<PidFile> {
    let path = data.join("postmaster.pid");
    match tokio::fs::read_to_string(&path).await {
        Ok(text) => Ok(match parse_pid_file(&text) {
            Some(postmaster) if postmaster_alive(postmaster.pid) => PidFile::Live(postmaster),
            _ => PidFile::Stale(text),
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(PidFile::Absent),
        Err(e) => Err(e).with_context(|| format!("could not read {}", path.display())),
    }
}

/// Reuses the server already running on the cluster, if any, and clears a stale pid file.
async fn reuse_running(
    layout: &Layout,
    runner: &Runner,
    password: Option<&str>,
) -> anyhow::Result<Option<PrivateCluster>> {
    match inspect_pid_file(&layout.data).await? {
        PidFile::Absent => {}
        PidFile::Stale(text) => remove_stale_pid_file(&layout.data, &text).await?,
        PidFile::Live(live) => {
            let cluster = layout.cluster(runner, live.port, password, false);
            match cluster.wait_accepting(Some(live.pid)).await? {
                Readiness::Accepting => {
                    info!(
                        "reusing the PostgreSQL server already running on {HOST}:{} (data in {}, pid {})",
                        live.port,
                        layout.data.display(),
                        live.pid
                    );
                    return Ok(Some(cluster));
                }
                // It was shutting down: the caller starts a fresh one.
                Readiness::Exited => {
                    if let PidFile::Stale(text) = inspect_pid_file(&layout.data).await? {
                        remove_stale_pid_file(&layout.data, &text).await?;
                    }
                }
            }
        }
    }
    Ok(None)
}

/// Whether `pid` is a running postgres process; a pid from a crashed run may since have been reused.
fn postmaster_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "pid (comm) state ..."; comm may itself contain parentheses.
    let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
        return false;
    };
    let comm = &stat[open + 1..close];
    let state = stat[close + 1..].split_whitespace().next().unwrap_or("");
    comm == "postgres" && state != "Z" && state != "X"
}

/// Deletes the pid file only if it still says `judged`: a server starting concurrently replaces
/// the stale file with its own, which must survive.
async fn remove_stale_pid_file(data: &Path, judged: &str) -> anyhow::Result<()> {
    let path = data.join("postmaster.pid");
    if tokio::fs::read_to_string(&path).await.ok().as_deref() != Some(judged) {
        return Ok(());
    }
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {
            info!(
                "removed the stale {} of a PostgreSQL server that is no longer running",
                path.display()
            );
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("could not remove the stale {}", path.display())),
    }
}

/// A port nothing listens on right now; the server binds it moments later.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind((HOST, 0))
        .context("could not find a free TCP port on 127.0.0.1")?;
    Ok(listener
        .local_addr()
        .context("could not find a free TCP port on 127.0.0.1")?
        .port())
}

async fn file_len(path: &Path) -> u64 {
    tokio::fs::metadata(path).await.map_or(0, |m| m.len())
}

/// The last lines the server logged since `offset`.
async fn log_tail(log: &Path, offset: u64) -> String {
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

async fn connect(port: u16, password: Option<&str>, database: &str) -> anyhow::Result<Client> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(HOST)
        .port(port)
        .user(POSTGRES_USER)
        .dbname(database)
        .connect_timeout(CONNECT_TIMEOUT);
    if let Some(password) = password {
        config.password(password);
    }
    // connect_timeout covers only the TCP connect; something silent on the port could stall the handshake.
    let (client, connection) = tokio::time::timeout(CONNECT_TIMEOUT * 2, config.connect(NoTls))
        .await
        .map_err(|_| anyhow!("timed out connecting to PostgreSQL at {HOST}:{port}"))?
        .with_context(|| {
            format!("could not connect to PostgreSQL at {HOST}:{port} as {POSTGRES_USER}")
        })?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            debug!("PostgreSQL connection closed: {e}");
        }
    });
    Ok(client)
}

fn is_auth_failure(error: &anyhow::Error) -> bool {
    let rejected = error
        .downcast_ref::<tokio_postgres::Error>()
        .is_some_and(|e| {
            e.code().is_some_and(|code| {
                *code == SqlState::INVALID_PASSWORD
                    || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            })
        });
    // The server asked for a password we do not have.
    rejected
        || error
            .chain()
            .any(|cause| cause.to_string().contains("password missing"))
}

async fn ensure_database(client: &Client, name: &str) -> anyhow::Result<()> {
    if database_exists(client, name).await? {
        return Ok(());
    }
    if let Err(e) = client
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(name)))
        .await
    {
        // Another process may have created it between our check and our CREATE.
        if database_exists(client, name).await? {
            return Ok(());
        }
        return Err(e).with_context(|| format!("could not create database {name}"));
    }
    info!("created database {name}");
    Ok(())
}

async fn database_exists(client: &Client, name: &str) -> anyhow::Result<bool> {
    let rows = client
        .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .with_context(|| format!("could not check whether database {name} exists"))?;
    Ok(!rows.is_empty())
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Percent-encodes everything but RFC 3986 unreserved characters, for URL userinfo and path.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically() {
        let mut keys = ["9.6", "15", "10"].map(|v| version_key(OsStr::new(v)).unwrap());
        keys.sort();
        assert_eq!(keys.last(), Some(&vec![15]));
        assert_eq!(version_key(OsStr::new("common")), None);
    }

    #[test]
    fn pid_file_gives_pid_and_port() {
        let text = "4242\n/srv/pg/data\n1700000000\n54321\n/srv/pg\n127.0.0.1\n  1234     5678\nready   \n";
        let postmaster = parse_pid_file(text).unwrap();
        assert_eq!((postmaster.pid, postmaster.port), (4242, 54321));
        assert!(parse_pid_file("4242\n").is_none());
        assert!(parse_pid_file("").is_none());
    }

    #[test]
    fn urls_escape_passwords() {
        assert_eq!(percent_encode("s3cret"), "s3cret");
        assert_eq!(percent_encode("p@ss:w/rd%"), "p%40ss%3Aw%2Frd%25");
    }

    #[test]
    fn conf_strings_are_quoted() {
        assert_eq!(conf_string(r#""/tmp/it's""#), r#"'"/tmp/it''s"'"#);
        assert_eq!(conf_string(r"a\b"), r"'a\\b'");
    }
}
