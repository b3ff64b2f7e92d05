//! GraphQL over WebSocket (graphql-transport-ws and the legacy graphql-ws) on the same
//! `/graphql` path. Browsers can't set headers on a WebSocket, so the bearer token is
//! read from the `connection_init` payload, falling back to the upgrade request's
//! `Authorization` header.

use async_graphql::Data;
use std::str::FromStr as _;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocket, WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{FromRequestParts as _, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use futures_util::{SinkExt as _, StreamExt as _, future};
use serde_json::Value;

use super::HttpState;
use crate::graphql::Authentication;

/// Upgrades to a GraphQL WebSocket connection.
pub async fn upgrade(state: &HttpState, parts: &mut Parts) -> Response {
    let offered = parts
        .headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(protocol) = offered
        .split(',')
        .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
    else {
        return (
            StatusCode::BAD_REQUEST,
            "Offer the graphql-transport-ws or graphql-ws subprotocol.",
        )
            .into_response();
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
    // The upgrade request's id stands for every operation of the connection.
    let request_id = super::graphql::request_id(&parts.headers);
    let app = state.app.clone();
    let schema = state.schema.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(super::MAX_BODY_BYTES)
        .on_upgrade(move |socket| async move {
            let (mut sink, stream) = socket.split();
            let input = stream
                .take_while(|message| future::ready(message.is_ok()))
                .filter_map(|message| {
                    future::ready(match message {
                        Ok(Message::Text(text)) => Some(text.as_bytes().to_vec()),
                        Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
                        _ => None,
                    })
                });
            let on_init = move |payload: Value| async move {
                let authorization = payload_authorization(&payload).or(header_token);
                let session = app.authenticate(authorization.as_deref()).await;
                // A token that was sent but does not verify ends the connection; no token
                // at all still allows introspection.
                if let (Some(_), Err(error)) = (&authorization, &session) {
                    return Err(async_graphql::Error::new(format!(
                        "{FORBIDDEN}{}",
                        error.message()
                    )));
                }
                let mut data = Data::default();
                data.insert(Authentication::new(session));
                data.insert(request_id);
                Ok(data)
            };
            let output = WebSocket::new(schema, input, protocol)
                .on_connection_init(on_init)
                .map(|message| match message {
                    WsMessage::Text(text) => Message::Text(text.into()),
                    WsMessage::Close(code, reason) => close_frame(protocol, code, reason),
                });
            futures_util::pin_mut!(output);
            while let Some(message) = output.next().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        })
}

/// Marks a refused `connection_init`, so that its close code becomes 4403.
const FORBIDDEN: &str = "Forbidden: ";

/// The close frame graphql-transport-ws clients expect: 4403 for a refused
/// `connection_init`, 4400 for a message that is not one of the protocol's, and a
/// reason cut to the 123 bytes a close frame can carry.
fn close_frame(protocol: WebSocketProtocols, code: u16, reason: String) -> Message {
    let transport_ws = protocol == WebSocketProtocols::GraphQLWS;
    let (code, mut reason) = match reason.strip_prefix(FORBIDDEN) {
        Some(reason) => (4403, reason.to_owned()),
        None if transport_ws && code == 1002 => {
            (4400, format!("Invalid message received: {reason}"))
        }
        None => (code, reason),
    };
    if reason.len() > 123 {
        let mut end = 120;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
        reason.push_str("...");
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
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
