//! Behind a transaction-pooling pooler: Debian's PgBouncer (`pool_mode = transaction`),
//! started by each test on its own port and in its own directory in front of the test's
//! database, stopped (killed) with the test. Reads, writes and subscriptions work
//! through it with `ENVGATE_DATABASE_POOLER=transaction`, from two app instances and
//! from two `serve` processes started at once; a PgBouncer restart under load loses
//! no acknowledged write; `serve` refuses to start without the direct URL it needs,
//! and refuses an unknown pooler.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};
use uuid::Uuid;

use crate::common::{JWT_SECRET, TempDir, TestApp, TestDb, Workspace, data, post};
use crate::data_sources::{CREATE, create_pg, environment_ids, options, pg_options, update};
use crate::serve::{LIMIT, Server, graphql, subscriptions_running};
use crate::subscriptions::{CHANGED, options_event, running, subscribe};
use crate::websocket::serve;

/// PgBouncer's program: on the PATH, or where Debian's package puts it. A test that
/// needs it fails (never skips) without it.
fn program() -> PathBuf {
    which::which("pgbouncer")
        .ok()
        .or_else(|| Some(PathBuf::from("/usr/sbin/pgbouncer")).filter(|p| p.exists()))
        .expect("PgBouncer is needed by these tests: apt-get install -y pgbouncer (.ci/run installs it)")
}

/// A free TCP port on 127.0.0.1 (the system's choice, released for PgBouncer to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running PgBouncer in transaction mode in front of one database server: killed
/// when dropped.
pub(crate) struct PgBouncer {
    child: Option<Child>,
    dir: TempDir,
    port: u16,
    /// Its log (stderr), for failure messages.
    log: Arc<Mutex<Vec<String>>>,
}

impl PgBouncer {
    /// Starts PgBouncer in front of the server `db` is on, trusting 127.0.0.1 as the
    /// tests' own connections do.
    pub(crate) async fn start(db: &TestDb) -> Self {
        let target: tokio_postgres::Config = db.url.parse().unwrap();
        let host = match target.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            other => panic!("the test database is not reached over TCP: {other:?}"),
        };
        let server_port = target.get_ports().first().copied().unwrap_or(5432);
        let user = target.get_user().unwrap_or("postgres").to_owned();
        let dir = TempDir::new("pgbouncer");
        let port = free_port();
        std::fs::write(dir.join("users.txt"), format!("\"{user}\" \"\"\n")).unwrap();
        std::fs::write(
            dir.join("pgbouncer.ini"),
            format!(
                "[databases]\n\
                 * = host={host} port={server_port}\n\
                 [pgbouncer]\n\
                 listen_addr = 127.0.0.1\n\
                 listen_port = {port}\n\
                 unix_socket_dir =\n\
                 auth_type = trust\n\
                 auth_file = {users}\n\
                 pool_mode = transaction\n\
                 max_client_conn = 500\n\
                 default_pool_size = 20\n\
                 ignore_startup_parameters = extra_float_digits\n",
                users = dir.join("users.txt").display(),
            ),
        )
        .unwrap();
        let mut bouncer = Self {
            child: None,
            dir,
            port,
            log: Arc::default(),
        };
        bouncer.spawn().await;
        bouncer
    }

    /// The URL of database `name` through this PgBouncer.
    pub(crate) fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    async fn spawn(&mut self) {
        let mut command = Command::new(program());
        // PgBouncer refuses to run as root.
        if uzers::get_current_uid() == 0 {
            command.args(["-u", "postgres"]);
        }
        command
            .arg(self.dir.join("pgbouncer.ini"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("starting pgbouncer");
        let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = self.log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                log.lock().unwrap().push(line);
            }
        });
        self.child = Some(child);
        let deadline = Instant::now() + LIMIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            let exited = self.child.as_mut().unwrap().try_wait().unwrap();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "pgbouncer did not listen on {} within {LIMIT:?} ({exited:?}): {:#?}",
                self.port,
                self.log.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills PgBouncer (every client connection drops with it) and waits for it to end.
    async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().unwrap();
            tokio::time::timeout(LIMIT, child.wait())
                .await
                .expect("pgbouncer ended in time")
                .unwrap();
        }
    }

    /// Stops PgBouncer and starts it again on the same port.
    async fn restart(&mut self) {
        self.stop().await;
        self.spawn().await;
    }
}

/// `envgate ARGS` with only these settings: its exit status and stderr (bounded).
async fn envgate(args: &[&str], env: &[(&str, &str)]) -> (std::process::ExitStatus, String) {
    let state = TempDir::new("pooler-refusal");
    let mut command = Command::new(env!("CARGO_BIN_EXE_envgate"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ENVGATE_") {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .env("ENVGATE_STATE_DIR", state.path())
        .env("ENVGATE_LISTEN", "127.0.0.1:0")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(LIMIT, command.output())
        .await
        .expect("envgate ended in time")
        .unwrap();
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_transaction_pooler_serve_refuses_to_start_without_a_direct_url_and_an_unknown_pooler_is_refused()
 {
    // Nothing listens on port 1: the refusal comes before any connection.
    let pooled = "postgres://postgres@127.0.0.1:1/envgate";
    for command in [&["serve"][..], &["migrate"], &["keys", "status"]] {
        let (status, stderr) = envgate(
            command,
            &[
                ("DATABASE_URL", pooled),
                ("ENVGATE_DATABASE_POOLER", "transaction"),
            ],
        )
        .await;
        assert!(!status.success(), "{command:?}: {stderr}");
        assert!(
            stderr.contains("ENVGATE_DIRECT_DATABASE_URL"),
            "{command:?}: {stderr}"
        );
    }
    let (status, stderr) = envgate(
        &["serve"],
        &[
            ("DATABASE_URL", pooled),
            ("ENVGATE_DATABASE_POOLER", "session"),
        ],
    )
    .await;
    assert!(!status.success(), "{stderr}");
    assert!(
        stderr.contains("session") && stderr.contains("none") && stderr.contains("transaction"),
        "{stderr}"
    );
}

/// A builder's read of the data sources and of one data source's options.
const BUILDER_READ: &str = "query($id: ID!) { dataSources(first: 10) { edges { node { id name } } } dataSource(id: $id) { id name } }";

#[tokio::test(flavor = "multi_thread")]
async fn two_apps_through_pgbouncer_read_write_and_hear_each_others_changes() {
    let direct = TestApp::new().await;
    let bouncer = PgBouncer::start(&direct.db).await;
    let pooled = bouncer.url(&direct.db.name);
    let a = TestApp::through_pooler(&direct, &pooled);
    let b = TestApp::through_pooler(&direct, &pooled);
    let ws = a.workspace().await;
    let url = serve(&b).await;
    let mut builder = subscribe(&url, &ws.builder, CHANGED, json!({})).await;
    running(&b, 1).await;

    // Written through one, heard by the other's subscriber.
    let id = create_pg(&a, &ws, "orders").await;
    for name in ["Development", "Staging", "Production"] {
        let (options, _) = options_event(&mut builder).await;
        assert_eq!(options["dataSourceId"], id);
        assert_eq!(options["environment"]["name"], name);
    }
    let envs = environment_ids(&b, &ws).await;
    let input = json!({ "dataSourceId": id, "environmentId": envs[1], "options": [{ "key": "password", "value": "s3cret" }] });
    let saved = data(update(&a, &ws.admin, input).await);
    let (options, _) = options_event(&mut builder).await;
    assert_eq!(options["environment"]["name"], "Staging");
    assert_eq!(
        options["revision"],
        saved["updateDataSourceOptions"]["revision"]
    );

    // Reads under load through both, statements spread over PgBouncer's server
    // connections: not one fails.
    let mut reads = tokio::task::JoinSet::new();
    for client in 0..16 {
        let app = if client % 2 == 0 { &a } else { &b };
        let router = app.router.clone();
        let token = ws.builder.clone();
        let id = id.clone();
        reads.spawn(async move {
            for _ in 0..25 {
                let body = json!({ "query": BUILDER_READ, "variables": { "id": id } });
                let response =
                    tower::ServiceExt::oneshot(router.clone(), post(Some(&token), &body))
                        .await
                        .unwrap();
                let status = response.status();
                let body = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .unwrap()
                    .to_bytes();
                let body: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(status, StatusCode::OK, "{body}");
                assert_eq!(data(body)["dataSource"]["name"], "orders");
            }
        });
    }
    tokio::time::timeout(LIMIT, async {
        while let Some(read) = reads.join_next().await {
            read.unwrap();
        }
    })
    .await
    .expect("the reads finished in time");
    drop(bouncer);
}

/// Through the pooler every statement is sent unnamed (envgate's own connection, not
/// diesel-async's): a database error keeps its kind, so a taken name is refused as it
/// is directly (BAD_USER_INPUT, not an internal error); the transaction it failed in
/// is rolled back, and the connections go on answering; NULLs, JSON and timestamps
/// read back as written, and bound (resolveDataSource).
#[tokio::test(flavor = "multi_thread")]
async fn through_pgbouncer_errors_keep_their_kind_and_values_read_back_as_written() {
    let direct = TestApp::new().await;
    let bouncer = PgBouncer::start(&direct.db).await;
    let pooled = TestApp::through_pooler(&direct, &bouncer.url(&direct.db.name));
    let ws = pooled.workspace().await;
    let id = create_pg(&pooled, &ws, "orders").await;
    let input = json!({ "name": "orders", "kind": "postgresql", "options": pg_options("x") });
    for _ in 0..3 {
        let refused = pooled
            .gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{refused}"
        );
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("already exists"), "{message}");
    }
    let listed = pooled
        .gql(
            Some(&ws.admin),
            "{ dataSources { nodes { id name createdAt } } }",
            json!({}),
        )
        .await;
    let nodes = data(listed)["dataSources"]["nodes"].clone();
    assert_eq!(nodes.as_array().unwrap().len(), 1, "{nodes}");
    assert_eq!(nodes[0]["id"], id);
    assert!(
        nodes[0]["createdAt"]
            .as_str()
            .is_some_and(|at| at.starts_with('2')),
        "{nodes}"
    );
    // Options saved through the pooler read back the same directly, and the other way.
    let envs = environment_ids(&pooled, &ws).await;
    let saved = update(
        &pooled,
        &ws.admin,
        json!({ "dataSourceId": id, "environmentId": envs[0], "options": pg_options("dev-secret") }),
    )
    .await;
    let through = options(&pooled, &ws.admin, &id, &envs[0]).await;
    assert_eq!(through, options(&direct, &ws.admin, &id, &envs[0]).await);
    assert_eq!(
        through["revision"],
        data(saved)["updateDataSourceOptions"]["revision"]
    );
    // resolveDataSource's one read binds NULL for the user of a released run and
    // finds no selection for a user who never chose.
    let app = crate::apps::create_app(&pooled, &ws.builder, "App").await;
    let resolve = "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { environment { name } options } }";
    for (target, user, environment, password) in [
        ("RELEASED", None, "Production", "prod-secret"),
        ("BUILDER", Some("never-chose"), "Development", "dev-secret"),
    ] {
        let input = json!({ "dataSourceId": id, "appId": app, "target": target, "userId": user });
        let resolved = data(
            pooled
                .gql(Some(&ws.runner), resolve, json!({ "input": input }))
                .await,
        )["resolveDataSource"]
            .clone();
        assert_eq!(resolved["environment"]["name"], environment, "{resolved}");
        assert_eq!(resolved["options"]["password"], password);
    }
    drop(bouncer);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_serve_processes_started_at_once_through_pgbouncer_migrate_answer_and_share_events() {
    let db = TestDb::empty().await;
    let bouncer = PgBouncer::start(&db).await;
    let pooled = bouncer.url(&db.name);
    let secret = std::str::from_utf8(JWT_SECRET).unwrap();
    let master_key = envgate::secrets::MasterKey::generate_hex();
    let env = [
        ("ENVGATE_DATABASE_POOLER", "transaction"),
        ("ENVGATE_DIRECT_DATABASE_URL", db.url.as_str()),
        ("ENVGATE_JWT_SECRET", secret),
        ("ENVGATE_MASTER_KEY", master_key.as_str()),
    ];
    let (first_state, second_state) = (TempDir::new("pooler-a"), TempDir::new("pooler-b"));
    // Both migrate the empty database at once.
    let (mut first, mut second) = tokio::join!(
        Server::launch(&pooled, &first_state, &env, &[]),
        Server::launch(&pooled, &second_state, &env, &[]),
    );
    let ws = Workspace::new(Uuid::new_v4());
    let mut subscriber = subscribe(
        &format!("ws://{}/graphql", second.address),
        &ws.builder,
        CHANGED,
        json!({}),
    )
    .await;
    subscriptions_running(&second.address, 1).await;
    let input = json!({ "name": "orders", "kind": "postgresql", "options": pg_options("p") });
    let (status, body) = graphql(
        &first.address,
        &ws.admin,
        "create",
        json!({ "query": CREATE, "variables": { "input": input } }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = data(body)["createDataSource"]["id"].clone();
    let (options, _) = options_event(&mut subscriber).await;
    assert_eq!(options["dataSourceId"], id, "an event of the other process");
    for (n, server) in [&first, &second].into_iter().cycle().take(40).enumerate() {
        let body = json!({ "query": BUILDER_READ, "variables": { "id": id } });
        let (status, body) = graphql(&server.address, &ws.builder, &format!("r{n}"), body).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(data(body)["dataSource"]["name"], "orders");
    }
    assert!(first.running() && second.running());
    for server in [first, second] {
        let (status, log) = server.terminate().await;
        assert_eq!(status.code(), Some(0), "{status}: {log:#?}");
        assert!(
            !log.iter().any(|l| l.contains("prepared statement")),
            "{log:#?}"
        );
    }
    drop(bouncer);
}

/// Saves `password` on one environment of a data source through `t`: the revision
/// when the save was acknowledged, `None` when it failed.
async fn save(
    t: &TestApp,
    token: &str,
    id: &str,
    environment: &str,
    password: &str,
) -> Option<i64> {
    let input = json!({ "dataSourceId": id, "environmentId": environment, "options": [{ "key": "password", "value": password }] });
    let query = "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }";
    let response = t
        .request(post(
            Some(token),
            &json!({ "query": query, "variables": { "input": input } }),
        ))
        .await;
    let body: Value = serde_json::from_str(&response.body).ok()?;
    body["data"]["updateDataSourceOptions"]["revision"].as_i64()
}

#[tokio::test(flavor = "multi_thread")]
async fn pgbouncer_restarted_under_load_answers_again_and_no_acknowledged_write_is_lost() {
    let direct = TestApp::new().await;
    let mut bouncer = PgBouncer::start(&direct.db).await;
    let pooled = Arc::new(TestApp::through_pooler(
        &direct,
        &bouncer.url(&direct.db.name),
    ));
    let ws = pooled.workspace().await;
    let envs = environment_ids(&pooled, &ws).await;
    let stop = tokio_util::sync::CancellationToken::new();
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..4 {
        let id = create_pg(&pooled, &ws, &format!("writer-{writer}")).await;
        let (t, token, environment, stop) = (
            pooled.clone(),
            ws.admin.clone(),
            envs[0].clone(),
            stop.clone(),
        );
        writers.spawn(async move {
            // (revision, password) of every acknowledged save, and whether each
            // attempt was acknowledged, in order.
            let (mut acknowledged, mut attempts) = (Vec::new(), Vec::new());
            for n in 0.. {
                if stop.is_cancelled() {
                    break;
                }
                let password = format!("w{writer}-{n}");
                let saved = save(&t, &token, &id, &environment, &password).await;
                attempts.push(saved.is_some());
                acknowledged.extend(saved.map(|revision| (revision, password)));
            }
            (id, environment, acknowledged, attempts)
        });
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    bouncer.restart().await;
    // Answers again: a read through the restarted PgBouncer (bounded).
    let deadline = Instant::now() + LIMIT;
    loop {
        let response = pooled
            .request(post(
                Some(&ws.builder),
                &json!({ "query": "{ environments { id } }" }),
            ))
            .await;
        if response.status == StatusCode::OK && !response.body.contains("\"errors\"") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no answer since the restart: {}",
            response.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.cancel();
    let mut acknowledged_in_all = 0;
    let results = tokio::time::timeout(LIMIT, writers.join_all())
        .await
        .expect("the writers stopped in time");
    for (id, environment, acknowledged, attempts) in results {
        let failed = attempts.iter().filter(|saved| !**saved).count();
        eprintln!(
            "writer {id}: {} saves acknowledged, {failed} failed",
            acknowledged.len()
        );
        // Back to normal: the saves after the restart's broken connections (one failure
        // each at most) are all acknowledged.
        assert!(
            attempts.len() > 5 && attempts.iter().rev().take(5).all(|saved| *saved),
            "{id}: {attempts:?}"
        );
        acknowledged_in_all += acknowledged.len();
        // Read directly: the last acknowledged save is there (a save that failed may
        // have committed too, so the revision may be later, never earlier).
        let (last_revision, _) = acknowledged.last().expect("saves acknowledged").clone();
        let stored = options(&direct, &ws.admin, &id, &environment).await["revision"]
            .as_i64()
            .unwrap();
        assert!(
            stored >= last_revision,
            "{id}: stored revision {stored}, acknowledged {last_revision}"
        );
    }
    assert!(acknowledged_in_all > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn through_pgbouncer_without_the_setting_the_first_lost_statement_is_logged_once_with_a_hint()
{
    let db = TestDb::new().await;
    let bouncer = PgBouncer::start(&db).await;
    let secret = std::str::from_utf8(JWT_SECRET).unwrap();
    let master_key = envgate::secrets::MasterKey::generate_hex();
    let state = TempDir::new("pooler-hint");
    let env = [
        ("ENVGATE_JWT_SECRET", secret),
        ("ENVGATE_MASTER_KEY", master_key.as_str()),
    ];
    let mut server = Server::launch(&bouncer.url(&db.name), &state, &env, &[]).await;
    let ws = Workspace::new(Uuid::new_v4());
    // Concurrent reads until some fail (statements prepared on one server connection,
    // used on another): bounded.
    let deadline = Instant::now() + LIMIT;
    let mut failed = 0;
    while failed == 0 {
        assert!(
            Instant::now() < deadline,
            "no read failed through PgBouncer"
        );
        let reads = (0..16).map(|n| {
            let body = json!({ "query": "{ environments { id name } dataSources(first: 10) { edges { node { id } } } }" });
            let (address, token) = (server.address.clone(), ws.builder.clone());
            async move { graphql(&address, &token, &format!("h{n}"), body).await }
        });
        failed += futures_util::future::join_all(reads)
            .await
            .iter()
            .filter(|(_, body)| body.to_string().contains("INTERNAL_SERVER_ERROR"))
            .count();
    }
    // Once more after the first failures: the hint is not repeated.
    let reads = (0..16).map(|n| {
        let body = json!({ "query": "{ environments { id name } dataSources(first: 10) { edges { node { id } } } }" });
        let (address, token) = (server.address.clone(), ws.builder.clone());
        async move { graphql(&address, &token, &format!("i{n}"), body).await }
    });
    futures_util::future::join_all(reads).await;
    assert!(server.running());
    let (_, log) = server.terminate().await;
    let hints = log
        .iter()
        .filter(|l| l.contains("ENVGATE_DATABASE_POOLER=transaction"))
        .count();
    assert_eq!(hints, 1, "{failed} reads failed: {log:#?}");
    drop(bouncer);
}
