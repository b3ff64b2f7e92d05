//! The suite-wide equivalence check (`reference.rs`) is on, runs what it should and
//! nothing else, and fails on a difference.

use axum::http::{StatusCode, header};
use serde_json::json;

use async_graphql::parser::types::OperationType;

use crate::common::{TestApp, data, post};
use crate::reference::{asks, assert_same_answer, operation_type};

#[test]
fn equal_bytes_pass() {
    let body = r#"{"data":{"a":1,"b":[true,null]}}"#;
    assert_same_answer("{ a b }", &json!({}), body, body);
}

/// The same JSON value with its keys in another order is a difference: bodies are
/// compared as bytes.
#[test]
#[should_panic(expected = "differs from its reference answer")]
fn a_different_reference_body_is_caught() {
    assert_same_answer(
        "{ a b }",
        &json!({}),
        r#"{"data":{"a":1,"b":2}}"#,
        r#"{"data":{"b":2,"a":1}}"#,
    );
}

#[test]
fn what_is_a_query_and_what_writes() {
    let parse = |text| async_graphql::parser::parse_query(text).unwrap();
    let two = parse("query A { viewer { role } } mutation B { deleteApp(id: 1) }");
    assert_eq!(operation_type(&two, Some("A")), Some(OperationType::Query));
    assert_eq!(
        operation_type(&two, Some("B")),
        Some(OperationType::Mutation)
    );
    assert_eq!(operation_type(&two, None), None);
    assert_eq!(
        operation_type(&parse("{ viewer { role } }"), None),
        Some(OperationType::Query)
    );
    let resolves = parse(
        "query { ...R } fragment R on Query { ... on Query { resolveDataSource(input: {}) { options } } }",
    );
    assert!(asks(&resolves, "resolveDataSource"));
    assert!(!asks(&two, "resolveDataSource"));
}

/// The suite-wide check is on: a query sent through `gql` is compared (and a page the
/// tested app writes straight to JSON is answered by the reference app without writing
/// it), while a mutation, a `resolveDataSource` query, a GET, a request the transport
/// refuses and a query sent while the test holds a lock are not run again.
#[tokio::test(flavor = "multi_thread")]
async fn every_query_sent_through_gql_is_compared_with_its_reference_answer() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = crate::data_sources::create_pg(&t, &ws, "compared").await;
    let env = crate::data_sources::environment_ids(&t, &ws)
        .await
        .pop()
        .unwrap();
    let reference = t.reference().await;
    let compared = reference.compared();
    assert!(compared >= 1, "environment_ids' query was compared");

    let read = "query($env: ID!) { dataSources(first: 50) { nodes { id name kind options(environmentId: $env) { values { key value } revision } } } }";
    let written = t.app.metrics.lists_written.get();
    let statements = reference.app.queries.get();
    let answer = data(t.gql(Some(&ws.builder), read, json!({ "env": env })).await);
    assert_eq!(answer["dataSources"]["nodes"][0]["id"], json!(id));
    assert_eq!(reference.compared(), compared + 1);
    assert_eq!(
        t.app.metrics.lists_written.get(),
        written + 1,
        "the tested app wrote the page"
    );
    assert_eq!(
        reference.app.metrics.lists_written.get(),
        0,
        "the reference app wrote nothing ahead"
    );
    assert!(
        reference.app.queries.get() > statements,
        "the reference app read the page itself"
    );

    // Not run again: a mutation, a query that writes an audit row, a GET.
    let rename = "mutation($id: ID!) { renameDataSource(id: $id, name: \"renamed\") { id } }";
    data(t.gql(Some(&ws.admin), rename, json!({ "id": id })).await);
    let resolve =
        "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { options } }";
    let app = uuid::Uuid::new_v4();
    let input = json!({ "input": { "dataSourceId": id, "appId": app, "target": "RELEASED" } });
    t.gql(Some(&ws.runner), resolve, input).await;
    let get = axum::http::Request::get("/graphql?query=%7Bviewer%7Brole%7D%7D")
        .header(header::ACCEPT, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", ws.builder))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(t.request(get).await.status, StatusCode::OK);
    assert_eq!(reference.compared(), compared + 1);

    // A request refused by the transport is not compared; one with errors is.
    let refused = t
        .request(post(Some(&ws.builder), &json!({ "query": "{ nope" })))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let missing = t
        .gql(
            Some(&ws.builder),
            r#"{ dataSource(id: "00000000-0000-0000-0000-000000000000") { id } viewer { role } }"#,
            json!({}),
        )
        .await;
    assert_eq!(missing["data"]["viewer"]["role"], json!("BUILDER"));
    assert_eq!(reference.compared(), compared + 2);

    // Nor while the test holds a lock: what the reference reads could differ.
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    let held =
        t.db.hold(
            "SELECT 1 FROM data_sources WHERE id = $1 FOR UPDATE",
            &[&uuid],
        )
        .await;
    data(
        t.gql(Some(&ws.builder), "{ viewer { role } }", json!({}))
            .await,
    );
    assert_eq!(reference.compared(), compared + 2);
    held.rollback().await;
    data(
        t.gql(Some(&ws.builder), "{ viewer { role } }", json!({}))
            .await,
    );
    assert_eq!(reference.compared(), compared + 3);
}
