//! `resolveDataSource`: which environment's decrypted options the query runner gets,
//! who may ask, and the audit row every call leaves.

use serde_json::{Value, json};

use crate::apps::{RELEASE, SELECT, app_with_version_in};
use crate::common::{TestApp, code, data, post, token};
use crate::data_sources::{OPTIONS_FIELDS, create_pg, environment_ids};
use envgate::auth::Role;

const RESOLVE: &str = "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { dataSource { id name } environment { name } options } }";

async fn resolve(t: &TestApp, token: &str, input: Value) -> Value {
    t.gql(Some(token), RESOLVE, json!({ "input": input })).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_runner_gets_the_right_environments_decrypted_options_and_every_call_is_audited() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let ds = create_pg(&t, &ws, "Orders DB").await;
    let update = format!(
        "mutation($input: UpdateDataSourceOptionsInput!) {{ updateDataSourceOptions(input: $input) {{ {OPTIONS_FIELDS} }} }}"
    );
    let staging = json!({ "dataSourceId": ds, "environmentId": envs[1], "options": [
        { "key": "host", "value": "staging.internal" }, { "key": "port", "value": 6543 },
        { "key": "password", "value": "staging-secret" }] });
    let saved = data(
        t.gql(Some(&ws.admin), &update, json!({ "input": staging }))
            .await,
    );
    assert_eq!(saved["updateDataSourceOptions"]["configured"], true);
    // Development loses its host: not configured.
    let development = json!({ "dataSourceId": ds, "environmentId": envs[0], "options": [{ "key": "host", "value": null }] });
    let saved = data(
        t.gql(Some(&ws.admin), &update, json!({ "input": development }))
            .await,
    );
    assert_eq!(saved["updateDataSourceOptions"]["configured"], false);

    let (app_id, version) = app_with_version_in(&t, &ws, 2).await;
    data(
        t.gql(Some(&ws.admin), RELEASE, json!({ "v": version }))
            .await,
    );
    let erin = token(ws.id, Role::Builder, "erin");
    data(
        t.gql(
            Some(&erin),
            SELECT,
            json!({ "app": app_id, "env": envs[1] }),
        )
        .await,
    );
    // Frank picked Staging, then Production: the last choice counts.
    let frank = token(ws.id, Role::Builder, "frank");
    for env in [&envs[1], &envs[2]] {
        data(
            t.gql(Some(&frank), SELECT, json!({ "app": app_id, "env": env }))
                .await,
        );
    }

    // RELEASED: Production, whatever anyone selected, sent with our own request id.
    let mut request = post(
        Some(&ws.runner),
        &json!({ "query": RESOLVE, "variables": { "input": { "dataSourceId": ds, "appId": app_id, "target": "RELEASED" } } }),
    );
    request
        .headers_mut()
        .insert("x-request-id", "trace-released-1".parse().unwrap());
    let response = t.request(request).await;
    assert_eq!(response.headers["x-request-id"], "trace-released-1");
    let released = data(response.json())["resolveDataSource"].clone();
    assert_eq!(released["environment"]["name"], "Production");
    assert_eq!(released["dataSource"]["name"], "Orders DB");
    assert_eq!(
        released["options"],
        json!({ "host": "db.internal", "port": 5432, "database": "app", "username": "app",
                "password": "prod-secret", "ssl_mode": "prefer" })
    );

    // BUILDER: each user's own selection.
    let builder = |user: &str| json!({ "dataSourceId": ds, "appId": app_id, "target": "BUILDER", "userId": user });
    let for_erin =
        data(resolve(&t, &ws.runner, builder("erin")).await)["resolveDataSource"].clone();
    assert_eq!(for_erin["environment"]["name"], "Staging");
    assert_eq!(
        for_erin["options"],
        json!({ "host": "staging.internal", "port": 6543, "database": "app", "username": "app",
                "password": "staging-secret", "ssl_mode": "prefer" })
    );
    let for_frank =
        data(resolve(&t, &ws.runner, builder("frank")).await)["resolveDataSource"].clone();
    assert_eq!(for_frank["environment"]["name"], "Production");
    assert_eq!(for_frank["options"]["password"], "prod-secret");

    // Someone who never chose gets Development, which is not configured: a typed error
    // naming the environment and the field, and never another environment's values.
    let never_chose = resolve(&t, &ws.runner, builder("gina")).await;
    assert_eq!(
        code(&never_chose),
        "ENVIRONMENT_NOT_CONFIGURED",
        "{never_chose}"
    );
    let message = never_chose["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Development") && message.contains("host"),
        "{message}"
    );
    assert_eq!(never_chose["data"], Value::Null);
    let text = never_chose.to_string();
    assert!(
        !text.contains("secret") && !text.contains("internal"),
        "{text}"
    );

    let no_user = resolve(
        &t,
        &ws.runner,
        json!({ "dataSourceId": ds, "appId": app_id, "target": "BUILDER" }),
    )
    .await;
    assert_eq!(
        (
            code(&no_user),
            no_user["errors"][0]["extensions"]["field"].as_str()
        ),
        ("BAD_USER_INPUT", Some("userId"))
    );
    for other in [&ws.admin, &ws.builder, &ws.viewer] {
        let refused = resolve(&t, other, builder("erin")).await;
        assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
        assert!(!refused.to_string().contains("secret"));
    }

    // One row per call of the runner, answered or refused (5), none holding a value;
    // the other roles are refused before anything is written.
    let client = t.db.client().await;
    let rows = client
        .query(
            "SELECT actor, role, data_source_id, app_id, environment_id, request_id, details FROM audit_events
             WHERE workspace_id = $1 AND action = 'DATA_SOURCE_RESOLVED' ORDER BY at, id",
            &[&ws.id],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    let ds_uuid = uuid::Uuid::parse_str(&ds).unwrap();
    let app_uuid = uuid::Uuid::parse_str(&app_id).unwrap();
    let env_uuid = |i: usize| uuid::Uuid::parse_str(&envs[i]).unwrap();
    let summary: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.get::<_, String>(0),
                r.get::<_, String>(1),
                r.get::<_, Option<uuid::Uuid>>(2),
                r.get::<_, Option<uuid::Uuid>>(3),
                r.get::<_, Option<uuid::Uuid>>(4),
                r.get::<_, Value>(6),
            )
        })
        .collect();
    let ok =
        |target: &str, user: Value| json!({ "target": target, "userId": user, "outcome": "OK" });
    let runner = |env: Option<uuid::Uuid>, details: Value| {
        (
            "runner".to_owned(),
            "runner".to_owned(),
            Some(ds_uuid),
            Some(app_uuid),
            env,
            details,
        )
    };
    assert_eq!(
        summary[0],
        runner(Some(env_uuid(2)), ok("RELEASED", Value::Null))
    );
    assert_eq!(
        summary[1],
        runner(Some(env_uuid(1)), ok("BUILDER", json!("erin")))
    );
    assert_eq!(
        summary[2],
        runner(Some(env_uuid(2)), ok("BUILDER", json!("frank")))
    );
    assert_eq!(
        summary[3],
        runner(
            Some(env_uuid(0)),
            json!({ "target": "BUILDER", "userId": "gina", "outcome": "ENVIRONMENT_NOT_CONFIGURED" })
        )
    );
    assert_eq!(
        summary[4],
        runner(
            None,
            json!({ "target": "BUILDER", "userId": null, "outcome": "BAD_USER_INPUT" })
        )
    );
    assert_eq!(
        rows[0].get::<_, Option<String>>(5).as_deref(),
        Some("trace-released-1")
    );
    assert!(
        rows.iter().all(|r| r.get::<_, Option<String>>(5).is_some()),
        "every row has a request id"
    );
    let leaked =
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE details::text ~ '(prod-secret|staging-secret|\\.internal)'",
            &[],
        )
        .await;
    assert_eq!(leaked, 0, "no value in the audit log");

    // Community: the builder target is Production whatever was selected.
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    let in_community = data(resolve(&community, &ws.runner, builder("erin")).await);
    assert_eq!(
        in_community["resolveDataSource"]["environment"]["name"],
        "Production"
    );
}

/// Statements one answered `resolveDataSource` sends (BEGIN and COMMIT included):
/// the transaction, one read of everything it decides on, and the audit row.
const RESOLVE_STATEMENTS: u64 = 4;

#[tokio::test(flavor = "multi_thread")]
async fn one_resolution_is_a_read_and_its_audit_row_in_one_transaction() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let ds = create_pg(&t, &ws, "Counted DB").await;
    let (app_id, _) = app_with_version_in(&t, &ws, 0).await;
    let erin = token(ws.id, Role::Builder, "erin");
    data(
        t.gql(
            Some(&erin),
            SELECT,
            json!({ "app": app_id, "env": envs[2] }),
        )
        .await,
    );
    let calls = [
        json!({ "dataSourceId": ds, "appId": app_id, "target": "BUILDER", "userId": "erin" }),
        json!({ "dataSourceId": ds, "appId": app_id, "target": "RELEASED" }),
    ];
    let audited = "SELECT count(*) FROM audit_events WHERE workspace_id = $1 AND action = 'DATA_SOURCE_RESOLVED'";
    for input in calls {
        let rows_before = t.db.count(audited, &[&ws.id]).await;
        let before = t.queries();
        let answer = resolve(&t, &ws.runner, input.clone()).await;
        let statements = t.queries() - before;
        let answer = data(answer);
        assert_eq!(
            answer["resolveDataSource"]["options"]["password"], "prod-secret",
            "{input}"
        );
        assert_eq!(
            t.db.count(audited, &[&ws.id]).await,
            rows_before + 1,
            "{input}"
        );
        assert_eq!(statements, RESOLVE_STATEMENTS, "{input}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_keep_their_precedence_and_their_audit_rows_name_what_was_found() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let other = t.workspace().await;
    let ds = create_pg(&t, &ws, "Ours").await;
    let (app_id, _) = app_with_version_in(&t, &ws, 0).await;
    let their_ds = create_pg(&t, &other, "Theirs").await;
    let (their_app, _) = app_with_version_in(&t, &other, 0).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let ds_uuid = uuid::Uuid::parse_str(&ds).unwrap();
    let app_uuid = uuid::Uuid::parse_str(&app_id).unwrap();
    // (data source, app, expected message, audited data source, audited app)
    let cases = [
        (&unknown, &unknown, "No data source", None, None),
        (&their_ds, &app_id, "No data source", None, None),
        (
            &"not-an-id".to_owned(),
            &app_id,
            "No data source",
            None,
            None,
        ),
        (&ds, &unknown, "No app", Some(ds_uuid), None),
        (&ds, &their_app, "No app", Some(ds_uuid), None),
        (&ds, &"not-an-id".to_owned(), "No app", Some(ds_uuid), None),
    ];
    for (data_source, app, message, audited_ds, audited_app) in cases {
        let input = json!({ "dataSourceId": data_source, "appId": app, "target": "BUILDER", "userId": "erin" });
        let refused = resolve(&t, &ws.runner, input.clone()).await;
        assert_eq!(code(&refused), "NOT_FOUND", "{input}: {refused}");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with(message),
            "{input}: {refused}"
        );
        let client = t.db.client().await;
        let row = client
            .query_one(
                "SELECT data_source_id, app_id, environment_id, details FROM audit_events
                 WHERE workspace_id = $1 AND action = 'DATA_SOURCE_RESOLVED' ORDER BY at DESC, id DESC LIMIT 1",
                &[&ws.id],
            )
            .await
            .unwrap();
        assert_eq!(
            (
                row.get::<_, Option<uuid::Uuid>>(0),
                row.get::<_, Option<uuid::Uuid>>(1),
                row.get::<_, Option<uuid::Uuid>>(2),
                row.get::<_, Value>(3)["outcome"].clone(),
            ),
            (audited_ds, audited_app, None, json!("NOT_FOUND")),
            "{input}"
        );
    }
    // Both known, no user: BAD_USER_INPUT after both are found, naming them.
    let no_user = resolve(
        &t,
        &ws.runner,
        json!({ "dataSourceId": ds, "appId": app_id, "target": "BUILDER" }),
    )
    .await;
    assert_eq!(code(&no_user), "BAD_USER_INPUT", "{no_user}");
    let unknown_no_user = resolve(
        &t,
        &ws.runner,
        json!({ "dataSourceId": ds, "appId": unknown, "target": "BUILDER" }),
    )
    .await;
    assert_eq!(code(&unknown_no_user), "NOT_FOUND", "{unknown_no_user}");
    let named = t
        .db
        .count(
            "SELECT count(*) FROM audit_events WHERE workspace_id = $1 AND action = 'DATA_SOURCE_RESOLVED'
             AND data_source_id = $2 AND app_id = $3 AND details->>'outcome' = 'BAD_USER_INPUT'",
            &[&ws.id, &ds_uuid, &app_uuid],
        )
        .await;
    assert_eq!(named, 1);
    // Nothing was written in the other workspace.
    let theirs = t
        .db
        .count(
            "SELECT count(*) FROM audit_events WHERE workspace_id = $1 AND action = 'DATA_SOURCE_RESOLVED'",
            &[&other.id],
        )
        .await;
    assert_eq!(theirs, 0);
}
