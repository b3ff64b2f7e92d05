//! Who sees which data sources: tenancy, the Community edition, listing, and the cost
//! of a list.

use serde_json::{Value, json};

use crate::common::{TestApp, code, data};
use crate::data_sources::{CREATE, OPTIONS_FIELDS, create_pg, environment_ids, pg_options};

#[tokio::test(flavor = "multi_thread")]
async fn no_query_or_mutation_reaches_another_workspaces_data_source() {
    let t = TestApp::new().await;
    let (ours, theirs) = (t.workspace().await, t.workspace().await);
    let their_id = create_pg(&t, &theirs, "Their DB").await;
    let their_envs = environment_ids(&t, &theirs).await;
    let our_envs = environment_ids(&t, &ours).await;
    create_pg(&t, &ours, "Our DB").await;

    let list = data(
        t.gql(
            Some(&ours.admin),
            "{ dataSources(search: \"DB\") { nodes { id name } } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(list["dataSources"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(list["dataSources"]["nodes"][0]["name"], "Our DB");

    let update = format!(
        "mutation($input: UpdateDataSourceOptionsInput!) {{ updateDataSourceOptions(input: $input) {{ {OPTIONS_FIELDS} }} }}"
    );
    let copy = format!(
        "mutation($input: CopyDataSourceOptionsInput!) {{ copyDataSourceOptions(input: $input) {{ {OPTIONS_FIELDS} }} }}"
    );
    let attempts: Vec<(&str, String, Value)> = vec![
        ("read", "query($id: ID!) { dataSource(id: $id) { id } }".into(), json!({ "id": their_id })),
        ("rename", "mutation($id: ID!) { renameDataSource(id: $id, name: \"mine\") { id } }".into(), json!({ "id": their_id })),
        ("delete", "mutation($id: ID!) { deleteDataSource(id: $id) }".into(), json!({ "id": their_id })),
        ("update with their env", update.clone(), json!({ "input": { "dataSourceId": their_id, "environmentId": their_envs[2], "options": [] } })),
        ("update with our env", update, json!({ "input": { "dataSourceId": their_id, "environmentId": our_envs[2], "options": [] } })),
        ("copy", copy, json!({ "input": { "dataSourceId": their_id, "fromEnvironmentId": our_envs[2], "toEnvironmentId": our_envs[1] } })),
        (
            "test",
            "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok } }".into(),
            json!({ "d": their_id, "e": our_envs[2] }),
        ),
    ];
    for (what, query, variables) in attempts {
        let response = t.gql(Some(&ours.admin), &query, variables).await;
        assert_eq!(code(&response), "NOT_FOUND", "{what}: {response}");
        assert!(!response.to_string().contains("Their DB"), "{what}");
    }
    // Our data source with their environment id: that environment is not ours.
    let our_id = data(
        t.gql(
            Some(&ours.admin),
            "{ dataSources { nodes { id } } }",
            json!({}),
        )
        .await,
    )["dataSources"]["nodes"][0]["id"]
        .clone();
    let response = t
        .gql(
            Some(&ours.admin),
            "query($id: ID!, $env: ID!) { dataSource(id: $id) { options(environmentId: $env) { id } } }",
            json!({ "id": our_id, "env": their_envs[2] }),
        )
        .await;
    assert_eq!(code(&response), "NOT_FOUND");
    // A create with their environment id fails the same way, and creates nothing.
    let input = json!({ "name": "x", "kind": "postgresql", "environmentId": their_envs[0], "options": pg_options("p") });
    assert_eq!(
        code(
            &t.gql(Some(&ours.admin), CREATE, json!({ "input": input }))
                .await
        ),
        "NOT_FOUND"
    );
    // Names are unique per workspace only.
    create_pg(&t, &ours, "Their DB").await;
    // Their data source is untouched.
    let theirs_now = data(
        t.gql(
            Some(&theirs.viewer),
            "query($id: ID!) { dataSource(id: $id) { name environments { revision } } }",
            json!({ "id": their_id }),
        )
        .await,
    );
    assert_eq!(
        theirs_now["dataSource"],
        json!({ "name": "Their DB", "environments": [{ "revision": 1 }, { "revision": 1 }, { "revision": 1 }] })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn community_reads_and_writes_production_only_and_keeps_the_rest() {
    // Configure Staging under a license, then run the same database as Community.
    let enterprise = TestApp::new().await;
    let ws = enterprise.workspace().await;
    let id = create_pg(&enterprise, &ws, "pg").await;
    let envs = environment_ids(&enterprise, &ws).await;
    let update = format!(
        "mutation($input: UpdateDataSourceOptionsInput!) {{ updateDataSourceOptions(input: $input) {{ {OPTIONS_FIELDS} }} }}"
    );
    data(enterprise.gql(Some(&ws.admin), &update, json!({ "input": { "dataSourceId": id, "environmentId": envs[1], "options": [{ "key": "host", "value": "staging.internal" }, { "key": "password", "value": "st" }] } })).await);
    let staging_before = stored_row(&enterprise, &envs[1]).await;

    let community = TestApp::on_same_db(&enterprise, envgate::edition::Licensing::community());
    let all = data(community.gql(Some(&ws.admin), &format!("query($id: ID!) {{ dataSource(id: $id) {{ environments {{ {OPTIONS_FIELDS} }} }} }}"), json!({ "id": id })).await);
    let names: Vec<_> = all["dataSource"]["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["environment"]["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Production")]);

    let copy = format!(
        "mutation($input: CopyDataSourceOptionsInput!) {{ copyDataSourceOptions(input: $input) {{ {OPTIONS_FIELDS} }} }}"
    );
    let refused = [
        community.gql(Some(&ws.admin), "query($id: ID!, $e: ID!) { dataSource(id: $id) { options(environmentId: $e) { id } } }", json!({ "id": id, "e": envs[1] })).await,
        community.gql(Some(&ws.admin), &update, json!({ "input": { "dataSourceId": id, "environmentId": envs[1], "options": [{ "key": "host", "value": "x" }] } })).await,
        community.gql(Some(&ws.admin), &copy, json!({ "input": { "dataSourceId": id, "fromEnvironmentId": envs[2], "toEnvironmentId": envs[1], "includeSecrets": true } })).await,
        community.gql(Some(&ws.admin), &copy, json!({ "input": { "dataSourceId": id, "fromEnvironmentId": envs[1], "toEnvironmentId": envs[2] } })).await,
        community.gql(Some(&ws.admin), CREATE, json!({ "input": { "name": "dev only", "kind": "postgresql", "environmentId": envs[0], "options": pg_options("p") } })).await,
        community.gql(Some(&ws.admin), "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok } }", json!({ "d": id, "e": envs[1] })).await,
    ];
    for response in refused {
        assert_eq!(code(&response), "LICENSE_REQUIRED", "{response}");
    }
    // Production still works in Community.
    let saved = community.gql(Some(&ws.admin), &update, json!({ "input": { "dataSourceId": id, "environmentId": envs[2], "options": [{ "key": "host", "value": "prod2" }, { "key": "password", "value": "p2" }] } })).await;
    assert_eq!(data(saved)["updateDataSourceOptions"]["revision"], 2);
    // A renewed license finds Staging exactly as it was.
    assert_eq!(stored_row(&community, &envs[1]).await, staging_before);
    let renewed = data(enterprise.gql(Some(&ws.admin), &format!("query($id: ID!, $e: ID!) {{ dataSource(id: $id) {{ options(environmentId: $e) {{ {OPTIONS_FIELDS} }} }} }}"), json!({ "id": id, "e": envs[1] })).await);
    let staging = &renewed["dataSource"]["options"];
    assert_eq!(staging["values"][0]["value"], "staging.internal");
    assert_eq!(staging["values"][4]["isSet"], true);
}

async fn stored_row(t: &TestApp, environment_id: &str) -> String {
    let client = t.db.client().await;
    let row = client
        .query_one(
            "SELECT \"values\"::text || secrets::text || revision::text FROM data_source_options WHERE environment_id = $1",
            &[&uuid::Uuid::parse_str(environment_id).unwrap()],
        )
        .await
        .unwrap();
    row.get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn data_sources_are_listed_by_name_a_page_at_a_time() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    for name in ["delta", "Alpha", "charlie", "bravo_1", "bravo%2"] {
        create_pg(&t, &ws, name).await;
    }
    let input = json!({ "name": "api", "kind": "restapi", "options": [{ "key": "url", "value": "https://api" }, { "key": "headers", "value": { "X-Key": "1" } }] });
    data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    );
    let page = |first: Value, after: Value, kind: Value, search: Value| {
        let t = &t;
        let token = ws.viewer.clone();
        async move {
            t.gql(
                Some(&token),
                "query($first: Int, $after: String, $kind: String, $search: String) { dataSources(first: $first, after: $after, kind: $kind, search: $search) { edges { cursor node { name } } nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
                json!({ "first": first, "after": after, "kind": kind, "search": search }),
            )
            .await
        }
    };
    let names = |response: &Value| -> Vec<String> {
        response["data"]["dataSources"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = page(json!(2), Value::Null, Value::Null, Value::Null).await;
    let info = &first["data"]["dataSources"]["pageInfo"];
    assert_eq!(info["hasNextPage"], true);
    assert_eq!(info["hasPreviousPage"], false);
    let mut seen = names(&first);
    let mut after = info["endCursor"].clone();
    assert_eq!(first["data"]["dataSources"]["edges"][1]["cursor"], after);
    // Six data sources, two a page: two more pages after the first, and no more.
    let mut last_page = false;
    for _ in 0..2 {
        let next = page(json!(2), after.clone(), Value::Null, Value::Null).await;
        seen.extend(names(&next));
        assert_eq!(
            next["data"]["dataSources"]["pageInfo"]["hasPreviousPage"],
            true
        );
        if next["data"]["dataSources"]["pageInfo"]["hasNextPage"] == false {
            last_page = true;
            break;
        }
        after = next["data"]["dataSources"]["pageInfo"]["endCursor"].clone();
    }
    assert!(last_page, "six data sources fill three pages: {seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "stable order by name");
    assert_eq!(seen.len(), 6);

    assert_eq!(
        names(&page(Value::Null, Value::Null, json!("restapi"), Value::Null).await),
        ["api"]
    );
    assert_eq!(
        names(&page(Value::Null, Value::Null, Value::Null, json!("ALPH")).await),
        ["Alpha"]
    );
    // LIKE wildcards in a search are plain characters.
    assert_eq!(
        names(&page(Value::Null, Value::Null, Value::Null, json!("%")).await),
        ["bravo%2"]
    );
    assert_eq!(
        names(&page(Value::Null, Value::Null, Value::Null, json!("o_")).await),
        ["bravo_1"]
    );
    assert_eq!(
        names(&page(json!(0), Value::Null, Value::Null, Value::Null).await),
        Vec::<String>::new()
    );
    let negative = page(json!(-1), Value::Null, Value::Null, Value::Null).await;
    assert_eq!(
        (
            code(&negative),
            negative["errors"][0]["extensions"]["field"].as_str()
        ),
        ("BAD_USER_INPUT", Some("first"))
    );
    let forged = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        json!(["\u{0}", uuid::Uuid::nil()]).to_string(),
    );
    let forged = page(json!(2), json!(forged), Value::Null, Value::Null).await;
    assert_eq!(forged["errors"][0]["extensions"]["field"], "after");
    let nul = page(Value::Null, Value::Null, Value::Null, json!("a\u{0}")).await;
    assert_eq!(nul["errors"][0]["extensions"]["field"], "search");
    let bad_cursor = page(json!(2), json!("not-a-cursor"), Value::Null, Value::Null).await;
    assert_eq!(bad_cursor["errors"][0]["extensions"]["field"], "after");
}

#[tokio::test(flavor = "multi_thread")]
async fn first_is_capped_at_100_and_a_full_page_costs_a_constant_number_of_queries() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    // Seed 120 data sources directly: the API path is tested elsewhere.
    let client = t.db.client().await;
    data(
        t.gql(Some(&ws.admin), "{ environments { id } }", json!({}))
            .await,
    );
    client
        .batch_execute(&format!(
            "INSERT INTO data_sources (id, workspace_id, name, kind) SELECT gen_random_uuid(), '{ws}', 'ds-' || lpad(i::text, 3, '0'), 'postgresql' FROM generate_series(1, 120) i;
             INSERT INTO data_source_options (workspace_id, data_source_id, environment_id, \"values\")
             SELECT d.workspace_id, d.id, e.id, '{{\"host\": \"h\", \"database\": \"d\", \"username\": \"u\", \"port\": 5432}}' FROM data_sources d JOIN environments e USING (workspace_id);",
            ws = ws.id
        ))
        .await
        .unwrap();
    let query = "query($first: Int) { dataSources(first: $first) { nodes { id name environments { id configured revision environment { name priority } values { key value isSet } } } } }";
    let count_for = |first: i64| {
        let t = &t;
        let token = ws.builder.clone();
        async move {
            let before = t.queries();
            let response = data(t.gql(Some(&token), query, json!({ "first": first })).await);
            (
                t.queries() - before,
                response["dataSources"]["nodes"].as_array().unwrap().len(),
            )
        }
    };
    let (small, small_len) = count_for(2).await;
    let (large, large_len) = count_for(1000).await;
    assert_eq!((small_len, large_len), (2, 100), "first is capped at 100");
    assert_eq!(small, large, "a page of 100 costs what a page of 2 costs");
    assert!(large <= 4, "list + options + environments: {large} queries");
}

#[tokio::test(flavor = "multi_thread")]
async fn community_creates_only_production_and_a_license_finds_the_rest_empty() {
    let community = TestApp::community().await;
    let ws = community.workspace().await;
    let id = create_pg(&community, &ws, "pg").await;
    assert_eq!(
        community.db.options_rows_of(&id).await,
        1,
        "only Production is written"
    );
    let enterprise = TestApp::on_same_db(&community, crate::common::enterprise());
    let all = data(enterprise.gql(Some(&ws.admin), &format!("query($id: ID!) {{ dataSource(id: $id) {{ environments {{ {OPTIONS_FIELDS} }} }} }}"), json!({ "id": id })).await);
    let summary: Vec<_> = all["dataSource"]["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["revision"].clone(), o["configured"].clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (json!(0), json!(false)),
            (json!(0), json!(false)),
            (json!(1), json!(true))
        ]
    );
}

/// The builder's read (the environments, and a page of data sources with one
/// environment's options) costs two statements: the page comes with its options rows
/// in one, whatever its size; a data source with no row in that environment reads as
/// empty without asking again.
#[tokio::test(flavor = "multi_thread")]
async fn the_builder_read_is_two_statements_with_the_options_joined_to_the_page() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let kept = create_pg(&t, &ws, "kept").await;
    let missing = create_pg(&t, &ws, "missing").await;
    let client = t.db.client().await;
    client
        .execute(
            "DELETE FROM data_source_options WHERE data_source_id = $1::text::uuid",
            &[&missing],
        )
        .await
        .unwrap();
    let query = "query($env: ID!) { environments { id name } dataSources(first: 50) { nodes { id name options(environmentId: $env) { revision values { key value } } } } }";
    let before = t.queries();
    let read = data(
        t.gql(Some(&ws.builder), query, json!({ "env": envs[2] }))
            .await,
    );
    assert_eq!(
        t.queries() - before,
        2,
        "environments, and the page with its options"
    );
    let nodes = read["dataSources"]["nodes"].as_array().unwrap();
    let options =
        |id: &str| nodes.iter().find(|n| n["id"] == json!(id)).unwrap()["options"].clone();
    assert_eq!(options(&kept)["revision"], json!(1));
    assert_eq!(
        options(&kept)["values"][0],
        json!({ "key": "host", "value": "db.internal" })
    );
    assert_eq!(options(&missing)["revision"], json!(0));
    assert_eq!(
        options(&missing)["values"][0],
        json!({ "key": "host", "value": null })
    );

    // Another workspace's environment joins no row, and is refused before any is read.
    let other = t.workspace().await;
    let theirs = environment_ids(&t, &other).await;
    let refused = t
        .gql(Some(&ws.builder), query, json!({ "env": theirs[2] }))
        .await;
    let nodes = refused["data"]["dataSources"]["nodes"].as_array().unwrap();
    assert!(
        nodes.iter().all(|n| n.get("options").is_none()),
        "{refused}"
    );
    assert_eq!(code(&refused), "NOT_FOUND");
}
