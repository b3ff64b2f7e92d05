//! GraphQL over a real WebSocket, as graphql-ws clients speak it.

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use crate::common::{MARGIN, TestApp};

/// Serves the router on a free local port; returns the WebSocket URL.
pub async fn serve(t: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, t.router.clone()).into_future());
    format!("ws://{address}/graphql")
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(url: &str, init: Value) -> Socket {
    connect_with(url, "graphql-transport-ws", init).await
}

/// Opens a socket speaking `protocol` and sends `connection_init` with `init`.
pub async fn connect_with(url: &str, protocol: &str, init: Value) -> Socket {
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().unwrap());
    let (mut socket, response) = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tokio_tungstenite::connect_async(request),
    )
    .await
    .expect("the upgrade answered in time")
    .unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": init }).to_string(),
        ))
        .await
        .unwrap();
    socket
}

pub async fn next(socket: &mut Socket) -> Option<Message> {
    tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("an answer in time")
        .map(Result::unwrap)
}

/// The next text message as JSON, skipping (a bounded number of) pings and pongs.
pub async fn next_json(socket: &mut Socket) -> Value {
    for _ in 0..100 {
        match next(socket).await.expect("a message") {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("100 pings and pongs in a row, and no answer")
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_run_over_graphql_transport_ws_with_the_token_from_connection_init() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let url = serve(&t).await;
    let mut socket = connect(
        &url,
        json!({ "Authorization": format!("Bearer {}", ws.builder) }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    for id in ["1", "2"] {
        let subscribe = json!({ "id": id, "type": "subscribe", "payload": { "query": "{ viewer { workspaceId role } environments { name } }" } });
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .unwrap();
        let answer = next_json(&mut socket).await;
        assert_eq!(answer["type"], "next");
        assert_eq!(answer["id"], id);
        assert_eq!(
            answer["payload"]["data"]["viewer"],
            json!({ "workspaceId": ws.id, "role": "BUILDER" })
        );
        assert_eq!(
            answer["payload"]["data"]["environments"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            next_json(&mut socket).await,
            json!({ "id": id, "type": "complete" })
        );
    }
}

/// The close frame that ends `socket`, as (code, reason); no message may come before it.
pub async fn close_of(socket: &mut Socket) -> (u16, String) {
    match next(socket).await {
        Some(Message::Close(Some(frame))) => (u16::from(frame.code), frame.reason.to_string()),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_init_without_a_valid_token_closes_with_4403_before_any_ack() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let url = serve(&t).await;
    for init in [
        json!({ "authorization": "Bearer not-a-token" }),
        json!({}),
        json!({ "Authorization": "" }),
        json!({ "headers": { "X-Other": "1" } }),
    ] {
        let mut socket = connect(&url, init.clone()).await;
        let (code, reason) = close_of(&mut socket).await;
        assert_eq!(code, 4403, "{init}: {reason}");
        assert!(!reason.is_empty(), "{init}: a reason a client can show");
    }
    // The token as several clients send it: lowercase key, with or without `Bearer `,
    // at the top level or under `headers`.
    for init in [
        json!({ "authorization": ws.viewer }),
        json!({ "Authorization": format!("Bearer {}", ws.viewer) }),
        json!({ "headers": { "authorization": format!("bearer {}", ws.viewer) } }),
    ] {
        let mut socket = connect(&url, init.clone()).await;
        assert_eq!(
            next_json(&mut socket).await["type"],
            "connection_ack",
            "{init}"
        );
        let viewer = json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ viewer { role } }" } });
        socket
            .send(Message::text(viewer.to_string()))
            .await
            .unwrap();
        assert_eq!(
            next_json(&mut socket).await["payload"]["data"]["viewer"]["role"],
            "VIEWER",
            "{init}"
        );
    }
}

/// Opens a graphql-transport-ws socket without sending `connection_init`.
async fn open(url: &str) -> Socket {
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tokio_tungstenite::connect_async(request),
    )
    .await
    .expect("the upgrade answered in time")
    .unwrap()
    .0
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribe_before_connection_init_closes_with_4401() {
    let t = TestApp::new().await;
    let url = serve(&t).await;
    let mut socket = open(&url).await;
    let subscribe =
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ __typename }" } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    assert_eq!(close_of(&mut socket).await.0, 4401);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_connection_init_within_ten_seconds_closes_with_4408() {
    let t = TestApp::new().await;
    let url = serve(&t).await;
    let mut socket = open(&url).await;
    // The server closes at 10 s; `next` would give up at the same time.
    let message = match tokio::time::timeout(std::time::Duration::from_secs(20), socket.next())
        .await
        .expect("closed within 20 s")
    {
        Some(Ok(Message::Close(Some(frame)))) => frame,
        other => panic!("expected a close frame, got {other:?}"),
    };
    assert_eq!(u16::from(message.code), 4408, "{}", message.reason);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_outside_the_protocol_closes_with_4400_and_a_short_reason() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let url = serve(&t).await;
    let mut socket = connect(
        &url,
        json!({ "Authorization": format!("Bearer {}", ws.viewer) }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    socket
        .send(Message::text(json!({ "type": "bogus" }).to_string()))
        .await
        .unwrap();
    match next(&mut socket).await {
        Some(Message::Close(Some(frame))) => {
            assert_eq!(u16::from(frame.code), 4400);
            assert!(frame.reason.len() <= 123, "{}", frame.reason);
        }
        other => panic!("expected a 4400 close, got {other:?}"),
    }
}

/// A token of a new workspace with `role` that expires on a whole second (JWT expiry has
/// one-second resolution), far enough ahead that `connection_init` (which provisions the
/// workspace) and a first operation are answered before it even on a loaded machine;
/// with its expiry (unix seconds).
pub fn expiring_token(role: &str) -> (String, i64) {
    let exp = chrono::Utc::now().timestamp() + 1 + i64::try_from(MARGIN.as_secs()).unwrap();
    let claims =
        json!({ "sub": "u", "workspace_id": uuid::Uuid::new_v4(), "role": role, "exp": exp });
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(crate::common::JWT_SECRET),
    )
    .unwrap();
    (token, exp)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_open_socket_stops_working_when_its_token_expires() {
    let t = TestApp::new().await;
    let url = serve(&t).await;
    let (token, exp) = expiring_token("admin");
    let mut socket = connect(&url, json!({ "Authorization": format!("Bearer {token}") })).await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    let ask = |id: &str| {
        json!({ "id": id, "type": "subscribe", "payload": { "query": "{ viewer { role } }" } })
            .to_string()
    };
    socket.send(Message::text(ask("1"))).await.unwrap();
    assert_eq!(
        next_json(&mut socket).await["payload"]["data"]["viewer"]["role"],
        "ADMIN"
    );
    assert_eq!(next_json(&mut socket).await["type"], "complete");
    // From the expiry on, the same socket is refused.
    crate::common::sleep_until_past(chrono::DateTime::from_timestamp(exp, 0).unwrap()).await;
    socket.send(Message::text(ask("2"))).await.unwrap();
    let answer = next_json(&mut socket).await;
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_legacy_graphql_ws_protocol_runs_queries_and_refuses_a_bad_token() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let url = serve(&t).await;
    let mut socket = connect_with(
        &url,
        "graphql-ws",
        json!({ "Authorization": format!("Bearer {}", ws.viewer) }),
    )
    .await;
    assert_eq!(
        next_json(&mut socket).await,
        json!({ "type": "connection_ack" })
    );
    let start = json!({ "id": "a", "type": "start", "payload": { "query": "query($n: Int) { viewer { workspaceId role } dataSources(first: $n) { nodes { id } } }", "variables": { "n": 1 } } });
    socket.send(Message::text(start.to_string())).await.unwrap();
    assert_eq!(
        next_json(&mut socket).await,
        json!({ "id": "a", "type": "data", "payload": { "data": {
            "viewer": { "workspaceId": ws.id, "role": "VIEWER" },
            "dataSources": { "nodes": [] },
        } } })
    );
    assert_eq!(
        next_json(&mut socket).await,
        json!({ "id": "a", "type": "complete" })
    );
    socket
        .send(Message::text(
            json!({ "type": "connection_terminate" }).to_string(),
        ))
        .await
        .unwrap();

    // A token that does not verify: a connection_error (the legacy protocol's refusal),
    // no connection_ack, and the server ends the connection.
    let mut refused = connect_with(
        &url,
        "graphql-ws",
        json!({ "Authorization": "Bearer not-a-token" }),
    )
    .await;
    let error = next_json(&mut refused).await;
    assert_eq!(error["type"], "connection_error", "{error}");
    assert!(
        error["payload"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("token")),
        "{error}"
    );
    let end = tokio::time::timeout(std::time::Duration::from_secs(10), refused.next())
        .await
        .expect("the connection ends in time");
    assert!(
        matches!(end, None | Some(Ok(Message::Close(_)) | Err(_))),
        "expected the connection to end, got {end:?}"
    );
}
