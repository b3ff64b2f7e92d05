//! The GraphiQL playground, opened with the demo token when the server runs with a
//! development JWT secret.

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use axum::extract::State;
use axum::response::Html;

use super::HttpState;

/// The GraphiQL page, talking to `/graphql` over HTTP and WebSocket.
pub async fn page(State(state): State<Arc<HttpState>>) -> Html<String> {
    Html(render(&state))
}

pub fn render(state: &HttpState) -> String {
    let bearer = state
        .app
        .settings
        .demo_token
        .as_ref()
        .map(|t| format!("Bearer {t}"));
    let mut source = GraphiQLSource::build()
        .endpoint("/graphql")
        .subscription_endpoint("/graphql")
        .title("envgate");
    if let Some(bearer) = &bearer {
        source = source
            .header("Authorization", bearer)
            .ws_connection_param("Authorization", bearer);
    }
    source.finish()
}
