//! Configuration as code: `workspaceConfig` exports a workspace as one stable document
//! without secrets, `applyWorkspaceConfig` makes a workspace match one (dry run, all
//! or nothing, prune, idempotent), admins only, in the caller's workspace only.

use serde_json::{Value, json};

use crate::common::{TestApp, Workspace, code, data};
use crate::data_sources::{CREATE, environment_ids, options, update, value_of};

pub const EXPORT: &str = "{ workspaceConfig }";
pub const APPLY: &str = "mutation($config: JSON!, $dryRun: Boolean!, $prune: Boolean!) {
    applyWorkspaceConfig(config: $config, dryRun: $dryRun, prune: $prune) { applied changes { action target detail } } }";
const CREATE_CONSTANT: &str = "mutation($name: String!, $type: ConstantType!, $values: [ConstantValueInput!]!) { createConstant(name: $name, type: $type, values: $values) { id } }";
const CREATE_ENVIRONMENT: &str =
    "mutation($input: CreateEnvironmentInput!) { createEnvironment(input: $input) { id } }";
const SET_ACCESS: &str = "mutation($id: ID!, $rules: [EnvironmentAccessRuleInput!]!) { setEnvironmentAccess(id: $id, rules: $rules) { id } }";
const AUDIT: &str = "query($filter: AuditFilter) { auditEvents(first: 100, filter: $filter) { nodes { action details } } }";

/// The export's raw response text and its document.
pub async fn export(t: &TestApp, token: &str) -> (String, Value) {
    let response = t
        .request(crate::common::post(
            Some(token),
            &json!({ "query": EXPORT }),
        ))
        .await;
    let document = data(response.json())["workspaceConfig"].clone();
    (response.body, document)
}

pub async fn apply(t: &TestApp, token: &str, config: &Value, dry_run: bool, prune: bool) -> Value {
    let variables = json!({ "config": config, "dryRun": dry_run, "prune": prune });
    t.gql(Some(token), APPLY, variables).await
}

/// The plan's lines that change something.
pub fn changed(plan: &Value) -> Vec<String> {
    lines(plan)
        .into_iter()
        .filter(|l| !l.starts_with("UNCHANGED"))
        .collect()
}

/// The plan's changes as `ACTION target` lines (with the detail after a colon).
pub fn lines(plan: &Value) -> Vec<String> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| match c["detail"].as_str() {
            Some(detail) => format!(
                "{} {}: {detail}",
                c["action"].as_str().unwrap(),
                c["target"].as_str().unwrap()
            ),
            None => format!(
                "{} {}",
                c["action"].as_str().unwrap(),
                c["target"].as_str().unwrap()
            ),
        })
        .collect()
}

async fn audit_actions(t: &TestApp, ws: &Workspace) -> Vec<(String, Value)> {
    let page = data(t.gql(Some(&ws.admin), AUDIT, json!({})).await);
    page["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["action"].as_str().unwrap().to_owned(),
                n["details"].clone(),
            )
        })
        .collect()
}

/// A workspace with a custom environment QA after Staging (its access narrowed),
/// Production unprotected, two data sources (one REST API whose URL references a
/// constant), a GLOBAL and a SECRET constant; returns the environment ids, QA's
/// included, and the data sources' ids.
pub async fn seed(t: &TestApp, ws: &Workspace) -> (Vec<String>, String, String) {
    let envs = environment_ids(t, ws).await;
    let qa = data(
        t.gql(
            Some(&ws.admin),
            CREATE_ENVIRONMENT,
            json!({ "input": { "name": "QA", "after": envs[1] } }),
        )
        .await,
    )["createEnvironment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    data(t.gql(Some(&ws.admin), SET_ACCESS, json!({ "id": qa, "rules": [{ "group": "qa-team", "permissions": ["READ_OPTIONS", "EDIT_OPTIONS"] }, { "role": "BUILDER", "permissions": ["READ_OPTIONS"] }] })).await);
    data(
        t.gql(
            Some(&ws.admin),
            "mutation($id: ID!) { setEnvironmentProtected(id: $id, protected: false) { id } }",
            json!({ "id": envs[2] }),
        )
        .await,
    );
    data(
        t.gql(
            Some(&ws.admin),
            "mutation($id: ID!) { setEnvironmentApprovals(id: $id, requiredApprovals: 2) { id } }",
            json!({ "id": qa }),
        )
        .await,
    );
    let envs = environment_ids(t, ws).await;
    let values = |texts: [&str; 4]| {
        json!(
            envs.iter()
                .zip(texts)
                .map(|(e, v)| json!({ "environmentId": e, "value": v }))
                .collect::<Vec<_>>()
        )
    };
    data(t.gql(Some(&ws.admin), CREATE_CONSTANT, json!({ "name": "API_HOST", "type": "GLOBAL", "values": values(["dev.api", "staging.api", "qa.api", "api"]) })).await);
    data(t.gql(Some(&ws.admin), CREATE_CONSTANT, json!({ "name": "API_TOKEN", "type": "SECRET", "values": [{ "environmentId": envs[3], "value": "tok-prod-7f3c" }] })).await);
    let orders = json!({ "name": "orders-db", "kind": "postgresql", "options": [
        { "key": "host", "value": "db.internal" }, { "key": "database", "value": "orders" },
        { "key": "username", "value": "app" }, { "key": "password", "value": "pg-prod-91ab" } ] });
    let orders = data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": orders }))
            .await,
    )["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let staging = json!({ "dataSourceId": orders, "environmentId": envs[1], "options": [{ "key": "host", "value": "staging.internal" }, { "key": "password", "value": "pg-staging-22cd" }] });
    data(update(t, &ws.admin, staging).await);
    let api = json!({ "name": "billing-api", "kind": "restapi", "options": [
        { "key": "url", "value": "https://{{constants.API_HOST}}/v1" }, { "key": "headers", "value": { "secret": "not a secret marker" } },
        { "key": "bearer_token", "value": "{{secrets.API_TOKEN}}" } ] });
    let api = data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": api }))
            .await,
    )["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (envs, orders, api)
}

const SECRETS: [&str; 3] = ["tok-prod-7f3c", "pg-prod-91ab", "pg-staging-22cd"];

#[tokio::test(flavor = "multi_thread")]
async fn an_export_is_stable_and_applied_to_its_own_workspace_changes_nothing() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let (envs, orders, _) = seed(&t, &ws).await;
    let (first, document) = export(&t, &ws.admin).await;
    let (second, _) = export(&t, &ws.admin).await;
    assert_eq!(
        first, second,
        "two exports of an unchanged workspace are byte-identical"
    );
    for secret in SECRETS {
        assert!(!first.contains(secret), "a secret in the export: {first}");
    }
    assert_eq!(document["version"], 1);
    let names: Vec<&str> = document["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Development", "Staging", "QA", "Production"]);
    assert_eq!(
        document["environments"][2]["access"],
        json!([{ "group": "qa-team", "permissions": ["READ_OPTIONS", "EDIT_OPTIONS"] }, { "role": "builder", "permissions": ["READ_OPTIONS"] }])
    );
    assert_eq!(document["environments"][3]["protected"], false);
    assert_eq!(document["environments"][2]["requiredApprovals"], 2);
    assert_eq!(document["environments"][3]["requiredApprovals"], 0);
    let sources: Vec<&str> = document["dataSources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["billing-api", "orders-db"]);
    let orders_doc = &document["dataSources"][1];
    assert_eq!(
        orders_doc["options"]["Staging"],
        json!({ "host": "staging.internal", "port": 5432, "database": "orders", "username": "app", "password": { "secret": "SET" }, "ssl_mode": "prefer" })
    );
    assert_eq!(
        orders_doc["options"]["Development"]["password"],
        Value::Null,
        "unset secrets are left out"
    );
    assert_eq!(
        document["dataSources"][0]["options"]["Production"]["headers"],
        json!({ "secret": "not a secret marker" })
    );
    assert_eq!(
        document["constants"],
        json!([{ "name": "API_HOST", "type": "GLOBAL", "values": { "Development": "dev.api", "Staging": "staging.api", "QA": "qa.api", "Production": "api" } },
               { "name": "API_TOKEN", "type": "SECRET", "values": { "Production": { "secret": "SET" } } }])
    );

    let before = options(&t, &ws.admin, &orders, &envs[1]).await["revision"].clone();
    let audit_before = audit_actions(&t, &ws).await.len();
    for dry_run in [true, false] {
        let plan =
            data(apply(&t, &ws.admin, &document, dry_run, true).await)["applyWorkspaceConfig"]
                .clone();
        assert_eq!(plan["applied"], !dry_run);
        assert_eq!(changed(&plan), Vec::<String>::new());
        assert!(
            lines(&plan).contains(&"UNCHANGED data source orders-db, Staging, password".to_owned())
        );
    }
    assert_eq!(
        options(&t, &ws.admin, &orders, &envs[1]).await["revision"],
        before,
        "no revision bumped"
    );
    assert_eq!(
        audit_actions(&t, &ws).await.len(),
        audit_before,
        "nothing changed, nothing audited"
    );
    let (third, _) = export(&t, &ws.admin).await;
    assert_eq!(first, third);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_copied_into_an_empty_one_with_secrets_given_as_strings() {
    let t = TestApp::new().await;
    let source = t.workspace().await;
    let target = t.workspace().await;
    seed(&t, &source).await;
    let (_, document) = export(&t, &source.admin).await;
    let (before, _) = export(&t, &target.admin).await;

    // A dry run plans and writes nothing.
    let plan = data(apply(&t, &target.admin, &document, true, false).await)["applyWorkspaceConfig"]
        .clone();
    assert_eq!(plan["applied"], false);
    let planned = lines(&plan);
    for line in [
        "CREATE environment QA: after Staging",
        "UPDATE environment QA, access: group qa-team: READ_OPTIONS, EDIT_OPTIONS; builder: READ_OPTIONS",
        "UPDATE environment QA, requiredApprovals: 0 → 2",
        "UPDATE environment Production, protected: true → false",
        "CREATE constant API_HOST: GLOBAL",
        "CREATE constant API_HOST, QA: \"qa.api\"",
        "UNCHANGED constant API_TOKEN, Production: SET in the document, not set here: stays unset",
        "CREATE data source orders-db: postgresql in Production",
        "CREATE data source orders-db, Staging, host: \"staging.internal\"",
        "UNCHANGED data source orders-db, Production, password: SET in the document, not set here: stays unset",
    ] {
        assert!(
            planned.contains(&line.to_owned()),
            "{line} not in {planned:#?}"
        );
    }
    assert_eq!(
        export(&t, &target.admin).await.0,
        before,
        "a dry run writes nothing"
    );

    // Applied: everything is there but the secrets, which stay unset.
    let plan =
        data(apply(&t, &target.admin, &document, false, false).await)["applyWorkspaceConfig"]
            .clone();
    assert_eq!(
        (plan["applied"].as_bool(), lines(&plan)),
        (Some(true), planned.clone())
    );
    let (_, copied) = export(&t, &target.admin).await;
    assert_eq!(copied["environments"], document["environments"]);
    assert_eq!(copied["constants"][0], document["constants"][0]);
    assert_eq!(
        copied["constants"][1]["values"],
        json!({}),
        "API_TOKEN has no value here"
    );
    let orders = &copied["dataSources"][1];
    assert_eq!(orders["options"]["Staging"]["host"], "staging.internal");
    assert_eq!(orders["options"]["Production"]["password"], Value::Null);
    assert_eq!(
        copied["dataSources"][0]["options"]["Production"]["url"],
        "https://{{constants.API_HOST}}/v1"
    );
    let audit = audit_actions(&t, &target).await;
    let (_, details) = audit.iter().find(|(a, _)| a == "CONFIG_APPLIED").unwrap();
    assert_eq!(
        details["created"],
        planned.iter().filter(|l| l.starts_with("CREATE")).count()
    );
    assert!(audit.iter().any(|(a, _)| a == "DATA_SOURCE_CREATED"));
    assert!(audit.iter().any(|(a, _)| a == "ENVIRONMENT_CREATED"));

    // Strings set secrets; the plan says SET, never the value; applied again, nothing.
    let mut with_secrets = document.clone();
    with_secrets["dataSources"][1]["options"]["Production"]["password"] = json!("pg-copied-5b7e");
    with_secrets["constants"][1]["values"]["Production"] = json!("tok-copied-6c8f");
    let response = apply(&t, &target.admin, &with_secrets, false, false).await;
    let text = response.to_string();
    let plan = data(response)["applyWorkspaceConfig"].clone();
    assert_eq!(
        changed(&plan),
        [
            "CREATE constant API_TOKEN, Production: SET",
            "CREATE data source orders-db, Production, password: SET"
        ]
    );
    assert!(
        !text.contains("pg-copied-5b7e") && !text.contains("tok-copied-6c8f"),
        "{text}"
    );
    let again =
        data(apply(&t, &target.admin, &with_secrets, false, false).await)["applyWorkspaceConfig"]
            .clone();
    assert_eq!(changed(&again), Vec::<String>::new());
    let (_, copied) = export(&t, &target.admin).await;
    assert_eq!(
        copied["dataSources"][1]["options"]["Production"]["password"],
        json!({ "secret": "SET" })
    );
    assert_eq!(
        copied["constants"][1]["values"]["Production"],
        json!({ "secret": "SET" })
    );
    // The source workspace is as it was.
    assert_eq!(export(&t, &source.admin).await.1, document);
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_is_needed_to_delete_what_the_document_leaves_out() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let (envs, orders, _) = seed(&t, &ws).await;
    let (_, full) = export(&t, &ws.admin).await;
    let mut smaller = full.clone();
    // billing-api, API_TOKEN and QA left out (API_HOST stays: orders-db does not use it,
    // but it is listed); orders-db's Staging database left out.
    smaller["dataSources"].as_array_mut().unwrap().remove(0);
    smaller["constants"].as_array_mut().unwrap().remove(1);
    smaller["environments"].as_array_mut().unwrap().remove(2);
    smaller["dataSources"][0]["options"]
        .as_object_mut()
        .unwrap()
        .shift_remove("QA");
    smaller["constants"][0]["values"]
        .as_object_mut()
        .unwrap()
        .shift_remove("QA");
    smaller["dataSources"][0]["options"]["Staging"]
        .as_object_mut()
        .unwrap()
        .shift_remove("database");

    let kept =
        data(apply(&t, &ws.admin, &smaller, false, false).await)["applyWorkspaceConfig"].clone();
    assert_eq!(changed(&kept), Vec::<String>::new());
    assert_eq!(
        export(&t, &ws.admin).await.1,
        full,
        "without prune nothing is deleted"
    );

    let plan =
        data(apply(&t, &ws.admin, &smaller, true, true).await)["applyWorkspaceConfig"].clone();
    let deleted = changed(&plan);
    assert_eq!(
        deleted,
        [
            "DELETE environment QA",
            "DELETE constant API_TOKEN",
            "DELETE data source orders-db, Staging, database: \"orders\" → unset",
            "DELETE data source billing-api",
        ]
    );
    assert_eq!(
        export(&t, &ws.admin).await.1,
        full,
        "a dry run deletes nothing"
    );
    let plan =
        data(apply(&t, &ws.admin, &smaller, false, true).await)["applyWorkspaceConfig"].clone();
    assert_eq!(changed(&plan), deleted);
    assert_eq!(
        export(&t, &ws.admin).await.1,
        smaller,
        "the workspace matches the document"
    );
    let staging = options(&t, &ws.admin, &orders, &envs[1]).await;
    assert_eq!(value_of(&staging, "database")["isSet"], false);
    assert_eq!(staging["configured"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_document_changes_nothing_and_names_every_problem() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    seed(&t, &ws).await;
    let (before, document) = export(&t, &ws.admin).await;
    let mut bad = document.clone();
    let sources = bad["dataSources"].as_array_mut().unwrap();
    sources.push(json!({ "name": "fresh-db", "kind": "postgresql", "options": { "Production": { "host": "h", "database": "d", "username": "u" } } }));
    sources.push(json!({ "name": "mystery", "kind": "oracle" }));
    sources[1]["options"]["Staging"]["port"] = json!("5432");
    sources[1]["options"]["Staging"]["host"] = json!("{{constants.NO_SUCH}}");
    sources[1]["options"]["Nowhere"] = json!({});
    sources[1]["options"]["Production"]["password"] =
        json!({ "secret": { "fromEnv": "PG_PASSWORD" } });
    bad["constants"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "9lives", "type": "GLOBAL" }));
    bad["constants"][0]["type"] = json!("SECRET");
    bad["environments"].as_array_mut().unwrap().swap(0, 1);
    bad["environments"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "Later" }));
    bad["environments"][2]["requiredApprovals"] = json!(9);

    let response = apply(&t, &ws.admin, &bad, false, false).await;
    assert_eq!(code(&response), "BAD_USER_INPUT", "{response}");
    let problems: Vec<(String, String)> = response["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["item"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut items: Vec<&str> = problems.iter().map(|(item, _)| item.as_str()).collect();
    items.dedup();
    assert_eq!(
        items,
        [
            "environment Development",
            "environment QA",
            "environment Production",
            "environment Later",
            "constant API_HOST",
            "constant 9lives",
            // Its URL references API_HOST, which the document makes SECRET.
            "data source billing-api",
            "data source orders-db",
            "data source mystery",
        ],
        "{problems:#?}"
    );
    let message = response["errors"][0]["message"].as_str().unwrap();
    for expected in [
        "keep their order",
        "`requiredApprovals` must be between 0 and 5",
        "stays last",
        "Option `port` must be an integer",
        "NO_SUCH",
        "fromEnv",
        "Nowhere",
        "would send the stored credentials",
        "oracle",
        "type can't change",
    ] {
        assert!(message.contains(expected), "{expected} not in {message}");
    }
    assert_eq!(export(&t, &ws.admin).await.0, before, "nothing was changed");

    // Refused while running (a rule only the domain function can check): all or
    // nothing, the data source created before it is gone too.
    let app = data(
        t.gql(
            Some(&ws.admin),
            "mutation { createApp(name: \"Shop\") { id } }",
            json!({}),
        )
        .await,
    )["createApp"]["id"]
        .clone();
    data(
        t.gql(
            Some(&ws.admin),
            "mutation($id: ID!) { createAppVersion(appId: $id, name: \"v1\") { id } }",
            json!({ "id": app }),
        )
        .await,
    );
    let qa_holds = t
        .db
        .client()
        .await
        .execute(
            "UPDATE app_versions SET environment_id = (SELECT id FROM environments WHERE workspace_id = $1 AND name = 'QA') WHERE workspace_id = $1",
            &[&ws.id],
        )
        .await
        .unwrap();
    assert_eq!(qa_holds, 1);
    let mut without_qa = document.clone();
    without_qa["environments"].as_array_mut().unwrap().remove(2);
    for source in without_qa["dataSources"].as_array_mut().unwrap() {
        source["options"]
            .as_object_mut()
            .unwrap()
            .shift_remove("QA");
    }
    without_qa["constants"][0]["values"]
        .as_object_mut()
        .unwrap()
        .shift_remove("QA");
    without_qa["dataSources"].as_array_mut().unwrap().push(json!({ "name": "fresh-db", "kind": "postgresql", "options": { "Production": { "host": "h", "database": "d", "username": "u" } } }));
    let response = apply(&t, &ws.admin, &without_qa, false, true).await;
    assert_eq!(code(&response), "BAD_USER_INPUT", "{response}");
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("environment QA: QA holds 1 app version(s)"),
        "{response}"
    );
    assert_eq!(export(&t, &ws.admin).await.0, before, "all or nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_export_and_apply_and_only_their_own_workspace() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let other = t.workspace().await;
    seed(&t, &ws).await;
    let (_, document) = export(&t, &ws.admin).await;
    for token in [&ws.builder, &ws.viewer, &ws.runner] {
        assert_eq!(
            code(&t.gql(Some(token), EXPORT, json!({})).await),
            "FORBIDDEN"
        );
        assert_eq!(
            code(&apply(&t, token, &document, true, false).await),
            "FORBIDDEN"
        );
    }
    // Another workspace sees none of it; applying there creates its own copies and
    // leaves this one alone, even with prune.
    let (theirs, their_document) = export(&t, &other.admin).await;
    for name in ["orders-db", "billing-api", "API_HOST", "QA"] {
        assert!(!theirs.contains(name), "{name} leaked: {theirs}");
    }
    assert_eq!(their_document["dataSources"], json!([]));
    data(apply(&t, &other.admin, &document, false, true).await);
    let (_, again) = export(&t, &ws.admin).await;
    assert_eq!(again, document);
    data(apply(&t, &other.admin, &their_document, false, true).await);
    assert_eq!(export(&t, &ws.admin).await.1, document);
    assert_eq!(export(&t, &other.admin).await.1["dataSources"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn community_exports_and_applies_production_only() {
    let t = TestApp::community().await;
    let ws = t.workspace().await;
    let input = json!({ "name": "orders-db", "kind": "postgresql", "options": [{ "key": "host", "value": "h" }, { "key": "database", "value": "d" }, { "key": "username", "value": "u" }] });
    data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    );
    let (_, document) = export(&t, &ws.admin).await;
    let names: Vec<&str> = document["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Production"]);
    let plan =
        data(apply(&t, &ws.admin, &document, false, false).await)["applyWorkspaceConfig"].clone();
    assert_eq!(changed(&plan), Vec::<String>::new());
    let mut staging = document.clone();
    staging["dataSources"][0]["options"]["Staging"] = json!({ "host": "s" });
    let response = apply(&t, &ws.admin, &staging, true, false).await;
    assert_eq!(code(&response), "BAD_USER_INPUT");
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Staging"),
        "{response}"
    );
}

/// `envgate config` as CI runs it, against a running server: `export` to YAML, `apply`
/// of a hand-written YAML file whose secrets come from environment variables (never
/// printed), `--dry-run` exiting 2 with changes, 0 once applied or with nothing to do,
/// 1 on an error.
#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_exports_yaml_and_applies_it_with_secrets_from_the_environment() {
    let t = TestApp::new().await;
    let source = t.workspace().await;
    let target = t.workspace().await;
    seed(&t, &source).await;
    let address = crate::websocket::serve(&t)
        .await
        .replace("ws://", "http://")
        .replace("/graphql", "");
    let dir = crate::common::TempDir::new("config-cli");
    let envgate = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_envgate"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ENVGATE_") {
                command.env_remove(name);
            }
        }
        command
            .current_dir(dir.path())
            .env("ENVGATE_STATE_DIR", dir.path())
            .args(args)
            .envs(env.iter().copied());
        async move {
            let out = tokio::task::spawn_blocking(move || crate::cli::run(command))
                .await
                .unwrap();
            let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
            (out.status.code(), text(&out.stdout), text(&out.stderr))
        }
    };

    // Everything the command printed, to check that no secret was.
    let mut printed = String::new();

    // Export to YAML: the same document as the API's, secrets as SET.
    let (status, _, stderr) = envgate(
        &[
            "config",
            "export",
            "--url",
            &address,
            "--token",
            &source.admin,
            "staging.yaml",
        ],
        &[],
    )
    .await;
    printed.push_str(&stderr);
    assert_eq!(status, Some(0), "{stderr}");
    let yaml = std::fs::read_to_string(dir.join("staging.yaml")).unwrap();
    let exported: Value =
        envgate::commands::config::read(std::path::Path::new("staging.yaml"), &yaml).unwrap();
    assert_eq!(exported, export(&t, &source.admin).await.1);
    assert!(
        yaml.contains("SET") && !yaml.trim_start().starts_with('{'),
        "{yaml}"
    );
    for secret in SECRETS {
        assert!(!yaml.contains(secret));
    }

    // A hand-written file, secrets from the environment.
    std::fs::write(
        dir.join("prod.yml"),
        "version: 1\ndataSources:\n  - name: orders-db\n    kind: postgresql\n    options:\n      Production:\n        host: db.internal\n        database: orders\n        username: app\n        password:\n          secret:\n            fromEnv: ORDERS_PG_PASSWORD\nconstants:\n  - name: API_TOKEN\n    type: SECRET\n    values:\n      Production: { secret: { fromEnv: API_TOKEN_VALUE } }\n",
    )
    .unwrap();
    let secrets = [
        ("ORDERS_PG_PASSWORD", "cli-pg-3d9e"),
        ("API_TOKEN_VALUE", "cli-tok-4e0f"),
    ];
    let server = [
        ("ENVGATE_URL", address.as_str()),
        ("ENVGATE_TOKEN", target.admin.as_str()),
    ];
    let env: Vec<(&str, &str)> = server.iter().chain(&secrets).copied().collect();
    let (status, stdout, stderr) =
        envgate(&["config", "apply", "--dry-run", "prod.yml"], &env).await;
    printed.push_str(&stdout);
    printed.push_str(&stderr);
    assert_eq!(status, Some(2), "a dry run with changes: {stdout}{stderr}");
    for line in [
        "  + constant API_TOKEN: SECRET",
        "  + constant API_TOKEN, Production: SET",
        "  + data source orders-db: postgresql in Production",
        "  + data source orders-db, Production, password: SET",
        "Plan: 7 to create, 0 to update, 0 to delete, 0 unchanged.",
        "Dry run: nothing was changed.",
    ] {
        assert!(stdout.contains(line), "{line:?} not in:\n{stdout}");
    }
    assert_eq!(
        export(&t, &target.admin).await.1["dataSources"],
        json!([]),
        "a dry run writes nothing"
    );

    let (status, stdout, stderr) = envgate(
        &[
            "config",
            "apply",
            "--url",
            &address,
            "--token",
            &target.admin,
            "prod.yml",
        ],
        &secrets,
    )
    .await;
    printed.push_str(&stdout);
    printed.push_str(&stderr);
    assert_eq!(status, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("Applied: 7 to create"), "{stdout}");
    let (_, applied) = export(&t, &target.admin).await;
    assert_eq!(
        applied["dataSources"][0]["options"]["Production"]["password"],
        json!({ "secret": "SET" })
    );
    assert_eq!(
        applied["constants"][0]["values"]["Production"],
        json!({ "secret": "SET" })
    );
    let (status, stdout, _) = envgate(&["config", "apply", "--dry-run", "prod.yml"], &env).await;
    printed.push_str(&stdout);
    assert_eq!(
        (status, stdout.trim()),
        (
            Some(0),
            "No changes: the workspace matches the configuration (6 unchanged)."
        )
    );

    // Errors exit 1: a variable not set (named, nothing sent), an invalid document (every
    // problem on its line), a token that may not.
    let (status, _, stderr) = envgate(&["config", "apply", "prod.yml"], &server).await;
    printed.push_str(&stderr);
    assert_eq!(status, Some(1));
    assert!(
        stderr.contains("ORDERS_PG_PASSWORD (for data source orders-db, Production, password)"),
        "{stderr}"
    );
    std::fs::write(
        dir.join("bad.json"),
        r#"{"version": 1, "dataSources": [{"name": "x", "kind": "oracle"}]}"#,
    )
    .unwrap();
    let (status, _, stderr) = envgate(&["config", "apply", "bad.json"], &server).await;
    printed.push_str(&stderr);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("BAD_USER_INPUT: the configuration has 1 problem(s); nothing was changed:\n  data source x: Unknown kind `oracle`"), "{stderr}");
    let (status, _, stderr) = envgate(
        &[
            "config",
            "export",
            "--url",
            &address,
            "--token",
            &target.builder,
        ],
        &[],
    )
    .await;
    printed.push_str(&stderr);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("FORBIDDEN"), "{stderr}");

    // No secret was ever printed.
    for (_, value) in secrets {
        assert!(!printed.contains(value), "{printed}");
    }
}
