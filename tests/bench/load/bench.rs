//! The load benchmark: seeds a fresh database at a chosen scale by bulk SQL, starts the
//! real `envgate serve` binary against it, drives it over keep-alive HTTP/1.1 from
//! concurrent clients, and measures the same reads as plain prepared SQL (the floor)
//! at the same concurrency. `cargo bench --bench load -- --help` lists the flags.
//! The replica scenario makes a private cluster of its own, seeded the same way, and a
//! streaming replica of it (see [`Scenario::Replica`]).
//!
//! Shared by the `load` bench (`main.rs`) and the untimed test that keeps it working.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use futures_util::future::join_all;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::header;
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};
use tokio_postgres::{Client, NoTls, Statement};
use uuid::Uuid;

use envgate::auth::{Role, Session, TokenKeys};
use envgate::devdb::PrivateCluster;
use envgate::secrets::{Binding, MasterKey};

/// How long the server may take to start, and the database to answer a step.
const LIMIT: Duration = Duration::from_secs(120);
/// The user whose builder selections are seeded (and used by `resolveDataSource`).
const BENCH_USER: &str = "bench-user";
/// Workspaces seeded per transaction.
const SEED_BATCH: usize = 100;

/// One scenario of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// `environments` + a page of 50 data sources with one environment's options.
    Builder,
    /// `resolveDataSource` for an app (runner role; audited, so one write each).
    Resolve,
    /// 90% builder reads, 10% `updateDataSourceOptions`.
    Write,
    /// The builder read from a second server behind PgBouncer in transaction mode
    /// (`ENVGATE_DATABASE_POOLER=transaction`); its floor is the same statements through
    /// the same PgBouncer as unnamed statements (`query_typed`: Parse, Bind, Execute and
    /// Sync in one round trip, as `pgbench -M extended` sends them).
    Pooler,
    /// The builder read from two servers on a primary and a streaming replica of it
    /// (each with `ENVGATE_READ_DATABASE_URLS`), the clients split over both, against
    /// one server on the primary alone: two rows. The primary is a private cluster the
    /// benchmark makes (in a directory of its own, seeded like the benchmark's
    /// database), the replica a `pg_basebackup` of it; both are stopped and removed
    /// afterwards. Each row's floor is the same statements on the same servers (split
    /// over primary and replica for the second).
    Replica,
}

/// The replica scenario's rows.
pub const PRIMARY_ALONE: &str = "builder read, 1 process on a primary";
pub const PRIMARY_AND_REPLICA: &str = "builder read, 2 processes on primary + replica";

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::Builder => "builder read",
            Self::Resolve => "resolveDataSource",
            Self::Write => "write mix (90/10)",
            Self::Pooler => "builder read via PgBouncer",
            Self::Replica => "builder read with a read replica",
        }
    }
}

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// PostgreSQL URL of a superuser (a database per run is created next to it).
    #[arg(
        long,
        env = "ENVGATE_TEST_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub admin_url: String,
    /// Workspaces seeded.
    #[arg(long, default_value_t = 100)]
    pub workspaces: usize,
    /// Data sources per workspace (PostgreSQL kind, options in every environment).
    #[arg(long, default_value_t = 50)]
    pub data_sources: usize,
    /// Environments per workspace (at least the 3 built-in ones).
    #[arg(long, default_value_t = 3)]
    pub environments: usize,
    /// Apps per workspace, each with a released and a draft version and a builder
    /// selection.
    #[arg(long, default_value_t = 10)]
    pub apps: usize,
    /// Concurrent clients (each one keep-alive connection).
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Measured time per scenario and per floor.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "10s")]
    pub duration: Duration,
    /// Unmeasured time before each measurement.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "2s")]
    pub warmup: Duration,
    /// Scenarios to run, comma-separated.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "builder,resolve,write"
    )]
    pub scenarios: Vec<Scenario>,
    /// The server's pool size (ENVGATE_DATABASE_POOL_SIZE); its default when left out.
    #[arg(long)]
    pub pool_size: Option<usize>,
    /// Run this `envgate` binary instead of the one built with the benchmark (to
    /// compare commits on the same seed and load).
    #[arg(long)]
    pub server_binary: Option<PathBuf>,
    /// Run the server under this command, e.g. `valgrind --tool=callgrind` to count
    /// its instructions (split on whitespace; the server's command line follows it).
    #[arg(long)]
    pub server_wrapper: Option<String>,
    /// Keep the database and print its URL instead of dropping it.
    #[arg(long)]
    pub keep_database: bool,
    /// Write the table as JSON to this file too.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// The ids of one seeded workspace.
pub struct Workspace {
    pub id: Uuid,
    /// By priority; the last is Production.
    pub environments: Vec<Uuid>,
    pub data_sources: Vec<Uuid>,
    pub apps: Vec<Uuid>,
}

/// One scenario's measurement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measurement {
    pub requests: u64,
    pub errors: u64,
    /// The first error seen, for the reader.
    pub first_error: Option<String>,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
}

/// One row of the table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub scenario: &'static str,
    pub envgate: Measurement,
    pub floor: Measurement,
    /// envgate's throughput over the floor's.
    pub ratio_to_floor: f64,
    /// The server's CPU (user + system) per request, in milliseconds.
    pub server_cpu_ms_per_request: f64,
    /// Write mix only: acknowledged writes whose revision did not read back.
    pub lost_updates: Option<u64>,
    /// Write mix only: reads that followed their client's acknowledged write, each
    /// checked to see it (one that did not is an error of the row).
    pub reads_after_writes: Option<u64>,
    /// Replica scenario, two processes: where their queries read from.
    pub replica_reads: Option<ReplicaReads>,
}

impl Row {
    /// The row of `scenario`: `envgate`'s tally, its servers' CPU seconds over the
    /// measured `duration`, and the floor's tally.
    fn new(
        scenario: &'static str,
        envgate: &Tally,
        cpu: f64,
        floor: &Tally,
        duration: Duration,
    ) -> Self {
        let (e, f) = (envgate.measurement(duration), floor.measurement(duration));
        Self {
            scenario,
            ratio_to_floor: e.throughput / f.throughput.max(f64::MIN_POSITIVE),
            server_cpu_ms_per_request: cpu * 1000.0 / (envgate.requests.max(1) as f64),
            envgate: e,
            floor: f,
            lost_updates: None,
            reads_after_writes: None,
            replica_reads: None,
        }
    }
}

/// Queries of the servers of a row by the pool they read from, over its warm-up and
/// measurement (`envgate_replica_reads_total`, summed over the processes).
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ReplicaReads {
    /// Read from the replica (`caught_up`).
    pub replica: u64,
    /// Read from the primary (no replica would do: `down`, `lagging`, `behind`,
    /// `failed`).
    pub primary: u64,
}

/// The whole run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub machine: String,
    pub scale: String,
    pub clients: usize,
    pub duration_s: f64,
    pub seed_s: f64,
    pub rows: Vec<Row>,
    pub server_peak_rss_mb: f64,
}

/// Seeds, measures, and returns the report (also printed, and written as JSON when asked).
pub async fn run(config: &Config, server_binary: &Path) -> anyhow::Result<Report> {
    anyhow::ensure!(
        config.environments >= 3,
        "--environments must be at least 3"
    );
    anyhow::ensure!(config.clients >= 1, "--clients must be at least 1");
    let admin = connect(&config.admin_url).await?;
    let database = format!(
        "envgate_bench_{}_{}",
        chrono::Utc::now().timestamp(),
        Uuid::new_v4().simple()
    );
    admin
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .await?;
    let url = match config.admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{database}"),
        None => anyhow::bail!("the admin URL names no database"),
    };
    // The database is dropped whatever happens, a panic included.
    let outcome = AssertUnwindSafe(run_on(config, server_binary, &url))
        .catch_unwind()
        .await;
    if config.keep_database {
        eprintln!("kept the database: {url}");
    } else {
        // The server is gone by now; FORCE closes the floor's idle connections.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            .await?;
    }
    let report = outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    print!("{}", table(&report));
    if let Some(path) = &config.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(report)
}

async fn run_on(config: &Config, server_binary: &Path, url: &str) -> anyhow::Result<Report> {
    envgate::db::migrate(&envgate::db::DatabaseUrl::parse(url, "DATABASE_URL")?).await?;
    let master_key = MasterKey::generate_hex();
    let seeding = Instant::now();
    let workspaces = seed(config, url, &MasterKey::from_hex(&master_key)?).await?;
    let seed_s = seeding.elapsed().as_secs_f64();
    eprintln!("seeded {} in {seed_s:.1} s", scale(config));
    let jwt_secret = hex::encode(rand::random::<[u8; 32]>());
    let server_binary = config.server_binary.as_deref().unwrap_or(server_binary);
    let server = Server::start(server_binary, url, &jwt_secret, &master_key, config, &[]).await?;
    // The pooler scenario's PgBouncer and its server, when it runs.
    let (bouncer, pooled) = if config.scenarios.contains(&Scenario::Pooler) {
        let bouncer = PgBouncer::start(url).await?;
        let pooled_url = bouncer.url.clone();
        // `pooled_url` is a transaction pooler's; the direct URL is the database itself.
        let pooled = Server::start(
            server_binary,
            &pooled_url,
            &jwt_secret,
            &master_key,
            config,
            &[
                ("ENVGATE_DATABASE_POOLER", "transaction"),
                ("ENVGATE_DIRECT_DATABASE_URL", url),
            ],
        )
        .await?;
        (Some(bouncer), Some(pooled))
    } else {
        (None, None)
    };
    let tokens = TokenKeys::new(jwt_secret.as_bytes(), None, None);
    let bench = Bench {
        config,
        url,
        workspaces: &workspaces,
        tokens: Tokens::mint(&tokens, &workspaces),
        server: &server,
        pooled: pooled
            .as_ref()
            .zip(bouncer.as_ref().map(|b| b.url.as_str())),
        server_binary,
        jwt_secret: &jwt_secret,
        master_key: &master_key,
        reads_after_writes: AtomicU64::new(0),
    };
    let warming = Instant::now();
    bench.first_contact(&server).await?;
    if let Some(pooled) = &pooled {
        bench.first_contact(pooled).await?;
    }
    eprintln!(
        "every workspace met the server in {:.1} s",
        warming.elapsed().as_secs_f64()
    );
    let mut rows = Vec::new();
    for scenario in &config.scenarios {
        match scenario {
            Scenario::Replica => rows.extend(bench.replica_rows().await?),
            _ => rows.push(bench.scenario(*scenario).await?),
        }
    }
    let server_peak_rss_mb = server.peak_rss_kb()? as f64 / 1024.0;
    server.stop().await;
    if let Some(pooled) = pooled {
        pooled.stop().await;
    }
    drop(bouncer);
    Ok(Report {
        machine: machine(),
        scale: scale(config),
        clients: config.clients,
        duration_s: config.duration.as_secs_f64(),
        seed_s,
        rows,
        server_peak_rss_mb,
    })
}

fn scale(config: &Config) -> String {
    format!(
        "{} workspaces x {} data sources x {} environments, {} apps each",
        config.workspaces, config.data_sources, config.environments, config.apps
    )
}

/// The CPU model and the number of cores, from `/proc/cpuinfo`.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {model}")
}

async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, connection) =
        tokio::time::timeout(LIMIT, tokio_postgres::connect(url, NoTls)).await??;
    tokio::spawn(connection);
    Ok(client)
}

// ---------------------------------------------------------------------------------
// Seeding: every row generated here and inserted with `unnest`, a batch of workspaces
// per transaction, two connections at a time.

/// The environments of a workspace: the built-in ones, custom ones between Staging
/// and Production.
fn environment_rows(count: usize) -> Vec<(String, &'static str, i32, bool)> {
    let mut rows = vec![
        ("Development".to_owned(), "development", 1, false),
        ("Staging".to_owned(), "staging", 2, false),
    ];
    for i in 3..count {
        rows.push((format!("Custom {}", i - 2), "custom", i as i32, false));
    }
    rows.push(("Production".to_owned(), "production", count as i32, true));
    rows
}

async fn seed(config: &Config, url: &str, key: &MasterKey) -> anyhow::Result<Vec<Workspace>> {
    let workspaces: Vec<Workspace> = (0..config.workspaces)
        .map(|_| Workspace {
            id: Uuid::new_v4(),
            environments: (0..config.environments).map(|_| Uuid::new_v4()).collect(),
            data_sources: (0..config.data_sources).map(|_| Uuid::new_v4()).collect(),
            apps: (0..config.apps).map(|_| Uuid::new_v4()).collect(),
        })
        .collect();
    insert(config, url, &workspaces, key).await?;
    Ok(workspaces)
}

/// Inserts `workspaces` and everything in them into the database at `url`.
async fn insert(
    config: &Config,
    url: &str,
    workspaces: &[Workspace],
    key: &MasterKey,
) -> anyhow::Result<()> {
    let batches: Vec<&[Workspace]> = workspaces.chunks(SEED_BATCH).collect();
    let lanes = 2;
    let lanes: Vec<_> = (0..lanes)
        .map(|lane| {
            let mine: Vec<&[Workspace]> =
                batches.iter().skip(lane).step_by(lanes).copied().collect();
            async move {
                let mut client = connect(url).await?;
                for batch in mine {
                    seed_batch(&mut client, config, batch, key).await?;
                }
                anyhow::Ok(())
            }
        })
        .collect();
    for outcome in join_all(lanes).await {
        outcome?;
    }
    connect(url).await?.batch_execute("ANALYZE").await?;
    Ok(())
}

async fn seed_batch(
    client: &mut Client,
    config: &Config,
    batch: &[Workspace],
    key: &MasterKey,
) -> anyhow::Result<()> {
    let environments = environment_rows(config.environments);
    let tx = client.transaction().await?;
    let ids: Vec<Uuid> = batch.iter().map(|w| w.id).collect();
    tx.execute(
        "INSERT INTO workspaces (id) SELECT * FROM unnest($1::uuid[])",
        &[&ids],
    )
    .await?;

    let (mut e_id, mut e_ws, mut e_name, mut e_kind, mut e_priority, mut e_default) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for w in batch {
        for (id, (name, kind, priority, is_default)) in w.environments.iter().zip(&environments) {
            e_id.push(*id);
            e_ws.push(w.id);
            e_name.push(name.clone());
            e_kind.push(*kind);
            e_priority.push(*priority);
            e_default.push(*is_default);
        }
    }
    tx.execute(
        "INSERT INTO environments (id, workspace_id, name, kind, priority, is_default, locked, protected) \
         SELECT id, ws, name, kind, priority, is_default, kind <> 'custom', is_default \
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::bool[]) \
         AS t (id, ws, name, kind, priority, is_default)",
        &[&e_id, &e_ws, &e_name, &e_kind, &e_priority, &e_default],
    )
    .await?;

    let (mut d_id, mut d_ws, mut d_name) = (vec![], vec![], vec![]);
    let (mut o_ws, mut o_ds, mut o_env, mut o_values, mut o_secrets) =
        (vec![], vec![], vec![], vec![], vec![]);
    for w in batch {
        for (i, ds) in w.data_sources.iter().enumerate() {
            d_id.push(*ds);
            d_ws.push(w.id);
            d_name.push(format!("ds-{i:04}"));
            for (e, env) in w.environments.iter().enumerate() {
                o_ws.push(w.id);
                o_ds.push(*ds);
                o_env.push(*env);
                o_values.push(json!({
                    "host": format!("db-{i}-{e}.internal"), "port": 5432, "database": "app",
                    "username": "app", "ssl_mode": "prefer",
                }));
                let binding = Binding {
                    data_source_id: *ds,
                    environment_id: *env,
                    key: "password",
                };
                o_secrets.push(json!({ "password": key.seal("s3cret", binding) }));
            }
        }
    }
    tx.execute(
        "INSERT INTO data_sources (id, workspace_id, name, kind) \
         SELECT id, ws, name, 'postgresql' FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t (id, ws, name)",
        &[&d_id, &d_ws, &d_name],
    )
    .await?;
    tx.execute(
        "INSERT INTO data_source_options (workspace_id, data_source_id, environment_id, \"values\", secrets) \
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::jsonb[], $5::jsonb[])",
        &[&o_ws, &o_ds, &o_env, &o_values, &o_secrets],
    )
    .await?;

    // Apps: a released version in Production, a draft in Development, and the bench
    // user's builder selection (cycling through the environments).
    let (mut a_id, mut a_ws, mut a_name) = (vec![], vec![], vec![]);
    let (mut v_id, mut v_ws, mut v_app, mut v_name, mut v_env, mut v_status) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut s_ws, mut s_app, mut s_env) = (vec![], vec![], vec![]);
    for w in batch {
        let production = *w.environments.last().expect("at least 3 environments");
        for (i, app) in w.apps.iter().enumerate() {
            a_id.push(*app);
            a_ws.push(w.id);
            a_name.push(format!("app-{i:04}"));
            for (name, env, status) in [
                ("v1", production, "released"),
                ("v2", w.environments[0], "draft"),
            ] {
                v_id.push(Uuid::new_v4());
                v_ws.push(w.id);
                v_app.push(*app);
                v_name.push(name);
                v_env.push(env);
                v_status.push(status);
            }
            s_ws.push(w.id);
            s_app.push(*app);
            s_env.push(w.environments[i % w.environments.len()]);
        }
    }
    tx.execute(
        "INSERT INTO apps (id, workspace_id, name) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])",
        &[&a_id, &a_ws, &a_name],
    )
    .await?;
    tx.execute(
        "INSERT INTO app_versions (id, workspace_id, app_id, name, environment_id, status) \
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[])",
        &[&v_id, &v_ws, &v_app, &v_name, &v_env, &v_status],
    )
    .await?;
    tx.execute(
        "INSERT INTO environment_selections (workspace_id, app_id, user_id, environment_id) \
         SELECT ws, app, $4, env FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t (ws, app, env)",
        &[&s_ws, &s_app, &s_env, &BENCH_USER],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// The server: the real binary, as a child process that is killed when dropped.

struct Server {
    child: Child,
    pid: u32,
    address: SocketAddr,
    _state_dir: TempDir,
}

/// Debian's PgBouncer in transaction mode in front of the benchmark's database, on its
/// own port and in its own directory: killed when dropped.
struct PgBouncer {
    _child: Child,
    /// The benchmark's database through it.
    url: String,
    _dir: TempDir,
}

impl PgBouncer {
    async fn start(url: &str) -> anyhow::Result<Self> {
        let program = which::which("pgbouncer")
            .ok()
            .or_else(|| Some(PathBuf::from("/usr/sbin/pgbouncer")).filter(|p| p.exists()))
            .ok_or_else(|| {
                anyhow::anyhow!("the pooler scenario needs PgBouncer: apt-get install -y pgbouncer")
            })?;
        let target: tokio_postgres::Config = url.parse()?;
        let host = match target.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            _ => anyhow::bail!("the pooler scenario needs the database over TCP"),
        };
        let server_port = target.get_ports().first().copied().unwrap_or(5432);
        let user = target.get_user().unwrap_or("postgres").to_owned();
        let database = target.get_dbname().unwrap_or("postgres").to_owned();
        let dir = TempDir(
            std::env::temp_dir().join(format!("envgate-bench-pgbouncer-{}", Uuid::new_v4())),
        );
        std::fs::create_dir_all(&dir.0)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        std::fs::write(dir.0.join("users.txt"), format!("\"{user}\" \"\"\n"))?;
        // As many server connections as the direct server's pool may hold (4 per core
        // by default): the comparison is of the same database work.
        std::fs::write(
            dir.0.join("pgbouncer.ini"),
            format!(
                "[databases]\n* = host={host} port={server_port}\n[pgbouncer]\n\
                 listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = trust\nauth_file = {users}\npool_mode = transaction\n\
                 max_client_conn = 500\ndefault_pool_size = 20\n",
                users = dir.0.join("users.txt").display()
            ),
        )?;
        let mut command = Command::new(program);
        if uzers::get_current_uid() == 0 {
            // PgBouncer refuses to run as root.
            command.args(["-u", "postgres"]);
        }
        let mut child = command
            .arg(dir.0.join("pgbouncer.ini"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let deadline = Instant::now() + LIMIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            anyhow::ensure!(child.try_wait()?.is_none(), "PgBouncer exited at start");
            anyhow::ensure!(
                Instant::now() < deadline,
                "PgBouncer did not listen within {LIMIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Self {
            _child: child,
            url: format!("postgres://{user}@127.0.0.1:{port}/{database}"),
            _dir: dir,
        })
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Server {
    async fn start(
        binary: &Path,
        url: &str,
        jwt_secret: &str,
        master_key: &str,
        config: &Config,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let state_dir =
            TempDir(std::env::temp_dir().join(format!("envgate-bench-{}", Uuid::new_v4())));
        std::fs::create_dir_all(&state_dir.0)?;
        let mut wrapper = config
            .server_wrapper
            .iter()
            .flat_map(|w| w.split_whitespace());
        let mut command = match wrapper.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(wrapper).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ENVGATE_") {
                command.env_remove(name);
            }
        }
        if let Some(size) = config.pool_size {
            command.env("ENVGATE_DATABASE_POOL_SIZE", size.to_string());
        }
        command.envs(env.iter().copied());
        // --demo: the development Enterprise license, so every environment is offered.
        command
            .args(["serve", "--demo"])
            .env("DATABASE_URL", url)
            .env("ENVGATE_LISTEN", "127.0.0.1:0")
            .env("ENVGATE_STATE_DIR", &state_dir.0)
            .env("ENVGATE_JWT_SECRET", jwt_secret)
            .env("ENVGATE_MASTER_KEY", master_key)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn()?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow::anyhow!("the server exited at once"))?;
        let mut stderr = BufReader::new(child.stderr.take().expect("piped")).lines();
        let address = tokio::time::timeout(LIMIT, async {
            let mut log = Vec::new();
            while let Some(line) = stderr.next_line().await? {
                if let Some((_, rest)) =
                    line.split_once("envgate is listening: GraphQL playground at http://")
                {
                    return Ok(rest.split('/').next().unwrap_or_default().parse()?);
                }
                log.push(line);
            }
            anyhow::bail!("the server ended before listening:\n{}", log.join("\n"))
        })
        .await
        .map_err(|_| anyhow::anyhow!("the server did not listen within {LIMIT:?}"))??;
        // Keep draining its log so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
        Ok(Self {
            child,
            pid,
            address,
            _state_dir: state_dir,
        })
    }

    /// User + system CPU seconds the server has used, from `/proc/<pid>/stat`.
    fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))?;
        // The fields after the command name (which is in parentheses).
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or("", |(_, rest)| rest)
            .split_whitespace()
            .collect();
        let ticks = |i: usize| -> anyhow::Result<f64> {
            Ok(fields
                .get(i)
                .ok_or_else(|| anyhow::anyhow!("short /proc stat"))?
                .parse::<f64>()?)
        };
        // utime and stime are fields 14 and 15 (11 and 12 after the name), in clock
        // ticks of 1/100 s (USER_HZ on Linux).
        Ok((ticks(11)? + ticks(12)?) / 100.0)
    }

    /// The server's peak resident set (VmHWM), from `/proc/<pid>/status`.
    fn peak_rss_kb(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no VmHWM in /proc/{}/status", self.pid))
    }

    /// The server's `/metrics`.
    async fn metrics(&self) -> anyhow::Result<String> {
        let mut client = HttpClient::connect(self.address).await?;
        client.get("/metrics").await.map_err(anyhow::Error::msg)
    }

    /// Waits (up to the limit) until the server reads from the replica at
    /// `replica_pool` (`host:port`): its first polls found it up and caught up.
    async fn wait_replica_up(&self, replica_pool: &str) -> anyhow::Result<()> {
        let up = format!("envgate_replica_up{{replica=\"{replica_pool}\"}} 1");
        let deadline = Instant::now() + LIMIT;
        while !self.metrics().await?.lines().any(|line| line == up) {
            anyhow::ensure!(
                Instant::now() < deadline,
                "the server did not find the replica up within {LIMIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Stops the server as an operator would (SIGTERM, so that a wrapper such as
    /// valgrind writes its output), killing it if it has not ended within the limit.
    async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await;
        if tokio::time::timeout(LIMIT, self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.start_kill();
            let _ = self.child.wait().await;
        }
    }
}

// ---------------------------------------------------------------------------------
// The clients and the measurement.

/// Bearer tokens per workspace.
struct Tokens {
    builder: Vec<String>,
    admin: Vec<String>,
    runner: Vec<String>,
}

impl Tokens {
    fn mint(keys: &TokenKeys, workspaces: &[Workspace]) -> Self {
        let mint = |role| {
            workspaces
                .iter()
                .map(|w| {
                    let session = Session {
                        user_id: BENCH_USER.into(),
                        workspace_id: w.id,
                        role,
                        groups: Vec::new(),
                        expires_at: None,
                    };
                    format!(
                        "Bearer {}",
                        keys.mint(&session, Duration::from_secs(24 * 3600))
                    )
                })
                .collect()
        };
        Self {
            builder: mint(Role::Builder),
            admin: mint(Role::Admin),
            runner: mint(Role::Runner),
        }
    }
}

const BUILDER_READ: &str = "query($env: ID!) { environments { id name } \
    dataSources(first: 50) { nodes { id name kind options(environmentId: $env) { values { key value } revision } } } }";
const RESOLVE: &str = "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { environment { id } options } }";
const UPDATE: &str = "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }";

/// A keep-alive HTTP/1.1 connection to the server.
struct HttpClient {
    sender: SendRequest<Full<Bytes>>,
    address: SocketAddr,
    /// The write this client made last, when its next builder read must see it.
    after_write: Option<AfterWrite>,
}

/// A write acknowledged to a client: its next builder read asks the page of that
/// workspace and environment, and must see at least that revision.
struct AfterWrite {
    workspace: usize,
    environment: Uuid,
    data_source: Uuid,
    revision: i64,
}

impl HttpClient {
    async fn connect(address: SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            address,
            after_write: None,
        })
    }

    /// POSTs a GraphQL request; the response's `data`, or why there is none. `data` is
    /// read into `T`, which names only what the caller checks (`IgnoredAny` for the
    /// rest): the load generator shares the server's cores, and building a whole JSON
    /// tree of every answer would take them from the server.
    async fn graphql<T: DeserializeOwned>(
        &mut self,
        token: &str,
        query: &str,
        variables: Value,
    ) -> Result<T, String> {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let request = hyper::Request::post("/graphql")
            .header(header::HOST, self.address.to_string())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(header::AUTHORIZATION, token)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let (status, body) = self.send(request).await?;
        let answer = serde_json::from_slice::<Answer<T>>(&body);
        match answer {
            Ok(Answer {
                data: Some(data),
                errors: None,
            }) if status.is_success() => Ok(data),
            _ => Err(format!("{status}: {}", String::from_utf8_lossy(&body))),
        }
    }

    /// Sends `request` on the connection; its status and whole body.
    async fn send(
        &mut self,
        request: hyper::Request<Full<Bytes>>,
    ) -> Result<(hyper::StatusCode, Bytes), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }

    /// GETs `path`; the body, or why there is none.
    async fn get(&mut self, path: &str) -> Result<String, String> {
        let request = hyper::Request::get(path)
            .header(header::HOST, self.address.to_string())
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        let (status, body) = self.send(request).await?;
        let body = String::from_utf8_lossy(&body).into_owned();
        if status.is_success() {
            Ok(body)
        } else {
            Err(format!("{status}: {body}"))
        }
    }
}

impl ReplicaReads {
    /// The queries `servers` have read, by pool, so far (`replica_pool` is the
    /// replica's `host:port`).
    async fn of(servers: &[&Server], replica_pool: &str) -> anyhow::Result<Self> {
        let replica = format!("pool=\"{replica_pool}\",");
        let mut reads = Self::default();
        for server in servers {
            let metrics = server.metrics().await?;
            for line in metrics.lines() {
                let Some(labels) = line.strip_prefix("envgate_replica_reads_total{") else {
                    continue;
                };
                let count: u64 = labels
                    .rsplit_once(' ')
                    .and_then(|(_, n)| n.trim().parse().ok())
                    .ok_or_else(|| anyhow::anyhow!("a metrics line without a count: {line}"))?;
                if labels.starts_with(&replica) {
                    reads.replica += count;
                } else {
                    reads.primary += count;
                }
            }
        }
        Ok(reads)
    }
}

/// A GraphQL response as the load generator reads it.
#[derive(Deserialize)]
struct Answer<T> {
    data: Option<T>,
    errors: Option<IgnoredAny>,
}

/// The builder read's answer read for the revisions it holds (a read after a write).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuilderRevisions {
    data_sources: RevisionNodes,
}

#[derive(Deserialize)]
struct RevisionNodes {
    nodes: Vec<RevisionNode>,
}

#[derive(Deserialize)]
struct RevisionNode {
    id: Uuid,
    options: Option<Revision>,
}

#[derive(Deserialize)]
struct Revision {
    revision: i64,
}

/// The builder read's answer: its page of nodes, counted, not read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuilderRead {
    data_sources: Nodes,
}

#[derive(Deserialize)]
struct Nodes {
    nodes: Vec<IgnoredAny>,
}

/// Counts and latencies of one client, or of all of them merged.
struct Tally {
    requests: u64,
    errors: u64,
    first_error: Option<String>,
    histogram: Histogram<u64>,
}

impl Tally {
    fn new() -> Self {
        Self {
            requests: 0,
            errors: 0,
            first_error: None,
            // microseconds, 1 us to 60 s, 3 significant digits
            histogram: Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds"),
        }
    }

    fn measurement(&self, duration: Duration) -> Measurement {
        let ms = |q: f64| self.histogram.value_at_quantile(q) as f64 / 1000.0;
        Measurement {
            requests: self.requests,
            errors: self.errors,
            first_error: self.first_error.clone(),
            throughput: self.requests as f64 / duration.as_secs_f64(),
            p50_ms: ms(0.50),
            p90_ms: ms(0.90),
            p99_ms: ms(0.99),
        }
    }
}

/// Runs `op` from every client in a loop for the warm-up and then the measured time;
/// returns the measured tally and the `servers`' CPU seconds (summed) over the measured
/// window.
async fn drive<C>(
    clients: Vec<C>,
    config: &Config,
    servers: &[&Server],
    op: impl AsyncFn(&mut C, &mut StdRng) -> Result<(), String>,
) -> anyhow::Result<(Tally, f64)> {
    let start = Instant::now();
    let measure_from = start + config.warmup;
    let end = measure_from + config.duration;
    let op = &op;
    let runs = clients
        .into_iter()
        .enumerate()
        .map(|(i, mut client)| async move {
            let mut rng = StdRng::seed_from_u64(i as u64);
            let mut tally = Tally::new();
            while Instant::now() < end {
                let began = Instant::now();
                let outcome = op(&mut client, &mut rng).await;
                if began < measure_from {
                    continue;
                }
                tally.requests += 1;
                let micros = began.elapsed().as_micros() as u64;
                tally.histogram.saturating_record(micros.max(1));
                if let Err(error) = outcome {
                    tally.errors += 1;
                    tally.first_error.get_or_insert(error);
                }
            }
            tally
        });
    let cpu = async {
        let used = || {
            servers
                .iter()
                .map(|server| server.cpu_seconds())
                .sum::<anyhow::Result<f64>>()
        };
        tokio::time::sleep_until(measure_from.into()).await;
        let before = used()?;
        tokio::time::sleep_until(end.into()).await;
        anyhow::Ok(used()? - before)
    };
    let (tallies, cpu) = tokio::join!(join_all(runs), cpu);
    let mut total = Tally::new();
    for tally in tallies {
        total.requests += tally.requests;
        total.errors += tally.errors;
        if total.first_error.is_none() {
            total.first_error = tally.first_error;
        }
        total.histogram.add(&tally.histogram)?;
    }
    Ok((total, cpu?))
}

/// Everything a scenario needs.
struct Bench<'a> {
    config: &'a Config,
    url: &'a str,
    workspaces: &'a [Workspace],
    tokens: Tokens,
    server: &'a Server,
    /// The server behind PgBouncer, and the database's URL through PgBouncer.
    pooled: Option<(&'a Server, &'a str)>,
    /// What the replica scenario starts its servers with.
    server_binary: &'a Path,
    jwt_secret: &'a str,
    master_key: &'a str,
    /// Write mix: reads that followed their client's write (see `read_after_write`).
    reads_after_writes: AtomicU64,
}

/// A random workspace (by index) and one of its environments.
fn pick(rng: &mut StdRng, workspaces: &[Workspace]) -> (usize, Uuid) {
    let w = rng.random_range(0..workspaces.len());
    let envs = &workspaces[w].environments;
    (w, envs[rng.random_range(0..envs.len())])
}

impl Bench<'_> {
    /// The clients, spread over `servers` in turn.
    async fn http_clients(&self, servers: &[&Server]) -> anyhow::Result<Vec<HttpClient>> {
        let mut clients = Vec::new();
        for i in 0..self.config.clients {
            clients.push(HttpClient::connect(servers[i % servers.len()].address).await?);
        }
        Ok(clients)
    }

    /// Clients of the database through PgBouncer that send unnamed statements.
    async fn unnamed_clients(&self, url: &str) -> anyhow::Result<Vec<Client>> {
        let mut clients = Vec::new();
        for _ in 0..self.config.clients {
            clients.push(connect(url).await?);
        }
        Ok(clients)
    }

    /// The floor's clients, spread over the databases at `urls` in turn.
    async fn sql_clients(&self, urls: &[&str]) -> anyhow::Result<Vec<Floor>> {
        let mut clients = Vec::new();
        for i in 0..self.config.clients {
            clients.push(Floor::connect(urls[i % urls.len()]).await?);
        }
        Ok(clients)
    }

    /// One request for every workspace, before anything is measured: a server that has
    /// been up a while has met every workspace, and the first contact of each (its
    /// provisioning, once per process) is not what the scenarios measure.
    async fn first_contact(&self, server: &Server) -> anyhow::Result<()> {
        let clients = self.http_clients(&[server]).await?;
        let next = std::sync::atomic::AtomicUsize::new(0);
        let runs = clients.into_iter().map(|mut client| {
            let next = &next;
            async move {
                loop {
                    let w = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(token) = self.tokens.builder.get(w) else {
                        return Ok::<_, String>(());
                    };
                    client
                        .graphql::<IgnoredAny>(token, "{ __typename }", json!({}))
                        .await?;
                }
            }
        });
        for outcome in join_all(runs).await {
            outcome.map_err(|e| anyhow::anyhow!("first contact: {e}"))?;
        }
        Ok(())
    }

    async fn scenario(&self, scenario: Scenario) -> anyhow::Result<Row> {
        eprintln!("running {} ...", scenario.name());
        let d = self.config.duration;
        let acks = Mutex::new(HashMap::new());
        let (server, pooled_url) = match (scenario, self.pooled) {
            (Scenario::Pooler, Some((server, url))) => (server, Some(url)),
            (Scenario::Pooler, None) => anyhow::bail!("no server behind PgBouncer"),
            _ => (self.server, None),
        };
        let (tally, cpu) = drive(
            self.http_clients(&[server]).await?,
            self.config,
            &[server],
            async |c, rng| match scenario {
                Scenario::Builder | Scenario::Pooler | Scenario::Replica => {
                    self.builder_read(c, rng).await
                }
                Scenario::Resolve => self.resolve(c, rng).await,
                Scenario::Write if rng.random_range(0..10) == 0 => self.update(c, rng, &acks).await,
                Scenario::Write => self.builder_read(c, rng).await,
            },
        )
        .await?;
        let lost_updates = match scenario {
            Scenario::Write => {
                let acks = acks.into_inner().unwrap_or_else(|p| p.into_inner());
                Some(lost_updates(self.url, acks).await?)
            }
            _ => None,
        };
        let (floor, _) = match pooled_url {
            Some(url) => {
                drive(
                    self.unnamed_clients(url).await?,
                    self.config,
                    &[],
                    async |c, rng| {
                        unnamed_builder_read(c, rng, self.workspaces)
                            .await
                            .map_err(|e| e.to_string())
                    },
                )
                .await?
            }
            None => {
                drive(
                    self.sql_clients(&[self.url]).await?,
                    self.config,
                    &[],
                    async |f, rng| {
                        match scenario {
                            Scenario::Builder | Scenario::Replica => {
                                f.builder_read(rng, self.workspaces).await
                            }
                            Scenario::Resolve => f.resolve(rng, self.workspaces).await,
                            Scenario::Write if rng.random_range(0..10) == 0 => {
                                f.update(rng, self.workspaces).await
                            }
                            Scenario::Write | Scenario::Pooler => {
                                f.builder_read(rng, self.workspaces).await
                            }
                        }
                        .map_err(|e| e.to_string())
                    },
                )
                .await?
            }
        };
        let reads_after_writes = (scenario == Scenario::Write)
            .then(|| self.reads_after_writes.swap(0, Ordering::Relaxed));
        Ok(Row {
            lost_updates,
            reads_after_writes,
            ..Row::new(scenario.name(), &tally, cpu, &floor, d)
        })
    }

    /// The replica scenario's two rows. A private primary, seeded with the same
    /// workspaces as the benchmark's database, and a streaming replica of it, in a
    /// directory of their own: both stopped and the directory removed whatever
    /// happens (a panic included).
    async fn replica_rows(&self) -> anyhow::Result<Vec<Row>> {
        eprintln!("running {} ...", Scenario::Replica.name());
        let dir =
            TempDir(std::env::temp_dir().join(format!("envgate-bench-replica-{}", Uuid::new_v4())));
        std::fs::create_dir_all(&dir.0)?;
        let primary = PrivateCluster::start(&dir.0.join("primary"), None).await?;
        let outcome = AssertUnwindSafe(self.on_primary(&primary, &dir.0))
            .catch_unwind()
            .await;
        if let Err(error) = primary.stop().await {
            eprintln!("the replica scenario's primary: {error:#}");
        }
        drop(dir);
        outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    async fn on_primary(&self, primary: &PrivateCluster, dir: &Path) -> anyhow::Result<Vec<Row>> {
        let url = primary.url("postgres");
        envgate::db::migrate(&envgate::db::DatabaseUrl::parse(&url, "DATABASE_URL")?).await?;
        let seeding = Instant::now();
        let key = MasterKey::from_hex(self.master_key)?;
        insert(self.config, &url, self.workspaces, &key).await?;
        // Copied after the seed: the replica starts with all of it.
        let replica = primary.start_replica(&dir.join("replica")).await?;
        eprintln!(
            "seeded a private primary and copied it to a streaming replica in {:.1} s",
            seeding.elapsed().as_secs_f64()
        );
        let outcome = AssertUnwindSafe(self.on_replica(&url, &replica))
            .catch_unwind()
            .await;
        if let Err(error) = replica.stop().await {
            eprintln!("the replica scenario's replica: {error:#}");
        }
        outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// One server on the primary at `url` alone, then two on it that read from
    /// `replica`, the clients split over them. A server is killed if this ends early.
    async fn on_replica(&self, url: &str, replica: &PrivateCluster) -> anyhow::Result<Vec<Row>> {
        let alone = self.start_server(url, &[]).await?;
        self.first_contact(&alone).await?;
        let alone_row = self.builder_row(PRIMARY_ALONE, &[&alone], &[url]).await?;
        alone.stop().await;

        let replica_url = replica.url("postgres");
        let reads = [("ENVGATE_READ_DATABASE_URLS", replica_url.as_str())];
        let pair = [
            self.start_server(url, &reads).await?,
            self.start_server(url, &reads).await?,
        ];
        let pair_refs: Vec<&Server> = pair.iter().collect();
        let replica_pool = format!("127.0.0.1:{}", replica.port());
        for server in &pair {
            server.wait_replica_up(&replica_pool).await?;
            self.first_contact(server).await?;
        }
        let before = ReplicaReads::of(&pair_refs, &replica_pool).await?;
        let mut pair_row = self
            .builder_row(PRIMARY_AND_REPLICA, &pair_refs, &[url, &replica_url])
            .await?;
        let after = ReplicaReads::of(&pair_refs, &replica_pool).await?;
        pair_row.replica_reads = Some(ReplicaReads {
            replica: after.replica - before.replica,
            primary: after.primary - before.primary,
        });
        for server in pair {
            server.stop().await;
        }
        Ok(vec![alone_row, pair_row])
    }

    /// A server of this benchmark's on the database at `url`, with `env` besides.
    async fn start_server(&self, url: &str, env: &[(&str, &str)]) -> anyhow::Result<Server> {
        Server::start(
            self.server_binary,
            url,
            self.jwt_secret,
            self.master_key,
            self.config,
            env,
        )
        .await
    }

    /// The builder read from `servers` (the clients split over them) and its floor on
    /// the databases at `floor_urls` (the floor's clients split over them).
    async fn builder_row(
        &self,
        name: &'static str,
        servers: &[&Server],
        floor_urls: &[&str],
    ) -> anyhow::Result<Row> {
        let (tally, cpu) = drive(
            self.http_clients(servers).await?,
            self.config,
            servers,
            async |c, rng| self.builder_read(c, rng).await,
        )
        .await?;
        let (floor, _) = drive(
            self.sql_clients(floor_urls).await?,
            self.config,
            &[],
            async |f, rng| {
                f.builder_read(rng, self.workspaces)
                    .await
                    .map_err(|e| e.to_string())
            },
        )
        .await?;
        Ok(Row::new(name, &tally, cpu, &floor, self.config.duration))
    }

    async fn builder_read(&self, c: &mut HttpClient, rng: &mut StdRng) -> Result<(), String> {
        if let Some(written) = c.after_write.take() {
            return self.read_after_write(c, written).await;
        }
        let (w, env) = pick(rng, self.workspaces);
        let data: BuilderRead = c
            .graphql(&self.tokens.builder[w], BUILDER_READ, json!({ "env": env }))
            .await?;
        let nodes = data.data_sources.nodes.len();
        if nodes != self.config.data_sources.min(50) {
            return Err(format!("{nodes} data sources in a page"));
        }
        Ok(())
    }

    /// The builder read of the page a client just wrote to: it must see the write.
    async fn read_after_write(
        &self,
        c: &mut HttpClient,
        written: AfterWrite,
    ) -> Result<(), String> {
        let w = written.workspace;
        let data: BuilderRevisions = c
            .graphql(
                &self.tokens.builder[w],
                BUILDER_READ,
                json!({ "env": written.environment }),
            )
            .await?;
        self.reads_after_writes.fetch_add(1, Ordering::Relaxed);
        let node = data
            .data_sources
            .nodes
            .iter()
            .find(|n| n.id == written.data_source);
        let seen = node.and_then(|n| n.options.as_ref()).map(|o| o.revision);
        match seen {
            Some(seen) if seen >= written.revision => Ok(()),
            _ => Err(format!(
                "a read after a write saw revision {seen:?}, not {}",
                written.revision
            )),
        }
    }

    async fn resolve(&self, c: &mut HttpClient, rng: &mut StdRng) -> Result<(), String> {
        let w = rng.random_range(0..self.workspaces.len());
        let ws = &self.workspaces[w];
        if ws.apps.is_empty() {
            return Err("no apps seeded (--apps 0)".into());
        }
        let app = ws.apps[rng.random_range(0..ws.apps.len())];
        let ds = ws.data_sources[rng.random_range(0..ws.data_sources.len())];
        let target = if rng.random_bool(0.5) {
            "RELEASED"
        } else {
            "BUILDER"
        };
        let input =
            json!({ "dataSourceId": ds, "appId": app, "target": target, "userId": BENCH_USER });
        let data: Value = c
            .graphql(&self.tokens.runner[w], RESOLVE, json!({ "input": input }))
            .await?;
        if data["resolveDataSource"]["options"]["password"] != "s3cret" {
            return Err("resolveDataSource did not answer the seeded password".into());
        }
        Ok(())
    }

    async fn update(
        &self,
        c: &mut HttpClient,
        rng: &mut StdRng,
        acks: &Mutex<Acks>,
    ) -> Result<(), String> {
        let (w, env) = pick(rng, self.workspaces);
        let ws = &self.workspaces[w];
        let ds = ws.data_sources[rng.random_range(0..ws.data_sources.len())];
        // A field that is not an endpoint: moving the host would need the password again.
        let host = format!("user-{}", Uuid::new_v4().simple());
        let input = json!({ "dataSourceId": ds, "environmentId": env,
            "options": [{ "key": "username", "value": host }] });
        let data: Value = c
            .graphql(&self.tokens.admin[w], UPDATE, json!({ "input": input }))
            .await?;
        let revision = data["updateDataSourceOptions"]["revision"]
            .as_i64()
            .ok_or("no revision in the answer")?;
        acks.lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((ds, env))
            .or_default()
            .push((revision, host));
        c.after_write = Some(AfterWrite {
            workspace: w,
            environment: env,
            data_source: ds,
            revision,
        });
        Ok(())
    }
}

/// The acknowledged writes: (revision, user name written) per (data source, environment).
type Acks = HashMap<(Uuid, Uuid), Vec<(i64, String)>>;

/// Acknowledged writes that did not read back: two acknowledgements of one revision,
/// or a stored row that is not the newest acknowledged write.
async fn lost_updates(url: &str, acks: Acks) -> anyhow::Result<u64> {
    let client = connect(url).await?;
    let read = client
        .prepare(
            "SELECT revision, \"values\"->>'username' FROM data_source_options \
             WHERE data_source_id = $1 AND environment_id = $2",
        )
        .await?;
    let mut lost = 0;
    for ((ds, env), mut writes) in acks {
        writes.sort();
        let count = writes.len();
        writes.dedup_by_key(|(revision, _)| *revision);
        lost += (count - writes.len()) as u64;
        let row = client.query_one(&read, &[&ds, &env]).await?;
        let stored: (i32, Option<String>) = (row.get(0), row.get(1));
        let (revision, host) = writes.last().expect("at least one write");
        if i64::from(stored.0) != *revision || stored.1.as_deref() != Some(host) {
            lost += 1;
        }
    }
    Ok(lost)
}

// ---------------------------------------------------------------------------------
// The floor: the same reads (and writes) as the server's, as prepared statements.

/// The builder read's statements (the floor's).
const ENVIRONMENTS_SQL: &str = "SELECT id, workspace_id, name, kind, priority, is_default, locked, protected, \
     created_at, updated_at FROM environments WHERE workspace_id = $1 ORDER BY priority";
const DATA_SOURCES_SQL: &str = "SELECT id, workspace_id, name, kind, created_at, updated_at FROM data_sources \
     WHERE workspace_id = $1 ORDER BY name, id LIMIT 51";
/// What resolving a data source reads, in one statement as envgate does: the data
/// source, the app, the user's selection, and every environment of the workspace with
/// the data source's options row there.
const RESOLUTION_SQL: &str = "SELECT d.id, d.workspace_id, d.name, d.kind, d.created_at, d.updated_at, \
     a.id, s.environment_id, e.id, e.workspace_id, e.name, e.kind, e.priority, e.is_default, e.locked, \
     e.protected, e.access, e.created_at, e.updated_at, o.workspace_id, o.data_source_id, o.environment_id, \
     o.\"values\", o.secrets, o.\"references\", o.revision, o.updated_at, o.updated_by \
     FROM data_sources d \
     LEFT JOIN apps a ON a.workspace_id = $1 AND a.id = $3 \
     LEFT JOIN environment_selections s ON s.workspace_id = $1 AND s.app_id = a.id AND s.user_id = $4 \
     LEFT JOIN environments e ON e.workspace_id = $1 \
     LEFT JOIN data_source_options o ON o.workspace_id = $1 AND o.data_source_id = d.id AND o.environment_id = e.id \
     WHERE d.workspace_id = $1 AND d.id = $2 ORDER BY e.priority";
const OPTIONS_SQL: &str = "SELECT workspace_id, data_source_id, environment_id, \"values\", secrets, \
     \"references\", revision, updated_at, updated_by FROM data_source_options \
     WHERE workspace_id = $1 AND environment_id = $2 AND data_source_id = ANY($3)";

/// The floor's builder read as unnamed statements (`query_typed`), safe through any
/// pooler: what `pgbench -M extended` sends.
async fn unnamed_builder_read(
    client: &mut Client,
    rng: &mut StdRng,
    workspaces: &[Workspace],
) -> Result<(), tokio_postgres::Error> {
    use tokio_postgres::types::Type;
    let (w, env) = pick(rng, workspaces);
    let ws = workspaces[w].id;
    client
        .query_typed(ENVIRONMENTS_SQL, &[(&ws, Type::UUID)])
        .await?;
    let rows = client
        .query_typed(DATA_SOURCES_SQL, &[(&ws, Type::UUID)])
        .await?;
    let ids: Vec<Uuid> = rows.iter().take(50).map(|r| r.get(0)).collect();
    client
        .query_typed(
            OPTIONS_SQL,
            &[
                (&ws, Type::UUID),
                (&env, Type::UUID),
                (&ids, Type::UUID_ARRAY),
            ],
        )
        .await?;
    Ok(())
}

struct Floor {
    client: Client,
    environments: Statement,
    data_sources: Statement,
    options: Statement,
    /// [`RESOLUTION_SQL`].
    resolution: Statement,
    lock_row: Statement,
    update: Statement,
    audit: Statement,
}

impl Floor {
    async fn connect(url: &str) -> anyhow::Result<Self> {
        let client = connect(url).await?;
        Ok(Self {
            environments: client.prepare(ENVIRONMENTS_SQL).await?,
            data_sources: client.prepare(DATA_SOURCES_SQL).await?,
            options: client.prepare(OPTIONS_SQL).await?,
            resolution: client.prepare(RESOLUTION_SQL).await?,
            lock_row: client
                .prepare(
                    "SELECT \"values\", secrets, \"references\", revision FROM data_source_options \
                     WHERE workspace_id = $1 AND data_source_id = $2 AND environment_id = $3 FOR UPDATE",
                )
                .await?,
            update: client
                .prepare(
                    "UPDATE data_source_options SET \"values\" = $4, revision = revision + 1, \
                     updated_at = now(), updated_by = $5 \
                     WHERE workspace_id = $1 AND data_source_id = $2 AND environment_id = $3 RETURNING revision",
                )
                .await?,
            audit: client
                .prepare(
                    "INSERT INTO audit_events (id, workspace_id, actor, role, action, data_source_id, \
                     environment_id, app_id, request_id, details) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .await?,
            client,
        })
    }

    async fn builder_read(
        &mut self,
        rng: &mut StdRng,
        workspaces: &[Workspace],
    ) -> Result<(), tokio_postgres::Error> {
        let (w, env) = pick(rng, workspaces);
        let ws = workspaces[w].id;
        self.client.query(&self.environments, &[&ws]).await?;
        let rows = self.client.query(&self.data_sources, &[&ws]).await?;
        let ids: Vec<Uuid> = rows.iter().take(50).map(|r| r.get(0)).collect();
        self.client.query(&self.options, &[&ws, &env, &ids]).await?;
        Ok(())
    }

    async fn resolve(
        &mut self,
        rng: &mut StdRng,
        workspaces: &[Workspace],
    ) -> Result<(), tokio_postgres::Error> {
        let w = &workspaces[rng.random_range(0..workspaces.len())];
        let app = w.apps[rng.random_range(0..w.apps.len().max(1))];
        let ds = w.data_sources[rng.random_range(0..w.data_sources.len())];
        let tx = self.client.transaction().await?;
        let rows = tx
            .query(&self.resolution, &[&w.id, &ds, &app, &BENCH_USER])
            .await?;
        let selected: Option<Uuid> = rows.first().and_then(|r| r.get(7));
        let env = selected.unwrap_or(*w.environments.last().expect("environments"));
        let details = json!({ "target": "BUILDER", "userId": BENCH_USER, "outcome": "OK" });
        tx.execute(
            &self.audit,
            &[
                &Uuid::new_v4(),
                &w.id,
                &BENCH_USER,
                &"runner",
                &"data_source.resolved",
                &Some(ds),
                &Some(env),
                &Some(app),
                &Uuid::new_v4().to_string(),
                &details,
            ],
        )
        .await?;
        tx.commit().await
    }

    async fn update(
        &mut self,
        rng: &mut StdRng,
        workspaces: &[Workspace],
    ) -> Result<(), tokio_postgres::Error> {
        let (w, env) = pick(rng, workspaces);
        let w = &workspaces[w];
        let ds = w.data_sources[rng.random_range(0..w.data_sources.len())];
        let tx = self.client.transaction().await?;
        let row = tx.query_one(&self.lock_row, &[&w.id, &ds, &env]).await?;
        let mut values: Value = row.get(0);
        values["host"] = json!(format!("host-{}", Uuid::new_v4().simple()));
        tx.query_one(&self.update, &[&w.id, &ds, &env, &values, &BENCH_USER])
            .await?;
        let details = json!({ "changed": ["host"] });
        tx.execute(
            &self.audit,
            &[
                &Uuid::new_v4(),
                &w.id,
                &BENCH_USER,
                &"admin",
                &"data_source.options_updated",
                &Some(ds),
                &Some(env),
                &None::<Uuid>,
                &Uuid::new_v4().to_string(),
                &details,
            ],
        )
        .await?;
        tx.commit().await
    }
}

// ---------------------------------------------------------------------------------
// The table.

/// The report as a plain-text table.
pub fn table(report: &Report) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nenvgate load benchmark: {}; {} clients, {:.0} s per measurement; {}\n",
        report.scale, report.clients, report.duration_s, report.machine
    );
    let _ = writeln!(
        out,
        "| scenario | envgate req/s | p50 ms | p90 ms | p99 ms | errors | CPU ms/req | SQL floor req/s | floor p99 ms | ratio to floor |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for row in &report.rows {
        let (e, f) = (&row.envgate, &row.floor);
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {:.2} | {:.0} | {:.1} | {:.0}% |",
            row.scenario,
            e.throughput,
            e.p50_ms,
            e.p90_ms,
            e.p99_ms,
            e.errors + f.errors,
            row.server_cpu_ms_per_request,
            f.throughput,
            f.p99_ms,
            row.ratio_to_floor * 100.0
        );
    }
    for row in &report.rows {
        if let Some(lost) = row.lost_updates {
            let _ = writeln!(out, "\n{}: {lost} lost updates", row.scenario);
        }
        if let Some(reads) = row.reads_after_writes {
            let _ = writeln!(
                out,
                "{}: {reads} reads followed their client's write (one that missed it is an error)",
                row.scenario
            );
        }
        if let Some(reads) = row.replica_reads {
            let _ = writeln!(
                out,
                "\n{}: {} of {} queries (warm-up included) read from the replica",
                row.scenario,
                reads.replica,
                reads.replica + reads.primary
            );
        }
        for (who, m) in [("envgate", &row.envgate), ("floor", &row.floor)] {
            if let Some(error) = &m.first_error {
                let _ = writeln!(out, "{} ({who}): first error: {error}", row.scenario);
            }
        }
    }
    let _ = writeln!(
        out,
        "\nserver peak RSS {:.1} MB; seeding took {:.1} s",
        report.server_peak_rss_mb, report.seed_s
    );
    out
}
