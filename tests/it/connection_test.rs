//! Connection tests against real servers: a private PostgreSQL cluster that checks
//! passwords, another with TLS from a CA the test makes (openssl), this machine's
//! PostgreSQL over TLS and its MariaDB, an HTTP server and silent listeners the tests
//! start; the egress guard and the rate limit.

use envgate::app::Settings;
use envgate::domain::connection_test::{Allow, Policy, rate_limit};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::common::{TestApp, Workspace, code, data, with_private_cluster};
use crate::data_sources::{CREATE, environment_ids};

const PASSWORD: &str = "correct-horse-battery";
const TEST: &str = "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok supported message latencyMs } }";
const UPDATE: &str = "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_test_really_connects_and_never_echoes_the_password() {
    with_private_cluster("test-postgres-scram", Some(PASSWORD), |cluster, _| {
        connects_and_never_echoes(cluster.port())
    })
    .await;
}

async fn connects_and_never_echoes(port: u16) {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let options = json!([
        { "key": "host", "value": "127.0.0.1" }, { "key": "port", "value": port },
        { "key": "database", "value": "postgres" }, { "key": "username", "value": "postgres" },
        { "key": "password", "value": PASSWORD },
    ]);
    let created = data(
        t.gql(
            Some(&ws.admin),
            CREATE,
            json!({ "input": { "name": "pg", "kind": "postgresql", "options": options } }),
        )
        .await,
    );
    let id = created["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let ok = data(
        t.gql(Some(&ws.admin), TEST, json!({ "d": id, "e": envs[2] }))
            .await,
    )["testDataSourceConnection"]
        .clone();
    assert_eq!(
        (ok["ok"].clone(), ok["supported"].clone()),
        (json!(true), json!(true)),
        "{ok}"
    );
    assert!(ok["latencyMs"].as_i64().unwrap() >= 0);
    assert!(ok["message"].as_str().unwrap().contains("Connected"));

    // Staging has the same host but no password yet, then a wrong one.
    let no_password = data(
        t.gql(Some(&ws.admin), TEST, json!({ "d": id, "e": envs[1] }))
            .await,
    )["testDataSourceConnection"]
        .clone();
    assert_eq!(no_password["ok"], false);
    let message = no_password["message"].as_str().unwrap();
    assert!(
        message.contains("Could not connect") && message.contains("password missing"),
        "refused for want of a password, and says so: {no_password}"
    );
    assert_eq!(no_password["latencyMs"], serde_json::Value::Null);
    let wrong = "wrong-password-123";
    data(t.gql(Some(&ws.admin), UPDATE, json!({ "input": { "dataSourceId": id, "environmentId": envs[1], "options": [{ "key": "password", "value": wrong }] } })).await);
    let refused = t
        .gql(Some(&ws.admin), TEST, json!({ "d": id, "e": envs[1] }))
        .await;
    let result = data(refused.clone())["testDataSourceConnection"].clone();
    assert_eq!(result["ok"], false);
    assert_eq!(result["latencyMs"], serde_json::Value::Null);
    let message = result["message"].as_str().unwrap();
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    assert!(!refused.to_string().contains(wrong) && !refused.to_string().contains(PASSWORD));
}

/// Creates a data source of `kind` with `options` (written to Production) and tests it
/// there; answers the test's result.
async fn create_and_test(t: &TestApp, ws: &Workspace, kind: &str, options: Value) -> Value {
    let options: Vec<Value> = options
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, value)| json!({ "key": key, "value": value }))
        .collect();
    let name = format!("{kind}-{}", uuid::Uuid::new_v4().simple());
    let input = json!({ "name": name, "kind": kind, "options": options });
    let id = data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    )["createDataSource"]["id"]
        .clone();
    let production = environment_ids(t, ws).await[2].clone();
    let response = t
        .gql(Some(&ws.admin), TEST, json!({ "d": id, "e": production }))
        .await;
    data(response)["testDataSourceConnection"].clone()
}

fn message(result: &Value) -> &str {
    result["message"].as_str().unwrap()
}

fn postgres(host: &str, port: u16, ssl_mode: &str) -> Value {
    json!({ "host": host, "port": port, "database": "postgres", "username": "postgres", "ssl_mode": ssl_mode })
}

/// This machine's PostgreSQL (TLS on, a self-signed certificate).
const SYSTEM_POSTGRES: u16 = 5432;

#[tokio::test(flavor = "multi_thread")]
async fn postgresql_over_tls_encrypts_with_require_and_verifies_with_verify_full() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let require = create_and_test(
        &t,
        &ws,
        "postgresql",
        postgres("127.0.0.1", SYSTEM_POSTGRES, "require"),
    )
    .await;
    assert_eq!(
        require["ok"], true,
        "the server on 5432 must have TLS on: {require}"
    );
    assert!(message(&require).contains("over TLS"), "{require}");

    // Its certificate is self-signed: without the CA, verify-full can't trust it.
    let verify = create_and_test(
        &t,
        &ws,
        "postgresql",
        postgres("127.0.0.1", SYSTEM_POSTGRES, "verify-full"),
    )
    .await;
    assert_eq!(
        (verify["ok"].clone(), verify["supported"].clone()),
        (json!(false), json!(true))
    );
    assert!(
        message(&verify).contains("certificate could not be verified")
            && message(&verify).contains("ssl_ca"),
        "{verify}"
    );
    let mut bad_ca = postgres("127.0.0.1", SYSTEM_POSTGRES, "verify-full");
    bad_ca["ssl_ca"] = json!("not a certificate");
    let bad_ca = create_and_test(&t, &ws, "postgresql", bad_ca).await;
    assert_eq!(
        message(&bad_ca),
        "ssl_ca is not a PEM certificate.",
        "{bad_ca}"
    );
}

fn mariadb(password: Option<&str>) -> Value {
    let mut options =
        json!({ "host": "127.0.0.1", "port": 3306, "database": "mysql", "username": "root" });
    if let Some(password) = password {
        options["password"] = json!(password);
    }
    options
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_connects_and_a_wrong_password_is_refused_without_echo() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let ok = create_and_test(&t, &ws, "mysql", mariadb(None)).await;
    assert_eq!(
        ok["ok"], true,
        "MariaDB must run on 127.0.0.1:3306 (root, no password): {ok}"
    );
    assert!(message(&ok).contains("MariaDB"), "{ok}");

    let wrong = "wrong-mysql-password-42";
    let refused = create_and_test(&t, &ws, "mysql", mariadb(Some(wrong))).await;
    assert_eq!(refused["ok"], false);
    assert!(message(&refused).contains("Access denied"), "{refused}");
    assert!(!refused.to_string().contains(wrong));
}

/// An HTTP server on 127.0.0.1 that answers each of `answers` to one request, in turn,
/// and hands over each request it received (head only).
async fn http_server(answers: Vec<String>) -> (u16, tokio::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sent, received) = tokio::sync::mpsc::channel(answers.len().max(1));
    tokio::spawn(async move {
        for answer in answers {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
            let _ = sent.send(String::from_utf8_lossy(&head).into_owned()).await;
        }
    });
    (port, received)
}

fn http_answer(status: &str, extra: &str) -> String {
    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n{extra}\r\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rest_api_gets_its_headers_and_token_and_redirects_stay_on_the_host() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let token = "rest-bearer-secret-7";
    let (port, mut requests) = http_server(vec![
        http_answer("404 Not Found", ""),
        // Elsewhere: not followed.
        http_answer("302 Found", "location: http://127.0.0.2:1/elsewhere\r\n"),
        http_answer("503 Service Unavailable", ""),
    ])
    .await;
    let options = json!({ "url": format!("http://127.0.0.1:{port}/v1"), "headers": { "X-Tenant": "acme" }, "bearer_token": token });
    let found = create_and_test(&t, &ws, "restapi", options.clone()).await;
    assert_eq!(found["ok"], true, "{found}");
    assert!(message(&found).contains("HTTP 404"), "{found}");
    assert!(!found.to_string().contains(token));
    let request = requests.recv().await.unwrap().to_ascii_lowercase();
    assert!(request.starts_with("get /v1 "), "{request}");
    assert!(request.contains("x-tenant: acme"), "{request}");
    assert!(
        request.contains(&format!("authorization: bearer {token}")),
        "{request}"
    );

    let moved = create_and_test(&t, &ws, "restapi", options.clone()).await;
    assert_eq!(moved["ok"], true, "{moved}");
    assert!(message(&moved).contains("HTTP 302"), "{moved}");
    requests.recv().await.unwrap();

    let broken = create_and_test(&t, &ws, "restapi", options).await;
    assert_eq!(broken["ok"], false, "{broken}");
    assert!(message(&broken).contains("HTTP 503"), "{broken}");
}

/// A port on 127.0.0.1 nothing listens on.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread")]
async fn mongodb_failures_are_clear_and_never_quote_the_string() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let port = closed_port().await;
    let secret = "mongo-pass-9";
    let [refused, srv] = [
        format!("mongodb://app:{secret}@127.0.0.1:{port}/shop"),
        format!("mongodb+srv://app:{secret}@cluster.example.com"),
    ]
    .map(|string| create_and_test(&t, &ws, "mongodb", json!({ "connection_string": string })));
    let (refused, srv) = tokio::join!(refused, srv);
    // A string that does not parse is refused when saved.
    let input = json!({ "name": "bad", "kind": "mongodb", "options": [{ "key": "connection_string", "value": format!("mongodb://app:{secret}@127.0.0.1:notaport") }] });
    let bad = t
        .gql(Some(&ws.admin), CREATE, json!({ "input": input }))
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT", "{bad}");
    assert_eq!(
        (refused["ok"].clone(), refused["supported"].clone()),
        (json!(false), json!(true))
    );
    assert!(
        message(&refused).starts_with("Could not reach the MongoDB server"),
        "{refused}"
    );
    assert!(
        bad["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a valid MongoDB connection string"),
        "{bad}"
    );
    assert_eq!(srv["supported"], false, "{srv}");
    for result in [refused, bad, srv] {
        assert!(!result.to_string().contains(secret), "{result}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_and_timed_out_read_the_same() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let refused_port = closed_port().await;
    // Accepts connections and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            sockets.push(socket);
        }
    });
    let (refused, timed_out) = tokio::join!(
        create_and_test(
            &t,
            &ws,
            "postgresql",
            postgres("127.0.0.1", refused_port, "disable")
        ),
        create_and_test(
            &t,
            &ws,
            "postgresql",
            postgres("127.0.0.1", silent_port, "disable")
        ),
    );
    held.abort();
    assert_eq!(refused["ok"], false);
    assert_eq!(message(&refused), message(&timed_out));
    assert_eq!(
        message(&refused),
        "Could not reach the PostgreSQL server: the connection was refused, timed out or the host is unreachable."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_egress_guard_refuses_this_machine_and_the_cloud_metadata_address() {
    // Nothing allowed, as with --production.
    let t = TestApp::with_settings(Settings {
        connection_tests: Policy::new(Allow::default()),
        ..Settings::default()
    })
    .await;
    let ws = t.workspace().await;
    let guarded = [
        (
            "postgresql",
            postgres("169.254.169.254", 5432, "disable"),
            "169.254.169.254",
        ),
        (
            "mysql",
            json!({ "host": "::1", "port": 3306, "database": "mysql", "username": "root" }),
            "::1",
        ),
        // A name that resolves to 127.0.0.1 is refused too.
        (
            "postgresql",
            postgres("localhost", SYSTEM_POSTGRES, "disable"),
            "127.0.0.1",
        ),
        (
            "restapi",
            json!({ "url": "http://169.254.169.254/latest/meta-data/" }),
            "169.254.169.254",
        ),
        (
            "mongodb",
            json!({ "connection_string": "mongodb://localhost:27017" }),
            "127.0.0.1",
        ),
    ];
    for (kind, options, address) in guarded {
        let result = create_and_test(&t, &ws, kind, options).await;
        assert_eq!(
            (result["ok"].clone(), result["supported"].clone()),
            (json!(false), json!(true))
        );
        let message = message(&result);
        assert!(
            message.contains("may not reach")
                && message.contains(address)
                && message.contains("ENVGATE_CONNECTION_TEST_ALLOW"),
            "{kind}: {result}"
        );
    }
    // Allowed by host and port, the same server answers.
    let t = TestApp::with_settings(Settings {
        connection_tests: Policy::new(
            Allow::parse(&format!("localhost:{SYSTEM_POSTGRES}")).unwrap(),
        ),
        ..Settings::default()
    })
    .await;
    let ws = t.workspace().await;
    let allowed = create_and_test(
        &t,
        &ws,
        "postgresql",
        postgres("localhost", SYSTEM_POSTGRES, "disable"),
    )
    .await;
    assert_eq!(allowed["ok"], true, "{allowed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_tests_a_few_times_a_minute() {
    let t = TestApp::new().await;
    let (busy, other) = (t.workspace().await, t.workspace().await);
    // The guard answers at once: nothing goes on the network.
    let metadata = || postgres("169.254.169.254", 5432, "disable");
    for _ in 0..rate_limit::PER_MINUTE {
        let result = create_and_test(&t, &busy, "postgresql", metadata()).await;
        assert!(message(&result).contains("may not reach"), "{result}");
    }
    let limited = create_and_test(&t, &busy, "postgresql", metadata()).await;
    assert_eq!(limited["ok"], false);
    assert!(
        message(&limited).starts_with("Too many connection tests"),
        "{limited}"
    );
    let fine = create_and_test(&t, &other, "postgresql", metadata()).await;
    assert!(message(&fine).contains("may not reach"), "{fine}");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_workspace_cannot_test_a_data_source() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let input = json!({ "name": "api", "kind": "restapi", "options": [{ "key": "url", "value": "https://example.invalid" }] });
    let id = data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    )["createDataSource"]["id"]
        .clone();
    let other_ws = t.workspace().await;
    assert_eq!(
        code(
            &t.gql(
                Some(&other_ws.admin),
                TEST,
                json!({ "d": id, "e": envs[2] })
            )
            .await
        ),
        "NOT_FOUND"
    );
    // An unknown host is said to be one, quickly.
    let unknown = data(
        t.gql(Some(&ws.admin), TEST, json!({ "d": id, "e": envs[2] }))
            .await,
    )["testDataSourceConnection"]
        .clone();
    assert!(
        message(&unknown).contains("could not be resolved"),
        "{unknown}"
    );
}

/// Writes a CA and a server certificate for 127.0.0.1 signed by it into `dir` with
/// openssl: `ca.crt`, `server.crt`, `server.key`.
async fn make_certificates(dir: &std::path::Path) {
    let script = r#"set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=envgate-test-ca -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign -keyout ca.key -out ca.crt
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj /CN=127.0.0.1 -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
  -extfile server.ext -out server.crt
chmod 600 server.key"#;
    let output = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        tokio::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .output(),
    )
    .await
    .expect("openssl finished within a minute")
    .expect("openssl runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_full_connects_with_the_ca_that_signed_the_server() {
    with_private_cluster("test-postgres-tls", None, |cluster, dir| {
        verifies_with_the_ca(dir, cluster.url("postgres"), cluster.port())
    })
    .await;
}

async fn verifies_with_the_ca(dir: std::path::PathBuf, url: String, port: u16) {
    let tls = dir.join("tls");
    std::fs::create_dir_all(&tls).unwrap();
    make_certificates(&tls).await;
    // The server reads its key as the OS user it runs as.
    if uzers::get_effective_uid() == 0 {
        let postgres = uzers::get_user_by_name("postgres").expect("the postgres OS user");
        for file in ["", "server.crt", "server.key"] {
            std::os::unix::fs::chown(
                tls.join(file),
                Some(postgres.uid()),
                Some(postgres.primary_group_id()),
            )
            .unwrap();
        }
    }
    let (admin, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    for (setting, value) in [
        ("ssl_cert_file", tls.join("server.crt")),
        ("ssl_key_file", tls.join("server.key")),
    ] {
        admin
            .batch_execute(&format!(
                "ALTER SYSTEM SET {setting} = '{}'",
                value.display()
            ))
            .await
            .unwrap();
    }
    admin
        .batch_execute("ALTER SYSTEM SET ssl = on")
        .await
        .unwrap();
    admin
        .batch_execute("SELECT pg_reload_conf()")
        .await
        .unwrap();

    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let ca = std::fs::read_to_string(tls.join("ca.crt")).unwrap();
    let mut options = postgres("127.0.0.1", port, "verify-full");
    options["ssl_ca"] = json!(ca);
    let result = create_and_test(&t, &ws, "postgresql", options).await;
    assert_eq!(result["ok"], true, "{result}");
    assert!(message(&result).contains("over TLS"), "{result}");
}
