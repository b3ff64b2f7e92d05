//! Workspace constants: values per environment, references from options resolved per
//! environment, `configured`, the save-time and delete refusals, roles, Community and
//! tenancy, and no secret value anywhere.

use serde_json::{Value, json};

use crate::apps::{SELECT, create_app};
use crate::common::{TestApp, Workspace, code, data, token};
use crate::data_sources::{CREATE, OPTIONS_FIELDS, environment_ids};
use envgate::auth::Role;

const CREATE_CONSTANT: &str = "mutation($name: String!, $type: ConstantType!, $values: [ConstantValueInput!]!) {
    createConstant(name: $name, type: $type, values: $values) { id name type values { environment { name } value isSet } } }";
const SET_VALUES: &str = "mutation($id: ID!, $values: [ConstantValueInput!]!) { setConstantValues(id: $id, values: $values) { id values { environment { name } value isSet } } }";
const DELETE_CONSTANT: &str = "mutation($id: ID!) { deleteConstant(id: $id) }";
const UPDATE: &str = "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { configured revision values { key value isSet } } }";
const RESOLVE: &str = "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { environment { name } options } }";

const SECRETS: [&str; 3] = ["dev-pw-1f9a", "staging-pw-7c2e", "prod-pw-93bd"];

async fn create_constant(
    t: &TestApp,
    ws: &Workspace,
    name: &str,
    kind: &str,
    values: Value,
) -> Value {
    data(
        t.gql(
            Some(&ws.admin),
            CREATE_CONSTANT,
            json!({ "name": name, "type": kind, "values": values }),
        )
        .await,
    )["createConstant"]
        .clone()
}

/// DB_HOST (GLOBAL) and DB_PASSWORD (SECRET) with a value in each environment; a data
/// source referencing both, created in Production and given its references in the
/// other environments too.
async fn setup(t: &TestApp, ws: &Workspace, envs: &[String]) -> (String, Value, Value) {
    let hosts = ["dev.db", "staging.db", "127.0.0.1"];
    let host = create_constant(
        t,
        ws,
        "DB_HOST",
        "GLOBAL",
        json!(
            (0..3)
                .map(|i| json!({ "environmentId": envs[i], "value": hosts[i] }))
                .collect::<Vec<_>>()
        ),
    )
    .await;
    let password = create_constant(
        t,
        ws,
        "DB_PASSWORD",
        "SECRET",
        json!(
            (0..3)
                .map(|i| json!({ "environmentId": envs[i], "value": SECRETS[i] }))
                .collect::<Vec<_>>()
        ),
    )
    .await;
    let url: tokio_postgres::Config = t.db.url.parse().unwrap();
    let options = json!([
        { "key": "host", "value": "{{constants.DB_HOST}}" },
        { "key": "port", "value": url.get_ports().first().copied().unwrap_or(5432) },
        { "key": "database", "value": url.get_dbname().unwrap() },
        { "key": "username", "value": url.get_user().unwrap() },
        { "key": "password", "value": "{{ secrets.DB_PASSWORD }}" },
        { "key": "ssl_mode", "value": "disable" },
    ]);
    let created = data(
        t.gql(
            Some(&ws.admin),
            CREATE,
            json!({ "input": { "name": "Orders", "kind": "postgresql", "options": options } }),
        )
        .await,
    );
    let ds = created["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for env in &envs[..2] {
        let input = json!({ "dataSourceId": ds, "environmentId": env, "options": [{ "key": "password", "value": "{{secrets.DB_PASSWORD}}" }] });
        let saved = data(
            t.gql(Some(&ws.admin), UPDATE, json!({ "input": input }))
                .await,
        );
        assert_eq!(saved["updateDataSourceOptions"]["configured"], true);
    }
    (ds, host, password)
}

#[tokio::test(flavor = "multi_thread")]
async fn references_resolve_to_each_environments_values_and_never_leak() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let (ds, host, password) = setup(&t, &ws, &envs).await;
    assert_eq!(host["type"], "GLOBAL");
    assert_eq!(
        host["values"],
        json!([{ "environment": { "name": "Development" }, "value": "dev.db", "isSet": true },
               { "environment": { "name": "Staging" }, "value": "staging.db", "isSet": true },
               { "environment": { "name": "Production" }, "value": "127.0.0.1", "isSet": true }])
    );
    assert!(
        password["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["value"].is_null() && v["isSet"] == true)
    );

    // Reads show the reference text, never the value.
    let shown = data(
        t.gql(
            Some(&ws.builder),
            &format!("query($id: ID!) {{ dataSource(id: $id) {{ environments {{ {OPTIONS_FIELDS} }} }} }}"),
            json!({ "id": ds }),
        )
        .await,
    );
    for environment in shown["dataSource"]["environments"].as_array().unwrap() {
        assert_eq!(environment["values"][0]["value"], "{{constants.DB_HOST}}");
        assert_eq!(environment["configured"], true);
    }

    // RELEASED and BUILDER each get their environment's values, substituted.
    let app = create_app(&t, &ws.builder, "Shop").await;
    data(
        t.gql(
            Some(&ws.builder),
            SELECT,
            json!({ "app": app, "env": envs[1] }),
        )
        .await,
    );
    let resolve = |target: &str| {
        let input = json!({ "dataSourceId": ds, "appId": app, "target": target, "userId": "bob" });
        let t = &t;
        let runner = ws.runner.clone();
        async move {
            t.gql(Some(&runner), RESOLVE, json!({ "input": input }))
                .await
        }
    };
    let released = data(resolve("RELEASED").await)["resolveDataSource"].clone();
    assert_eq!(released["environment"]["name"], "Production");
    assert_eq!(released["options"]["host"], "127.0.0.1");
    assert_eq!(released["options"]["password"], SECRETS[2]);
    let builder = data(resolve("BUILDER").await)["resolveDataSource"].clone();
    assert_eq!(builder["environment"]["name"], "Staging");
    assert_eq!(builder["options"]["host"], "staging.db");
    assert_eq!(builder["options"]["password"], SECRETS[1]);

    // A real connection test through the substituted values (Production: this database).
    let tested = data(
        t.gql(
            Some(&ws.admin),
            "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok message } }",
            json!({ "d": ds, "e": envs[2] }),
        )
        .await,
    );
    assert_eq!(tested["testDataSourceConnection"]["ok"], true, "{tested}");
    assert!(
        tested["testDataSourceConnection"]["message"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1")
    );

    // A SECRET constant in a field a message shows (the user name) never shows.
    let input = json!({ "dataSourceId": ds, "environmentId": envs[2], "options": [{ "key": "username", "value": "{{secrets.DB_PASSWORD}}" }] });
    data(
        t.gql(Some(&ws.admin), UPDATE, json!({ "input": input }))
            .await,
    );
    let tested = data(
        t.gql(
            Some(&ws.admin),
            "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok message } }",
            json!({ "d": ds, "e": envs[2] }),
        )
        .await,
    );
    let message = tested["testDataSourceConnection"]["message"]
        .as_str()
        .unwrap();
    assert!(
        !message.contains(SECRETS[2]) && message.contains("[redacted]"),
        "{message}"
    );
    // A malformed reference in a secret field is refused without quoting the value.
    let input = json!({ "dataSourceId": ds, "environmentId": envs[2], "options": [{ "key": "password", "value": "hunter2-{{secrets.OPEN" }] });
    let refused = t
        .gql(Some(&ws.admin), UPDATE, json!({ "input": input }))
        .await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    assert!(!refused.to_string().contains("hunter2"), "{refused}");

    // Cleared in Staging: not configured there, and resolution names the constant.
    let id = password["id"].clone();
    let cleared = data(
        t.gql(
            Some(&ws.admin),
            SET_VALUES,
            json!({ "id": id, "values": [{ "environmentId": envs[1], "value": null }] }),
        )
        .await,
    );
    assert_eq!(cleared["setConstantValues"]["values"][1]["isSet"], false);
    assert_eq!(
        cleared["setConstantValues"]["values"][2]["isSet"], true,
        "other environments keep theirs"
    );
    let staging = data(
        t.gql(
            Some(&ws.viewer),
            "query($id: ID!, $e: ID!) { dataSource(id: $id) { options(environmentId: $e) { configured } } }",
            json!({ "id": ds, "e": envs[1] }),
        )
        .await,
    );
    assert_eq!(staging["dataSource"]["options"]["configured"], false);
    let refused = resolve("BUILDER").await;
    assert_eq!(code(&refused), "ENVIRONMENT_NOT_CONFIGURED");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("secrets.DB_PASSWORD") && message.contains("Staging"),
        "{message}"
    );

    // No secret value anywhere: responses above, the tables, the audit log.
    for response in [
        &shown,
        &cleared,
        &staging,
        &refused,
        &json!(host),
        &json!(password),
    ] {
        let text = response.to_string();
        assert!(SECRETS.iter().all(|s| !text.contains(s)), "{text}");
    }
    let client = t.db.client().await;
    for table in [
        "constant_values",
        "data_source_options",
        "audit_events",
        "constants",
    ] {
        let rows = client
            .query(&format!("SELECT t::text FROM {table} t"), &[])
            .await
            .unwrap();
        for row in rows {
            let text: String = row.get(0);
            assert!(SECRETS.iter().all(|s| !text.contains(s)), "{table}: {text}");
        }
    }
    let audited = t
        .db
        .count(
            "SELECT count(*) FROM audit_events WHERE action IN ('CONSTANT_CREATED', 'CONSTANT_UPDATED')",
            &[],
        )
        .await;
    assert_eq!(audited, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_references_are_refused_at_save_and_referenced_constants_are_not_deleted() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let (ds, host, password) = setup(&t, &ws, &envs).await;
    let attempts = [
        ("{{constants.NOPE}}", "host", "NOPE"),
        ("https://{{constants.DB_PASSWORD}}", "host", "SECRET"),
        ("{{secrets.DB_HOST}}", "host", "GLOBAL"),
        ("{{constants.1BAD}}", "host", "does not name a constant"),
    ];
    for (value, field, says) in attempts {
        let input = json!({ "dataSourceId": ds, "environmentId": envs[2], "options": [{ "key": field, "value": value }] });
        let response = t
            .gql(Some(&ws.admin), UPDATE, json!({ "input": input }))
            .await;
        assert_eq!(code(&response), "BAD_USER_INPUT", "{value}");
        assert_eq!(response["errors"][0]["extensions"]["field"], field);
        let message = response["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{value}: {message}");
    }
    // Nothing was saved by the refusals.
    let revision = data(
        t.gql(
            Some(&ws.admin),
            "query($id: ID!, $e: ID!) { dataSource(id: $id) { options(environmentId: $e) { revision } } }",
            json!({ "id": ds, "e": envs[2] }),
        )
        .await,
    )["dataSource"]["options"]["revision"]
        .clone();
    assert_eq!(revision, 1);

    let refused = t
        .gql(
            Some(&ws.admin),
            DELETE_CONSTANT,
            json!({ "id": host["id"] }),
        )
        .await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"Orders\"")
    );
    // With the references gone from every environment, it goes.
    for env in &envs {
        let input = json!({ "dataSourceId": ds, "environmentId": env, "options": [{ "key": "host", "value": "plain.db" }, { "key": "password", "value": "{{ secrets.DB_PASSWORD }}" }] });
        data(
            t.gql(Some(&ws.admin), UPDATE, json!({ "input": input }))
                .await,
        );
    }
    data(
        t.gql(
            Some(&ws.admin),
            DELETE_CONSTANT,
            json!({ "id": host["id"] }),
        )
        .await,
    );
    assert_eq!(
        data(
            t.gql(
                Some(&ws.viewer),
                "{ constant(name: \"DB_HOST\") { id } }",
                json!({})
            )
            .await
        )["constant"],
        Value::Null
    );
    // Names: the rule, and unique regardless of case.
    for name in ["db_password", "1X", "a-b", ""] {
        let response = t
            .gql(
                Some(&ws.admin),
                CREATE_CONSTANT,
                json!({ "name": name, "type": "GLOBAL", "values": [] }),
            )
            .await;
        assert_eq!(code(&response), "BAD_USER_INPUT", "{name}");
    }
    assert!(password["id"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn constants_by_role_in_community_and_across_workspaces() {
    let t = TestApp::new().await;
    let (ws, other) = (t.workspace().await, t.workspace().await);
    let envs = environment_ids(&t, &ws).await;
    let (ds, _, password) = setup(&t, &ws, &envs).await;
    let list = "{ constants { name type values { environment { name } value isSet } } }";
    for reader in [&ws.builder, &ws.viewer, &ws.runner] {
        let seen = data(t.gql(Some(reader), list, json!({})).await);
        assert_eq!(seen["constants"].as_array().unwrap().len(), 2);
        // By name: DB_HOST, then DB_PASSWORD, whose values are never shown.
        assert_eq!(seen["constants"][0]["values"][0]["value"], "dev.db");
        assert_eq!(seen["constants"][1]["values"][0]["value"], Value::Null);
        let refused = t
            .gql(
                Some(reader),
                SET_VALUES,
                json!({ "id": password["id"], "values": [] }),
            )
            .await;
        assert_eq!(code(&refused), "FORBIDDEN");
        let refused = t
            .gql(
                Some(reader),
                CREATE_CONSTANT,
                json!({ "name": "X", "type": "GLOBAL", "values": [] }),
            )
            .await;
        assert_eq!(code(&refused), "FORBIDDEN");
    }

    // Community: Production only, other environments' values kept.
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    let seen = data(community.gql(Some(&ws.admin), list, json!({})).await);
    assert_eq!(
        seen["constants"][0]["values"],
        json!([{ "environment": { "name": "Production" }, "value": "127.0.0.1", "isSet": true }])
    );
    let refused = community
        .gql(
            Some(&ws.admin),
            SET_VALUES,
            json!({ "id": password["id"], "values": [{ "environmentId": envs[1], "value": "x" }] }),
        )
        .await;
    assert_eq!(code(&refused), "LICENSE_REQUIRED");
    let renewed = data(t.gql(Some(&ws.admin), list, json!({})).await);
    assert_eq!(renewed["constants"][0]["values"][1]["value"], "staging.db");

    // Another workspace neither sees nor references nor changes them.
    let theirs = data(t.gql(Some(&other.admin), list, json!({})).await);
    assert_eq!(theirs["constants"], json!([]));
    assert_eq!(
        data(
            t.gql(
                Some(&other.admin),
                "{ constant(name: \"DB_HOST\") { id } }",
                json!({})
            )
            .await
        )["constant"],
        Value::Null
    );
    let reference = json!({ "input": { "name": "Theirs", "kind": "postgresql", "options": [
        { "key": "host", "value": "{{constants.DB_HOST}}" }, { "key": "database", "value": "d" }, { "key": "username", "value": "u" }] } });
    let refused = t.gql(Some(&other.admin), CREATE, reference).await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    for (query, variables) in [
        (SET_VALUES, json!({ "id": password["id"], "values": [] })),
        (DELETE_CONSTANT, json!({ "id": password["id"] })),
    ] {
        let response = t.gql(Some(&other.admin), query, variables).await;
        assert_eq!(code(&response), "NOT_FOUND", "{response}");
    }
    // Still there, still resolving for its own workspace.
    let app = create_app(&t, &ws.builder, "Shop").await;
    let erin = token(ws.id, Role::Builder, "erin");
    data(
        t.gql(Some(&erin), SELECT, json!({ "app": app, "env": envs[0] }))
            .await,
    );
    let resolved = data(
        t.gql(
            Some(&ws.runner),
            RESOLVE,
            json!({ "input": { "dataSourceId": ds, "appId": app, "target": "BUILDER", "userId": "erin" } }),
        )
        .await,
    );
    assert_eq!(
        resolved["resolveDataSource"]["options"]["password"],
        SECRETS[0]
    );
}
