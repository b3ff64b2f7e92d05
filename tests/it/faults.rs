//! Database faults: a private PostgreSQL cluster is stopped and started again, and its
//! connections dropped, under a running load of reads and writes through the router.
//! Requests fail with INTERNAL_SERVER_ERROR (no detail) or succeed and never outlive the
//! request timeout; `/readyz` says 503 while the database is away and 200 after; the
//! pool recovers by itself; every acknowledged write reads back.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use uuid::Uuid;

use crate::common::{Workspace, app_on, enterprise, post, with_private_cluster};
use crate::data_sources::CREATE;

/// The router's request timeout (30 s) and a margin: no request may take longer.
const REQUEST_BOUND: Duration = Duration::from_secs(35);
/// How long the test waits for any one thing it expects (the outage to show, the
/// recovery, writes to go through).
const WAIT: Duration = Duration::from_secs(60);
const WORKERS: usize = 4;
/// Each worker's requests at most, whatever happens.
const MAX_ITERATIONS: usize = 2_000;
const INTERNAL_MESSAGE: &str = envgate::error::INTERNAL_MESSAGE;

#[tokio::test(flavor = "multi_thread")]
async fn the_server_survives_a_database_restart_and_dropped_connections() {
    with_private_cluster("test-postgres-faults", None, |cluster, _| survives(cluster)).await;
}

async fn survives(cluster: Arc<envgate::devdb::PrivateCluster>) {
    let url = cluster.url("postgres");
    envgate::db::migrate(&crate::common::database_url(&url))
        .await
        .unwrap();
    let router = envgate::router(app_on(&url, enterprise()));
    let ws = Workspace::new(Uuid::new_v4());
    let load = Load::default();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| tokio::spawn(load.clone().run(router.clone(), ws.admin.clone(), worker)))
        .collect();

    load.wait_for_writes(8).await;
    cluster.pause().await.unwrap();
    wait_for_readyz(&router, StatusCode::SERVICE_UNAVAILABLE).await;
    load.wait_for_failures(1).await;
    cluster.resume().await.unwrap();
    wait_for_readyz(&router, StatusCode::OK).await;
    let before = load.acknowledged();
    load.wait_for_writes(before + 8).await;

    // Every connection dropped at once, as a failover or an admin would.
    let admin = cluster_client(&url).await;
    let dropped = admin
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    assert!(!dropped.is_empty(), "the pool had connections to drop");
    let before = load.acknowledged();
    load.wait_for_writes(before + 8).await;

    load.stop.store(true, Ordering::Relaxed);
    let mut acknowledged = HashSet::new();
    for worker in workers {
        acknowledged.extend(worker.await.unwrap());
    }
    assert!(
        load.failures.load(Ordering::Relaxed) > 0,
        "the outage was seen"
    );
    let stored: HashSet<String> = admin
        .query("SELECT id::text FROM data_sources", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    assert!(acknowledged.len() >= 24, "{}", acknowledged.len());
}

async fn cluster_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// Reads and writes from a few workers; counts what was acknowledged and what failed.
#[derive(Clone, Default)]
struct Load {
    stop: Arc<AtomicBool>,
    writes: Arc<AtomicUsize>,
    failures: Arc<AtomicUsize>,
}

impl Load {
    fn acknowledged(&self) -> usize {
        self.writes.load(Ordering::Relaxed)
    }

    /// Writes and reads until stopped; answers the ids of the data sources whose
    /// creation was acknowledged. Panics on a request that outlives the timeout or
    /// fails in any other way than INTERNAL_SERVER_ERROR without detail.
    async fn run(self, router: axum::Router, token: String, worker: usize) -> Vec<String> {
        let mut acknowledged = Vec::new();
        for i in 0..MAX_ITERATIONS {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            let input = json!({ "name": format!("fault-{worker}-{i}"), "kind": "restapi", "options": [{ "key": "url", "value": "https://api.example.com" }] });
            match request(&router, &token, CREATE, json!({ "input": input })).await {
                Some(data) => {
                    acknowledged.push(data["createDataSource"]["id"].as_str().unwrap().to_owned());
                    self.writes.fetch_add(1, Ordering::Relaxed);
                }
                None => {
                    self.failures.fetch_add(1, Ordering::Relaxed);
                }
            }
            if let Some(id) = acknowledged.last() {
                let read = request(
                    &router,
                    &token,
                    "query($id: ID!) { dataSource(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
                match read {
                    Some(data) => assert_eq!(data["dataSource"]["id"], json!(id)),
                    None => {
                        self.failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            // The outage is short: don't spin through the iterations in it.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        acknowledged
    }

    async fn wait_for_writes(&self, at_least: usize) {
        wait_until(
            || self.acknowledged() >= at_least,
            "writes to be acknowledged",
        )
        .await;
    }

    async fn wait_for_failures(&self, at_least: usize) {
        wait_until(
            || self.failures.load(Ordering::Relaxed) >= at_least,
            "a request to fail",
        )
        .await;
    }
}

/// One GraphQL request: its data, or None when it failed as it may (INTERNAL_SERVER_ERROR
/// with the generic message).
async fn request(
    router: &axum::Router,
    token: &str,
    query: &str,
    variables: Value,
) -> Option<Value> {
    let body = json!({ "query": query, "variables": variables });
    let answer = tokio::time::timeout(REQUEST_BOUND, async {
        let response = router
            .clone()
            .oneshot(post(Some(token), &body))
            .await
            .unwrap();
        response.into_body().collect().await.unwrap().to_bytes()
    })
    .await
    .expect("a request outlived the request timeout");
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    match answer["errors"].as_array() {
        None => Some(answer["data"].clone()),
        Some(errors) => {
            for error in errors {
                assert_eq!(
                    error["extensions"]["code"], "INTERNAL_SERVER_ERROR",
                    "{answer}"
                );
                assert_eq!(error["message"], INTERNAL_MESSAGE, "{answer}");
            }
            None
        }
    }
}

async fn wait_for_readyz(router: &axum::Router, expected: StatusCode) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let probe = Request::get("/readyz").body(Body::empty()).unwrap();
        let status = tokio::time::timeout(REQUEST_BOUND, router.clone().oneshot(probe))
            .await
            .expect("/readyz outlived the request timeout")
            .unwrap()
            .status();
        if status == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz still said {status}, not {expected}, after {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_until(done: impl Fn() -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {WAIT:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
