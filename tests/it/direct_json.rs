//! A page of data sources (`nodes` or `edges`) written straight to JSON over HTTP
//! (`src/graphql/direct.rs`) answers byte for byte as async-graphql resolves it: every
//! field a plain selection can ask, with aliases, fragments, `__typename`,
//! `@skip`/`@include`, secrets, a missing options row and strings that need escaping;
//! and a selection the writer does not take (a key asked twice, a field that waits, one
//! that fails, an environment the edition does not offer) is resolved as usual, with the
//! same answer and errors. The suite-wide check (`reference.rs`) compares each of these
//! answers with the reference one (every object through its ordinary resolver); a
//! written page is also compared with the schema run without the transport, where
//! objects resolve in place (`src/graphql/inline.rs`) and nothing is written ahead.

use serde_json::{Value, json};

use crate::common::{TestApp, Workspace, data, post};
use crate::data_sources::{CREATE, environment_ids, pg_options};

/// The Production environment's id and two data sources: one with a name and values
/// that need escaping and a secret set, one with options in Production only.
async fn seeded(t: &TestApp, ws: &Workspace) -> Vec<String> {
    let escaped = json!({
        "name": "Quoted \"name\" \\ ünï €",
        "kind": "postgresql",
        "options": [
            { "key": "host", "value": "db\"\\\u{7f}.internal" },
            { "key": "port", "value": 6432 },
            { "key": "database", "value": "ápp \"x\"" },
            { "key": "username", "value": "app" },
            { "key": "password", "value": "hunter2" },
        ],
    });
    let bare = json!({ "name": "bare", "kind": "postgresql", "options": pg_options("pw") });
    for input in [escaped, bare] {
        data(
            t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
                .await,
        );
    }
    environment_ids(t, ws).await
}

/// The body `query` gets over HTTP, and how many lists were written straight to JSON.
async fn over_http(t: &TestApp, token: &str, query: &str, variables: &Value) -> (String, u64) {
    let before = t.app.metrics.lists_written.get();
    let body = json!({ "query": query, "variables": variables });
    let response = t.request(post(Some(token), &body)).await;
    let written = t.app.metrics.lists_written.get() - before;
    (response.body, written)
}

/// The same request run by the schema without the transport (no lists written ahead,
/// objects resolved in place), serialized as it is.
async fn resolved(t: &TestApp, token: &str, query: &str, variables: &Value) -> String {
    let session = t.app.authenticate(Some(&format!("Bearer {token}"))).await;
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables.clone()));
    let request = envgate::graphql::Authentication::new(session).attach(request);
    let response = envgate::schema(t.app.clone()).execute(request).await;
    serde_json::to_string(&response).unwrap()
}

/// Runs `query` over HTTP, where the suite-wide check compares its body with the
/// reference answer (checked here to have run); when a list was written straight to
/// JSON, the body must also equal the one the schema gives without the transport
/// (objects resolved in place, nothing written ahead), a path no HTTP request takes for
/// a selection the writer takes. Returns the answer and the lists written.
async fn both_ways(t: &TestApp, token: &str, query: &str, variables: Value) -> (Value, u64) {
    let reference = t.reference().await;
    let compared = reference.compared();
    let (http, written) = over_http(t, token, query, &variables).await;
    assert_eq!(
        reference.compared(),
        compared + 1,
        "compared with its reference answer: {query}"
    );
    if written > 0 {
        let in_place = resolved(t, token, query, &variables).await;
        assert_eq!(http, in_place, "{query}");
    }
    (serde_json::from_str(&http).unwrap(), written)
}

const EVERY_FIELD: &str = r#"
    query($env: ID!, $yes: Boolean!) {
        dataSources(first: 10) {
            nodes {
                __typename
                ...Named
                ... on DataSource { createdAt }
                ... { u: updatedAt }
                skipped: id @skip(if: $yes)
                included: kind @include(if: $yes)
                o: options(environmentId: $env) {
                    __typename id dataSourceId revision updatedAt updatedBy
                    values { __typename key value secret isSet }
                    ... on DataSourceOptions { r: revision }
                }
            }
        }
    }
    fragment Named on DataSource { id n: name kind }
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_written_page_answers_as_async_graphql_resolves_it() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let environments = seeded(&t, &ws).await;

    // The builder read of the load benchmark.
    let builder_read = "query($env: ID!) { environments { id name } dataSources(first: 50) { nodes { id name kind options(environmentId: $env) { values { key value } revision } } } }";
    for env in &environments {
        let (answer, written) =
            both_ways(&t, &ws.builder, builder_read, json!({ "env": env })).await;
        assert_eq!(
            written, 2,
            "the environments and the page are written straight to JSON"
        );
        assert_eq!(
            answer["data"]["dataSources"]["nodes"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }

    // The same read through `edges`, and through both at once.
    let edges = "query($env: ID!) { dataSources(first: 50) { pageInfo { hasNextPage endCursor } edges { __typename cursor node { id name kind options(environmentId: $env) { values { key value } revision } } } } }";
    let both = "query($env: ID!) { dataSources(first: 1) { edges { c: cursor node { ...N } } nodes { ...N } } } fragment N on DataSource { id options(environmentId: $env) { revision } }";
    for (query, lists) in [(edges, 1), (both, 2)] {
        let env = environments.last().unwrap();
        let (answer, written) = both_ways(&t, &ws.builder, query, json!({ "env": env })).await;
        assert_eq!(written, lists, "{answer}");
        let edges = answer["data"]["dataSources"]["edges"].as_array().unwrap();
        assert!(
            edges[0]["node"]["options"]["revision"].is_number(),
            "{answer}"
        );
    }

    // Every field it writes, every way of asking; a row in one environment only (the
    // others read as empty options), a secret set, escapes.
    for env in &environments {
        for yes in [true, false] {
            let variables = json!({ "env": env, "yes": yes });
            for token in [&ws.admin, &ws.builder] {
                let (answer, written) = both_ways(&t, token, EVERY_FIELD, variables.clone()).await;
                assert_eq!(written, 1, "{answer}");
                let nodes = answer["data"]["dataSources"]["nodes"].as_array().unwrap();
                let keys: Vec<_> = nodes[0].as_object().unwrap().keys().cloned().collect();
                let mut expected = vec!["__typename", "id", "n", "kind", "createdAt", "u"];
                expected.extend(if yes {
                    vec!["included"]
                } else {
                    vec!["skipped"]
                });
                expected.push("o");
                assert_eq!(keys, expected);
            }
        }
    }
    let production = environments.last().unwrap();
    let (answer, _) = both_ways(
        &t,
        &ws.builder,
        EVERY_FIELD,
        json!({ "env": production, "yes": true }),
    )
    .await;
    let nodes = answer["data"]["dataSources"]["nodes"].as_array().unwrap();
    let escaped = nodes.iter().find(|n| n["n"] != json!("bare")).unwrap();
    assert_eq!(escaped["n"], json!("Quoted \"name\" \\ ünï €"));
    let values = escaped["o"]["values"].as_array().unwrap();
    let value = |key: &str| values.iter().find(|v| v["key"] == json!(key)).unwrap();
    assert_eq!(value("host")["value"], json!("db\"\\\u{7f}.internal"));
    assert_eq!(value("port")["value"], json!(6432));
    assert_eq!(
        value("password"),
        &json!({ "__typename": "DataSourceOption", "key": "password", "value": null, "secret": true, "isSet": true })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_the_writer_does_not_take_is_resolved_with_the_same_answer() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let environments = seeded(&t, &ws).await;
    let env = environments.last().unwrap();
    // Each with the lists written under the page's two data sources.
    let not_taken = [
        // fields that wait for another read
        ("options(environmentId: $env) { configured }", 0),
        ("options(environmentId: $env) { environment { name } }", 0),
        // (each data source's `environments` is a list of its own, written)
        (
            "environments { revision } options(environmentId: $env) { revision }",
            2,
        ),
        // a field that fails, and is left out with its error
        (
            r#"options(environmentId: $env) { revision } gone: options(environmentId: "00000000-0000-0000-0000-000000000000") { revision }"#,
            0,
        ),
        (
            r#"options(environmentId: $env) { revision } bad: options(environmentId: "not an id") { revision }"#,
            0,
        ),
    ];
    for (selection, lists_under) in not_taken {
        for query in [
            format!("query($env: ID!) {{ dataSources {{ nodes {{ name {selection} }} }} }}"),
            format!(
                "query($env: ID!) {{ dataSources {{ edges {{ cursor node {{ name {selection} }} }} }} }}"
            ),
        ] {
            let (_, written) = both_ways(&t, &ws.builder, &query, json!({ "env": env })).await;
            assert_eq!(written, lists_under, "{query}");
        }
    }
    // A key asked twice is written once, its occurrences merged as the plan merges
    // them, with the answer async-graphql gives: an option's keys...
    let query = "query($env: ID!) { dataSources { nodes { name o: options(environmentId: $env) { revision } o: options(environmentId: $env) { values { key } } } } }";
    let (answer, written) = both_ways(&t, &ws.builder, query, json!({ "env": env })).await;
    assert_eq!(written, 1);
    let options = &answer["data"]["dataSources"]["nodes"][0]["o"];
    assert!(options["revision"].is_number() && options["values"][0]["key"].is_string());
    // ...and an edge's `node`.
    let query = "query($env: ID!) { dataSources { edges { node { id } ... on DataSourceEdge { node { options(environmentId: $env) { revision } } } } } }";
    let (answer, written) = both_ways(&t, &ws.builder, query, json!({ "env": env })).await;
    assert_eq!(written, 1);
    let node = &answer["data"]["dataSources"]["edges"][0]["node"];
    assert!(node["id"].is_string() && node["options"]["revision"].is_number());

    // An environment the Community edition does not offer: LICENSE_REQUIRED, as ever.
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    let staging = &environments[1];
    let query = "query($env: ID!) { dataSources { nodes { id options(environmentId: $env) { revision } } } }";
    let (answer, written) =
        both_ways(&community, &ws.builder, query, json!({ "env": staging })).await;
    assert_eq!(written, 0);
    assert_eq!(
        answer["errors"][0]["extensions"]["code"],
        json!("LICENSE_REQUIRED")
    );
    let (_, written) = both_ways(&community, &ws.builder, query, json!({ "env": env })).await;
    assert_eq!(written, 1, "the default environment is offered and written");
}
