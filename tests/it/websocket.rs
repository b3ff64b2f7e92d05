//! GraphQL over a real WebSocket, as graphql-ws clients speak it.

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use crate::common::{MARGIN, TestApp};

/// Serves the router on a free local port; returns the WebSocket URL.
async fn serve(t: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, t.router.clone()).into_future());
    format!("ws://{address}/graphql")
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str, init: Value) -> Socket {
    connect_with(url, "graphql-transport-ws", init).await
}

/// Opens a socket speaking `protocol` and sends `connection_init` with `init`.
async fn connect_with(url: &str, protocol: &str, init: Value) -> Socket {
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

async fn next(socket: &mut Socket) -> Option<Message> {
    tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("an answer in time")
        .map(Result::unwrap)
}

/// The next text message as JSON, skipping (a bounded number of) pings and pongs.
async fn next_json(socket: &mut Socket) -> Value {
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

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_token_in_connection_init_closes_the_socket_and_no_token_allows_introspection() {
    let t = TestApp::new().await;
    let url = serve(&t).await;
    let mut socket = connect(&url, json!({ "authorization": "Bearer not-a-token" })).await;
    match next(&mut socket).await {
        Some(Message::Close(Some(frame))) => assert_eq!(u16::from(frame.code), 4403),
        other => panic!("expected a 4403 close, got {other:?}"),
    }

    // No token at all: introspection is answered, anything else is UNAUTHENTICATED.
    let mut socket = connect(&url, json!({})).await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    let introspection = json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ __typename __schema { queryType { name } mutationType { name } } }" } });
    socket
        .send(Message::text(introspection.to_string()))
        .await
        .unwrap();
    assert_eq!(
        next_json(&mut socket).await,
        json!({ "id": "1", "type": "next", "payload": { "data": {
            "__typename": "Query",
            "__schema": { "queryType": { "name": "Query" }, "mutationType": { "name": "Mutation" } },
        } } })
    );
    assert_eq!(
        next_json(&mut socket).await,
        json!({ "id": "1", "type": "complete" })
    );
    let viewer =
        json!({ "id": "2", "type": "subscribe", "payload": { "query": "{ viewer { role } }" } });
    socket
        .send(Message::text(viewer.to_string()))
        .await
        .unwrap();
    let answer = next_json(&mut socket).await;
    assert_eq!(answer["id"], "2");
    assert_eq!(answer["payload"]["data"], Value::Null, "{answer}");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{answer}"
    );
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

#[tokio::test(flavor = "multi_thread")]
async fn an_open_socket_stops_working_when_its_token_expires() {
    let t = TestApp::new().await;
    let url = serve(&t).await;
    let workspace = uuid::Uuid::new_v4();
    // JWT expiry has one-second resolution: expire on a whole second, far enough ahead
    // that connection_init (which provisions the workspace) and the first operation
    // are answered before it even on a loaded machine.
    let exp = chrono::Utc::now().timestamp() + 1 + i64::try_from(MARGIN.as_secs()).unwrap();
    let claims = json!({ "sub": "u", "workspace_id": workspace, "role": "admin", "exp": exp });
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(crate::common::JWT_SECRET),
    )
    .unwrap();
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
