//! `cargo bench`: latency and SQL statements per request of the API's hot paths,
//! through the real router over a real PostgreSQL (the tests' fixtures).
//!
//! Prints one line per case: requests, mean, p50, p95, and statements per request.

#[allow(dead_code, reason = "the bench uses only part of the test fixtures")]
#[path = "../it/common.rs"]
mod common;
#[allow(dead_code, reason = "the fixtures use it; the bench turns it off")]
#[path = "../it/reference.rs"]
mod reference;

use std::time::{Duration, Instant};

use serde_json::json;

use common::{TestApp, data};

const ROUNDS: usize = 200;

async fn measure(t: &TestApp, name: &str, mut request: impl AsyncFnMut(usize)) {
    for i in 0..10 {
        request(i).await; // warm the pool and caches
    }
    let mut times = Vec::with_capacity(ROUNDS);
    let before = t.queries();
    for i in 0..ROUNDS {
        let started = Instant::now();
        request(i).await;
        times.push(started.elapsed());
    }
    let statements = (t.queries() - before) as f64 / ROUNDS as f64;
    times.sort_unstable();
    let mean = times.iter().sum::<Duration>() / ROUNDS as u32;
    let pct = |p: usize| times[(ROUNDS * p / 100).min(ROUNDS - 1)];
    println!(
        "{name:<48} {ROUNDS} requests  mean {mean:>9.2?}  p50 {:>9.2?}  p95 {:>9.2?}  {statements:.1} statements/request",
        pct(50),
        pct(95)
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let t = TestApp::new().await.without_reference();
    let ws = t.workspace().await;
    let mut ids = Vec::new();
    for i in 0..100 {
        let input = json!({ "name": format!("ds-{i:03}"), "kind": "postgresql", "options": [
            { "key": "host", "value": "db" }, { "key": "database", "value": "app" },
            { "key": "username", "value": "app" }, { "key": "password", "value": "secret" }] });
        let created = data(
            t.gql(
                Some(&ws.admin),
                "mutation($input: CreateDataSourceInput!) { createDataSource(input: $input) { id } }",
                json!({ "input": input }),
            )
            .await,
        );
        ids.push(
            created["createDataSource"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let envs = data(
        t.gql(Some(&ws.admin), "{ environments { id } }", json!({}))
            .await,
    );
    let production = envs["environments"][2]["id"].clone();
    let development = envs["environments"][0]["id"].clone();

    // 100 apps with three versions each (one released), and the builder's selection.
    let mut apps = Vec::new();
    for i in 0..100 {
        let app = data(
            t.gql(
                Some(&ws.builder),
                "mutation($name: String!) { createApp(name: $name) { id } }",
                json!({ "name": format!("app-{i:03}") }),
            )
            .await,
        )["createApp"]["id"]
            .clone();
        for v in ["v1", "v2", "v3"] {
            data(
                t.gql(
                    Some(&ws.builder),
                    "mutation($app: ID!, $name: String!) { createAppVersion(appId: $app, name: $name) { id } }",
                    json!({ "app": app, "name": v }),
                )
                .await,
            );
        }
        data(
            t.gql(
                Some(&ws.builder),
                "mutation($app: ID!, $env: ID!) { selectEnvironment(appId: $app, environmentId: $env) { id } }",
                json!({ "app": app, "env": development }),
            )
            .await,
        );
        apps.push(app);
    }

    measure(&t, "environments", async |_| {
        data(
            t.gql(
                Some(&ws.viewer),
                "{ environments { id name priority } }",
                json!({}),
            )
            .await,
        );
    })
    .await;
    let page = "{ dataSources(first: 100) { nodes { id name environments { id configured revision environment { name } values { key value isSet } } } } }";
    measure(
        &t,
        "dataSources(first: 100) with every environment",
        async |_| {
            data(t.gql(Some(&ws.builder), page, json!({})).await);
        },
    )
    .await;
    measure(&t, "updateDataSourceOptions (sealing a secret)", async |i| {
        let input = json!({ "dataSourceId": ids[i % ids.len()], "environmentId": production,
            "options": [{ "key": "password", "value": format!("pw-{i}") }] });
        data(
            t.gql(
                Some(&ws.admin),
                "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }",
                json!({ "input": input }),
            )
            .await,
        );
    })
    .await;
    let apps_page = "{ apps(first: 100) { nodes { id name versions { id name status environment { name } } releasedVersion { id } builderEnvironment { name } releasedEnvironment { name } } } }";
    measure(
        &t,
        "apps(first: 100) with versions and environments",
        async |_| {
            data(t.gql(Some(&ws.builder), apps_page, json!({})).await);
        },
    )
    .await;
    measure(&t, "resolveDataSource (BUILDER, decrypting)", async |i| {
        let input = json!({ "dataSourceId": ids[i % ids.len()], "appId": apps[i % apps.len()],
            "target": "BUILDER", "userId": "bob" });
        data(
            t.gql(
                Some(&ws.runner),
                "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { environment { name } options } }",
                json!({ "input": input }),
            )
            .await,
        );
    })
    .await;
}
