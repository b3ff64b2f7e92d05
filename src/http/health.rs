//! Probes for orchestrators and monitoring; they need no token.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use diesel_async::RunQueryDsl as _;
use serde_json::json;

use super::HttpState;

/// The process is alive.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// How long the readiness probe waits for the database: a probe answers quickly.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// The database answers within [`READY_TIMEOUT`].
pub async fn readyz(State(state): State<Arc<HttpState>>) -> impl IntoResponse {
    let ready = async {
        let mut conn = state.app.pool.get().await.ok()?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await.ok()
    };
    match tokio::time::timeout(READY_TIMEOUT, ready)
        .await
        .ok()
        .flatten()
    {
        Some(_) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "database": "ok" })),
        ),
        None => {
            tracing::warn!("readiness probe: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}

/// Counters in the Prometheus text format.
pub async fn metrics(State(state): State<Arc<HttpState>>) -> impl IntoResponse {
    let pool = state.app.pool.status();
    let body = format!(
        "# HELP envgate_sql_queries_total SQL statements sent to the database.\n\
         # TYPE envgate_sql_queries_total counter\n\
         envgate_sql_queries_total {}\n\
         # HELP envgate_db_pool_connections Open database connections.\n\
         # TYPE envgate_db_pool_connections gauge\n\
         envgate_db_pool_connections {}\n\
         # HELP envgate_db_pool_idle_connections Idle database connections.\n\
         # TYPE envgate_db_pool_idle_connections gauge\n\
         envgate_db_pool_idle_connections {}\n",
        state.app.queries.get(),
        pool.size,
        pool.available,
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}
