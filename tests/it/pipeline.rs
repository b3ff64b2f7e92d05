//! Editing the pipeline: custom environments, built-in refusals, the limit, concurrent
//! edits, deletion, and protection by role and edition.

use serde_json::{Value, json};

use crate::apps::{PROMOTE, RELEASE, SELECT, create_app, create_version};
use crate::common::{TestApp, Workspace, code, data, token};
use crate::data_sources::{OPTIONS_FIELDS, create_pg, environment_ids};
use crate::overlap::HeldLock;
use envgate::auth::Role;

const CREATE: &str = "mutation($name: String!, $after: ID!) { createEnvironment(input: { name: $name, after: $after }) { id name kind priority isDefault locked protected } }";
const RENAME: &str =
    "mutation($id: ID!, $name: String!) { renameEnvironment(id: $id, name: $name) { id name } }";
const MOVE: &str =
    "mutation($id: ID!, $after: ID!) { moveEnvironment(id: $id, after: $after) { name priority } }";
const DELETE: &str = "mutation($id: ID!) { deleteEnvironment(id: $id) }";
const PROTECT: &str = "mutation($id: ID!, $p: Boolean!) { setEnvironmentProtected(id: $id, protected: $p) { name protected } }";

async fn create_env(t: &TestApp, ws: &Workspace, name: &str, after: &str) -> String {
    let created = data(
        t.gql(
            Some(&ws.admin),
            CREATE,
            json!({ "name": name, "after": after }),
        )
        .await,
    );
    created["createEnvironment"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The pipeline as (name, priority), in order.
async fn pipeline(t: &TestApp, ws: &Workspace) -> Vec<(String, i64)> {
    data(
        t.gql(
            Some(&ws.viewer),
            "{ environments { name priority } }",
            json!({}),
        )
        .await,
    )["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_owned(),
                e["priority"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn names(pipeline: &[(String, i64)]) -> Vec<&str> {
    pipeline.iter().map(|(n, _)| n.as_str()).collect()
}

async fn promote(t: &TestApp, token: &str, version: &str, from: &str) -> Value {
    t.gql(Some(token), PROMOTE, json!({ "v": version, "from": from }))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_environment_joins_the_ladder_with_its_own_options() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let ds = create_pg(&t, &ws, "Orders DB").await;
    let update = format!(
        "mutation($input: UpdateDataSourceOptionsInput!) {{ updateDataSourceOptions(input: $input) {{ {OPTIONS_FIELDS} }} }}"
    );
    let staging = json!({ "dataSourceId": ds, "environmentId": envs[1], "options": [
        { "key": "host", "value": "staging.internal" }, { "key": "password", "value": "staging-secret" }] });
    data(
        t.gql(Some(&ws.admin), &update, json!({ "input": staging }))
            .await,
    );

    let created = data(
        t.gql(
            Some(&ws.admin),
            CREATE,
            json!({ "name": "QA", "after": envs[1] }),
        )
        .await,
    )["createEnvironment"]
        .clone();
    assert_eq!(
        created,
        json!({ "id": created["id"], "name": "QA", "kind": "CUSTOM", "priority": 3,
                "isDefault": false, "locked": false, "protected": false })
    );
    let qa = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        pipeline(&t, &ws).await,
        vec![
            ("Development".into(), 1),
            ("Staging".into(), 2),
            ("QA".into(), 3),
            ("Production".into(), 4)
        ]
    );
    // QA starts with Staging's non-secret values and no secrets.
    let shown = data(
        t.gql(
            Some(&ws.builder),
            &format!("query($id: ID!, $e: ID!) {{ dataSource(id: $id) {{ options(environmentId: $e) {{ {OPTIONS_FIELDS} }} environments {{ environment {{ name }} }} }} }}"),
            json!({ "id": ds, "e": qa }),
        )
        .await,
    )["dataSource"]
        .clone();
    let values = &shown["options"]["values"];
    assert_eq!(
        values[0],
        json!({ "key": "host", "value": "staging.internal", "secret": false, "isSet": true })
    );
    assert_eq!(
        values[4],
        json!({ "key": "password", "value": null, "secret": true, "isSet": false })
    );
    assert_eq!(shown["options"]["revision"], 1);
    assert_eq!(shown["environments"].as_array().unwrap().len(), 4);

    // Versions climb through it.
    let app = create_app(&t, &ws.builder, "Shop").await;
    let version = create_version(&t, &ws.builder, &app, "v1").await;
    let mut from = envs[0].clone();
    for expected in ["Staging", "QA", "Production"] {
        let promoted = data(promote(&t, &ws.admin, &version, &from).await);
        let environment = &promoted["promoteAppVersion"]["environment"];
        assert_eq!(environment["name"], expected);
        from = environment["id"].as_str().unwrap().to_owned();
    }
    // Options set in QA are what a builder who selected QA runs with.
    let qa_options = json!({ "dataSourceId": ds, "environmentId": qa, "options": [
        { "key": "host", "value": "qa.internal" }, { "key": "password", "value": "qa-secret" }] });
    data(
        t.gql(Some(&ws.admin), &update, json!({ "input": qa_options }))
            .await,
    );
    data(
        t.gql(Some(&ws.builder), SELECT, json!({ "app": app, "env": qa }))
            .await,
    );
    let resolved = data(
        t.gql(
            Some(&ws.runner),
            "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { environment { name } options } }",
            json!({ "input": { "dataSourceId": ds, "appId": app, "target": "BUILDER", "userId": "bob" } }),
        )
        .await,
    );
    assert_eq!(resolved["resolveDataSource"]["environment"]["name"], "QA");
    assert_eq!(
        resolved["resolveDataSource"]["options"]["password"],
        "qa-secret"
    );
    assert_eq!(
        resolved["resolveDataSource"]["options"]["host"],
        "qa.internal"
    );

    // Renamed and moved, it keeps its id and options.
    data(
        t.gql(
            Some(&ws.admin),
            RENAME,
            json!({ "id": qa, "name": "Quality" }),
        )
        .await,
    );
    let moved = data(
        t.gql(Some(&ws.admin), MOVE, json!({ "id": qa, "after": envs[0] }))
            .await,
    );
    assert_eq!(
        moved["moveEnvironment"],
        json!([
            { "name": "Development", "priority": 1 }, { "name": "Quality", "priority": 2 },
            { "name": "Staging", "priority": 3 }, { "name": "Production", "priority": 4 },
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn built_ins_are_locked_the_default_stays_last_and_a_workspace_has_at_most_ten() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    for env in &envs {
        let attempts = [
            t.gql(
                Some(&ws.admin),
                RENAME,
                json!({ "id": env, "name": "Other" }),
            )
            .await,
            t.gql(
                Some(&ws.admin),
                MOVE,
                json!({ "id": env, "after": envs[0] }),
            )
            .await,
            t.gql(Some(&ws.admin), DELETE, json!({ "id": env })).await,
        ];
        for response in attempts {
            assert_eq!(code(&response), "ENVIRONMENT_LOCKED", "{response}");
        }
    }
    let after_default = t
        .gql(
            Some(&ws.admin),
            CREATE,
            json!({ "name": "Later", "after": envs[2] }),
        )
        .await;
    assert_eq!(code(&after_default), "BAD_USER_INPUT");
    assert_eq!(after_default["errors"][0]["extensions"]["field"], "after");
    let custom = create_env(&t, &ws, "QA", &envs[0]).await;
    let moved_last = t
        .gql(
            Some(&ws.admin),
            MOVE,
            json!({ "id": custom, "after": envs[2] }),
        )
        .await;
    assert_eq!(code(&moved_last), "BAD_USER_INPUT");
    for name in ["staging", " qa ", "", "x\u{1}"] {
        let response = t
            .gql(
                Some(&ws.admin),
                CREATE,
                json!({ "name": name, "after": envs[0] }),
            )
            .await;
        assert_eq!(code(&response), "BAD_USER_INPUT", "{name:?}");
    }
    // Four environments now: six more fit, the eleventh does not.
    for i in 0..6 {
        create_env(&t, &ws, &format!("Extra {i}"), &envs[1]).await;
    }
    let full = t
        .gql(
            Some(&ws.admin),
            CREATE,
            json!({ "name": "One too many", "after": envs[1] }),
        )
        .await;
    assert_eq!(code(&full), "BAD_USER_INPUT");
    assert!(
        full["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 10")
    );
    let now = pipeline(&t, &ws).await;
    assert_eq!(now.len(), 10);
    assert_eq!(
        now.iter().map(|(_, p)| *p).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    assert_eq!(now.last().unwrap().0, "Production");

    // Only admins edit the pipeline, and only in Enterprise.
    for other in [&ws.builder, &ws.viewer, &ws.runner] {
        let refused = t
            .gql(Some(other), RENAME, json!({ "id": custom, "name": "Mine" }))
            .await;
        assert_eq!(code(&refused), "FORBIDDEN");
    }
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    let refused = community
        .gql(
            Some(&ws.admin),
            CREATE,
            json!({ "name": "C", "after": envs[0] }),
        )
        .await;
    assert_eq!(code(&refused), "LICENSE_REQUIRED");
    assert_eq!(names(&pipeline(&community, &ws).await), ["Production"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_creates_leave_a_gap_free_duplicate_free_pipeline() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    // Hold the workspace's pipeline lock so every create has to wait on it, then let go.
    let lock = HeldLock::take(
        &t.db,
        "SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE",
        &[&ws.id],
    )
    .await;
    let creates = futures_util::future::join_all((0..6).map(|i| {
        t.gql(
            Some(&ws.admin),
            CREATE,
            json!({ "name": format!("Custom {i}"), "after": envs[i % 2] }),
        )
    }));
    let (responses, waiting) = tokio::join!(creates, lock.release_when_waiting(6));
    assert_eq!(
        waiting, 6,
        "the creates did not all wait on the pipeline lock"
    );
    for response in responses {
        data(response);
    }
    let now = pipeline(&t, &ws).await;
    assert_eq!(
        now.iter().map(|(_, p)| *p).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>()
    );
    assert_eq!(now[0].0, "Development");
    assert_eq!(now[8].0, "Production");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_environment_holding_versions_is_not_deleted_and_selections_fall_back() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let qa = create_env(&t, &ws, "QA", &envs[1]).await;
    let ds = create_pg(&t, &ws, "DB").await;
    let app = create_app(&t, &ws.builder, "Shop").await;
    let version = create_version(&t, &ws.builder, &app, "v1").await;
    data(promote(&t, &ws.builder, &version, &envs[0]).await);
    data(promote(&t, &ws.builder, &version, &envs[1]).await);
    let dana = token(ws.id, Role::Builder, "dana");
    data(
        t.gql(Some(&dana), SELECT, json!({ "app": app, "env": qa }))
            .await,
    );

    let refused = t.gql(Some(&ws.admin), DELETE, json!({ "id": qa })).await;
    assert_eq!(code(&refused), "BAD_USER_INPUT");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("1 app version") && message.contains("promote"),
        "{message}"
    );
    assert_eq!(pipeline(&t, &ws).await.len(), 4, "nothing deleted");

    data(promote(&t, &ws.admin, &version, &qa).await);
    let deleted = data(t.gql(Some(&ws.admin), DELETE, json!({ "id": qa })).await);
    assert_eq!(deleted["deleteEnvironment"], json!(qa));
    assert_eq!(
        pipeline(&t, &ws).await,
        vec![
            ("Development".into(), 1),
            ("Staging".into(), 2),
            ("Production".into(), 3)
        ]
    );
    let shown = data(
        t.gql(
            Some(&dana),
            "query($id: ID!) { app(id: $id) { builderEnvironment { name } } }",
            json!({ "id": app }),
        )
        .await,
    );
    assert_eq!(shown["app"]["builderEnvironment"]["name"], "Development");
    assert_eq!(
        t.db.options_rows_of(&ds).await,
        3,
        "its options went with it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn protected_environments_need_an_admin_in_enterprise_only() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let protection = data(
        t.gql(
            Some(&ws.viewer),
            "{ environments { name protected } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(
        protection["environments"],
        json!([{ "name": "Development", "protected": false }, { "name": "Staging", "protected": false },
               { "name": "Production", "protected": true }])
    );
    let app = create_app(&t, &ws.builder, "Shop").await;
    let v1 = create_version(&t, &ws.builder, &app, "v1").await;
    data(promote(&t, &ws.builder, &v1, &envs[0]).await);
    let refused = promote(&t, &ws.builder, &v1, &envs[1]).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    data(promote(&t, &ws.admin, &v1, &envs[1]).await);
    let refused = t.gql(Some(&ws.builder), RELEASE, json!({ "v": v1 })).await;
    assert_eq!(code(&refused), "FORBIDDEN");
    // Released by an admin, releasing it again is still an admin's call.
    data(t.gql(Some(&ws.admin), RELEASE, json!({ "v": v1 })).await);
    let refused = t.gql(Some(&ws.builder), RELEASE, json!({ "v": v1 })).await;
    assert_eq!(code(&refused), "FORBIDDEN");

    // Only admins change protection.
    let refused = t
        .gql(
            Some(&ws.builder),
            PROTECT,
            json!({ "id": envs[2], "p": false }),
        )
        .await;
    assert_eq!(code(&refused), "FORBIDDEN");
    // Unprotected, builders release; protecting Staging stops their promotions into it.
    data(
        t.gql(
            Some(&ws.admin),
            PROTECT,
            json!({ "id": envs[2], "p": false }),
        )
        .await,
    );
    data(t.gql(Some(&ws.builder), RELEASE, json!({ "v": v1 })).await);
    let staging = data(
        t.gql(
            Some(&ws.admin),
            PROTECT,
            json!({ "id": envs[1], "p": true }),
        )
        .await,
    );
    assert_eq!(
        staging["setEnvironmentProtected"],
        json!({ "name": "Staging", "protected": true })
    );
    let v2 = create_version(&t, &ws.builder, &app, "v2").await;
    assert_eq!(
        code(&promote(&t, &ws.builder, &v2, &envs[0]).await),
        "FORBIDDEN"
    );

    // Community: nothing is protected, builders may release.
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    let shown = data(
        community
            .gql(
                Some(&ws.viewer),
                "{ environments { name protected } }",
                json!({}),
            )
            .await,
    );
    assert_eq!(
        shown["environments"],
        json!([{ "name": "Production", "protected": false }])
    );
    let refused = community
        .gql(
            Some(&ws.admin),
            PROTECT,
            json!({ "id": envs[2], "p": true }),
        )
        .await;
    assert_eq!(code(&refused), "LICENSE_REQUIRED");
    data(
        community
            .gql(Some(&ws.builder), RELEASE, json!({ "v": v2 }))
            .await,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_pipeline_edit_reaches_another_workspace() {
    let t = TestApp::new().await;
    let (ours, theirs) = (t.workspace().await, t.workspace().await);
    let (our_envs, their_envs) = (
        environment_ids(&t, &ours).await,
        environment_ids(&t, &theirs).await,
    );
    let their_custom = create_env(&t, &theirs, "Their QA", &their_envs[0]).await;
    let our_custom = create_env(&t, &ours, "Our QA", &our_envs[0]).await;
    let before = pipeline(&t, &theirs).await;
    let attempts: Vec<(&str, &str, Value)> = vec![
        (
            "create after theirs",
            CREATE,
            json!({ "name": "X", "after": their_envs[0] }),
        ),
        (
            "rename",
            RENAME,
            json!({ "id": their_custom, "name": "Mine" }),
        ),
        (
            "move theirs",
            MOVE,
            json!({ "id": their_custom, "after": our_envs[0] }),
        ),
        (
            "move ours after theirs",
            MOVE,
            json!({ "id": our_custom, "after": their_envs[0] }),
        ),
        ("delete", DELETE, json!({ "id": their_custom })),
        (
            "protect",
            PROTECT,
            json!({ "id": their_envs[1], "p": true }),
        ),
    ];
    for (what, query, variables) in attempts {
        let response = t.gql(Some(&ours.admin), query, variables).await;
        assert_eq!(code(&response), "NOT_FOUND", "{what}: {response}");
        assert!(!response.to_string().contains("Their QA"), "{what}");
    }
    assert_eq!(pipeline(&t, &theirs).await, before);
    assert_eq!(
        names(&pipeline(&t, &ours).await),
        ["Development", "Our QA", "Staging", "Production"]
    );
}
