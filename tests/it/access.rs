//! Environment-scoped access (#22): each environment's rules grant permissions to a
//! role or a group from the token; every path asks them, the written page included;
//! protection still wins; a new environment copies its neighbour's rules; Community
//! runs on the defaults; one workspace never touches another's rules.

use serde_json::{Value, json};

use crate::apps::{CREATE_APP, CREATE_VERSION, PROMOTE, SELECT};
use crate::common::{TestApp, Workspace, code, data, token_in_groups};
use crate::data_sources::{OPTIONS_FIELDS, copy, create_pg, environment_ids, update};
use crate::subscriptions::{CHANGED, options_event, running, subscribe};
use envgate::auth::Role;

const SET_ACCESS: &str = "mutation($id: ID!, $rules: [EnvironmentAccessRuleInput!]!) { setEnvironmentAccess(id: $id, rules: $rules) { id name access { role group permissions } } }";
const ENVIRONMENTS: &str = "{ environments { id name myPermissions } viewer { groups } }";
const TEST: &str = "mutation($id: ID!, $env: ID!) { testDataSourceConnection(dataSourceId: $id, environmentId: $env) { ok message } }";

/// The default rules, plus `extra`.
fn defaults_and(extra: &[Value]) -> Value {
    let mut rules = vec![
        json!({ "role": "BUILDER", "permissions": ["READ_OPTIONS", "SELECT", "PROMOTE_INTO"] }),
        json!({ "role": "VIEWER", "permissions": ["READ_OPTIONS"] }),
        json!({ "role": "RUNNER", "permissions": ["READ_OPTIONS", "RESOLVE"] }),
    ];
    rules.extend_from_slice(extra);
    Value::Array(rules)
}

async fn set_access(t: &TestApp, token: &str, env: &str, rules: Value) -> Value {
    t.gql(
        Some(token),
        SET_ACCESS,
        json!({ "id": env, "rules": rules }),
    )
    .await
}

/// Each environment's name and the caller's permissions there, and their groups.
async fn my_permissions(t: &TestApp, token: &str) -> (Vec<(String, Vec<String>)>, Value) {
    let answer = data(t.gql(Some(token), ENVIRONMENTS, json!({})).await);
    let environments = answer["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let held = e["myPermissions"].as_array().unwrap();
            let held = held.iter().map(|p| p.as_str().unwrap().to_owned());
            (e["name"].as_str().unwrap().to_owned(), held.collect())
        })
        .collect();
    (environments, answer["viewer"]["groups"].clone())
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_defaults_reproduce_the_role_matrix_and_only_admins_see_or_set_rules() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let expected: [(&str, &[&str]); 4] = [
        (
            &ws.admin,
            &[
                "READ_OPTIONS",
                "EDIT_OPTIONS",
                "TEST_CONNECTION",
                "SELECT",
                "PROMOTE_INTO",
                "RESOLVE",
            ],
        ),
        (&ws.builder, &["READ_OPTIONS", "SELECT", "PROMOTE_INTO"]),
        (&ws.viewer, &["READ_OPTIONS"]),
        (&ws.runner, &["READ_OPTIONS", "RESOLVE"]),
    ];
    for (token, held) in expected {
        let (environments, groups) = my_permissions(&t, token).await;
        assert_eq!(environments.len(), 3);
        for (name, permissions) in environments {
            assert_eq!(permissions, names(held), "{name}");
        }
        assert_eq!(groups, json!([]));
    }
    let grouped = token_in_groups(ws.id, Role::Builder, "dana", &["dev-editors", "qa"]);
    assert_eq!(
        my_permissions(&t, &grouped).await.1,
        json!(["dev-editors", "qa"])
    );

    let access = "{ environments { name access { role group permissions } } }";
    let answer = data(t.gql(Some(&ws.admin), access, json!({})).await);
    for environment in answer["environments"].as_array().unwrap() {
        let rules = &environment["access"];
        assert_eq!(
            *rules,
            json!([
                { "role": "BUILDER", "group": null, "permissions": ["READ_OPTIONS", "SELECT", "PROMOTE_INTO"] },
                { "role": "VIEWER", "group": null, "permissions": ["READ_OPTIONS"] },
                { "role": "RUNNER", "group": null, "permissions": ["READ_OPTIONS", "RESOLVE"] },
            ])
        );
    }
    let answer = t.gql(Some(&ws.builder), access, json!({})).await;
    assert_eq!(code(&answer), "FORBIDDEN", "{answer}");

    // Only admins set rules, and only valid ones; each change is audited.
    let envs = environment_ids(&t, &ws).await;
    let rules = defaults_and(&[json!({ "group": "qa", "permissions": ["TEST_CONNECTION"] })]);
    let answer = set_access(&t, &ws.builder, &envs[0], rules.clone()).await;
    assert_eq!(code(&answer), "FORBIDDEN", "{answer}");
    for bad in [
        json!([{ "role": "BUILDER", "group": "qa", "permissions": [] }]),
        json!([{ "permissions": ["SELECT"] }]),
        json!([{ "role": "ADMIN", "permissions": ["SELECT"] }]),
        json!([{ "group": "", "permissions": ["SELECT"] }]),
        json!([{ "group": "qa", "permissions": [] }, { "group": "qa", "permissions": ["SELECT"] }]),
    ] {
        let answer = set_access(&t, &ws.admin, &envs[0], bad.clone()).await;
        assert_eq!(code(&answer), "BAD_USER_INPUT", "{bad} {answer}");
        assert_eq!(answer["errors"][0]["extensions"]["field"], "rules");
    }
    let set = data(set_access(&t, &ws.admin, &envs[0], rules).await);
    assert_eq!(
        set["setEnvironmentAccess"]["access"][3],
        json!({ "role": null, "group": "qa", "permissions": ["TEST_CONNECTION"] })
    );
    let audited = t
        .db
        .count(
            "SELECT count(*) FROM audit_events WHERE action = 'ENVIRONMENT_ACCESS_CHANGED' AND environment_id = $1",
            &[&uuid::Uuid::parse_str(&envs[0]).unwrap()],
        )
        .await;
    assert_eq!(audited, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_edits_and_tests_development_and_staging_options_but_never_production() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let id = create_pg(&t, &ws, "Orders DB").await;
    let editors =
        json!({ "group": "dev-editors", "permissions": ["EDIT_OPTIONS", "TEST_CONNECTION"] });
    for env in &envs[..2] {
        data(
            set_access(
                &t,
                &ws.admin,
                env,
                defaults_and(std::slice::from_ref(&editors)),
            )
            .await,
        );
    }
    let editor = token_in_groups(ws.id, Role::Builder, "erin", &["dev-editors"]);
    let save = |env: &str| {
        json!({ "dataSourceId": id, "environmentId": env, "options": [
            { "key": "host", "value": "dev.internal" }, { "key": "password", "value": "dev-pw" }] })
    };
    // Development and Staging: saved, copied, tested.
    for env in &envs[..2] {
        let saved = update(&t, &editor, save(env)).await;
        assert!(saved["errors"].is_null(), "{saved}");
    }
    let copied = copy(
        &t,
        &editor,
        json!({ "dataSourceId": id, "fromEnvironmentId": envs[0], "toEnvironmentId": envs[1], "includeSecrets": true }),
    )
    .await;
    assert!(copied["errors"].is_null(), "{copied}");
    let tested = t
        .gql(Some(&editor), TEST, json!({ "id": id, "env": envs[1] }))
        .await;
    assert!(tested["errors"].is_null(), "{tested}");
    // Production: neither saved, copied into nor tested.
    let refused = update(&t, &editor, save(&envs[2])).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Production"),
        "{refused}"
    );
    let refused = copy(
        &t,
        &editor,
        json!({ "dataSourceId": id, "fromEnvironmentId": envs[0], "toEnvironmentId": envs[2], "includeSecrets": true }),
    )
    .await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    let refused = t
        .gql(Some(&editor), TEST, json!({ "id": id, "env": envs[2] }))
        .await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    // A builder outside the group edits nothing, and the group creates nothing.
    let refused = update(&t, &ws.builder, save(&envs[0])).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    let create = json!({ "input": { "name": "More", "kind": "restapi", "options": [{ "key": "url", "value": "https://x.example" }] } });
    let refused = t
        .gql(Some(&editor), crate::data_sources::CREATE, create)
        .await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    // Production kept the admin's values.
    let production = data(
        t.gql(
            Some(&ws.admin),
            &format!("{{ dataSource(id: \"{id}\") {{ options(environmentId: \"{}\") {{ values {{ key value }} }} }} }}", envs[2]),
            json!({}),
        )
        .await,
    );
    assert!(
        production.to_string().contains("db.internal"),
        "{production}"
    );
}

/// Production's rules without the builders: they keep nothing there but promotion.
async fn hide_production_from_builders(t: &TestApp, ws: &Workspace, production: &str) {
    let rules = json!([
        { "role": "BUILDER", "permissions": ["PROMOTE_INTO"] },
        { "role": "VIEWER", "permissions": ["READ_OPTIONS"] },
        { "role": "RUNNER", "permissions": ["READ_OPTIONS", "RESOLVE"] },
    ]);
    data(set_access(t, &ws.admin, production, rules).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn production_hidden_from_builders_in_every_read_path_the_written_page_included() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let id = create_pg(&t, &ws, "Orders DB").await;
    let constant = "mutation($values: [ConstantValueInput!]!) { createConstant(name: \"REGION\", type: GLOBAL, values: $values) { id } }";
    let values: Vec<Value> = envs
        .iter()
        .map(|e| json!({ "environmentId": e, "value": format!("region-{e}") }))
        .collect();
    data(
        t.gql(Some(&ws.admin), constant, json!({ "values": values }))
            .await,
    );
    // A builder chose Production before the rules changed.
    let app = data(
        t.gql(Some(&ws.builder), CREATE_APP, json!({ "name": "Shop" }))
            .await,
    )["createApp"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    data(
        t.gql(
            Some(&ws.builder),
            SELECT,
            json!({ "app": app, "env": envs[2] }),
        )
        .await,
    );
    hide_production_from_builders(&t, &ws, &envs[2]).await;

    // The environments list still names Production: only its options are hidden.
    let (environments, _) = my_permissions(&t, &ws.builder).await;
    assert_eq!(
        environments[2],
        ("Production".into(), names(&["PROMOTE_INTO"]))
    );
    // DataSource.environments and WorkspaceConstant.values leave it out.
    let lists = "{ dataSources(first: 10) { nodes { environments { environment { name } } } } constants { values { environment { name } value } } }";
    let answer = data(t.gql(Some(&ws.builder), lists, json!({})).await);
    let text = answer.to_string();
    assert!(!text.contains("Production"), "{text}");
    assert!(!text.contains(&format!("region-{}", envs[2])), "{text}");
    assert!(text.contains("Staging"), "{text}");
    // options(environmentId:) is FORBIDDEN, one data source or a whole page; the page,
    // which is written straight to JSON when the caller may read it, is then resolved.
    let one = format!(
        "{{ dataSource(id: \"{id}\") {{ options(environmentId: \"{}\") {{ {OPTIONS_FIELDS} }} }} }}",
        envs[2]
    );
    let page = format!(
        "{{ dataSources(first: 10) {{ nodes {{ id options(environmentId: \"{}\") {{ values {{ key value }} }} }} }} }}",
        envs[2]
    );
    for query in [&one, &page] {
        let answer = t.gql(Some(&ws.builder), query, json!({})).await;
        assert_eq!(code(&answer), "FORBIDDEN", "{answer}");
        assert!(!answer.to_string().contains("db.internal"), "{answer}");
    }
    // Admins and viewers still read it; the written page for them holds the values.
    for token in [&ws.admin, &ws.viewer] {
        let answer = t.gql(Some(token), &page, json!({})).await;
        assert!(answer["errors"].is_null(), "{answer}");
        assert!(answer.to_string().contains("db.internal"), "{answer}");
    }
    // Selecting it is FORBIDDEN, and the stored choice reads as the lowest environment
    // the builder may select.
    let answer = t
        .gql(
            Some(&ws.builder),
            SELECT,
            json!({ "app": app, "env": envs[2] }),
        )
        .await;
    assert_eq!(code(&answer), "FORBIDDEN", "{answer}");
    let builder_environment =
        format!("{{ app(id: \"{app}\") {{ builderEnvironment {{ name }} }} }}");
    let answer = data(
        t.gql(Some(&ws.builder), &builder_environment, json!({}))
            .await,
    );
    assert_eq!(answer["app"]["builderEnvironment"]["name"], "Development");

    // Subscriptions: a change in Production is not sent, one in Staging is.
    let url = crate::websocket::serve(&t).await;
    let mut socket = subscribe(&url, &ws.builder, CHANGED, json!({ "id": id })).await;
    running(&t, 1).await;
    for env in [&envs[2], &envs[1]] {
        let input = json!({ "dataSourceId": id, "environmentId": env, "options": [{ "key": "username", "value": "changed" }] });
        data(update(&t, &ws.admin, input).await);
    }
    let (event, text) = options_event(&mut socket).await;
    assert_eq!(event["environment"]["name"], "Staging", "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staging_only_runner_resolves_in_staging_and_nowhere_else() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let id = create_pg(&t, &ws, "Orders DB").await;
    let staging_options = json!({ "dataSourceId": id, "environmentId": envs[1], "options": [
        { "key": "host", "value": "staging.internal" }, { "key": "password", "value": "staging-pw" }] });
    data(update(&t, &ws.admin, staging_options).await);
    let no_resolve = json!([
        { "role": "BUILDER", "permissions": ["READ_OPTIONS", "SELECT", "PROMOTE_INTO"] },
        { "role": "RUNNER", "permissions": ["READ_OPTIONS"] },
    ]);
    for env in [&envs[0], &envs[2]] {
        data(set_access(&t, &ws.admin, env, no_resolve.clone()).await);
    }
    let (app, _) = crate::apps::app_with_version_in(&t, &ws, 0).await;
    for (user, env) in [("sam", &envs[1]), ("pat", &envs[0])] {
        let token = token_in_groups(ws.id, Role::Builder, user, &[]);
        data(
            t.gql(Some(&token), SELECT, json!({ "app": app, "env": env }))
                .await,
        );
    }
    let resolve = "query($input: ResolveDataSourceInput!) { resolveDataSource(input: $input) { environment { name } options } }";
    let input = |target: &str, user: &str| json!({ "input": { "dataSourceId": id, "appId": app, "target": target, "userId": user } });
    let answer = data(
        t.gql(Some(&ws.runner), resolve, input("BUILDER", "sam"))
            .await,
    );
    assert_eq!(
        answer["resolveDataSource"]["environment"]["name"],
        "Staging"
    );
    assert_eq!(
        answer["resolveDataSource"]["options"]["password"],
        "staging-pw"
    );
    for (target, user) in [("BUILDER", "pat"), ("RELEASED", "sam")] {
        let answer = t.gql(Some(&ws.runner), resolve, input(target, user)).await;
        assert_eq!(code(&answer), "FORBIDDEN", "{target} {answer}");
        assert!(!answer.to_string().contains("prod-secret"), "{answer}");
    }
    // The runner's refusals are audited like its other calls.
    let refused = t
        .db
        .count(
            "SELECT count(*) FROM audit_events WHERE action = 'DATA_SOURCE_RESOLVED' AND details->>'outcome' = 'FORBIDDEN'",
            &[],
        )
        .await;
    assert_eq!(refused, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn protection_wins_over_the_rules_and_promotion_follows_them() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let releasers = json!({ "group": "releasers", "permissions": ["PROMOTE_INTO"] });
    data(set_access(&t, &ws.admin, &envs[2], defaults_and(&[releasers])).await);
    // Builders may no longer promote into Staging.
    let no_promote = json!([{ "role": "BUILDER", "permissions": ["READ_OPTIONS", "SELECT"] }]);
    data(set_access(&t, &ws.admin, &envs[1], no_promote).await);
    let releaser = token_in_groups(ws.id, Role::Builder, "rita", &["releasers"]);
    let app = data(
        t.gql(Some(&releaser), CREATE_APP, json!({ "name": "Shop" }))
            .await,
    )["createApp"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = data(
        t.gql(
            Some(&releaser),
            CREATE_VERSION,
            json!({ "app": app, "name": "v1" }),
        )
        .await,
    )["createAppVersion"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let promote = async |token: &str, from: &str| {
        let variables = json!({ "v": version, "from": from });
        t.gql(Some(token), PROMOTE, variables).await
    };
    let answer = promote(&releaser, &envs[0]).await;
    assert_eq!(code(&answer), "FORBIDDEN", "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Staging"),
        "{answer}"
    );
    data(promote(&ws.admin, &envs[0]).await);
    // The group may promote into Production by its rules, but Production is protected.
    let answer = promote(&releaser, &envs[1]).await;
    assert_eq!(code(&answer), "FORBIDDEN", "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("protected"),
        "{answer}"
    );
    // Unprotected, the rule is enough.
    let unprotect =
        "mutation($id: ID!) { setEnvironmentProtected(id: $id, protected: false) { protected } }";
    data(
        t.gql(Some(&ws.admin), unprotect, json!({ "id": envs[2] }))
            .await,
    );
    let promoted = data(promote(&releaser, &envs[1]).await);
    assert_eq!(
        promoted["promoteAppVersion"]["environment"]["name"],
        "Production"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_environment_copies_the_rules_of_the_one_it_follows() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let staging_rules = defaults_and(&[json!({ "group": "qa", "permissions": ["EDIT_OPTIONS"] })]);
    data(set_access(&t, &ws.admin, &envs[1], staging_rules).await);
    let create = "mutation($name: String!, $after: ID!) { createEnvironment(input: { name: $name, after: $after }) { access { role group permissions } } }";
    for (name, after, has_qa) in [("QA", &envs[1], true), ("Sandbox", &envs[0], false)] {
        let created = data(
            t.gql(
                Some(&ws.admin),
                create,
                json!({ "name": name, "after": after }),
            )
            .await,
        );
        let rules = created["createEnvironment"]["access"].to_string();
        assert_eq!(rules.contains("\"qa\""), has_qa, "{name}: {rules}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn community_runs_on_the_default_rules_and_cant_set_any() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let id = create_pg(&t, &ws, "Orders DB").await;
    hide_production_from_builders(&t, &ws, &envs[2]).await;
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    // Production's stored rules are kept, not in effect: builders read it again.
    let one = format!(
        "{{ dataSource(id: \"{id}\") {{ options(environmentId: \"{}\") {{ values {{ key value }} }} }} }}",
        envs[2]
    );
    let answer = data(community.gql(Some(&ws.builder), &one, json!({})).await);
    assert!(answer.to_string().contains("db.internal"), "{answer}");
    let (environments, _) = my_permissions(&community, &ws.builder).await;
    assert_eq!(
        environments,
        vec![(
            "Production".to_owned(),
            names(&["READ_OPTIONS", "SELECT", "PROMOTE_INTO"])
        )]
    );
    let answer = set_access(&community, &ws.admin, &envs[2], defaults_and(&[])).await;
    assert_eq!(code(&answer), "LICENSE_REQUIRED", "{answer}");
    // With the license back, the stored rules are in effect again.
    let answer = t.gql(Some(&ws.builder), &one, json!({})).await;
    assert_eq!(code(&answer), "FORBIDDEN", "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_workspace_never_sees_nor_sets_anothers_rules() {
    let t = TestApp::new().await;
    let ours = t.workspace().await;
    let theirs = t.workspace().await;
    let their_envs = environment_ids(&t, &theirs).await;
    let hidden = json!([{ "group": "secret-group", "permissions": ["EDIT_OPTIONS"] }]);
    data(set_access(&t, &theirs.admin, &their_envs[0], hidden.clone()).await);
    let answer = set_access(&t, &ours.admin, &their_envs[0], defaults_and(&[])).await;
    assert_eq!(code(&answer), "NOT_FOUND", "{answer}");
    let answer = data(
        t.gql(
            Some(&ours.admin),
            "{ environments { access { group } } }",
            json!({}),
        )
        .await,
    );
    assert!(!answer.to_string().contains("secret-group"), "{answer}");
    let answer = data(
        t.gql(
            Some(&theirs.admin),
            "{ environments { name access { group } } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(
        answer["environments"][0]["access"][0]["group"],
        "secret-group"
    );
    // A token naming their group gains nothing in our workspace.
    let outsider = token_in_groups(ours.id, Role::Viewer, "vic", &["secret-group"]);
    let (environments, _) = my_permissions(&t, &outsider).await;
    assert!(
        environments
            .iter()
            .all(|(_, held)| *held == names(&["READ_OPTIONS"]))
    );
}
