//! Objects resolved with their ready fields in place (`src/graphql/inline.rs`) answer
//! exactly as async-graphql's own resolution does: the same selection, with aliases,
//! repeated keys, fragments, `__typename` and a failing field, gives the same object
//! whether it runs through a type resolved inline (the `dataSources` page, a data
//! source's `options`) or through async-graphql (`dataSource(id)`, the options a
//! mutation returns). The suite-wide check (`reference.rs`) also compares each query
//! here with its reference answer, where every object resolves the ordinary way.

use serde_json::{Value, json};

use crate::common::{TestApp, data};
use crate::data_sources::{create_pg, environment_ids};

/// A data source's fields every way a selection can ask for them; `gone` fails
/// (NOT_FOUND) and so is left out, with its error.
const DATA_SOURCE: &str = r#"
    fragment Named on DataSource { id kind n: name }
    fragment Source on DataSource {
        __typename
        name
        ...Named
        ... on DataSource { createdAt name }
        ... { updatedAt t: __typename }
        o: options(environmentId: $env) { revision }
        o: options(environmentId: $env) { values { key } ... on DataSourceOptions { id } }
        gone: options(environmentId: "00000000-0000-0000-0000-000000000000") { revision }
        id
    }
"#;

/// The same for a data source's options in one environment.
const OPTIONS: &str = r#"
    fragment Options on DataSourceOptions {
        values { isSet key v: value k: key }
        __typename
        ...Parts
        e: environment { name }
        e: environment { id ... on Environment { priority __typename } }
        revision
        values { secret }
        configured
    }
    fragment Parts on DataSourceOptions { dataSourceId updatedBy r: revision }
"#;

/// The errors of a response as (code, last path segment): where they are differs by
/// the root field, what failed does not.
fn errors(response: &Value) -> Vec<(Value, Value)> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let path = e["path"].as_array().cloned().unwrap_or_default();
                    (
                        e["extensions"]["code"].clone(),
                        path.last().cloned().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn inline_objects_answer_as_async_graphql_does() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let first = create_pg(&t, &ws, "first").await;
    let id = create_pg(&t, &ws, "second").await;
    let env = environment_ids(&t, &ws).await.pop().unwrap();
    let variables = json!({ "id": id, "env": env });

    // A data source: async-graphql (dataSource) against inline (the page's nodes).
    let one = t
        .gql(
            Some(&ws.builder),
            &format!(
                "query($id: ID!, $env: ID!) {{ dataSource(id: $id) {{ ...Source }} }} {DATA_SOURCE}"
            ),
            variables.clone(),
        )
        .await;
    let page = t
        .gql(
            Some(&ws.builder),
            &format!(
                "query($env: ID!) {{ dataSources {{ nodes {{ ...Source }} }} }} {DATA_SOURCE}"
            ),
            json!({ "env": env }),
        )
        .await;
    let alone = one["data"]["dataSource"].clone();
    let nodes = page["data"]["dataSources"]["nodes"].as_array().unwrap();
    let in_page = nodes.iter().find(|n| n["id"] == json!(id)).unwrap();
    assert_eq!(&alone, in_page);
    let keys: Vec<_> = alone.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "__typename",
            "name",
            "id",
            "kind",
            "n",
            "createdAt",
            "updatedAt",
            "t",
            "o"
        ],
        "document order, repeated keys once, the failed field left out"
    );
    assert_eq!(alone["o"]["revision"], json!(1));
    assert_eq!(alone["o"]["values"][0], json!({ "key": "host" }));
    assert!(
        alone["o"]["id"].is_string(),
        "the merged `o` has both halves"
    );
    assert_eq!(errors(&one), [(json!("NOT_FOUND"), json!("gone"))]);
    assert_eq!(errors(&page), vec![(json!("NOT_FOUND"), json!("gone")); 2]);
    assert!(nodes.iter().any(|n| n["id"] == json!(first)));
    let paths: Vec<_> = page["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].clone())
        .collect();
    assert!(paths.contains(&json!(["dataSources", "nodes", 0, "gone"])));
    assert!(paths.contains(&json!(["dataSources", "nodes", 1, "gone"])));

    // Options: async-graphql (what the mutation returns) against inline (`options`).
    let saved = t
        .gql(
            Some(&ws.admin),
            &format!(
                "mutation($input: UpdateDataSourceOptionsInput!) {{ updateDataSourceOptions(input: $input) {{ ...Options }} }} {OPTIONS}"
            ),
            json!({ "input": {
                "dataSourceId": id,
                "environmentId": env,
                "options": [{ "key": "port", "value": 6432 }, { "key": "password", "value": "pw" }],
            } }),
        )
        .await;
    let read = t
        .gql(
            Some(&ws.builder),
            &format!(
                "query($id: ID!, $env: ID!) {{ dataSource(id: $id) {{ options(environmentId: $env) {{ ...Options }} }} }} {OPTIONS}"
            ),
            variables,
        )
        .await;
    let saved = data(saved)["updateDataSourceOptions"].clone();
    let read = data(read)["dataSource"]["options"].clone();
    assert_eq!(saved, read);
    let keys: Vec<_> = read.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "values",
            "__typename",
            "dataSourceId",
            "updatedBy",
            "r",
            "e",
            "revision",
            "configured"
        ]
    );
    assert_eq!(read["r"], json!(2));
    assert_eq!(read["e"]["__typename"], json!("Environment"));
    assert!(read["e"]["name"].is_string() && read["e"]["priority"].is_number());
    let port = read["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["key"] == json!("port"));
    assert_eq!(port.unwrap()["v"], json!(6432));
    assert_eq!(
        port.unwrap()["secret"],
        json!(false),
        "a list's items merged item by item"
    );
}
