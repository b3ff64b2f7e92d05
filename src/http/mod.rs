//! The HTTP surface: every route in one place.

mod graphql;
mod health;
mod persisted;
mod playground;
mod websocket;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};

use crate::db::replicas::CONSISTENCY_HEADER;
use axum::routing::get;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::graphql::EnvgateSchema;

/// What every handler shares.
pub struct HttpState {
    pub app: AppState,
    pub schema: EnvgateSchema,
    pub persisted: persisted::PersistedQueries,
}

/// The largest request body, and the largest WebSocket message.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How long one HTTP request may take (WebSocket connections are not bounded by it).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a GraphQL operation may run; it is answered with a GraphQL error before
/// the request timeout cuts the connection.
pub const EXECUTION_TIMEOUT: Duration = Duration::from_secs(25);

/// The router: GraphQL (HTTP and WebSocket) and GraphiQL at `/graphql`, GraphiQL at
/// `/`, and the unauthenticated probes.
pub fn router(app: AppState) -> Router {
    let cors = cors(app.settings.cors_origins.as_deref());
    let state = Arc::new(HttpState {
        schema: crate::graphql::schema(app.clone()),
        app,
        persisted: persisted::PersistedQueries::default(),
    });
    let router = Router::new()
        .route("/", get(playground::page))
        .route("/playground/{fingerprint}/{file}", get(playground::asset))
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback(graphql::not_found)
        .method_not_allowed_fallback(graphql::method_not_allowed)
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
            // The path only: a query string may carry variables. Every line logged
            // while the request runs carries its id.
            let id = request
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let span = tracing::info_span!("http", request_id = %id, method = %request.method(), path = %request.uri().path());
            // A W3C `traceparent` makes the request part of the caller's trace.
            crate::traces::continue_from(&span, request.headers());
            span
        }))
        // Every request has an `x-request-id` (the client's, or a new UUID), echoed in
        // the response, on its log lines and in the audit log.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(axum::middleware::map_request(assign_request_id));
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// The header that names a request.
const REQUEST_ID: &str = "x-request-id";
/// The longest `x-request-id` kept as given; a longer or odd one is replaced.
const MAX_REQUEST_ID_BYTES: usize = 128;

/// Keeps the client's `x-request-id` when it is short printable ASCII, and gives the
/// request a new UUID otherwise, so that logs and the audit log never record arbitrary
/// bytes and the response echoes the id that was recorded.
async fn assign_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    let given = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|id| {
            (1..=MAX_REQUEST_ID_BYTES).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_graphic())
        });
    if !given {
        let id = uuid::Uuid::new_v4().to_string();
        if let Ok(value) = HeaderValue::from_str(&id) {
            request.headers_mut().insert(REQUEST_ID, value);
        }
    }
    request
}

/// CORS for `ENVGATE_CORS_ORIGINS`: `*`, or a comma-separated list of origins.
fn cors(origins: Option<&str>) -> Option<CorsLayer> {
    let origins = origins.map(str::trim).filter(|o| !o.is_empty())?;
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static(CONSISTENCY_HEADER),
        ])
        .expose_headers([HeaderName::from_static(CONSISTENCY_HEADER)])
        .max_age(Duration::from_secs(600));
    Some(if origins == "*" {
        layer.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        layer.allow_origin(AllowOrigin::list(list))
    })
}
