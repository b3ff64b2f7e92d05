use serde_json::{Value, json};

use crate::common::{HeldLock, TestApp, Workspace, code, data};

pub const CREATE: &str =
    "mutation($input: CreateDataSourceInput!) { createDataSource(input: $input) { id name kind } }";
pub const OPTIONS_FIELDS: &str = "id dataSourceId environment { id name } configured revision updatedAt updatedBy values { key value secret isSet }";

/// The ids of the workspace's environments, by priority.
pub async fn environment_ids(t: &TestApp, ws: &Workspace) -> Vec<String> {
    let envs = data(
        t.gql(Some(&ws.admin), "{ environments { id } }", json!({}))
            .await,
    );
    envs["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

pub fn pg_options(password: &str) -> Value {
    json!([
        { "key": "host", "value": "db.internal" },
        { "key": "database", "value": "app" },
        { "key": "username", "value": "app" },
        { "key": "password", "value": password },
    ])
}

/// Creates a PostgreSQL data source (Production options) and returns its id.
pub async fn create_pg(t: &TestApp, ws: &Workspace, name: &str) -> String {
    let input = json!({ "name": name, "kind": "postgresql", "options": pg_options("prod-secret") });
    let created = data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    );
    created["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn options(t: &TestApp, token: &str, id: &str, environment_id: &str) -> Value {
    let query = format!(
        "query($id: ID!, $env: ID!) {{ dataSource(id: $id) {{ options(environmentId: $env) {{ {OPTIONS_FIELDS} }} }} }}"
    );
    let response = t
        .gql(
            Some(token),
            &query,
            json!({ "id": id, "env": environment_id }),
        )
        .await;
    data(response)["dataSource"]["options"].clone()
}

pub fn value_of<'a>(options: &'a Value, key: &str) -> &'a Value {
    options["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["key"] == key)
        .unwrap_or_else(|| panic!("no {key}"))
}

pub async fn update(t: &TestApp, token: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: UpdateDataSourceOptionsInput!) {{ updateDataSourceOptions(input: $input) {{ {OPTIONS_FIELDS} }} }}"
    );
    t.gql(Some(token), &query, json!({ "input": input })).await
}

pub async fn delete(t: &TestApp, token: &str, id: &str) -> Value {
    let query = "mutation($id: ID!) { deleteDataSource(id: $id) }";
    t.gql(Some(token), query, json!({ "id": id })).await
}

pub async fn copy(t: &TestApp, token: &str, input: Value) -> Value {
    let query = format!(
        "mutation($input: CopyDataSourceOptionsInput!) {{ copyDataSourceOptions(input: $input) {{ {OPTIONS_FIELDS} }} }}"
    );
    t.gql(Some(token), &query, json!({ "input": input })).await
}

#[tokio::test(flavor = "multi_thread")]
async fn kinds_describe_their_fields_in_order() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let kinds = data(
        t.gql(
            Some(&ws.viewer),
            "{ dataSourceKinds { kind displayName fields { key label type required secret defaultValue allowedValues } } }",
            json!({}),
        )
        .await,
    );
    let kinds = kinds["dataSourceKinds"].as_array().unwrap();
    let names: Vec<_> = kinds.iter().map(|k| k["kind"].as_str().unwrap()).collect();
    assert_eq!(names, ["postgresql", "mysql", "restapi", "mongodb"]);
    let pg = &kinds[0];
    let keys: Vec<_> = pg["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "host", "port", "database", "username", "password", "ssl_mode", "ssl_ca"
        ]
    );
    assert_eq!(
        pg["fields"][5]["allowedValues"],
        json!(["disable", "prefer", "require", "verify-full"])
    );
    assert_eq!(
        pg["fields"][6]["secret"], false,
        "a CA certificate is public"
    );
    assert_eq!(
        pg["fields"][1],
        json!({ "key": "port", "label": "Port", "type": "INTEGER", "required": true, "secret": false, "defaultValue": 5432, "allowedValues": null })
    );
    assert_eq!(pg["fields"][4]["secret"], true);
    assert_eq!(kinds[1]["fields"][1]["defaultValue"], 3306);
    assert_eq!(kinds[2]["fields"][1]["type"], "STRING_MAP");
    assert_eq!(
        kinds[3]["fields"][0],
        json!({ "key": "connection_string", "label": "Connection string", "type": "STRING", "required": true, "secret": true, "defaultValue": null, "allowedValues": null })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_writes_production_and_copies_only_non_secrets_elsewhere() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let id = create_pg(&t, &ws, "Orders DB").await;
    let all = data(
        t.gql(
            Some(&ws.builder),
            &format!("query($id: ID!) {{ dataSource(id: $id) {{ id name kind createdAt updatedAt environments {{ {OPTIONS_FIELDS} }} }} }}"),
            json!({ "id": id }),
        )
        .await,
    )["dataSource"]
        .clone();
    assert_eq!(all["name"], "Orders DB");
    let per_env = all["environments"].as_array().unwrap();
    assert_eq!(per_env.len(), 3);
    let names: Vec<_> = per_env
        .iter()
        .map(|o| o["environment"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Development", "Staging", "Production"]);
    let production = &per_env[2];
    assert_eq!(production["configured"], true);
    assert_eq!(production["revision"], 1);
    assert_eq!(production["updatedBy"], "alice");
    assert_eq!(
        value_of(production, "password"),
        &json!({ "key": "password", "value": null, "secret": true, "isSet": true })
    );
    assert_eq!(
        value_of(production, "port")["value"],
        5432,
        "defaults apply"
    );
    assert_eq!(value_of(production, "ssl_mode")["value"], "prefer");
    for other in &per_env[..2] {
        assert_eq!(value_of(other, "host")["value"], "db.internal");
        assert_eq!(value_of(other, "password")["isSet"], false);
        // No required secret in postgresql, so these are configured with the copied values.
        assert_eq!(other["configured"], true);
    }
    // Ids are stable per (data source, environment) and distinct.
    let ids: std::collections::HashSet<_> =
        per_env.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(
        options(&t, &ws.viewer, &id, &envs[2]).await["id"],
        production["id"]
    );

    // Created in Development: that environment gets the secret.
    let input = json!({ "name": "Mongo", "kind": "mongodb", "environmentId": envs[0],
        "options": [{ "key": "connection_string", "value": "mongodb://u:p@h/db" }, { "key": "database", "value": "db" }] });
    let mongo = data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    )["createDataSource"]["id"]
        .clone();
    let mongo = mongo.as_str().unwrap();
    let dev = options(&t, &ws.admin, mongo, &envs[0]).await;
    assert_eq!(
        (
            dev["configured"].clone(),
            value_of(&dev, "connection_string")["isSet"].clone()
        ),
        (json!(true), json!(true))
    );
    let prod = options(&t, &ws.admin, mongo, &envs[2]).await;
    assert_eq!(
        prod["configured"], false,
        "a required secret must be given per environment"
    );
    assert_eq!(value_of(&prod, "database")["value"], "db");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stored_row_holds_no_plaintext_secret() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "pg").await;
    let envs = environment_ids(&t, &ws).await;
    let saved = data(update(&t, &ws.admin, json!({ "dataSourceId": id, "environmentId": envs[1], "options": [{ "key": "password", "value": "staging-pass-42" }] })).await)
        ["updateDataSourceOptions"]
        .clone();
    assert_eq!(
        (
            saved["revision"].clone(),
            value_of(&saved, "password")["isSet"].clone()
        ),
        (json!(2), json!(true)),
        "the staging password was saved: {saved}"
    );
    let client = t.db.client().await;
    let rows = client
        .query(
            "SELECT \"values\"::text, secrets::text FROM data_source_options",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    let everything: String = rows
        .iter()
        .map(|r| format!("{} {}", r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect();
    assert!(
        !everything.contains("prod-secret") && !everything.contains("staging-pass-42"),
        "{everything}"
    );
    assert!(
        everything.contains(&format!("v1.{}.", t.app.master_keys.current().id())),
        "sealed with a key id: {everything}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ciphertext_copied_to_another_row_does_not_decrypt() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "pg").await;
    let envs = environment_ids(&t, &ws).await;
    // Copy Production's sealed password into Staging's row behind the API's back.
    let client = t.db.client().await;
    let (prod, staging) = (
        uuid::Uuid::parse_str(&envs[2]).unwrap(),
        uuid::Uuid::parse_str(&envs[1]).unwrap(),
    );
    client
        .execute(
            "UPDATE data_source_options SET secrets = (SELECT secrets FROM data_source_options WHERE environment_id = $1) WHERE environment_id = $2",
            &[&prod, &staging],
        )
        .await
        .unwrap();
    let query = "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok message } }";
    let response = t
        .gql(Some(&ws.admin), query, json!({ "d": id, "e": envs[1] }))
        .await;
    assert_eq!(code(&response), "INTERNAL_SERVER_ERROR");
    assert!(!response.to_string().contains("prod-secret"));
    assert!(
        !response.to_string().contains("does not open"),
        "no internal detail: {response}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn update_is_a_patch_of_one_environment() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "pg").await;
    let envs = environment_ids(&t, &ws).await;
    let before_prod = options(&t, &ws.admin, &id, &envs[2]).await;
    let updated = data(
        update(&t, &ws.admin, json!({ "dataSourceId": id, "environmentId": envs[1], "expectedRevision": 1,
            "options": [{ "key": "host", "value": "staging.internal" }, { "key": "password", "value": "s" }, { "key": "port", "value": 6543 }] }))
        .await,
    )["updateDataSourceOptions"]
        .clone();
    assert_eq!(updated["revision"], 2);
    assert_eq!(updated["environment"]["name"], "Staging");
    assert_eq!(updated["updatedBy"], "alice");
    assert_eq!(value_of(&updated, "host")["value"], "staging.internal");
    assert_eq!(
        value_of(&updated, "database")["value"],
        "app",
        "left out keeps its value"
    );
    assert_eq!(value_of(&updated, "port")["value"], 6543);
    assert_eq!(value_of(&updated, "password")["isSet"], true);
    assert_eq!(
        options(&t, &ws.admin, &id, &envs[2]).await,
        before_prod,
        "Production untouched"
    );

    // null clears: a secret, and a required field (which leaves the environment not configured).
    let cleared = data(
        update(
            &t,
            &ws.admin,
            json!({ "dataSourceId": id, "environmentId": envs[1],
            "options": [{ "key": "password", "value": null }, { "key": "host" }] }),
        )
        .await,
    )["updateDataSourceOptions"]
        .clone();
    assert_eq!(value_of(&cleared, "password")["isSet"], false);
    assert_eq!(
        value_of(&cleared, "host"),
        &json!({ "key": "host", "value": null, "secret": false, "isSet": false })
    );
    assert_eq!(cleared["configured"], false);
    assert_eq!(cleared["revision"], 3);
    // A not-configured environment can't be tested: a typed error naming what is missing.
    let query = "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok } }";
    let response = t
        .gql(Some(&ws.admin), query, json!({ "d": id, "e": envs[1] }))
        .await;
    assert_eq!(code(&response), "ENVIRONMENT_NOT_CONFIGURED");
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("host")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_revision_is_a_conflict_and_two_racing_saves_give_one_winner() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "pg").await;
    let envs = environment_ids(&t, &ws).await;
    let stale = update(&t, &ws.admin, json!({ "dataSourceId": id, "environmentId": envs[2], "expectedRevision": 7, "options": [] })).await;
    assert_eq!(code(&stale), "REVISION_CONFLICT");
    assert_eq!(stale["errors"][0]["extensions"]["currentRevision"], 1);

    // Two saves of revision 1, forced to overlap: a session of our own holds the data
    // source's row, both saves queue up behind it, then it lets go.
    let held = hold_data_source(&t, &id).await;
    let save = |host: &'static str| {
        update(
            &t,
            &ws.admin,
            json!({ "dataSourceId": id, "environmentId": envs[2], "expectedRevision": 1,
            "options": [{ "key": "host", "value": host }, { "key": "password", "value": "pw" }] }),
        )
    };
    let ((a, b), queued) = tokio::join!(async { tokio::join!(save("a"), save("b")) }, async {
        let queued = t.db.lock_waiters(2).await;
        held.commit().await;
        queued
    });
    assert_eq!(queued, 2, "both saves waited on the held row");
    let outcomes: Vec<_> = [&a, &b]
        .iter()
        .map(|r| r.get("errors").map(|_| code(r).to_owned()))
        .collect();
    assert!(outcomes.contains(&None), "one save wins: {a} {b}");
    assert!(
        outcomes.contains(&Some("REVISION_CONFLICT".into())),
        "the other conflicts: {a} {b}"
    );
    let (winner, loser) = if a.get("errors").is_none() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    let won = &winner["data"]["updateDataSourceOptions"];
    assert_eq!(won["revision"], 2);
    assert_eq!(loser["errors"][0]["extensions"]["currentRevision"], 2);
    // What is stored: one save, the winner's, and nothing of the loser's.
    let stored = t
        .db
        .client()
        .await
        .query_one(
            "SELECT revision, \"values\"->>'host' FROM data_source_options WHERE data_source_id = $1 AND environment_id = $2",
            &[&uuid(&id), &uuid(&envs[2])],
        )
        .await
        .unwrap();
    assert_eq!(
        (stored.get::<_, i32>(0), stored.get::<_, String>(1)),
        (
            2,
            value_of(won, "host")["value"].as_str().unwrap().to_owned()
        )
    );
}

fn uuid(id: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(id).unwrap()
}

/// Holds a data source's row lock from a session of our own, as a concurrent writer would.
async fn hold_data_source(t: &TestApp, id: &str) -> HeldLock {
    t.db.hold(
        "SELECT 1 FROM data_sources WHERE id = $1 FOR UPDATE",
        &[&uuid(id)],
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_names_the_field_and_writes_nothing() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "Taken").await;
    let envs = environment_ids(&t, &ws).await;
    let client = t.db.client().await;
    let snapshot = || async {
        let rows = client
            .query("SELECT d.name, o.revision, o.\"values\"::text, o.secrets::text FROM data_sources d JOIN data_source_options o ON o.data_source_id = d.id ORDER BY d.name, o.environment_id", &[])
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}",
                    r.get::<_, String>(0),
                    r.get::<_, i32>(1),
                    r.get::<_, String>(2),
                    r.get::<_, String>(3)
                )
            })
            .collect::<Vec<_>>()
    };
    let before = snapshot().await;
    let long = "x".repeat(256);
    let creates = [
        (
            json!({ "name": "", "kind": "postgresql", "options": pg_options("p") }),
            "name",
        ),
        (
            json!({ "name": "   ", "kind": "postgresql", "options": pg_options("p") }),
            "name",
        ),
        (
            json!({ "name": long, "kind": "postgresql", "options": pg_options("p") }),
            "name",
        ),
        (
            json!({ "name": "Taken", "kind": "postgresql", "options": pg_options("p") }),
            "name",
        ),
        (
            json!({ "name": "TAKEN", "kind": "postgresql", "options": pg_options("p") }),
            "name",
        ),
        (
            json!({ "name": "a\u{0}b", "kind": "postgresql", "options": pg_options("p") }),
            "name",
        ),
        (
            json!({ "name": "n", "kind": "postgresql", "options": [{ "key": "host", "value": "h\u{0}" }] }),
            "host",
        ),
        (
            json!({ "name": "n", "kind": "restapi", "options": [{ "key": "url", "value": "https://u" }, { "key": "headers", "value": { "a\u{0}": "b" } }] }),
            "headers",
        ),
        (
            json!({ "name": "n", "kind": "oracle", "options": [] }),
            "kind",
        ),
        (
            json!({ "name": "n", "kind": "postgresql", "options": [{ "key": "hostname", "value": "x" }] }),
            "hostname",
        ),
        (
            json!({ "name": "n", "kind": "postgresql", "options": [{ "key": "host", "value": "h" }, { "key": "database", "value": "d" }] }),
            "username",
        ),
        (
            json!({ "name": "n", "kind": "postgresql", "options": [{ "key": "host", "value": 5 }] }),
            "host",
        ),
        (
            json!({ "name": "n", "kind": "postgresql", "options": [{ "key": "port", "value": "5432" }] }),
            "port",
        ),
        (
            json!({ "name": "n", "kind": "restapi", "options": [{ "key": "url", "value": "https://u" }, { "key": "headers", "value": ["a"] }] }),
            "headers",
        ),
        (
            json!({ "name": "n", "kind": "mongodb", "options": [{ "key": "database", "value": "d" }] }),
            "connection_string",
        ),
    ];
    for (input, field) in creates {
        let response = t
            .gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await;
        assert_eq!(code(&response), "BAD_USER_INPUT", "{input}");
        assert_eq!(
            response["errors"][0]["extensions"]["field"], field,
            "{input}"
        );
        assert!(
            response["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(field),
            "{response}"
        );
    }
    let updates = [
        (json!([{ "key": "nope", "value": 1 }]), "nope"),
        (json!([{ "key": "port", "value": 0 }]), "port"),
        (
            json!([{ "key": "ssl_mode", "value": "sometimes" }]),
            "ssl_mode",
        ),
        (
            json!([{ "key": "host", "value": "ok" }, { "key": "host", "value": "twice" }]),
            "host",
        ),
        (
            json!([{ "key": "host", "value": "ok" }, { "key": "port", "value": 1.5 }]),
            "port",
        ),
    ];
    for (options, field) in updates {
        let response = update(
            &t,
            &ws.admin,
            json!({ "dataSourceId": id, "environmentId": envs[2], "options": options }),
        )
        .await;
        assert_eq!(code(&response), "BAD_USER_INPUT", "{options}");
        assert_eq!(response["errors"][0]["extensions"]["field"], field);
    }
    let rename = t
        .gql(
            Some(&ws.admin),
            "mutation($id: ID!) { renameDataSource(id: $id, name: \"\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(response_field(&rename), "name");
    assert_eq!(snapshot().await, before, "nothing was written");
}

fn response_field(response: &Value) -> &str {
    assert_eq!(code(response), "BAD_USER_INPUT");
    response["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_replaces_values_and_secrets_only_when_asked() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "pg").await;
    let envs = environment_ids(&t, &ws).await;
    update(&t, &ws.admin, json!({ "dataSourceId": id, "environmentId": envs[0],
        "options": [{ "key": "username", "value": "dev-user" }, { "key": "password", "value": "dev-pass" }] })).await;

    let copied = data(copy(&t, &ws.admin, json!({ "dataSourceId": id, "fromEnvironmentId": envs[2], "toEnvironmentId": envs[0], "expectedRevision": 2 })).await)
        ["copyDataSourceOptions"]
        .clone();
    assert_eq!(copied["environment"]["name"], "Development");
    assert_eq!(copied["revision"], 3);
    assert_eq!(value_of(&copied, "host")["value"], "db.internal");
    assert_eq!(
        value_of(&copied, "password")["isSet"],
        true,
        "kept its own secret"
    );

    let stale = copy(&t, &ws.admin, json!({ "dataSourceId": id, "fromEnvironmentId": envs[2], "toEnvironmentId": envs[0], "expectedRevision": 2 })).await;
    assert_eq!(code(&stale), "REVISION_CONFLICT");

    // With secrets: Staging (no password) gets Production's, re-sealed for its own row.
    let with = data(copy(&t, &ws.admin, json!({ "dataSourceId": id, "fromEnvironmentId": envs[2], "toEnvironmentId": envs[1], "includeSecrets": true })).await)
        ["copyDataSourceOptions"]
        .clone();
    assert_eq!(value_of(&with, "password")["isSet"], true);
    let client = t.db.client().await;
    let sealed: Vec<String> = client
        .query(
            "SELECT secrets->>'password' FROM data_source_options WHERE environment_id = ANY($1)",
            &[&vec![
                uuid::Uuid::parse_str(&envs[1]).unwrap(),
                uuid::Uuid::parse_str(&envs[2]).unwrap(),
            ]],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(sealed.len(), 2);
    assert_ne!(sealed[0], sealed[1], "re-encrypted for the target row");
    // And copying Development (password set) over Staging with secrets replaces them; an
    // unset secret in the source clears it in the target.
    update(&t, &ws.admin, json!({ "dataSourceId": id, "environmentId": envs[0], "options": [{ "key": "password", "value": null }] })).await;
    let cleared = data(copy(&t, &ws.admin, json!({ "dataSourceId": id, "fromEnvironmentId": envs[0], "toEnvironmentId": envs[1], "includeSecrets": true })).await)
        ["copyDataSourceOptions"]
        .clone();
    assert_eq!(value_of(&cleared, "password")["isSet"], false);

    let same = copy(
        &t,
        &ws.admin,
        json!({ "dataSourceId": id, "fromEnvironmentId": envs[1], "toEnvironmentId": envs[1] }),
    )
    .await;
    assert_eq!(response_field(&same), "toEnvironmentId");
}

#[tokio::test(flavor = "multi_thread")]
async fn rename_and_delete() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "old").await;
    create_pg(&t, &ws, "other").await;
    let renamed = t
        .gql(
            Some(&ws.admin),
            "mutation($id: ID!) { renameDataSource(id: $id, name: \"  new  \") { id name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data(renamed)["renameDataSource"],
        json!({ "id": id, "name": "new" })
    );
    let clash = t
        .gql(
            Some(&ws.admin),
            "mutation($id: ID!) { renameDataSource(id: $id, name: \"other\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(response_field(&clash), "name");
    let deleted = delete(&t, &ws.admin, &id).await;
    assert_eq!(data(deleted)["deleteDataSource"], json!(id));
    let gone = t
        .gql(
            Some(&ws.admin),
            "query($id: ID!) { dataSource(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&gone), "NOT_FOUND");
    let again = delete(&t, &ws.admin, &id).await;
    assert_eq!(code(&again), "NOT_FOUND");
    assert_eq!(
        t.db.options_rows_of(&id).await,
        0,
        "every environment's options are deleted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_change_data_sources_and_everyone_reads_them_masked() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "pg").await;
    let envs = environment_ids(&t, &ws).await;
    let test = "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok } }";
    for token in [&ws.builder, &ws.viewer, &ws.runner] {
        let attempts = [
            t.gql(Some(token), CREATE, json!({ "input": { "name": "x", "kind": "postgresql", "options": pg_options("p") } })).await,
            t.gql(Some(token), "mutation($id: ID!) { renameDataSource(id: $id, name: \"x\") { id } }", json!({ "id": id })).await,
            delete(&t, token, &id).await,
            update(&t, token, json!({ "dataSourceId": id, "environmentId": envs[2], "options": [] })).await,
            copy(&t, token, json!({ "dataSourceId": id, "fromEnvironmentId": envs[2], "toEnvironmentId": envs[1] })).await,
            t.gql(Some(token), test, json!({ "d": id, "e": envs[2] })).await,
        ];
        for attempt in attempts {
            assert_eq!(code(&attempt), "FORBIDDEN", "{attempt}");
            assert!(
                attempt["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("admin")
            );
        }
        let read = options(&t, token, &id, &envs[2]).await;
        assert_eq!(value_of(&read, "host")["value"], "db.internal");
        assert_eq!(value_of(&read, "password")["value"], Value::Null);
        assert!(!read.to_string().contains("prod-secret"));
    }
    let count = t.db.count("SELECT count(*) FROM data_sources", &[]).await;
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_environment_added_later_starts_empty_and_can_be_configured() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "pg").await;
    // A custom environment between Staging and Production, as a later feature will add.
    let client = t.db.client().await;
    client
        .batch_execute(&format!(
            "UPDATE environments SET priority = priority * 10 WHERE workspace_id = '{ws}';
             INSERT INTO environments (id, workspace_id, name, kind, priority) VALUES (gen_random_uuid(), '{ws}', 'QA', 'custom', 25);",
            ws = ws.id
        ))
        .await
        .unwrap();
    let all = data(
        t.gql(
            Some(&ws.viewer),
            &format!("query($id: ID!) {{ dataSource(id: $id) {{ environments {{ {OPTIONS_FIELDS} }} }} }}"),
            json!({ "id": id }),
        )
        .await,
    );
    let per_env = all["dataSource"]["environments"]
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<_> = per_env
        .iter()
        .map(|o| o["environment"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Development", "Staging", "QA", "Production"]);
    let qa = &per_env[2];
    assert_eq!(
        (
            qa["revision"].clone(),
            qa["configured"].clone(),
            qa["updatedAt"].clone()
        ),
        (json!(0), json!(false), Value::Null)
    );
    let qa_env = qa["environment"]["id"].as_str().unwrap();
    let saved = data(
        update(&t, &ws.admin, json!({ "dataSourceId": id, "environmentId": qa_env, "expectedRevision": 0,
            "options": [{ "key": "host", "value": "qa" }, { "key": "database", "value": "d" }, { "key": "username", "value": "u" }, { "key": "port", "value": 5432 }] }))
        .await,
    )["updateDataSourceOptions"]
        .clone();
    assert_eq!(
        (saved["revision"].clone(), saved["configured"].clone()),
        (json!(1), json!(true))
    );
    assert_eq!(
        saved["id"], qa["id"],
        "the id of a (data source, environment) pair is stable"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn saving_while_deleting_never_fails_internally() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    for delete_first in [true, false] {
        let id = create_pg(&t, &ws, &format!("pg-{delete_first}")).await;
        let save = update(
            &t,
            &ws.admin,
            json!({ "dataSourceId": id, "environmentId": envs[1],
            "options": [{ "key": "host", "value": "h" }] }),
        );
        let delete = delete(&t, &ws.admin, &id);
        // Forced to overlap, in a known order: both queue up behind a row lock held by a
        // session of our own, the first in line before the second starts.
        let held = hold_data_source(&t, &id).await;
        let (saved, deleted, queued) = if delete_first {
            let (deleted, saved, queued) = in_line(&t, held, delete, save).await;
            (saved, deleted, queued)
        } else {
            in_line(&t, held, save, delete).await
        };
        assert_eq!(queued, (1, 2), "both waited on the held row, in line");
        assert_eq!(data(deleted)["deleteDataSource"], json!(id));
        if delete_first {
            // The save finds the data source gone: NOT_FOUND, never an internal error.
            assert_eq!(code(&saved), "NOT_FOUND", "{saved}");
        } else {
            assert_eq!(
                data(saved)["updateDataSourceOptions"]["revision"],
                2,
                "the save went first"
            );
        }
        // Nothing is left of the data source: no options row re-created by the save.
        let left =
            t.db.count(
                "SELECT count(*) FROM data_sources WHERE id = $1",
                &[&uuid(&id)],
            )
            .await;
        assert_eq!((left, t.db.options_rows_of(&id).await), (0, 0));
    }
}

/// Runs `first` and `second` behind `held`: `first` queues up on the lock before
/// `second` starts, and the lock is let go once both wait. Returns both outcomes and
/// how many waited after each started.
async fn in_line<A: std::future::Future, B: std::future::Future>(
    t: &TestApp,
    held: HeldLock,
    first: A,
    second: B,
) -> (A::Output, B::Output, (i64, i64)) {
    let (a, (b, queued)) = tokio::join!(first, async {
        let after_first = t.db.lock_waiters(1).await;
        let (b, after_second) = tokio::join!(second, async {
            let after_second = t.db.lock_waiters(2).await;
            held.commit().await;
            after_second
        });
        (b, (after_first, after_second))
    });
    (a, b, queued)
}

#[tokio::test(flavor = "multi_thread")]
async fn later_mutations_of_a_request_read_what_earlier_ones_wrote() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = create_pg(&t, &ws, "pg").await;
    let envs = environment_ids(&t, &ws).await;
    let query = "mutation($id: ID!, $env: ID!) {
        a: renameDataSource(id: $id, name: \"a\") { environments { revision } }
        b: updateDataSourceOptions(input: { dataSourceId: $id, environmentId: $env, options: [{ key: \"host\", value: \"new\" }, { key: \"password\", value: \"pw\" }] }) { revision }
        c: renameDataSource(id: $id, name: \"c\") { environments { revision values { key value } } }
    }";
    let result = data(
        t.gql(Some(&ws.admin), query, json!({ "id": id, "env": envs[2] }))
            .await,
    );
    assert_eq!(result["a"]["environments"][2]["revision"], 1);
    assert_eq!(result["b"]["revision"], 2);
    assert_eq!(result["c"]["environments"][2]["revision"], 2);
    assert_eq!(
        result["c"]["environments"][2]["values"][0],
        json!({ "key": "host", "value": "new" })
    );
}
