//! Connection tests against a real PostgreSQL that checks passwords: a private
//! cluster with scram-sha-256 auth, started for these tests.

use serde_json::json;

use crate::common::{TempDir, TestApp, code, data};
use crate::data_sources::{CREATE, environment_ids};

const PASSWORD: &str = "correct-horse-battery";
const TEST: &str = "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok supported message latencyMs } }";
const UPDATE: &str = "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_test_really_connects_and_never_echoes_the_password() {
    // A cluster of this run's own, in a directory of its own: another run (another
    // checkout, CI) may run this test at the same time, and stops only its own cluster.
    let dir = TempDir::new("test-postgres-scram");
    let cluster = envgate::devdb::PrivateCluster::start(dir.path(), Some(PASSWORD))
        .await
        .expect("a private PostgreSQL cluster");
    // The test runs as a task of its own so that the cluster is stopped (and its
    // directory removed) whether it passes or fails.
    let outcome = tokio::spawn(connects_and_never_echoes(cluster.port())).await;
    cluster.stop().await.unwrap();
    drop(dir);
    match outcome {
        Ok(()) => {}
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("{e}"),
    }
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

    // Nothing listening: a clear failure, quickly.
    data(t.gql(Some(&ws.admin), UPDATE, json!({ "input": { "dataSourceId": id, "environmentId": envs[0], "options": [{ "key": "port", "value": 1 }] } })).await);
    let closed = data(
        t.gql(Some(&ws.admin), TEST, json!({ "d": id, "e": envs[0] }))
            .await,
    )["testDataSourceConnection"]
        .clone();
    assert_eq!(closed["ok"], false);
    assert!(
        closed["message"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1:1/postgres"),
        "{closed}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kinds_the_server_cannot_reach_say_so() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let input = json!({ "name": "api", "kind": "restapi", "options": [{ "key": "url", "value": "https://example.invalid" }, { "key": "bearer_token", "value": "tok-secret" }] });
    let id = data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    )["createDataSource"]["id"]
        .clone();
    let result = data(
        t.gql(Some(&ws.admin), TEST, json!({ "d": id, "e": envs[2] }))
            .await,
    )["testDataSourceConnection"]
        .clone();
    assert_eq!(
        (result["ok"].clone(), result["supported"].clone()),
        (json!(false), json!(false))
    );
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("not supported"),
        "{result}"
    );
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
}
