//! Apps and versions: creation, the promotion ladder, release, each user's selected
//! environment, and who may do what.

use serde_json::{Value, json};

use crate::common::{TestApp, Workspace, code, data, token};
use crate::data_sources::environment_ids;
use crate::overlap::HeldLock;

pub const CREATE_APP: &str = "mutation($name: String!) { createApp(name: $name) { id name } }";
pub const CREATE_VERSION: &str = "mutation($app: ID!, $name: String!) { createAppVersion(appId: $app, name: $name) { id name status environment { name } } }";
pub const PROMOTE: &str = "mutation($v: ID!, $from: ID!) { promoteAppVersion(versionId: $v, fromEnvironmentId: $from) { id status environment { id name } } }";
pub const RELEASE: &str =
    "mutation($v: ID!) { releaseAppVersion(versionId: $v) { id releasedVersion { id name } } }";
pub const SELECT: &str = "mutation($app: ID!, $env: ID!) { selectEnvironment(appId: $app, environmentId: $env) { id builderEnvironment { name } } }";
const APP: &str = "query($id: ID!) { app(id: $id) { id name versions { id name status environment { name } } releasedVersion { id name } builderEnvironment { name } releasedEnvironment { name } } }";

/// Creates an app and returns its id.
pub async fn create_app(t: &TestApp, token: &str, name: &str) -> String {
    let created = data(
        t.gql(Some(token), CREATE_APP, json!({ "name": name }))
            .await,
    );
    created["createApp"]["id"].as_str().unwrap().to_owned()
}

/// Creates a version and returns its id.
pub async fn create_version(t: &TestApp, token: &str, app: &str, name: &str) -> String {
    let created = data(
        t.gql(
            Some(token),
            CREATE_VERSION,
            json!({ "app": app, "name": name }),
        )
        .await,
    );
    created["createAppVersion"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn promote(t: &TestApp, token: &str, version: &str, from: &str) -> Value {
    t.gql(Some(token), PROMOTE, json!({ "v": version, "from": from }))
        .await
}

async fn app(t: &TestApp, token: &str, id: &str) -> Value {
    data(t.gql(Some(token), APP, json!({ "id": id })).await)["app"].clone()
}

async fn builder_environment(t: &TestApp, token: &str, app_id: &str) -> Value {
    app(t, token, app_id).await["builderEnvironment"]["name"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_version_climbs_the_ladder_and_no_further() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let app_id = create_app(&t, &ws.builder, "Orders").await;
    let created = data(
        t.gql(
            Some(&ws.builder),
            CREATE_VERSION,
            json!({ "app": app_id, "name": "v1" }),
        )
        .await,
    );
    assert_eq!(created["createAppVersion"]["status"], "DRAFT");
    assert_eq!(
        created["createAppVersion"]["environment"]["name"],
        "Development"
    );
    let v1 = created["createAppVersion"]["id"].as_str().unwrap();

    // A stale idea of where the version is: VERSION_CONFLICT, nothing moves.
    let stale = promote(&t, &ws.builder, v1, &envs[1]).await;
    assert_eq!(code(&stale), "VERSION_CONFLICT", "{stale}");
    assert!(
        stale["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is in Development, not Staging")
    );

    let to_staging = data(promote(&t, &ws.builder, v1, &envs[0]).await);
    assert_eq!(
        to_staging["promoteAppVersion"]["environment"]["name"],
        "Staging"
    );
    // The same promotion again is stale now.
    assert_eq!(
        code(&promote(&t, &ws.builder, v1, &envs[0]).await),
        "VERSION_CONFLICT"
    );
    let to_production = data(promote(&t, &ws.admin, v1, &envs[1]).await);
    assert_eq!(
        to_production["promoteAppVersion"]["environment"]["name"],
        "Production"
    );
    let beyond = promote(&t, &ws.builder, v1, &envs[2]).await;
    assert_eq!(code(&beyond), "BAD_USER_INPUT", "{beyond}");
    assert!(
        beyond["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("can't be promoted further")
    );

    let shown = app(&t, &ws.viewer, &app_id).await;
    assert_eq!(
        shown["versions"],
        json!([{ "id": v1, "name": "v1", "status": "DRAFT", "environment": { "name": "Production" } }])
    );
    assert_eq!(shown["releasedVersion"], Value::Null);
    assert_eq!(shown["releasedEnvironment"]["name"], "Production");
    // Two promotions, each audited with where the version went.
    let audited =
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE workspace_id = $1 AND action = 'VERSION_PROMOTED' AND actor IN ('bob', 'alice')",
            &[&ws.id],
        )
        .await;
    assert_eq!(audited, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn of_twenty_concurrent_promotions_of_one_version_exactly_one_wins() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let app_id = create_app(&t, &ws.builder, "Race").await;
    let version = create_version(&t, &ws.builder, &app_id, "v1").await;
    let version_uuid = uuid::Uuid::parse_str(&version).unwrap();

    // Hold the version's row lock so every promotion has to wait on it, then let go.
    let lock = HeldLock::take(
        &t.db,
        "SELECT 1 FROM app_versions WHERE id = $1 FOR UPDATE",
        &[&version_uuid],
    )
    .await;
    let pool_size = t.app.pool.status().max_size as i64;
    let expected_waiters = pool_size.min(20);
    let promotions = futures_util::future::join_all(
        (0..20).map(|_| promote(&t, &ws.builder, &version, &envs[0])),
    );
    let (responses, waiting) =
        tokio::join!(promotions, lock.release_when_waiting(expected_waiters));
    assert_eq!(
        waiting, expected_waiters,
        "the promotions did not all wait on the version's row lock"
    );
    let winners = responses
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    let conflicts = responses
        .iter()
        .filter(|r| r["errors"][0]["extensions"]["code"] == "VERSION_CONFLICT")
        .count();
    assert_eq!((winners, conflicts), (1, 19), "{responses:?}");
    let stored =
        t.db.client()
            .await
            .query_one(
                "SELECT environment_id FROM app_versions WHERE id = $1",
                &[&version_uuid],
            )
            .await
            .unwrap()
            .get::<_, uuid::Uuid>(0);
    assert_eq!(stored.to_string(), envs[1], "promoted once: to Staging");
    let audited =
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE version_id = $1 AND action = 'VERSION_PROMOTED'",
            &[&version_uuid],
        )
        .await;
    assert_eq!(audited, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn release_needs_production_in_enterprise_and_replaces_the_released_version() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let app_id = create_app(&t, &ws.builder, "Shop").await;
    let v1 = create_version(&t, &ws.builder, &app_id, "v1").await;
    let v2 = create_version(&t, &ws.builder, &app_id, "v2").await;

    let early = t.gql(Some(&ws.admin), RELEASE, json!({ "v": v1 })).await;
    assert_eq!(code(&early), "BAD_USER_INPUT");
    assert!(
        early["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Promote it to Production first")
    );

    // Production is protected: an admin promotes into it and releases.
    for v in [&v1, &v2] {
        data(promote(&t, &ws.builder, v, &envs[0]).await);
        data(promote(&t, &ws.admin, v, &envs[1]).await);
    }
    let released = data(t.gql(Some(&ws.admin), RELEASE, json!({ "v": v1 })).await);
    assert_eq!(
        released["releaseAppVersion"]["releasedVersion"],
        json!({ "id": v1, "name": "v1" })
    );
    // Releasing it again changes nothing.
    data(t.gql(Some(&ws.admin), RELEASE, json!({ "v": v1 })).await);
    let replaced = data(t.gql(Some(&ws.admin), RELEASE, json!({ "v": v2 })).await);
    assert_eq!(
        replaced["releaseAppVersion"]["releasedVersion"]["id"],
        json!(v2)
    );
    let statuses: Vec<_> = app(&t, &ws.viewer, &app_id).await["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].clone(), v["status"].clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (json!("v1"), json!("DRAFT")),
            (json!("v2"), json!("RELEASED"))
        ]
    );
    let releases =
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE workspace_id = $1 AND action = 'VERSION_RELEASED'",
            &[&ws.id],
        )
        .await;
    assert_eq!(releases, 2, "the repeated release changed nothing");

    // The database holds one released version per app whatever the code does.
    let second =
        t.db.client()
            .await
            .execute(
                "UPDATE app_versions SET status = 'released' WHERE id = $1",
                &[&uuid::Uuid::parse_str(&v1).unwrap()],
            )
            .await;
    assert!(second.is_err(), "a second released version is refused");
}

#[tokio::test(flavor = "multi_thread")]
async fn community_starts_versions_in_production_refuses_promotion_and_releases_any_version() {
    let enterprise = TestApp::new().await;
    let ws = enterprise.workspace().await;
    let envs = environment_ids(&enterprise, &ws).await;
    let app_id = create_app(&enterprise, &ws.builder, "Legacy").await;
    let in_development = create_version(&enterprise, &ws.builder, &app_id, "dev").await;

    let community = TestApp::on_same_db(&enterprise, envgate::edition::Licensing::community());
    let created = data(
        community
            .gql(
                Some(&ws.builder),
                CREATE_VERSION,
                json!({ "app": app_id, "name": "c1" }),
            )
            .await,
    );
    assert_eq!(
        created["createAppVersion"]["environment"]["name"],
        "Production"
    );
    let refused = promote(&community, &ws.builder, &in_development, &envs[0]).await;
    assert_eq!(code(&refused), "LICENSE_REQUIRED", "{refused}");
    // Community releases any version, even one left in Development.
    let released = data(
        community
            .gql(Some(&ws.builder), RELEASE, json!({ "v": in_development }))
            .await,
    );
    assert_eq!(
        released["releaseAppVersion"]["releasedVersion"]["name"],
        "dev"
    );
    assert_eq!(
        app(&community, &ws.viewer, &app_id).await["releasedEnvironment"]["name"],
        "Production"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_user_gets_back_their_own_selection_also_after_a_restart() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let app_id = create_app(&t, &ws.builder, "Dashboard").await;
    let users = [
        (
            token(ws.id, envgate::auth::Role::Builder, "dana"),
            "Development",
        ),
        (
            token(ws.id, envgate::auth::Role::Builder, "erin"),
            "Staging",
        ),
        (
            token(ws.id, envgate::auth::Role::Admin, "frank"),
            "Production",
        ),
    ];
    let newcomer = token(ws.id, envgate::auth::Role::Builder, "gina");
    // Everyone first sees the lowest environment.
    assert_eq!(
        builder_environment(&t, &users[0].0, &app_id).await,
        "Development"
    );
    // Each picks something else first, then settles: the last choice wins.
    for (i, (user, _)) in users.iter().enumerate() {
        data(
            t.gql(
                Some(user),
                SELECT,
                json!({ "app": app_id, "env": envs[2 - i] }),
            )
            .await,
        );
    }
    for (i, (user, name)) in users.iter().enumerate() {
        let selected = data(
            t.gql(Some(user), SELECT, json!({ "app": app_id, "env": envs[i] }))
                .await,
        );
        assert_eq!(
            selected["selectEnvironment"]["builderEnvironment"]["name"],
            *name
        );
    }
    let restarted = TestApp::on_same_db(&t, crate::common::enterprise());
    for (user, name) in &users {
        assert_eq!(builder_environment(&restarted, user, &app_id).await, *name);
    }
    assert_eq!(
        builder_environment(&restarted, &newcomer, &app_id).await,
        "Development"
    );
    let rows =
        t.db.count(
            "SELECT count(*) FROM environment_selections WHERE app_id = $1",
            &[&uuid::Uuid::parse_str(&app_id).unwrap()],
        )
        .await;
    assert_eq!(rows, 3, "one row per user");

    // Community: Production for everyone, a non-Production choice refused, and the
    // stored choices kept for a renewed license.
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    for (user, _) in &users {
        assert_eq!(
            builder_environment(&community, user, &app_id).await,
            "Production"
        );
    }
    let refused = community
        .gql(
            Some(&users[0].0),
            SELECT,
            json!({ "app": app_id, "env": envs[1] }),
        )
        .await;
    assert_eq!(code(&refused), "LICENSE_REQUIRED");
    let renewed = TestApp::on_same_db(&t, crate::common::enterprise());
    assert_eq!(
        builder_environment(&renewed, &users[1].0, &app_id).await,
        "Staging"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn names_are_checked_and_unique_and_viewers_and_runners_build_nothing() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let app_id = create_app(&t, &ws.admin, "Billing").await;
    let version = create_version(&t, &ws.builder, &app_id, "v1").await;
    for name in ["billing", " BILLING ", "", "a\u{7}b"] {
        let response = t
            .gql(Some(&ws.builder), CREATE_APP, json!({ "name": name }))
            .await;
        assert_eq!(code(&response), "BAD_USER_INPUT", "{name:?}: {response}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "name");
    }
    let duplicate = t
        .gql(
            Some(&ws.builder),
            CREATE_VERSION,
            json!({ "app": app_id, "name": "V1" }),
        )
        .await;
    assert_eq!(code(&duplicate), "BAD_USER_INPUT");
    // Another app may have its own v1.
    let other = create_app(&t, &ws.builder, "Other").await;
    create_version(&t, &ws.builder, &other, "v1").await;

    for role_token in [&ws.viewer, &ws.runner] {
        let attempts = [
            t.gql(Some(role_token), CREATE_APP, json!({ "name": "x" }))
                .await,
            t.gql(
                Some(role_token),
                CREATE_VERSION,
                json!({ "app": app_id, "name": "v9" }),
            )
            .await,
            promote(&t, role_token, &version, &envs[0]).await,
            t.gql(Some(role_token), RELEASE, json!({ "v": version }))
                .await,
            t.gql(
                Some(role_token),
                SELECT,
                json!({ "app": app_id, "env": envs[1] }),
            )
            .await,
        ];
        for response in attempts {
            assert_eq!(code(&response), "FORBIDDEN", "{response}");
        }
    }
    // Nothing changed: two apps, the version still a draft in Development.
    let shown = app(&t, &ws.runner, &app_id).await;
    assert_eq!(shown["versions"][0]["environment"]["name"], "Development");
    assert_eq!(
        t.db.count(
            "SELECT count(*) FROM apps WHERE workspace_id = $1",
            &[&ws.id]
        )
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apps_are_listed_by_name_and_a_page_of_100_costs_what_a_page_of_2_costs() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    // Seed 120 apps with two versions each directly: the API path is tested above.
    t.db.client()
        .await
        .batch_execute(&format!(
            "INSERT INTO apps (id, workspace_id, name) SELECT gen_random_uuid(), '{ws}', 'app-' || lpad(i::text, 3, '0') FROM generate_series(1, 120) i;
             INSERT INTO app_versions (id, workspace_id, app_id, name, environment_id, status, created_at)
             SELECT gen_random_uuid(), '{ws}', a.id, v.name, v.env::uuid, v.status, now() - v.age::interval FROM apps a
             CROSS JOIN (VALUES ('v1', '{prod}', 'released', '2 minutes'), ('v2', '{dev}', 'draft', '1 minute')) v(name, env, status, age)
             WHERE a.workspace_id = '{ws}';
             INSERT INTO environment_selections (workspace_id, app_id, user_id, environment_id)
             SELECT '{ws}', id, 'bob', '{staging}' FROM apps WHERE workspace_id = '{ws}';",
            ws = ws.id,
            dev = envs[0],
            staging = envs[1],
            prod = envs[2]
        ))
        .await
        .unwrap();
    let query = "query($first: Int, $after: String) { apps(first: $first, after: $after) { edges { cursor } nodes { id name versions { name status environment { name } } releasedVersion { name } builderEnvironment { name } releasedEnvironment { name } } pageInfo { hasNextPage endCursor } } }";
    let run = |first: i64, after: Value| {
        let t = &t;
        let token = ws.builder.clone();
        async move {
            let before = t.queries();
            let response = data(
                t.gql(
                    Some(&token),
                    query,
                    json!({ "first": first, "after": after }),
                )
                .await,
            );
            (t.queries() - before, response["apps"].clone())
        }
    };
    let (small, page) = run(2, Value::Null).await;
    let (large, full) = run(1000, Value::Null).await;
    assert_eq!(page["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(full["nodes"].as_array().unwrap().len(), 100, "capped");
    assert_eq!(small, large, "a page of 100 costs what a page of 2 costs");
    assert!(
        large <= 5,
        "apps + versions + selections + environments: {large}"
    );
    let first = &full["nodes"][0];
    assert_eq!(first["name"], "app-001");
    assert_eq!(
        first["versions"],
        json!([
            { "name": "v1", "status": "RELEASED", "environment": { "name": "Production" } },
            { "name": "v2", "status": "DRAFT", "environment": { "name": "Development" } },
        ])
    );
    assert_eq!(first["releasedVersion"]["name"], "v1");
    assert_eq!(first["builderEnvironment"]["name"], "Staging");
    // The rest after the cursor: 20 more, in name order, then no more pages.
    let (_, rest) = run(100, full["pageInfo"]["endCursor"].clone()).await;
    let names: Vec<_> = rest["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 20);
    assert_eq!(names[0], "app-101");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    // Another user's selection is theirs: the admin never chose.
    let admin_view = data(
        t.gql(
            Some(&ws.admin),
            "{ apps(first: 1) { nodes { builderEnvironment { name } } } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(
        admin_view["apps"]["nodes"][0]["builderEnvironment"]["name"],
        "Development"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_app_query_or_mutation_reaches_another_workspace() {
    let t = TestApp::new().await;
    let (ours, theirs) = (t.workspace().await, t.workspace().await);
    let (our_envs, their_envs) = (
        environment_ids(&t, &ours).await,
        environment_ids(&t, &theirs).await,
    );
    let their_app = create_app(&t, &theirs.builder, "Their app").await;
    let their_version = create_version(&t, &theirs.builder, &their_app, "tv1").await;
    let their_ds = crate::data_sources::create_pg(&t, &theirs, "Their DB").await;
    let our_app = create_app(&t, &ours.builder, "Our app").await;
    let our_version = create_version(&t, &ours.builder, &our_app, "ov1").await;
    let our_ds = crate::data_sources::create_pg(&t, &ours, "Our DB").await;
    let their_audit_before =
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE workspace_id = $1",
            &[&theirs.id],
        )
        .await;

    let list = data(
        t.gql(Some(&ours.viewer), "{ apps { nodes { name } } }", json!({}))
            .await,
    );
    assert_eq!(list["apps"]["nodes"], json!([{ "name": "Our app" }]));
    let resolve =
        "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { options } }";
    let attempts: Vec<(&str, &str, &str, Value)> = vec![
        ("read", &ours.viewer, APP, json!({ "id": their_app })),
        (
            "version",
            &ours.builder,
            CREATE_VERSION,
            json!({ "app": their_app, "name": "x" }),
        ),
        (
            "promote theirs",
            &ours.builder,
            PROMOTE,
            json!({ "v": their_version, "from": their_envs[0] }),
        ),
        (
            "promote theirs from ours",
            &ours.builder,
            PROMOTE,
            json!({ "v": their_version, "from": our_envs[0] }),
        ),
        (
            "promote ours from theirs",
            &ours.builder,
            PROMOTE,
            json!({ "v": our_version, "from": their_envs[0] }),
        ),
        (
            "release",
            &ours.builder,
            RELEASE,
            json!({ "v": their_version }),
        ),
        (
            "select their app",
            &ours.builder,
            SELECT,
            json!({ "app": their_app, "env": our_envs[1] }),
        ),
        (
            "select their environment",
            &ours.builder,
            SELECT,
            json!({ "app": our_app, "env": their_envs[1] }),
        ),
        (
            "resolve their data source",
            &ours.runner,
            resolve,
            json!({ "input": { "dataSourceId": their_ds, "appId": our_app, "target": "RELEASED" } }),
        ),
        (
            "resolve for their app",
            &ours.runner,
            resolve,
            json!({ "input": { "dataSourceId": our_ds, "appId": their_app, "target": "RELEASED" } }),
        ),
    ];
    for (what, token, query, variables) in attempts {
        let response = t.gql(Some(token), query, variables).await;
        assert_eq!(code(&response), "NOT_FOUND", "{what}: {response}");
        let text = response.to_string();
        assert!(
            !text.contains("Their") && !text.contains("tv1"),
            "{what}: {text}"
        );
    }
    // Nothing of theirs changed, and their audit log holds nothing of ours.
    let shown = app(&t, &theirs.builder, &their_app).await;
    assert_eq!(
        shown["versions"],
        json!([{ "id": their_version, "name": "tv1", "status": "DRAFT", "environment": { "name": "Development" } }])
    );
    assert_eq!(shown["builderEnvironment"]["name"], "Development");
    assert_eq!(
        t.db.count(
            "SELECT count(*) FROM environment_selections WHERE workspace_id = $1",
            &[&theirs.id]
        )
        .await,
        0
    );
    assert_eq!(
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE workspace_id = $1",
            &[&theirs.id]
        )
        .await,
        their_audit_before
    );
    // Our version did not move either.
    assert_eq!(
        app(&t, &ours.builder, &our_app).await["versions"][0]["environment"]["name"],
        "Development"
    );
}

/// An app with one version `v1`, promoted `environments_up` times (by an admin, as
/// Production is protected): (app id, version id).
pub async fn app_with_version_in(
    t: &TestApp,
    ws: &Workspace,
    environments_up: usize,
) -> (String, String) {
    let envs = environment_ids(t, ws).await;
    let app_id = create_app(t, &ws.builder, "App").await;
    let version = create_version(t, &ws.builder, &app_id, "v1").await;
    for from in envs.iter().take(environments_up) {
        data(promote(t, &ws.admin, &version, from).await);
    }
    (app_id, version)
}
