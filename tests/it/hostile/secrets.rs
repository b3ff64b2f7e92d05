//! No editor can pull a secret out: connection strings hold only options envgate knows
//! to be safe (checked at save, on copy, and again with constants substituted when a
//! test uses them), secrets follow their endpoint (moving a host means entering the
//! password again), and MongoDB over TLS reaches the address the egress guard checked
//! through envgate's loopback relay. Every step is bounded in time.

use std::sync::Arc;
use std::time::Duration;

use envgate::app::Settings;
use envgate::domain::connection_test::{Allow, Policy};
use mongodb::bson::{Document, doc};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::common::{TempDir, TestApp, Workspace, code, data};
use crate::data_sources::{CREATE, environment_ids};

const UPDATE: &str = "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision values { key value isSet } } }";
const COPY: &str = "mutation($input: CopyDataSourceOptionsInput!) { copyDataSourceOptions(input: $input) { revision values { key value isSet } } }";
const TEST: &str = "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok supported message } }";
const CREATE_CONSTANT: &str = "mutation($name: String!, $type: ConstantType!, $values: [ConstantValueInput!]!) { createConstant(name: $name, type: $type, values: $values) { id } }";

/// What one step may take at most: no test waits forever.
const STEP: Duration = Duration::from_secs(60);

async fn bounded<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(STEP, future)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {STEP:?}"))
}

/// A data-source name of this run.
fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn inputs(options: &Value) -> Vec<Value> {
    options
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, value)| json!({ "key": key, "value": value }))
        .collect()
}

/// `createDataSource` with `options` (written to Production): the raw response.
async fn create(t: &TestApp, ws: &Workspace, kind: &str, options: &Value) -> Value {
    let input = json!({ "name": unique(kind), "kind": kind, "options": inputs(options) });
    bounded(
        "createDataSource",
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input })),
    )
    .await
}

async fn create_ok(t: &TestApp, ws: &Workspace, kind: &str, options: &Value) -> String {
    data(create(t, ws, kind, options).await)["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn update(t: &TestApp, ws: &Workspace, id: &str, env: &str, options: Value) -> Value {
    let input = json!({ "dataSourceId": id, "environmentId": env, "options": inputs(&options) });
    bounded(
        "updateDataSourceOptions",
        t.gql(Some(&ws.admin), UPDATE, json!({ "input": input })),
    )
    .await
}

async fn copy(t: &TestApp, ws: &Workspace, id: &str, from: &str, to: &str, secrets: bool) -> Value {
    let input = json!({ "dataSourceId": id, "fromEnvironmentId": from, "toEnvironmentId": to, "includeSecrets": secrets });
    bounded(
        "copyDataSourceOptions",
        t.gql(Some(&ws.admin), COPY, json!({ "input": input })),
    )
    .await
}

async fn test_connection(t: &TestApp, ws: &Workspace, id: &str, env: &str) -> Value {
    bounded(
        "testDataSourceConnection",
        t.gql(Some(&ws.admin), TEST, json!({ "d": id, "e": env })),
    )
    .await
}

/// Asserts a BAD_USER_INPUT about `field` whose message holds every one of `words`.
fn assert_refused(response: &Value, field: &str, words: &[&str]) {
    assert_eq!(code(response), "BAD_USER_INPUT", "{response}");
    assert_eq!(
        response["errors"][0]["extensions"]["field"], field,
        "{response}"
    );
    let message = response["errors"][0]["message"].as_str().unwrap();
    for word in words {
        assert!(message.contains(word), "`{word}` not in: {message}");
    }
}

fn value_of<'a>(values: &'a Value, key: &str) -> &'a Value {
    values
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {values}"))
}

const MONGO_PASSWORD: &str = "mongo-hostile-pw-5d1c";

#[tokio::test(flavor = "multi_thread")]
async fn connection_strings_that_read_files_or_ambient_credentials_are_refused_at_save() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let string =
        |query: &str| format!("mongodb://app:{MONGO_PASSWORD}@db.example:27017/shop?{query}");
    let refused = [
        (
            "authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s",
            "`authMechanism=MONGODB-OIDC`",
        ),
        (
            "authMechanismProperties=ENVIRONMENT:azure,TOKEN_RESOURCE:x",
            "`authMechanismProperties`",
        ),
        ("tls=true&tlsCAFile=/etc/ssl/private/ca.pem", "`tlsCAFile`"),
        ("tls=true&TLSCAFILE=/etc/passwd", "`tlsCAFile`"),
        (
            "tls=true&tlsCertificateKeyFile=/var/run/secrets/key.pem",
            "`tlsCertificateKeyFile`",
        ),
        (
            "tlsCertificateKeyFilePassword=x",
            "`tlsCertificateKeyFilePassword`",
        ),
        ("authMechanism=MONGODB-AWS", "`authMechanism=MONGODB-AWS`"),
        ("authMechanism=GSSAPI", "`authMechanism=GSSAPI`"),
        ("authMechanism=MONGODB-X509", "`authMechanism=MONGODB-X509`"),
        ("proxyHost=relay.example", "`proxyHost`"),
    ];
    for (query, option) in refused {
        let response = create(
            &t,
            &ws,
            "mongodb",
            &json!({ "connection_string": string(query) }),
        )
        .await;
        assert_refused(&response, "connection_string", &[option, "is not allowed"]);
        let text = response.to_string();
        assert!(
            !text.contains(MONGO_PASSWORD) && !text.contains("/etc") && !text.contains("k8s"),
            "{text}"
        );
    }
    // An option envgate does not know is refused without quoting it.
    let unknown = create(
        &t,
        &ws,
        "mongodb",
        &json!({ "connection_string": string("sneakyOption=1") }),
    )
    .await;
    assert_refused(
        &unknown,
        "connection_string",
        &["does not allow", "appName"],
    );
    assert!(!unknown.to_string().contains("sneakyOption"));

    // The harmless ones are accepted, and a save of a forbidden one is refused too.
    let allowed = string(
        "authSource=admin&authMechanism=SCRAM-SHA-256&replicaSet=rs0&tls=true&tlsAllowInvalidHostnames=true&connectTimeoutMS=2000&appName=shop&retryWrites=true&w=majority&readPreference=secondaryPreferred&directConnection=true",
    );
    let id = create_ok(&t, &ws, "mongodb", &json!({ "connection_string": allowed })).await;
    let production = environment_ids(&t, &ws).await[2].clone();
    let saved = update(
        &t,
        &ws,
        &id,
        &production,
        json!({ "connection_string": string("tlsCAFile=/x") }),
    )
    .await;
    assert_refused(
        &saved,
        "connection_string",
        &["`tlsCAFile`", "reads a file on the server"],
    );
}

/// A GLOBAL constant `name` with `value` in every environment of `envs`.
async fn create_global_constant(
    t: &TestApp,
    ws: &Workspace,
    envs: &[String],
    name: &str,
    value: &str,
) {
    let values: Vec<Value> = envs
        .iter()
        .map(|e| json!({ "environmentId": e, "value": value }))
        .collect();
    let variables = json!({ "name": name, "type": "GLOBAL", "values": values });
    let created = t.gql(Some(&ws.admin), CREATE_CONSTANT, variables);
    data(bounded("createConstant", created).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_constant_that_would_add_a_forbidden_option_is_refused_when_the_test_uses_it() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let name = format!("APP_{}", uuid::Uuid::new_v4().simple());
    let oidc = "shop&authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s";
    create_global_constant(&t, &ws, &envs, &name, oidc).await;
    // As saved, the reference stands for the value of an allowed option.
    let string =
        format!("mongodb://app:{MONGO_PASSWORD}@127.0.0.1:27017/?appName={{{{constants.{name}}}}}");
    let id = create_ok(&t, &ws, "mongodb", &json!({ "connection_string": string })).await;
    // Substituted, it adds an option: the test refuses before connecting anywhere.
    let tested = test_connection(&t, &ws, &id, &envs[2]).await;
    assert_refused(
        &tested,
        "connection_string",
        &["`authMechanism=MONGODB-OIDC`", "constants substituted"],
    );
    assert!(!tested.to_string().contains(MONGO_PASSWORD));

    // The same for a REST URL whose scheme comes from a constant.
    let base = format!("BASE_{}", uuid::Uuid::new_v4().simple());
    create_global_constant(&t, &ws, &envs, &base, "file:///etc/passwd#").await;
    let id = create_ok(
        &t,
        &ws,
        "restapi",
        &json!({ "url": format!("{{{{constants.{base}}}}}") }),
    )
    .await;
    let tested = test_connection(&t, &ws, &id, &envs[2]).await;
    assert_refused(&tested, "url", &["http:// or https://"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rest_url_is_http_or_https() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    for url in [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "ftp://files.example/",
        "javascript:alert(1)",
        "//no-scheme.example/",
    ] {
        let response = create(&t, &ws, "restapi", &json!({ "url": url })).await;
        assert_refused(&response, "url", &["http:// or https://"]);
    }
    create_ok(
        &t,
        &ws,
        "restapi",
        &json!({ "url": "https://api.example.com/v1" }),
    )
    .await;
}

const PG_PASSWORD: &str = "pg-hostile-pw-81e0";

fn pg(host: &str) -> Value {
    json!({ "host": host, "port": 5432, "database": "app", "username": "app", "password": PG_PASSWORD })
}

#[tokio::test(flavor = "multi_thread")]
async fn moving_an_endpoint_needs_the_secrets_again() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let production = &envs[2];
    let id = create_ok(&t, &ws, "postgresql", &pg("db.internal")).await;

    // The attack: point the host elsewhere, keep the stored password.
    for (options, field) in [
        (json!({ "host": "attacker.example" }), "host"),
        (json!({ "port": 6543 }), "port"),
        (
            json!({ "database": "host=attacker.example dbname=app" }),
            "database",
        ),
        (
            json!({ "host": "attacker.example", "username": "app2" }),
            "host",
        ),
    ] {
        let response = update(&t, &ws, &id, production, options).await;
        assert_refused(
            &response,
            field,
            &["stored credentials", "`password` again"],
        );
        assert!(!response.to_string().contains(PG_PASSWORD));
    }
    // Unchanged values saved again, and fields that are not endpoints, are fine.
    data(
        update(
            &t,
            &ws,
            &id,
            production,
            json!({ "host": "db.internal", "port": 5432, "database": "app" }),
        )
        .await,
    );
    data(
        update(
            &t,
            &ws,
            &id,
            production,
            json!({ "username": "reporting", "ssl_mode": "require" }),
        )
        .await,
    );
    // With the secret in the same save, the endpoint moves.
    let moved = data(
        update(
            &t,
            &ws,
            &id,
            production,
            json!({ "host": "db2.internal", "password": "new-pw" }),
        )
        .await,
    );
    assert_eq!(
        value_of(&moved["updateDataSourceOptions"]["values"], "host")["value"],
        "db2.internal"
    );
    // Clearing the secret in the same save works too, and leaves nothing to send.
    let cleared = data(
        update(
            &t,
            &ws,
            &id,
            production,
            json!({ "host": "db3.internal", "password": null }),
        )
        .await,
    );
    assert_eq!(
        value_of(&cleared["updateDataSourceOptions"]["values"], "password")["isSet"],
        false
    );
    data(update(&t, &ws, &id, production, json!({ "host": "db4.internal" })).await);

    // A REST API's URL and its bearer token.
    let api = create_ok(
        &t,
        &ws,
        "restapi",
        &json!({ "url": "https://api.example.com/v1", "bearer_token": "tok-hostile-3a" }),
    )
    .await;
    let response = update(
        &t,
        &ws,
        &api,
        production,
        json!({ "url": "https://attacker.example/v1" }),
    )
    .await;
    assert_refused(&response, "url", &["`url`", "`bearer_token` again"]);
    assert!(!response.to_string().contains("tok-hostile-3a"));
    data(
        update(
            &t,
            &ws,
            &api,
            production,
            json!({ "url": "https://api.example.com/v1", "headers": { "X-Tenant": "acme" } }),
        )
        .await,
    );
    data(
        update(
            &t,
            &ws,
            &api,
            production,
            json!({ "url": "https://api2.example.com/v1", "bearer_token": "tok-2" }),
        )
        .await,
    );

    // An environment without stored secrets may move freely.
    data(
        update(
            &t,
            &ws,
            &id,
            &envs[1],
            json!({ "host": "anywhere.example" }),
        )
        .await,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_moves_endpoint_and_secrets_together_or_not_at_all() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let (development, staging, production) = (&envs[0], &envs[1], &envs[2]);
    let id = create_ok(&t, &ws, "postgresql", &pg("prod.internal")).await;

    // Staging has no secrets: copying the endpoint there sends nothing anywhere.
    data(copy(&t, &ws, &id, production, staging, false).await);
    // Development gets its own host and password.
    data(
        update(
            &t,
            &ws,
            &id,
            development,
            json!({ "host": "dev.internal", "password": "dev-pw" }),
        )
        .await,
    );
    // Without secrets, a copy would point Development's password at Production's host.
    let response = copy(&t, &ws, &id, production, development, false).await;
    assert_refused(
        &response,
        "includeSecrets",
        &["`host`", "`password`", "includeSecrets"],
    );
    // With secrets, endpoint and secrets move together.
    let copied = data(copy(&t, &ws, &id, production, development, true).await);
    assert_eq!(
        value_of(&copied["copyDataSourceOptions"]["values"], "host")["value"],
        "prod.internal"
    );
    // Same endpoint on both sides: nothing moves, the target keeps its password.
    data(update(&t, &ws, &id, staging, json!({ "password": "staging-pw" })).await);
    data(copy(&t, &ws, &id, production, staging, false).await);
}

// ---------------------------------------------------------------------------------
// MongoDB over TLS, through the relay

/// Writes a self-signed certificate for `localhost` into `dir`: `cert.pem`, `key.pem`.
async fn localhost_certificate(dir: &std::path::Path) {
    let script = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost \
        -keyout key.pem -out cert.pem";
    let output = bounded(
        "openssl",
        tokio::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .output(),
    )
    .await
    .expect("openssl runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What the fake server saw: the TLS server name of each session, each command.
#[derive(Debug, PartialEq)]
enum Seen {
    ServerName(Option<String>),
    Command(String),
}

/// A MongoDB server that speaks just enough of the wire protocol (OP_MSG) over TLS to
/// answer the driver's handshake and a `ping`, on 127.0.0.1 only; it reports what it
/// saw.
async fn fake_mongodb(dir: &std::path::Path) -> (u16, mpsc::UnboundedReceiver<Seen>) {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("cert.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("key.pem")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (seen, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (config, seen) = (config.clone(), seen.clone());
            tokio::spawn(async move {
                // The name is read from the client's hello, before the client checks
                // the certificate (and maybe gives up).
                let acceptor = tokio_rustls::LazyConfigAcceptor::new(
                    rustls::server::Acceptor::default(),
                    socket,
                );
                let Ok(start) = acceptor.await else {
                    return;
                };
                let name = start.client_hello().server_name().map(str::to_owned);
                let _ = seen.send(Seen::ServerName(name));
                let Ok(mut tls) = start.into_stream(config).await else {
                    return;
                };
                while let Some(command) = answer_one(&mut tls).await {
                    let _ = seen.send(Seen::Command(command));
                }
            });
        }
    });
    (port, received)
}

/// Reads one OP_MSG and answers it as a primary that accepts everything; the command's
/// name, or `None` when the peer is gone or sent something else.
async fn answer_one<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    stream: &mut S,
) -> Option<String> {
    let mut header = [0u8; 16];
    stream.read_exact(&mut header).await.ok()?;
    let field = |i: usize| i32::from_le_bytes(header[i..i + 4].try_into().unwrap());
    let (length, request_id, op_code) = (field(0), field(4), field(12));
    let mut body = vec![0u8; usize::try_from(length).ok()?.checked_sub(16)?];
    stream.read_exact(&mut body).await.ok()?;
    if op_code != 2013 || body.get(4) != Some(&0) {
        return None;
    }
    let command = Document::from_reader(&body[5..]).ok()?;
    let name = command.keys().next()?.clone();
    let reply = doc! {
        "ok": 1.0,
        "isWritablePrimary": true,
        "ismaster": true,
        "helloOk": true,
        "maxWireVersion": 21,
        "minWireVersion": 0,
        "maxBsonObjectSize": 16_777_216,
        "maxMessageSizeBytes": 48_000_000,
        "maxWriteBatchSize": 100_000,
        "logicalSessionTimeoutMinutes": 30,
        "connectionId": 1,
    };
    let mut document = Vec::new();
    reply.to_writer(&mut document).ok()?;
    let total = i32::try_from(16 + 4 + 1 + document.len()).ok()?;
    let mut message = Vec::with_capacity(usize::try_from(total).ok()?);
    for word in [total, 1, request_id, 2013] {
        message.extend_from_slice(&word.to_le_bytes());
    }
    message.extend_from_slice(&0u32.to_le_bytes());
    message.push(0);
    message.extend_from_slice(&document);
    stream.write_all(&message).await.ok()?;
    Some(name)
}

#[tokio::test(flavor = "multi_thread")]
async fn mongodb_over_tls_reaches_the_checked_address_with_the_name_only_for_tls() {
    let dir = TempDir::new("hostile-mongodb-tls");
    localhost_certificate(&dir).await;
    let (port, mut seen) = fake_mongodb(&dir).await;
    // Only 127.0.0.1 may be reached: `localhost` may also resolve to ::1, which the
    // guard refuses, so the address the relay connects to is the checked 127.0.0.1.
    let t = TestApp::with_settings(Settings {
        connection_tests: Policy::new(Allow::parse("127.0.0.1/32").unwrap()),
        ..Settings::default()
    })
    .await;
    let ws = t.workspace().await;
    let production = environment_ids(&t, &ws).await[2].clone();

    // The certificate is self-signed: checked, it fails, and the relay says why.
    let verified = create_ok(
        &t,
        &ws,
        "mongodb",
        &json!({ "connection_string": format!("mongodb://localhost:{port}/?tls=true") }),
    )
    .await;
    let result =
        data(test_connection(&t, &ws, &verified, &production).await)["testDataSourceConnection"]
            .clone();
    assert_eq!(
        (result["ok"].clone(), result["supported"].clone()),
        (json!(false), json!(true)),
        "{result}"
    );
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("certificate could not be verified"),
        "{result}"
    );
    assert_eq!(
        bounded("the first session", seen.recv()).await,
        Some(Seen::ServerName(Some("localhost".into()))),
        "the relay sent the host name as SNI"
    );

    // Unchecked, the driver pings through the relay's TLS session with the server.
    let string =
        format!("mongodb://localhost:{port}/shop?tls=true&tlsAllowInvalidCertificates=true");
    let insecure = create_ok(&t, &ws, "mongodb", &json!({ "connection_string": string })).await;
    let result =
        data(test_connection(&t, &ws, &insecure, &production).await)["testDataSourceConnection"]
            .clone();
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(
        result["message"],
        format!("Connected to MongoDB at localhost:{port}/shop over TLS.")
    );
    let mut names = Vec::new();
    let mut commands = Vec::new();
    while !commands.iter().any(|c| c == "ping") {
        match bounded("the fake server's report", seen.recv()).await {
            Some(Seen::ServerName(name)) => names.push(name),
            Some(Seen::Command(command)) => commands.push(command),
            None => panic!("the fake server stopped"),
        }
    }
    assert!(
        !names.is_empty() && names.iter().all(|n| n.as_deref() == Some("localhost")),
        "{names:?}"
    );

    // Nothing allowed: the guard refuses before the relay starts, and a server of its
    // own sees no session.
    let (port, mut seen) = fake_mongodb(&dir).await;
    let t = TestApp::with_settings(Settings {
        connection_tests: Policy::new(Allow::default()),
        ..Settings::default()
    })
    .await;
    let ws = t.workspace().await;
    let production = environment_ids(&t, &ws).await[2].clone();
    let guarded = create_ok(&t, &ws, "mongodb", &json!({ "connection_string": format!("mongodb://localhost:{port}/?tls=true&tlsAllowInvalidCertificates=true") })).await;
    let result =
        data(test_connection(&t, &ws, &guarded, &production).await)["testDataSourceConnection"]
            .clone();
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("may not reach"),
        "{result}"
    );
    let report = tokio::time::timeout(Duration::from_millis(300), seen.recv()).await;
    assert!(
        report.is_err(),
        "the guard let a session through: {report:?}"
    );
}
