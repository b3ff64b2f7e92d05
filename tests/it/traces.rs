//! Traces: a real `envgate serve` with `OTEL_*` pointed at an OTLP/HTTP receiver run by
//! the test, which decodes what it is sent (protobuf, the collector's format). A
//! request's `traceparent` is continued from the request down to SQL, no attribute
//! carries a variable's or a secret's value, and the spans left are sent on shutdown.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use futures_util::SinkExt as _;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use crate::common::{TempDir, TestDb};
use crate::serve::Server;

/// An OTLP/HTTP receiver: every export request it was sent, decoded.
struct Receiver {
    endpoint: String,
    exports: Arc<Mutex<Vec<ExportTraceServiceRequest>>>,
}

impl Receiver {
    async fn start() -> Self {
        let exports = Arc::new(Mutex::new(Vec::new()));
        let sink = exports.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: Bytes| {
                let sink = sink.clone();
                async move {
                    let export = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
                    sink.lock().unwrap().push(export);
                    (
                        [("content-type", "application/x-protobuf")],
                        ExportTraceServiceResponse::default().encode_to_vec(),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { endpoint, exports }
    }

    /// Every span received, with its service's name.
    fn spans(&self) -> Vec<(String, Span)> {
        let exports = self.exports.lock().unwrap();
        let mut spans = Vec::new();
        for resource_spans in exports.iter().flat_map(|e| &e.resource_spans) {
            let service = resource_spans
                .resource
                .as_ref()
                .and_then(|r| attribute(&r.attributes, "service.name"))
                .unwrap_or_default();
            for scope in &resource_spans.scope_spans {
                for span in &scope.spans {
                    spans.push((service.clone(), span.clone()));
                }
            }
        }
        spans
    }
}

/// An attribute's value, as text.
fn attribute(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .map(text)
}

fn text(value: &AnyValue) -> String {
    match &value.value {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        other => format!("{other:?}"),
    }
}

/// Every attribute value of a span and of its events.
fn all_values(span: &Span) -> Vec<String> {
    span.attributes
        .iter()
        .chain(span.events.iter().flat_map(|e| &e.attributes))
        .filter_map(|kv| kv.value.as_ref().map(text))
        .chain(span.events.iter().map(|e| e.name.clone()))
        .chain([span.name.clone()])
        .collect()
}

const CREATE: &str = "mutation CreateOrders($input: CreateDataSourceInput!) { createDataSource(input: $input) { id name environments { environment { id name } configured } } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_request_s_traceparent_is_continued_down_to_sql_without_values_and_sent_on_shutdown() {
    let receiver = Receiver::start().await;
    let db = TestDb::empty().await;
    let state = TempDir::new("serve-traces");
    let service = format!("envgate-test-{}", uuid::Uuid::new_v4().simple());
    let server = Server::launch(
        &db.url,
        state.path(),
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.endpoint),
            ("OTEL_SERVICE_NAME", &service),
        ],
        &[],
    )
    .await;
    let token = server.stdout.last().unwrap().trim().to_owned();
    let authorization = format!("Bearer {token}");

    // A mutation whose variables carry a password and a host.
    let secret = format!("pw-{}", uuid::Uuid::new_v4().simple());
    let host = format!("db-{}.internal", uuid::Uuid::new_v4().simple());
    let body = json!({ "query": CREATE, "operationName": "CreateOrders", "variables": { "input": {
        "name": "orders", "kind": "postgresql",
        "options": [{ "key": "host", "value": host }, { "key": "database", "value": "orders" }, { "key": "username", "value": "app" }, { "key": "password", "value": secret }],
    } } });
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let traceparent = format!("00-{trace_id}-{caller_span}-01");
    let (status, _, answer) = crate::serve::http(
        &server.address,
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &authorization),
            ("traceparent", &traceparent),
            ("tracestate", "acme=7"),
        ],
        &body.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let data_source = answer["data"]["createDataSource"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned();

    // A connection test, in a trace of its own.
    let environment = answer["data"]["createDataSource"]["environments"][0]["environment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let test_trace_id = "5cb3b1f1a2c94c7e9d0b8a7f6e5d4c3b";
    let test = json!({ "query": "mutation Test($id: ID!, $env: ID!) { testDataSourceConnection(dataSourceId: $id, environmentId: $env) { ok } }",
        "operationName": "Test", "variables": { "id": data_source, "env": environment } });
    let (status, _, tested) = crate::serve::http(
        &server.address,
        "POST",
        "/graphql",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &authorization),
            (
                "traceparent",
                &format!("00-{test_trace_id}-{caller_span}-01"),
            ),
        ],
        &test.to_string(),
    )
    .await;
    assert_eq!(status, 200, "{tested}");
    assert!(tested.contains(r#""ok":false"#), "{tested}");

    // An operation over a WebSocket whose upgrade request carries a trace of its own.
    let ws_trace_id = "0af7651916cd43dd8448eb211c80319c";
    let mut request = format!("ws://{}/graphql", server.address)
        .into_client_request()
        .unwrap();
    let headers = request.headers_mut();
    headers.insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    headers.insert(
        "traceparent",
        format!("00-{ws_trace_id}-b7ad6b7169203331-01")
            .parse()
            .unwrap(),
    );
    let (mut socket, _) = tokio::time::timeout(
        crate::serve::LIMIT,
        tokio_tungstenite::connect_async(request),
    )
    .await
    .expect("the upgrade answered in time")
    .unwrap();
    for message in [
        json!({ "type": "connection_init", "payload": { "authorization": token } }),
        json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "query Sources { dataSources { nodes { id name } } }", "operationName": "Sources" } }),
    ] {
        socket
            .send(Message::text(message.to_string()))
            .await
            .unwrap();
    }
    // The ack, then the answer (which names the data source), then `complete`.
    let mut answered = false;
    for _ in 0..3 {
        let message = crate::websocket::next_json(&mut socket).await;
        if message["type"] == "next" {
            assert!(message.to_string().contains(&data_source), "{message}");
            answered = true;
        }
    }
    assert!(answered);
    socket.close(None).await.unwrap();

    // Shutdown sends what the batch has not sent yet: nothing is waited for here.
    let (status, log) = server.terminate().await;
    assert!(status.success(), "{log:#?}");
    let spans = receiver.spans();
    assert!(!spans.is_empty(), "no span received: {log:#?}");
    assert!(spans.iter().all(|(s, _)| *s == service), "service.name");
    let spans = Trace(spans.into_iter().map(|(_, span)| span).collect());

    // No attribute anywhere holds a value the caller sent.
    for span in &spans.0 {
        for value in all_values(span) {
            for sent in [&secret, &host, &token] {
                assert!(!value.contains(sent.as_str()), "{value} in {span:?}");
            }
        }
    }

    // Three traces, the callers', and nothing else (the scheduler's polls are not traces
    // of their own).
    let trace = spans.of(trace_id);
    let test_trace = spans.of(test_trace_id);
    let ws_trace = spans.of(ws_trace_id);
    assert_eq!(
        trace.0.len() + test_trace.0.len() + ws_trace.0.len(),
        spans.0.len(),
        "{spans:#?}"
    );

    // The HTTP request, from the caller's span to SQL.
    let request = trace.only("http");
    assert_eq!(request.parent_span_id, hex::decode(caller_span).unwrap());
    assert_eq!(request.trace_state, "acme=7");
    assert_eq!(
        attribute(&request.attributes, "path").as_deref(),
        Some("/graphql")
    );
    let operation = trace.only("mutation CreateOrders");
    assert_eq!(operation.parent_span_id, request.span_id);
    assert_eq!(
        attribute(&operation.attributes, "graphql.operation.type").as_deref(),
        Some("mutation")
    );
    assert_eq!(
        attribute(&operation.attributes, "graphql.operation.name").as_deref(),
        Some("CreateOrders")
    );
    // Its statements: every one in the request (authentication provisions the
    // workspace before the operation), their text with placeholders.
    let statements = trace.named(&["BEGIN", "INSERT", "SELECT", "COMMIT"]);
    assert!(statements.len() > 4, "{trace:#?}");
    for statement in &statements {
        assert!(trace.descends(statement, request), "{statement:?}");
        assert_eq!(
            attribute(&statement.attributes, "db.system.name").as_deref(),
            Some("postgresql")
        );
    }
    assert!(
        trace.named(&["INSERT"]).iter().any(|s| {
            let text = attribute(&s.attributes, "db.query.text").unwrap_or_default();
            trace.descends(s, operation)
                && text.contains("data_source_options")
                && text.contains("$1")
        }),
        "the options' INSERT under the operation: {trace:#?}"
    );
    // The answer reads the options through a loader's batch.
    assert!(
        trace.named(&["loader"]).iter().any(|l| {
            attribute(&l.attributes, "graphql.loader").as_deref() == Some("OptionsLoader")
                && trace.descends(l, operation)
                && statements.iter().any(|s| s.parent_span_id == l.span_id)
        }),
        "a loader batch with its SELECT under the operation: {trace:#?}"
    );

    // The connection test: under its operation, the kind and the outcome.
    let tested = test_trace.only("connection_test");
    assert_eq!(
        tested.parent_span_id,
        test_trace.only("mutation Test").span_id
    );
    assert_eq!(
        attribute(&tested.attributes, "data_source.kind").as_deref(),
        Some("postgresql")
    );
    assert_eq!(
        attribute(&tested.attributes, "connection_test.ok").as_deref(),
        Some("false")
    );

    // The WebSocket: the upgrade request's trace, its operation and its SQL.
    let socket_span = ws_trace.only("websocket");
    assert_eq!(socket_span.parent_span_id, ws_trace.only("http").span_id);
    let query = ws_trace.only("query Sources");
    assert_eq!(query.parent_span_id, socket_span.span_id);
    assert!(
        ws_trace
            .named(&["SELECT"])
            .iter()
            .any(|s| s.parent_span_id == query.span_id),
        "{ws_trace:#?}"
    );
}

/// Spans received.
#[derive(Debug)]
struct Trace(Vec<Span>);

impl Trace {
    /// The spans of the trace with this id (hex).
    fn of(&self, trace_id: &str) -> Trace {
        let id = hex::decode(trace_id).unwrap();
        Trace(
            self.0
                .iter()
                .filter(|s| s.trace_id == id)
                .cloned()
                .collect(),
        )
    }

    /// The spans with one of these names.
    fn named(&self, names: &[&str]) -> Vec<&Span> {
        self.0
            .iter()
            .filter(|s| names.contains(&s.name.as_str()))
            .collect()
    }

    /// The one span with this name.
    fn only(&self, name: &str) -> &Span {
        match self.named(&[name])[..] {
            [span] => span,
            _ => panic!("not one {name}: {self:#?}"),
        }
    }

    /// Whether `ancestor` is above `span`.
    fn descends(&self, span: &Span, ancestor: &Span) -> bool {
        let mut parent = &span.parent_span_id;
        while let Some(above) = self.0.iter().find(|s| s.span_id == *parent) {
            if above.span_id == ancestor.span_id {
                return true;
            }
            parent = &above.parent_span_id;
        }
        false
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn traces_switched_off_send_nothing() {
    let receiver = Receiver::start().await;
    let db = TestDb::empty().await;
    for (name, off) in [
        ("OTEL_SDK_DISABLED", "true"),
        ("OTEL_TRACES_EXPORTER", "none"),
    ] {
        let state = TempDir::new("serve-traces-off");
        let server = Server::launch(
            &db.url,
            state.path(),
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.endpoint),
                (name, off),
            ],
            &[],
        )
        .await;
        let token = server.stdout.last().unwrap().trim().to_owned();
        let authorization = format!("Bearer {token}");
        let (status, _, answer) = crate::serve::http(
            &server.address,
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &authorization),
                (
                    "traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                ),
            ],
            &json!({ "query": "{ viewer { userId } }" }).to_string(),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        let (status, log) = server.terminate().await;
        assert!(status.success(), "{log:#?}");
    }
    assert!(receiver.spans().is_empty(), "{:#?}", receiver.spans());
}

#[test]
fn serve_refuses_an_exporter_it_cannot_run_naming_the_setting() {
    let dir = TempDir::new("serve-traces-refused");
    for (env, expected) in [
        (
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            "OTEL_EXPORTER_OTLP_PROTOCOL=grpc",
        ),
        (
            ("OTEL_TRACES_EXPORTER", "zipkin"),
            "OTEL_TRACES_EXPORTER=zipkin",
        ),
        (
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "soon"),
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=soon",
        ),
    ] {
        let mut command = crate::cli::envgate_command(dir.path());
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("OTEL_") {
                command.env_remove(name);
            }
        }
        command
            .arg("serve")
            .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
            .env(env.0, env.1);
        let out = crate::cli::run(command);
        assert!(!out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(expected), "{env:?}: {stderr}");
    }
}
