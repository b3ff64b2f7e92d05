//! Read replicas: a primary (a private cluster of the test's own) and a streaming
//! replica of it made with `pg_basebackup`, and envgate processes reading from the
//! replica. Replay is paused on the replica (`pg_wal_replay_pause()`) to tell which
//! server answered: a read that shows a change the replica has not replayed came from
//! the primary, one that misses it came from the replica.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::HeaderValue;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use uuid::Uuid;

use envgate::app::{App, AppState, Settings};
use envgate::auth::TokenKeys;
use envgate::db::replicas::{Lsn, ReplicaSettings};
use envgate::db::{self, QueryCounter};
use envgate::devdb::PrivateCluster;
use envgate::secrets::MasterKey;

use crate::common::{JWT_SECRET, Workspace, database_url, enterprise, post, with_private_cluster};
use crate::data_sources::{CREATE, pg_options};

/// How long the test waits for any one thing it expects (a replica to replay, a poll
/// to notice, a notification to arrive).
const WAIT: Duration = Duration::from_secs(60);
const HEADER: &str = "x-envgate-consistency";

/// Runs `test` with a primary (envgate migrated on its `postgres` database) and a
/// streaming replica of it, both stopped and removed afterwards, pass or fail.
async fn with_replica<F, Fut>(name: &'static str, test: F)
where
    F: FnOnce(Arc<PrivateCluster>, Arc<PrivateCluster>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    // One pair of servers at a time: the suite runs beside them on few cores.
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_AT_A_TIME.lock().await;
    with_private_cluster(name, None, move |primary, dir| async move {
        db::migrate(&database_url(&primary.url("postgres")))
            .await
            .unwrap();
        let replica = primary
            .start_replica(&dir.join("replica"))
            .await
            .expect("a streaming replica made with pg_basebackup");
        let replica = Arc::new(replica);
        let outcome = tokio::spawn(test(primary, replica.clone())).await;
        // The test may have stopped it already.
        let _ = Arc::into_inner(replica)
            .expect("the test is over")
            .stop()
            .await;
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    })
    .await;
}

/// An envgate process over `primary` that reads from `replica`, as `serve` builds it
/// with `ENVGATE_READ_DATABASE_URLS`.
fn process(
    primary: &PrivateCluster,
    replica: &PrivateCluster,
    master_key: &str,
    settings: ReplicaSettings,
) -> AppState {
    let url = database_url(&primary.url("postgres"));
    let queries = QueryCounter::default();
    let pool = db::pool(&url, 8, queries.clone(), db::Pooler::None).unwrap();
    let app = App::builder(pool, queries)
        .tokens(TokenKeys::new(JWT_SECRET, None, None))
        .licensing(enterprise())
        .master_keys(MasterKey::from_hex(master_key).unwrap())
        .build();
    app.use_replicas(&[database_url(&replica.url("postgres"))], 4, settings)
        .unwrap();
    app.listen(&url);
    app
}

fn settings(wait: Duration) -> ReplicaSettings {
    ReplicaSettings {
        // Never lagging here: these tests pause replay on purpose.
        max_lag: Duration::from_secs(3600),
        wait,
        poll: Duration::from_millis(100),
    }
}

/// POSTs a GraphQL request (with `consistency` as `x-envgate-consistency`); the body
/// and the `x-envgate-consistency` of the answer.
async fn ask(
    app: &AppState,
    token: &str,
    query: &str,
    variables: Value,
    consistency: Option<&str>,
) -> (Value, Option<String>) {
    let mut request = post(
        Some(token),
        &json!({ "query": query, "variables": variables }),
    );
    if let Some(lsn) = consistency {
        request
            .headers_mut()
            .insert(HEADER, HeaderValue::from_str(lsn).unwrap());
    }
    let response = envgate::router(app.clone()).oneshot(request).await.unwrap();
    let header = response
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (serde_json::from_slice(&body).unwrap(), header)
}

/// A client of `cluster`'s `postgres` database.
async fn client(cluster: &PrivateCluster) -> tokio_postgres::Client {
    let (client, connection) =
        tokio_postgres::connect(&cluster.url("postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    client
}

/// Waits until `replica` has replayed `lsn`.
async fn replayed(replica: &tokio_postgres::Client, lsn: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let row = replica
            .query_one(
                "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn",
                &[&lsn],
            )
            .await
            .unwrap();
        if row.get::<_, bool>(0) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the replica did not replay {lsn}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Pauses replay on `replica` and waits until it is paused.
async fn pause_replay(replica: &tokio_postgres::Client) {
    replica
        .execute("SELECT pg_wal_replay_pause()", &[])
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let row = replica
            .query_one("SELECT pg_get_wal_replay_pause_state()", &[])
            .await
            .unwrap();
        if row.get::<_, String>(0) == "paused" {
            return;
        }
        assert!(Instant::now() < deadline, "replay did not pause");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Queries of `app` counted under `pool` (`primary` or a replica's `host:port`) and
/// `reason` in `/metrics`.
fn reads(app: &AppState, pool: &str, reason: &str) -> u64 {
    let text = app.metrics.render(&app.pool, &app.queries, None);
    let line = format!("envgate_replica_reads_total{{pool=\"{pool}\",reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&line))
        .map_or(0, |n| n.trim().parse().unwrap())
}

fn replica_name(replica: &PrivateCluster) -> String {
    format!("127.0.0.1:{}", replica.port())
}

const READ: &str = "query($id: ID!, $env: ID!) { dataSource(id: $id) { name options(environmentId: $env) { values { key value } } } }";

/// The name and the `database` option of a data source, as `app` reads them.
async fn read(
    app: &AppState,
    ws: &Workspace,
    ids: (&str, &str),
    consistency: Option<&str>,
) -> (String, String, Option<String>) {
    let (body, header) = ask(
        app,
        &ws.admin,
        READ,
        json!({ "id": ids.0, "env": ids.1 }),
        consistency,
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    let source = &body["data"]["dataSource"];
    let database = source["options"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["key"] == "database")
        .map(|v| v["value"].as_str().unwrap().to_owned())
        .unwrap();
    (
        source["name"].as_str().unwrap().to_owned(),
        database,
        header,
    )
}

/// Creates a data source named `name` through `app`; its id, the Production
/// environment's id and the consistency header of the answer.
async fn create(app: &AppState, ws: &Workspace, name: &str) -> (String, String, String) {
    let input = json!({ "name": name, "kind": "postgresql", "options": pg_options("secret") });
    let (body, header) = ask(app, &ws.admin, CREATE, json!({ "input": input }), None).await;
    let id = body["data"]["createDataSource"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let (envs, _) = ask(
        app,
        &ws.admin,
        "{ environments { id name } }",
        json!({}),
        None,
    )
    .await;
    let production = envs["data"]["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Production")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (
        id,
        production,
        header.expect("a mutation answer names its write"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_read_from_a_replica_that_has_replayed_what_they_must_see() {
    with_replica("test-replica-reads", |primary, replica| async move {
        let key = MasterKey::generate_hex();
        let wait = Duration::from_secs(5);
        let a = process(&primary, &replica, &key, settings(wait));
        let b = process(&primary, &replica, &key, settings(wait));
        let replica_db = client(&replica).await;
        let primary_db = client(&primary).await;
        let on_replica = replica_name(&replica);
        let ws = Workspace::new(Uuid::new_v4());

        let (id, production, created) = create(&a, &ws, "orders").await;
        assert!(Lsn::parse(&created).is_some(), "{created}");

        // Caught up: the query reads from the replica, and its answer names no write.
        replayed(&replica_db, &created).await;
        let before = reads(&a, &on_replica, "caught_up");
        let (name, database, header) = read(&a, &ws, (&id, &production), None).await;
        assert_eq!((name.as_str(), database.as_str()), ("orders", "app"));
        assert_eq!(header, None, "a query names no write");
        assert!(reads(&a, &on_replica, "caught_up") > before);

        // `resolveDataSource` is a query that writes (every call is audited, refusals
        // too): it runs on the primary, not on the read-only replica.
        let (body, _) = ask(
            &a,
            &ws.runner,
            "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { options } }",
            json!({ "input": { "dataSourceId": id, "appId": Uuid::new_v4(), "target": "RELEASED" } }),
            None,
        )
        .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{body}");
        let audited = primary_db
            .query_one(
                "SELECT count(*) FROM audit_events WHERE workspace_id = $1::text::uuid AND action = 'DATA_SOURCE_RESOLVED'",
                &[&ws.id.to_string()],
            )
            .await
            .unwrap();
        assert_eq!(audited.get::<_, i64>(0), 1, "the refused call is audited");

        // Replay paused where it covers every write both processes know of in the
        // workspace (`b` knows of the creation once its listener heard it).
        let deadline = Instant::now() + WAIT;
        while b.replicas().unwrap().last_write(ws.id).is_none() {
            assert!(Instant::now() < deadline, "process b never heard of the creation");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        loop {
            pause_replay(&replica_db).await;
            let at = replica_db
                .query_one("SELECT pg_last_wal_replay_lsn()::text", &[])
                .await
                .unwrap();
            let at = Lsn::parse(at.get(0));
            let known = [&a, &b].map(|p| p.replicas().unwrap().last_write(ws.id));
            if known.iter().all(|k| *k <= at) {
                break;
            }
            assert!(Instant::now() < deadline, "replay never paused past {known:?}");
            replica_db
                .execute("SELECT pg_wal_replay_resume()", &[])
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // A change made on the primary behind envgate's back (no process knows of it)
        // is not on the replica, and a query does not see it: it read from the replica.
        primary_db
            .execute(
                "UPDATE data_sources SET name = 'orders (behind envgate)' WHERE id = $1::text::uuid",
                &[&id],
            )
            .await
            .unwrap();
        let (name, _, _) = read(&a, &ws, (&id, &production), None).await;
        assert_eq!(name, "orders", "an older read, from the replica");

        // A rename through envgate: the same process reads its own write without any
        // header (the replica can't have it: after the bounded wait, the primary).
        let (renamed, written) = ask(
            &a,
            &ws.admin,
            "mutation($id: ID!) { renameDataSource(id: $id, name: \"orders-v2\") { name } }",
            json!({ "id": id }),
            None,
        )
        .await;
        assert_eq!(renamed["data"]["renameDataSource"]["name"], "orders-v2", "{renamed}");
        let written = written.expect("a mutation answer names its write");
        assert!(Lsn::parse(&written) > Lsn::parse(&created));
        let behind = reads(&a, "primary", "behind");
        let (name, _, _) = read(&a, &ws, (&id, &production), None).await;
        assert_eq!(name, "orders-v2", "read-your-writes in the same process");
        assert_eq!(reads(&a, "primary", "behind"), behind + 1);

        // Another process: with the header it sees the write (from the primary, after
        // the bounded wait).
        let (name, _, _) = read(&b, &ws, (&id, &production), Some(&written)).await;
        assert_eq!(name, "orders-v2", "another process, with the header");
        assert_eq!(reads(&b, "primary", "behind"), 1);

        // A change another process announces (options saved through `a`, notified to
        // every process with its position): `b` reads it without any header once it
        // has heard of it; with replay paused only the primary has it.
        let (saved, _) = ask(
            &a,
            &ws.admin,
            "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }",
            json!({ "input": { "dataSourceId": id, "environmentId": production,
                "options": [{ "key": "database", "value": "app2" }, { "key": "password", "value": "secret" }] } }),
            None,
        )
        .await;
        assert!(saved.get("errors").is_none(), "{saved}");
        let deadline = Instant::now() + WAIT;
        loop {
            let (_, database, _) = read(&b, &ws, (&id, &production), None).await;
            if database == "app2" {
                break;
            }
            assert!(Instant::now() < deadline, "process b never read the options a saved");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // Replay resumed: once the replica has the write, the header's reads go there.
        replica_db
            .execute("SELECT pg_wal_replay_resume()", &[])
            .await
            .unwrap();
        replayed(&replica_db, &written).await;
        let before = reads(&b, &on_replica, "caught_up");
        let (name, _, _) = read(&b, &ws, (&id, &production), Some(&written)).await;
        assert_eq!(name, "orders-v2");
        assert!(reads(&b, &on_replica, "caught_up") > before);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_keep_answering_when_the_replica_stops() {
    with_replica("test-replica-stops", |primary, replica| async move {
        let key = MasterKey::generate_hex();
        let app = process(&primary, &replica, &key, settings(Duration::from_secs(5)));
        let replica_db = client(&replica).await;
        let on_replica = replica_name(&replica);
        let ws = Arc::new(Workspace::new(Uuid::new_v4()));
        let (id, production, created) = create(&app, &ws, "orders").await;
        replayed(&replica_db, &created).await;
        drop(replica_db);

        const WORKERS: usize = 4;
        const MAX_READS: usize = 5_000;
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let (app, ws, stop, answered) =
                    (app.clone(), ws.clone(), stop.clone(), answered.clone());
                let (id, production) = (id.clone(), production.clone());
                tokio::spawn(async move {
                    for _ in 0..MAX_READS {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        // Panics (fails the test) on any error in an answer.
                        let (name, _, _) = read(&app, &ws, (&id, &production), None).await;
                        assert_eq!(name, "orders");
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let until = async |what: &str, done: &(dyn Fn() -> bool + Sync)| {
            let deadline = Instant::now() + WAIT;
            while !done() {
                assert!(Instant::now() < deadline, "{what}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };

        until("reads from the replica", &|| {
            reads(&app, &on_replica, "caught_up") >= 20
        })
        .await;
        replica.pause().await.unwrap();
        let stopped_at = answered.load(Ordering::Relaxed);
        until("reads answered after the replica stopped", &|| {
            answered.load(Ordering::Relaxed) >= stopped_at + 50
        })
        .await;
        stop.store(true, Ordering::Relaxed);
        for worker in workers {
            worker.await.expect("every read answered without an error");
        }
        assert!(reads(&app, "primary", "down") + reads(&app, "primary", "failed") > 0);
        let metrics = app.metrics.render(&app.pool, &app.queries, None);
        assert!(
            metrics.contains(&format!("envgate_replica_up{{replica=\"{on_replica}\"}} 0")),
            "{metrics}"
        );

        // Back: once a poll finds it well, reads go to it again.
        replica.resume().await.unwrap();
        let before = reads(&app, &on_replica, "caught_up");
        let deadline = Instant::now() + WAIT;
        while reads(&app, &on_replica, "caught_up") == before {
            assert!(
                Instant::now() < deadline,
                "no read from the replica once it was back"
            );
            let (name, _, _) = read(&app, &ws, (&id, &production), None).await;
            assert_eq!(name, "orders");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replica_that_lags_is_skipped_until_it_catches_up() {
    with_replica("test-replica-lags", |primary, replica| async move {
        let key = MasterKey::generate_hex();
        let lag = ReplicaSettings {
            max_lag: Duration::from_secs(1),
            ..settings(Duration::from_secs(5))
        };
        let app = process(&primary, &replica, &key, lag);
        let replica_db = client(&replica).await;
        let primary_db = client(&primary).await;
        let on_replica = replica_name(&replica);
        // A workspace this process has seen no write in: its queries need nothing in
        // particular, and go to any replica that does not lag.
        let ws = Workspace::new(Uuid::new_v4());
        let apps = async || {
            let (body, _) = ask(&app, &ws.viewer, "{ apps { nodes { id } } }", json!({}), None).await;
            assert!(body.get("errors").is_none(), "{body}");
        };
        let deadline = Instant::now() + WAIT;
        while reads(&app, &on_replica, "caught_up") == 0 {
            assert!(Instant::now() < deadline, "no read from the replica");
            apps().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // Replay paused while the primary keeps writing: past the bound, it is skipped.
        pause_replay(&replica_db).await;
        let deadline = Instant::now() + WAIT;
        while reads(&app, "primary", "lagging") == 0 {
            assert!(Instant::now() < deadline, "the lagging replica was never skipped");
            primary_db
                .batch_execute("CREATE TABLE IF NOT EXISTS wal_marker (n int); INSERT INTO wal_marker VALUES (1)")
                .await
                .unwrap();
            apps().await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let metrics = app.metrics.render(&app.pool, &app.queries, None);
        assert!(
            metrics.contains(&format!("envgate_replica_up{{replica=\"{on_replica}\"}} 0")),
            "{metrics}"
        );

        // Replay resumed: it catches up, and reads go to it again.
        replica_db
            .execute("SELECT pg_wal_replay_resume()", &[])
            .await
            .unwrap();
        let before = reads(&app, &on_replica, "caught_up");
        let deadline = Instant::now() + WAIT;
        while reads(&app, &on_replica, "caught_up") == before {
            assert!(Instant::now() < deadline, "no read from the replica once it caught up");
            apps().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_mutation_answer_names_its_write_without_replicas_too() {
    // No replica configured: the header still names the primary's position.
    let settings = Settings {
        cors_origins: Some("https://app.example".into()),
        ..Settings::default()
    };
    let t = crate::common::TestApp::with_settings(settings).await;
    assert!(t.app.replicas().is_none());
    let ws = t.workspace().await;
    let db = t.db.client().await;
    let position = async || {
        let row = db
            .query_one("SELECT pg_current_wal_insert_lsn()::text", &[])
            .await
            .unwrap();
        Lsn::parse(row.get(0)).unwrap()
    };
    let ask = async |token: &str, query: &str| {
        let mut request = post(Some(token), &json!({ "query": query }));
        request.headers_mut().insert(
            axum::http::header::ORIGIN,
            HeaderValue::from_static("https://app.example"),
        );
        let response = t.request(request).await;
        let lsn = response
            .headers
            .get(HEADER)
            .map(|v| Lsn::parse(v.to_str().unwrap()).expect("a pg_lsn"));
        (response, lsn)
    };

    let before = position().await;
    let (response, written) =
        ask(&ws.admin, "mutation { createApp(name: \"orders\") { id } }").await;
    assert!(response.json().get("errors").is_none(), "{}", response.body);
    let written = written.expect("a mutation answer names its write");
    // Past the position before it (it wrote), and not past the primary's now.
    assert!(written > before, "{written} after {before}");
    assert!(written <= position().await);
    // A browser may read it.
    let exposed = response.headers[axum::http::header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains(HEADER), "{exposed}");

    // A query names no write.
    let (response, lsn) = ask(&ws.admin, "{ apps { nodes { name } } }").await;
    assert_eq!(
        response.json()["data"]["apps"]["nodes"][0]["name"],
        "orders"
    );
    assert_eq!(lsn, None);

    // A mutation whose field failed still names a position (another field of it may
    // have written): at or past the last write.
    let (response, lsn) = ask(
        &ws.viewer,
        "mutation { createApp(name: \"refused\") { id } }",
    )
    .await;
    assert_eq!(
        crate::common::code(&response.json()),
        "FORBIDDEN",
        "{}",
        response.body
    );
    assert!(lsn.expect("a mutation that ran names a position") >= written);

    // A mutation refused before it ran (validation) wrote nothing: no header.
    let (response, lsn) = ask(&ws.admin, "mutation { createApp(nom: \"x\") { id } }").await;
    assert_eq!(
        crate::common::code(&response.json()),
        "GRAPHQL_VALIDATION_FAILED",
        "{}",
        response.body
    );
    assert_eq!(lsn, None);
}
