//! `environmentDiff`: what differs between two environments, per data source and per
//! constant; secrets by set-state (for admins also whether two set ones differ), never
//! by value; READ_OPTIONS on both; tenancy.

use serde_json::{Value, json};

use crate::common::{TestApp, Workspace, code, data};
use crate::data_sources::{CREATE, environment_ids, update};

pub const DIFF: &str = "query($from: ID!, $to: ID!) { environmentDiff(fromEnvironmentId: $from, toEnvironmentId: $to) {
    from { name } to { name }
    dataSources { dataSource { name } fromConfigured toConfigured options { key secret from to fromSet toSet } }
    constants { constant { name type } fromSet toSet from to } } }";
const CREATE_CONSTANT: &str = "mutation($name: String!, $type: ConstantType!, $values: [ConstantValueInput!]!) { createConstant(name: $name, type: $type, values: $values) { id } }";
const SET_ACCESS: &str = "mutation($id: ID!, $rules: [EnvironmentAccessRuleInput!]!) { setEnvironmentAccess(id: $id, rules: $rules) { id } }";

/// The diff's raw text and its data, asked with `token`.
async fn diff(t: &TestApp, token: &str, from: &str, to: &str) -> (Value, String) {
    let response = t
        .gql(Some(token), DIFF, json!({ "from": from, "to": to }))
        .await;
    let text = response.to_string();
    (data(response)["environmentDiff"].clone(), text)
}

fn named<'a>(list: &'a Value, field: &str, name: &str) -> Option<&'a Value> {
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| item[field]["name"] == name)
}

async fn create(t: &TestApp, ws: &Workspace, name: &str, options: Value) -> String {
    let input = json!({ "name": name, "kind": "postgresql", "options": options });
    data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    )["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn save(t: &TestApp, ws: &Workspace, id: &str, env: &str, options: Value) {
    let input = json!({ "dataSourceId": id, "environmentId": env, "options": options });
    data(update(t, &ws.admin, input).await);
}

async fn constant(t: &TestApp, ws: &Workspace, name: &str, kind: &str, values: Value) {
    let variables = json!({ "name": name, "type": kind, "values": values });
    data(t.gql(Some(&ws.admin), CREATE_CONSTANT, variables).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn equal_differing_and_one_sided_options_and_constants_for_builders_and_admins() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let (dev, staging, prod) = (&envs[0], &envs[1], &envs[2]);
    let base = json!([
        { "key": "host", "value": "db.internal" },
        { "key": "database", "value": "app" },
        { "key": "username", "value": "app" },
        { "key": "password", "value": "prod-pw-5e1d" },
    ]);
    // Equal everywhere but its Production password, which Staging gets too: no secret
    // reaches Development or Staging by creation, so Development lacks it (one-sided).
    let orders = create(&t, &ws, "orders", base.clone()).await;
    save(&t, &ws, &orders, staging, json!([{ "key": "host", "value": "staging.internal" }, { "key": "password", "value": "staging-pw-88aa" }])).await;
    // The same password in Staging and Production: no difference even for admins.
    let billing = create(&t, &ws, "billing", base.clone()).await;
    save(
        &t,
        &ws,
        &billing,
        staging,
        json!([{ "key": "password", "value": "prod-pw-5e1d" }]),
    )
    .await;
    // Equal in Staging and Production apart from a required field cleared: configured
    // differs.
    let reports = create(&t, &ws, "reports", base).await;
    save(&t, &ws, &reports, staging, json!([{ "key": "password", "value": "prod-pw-5e1d" }, { "key": "database", "value": null }])).await;

    constant(&t, &ws, "API_HOST", "GLOBAL", json!([{ "environmentId": staging, "value": "staging.api" }, { "environmentId": prod, "value": "api" }])).await;
    constant(&t, &ws, "SAME_HOST", "GLOBAL", json!([{ "environmentId": staging, "value": "x" }, { "environmentId": prod, "value": "x" }])).await;
    constant(&t, &ws, "TOKEN", "SECRET", json!([{ "environmentId": staging, "value": "tok-staging-41" }, { "environmentId": prod, "value": "tok-prod-42" }])).await;
    constant(&t, &ws, "SAME_TOKEN", "SECRET", json!([{ "environmentId": staging, "value": "tok-same-43" }, { "environmentId": prod, "value": "tok-same-43" }])).await;
    constant(
        &t,
        &ws,
        "PROD_ONLY",
        "SECRET",
        json!([{ "environmentId": prod, "value": "tok-only-44" }]),
    )
    .await;

    // Staging against Production, as a builder: values of non-secrets; secrets only by
    // set-state, so two set passwords are no difference.
    let (builder, text) = diff(&t, &ws.builder, staging, prod).await;
    assert_eq!(
        (
            builder["from"]["name"].as_str(),
            builder["to"]["name"].as_str()
        ),
        (Some("Staging"), Some("Production"))
    );
    let names: Vec<&str> = builder["dataSources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dataSource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["orders", "reports"], "billing is equal: {builder}");
    let orders_diff = named(&builder["dataSources"], "dataSource", "orders").unwrap();
    assert_eq!(
        orders_diff["options"],
        json!([{ "key": "host", "secret": false, "from": "staging.internal", "to": "db.internal", "fromSet": true, "toSet": true }])
    );
    assert_eq!(
        (
            orders_diff["fromConfigured"].as_bool(),
            orders_diff["toConfigured"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let reports_diff = named(&builder["dataSources"], "dataSource", "reports").unwrap();
    assert_eq!(
        reports_diff["options"],
        json!([{ "key": "database", "secret": false, "from": null, "to": "app", "fromSet": false, "toSet": true }])
    );
    assert_eq!(
        (
            reports_diff["fromConfigured"].as_bool(),
            reports_diff["toConfigured"].as_bool()
        ),
        (Some(false), Some(true))
    );
    // Constants: GLOBAL values shown; secrets by set-state only.
    let constants: Vec<&str> = builder["constants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["constant"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(constants, ["API_HOST", "PROD_ONLY"]);
    assert_eq!(
        named(&builder["constants"], "constant", "API_HOST").unwrap(),
        &json!({ "constant": { "name": "API_HOST", "type": "GLOBAL" }, "fromSet": true, "toSet": true, "from": "staging.api", "to": "api" })
    );
    assert_eq!(
        named(&builder["constants"], "constant", "PROD_ONLY").unwrap(),
        &json!({ "constant": { "name": "PROD_ONLY", "type": "SECRET" }, "fromSet": false, "toSet": true, "from": null, "to": null })
    );

    // An admin also learns which set secrets differ (never their values).
    let (admin, admin_text) = diff(&t, &ws.admin, staging, prod).await;
    let orders_diff = named(&admin["dataSources"], "dataSource", "orders").unwrap();
    assert_eq!(
        orders_diff["options"][1],
        json!({ "key": "password", "secret": true, "from": null, "to": null, "fromSet": true, "toSet": true })
    );
    assert!(
        named(&admin["dataSources"], "dataSource", "billing").is_none(),
        "the same password: {admin}"
    );
    let constants: Vec<&str> = admin["constants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["constant"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(constants, ["API_HOST", "PROD_ONLY", "TOKEN"]);

    // One-sided: Development has no password at all.
    let (one_sided, dev_text) = diff(&t, &ws.builder, dev, prod).await;
    let orders_diff = named(&one_sided["dataSources"], "dataSource", "orders").unwrap();
    assert_eq!(
        orders_diff["options"],
        json!([{ "key": "password", "secret": true, "from": null, "to": null, "fromSet": false, "toSet": true }])
    );
    // An environment against itself: nothing differs.
    let (same, _) = diff(&t, &ws.admin, prod, prod).await;
    assert_eq!(
        (
            same["dataSources"].as_array().unwrap().len(),
            same["constants"].as_array().unwrap().len()
        ),
        (0, 0)
    );

    for secret in [
        "prod-pw-5e1d",
        "staging-pw-88aa",
        "tok-staging-41",
        "tok-prod-42",
        "tok-same-43",
        "tok-only-44",
    ] {
        for body in [&text, &admin_text, &dev_text] {
            assert!(!body.contains(secret), "a secret in a diff: {body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_diff_needs_read_options_on_both_and_never_sees_another_workspace() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let other = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let theirs = environment_ids(&t, &other).await;
    create(&t, &ws, "orders", json!([{ "key": "host", "value": "h" }, { "key": "database", "value": "d" }, { "key": "username", "value": "u" }])).await;

    // Viewers compare; runners may not.
    let (viewed, _) = diff(&t, &ws.viewer, &envs[0], &envs[2]).await;
    assert_eq!(viewed["dataSources"], json!([]));
    let runner = t
        .gql(
            Some(&ws.runner),
            DIFF,
            json!({ "from": envs[0], "to": envs[2] }),
        )
        .await;
    assert_eq!(code(&runner), "FORBIDDEN");

    // Without READ_OPTIONS in Production, a viewer may not compare against it.
    data(t.gql(Some(&ws.admin), SET_ACCESS, json!({ "id": envs[2], "rules": [{ "role": "BUILDER", "permissions": ["READ_OPTIONS"] }] })).await);
    let refused = t
        .gql(
            Some(&ws.viewer),
            DIFF,
            json!({ "from": envs[0], "to": envs[2] }),
        )
        .await;
    assert_eq!(code(&refused), "FORBIDDEN");
    let allowed = t
        .gql(
            Some(&ws.builder),
            DIFF,
            json!({ "from": envs[0], "to": envs[2] }),
        )
        .await;
    data(allowed);

    // Another workspace's environment is NOT_FOUND, either side; its diff holds only
    // its own data sources.
    for (from, to) in [(&theirs[0], &envs[2]), (&envs[0], &theirs[2])] {
        let response = t
            .gql(Some(&ws.admin), DIFF, json!({ "from": from, "to": to }))
            .await;
        assert_eq!(code(&response), "NOT_FOUND");
    }
    create(&t, &other, "theirs", json!([{ "key": "host", "value": "other" }, { "key": "database", "value": "d" }, { "key": "username", "value": "u" }])).await;
    let (own, text) = diff(&t, &ws.admin, &envs[0], &envs[2]).await;
    assert_eq!(own["dataSources"], json!([]));
    assert!(!text.contains("theirs"), "{text}");
}

/// A diff and an export read one query per table: 12 data sources and constants cost
/// the statements 2 cost.
#[tokio::test(flavor = "multi_thread")]
async fn a_diff_and_an_export_cost_the_same_statements_for_2_and_12_data_sources() {
    // What the resolvers send: the same query asked again would come from the cache.
    let t = TestApp::with_settings(envgate::app::Settings {
        response_cache: envgate::graphql::CacheBytes(0),
        ..Default::default()
    })
    .await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let options = json!([{ "key": "host", "value": "h" }, { "key": "database", "value": "d" }, { "key": "username", "value": "u" }, { "key": "password", "value": "p" }]);
    let mut statements = Vec::new();
    for count in [2, 12] {
        while t.db.count("SELECT count(*) FROM data_sources", &[]).await < count {
            let n = t.db.count("SELECT count(*) FROM data_sources", &[]).await;
            create(&t, &ws, &format!("db-{n:02}"), options.clone()).await;
            constant(
                &t,
                &ws,
                &format!("C{n:02}"),
                "SECRET",
                json!([{ "environmentId": envs[2], "value": "v" }]),
            )
            .await;
        }
        let before = t.queries();
        let (diff, _) = diff(&t, &ws.admin, &envs[0], &envs[2]).await;
        let after_diff = t.queries();
        assert_eq!(diff["dataSources"].as_array().unwrap().len() as i64, count);
        let exported = data(
            t.gql(Some(&ws.admin), crate::workspace_config::EXPORT, json!({}))
                .await,
        );
        assert_eq!(
            exported["workspaceConfig"]["dataSources"]
                .as_array()
                .unwrap()
                .len() as i64,
            count
        );
        statements.push((after_diff - before, t.queries() - after_diff));
    }
    assert_eq!(
        statements[0], statements[1],
        "(diff, export) statements for 2 and for 12"
    );
}
