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

/// The metrics, in the OpenMetrics text format Prometheus scrapes.
pub async fn metrics(State(state): State<Arc<HttpState>>) -> impl IntoResponse {
    let app = &state.app;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics
            .render(&app.pool, &app.queries, app.tokens.identity_provider()),
    )
}
