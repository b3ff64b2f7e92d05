//! The response cache (`src/graphql/cache.rs`): a query asked again is answered from
//! the process's kept JSON after one read of the workspace's generation, and never with
//! an answer older than a write committed before it began, whoever wrote it (a
//! mutation, another process, SQL by hand); answers are kept apart by workspace,
//! caller and variables.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::{Value, json};

use crate::common::{TestApp, Workspace, data, enterprise, post, token, token_in_groups};
use crate::data_sources::{create_pg, environment_ids, update};
use envgate::app::Settings;
use envgate::auth::Role;
use envgate::graphql::CacheBytes;

/// A builder's page: the environments, and every data source with its options in one
/// environment.
const PAGE: &str = "query($env: ID!) { environments { id name } \
    dataSources(first: 50) { nodes { id name kind options(environmentId: $env) { values { key value } revision } } } }";

/// The body of `query` over HTTP, as the client reads it.
async fn body(t: &TestApp, token: &str, query: &str, variables: Value) -> String {
    let response = t
        .request(post(
            Some(token),
            &json!({ "query": query, "variables": variables }),
        ))
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body
}

/// The page's `database` of the data source named `name`.
fn database_of(page: &str, name: &str) -> String {
    let page: Value = serde_json::from_str(page).unwrap();
    let nodes = page["data"]["dataSources"]["nodes"].as_array().unwrap();
    let node = nodes.iter().find(|n| n["name"] == name).unwrap();
    let values = node["options"]["values"].as_array().unwrap();
    let database = values.iter().find(|v| v["key"] == "database").unwrap();
    database["value"].as_str().unwrap().to_owned()
}

/// Sets the Production `database` of `id` to `database`.
async fn set_database(t: &TestApp, ws: &Workspace, id: &str, production: &str, database: &str) {
    let input = json!({
        "dataSourceId": id,
        "environmentId": production,
        // A new database takes the password again.
        "options": [
            { "key": "database", "value": database },
            { "key": "password", "value": "prod-secret" },
        ],
    });
    data(update(t, &ws.admin, input).await);
}

fn hits(t: &TestApp) -> u64 {
    t.app.metrics.cache_hits.get()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_asked_again_is_answered_from_the_cache_with_one_read_and_the_same_bytes() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    create_pg(&t, &ws, "orders").await;
    let environments = environment_ids(&t, &ws).await;
    let (staging, production) = (&environments[1], &environments[2]);
    let variables = json!({ "env": production });

    // The first time only marks the query as asked: no read more than without a cache.
    let before = t.queries();
    let first = body(&t, &ws.builder, PAGE, variables.clone()).await;
    assert_eq!(t.queries() - before, 2, "the environments, the page");
    // The second reads the generation first, then runs and is kept.
    let before = t.queries();
    assert_eq!(body(&t, &ws.builder, PAGE, variables.clone()).await, first);
    assert_eq!(
        t.queries() - before,
        3,
        "the generation, the environments, the page"
    );
    let (before, hits_before) = (t.queries(), hits(&t));
    let again = body(&t, &ws.builder, PAGE, variables.clone()).await;
    assert_eq!(again, first, "the same bytes");
    assert_eq!(hits(&t), hits_before + 1, "answered from the cache");
    assert_eq!(
        t.queries() - before,
        1,
        "one statement: the workspace's generation"
    );
    assert_eq!(database_of(&first, "orders"), "app");

    // Asked in another environment, it is another answer.
    body(&t, &ws.builder, PAGE, json!({ "env": staging })).await;
    assert_eq!(hits(&t), hits_before + 1, "not from the cache");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_committed_write_is_seen_by_the_next_read_whoever_wrote_it() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let other = t.workspace().await;
    let id = create_pg(&t, &ws, "orders").await;
    create_pg(&t, &other, "elsewhere").await;
    let production = environment_ids(&t, &ws).await[2].clone();
    let variables = json!({ "env": production });
    body(&t, &ws.builder, PAGE, variables.clone()).await;
    body(&t, &ws.builder, PAGE, variables.clone()).await;

    // A mutation.
    set_database(&t, &ws, &id, &production, "orders-2").await;
    let page = body(&t, &ws.builder, PAGE, variables.clone()).await;
    assert_eq!(database_of(&page, "orders"), "orders-2");

    // A write in another workspace leaves this one's answer kept.
    let other_production = environment_ids(&t, &other).await[2].clone();
    let other_id = crate::data_sources::create_pg(&t, &other, "more").await;
    set_database(&t, &other, &other_id, &other_production, "more-2").await;
    body(&t, &ws.builder, PAGE, variables.clone()).await;
    let kept = hits(&t);
    assert_eq!(body(&t, &ws.builder, PAGE, variables.clone()).await, page);
    assert_eq!(
        hits(&t),
        kept + 1,
        "another workspace's write does not touch it"
    );

    // SQL by hand, from no envgate at all: the trigger moves the generation too.
    let client = t.db.client().await;
    client
        .execute(
            "UPDATE data_sources SET name = 'renamed' WHERE id = $1::text::uuid",
            &[&id],
        )
        .await
        .unwrap();
    let page = body(&t, &ws.builder, PAGE, variables.clone()).await;
    assert_eq!(database_of(&page, "renamed"), "orders-2");
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_are_kept_apart_by_workspace_caller_and_variables() {
    let t = TestApp::new().await;
    let (one, two) = (t.workspace().await, t.workspace().await);
    create_pg(&t, &one, "first").await;
    create_pg(&t, &two, "second").await;

    // The same text from each caller: each is told who they are, though the first
    // answer is kept by then.
    let viewer = "{ viewer { userId workspaceId role groups } }";
    let dave = token(one.id, Role::Builder, "dave");
    let bob_in_ops = token_in_groups(one.id, Role::Builder, "bob", &["ops"]);
    let callers = [
        (&one.admin, json!(["alice", one.id, "ADMIN", []])),
        (&one.builder, json!(["bob", one.id, "BUILDER", []])),
        (&dave, json!(["dave", one.id, "BUILDER", []])),
        (&bob_in_ops, json!(["bob", one.id, "BUILDER", ["ops"]])),
        (&two.builder, json!(["bob", two.id, "BUILDER", []])),
    ];
    for _ in 0..3 {
        for (token, expected) in &callers {
            let answer: Value =
                serde_json::from_str(&body(&t, token, viewer, json!({})).await).unwrap();
            let v = &answer["data"]["viewer"];
            assert_eq!(
                json!([v["userId"], v["workspaceId"], v["role"], v["groups"]]),
                *expected
            );
        }
    }
    assert_eq!(
        hits(&t),
        callers.len() as u64,
        "the third round from the cache"
    );

    // Another workspace asking the same text with its own environment sees its own.
    let query = "query($env: ID!) { dataSources { nodes { name options(environmentId: $env) { values { key value } } } } }";
    let env_one = environment_ids(&t, &one).await[2].clone();
    let env_two = environment_ids(&t, &two).await[2].clone();
    let first = body(&t, &one.admin, query, json!({ "env": env_one })).await;
    assert!(first.contains("first"), "{first}");
    let second = body(&t, &two.admin, query, json!({ "env": env_two })).await;
    assert!(
        second.contains("second") && !second.contains("first"),
        "{second}"
    );
    // And with the first workspace's environment id, nothing of the first workspace.
    let foreign = body(&t, &two.admin, query, json!({ "env": env_one })).await;
    assert!(!foreign.contains("first"), "{foreign}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_on_one_process_is_never_missed_by_a_read_on_another() {
    // Two processes over one database; writes on one while the other reads, at once.
    let writer = TestApp::new().await;
    let reader = TestApp::on_same_db(&writer, enterprise());
    let ws = writer.workspace().await;
    let id = create_pg(&writer, &ws, "orders").await;
    let production = environment_ids(&writer, &ws).await[2].clone();
    set_database(&writer, &ws, &id, &production, "db-0").await;
    let variables = json!({ "env": production });
    body(&reader, &ws.builder, PAGE, variables.clone()).await;

    const WRITES: i64 = 40;
    // The last write acknowledged to the writer's client.
    let acknowledged = Arc::new(AtomicI64::new(0));
    let writes = {
        let acknowledged = acknowledged.clone();
        let (ws, id, production) = (Workspace::new(ws.id), id.clone(), production.clone());
        async move {
            for i in 1..=WRITES {
                set_database(&writer, &ws, &id, &production, &format!("db-{i}")).await;
                acknowledged.store(i, Ordering::SeqCst);
            }
        }
    };
    let reads = async {
        let mut reads = 0;
        // Bounded: the writer's forty writes take far fewer reads than this.
        while reads < 20_000 {
            let floor = acknowledged.load(Ordering::SeqCst);
            let page = body(&reader, &ws.builder, PAGE, variables.clone()).await;
            let seen: i64 = database_of(&page, "orders")["db-".len()..].parse().unwrap();
            assert!(
                seen >= floor,
                "read {seen} after write {floor} was acknowledged"
            );
            reads += 1;
            if floor == WRITES {
                break;
            }
        }
        reads
    };
    let ((), reads) = tokio::join!(writes, reads);
    assert!(reads > WRITES, "{reads} reads overlapped the writes");
    assert!(hits(&reader) > 0, "some reads were answered from the cache");
    assert!(
        reader.app.metrics.cache_misses.get() > WRITES as u64 / 2,
        "and writes made it read again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_of_the_audit_log_and_of_a_turned_off_cache_are_never_kept() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    create_pg(&t, &ws, "orders").await;
    let audit = "{ auditEvents(first: 5) { nodes { action } } }";
    for _ in 0..3 {
        body(&t, &ws.admin, audit, json!({})).await;
    }
    assert_eq!(hits(&t), 0);

    let off = TestApp::with_settings(Settings {
        response_cache: CacheBytes(0),
        ..Settings::default()
    })
    .await;
    let ws = off.workspace().await;
    let query = "{ environments { name } }";
    let first = body(&off, &ws.builder, query, json!({})).await;
    for _ in 0..2 {
        assert_eq!(body(&off, &ws.builder, query, json!({})).await, first);
    }
    assert_eq!(off.app.metrics.cache_hits.get(), 0);
    assert_eq!(off.app.metrics.cache_misses.get(), 0);
}
