//! The audit log: one row per change in the change's transaction, none for a change
//! that failed, never a secret value, and `auditEvents` with its filters and pages.

use serde_json::{Value, json};

use crate::apps::{PROMOTE, RELEASE, create_app, create_version};
use crate::common::{TestApp, Workspace, code, data};
use crate::data_sources::{CREATE, environment_ids, pg_options};

const EVENTS: &str = "query($first: Int, $after: String, $filter: AuditFilter) { auditEvents(first: $first, after: $after, filter: $filter) {
    edges { cursor } nodes { id at actor role action dataSourceId environmentId appId versionId requestId details }
    pageInfo { hasNextPage endCursor } } }";

async fn events(t: &TestApp, ws: &Workspace, filter: Value) -> Vec<Value> {
    let page = data(
        t.gql(
            Some(&ws.admin),
            EVENTS,
            json!({ "first": 100, "filter": filter }),
        )
        .await,
    );
    page["auditEvents"]["nodes"].as_array().unwrap().clone()
}

fn actions(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

async fn audit_rows(t: &TestApp) -> i64 {
    t.db.count("SELECT count(*) FROM audit_events", &[]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_change_is_one_row_a_failed_change_none_and_no_value_is_ever_kept() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let gql = |token: &str, query: &str, variables: Value| {
        let (t, token, query) = (&t, token.to_owned(), query.to_owned());
        async move { data(t.gql(Some(&token), &query, variables).await) }
    };

    let created = gql(
        &ws.admin,
        CREATE,
        json!({ "input": { "name": "Orders", "kind": "postgresql", "options": pg_options("hunter2-prod") } }),
    )
    .await;
    let ds = created["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    gql(
        &ws.admin,
        "mutation($id: ID!) { renameDataSource(id: $id, name: \"Orders DB\") { id } }",
        json!({ "id": ds }),
    )
    .await;
    gql(
        &ws.admin,
        "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }",
        json!({ "input": { "dataSourceId": ds, "environmentId": envs[1], "options": [
            { "key": "host", "value": "staging.db" }, { "key": "port", "value": null },
            { "key": "password", "value": "hunter2-staging" }] } }),
    )
    .await;
    gql(
        &ws.admin,
        "mutation($input: CopyDataSourceOptionsInput!) { copyDataSourceOptions(input: $input) { revision } }",
        json!({ "input": { "dataSourceId": ds, "fromEnvironmentId": envs[1], "toEnvironmentId": envs[0], "includeSecrets": true } }),
    )
    .await;
    gql(
        &ws.admin,
        "mutation($d: ID!, $e: ID!) { testDataSourceConnection(dataSourceId: $d, environmentId: $e) { ok } }",
        json!({ "d": ds, "e": envs[2] }),
    )
    .await;
    let app = create_app(&t, &ws.builder, "Shop").await;
    let version = create_version(&t, &ws.builder, &app, "v1").await;
    gql(
        &ws.builder,
        PROMOTE,
        json!({ "v": version, "from": envs[0] }),
    )
    .await;
    gql(&ws.admin, PROMOTE, json!({ "v": version, "from": envs[1] })).await;
    gql(&ws.admin, RELEASE, json!({ "v": version })).await;
    let qa = gql(
        &ws.admin,
        "mutation($after: ID!) { createEnvironment(input: { name: \"QA\", after: $after }) { id } }",
        json!({ "after": envs[1] }),
    )
    .await["createEnvironment"]["id"]
        .clone();
    gql(
        &ws.admin,
        "mutation($id: ID!) { renameEnvironment(id: $id, name: \"Quality\") { id } }",
        json!({ "id": qa }),
    )
    .await;
    gql(
        &ws.admin,
        "mutation($id: ID!, $after: ID!) { moveEnvironment(id: $id, after: $after) { id } }",
        json!({ "id": qa, "after": envs[0] }),
    )
    .await;
    gql(
        &ws.admin,
        "mutation($id: ID!) { setEnvironmentProtected(id: $id, protected: true) { id } }",
        json!({ "id": qa }),
    )
    .await;
    gql(
        &ws.admin,
        "mutation($id: ID!) { deleteEnvironment(id: $id) }",
        json!({ "id": qa }),
    )
    .await;
    gql(
        &ws.admin,
        "mutation($id: ID!) { deleteDataSource(id: $id) }",
        json!({ "id": ds }),
    )
    .await;

    // Changes that fail leave nothing behind.
    let before = audit_rows(&t).await;
    let failures = [
        t.gql(
            Some(&ws.admin),
            CREATE,
            json!({ "input": { "name": "Shop2", "kind": "postgresql", "options": [] } }),
        )
        .await,
        t.gql(
            Some(&ws.builder),
            "mutation { createApp(name: \"shop\") { id } }",
            json!({}),
        )
        .await,
        t.gql(
            Some(&ws.builder),
            PROMOTE,
            json!({ "v": version, "from": envs[0] }),
        )
        .await,
        t.gql(
            Some(&ws.builder),
            "mutation($app: ID!) { createAppVersion(appId: $app, name: \"V1\") { id } }",
            json!({ "app": app }),
        )
        .await,
    ];
    for failure in failures {
        assert!(failure.get("errors").is_some(), "{failure}");
    }
    assert_eq!(audit_rows(&t).await, before, "failed changes leave no row");

    let all = events(&t, &ws, Value::Null).await;
    assert_eq!(
        actions(&all),
        [
            "DATA_SOURCE_DELETED",
            "ENVIRONMENT_DELETED",
            "ENVIRONMENT_PROTECTION_CHANGED",
            "ENVIRONMENT_MOVED",
            "ENVIRONMENT_RENAMED",
            "ENVIRONMENT_CREATED",
            "VERSION_RELEASED",
            "VERSION_PROMOTED",
            "VERSION_PROMOTED",
            "VERSION_CREATED",
            "APP_CREATED",
            "CONNECTION_TESTED",
            "OPTIONS_COPIED",
            "OPTIONS_UPDATED",
            "DATA_SOURCE_RENAMED",
            "DATA_SOURCE_CREATED",
        ],
        "newest first, one row per change"
    );
    let updated = all
        .iter()
        .find(|e| e["action"] == "OPTIONS_UPDATED")
        .unwrap();
    assert_eq!(
        (
            updated["actor"].clone(),
            updated["role"].clone(),
            updated["dataSourceId"].clone(),
            updated["environmentId"].clone()
        ),
        (json!("alice"), json!("ADMIN"), json!(ds), json!(envs[1]))
    );
    assert_eq!(
        updated["details"],
        json!({ "set": ["host"], "cleared": ["port"], "secrets": { "password": "SET" }, "revision": 2 })
    );
    assert!(updated["requestId"].as_str().is_some_and(|r| !r.is_empty()));
    let promoted = all
        .iter()
        .find(|e| e["action"] == "VERSION_PROMOTED")
        .unwrap();
    assert_eq!(
        (
            promoted["appId"].clone(),
            promoted["versionId"].clone(),
            promoted["environmentId"].clone()
        ),
        (json!(app), json!(version), json!(envs[2]))
    );

    // No value, secret or not, anywhere in the table: not in details, not anywhere.
    let leaked = t
        .db
        .count(
            "SELECT count(*) FROM audit_events a WHERE row_to_json(a)::text ~ '(hunter2|staging\\.db|db\\.internal)'",
            &[],
        )
        .await;
    assert_eq!(leaked, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_events_are_filtered_and_paged_for_admins_of_the_workspace_only() {
    let t = TestApp::new().await;
    let (ws, other) = (t.workspace().await, t.workspace().await);
    let envs = environment_ids(&t, &ws).await;
    let shop = create_app(&t, &ws.builder, "Shop").await;
    let blog = create_app(&t, &ws.admin, "Blog").await;
    for name in ["v1", "v2", "v3"] {
        create_version(&t, &ws.builder, &shop, name).await;
    }
    let v = create_version(&t, &ws.builder, &blog, "b1").await;
    data(
        t.gql(
            Some(&ws.builder),
            PROMOTE,
            json!({ "v": v, "from": envs[0] }),
        )
        .await,
    );
    create_app(&t, &other.admin, "Theirs").await;

    let by_app = events(&t, &ws, json!({ "appId": shop })).await;
    assert_eq!(
        actions(&by_app),
        [
            "VERSION_CREATED",
            "VERSION_CREATED",
            "VERSION_CREATED",
            "APP_CREATED"
        ]
    );
    let by_actor = events(&t, &ws, json!({ "actor": "alice" })).await;
    assert_eq!(actions(&by_actor), ["APP_CREATED"]);
    let by_action = events(
        &t,
        &ws,
        json!({ "actions": ["VERSION_PROMOTED", "APP_CREATED"] }),
    )
    .await;
    assert_eq!(
        actions(&by_action),
        ["VERSION_PROMOTED", "APP_CREATED", "APP_CREATED"]
    );
    let by_environment = events(&t, &ws, json!({ "environmentId": envs[1] })).await;
    assert_eq!(actions(&by_environment), ["VERSION_PROMOTED"]);
    assert!(
        events(&t, &ws, json!({ "dataSourceId": "not-an-id" }))
            .await
            .is_empty()
    );
    assert!(
        events(&t, &ws, json!({ "appId": uuid::Uuid::new_v4() }))
            .await
            .is_empty()
    );

    // Time ranges: since is inclusive, until exclusive.
    let all = events(&t, &ws, Value::Null).await;
    assert_eq!(all.len(), 7);
    let third = all[2]["at"].clone();
    let since = events(&t, &ws, json!({ "since": third })).await;
    assert_eq!(since.len(), 3);
    let until = events(&t, &ws, json!({ "until": third })).await;
    assert_eq!(until.len(), 4);

    // Pages of two walk the whole log in order, each row once.
    let mut seen = Vec::new();
    let mut after = Value::Null;
    for _ in 0..10 {
        let page = data(
            t.gql(
                Some(&ws.admin),
                EVENTS,
                json!({ "first": 2, "after": after }),
            )
            .await,
        )["auditEvents"]
            .clone();
        seen.extend(
            page["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let ids: Vec<_> = all.iter().map(|e| e["id"].clone()).collect();
    assert_eq!(seen, ids);
    let forged = t
        .gql(
            Some(&ws.admin),
            EVENTS,
            json!({ "first": 2, "after": "bm9wZQ" }),
        )
        .await;
    assert_eq!(forged["errors"][0]["extensions"]["field"], "after");

    for role in [&ws.builder, &ws.viewer, &ws.runner] {
        let refused = t.gql(Some(role), EVENTS, json!({})).await;
        assert_eq!(code(&refused), "FORBIDDEN");
    }
    // The other workspace's admin sees only their own row.
    let theirs = events(&t, &other, Value::Null).await;
    assert_eq!(actions(&theirs), ["APP_CREATED"]);
    let theirs_for_our_app = events(&t, &other, json!({ "appId": shop })).await;
    assert!(theirs_for_our_app.is_empty());
}
