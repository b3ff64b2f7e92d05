//! GraphQL over WebSocket (graphql-transport-ws and the legacy graphql-ws) on the same
//! `/graphql` path. Browsers can't set headers on a WebSocket, so the bearer token is
//! read from the `connection_init` payload, falling back to the upgrade request's
//! `Authorization` header.

use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{FromRequestParts as _, WebSocketUpgrade};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse as _, Response};
use serde_json::Value;

use super::HttpState;
use crate::graphql::Authentication;

/// Upgrades to a GraphQL WebSocket connection.
pub async fn upgrade(state: &HttpState, parts: &mut Parts) -> Response {
    let protocol = match GraphQLProtocol::from_request_parts(parts, &()).await {
        Ok(protocol) => protocol,
        Err(rejection) => return rejection.into_response(),
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(parts, &()).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let header_token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let app = state.app.clone();
    let schema = state.schema.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let authorization = payload_authorization(&payload).or(header_token);
                    let session = app.authenticate(authorization.as_deref()).await;
                    // A token that was sent but does not verify closes the connection
                    // (4403); no token at all still allows introspection.
                    if authorization.is_some() {
                        if let Err(error) = &session {
                            return Err(async_graphql::Error::new(error.message()));
                        }
                    }
                    let mut data = Data::default();
                    data.insert(Authentication::new(session));
                    Ok(data)
                })
                .serve()
        })
}

/// `Authorization` (any case) from a `connection_init` payload, at its top level or
/// under `headers`.
fn payload_authorization(payload: &Value) -> Option<String> {
    let find = |object: &Value| {
        object
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, v)| v.as_str().map(str::to_owned))
    };
    find(payload).or_else(|| payload.get("headers").and_then(find))
}
