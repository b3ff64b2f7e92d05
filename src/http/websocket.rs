//! GraphQL over WebSocket (graphql-transport-ws and the legacy graphql-ws) on the same
//! `/graphql` path. async-graphql speaks the protocol; around it this module keeps the
//! rules it leaves out: the token comes from the `connection_init` payload
//! (`Authorization` or `authorization`, with or without `Bearer `), falling back to the
//! upgrade request's header, and a missing or bad one closes with 4403 before any
//! ack; an operation before the ack closes with 4401; no `connection_init` within 10 s
//! closes with 4408; a server shutting down closes every socket with 1001. Each
//! connection runs at most `ENVGATE_MAX_WEBSOCKET_OPERATIONS` operations at once, and
//! each token holds at most `ENVGATE_MAX_SUBSCRIPTIONS_PER_TOKEN` subscriptions over
//! all its connections: one more is answered with a GraphQL error (see
//! `graphql/limits.rs`).

use std::str::FromStr as _;
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocket, WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{FromRequestParts as _, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use futures_util::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::mpsc;
use tracing::Instrument as _;

use super::HttpState;
use crate::app::AppState;
use crate::graphql::limits::WebSocketPlaces;
use crate::graphql::{Authentication, EnvgateSchema, RequestId};
use crate::metrics::Held;

/// How long a client has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Client messages waiting for the protocol to read them; a client that sends more at
/// once than this is closed.
const INBOX: usize = 64;

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
    let span = tracing::info_span!("websocket", request_id = %request_id.0);
    let connection = Connection {
        app: state.app.clone(),
        schema: state.schema.clone(),
        protocol,
        header_token,
        request_id,
    };
    let tracker = state.app.websockets.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(super::MAX_BODY_BYTES)
        .on_upgrade(move |socket| tracker.track_future(connection.serve(socket).instrument(span)))
}

/// One upgraded connection.
struct Connection {
    app: AppState,
    schema: EnvgateSchema,
    protocol: WebSocketProtocols,
    header_token: Option<String>,
    request_id: RequestId,
}

impl Connection {
    async fn serve(self, socket: axum::extract::ws::WebSocket) {
        let _open = Held::new(&self.app.metrics.websockets);
        let Self {
            app,
            schema,
            protocol,
            header_token,
            request_id,
        } = self;
        let (mut sink, mut incoming) = socket.split();
        let (inbox, messages) = mpsc::channel::<Vec<u8>>(INBOX);
        let authenticating = app.clone();
        let on_init = move |payload: Value| async move {
            let authorization = payload_authorization(&payload).or(header_token);
            let Some(authorization) = authorization else {
                return Err(refused(
                    "Send a token in the connection_init payload as Authorization.",
                ));
            };
            let authorization = bearer(&authorization);
            let session = authenticating
                .authenticate(Some(&authorization))
                .await
                .map_err(|error| refused(&error.answer()))?;
            let mut data = Data::default();
            data.insert(Authentication::new(Ok(session)));
            data.insert(WebSocketPlaces::new(&authorization));
            data.insert(request_id);
            Ok(data)
        };
        let input = futures_util::stream::unfold(messages, |mut messages| async move {
            messages.recv().await.map(|m| (m, messages))
        });
        let output = WebSocket::new(schema, input, protocol).on_connection_init(on_init);
        tokio::pin!(output);
        let init_timeout = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(init_timeout);
        let mut acknowledged = false;
        loop {
            let reply = tokio::select! {
                message = incoming.next() => {
                    let bytes = match message {
                        Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
                        Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    };
                    if !acknowledged && is_operation(&bytes) {
                        close(4401, "Unauthorized")
                    } else if inbox.try_send(bytes).is_err() {
                        close(1008, "Too many messages at once.")
                    } else {
                        continue;
                    }
                }
                message = output.next() => match message {
                    Some(WsMessage::Text(text)) => {
                        acknowledged |= text.starts_with(r#"{"type":"connection_ack""#);
                        // The legacy protocol refuses with a message, then closes.
                        if text.starts_with(r#"{"type":"connection_error""#) {
                            let _ = sink.send(Message::Text(text.into())).await;
                            close(4403, "Forbidden")
                        } else {
                            Message::Text(text.into())
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => close_frame(protocol, code, reason),
                    None => close(1000, "Normal closure"),
                },
                () = &mut init_timeout, if !acknowledged => {
                    close(4408, "Connection initialisation timeout")
                }
                () = app.shutdown.cancelled() => {
                    close(1001, "The server is shutting down; reconnect in a moment.")
                }
            };
            let closing = matches!(reply, Message::Close(_));
            if sink.send(reply).await.is_err() || closing {
                break;
            }
        }
    }
}

/// Whether a client message starts an operation (`subscribe`, or the legacy `start`).
fn is_operation(message: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "type", borrow)]
        kind: std::borrow::Cow<'a, str>,
    }
    serde_json::from_slice::<Kind>(message)
        .is_ok_and(|m| m.kind == "subscribe" || m.kind == "start")
}

/// Marks a refused `connection_init`, so that its close code becomes 4403.
const FORBIDDEN: &str = "Forbidden: ";

fn refused(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(format!("{FORBIDDEN}{message}"))
}

/// A token as an `Authorization` value: `Bearer ` is added when it is missing.
fn bearer(authorization: &str) -> String {
    let authorization = authorization.trim();
    match authorization.split_once(' ') {
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => authorization.to_owned(),
        _ => format!("Bearer {authorization}"),
    }
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

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
    close(code, &reason)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_taken_with_or_without_bearer() {
        assert_eq!(bearer("abc"), "Bearer abc");
        assert_eq!(bearer(" Bearer abc "), "Bearer abc");
        assert_eq!(bearer("bearer abc"), "bearer abc");
    }

    #[test]
    fn operations_are_told_from_other_messages() {
        assert!(is_operation(
            br#"{"type":"subscribe","id":"1","payload":{}}"#
        ));
        assert!(is_operation(br#"{"id":"1","type":"start"}"#));
        assert!(!is_operation(br#"{"type":"connection_init"}"#));
        assert!(!is_operation(b"not json"));
    }
}
