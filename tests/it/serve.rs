//! `envgate serve` end to end: the real binary migrates an empty database, generates
//! its development secrets, listens, answers over a real socket, and stops cleanly on
//! SIGTERM. Every wait is bounded, and the server is killed if the test fails.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, Command};

use envgate::auth::TokenKeys;

use crate::common::{TempDir, TestDb};

/// How long any one step (start-up, a request, shutdown) may take.
pub(crate) const LIMIT: Duration = Duration::from_secs(60);

/// A running `envgate serve`: killed when dropped (a failing test leaves no server).
pub(crate) struct Server {
    child: Child,
    pub(crate) address: String,
    /// Every line it wrote to stderr so far (its log).
    log: Arc<Mutex<Vec<String>>>,
    /// What it printed on stdout before it listened (the demo token).
    pub(crate) stdout: Vec<String>,
    /// Over a test database, it may write there at any time: no answer over that
    /// database is compared with its reference while it runs (see `reference.rs`).
    _beside: Option<crate::reference::Holding>,
}

impl Server {
    pub(crate) async fn start(database_url: &str, state_dir: &std::path::Path) -> Self {
        Self::launch(database_url, state_dir, &[], &[]).await
    }

    /// `envgate serve ARGS` with these environment variables besides the test's own.
    pub(crate) async fn launch(
        database_url: &str,
        state_dir: &std::path::Path,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_envgate"));
        // Nothing of the caller's configuration (nor traces): only what this test gives.
        for (name, _) in std::env::vars_os() {
            let name_text = name.to_string_lossy();
            if name_text.starts_with("ENVGATE_") || name_text.starts_with("OTEL_") {
                command.env_remove(name);
            }
        }
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("ENVGATE_LISTEN", "127.0.0.1:0")
            .env("ENVGATE_STATE_DIR", state_dir)
            .env("RUST_LOG", "info")
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let beside = crate::reference::process_over(database_url);
        let mut child = command.spawn().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        // Read the log up to the line that says where it listens.
        let address = tokio::time::timeout(LIMIT, async {
            while let Some(line) = stderr.next_line().await.unwrap() {
                log.lock().unwrap().push(line.clone());
                if let Some((_, rest)) =
                    line.split_once("envgate is listening: GraphQL playground at http://")
                {
                    // Listening on every address: this machine's is one of them.
                    let address = rest.split('/').next().unwrap();
                    return address.replace("0.0.0.0:", "127.0.0.1:");
                }
            }
            panic!("serve ended before listening: {:#?}", log.lock().unwrap());
        })
        .await
        .unwrap_or_else(|_| {
            panic!(
                "serve did not listen within {LIMIT:?}: {:#?}",
                log.lock().unwrap()
            )
        });
        // Keep reading the log, so that the server never blocks on a full pipe.
        let sink = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                sink.lock().unwrap().push(line);
            }
        });
        // The demo token is printed right after: the last (and only) line on stdout,
        // unless the demo token is refused (then nothing is printed, and stdout ends
        // with the process).
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        // With a JWT secret configured there is no demo token either, nor with an
        // identity provider (and no secret).
        let refused = env.iter().any(|(name, _)| {
            matches!(
                *name,
                "ENVGATE_JWT_SECRET"
                    | "ENVGATE_JWKS_URL"
                    | "ENVGATE_JWKS_FILE"
                    | "ENVGATE_OIDC_ISSUER"
            )
        }) || log
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("the demo token is refused"));
        let stdout = if refused {
            Vec::new()
        } else {
            let token = tokio::time::timeout(LIMIT, stdout.next_line())
                .await
                .expect("the demo token in time")
                .unwrap()
                .expect("a demo token on stdout");
            vec![token]
        };
        Self {
            child,
            address,
            log,
            stdout,
            _beside: beside,
        }
    }

    /// The process's resident memory, in KiB (from /proc).
    pub(crate) fn rss_kib(&self) -> u64 {
        let pid = self.child.id().expect("still running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }

    /// Whether the process still runs.
    pub(crate) fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub(crate) fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Sends SIGTERM.
    fn signal_terminate(&self) {
        let pid = self.child.id().expect("still running").to_string();
        let kill = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(kill.success(), "kill -TERM {pid}");
    }

    /// Sends SIGTERM and waits (bounded) for the process to end.
    pub(crate) async fn terminate(self) -> (std::process::ExitStatus, Vec<String>) {
        self.signal_terminate();
        self.wait().await
    }

    /// Waits (bounded) for the process to end.
    async fn wait(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let status = tokio::time::timeout(LIMIT, self.child.wait())
            .await
            .unwrap_or_else(|_| {
                panic!("serve still ran {LIMIT:?} after SIGTERM: {:#?}", self.log())
            })
            .unwrap();
        // The log reader ends with the process; give it a moment to drain (bounded).
        for _ in 0..100 {
            if self.log().iter().any(|l| l.contains("envgate stopped")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (status, self.log())
    }
}

/// One HTTP/1.1 exchange over a plain TCP connection: (status, headers, body).
pub(crate) async fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        // The server's own address, unless the test names another host.
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("host"))
        {
            request.push_str(&format!("Host: {address}\r\n"));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        String::from_utf8(response).unwrap()
    };
    let response = tokio::time::timeout(LIMIT, exchange)
        .await
        .unwrap_or_else(|_| panic!("{method} {path}: no answer within {LIMIT:?}"));
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP response: {response}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    let head = head.to_ascii_lowercase();
    assert!(
        !head.contains("transfer-encoding: chunked"),
        "a whole body with its length is expected: {head}"
    );
    (status, head, body.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_migrates_listens_answers_and_stops_cleanly_on_sigterm() {
    // An empty database: serve migrates it itself.
    let db = TestDb::empty().await;
    let state = TempDir::new("serve");
    let server = Server::start(&db.url, state.path()).await;
    let log = server.log();
    assert!(
        log.iter().any(|l| l.contains("database migrated")),
        "{log:#?}"
    );
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().is_dir())
        .count();
    let ran = db
        .count("SELECT count(*) FROM __diesel_schema_migrations", &[])
        .await;
    assert_eq!(
        ran,
        i64::try_from(migrations).unwrap(),
        "every migration ran"
    );

    // No configuration: a development secret and master key were generated in the
    // state directory, and the printed token is signed with that secret.
    let secret = std::fs::read_to_string(state.path().join("jwt-secret")).unwrap();
    assert_eq!(
        std::fs::read_to_string(state.path().join("master-key"))
            .unwrap()
            .trim()
            .len(),
        64
    );
    let token = server.stdout.last().unwrap().trim().to_owned();
    let session = TokenKeys::new(secret.trim().as_bytes(), None, None)
        .verify(&token)
        .expect("the printed token verifies with the generated secret");
    let demo_workspace = std::fs::read_to_string(state.path().join("demo-workspace")).unwrap();
    assert_eq!(session.workspace_id.to_string(), demo_workspace.trim());

    // Real requests over a real socket.
    let (status, _, body) = http(&server.address, "GET", "/healthz", &[], "").await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, _, body) = http(&server.address, "GET", "/readyz", &[], "").await;
    assert_eq!(status, 200, "{body}");
    let query = json!({ "query": "{ viewer { workspaceId role } edition { name } environments { name } }" }).to_string();
    let authorization = format!("Bearer {token}");
    let (status, head, body) = http(
        &server.address,
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "application/graphql-response+json"),
            ("Authorization", &authorization),
            ("X-Request-Id", "serve-end-to-end"),
        ],
        &query,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        head.contains("content-type: application/graphql-response+json"),
        "{head}"
    );
    assert!(head.contains("x-request-id: serve-end-to-end"), "{head}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        answer,
        json!({ "data": {
            "viewer": { "workspaceId": demo_workspace.trim(), "role": "ADMIN" },
            "edition": { "name": "COMMUNITY" },
            "environments": [{ "name": "Production" }],
        } })
    );
    // It provisioned the workspace in the database it was given.
    let workspaces = db
        .count(
            "SELECT count(*) FROM workspaces WHERE id = $1",
            &[&session.workspace_id],
        )
        .await;
    assert_eq!(workspaces, 1);

    let (status, log) = server.terminate().await;
    assert_eq!(status.code(), Some(0), "{status}: {log:#?}");
    assert!(
        log.iter().any(|l| l.contains("envgate stopped")),
        "{log:#?}"
    );
}

/// Waits (bounded) until `count` subscriptions run in the server at `address`, as its
/// metrics say: changes committed from then on reach them.
pub(crate) async fn subscriptions_running(address: &str, count: u64) {
    let deadline = Instant::now() + LIMIT;
    while Instant::now() < deadline {
        let (_, _, body) = http(address, "GET", "/metrics", &[], "").await;
        let running = body
            .lines()
            .find_map(|l| l.strip_prefix("envgate_subscriptions_active "))
            .and_then(|n| n.trim().parse::<u64>().ok());
        if running.is_some_and(|n| n >= count) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{count} subscriptions did not start in {address} within {LIMIT:?}");
}

/// A GraphQL POST over its own TCP connection: (status, body as JSON).
pub(crate) async fn graphql(
    address: &str,
    token: &str,
    request_id: &str,
    body: Value,
) -> (u16, Value) {
    let authorization = format!("Bearer {token}");
    let (status, _, body) = http(
        address,
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &authorization),
            ("X-Request-Id", request_id),
        ],
        &body.to_string(),
    )
    .await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_requests_in_flight_finish_closes_websockets_with_1001_and_exits_0() {
    let db = TestDb::empty().await;
    let state = TempDir::new("serve-shutdown");
    let server = Server::launch(
        &db.url,
        state.path(),
        &[("RUST_LOG", "info,tower_http=debug")],
        &["--log-format", "json"],
    )
    .await;
    let token = server.stdout.last().unwrap().trim().to_owned();
    let address = server.address.clone();
    let create = json!({ "query": "mutation { createDataSource(input: { name: \"orders\", kind: \"restapi\", options: [{ key: \"url\", value: \"https://example.com\" }] }) { id environments { environment { id } } } }" });
    let (status, created) = graphql(&address, &token, "create-1", create).await;
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let environment = created["data"]["createDataSource"]["environments"][0]["environment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An open WebSocket.
    let mut socket = crate::websocket::connect(
        &format!("ws://{address}/graphql"),
        json!({ "authorization": token }),
    )
    .await;
    assert_eq!(
        crate::websocket::next_json(&mut socket).await["type"],
        "connection_ack"
    );

    // A save held in flight: the data source's row is locked by another transaction.
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    let held = db
        .hold(
            "SELECT 1 FROM data_sources WHERE id = $1 FOR UPDATE",
            &[&uuid],
        )
        .await;
    let save = json!({ "query": "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }",
        "variables": { "input": { "dataSourceId": id, "environmentId": environment, "options": [{ "key": "url", "value": "https://example.org" }] } } });
    let in_flight = tokio::spawn({
        let (address, token) = (address.clone(), token.clone());
        async move { graphql(&address, &token, "in-flight-save", save).await }
    });
    assert_eq!(db.lock_waiters(1).await, 1, "the save waits on the lock");

    server.signal_terminate();
    // The WebSocket is closed with 1001 and a reason, while the save still waits.
    let (code, reason) = crate::websocket::close_of(&mut socket).await;
    assert_eq!(code, 1001, "{reason}");
    assert!(!reason.is_empty());
    assert!(!in_flight.is_finished(), "the save still waits on the lock");

    // Released: the save completes, answered in full, and the server exits 0.
    held.commit().await;
    let (status, saved) = tokio::time::timeout(LIMIT, in_flight)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["data"]["updateDataSourceOptions"]["revision"], 2,
        "{saved}"
    );
    let (status, log) = server.wait().await;
    assert_eq!(status.code(), Some(0), "{status}: {log:#?}");

    // Log lines are JSON objects (the demo token's heading is not a log line), and the
    // lines of a request carry its id.
    let lines: Vec<Value> = log
        .iter()
        .filter(|l| !l.starts_with("Demo admin token"))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["request_id"] == "in-flight-save"),
        "{log:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn beyond_loopback_without_a_jwt_secret_the_demo_token_is_refused_and_introspection_can_be_off()
 {
    let db = TestDb::empty().await;
    let state = TempDir::new("serve-exposed");
    // First on loopback: the demo token is printed and works.
    let local = Server::start(&db.url, state.path()).await;
    let token = local.stdout.last().unwrap().trim().to_owned();
    let ask = json!({ "query": "{ viewer { role } }" });
    let (_, answer) = graphql(&local.address, &token, "local", ask.clone()).await;
    assert_eq!(answer["data"]["viewer"]["role"], "ADMIN", "{answer}");
    let (status, log) = local.terminate().await;
    assert_eq!(status.code(), Some(0), "{log:#?}");

    // Then on every address, same state directory (same development secret).
    let exposed = Server::launch(
        &db.url,
        state.path(),
        &[("ENVGATE_LISTEN", "0.0.0.0:0")],
        &["--no-introspection"],
    )
    .await;
    assert!(exposed.stdout.is_empty(), "no token printed");
    let (_, answer) = graphql(&exposed.address, &token, "exposed", ask).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{answer}"
    );
    let (_, _, page) = http(&exposed.address, "GET", "/", &[("Accept", "text/html")], "").await;
    assert!(!page.contains(&token), "GraphiQL is not pre-filled");
    let introspection = json!({ "query": "{ __schema { queryType { name } } }" });
    let (_, answer) = graphql(&exposed.address, &token, "introspect", introspection).await;
    assert_eq!(answer["data"]["__schema"], Value::Null, "{answer}");
    let (status, log) = exposed.terminate().await;
    assert_eq!(status.code(), Some(0), "{log:#?}");
}
