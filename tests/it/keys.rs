//! Master-key rotation: secrets re-sealed from key A to key B (also after an
//! interruption), still opening once A is gone, and a server refusing to start
//! without a key its secrets need.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};
use tower::ServiceExt as _;

use envgate::app::{App, AppState};
use envgate::auth::TokenKeys;
use envgate::db::{self, QueryCounter};
use envgate::domain::keys::{self, KeyCount};
use envgate::secrets::{MasterKey, MasterKeys};

use crate::common::{JWT_SECRET, TestDb, Workspace, data, enterprise, post};
use crate::data_sources::pg_options;

fn ring(keys: &[(&str, &str)]) -> MasterKeys {
    MasterKeys::new(
        keys.iter()
            .map(|(id, hex)| MasterKey::with_id(id, hex).unwrap())
            .collect(),
    )
    .unwrap()
}

fn app_with(url: &str, keys: MasterKeys) -> AppState {
    let queries = QueryCounter::default();
    let pool = db::pool(
        &crate::common::database_url(url),
        4,
        queries.clone(),
        db::Pooler::None,
    )
    .unwrap();
    App::builder(pool, queries)
        .tokens(TokenKeys::new(JWT_SECRET, None, None))
        .licensing(enterprise())
        .master_keys(keys)
        .build()
}

async fn gql(app: &AppState, token: &str, query: &str, variables: Value) -> Value {
    let response = envgate::router(app.clone())
        .oneshot(post(
            Some(token),
            &json!({ "query": query, "variables": variables }),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

async fn status(app: &AppState) -> Vec<(String, i64)> {
    let mut conn = app.conn().await.ok().unwrap();
    keys::status(&mut conn)
        .await
        .ok()
        .unwrap()
        .into_iter()
        .map(|KeyCount { key_id, secrets }| (key_id, secrets))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_move_from_key_a_to_key_b_even_after_an_interruption() {
    let db = TestDb::new().await;
    let (a, b) = (MasterKey::generate_hex(), MasterKey::generate_hex());
    let ws = Workspace::new(uuid::Uuid::new_v4());
    let before = app_with(&db.url, ring(&[("key-a", &a)]));
    let created = data(
        gql(
            &before,
            &ws.admin,
            "mutation($input: CreateDataSourceInput!) { createDataSource(input: $input) { id environments { environment { id } } } }",
            json!({ "input": { "name": "Orders", "kind": "postgresql", "options": pg_options("prod-pw") } }),
        )
        .await,
    );
    let ds = created["createDataSource"]["id"].clone();
    let staging = created["createDataSource"]["environments"][1]["environment"]["id"].clone();
    data(
        gql(
            &before,
            &ws.admin,
            "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }",
            json!({ "input": { "dataSourceId": ds, "environmentId": staging, "options": [{ "key": "password", "value": "staging-pw" }] } }),
        )
        .await,
    );
    let production = created["createDataSource"]["environments"][2]["environment"]["id"].clone();
    data(
        gql(
            &before,
            &ws.admin,
            "mutation($values: [ConstantValueInput!]!) { createConstant(name: \"API_KEY\", type: SECRET, values: $values) { id } }",
            json!({ "values": [{ "environmentId": production, "value": "constant-pw" }] }),
        )
        .await,
    );
    assert_eq!(status(&before).await, [("key-a".to_owned(), 3)]);

    // A value that is not a sealed secret at all is left alone (and does not make
    // the reseal go round in circles).
    let development = created["createDataSource"]["environments"][0]["environment"]["id"].clone();
    db.client()
        .await
        .execute(
            "UPDATE data_source_options SET secrets = '{\"password\": \"not-sealed\"}' WHERE environment_id = $1",
            &[&uuid::Uuid::parse_str(development.as_str().unwrap()).unwrap()],
        )
        .await
        .unwrap();

    // B in front, A still held: one batch (one options row, one constant value), then
    // an interruption.
    let both = app_with(&db.url, ring(&[("key-b", &b), ("key-a", &a)]));
    let mut conn = both.conn().await.ok().unwrap();
    let mut seen = Vec::new();
    let first = keys::reseal(&mut conn, &both.master_keys, 1, Some(1), |n| seen.push(n))
        .await
        .ok()
        .unwrap();
    assert_eq!((first.rows, first.secrets, seen), (2, 2, vec![2]));
    assert_eq!(
        status(&both).await,
        [("key-a".to_owned(), 1), ("key-b".to_owned(), 2)]
    );
    assert_eq!(
        keys::rows_to_reseal(&mut conn, &both.master_keys)
            .await
            .ok(),
        Some(1)
    );
    // Resumed, it finishes; run again, it has nothing to do.
    let rest = keys::reseal(&mut conn, &both.master_keys, 1, None, |_| {})
        .await
        .ok()
        .unwrap();
    assert_eq!((rest.rows, rest.secrets), (1, 1));
    let again = keys::reseal(&mut conn, &both.master_keys, 1, None, |_| {})
        .await
        .ok()
        .unwrap();
    assert_eq!((again.rows, again.secrets), (0, 0));
    assert_eq!(status(&both).await, [("key-b".to_owned(), 3)]);
    drop(conn);

    // A retired: every secret still opens, with B alone.
    let after = app_with(&db.url, ring(&[("key-b", &b)]));
    let app = data(
        gql(
            &after,
            &ws.builder,
            "mutation { createApp(name: \"Shop\") { id } }",
            json!({}),
        )
        .await,
    )["createApp"]["id"]
        .clone();
    data(
        gql(
            &after,
            &ws.builder,
            "mutation($app: ID!, $env: ID!) { selectEnvironment(appId: $app, environmentId: $env) { id } }",
            json!({ "app": app, "env": staging }),
        )
        .await,
    );
    let resolve =
        "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { options } }";
    let constant = data(
        gql(
            &after,
            &ws.runner,
            "{ constant(name: \"API_KEY\") { values { isSet } } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(constant["constant"]["values"][2]["isSet"], true);
    for (target, password) in [("RELEASED", "prod-pw"), ("BUILDER", "staging-pw")] {
        let resolved = data(
            gql(
                &after,
                &ws.runner,
                resolve,
                json!({ "input": { "dataSourceId": ds, "appId": app, "target": target, "userId": "bob" } }),
            )
            .await,
        );
        assert_eq!(
            resolved["resolveDataSource"]["options"]["password"],
            password
        );
    }

    // The command line says the same, and `serve` refuses a key set that can't open them.
    let status_out = envgate_cli(&db.url, &format!("key-b:{b}"), &["keys", "status"]);
    assert!(
        status_out.status.success(),
        "{}",
        String::from_utf8_lossy(&status_out.stderr)
    );
    assert_eq!(
        String::from_utf8(status_out.stdout).unwrap(),
        "key-b\t3 secret(s)\tcurrent\n"
    );
    let refused = envgate_cli(
        &db.url,
        &format!("key-c:{}", MasterKey::generate_hex()),
        &["serve", "--listen", "127.0.0.1:0"],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(
        stderr.contains("3 secret(s) under master key key-b") && stderr.contains("key-c"),
        "{stderr}"
    );
}

/// Runs the binary with the database and master keys given, killed after 60 s.
fn envgate_cli(url: &str, master_keys: &str, args: &[&str]) -> std::process::Output {
    let state_dir =
        std::env::temp_dir().join(format!("envgate-keys-{}", uuid::Uuid::new_v4().simple()));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_envgate"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("ENVGATE_MASTER_KEYS", master_keys)
        .env("ENVGATE_STATE_DIR", &state_dir)
        .env_remove("ENVGATE_MASTER_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("envgate {args:?} did not exit within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&state_dir);
    output
}
