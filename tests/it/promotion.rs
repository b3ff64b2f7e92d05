//! Promotion (#21): what a version uses, the blockers a promotion meets (one per data
//! source not configured in the target, naming each missing field and constant),
//! `promotionPreview` and its reasons per role, `force`, approvals and promotion
//! requests on every path (self-review, double review, rejection, cancel, stale, a
//! builder asking for protected Production), two concurrent final approvals promoting
//! once, events across processes, Community, and another workspace's ids.

use serde_json::{Value, json};

use crate::apps::{PROMOTE, RELEASE, create_app, create_version};
use crate::common::{TestApp, Workspace, code, data, enterprise, token};
use crate::data_sources::{CREATE, create_pg, environment_ids, update};
use crate::subscriptions::{cut_listener, event, running, subscribe};
use crate::websocket::serve;
use envgate::auth::Role;

const SET_USES: &str = "mutation($v: ID!, $ids: [ID!]!) { setAppVersionDataSources(versionId: $v, dataSourceIds: $ids) { id dataSources { id name } } }";
const VERSION_USES: &str =
    "query($app: ID!) { app(id: $app) { versions { name dataSources { name } } } }";
const PREVIEW: &str = "query($v: ID!) { promotionPreview(versionId: $v) { version { id } from { name } to { name } requiredApprovals allowed reasons blockers { dataSource { id name } missingFields missingConstants } } }";
const FORCE: &str = "mutation($v: ID!, $from: ID!) { promoteAppVersion(versionId: $v, fromEnvironmentId: $from, force: true) { id environment { name } } }";
const SET_APPROVALS: &str = "mutation($id: ID!, $n: Int!) { setEnvironmentApprovals(id: $id, requiredApprovals: $n) { id name requiredApprovals } }";
const REQUEST_FIELDS: &str = "id version { id environment { name } } from { name } to { name } requestedBy note status reviews { actor approved comment at } createdAt decidedAt";

fn request_query() -> String {
    format!(
        "mutation($v: ID!, $from: ID!, $note: String) {{ requestPromotion(versionId: $v, fromEnvironmentId: $from, note: $note) {{ {REQUEST_FIELDS} }} }}"
    )
}

fn review_query() -> String {
    format!(
        "mutation($id: ID!, $approve: Boolean!, $comment: String) {{ reviewPromotionRequest(id: $id, approve: $approve, comment: $comment) {{ {REQUEST_FIELDS} }} }}"
    )
}

fn cancel_query() -> String {
    format!("mutation($id: ID!) {{ cancelPromotionRequest(id: $id) {{ {REQUEST_FIELDS} }} }}")
}

fn list_query() -> String {
    format!(
        "query($status: PromotionRequestStatus, $app: ID, $first: Int, $after: String) {{ promotionRequests(status: $status, appId: $app, first: $first, after: $after) {{ edges {{ cursor node {{ id }} }} nodes {{ {REQUEST_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
}

async fn set_uses(t: &TestApp, tok: &str, version: &str, ids: &[&str]) -> Value {
    t.gql(Some(tok), SET_USES, json!({ "v": version, "ids": ids }))
        .await
}

async fn preview(t: &TestApp, tok: &str, version: &str) -> Value {
    t.gql(Some(tok), PREVIEW, json!({ "v": version })).await
}

async fn promote(t: &TestApp, tok: &str, version: &str, from: &str) -> Value {
    t.gql(Some(tok), PROMOTE, json!({ "v": version, "from": from }))
        .await
}

async fn force(t: &TestApp, tok: &str, version: &str, from: &str) -> Value {
    t.gql(Some(tok), FORCE, json!({ "v": version, "from": from }))
        .await
}

async fn set_approvals(t: &TestApp, tok: &str, env: &str, n: i32) -> Value {
    t.gql(Some(tok), SET_APPROVALS, json!({ "id": env, "n": n }))
        .await
}

async fn request(t: &TestApp, tok: &str, version: &str, from: &str, note: Option<&str>) -> Value {
    t.gql(
        Some(tok),
        &request_query(),
        json!({ "v": version, "from": from, "note": note }),
    )
    .await
}

/// Opens a request (no note) and returns its id.
async fn request_id(t: &TestApp, tok: &str, version: &str, from: &str) -> String {
    data(request(t, tok, version, from, None).await)["requestPromotion"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn review(t: &TestApp, tok: &str, id: &str, approve: bool) -> Value {
    t.gql(
        Some(tok),
        &review_query(),
        json!({ "id": id, "approve": approve, "comment": if approve { "looks good" } else { "not yet" } }),
    )
    .await
}

async fn cancel(t: &TestApp, tok: &str, id: &str) -> Value {
    t.gql(Some(tok), &cancel_query(), json!({ "id": id })).await
}

/// An admin of the workspace other than `ws.admin` (alice).
fn admin(ws: &Workspace, user: &str) -> String {
    token(ws.id, Role::Admin, user)
}

/// Audit rows of the workspace with `action`.
async fn audited(t: &TestApp, ws: &Workspace, action: &str) -> Vec<Value> {
    let rows = t
        .db
        .client()
        .await
        .query(
            "SELECT details, actor FROM audit_events WHERE workspace_id = $1 AND action = $2 ORDER BY at",
            &[&ws.id, &action],
        )
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let mut details: Value = r.get(0);
            details["actor"] = json!(r.get::<_, String>(1));
            details
        })
        .collect()
}

/// Creates a GLOBAL constant with values in some environments.
async fn constant(t: &TestApp, ws: &Workspace, name: &str, values: &[(&str, &str)]) {
    let values: Vec<Value> = values
        .iter()
        .map(|(env, value)| json!({ "environmentId": env, "value": value }))
        .collect();
    data(
        t.gql(
            Some(&ws.admin),
            "mutation($name: String!, $values: [ConstantValueInput!]!) { createConstant(name: $name, type: GLOBAL, values: $values) { id } }",
            json!({ "name": name, "values": values }),
        )
        .await,
    );
}

/// Sets one option of a data source in one environment (`null` clears it).
async fn set_option(t: &TestApp, ws: &Workspace, ds: &str, env: &str, key: &str, value: Value) {
    let input = json!({ "dataSourceId": ds, "environmentId": env, "options": [{ "key": key, "value": value }] });
    data(update(t, &ws.admin, input).await);
}

/// "reports": a PostgreSQL data source whose host is the constant REPORTS_HOST.
async fn reports(t: &TestApp, ws: &Workspace) -> String {
    let input = json!({ "name": "reports", "kind": "postgresql", "options": [
        { "key": "host", "value": "{{constants.REPORTS_HOST}}" },
        { "key": "database", "value": "reports" },
        { "key": "username", "value": "reader" },
    ] });
    data(
        t.gql(Some(&ws.admin), CREATE, json!({ "input": input }))
            .await,
    )["createDataSource"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// "orders" (configured everywhere) and "reports" (its host a constant with values in
/// Development and Production only), both used by a version of a new app "Shop".
async fn shop(t: &TestApp, ws: &Workspace, envs: &[String]) -> (String, String, String, String) {
    let orders = create_pg(t, ws, "orders").await;
    constant(
        t,
        ws,
        "REPORTS_HOST",
        &[(&envs[0], "dev.reports"), (&envs[2], "reports.internal")],
    )
    .await;
    let reports = reports(t, ws).await;
    let app = create_app(t, &ws.builder, "Shop").await;
    let v1 = create_version(t, &ws.builder, &app, "v1").await;
    (orders, reports, app, v1)
}

#[tokio::test(flavor = "multi_thread")]
async fn blockers_name_each_missing_field_and_constant_and_only_an_admin_forces_past_them() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let (orders, reports, app, v1) = shop(&t, &ws, &envs).await;

    // What a version uses: declared, listed by name, repeats counted once, audited.
    let set = data(set_uses(&t, &ws.builder, &v1, &[&reports, &orders, &orders]).await);
    let names: Vec<&str> = set["setAppVersionDataSources"]["dataSources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["orders", "reports"]);
    let rows = audited(&t, &ws, "VERSION_DATA_SOURCES_SET").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["dataSources"].as_array().unwrap().len(), 2);
    // Viewers declare nothing.
    assert_eq!(code(&set_uses(&t, &ws.viewer, &v1, &[]).await), "FORBIDDEN");

    // Staging: "orders" loses a required field, "reports" has no host value there.
    set_option(&t, &ws, &orders, &envs[1], "username", Value::Null).await;
    let answer = data(preview(&t, &ws.builder, &v1).await)["promotionPreview"].clone();
    assert_eq!(answer["from"]["name"], "Development");
    assert_eq!(answer["to"]["name"], "Staging");
    assert_eq!(answer["allowed"], false);
    assert_eq!(
        answer["blockers"],
        json!([
            { "dataSource": { "id": orders, "name": "orders" }, "missingFields": ["username"], "missingConstants": [] },
            { "dataSource": { "id": reports, "name": "reports" }, "missingFields": [], "missingConstants": ["constants.REPORTS_HOST"] },
        ])
    );
    let reasons = answer["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:?}");

    // The promotion says the same, names each data source, and moves nothing.
    let refused = promote(&t, &ws.builder, &v1, &envs[0]).await;
    assert_eq!(code(&refused), "ENVIRONMENT_NOT_CONFIGURED", "{refused}");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("\"orders\" (missing username)"),
        "{message}"
    );
    assert!(
        message.contains("\"reports\" (no value for constants.REPORTS_HOST)"),
        "{message}"
    );
    assert_eq!(reasons[0], message);
    // force is for admins.
    assert_eq!(
        code(&force(&t, &ws.builder, &v1, &envs[0]).await),
        "FORBIDDEN"
    );

    // One fixed: one blocker left, the field one.
    set_option(&t, &ws, &orders, &envs[1], "username", json!("app")).await;
    let answer = data(preview(&t, &ws.builder, &v1).await)["promotionPreview"].clone();
    assert_eq!(answer["blockers"].as_array().unwrap().len(), 1);
    assert_eq!(answer["blockers"][0]["dataSource"]["name"], "reports");

    // An admin forces it; the audit row says so and what was overridden.
    let forced = data(force(&t, &ws.admin, &v1, &envs[0]).await);
    assert_eq!(
        forced["promoteAppVersion"]["environment"]["name"],
        "Staging"
    );
    let promoted = audited(&t, &ws, "VERSION_PROMOTED").await;
    assert_eq!(promoted.len(), 1);
    assert_eq!(promoted[0]["force"], true);
    assert_eq!(promoted[0]["overridden"][0]["name"], "reports");
    assert_eq!(
        promoted[0]["overridden"][0]["missingConstants"],
        json!(["constants.REPORTS_HOST"])
    );

    // Production is configured for both: no blocker (the admin may promote now).
    let answer = data(preview(&t, &ws.admin, &v1).await)["promotionPreview"].clone();
    assert_eq!(answer["blockers"], json!([]));
    assert_eq!(answer["allowed"], true, "{answer}");

    // Above the lowest environment a version is read-only; a new version inherits the
    // most recent version's declaration.
    let read_only = set_uses(&t, &ws.builder, &v1, &[]).await;
    assert_eq!(code(&read_only), "BAD_USER_INPUT", "{read_only}");
    create_version(&t, &ws.builder, &app, "v2").await;
    let versions = data(
        t.gql(Some(&ws.viewer), VERSION_USES, json!({ "app": app }))
            .await,
    );
    assert_eq!(
        versions["app"]["versions"],
        json!([
            { "name": "v1", "dataSources": [{ "name": "orders" }, { "name": "reports" }] },
            { "name": "v2", "dataSources": [{ "name": "orders" }, { "name": "reports" }] },
        ])
    );

    // A deleted data source leaves the declarations.
    data(crate::data_sources::delete(&t, &ws.admin, &reports).await);
    let versions = data(
        t.gql(Some(&ws.viewer), VERSION_USES, json!({ "app": app }))
            .await,
    );
    assert_eq!(
        versions["app"]["versions"][1]["dataSources"],
        json!([{ "name": "orders" }])
    );
}

const SET_ACCESS: &str = "mutation($id: ID!, $rules: [EnvironmentAccessRuleInput!]!) { setEnvironmentAccess(id: $id, rules: $rules) { id } }";

#[tokio::test(flavor = "multi_thread")]
async fn the_preview_says_per_role_whether_and_why_not() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let app = create_app(&t, &ws.builder, "Shop").await;
    let v1 = create_version(&t, &ws.builder, &app, "v1").await;
    let reasons = |answer: &Value| -> Vec<String> {
        answer["promotionPreview"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect()
    };

    // Development -> Staging: admins and builders may; a viewer may not, for its role
    // and for Staging's access rules; the runner may not even look.
    for tok in [&ws.admin, &ws.builder] {
        let answer = data(preview(&t, tok, &v1).await);
        assert_eq!(answer["promotionPreview"]["allowed"], true, "{answer}");
        assert!(reasons(&answer).is_empty());
    }
    let answer = data(preview(&t, &ws.viewer, &v1).await);
    assert_eq!(answer["promotionPreview"]["allowed"], false);
    let why = reasons(&answer);
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(why[0].starts_with("Your role (viewer) may not"), "{why:?}");
    assert!(
        why[1].contains("promote") && why[1].contains("Staging"),
        "{why:?}"
    );
    assert_eq!(code(&preview(&t, &ws.runner, &v1).await), "FORBIDDEN");

    // Staging's rules no longer let builders promote into it: the builder is told.
    let rules = json!([{ "role": "BUILDER", "permissions": ["READ_OPTIONS", "SELECT"] }]);
    data(
        t.gql(
            Some(&ws.admin),
            SET_ACCESS,
            json!({ "id": envs[1], "rules": rules }),
        )
        .await,
    );
    let why = reasons(&data(preview(&t, &ws.builder, &v1).await));
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].contains("Staging") && why[0].contains("PROMOTE_INTO"),
        "{why:?}"
    );
    data(promote(&t, &ws.admin, &v1, &envs[0]).await);

    // Staging -> Production, protected and needing an approval: the builder meets
    // both, the admin the approvals only, each as promoteAppVersion answers it.
    data(set_approvals(&t, &ws.admin, &envs[2], 1).await);
    let answer = data(preview(&t, &ws.builder, &v1).await);
    assert_eq!(answer["promotionPreview"]["to"]["name"], "Production");
    assert_eq!(answer["promotionPreview"]["requiredApprovals"], 1);
    let why = reasons(&answer);
    assert_eq!(why.len(), 2, "{why:?}");
    let refused = promote(&t, &ws.builder, &v1, &envs[1]).await;
    assert_eq!(code(&refused), "FORBIDDEN");
    assert_eq!(why[0], refused["errors"][0]["message"].as_str().unwrap());
    assert!(why[1].contains("1 approval"), "{why:?}");
    let why = reasons(&data(preview(&t, &ws.admin, &v1).await));
    let refused = promote(&t, &ws.admin, &v1, &envs[1]).await;
    assert_eq!(code(&refused), "APPROVAL_REQUIRED", "{refused}");
    assert_eq!(why, [refused["errors"][0]["message"].as_str().unwrap()]);

    // In Production: the last environment, nowhere to go.
    data(set_approvals(&t, &ws.admin, &envs[2], 0).await);
    data(promote(&t, &ws.admin, &v1, &envs[1]).await);
    let answer = data(preview(&t, &ws.admin, &v1).await);
    assert_eq!(answer["promotionPreview"]["to"], Value::Null);
    assert_eq!(answer["promotionPreview"]["allowed"], false);
    let why = reasons(&answer);
    assert_eq!(why.len(), 1);
    assert!(why[0].contains("last environment"), "{why:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn approvals_are_admins_setting_and_a_builder_asks_for_protected_production() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let (dave, erin) = (admin(&ws, "dave"), admin(&ws, "erin"));

    // The setting: admins only, 0 to 5, audited once per change.
    assert_eq!(
        code(&set_approvals(&t, &ws.builder, &envs[2], 2).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&set_approvals(&t, &ws.admin, &envs[2], 6).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(&set_approvals(&t, &ws.admin, &envs[2], -1).await),
        "BAD_USER_INPUT"
    );
    let set = data(set_approvals(&t, &ws.admin, &envs[2], 2).await);
    assert_eq!(set["setEnvironmentApprovals"]["requiredApprovals"], 2);
    data(set_approvals(&t, &ws.admin, &envs[2], 2).await);
    let rows = audited(&t, &ws, "ENVIRONMENT_APPROVALS_CHANGED").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["from"].clone(), rows[0]["to"].clone()),
        (json!(0), json!(2))
    );
    let listed = data(
        t.gql(
            Some(&ws.viewer),
            "{ environments { requiredApprovals } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(
        listed["environments"],
        json!([{ "requiredApprovals": 0 }, { "requiredApprovals": 0 }, { "requiredApprovals": 2 }])
    );

    let app = create_app(&t, &ws.builder, "Shop").await;
    let v1 = create_version(&t, &ws.builder, &app, "v1").await;
    // Staging needs none: nothing to request.
    let needless = request(&t, &ws.builder, &v1, &envs[0], None).await;
    assert_eq!(code(&needless), "BAD_USER_INPUT", "{needless}");
    data(promote(&t, &ws.builder, &v1, &envs[0]).await);
    assert_eq!(
        code(&promote(&t, &dave, &v1, &envs[1]).await),
        "APPROVAL_REQUIRED"
    );

    // A builder may not promote into protected Production, but may ask.
    assert_eq!(
        code(&request(&t, &ws.viewer, &v1, &envs[1], None).await),
        "FORBIDDEN"
    );
    let long = "x".repeat(2001);
    let too_long = request(&t, &ws.builder, &v1, &envs[1], Some(&long)).await;
    assert_eq!(code(&too_long), "BAD_USER_INPUT");
    assert_eq!(too_long["errors"][0]["extensions"]["field"], "note");
    // A NUL character PostgreSQL can't store is refused naming the field.
    let nul = request(&t, &ws.builder, &v1, &envs[1], Some("a\u{0}b")).await;
    assert_eq!(code(&nul), "BAD_USER_INPUT", "{nul}");
    assert_eq!(nul["errors"][0]["extensions"]["field"], "note");
    let wrong_place = request(&t, &ws.builder, &v1, &envs[0], None).await;
    assert_eq!(code(&wrong_place), "VERSION_CONFLICT");
    let asked = data(request(&t, &ws.builder, &v1, &envs[1], Some("ready for launch")).await)
        ["requestPromotion"]
        .clone();
    assert_eq!(asked["status"], "PENDING");
    assert_eq!(asked["requestedBy"], "bob");
    assert_eq!(asked["note"], "ready for launch");
    assert_eq!(asked["from"]["name"], "Staging");
    assert_eq!(asked["to"]["name"], "Production");
    assert_eq!(asked["decidedAt"], Value::Null);
    let id = asked["id"].as_str().unwrap().to_owned();
    let twice = request(&t, &ws.builder, &v1, &envs[1], None).await;
    assert_eq!(code(&twice), "BAD_USER_INPUT", "{twice}");

    // Reviews: admins only, once each; the first approval of two leaves it pending.
    assert_eq!(code(&review(&t, &ws.builder, &id, true).await), "FORBIDDEN");
    let nul = t
        .gql(
            Some(&ws.admin),
            &review_query(),
            json!({ "id": id, "approve": true, "comment": "a\u{0}b" }),
        )
        .await;
    assert_eq!(code(&nul), "BAD_USER_INPUT", "{nul}");
    assert_eq!(nul["errors"][0]["extensions"]["field"], "comment");
    let first = data(review(&t, &ws.admin, &id, true).await)["reviewPromotionRequest"].clone();
    assert_eq!(first["status"], "PENDING");
    assert_eq!(first["reviews"][0]["actor"], "alice");
    assert_eq!(first["reviews"][0]["comment"], "looks good");
    let again = review(&t, &ws.admin, &id, true).await;
    assert_eq!(code(&again), "BAD_USER_INPUT", "{again}");
    // The second approval promotes, as the reviewer, in the same transaction.
    let second = data(review(&t, &dave, &id, true).await)["reviewPromotionRequest"].clone();
    assert_eq!(second["status"], "APPROVED");
    assert_eq!(second["version"]["environment"]["name"], "Production");
    assert!(second["decidedAt"].is_string());
    assert_eq!(second["reviews"].as_array().unwrap().len(), 2);
    let promoted = audited(&t, &ws, "VERSION_PROMOTED").await;
    assert_eq!(promoted.len(), 2);
    assert_eq!(
        (
            promoted[1]["request"].as_str(),
            promoted[1]["actor"].as_str()
        ),
        (Some(id.as_str()), Some("dave"))
    );
    assert_eq!(audited(&t, &ws, "PROMOTION_REQUESTED").await.len(), 1);
    assert_eq!(audited(&t, &ws, "PROMOTION_REVIEWED").await.len(), 2);
    assert_eq!(code(&review(&t, &erin, &id, true).await), "BAD_USER_INPUT");

    // Self-review: an admin's own request needs another admin.
    let v2 = create_version(&t, &ws.builder, &app, "v2").await;
    data(promote(&t, &ws.builder, &v2, &envs[0]).await);
    let own = request_id(&t, &ws.admin, &v2, &envs[1]).await;
    assert_eq!(code(&review(&t, &ws.admin, &own, true).await), "FORBIDDEN");

    // One rejection decides it; the version stays.
    let rejected = data(review(&t, &dave, &own, false).await)["reviewPromotionRequest"].clone();
    assert_eq!(rejected["status"], "REJECTED");
    assert_eq!(rejected["version"]["environment"]["name"], "Staging");
    assert_eq!(code(&review(&t, &erin, &own, true).await), "BAD_USER_INPUT");

    // Cancel: the requester only, pending only.
    let asked = request_id(&t, &ws.builder, &v2, &envs[1]).await;
    assert_eq!(code(&cancel(&t, &ws.admin, &asked).await), "FORBIDDEN");
    assert_eq!(code(&cancel(&t, &ws.viewer, &asked).await), "FORBIDDEN");
    let cancelled = data(cancel(&t, &ws.builder, &asked).await)["cancelPromotionRequest"].clone();
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(
        code(&cancel(&t, &ws.builder, &asked).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(&review(&t, &dave, &asked, true).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(audited(&t, &ws, "PROMOTION_CANCELLED").await.len(), 1);

    // Stale: promoted by other means (approvals lifted, an admin promotes directly).
    let asked = request_id(&t, &ws.builder, &v2, &envs[1]).await;
    data(set_approvals(&t, &ws.admin, &envs[2], 0).await);
    data(promote(&t, &ws.admin, &v2, &envs[1]).await);
    let conflict = review(&t, &dave, &asked, true).await;
    assert_eq!(code(&conflict), "VERSION_CONFLICT", "{conflict}");

    // Stale at review: the pipeline changed under the request (a new environment
    // after Staging), so the version would not go where it was asked to.
    data(set_approvals(&t, &ws.admin, &envs[2], 1).await);
    let v3 = create_version(&t, &ws.builder, &app, "v3").await;
    data(promote(&t, &ws.builder, &v3, &envs[0]).await);
    let asked3 = request_id(&t, &ws.builder, &v3, &envs[1]).await;
    data(
        t.gql(
            Some(&ws.admin),
            "mutation($after: ID!) { createEnvironment(input: { name: \"QA\", after: $after }) { id } }",
            json!({ "after": envs[1] }),
        )
        .await,
    );
    let conflict = review(&t, &dave, &asked3, true).await;
    assert_eq!(code(&conflict), "VERSION_CONFLICT", "{conflict}");

    // The list: newest first, by status and app, a page at a time.
    let list = |vars: Value| {
        let t = &t;
        let viewer = ws.viewer.clone();
        async move { data(t.gql(Some(&viewer), &list_query(), vars).await)["promotionRequests"].clone() }
    };
    let all = list(json!({})).await;
    let statuses: Vec<&str> = all["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["STALE", "STALE", "CANCELLED", "REJECTED", "APPROVED"]
    );
    let stale = list(json!({ "status": "STALE", "app": app })).await;
    assert_eq!(stale["nodes"].as_array().unwrap().len(), 2);
    let page = list(json!({ "first": 2 })).await;
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let rest = list(json!({ "first": 10, "after": page["pageInfo"]["endCursor"] })).await;
    assert_eq!(rest["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(rest["nodes"][2]["id"], id);
    assert_eq!(
        code(&t.gql(Some(&ws.runner), &list_query(), json!({})).await),
        "FORBIDDEN"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_concurrent_final_approvals_promote_once() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    data(set_approvals(&t, &ws.admin, &envs[2], 2).await);
    let app = create_app(&t, &ws.builder, "Shop").await;
    let v1 = create_version(&t, &ws.builder, &app, "v1").await;
    data(promote(&t, &ws.builder, &v1, &envs[0]).await);
    let id = request_id(&t, &ws.builder, &v1, &envs[1]).await;
    data(review(&t, &ws.admin, &id, true).await);

    // Both final approvals start while another session holds the request's row: they
    // queue up (one behind it, one behind the version the first holds), then race.
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    let held =
        t.db.hold(
            "SELECT 1 FROM promotion_requests WHERE id = $1 FOR UPDATE",
            &[&uuid],
        )
        .await;
    let reviews: Vec<_> = ["dave", "erin"]
        .into_iter()
        .map(|user| {
            let t = TestApp::on_same_db(&t, enterprise());
            let (tok, id) = (admin(&ws, user), id.clone());
            tokio::spawn(async move { review(&t, &tok, &id, true).await })
        })
        .collect();
    assert_eq!(t.db.lock_waiters(2).await, 2, "both reviews queued up");
    held.commit().await;
    let mut answers = Vec::new();
    for review in reviews {
        answers.push(review.await.unwrap());
    }
    let approved: Vec<&Value> = answers
        .iter()
        .filter(|a| a.get("errors").is_none())
        .collect();
    assert_eq!(approved.len(), 1, "{answers:?}");
    assert_eq!(
        approved[0]["data"]["reviewPromotionRequest"]["status"],
        "APPROVED"
    );
    let refused = answers.iter().find(|a| a.get("errors").is_some()).unwrap();
    assert_eq!(code(refused), "BAD_USER_INPUT", "{refused}");
    let promotions = t
        .db
        .count(
            "SELECT count(*) FROM audit_events WHERE action = 'VERSION_PROMOTED' AND details->>'request' = $1",
            &[&id],
        )
        .await;
    assert_eq!(promotions, 1);
    let reviewed =
        t.db.count(
            "SELECT count(*) FROM promotion_reviews WHERE request_id = $1",
            &[&uuid],
        )
        .await;
    assert_eq!(reviewed, 2, "the first approval and the one that promoted");
}

/// A constant's value cleared while a promotion checks it: the promotion waits for the
/// clearing to commit and is refused, instead of promoting on what it read before.
#[tokio::test(flavor = "multi_thread")]
async fn a_setting_cleared_while_a_promotion_checks_it_blocks_the_promotion() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let everywhere: Vec<(&str, &str)> = envs.iter().map(|e| (e.as_str(), "reports")).collect();
    constant(&t, &ws, "REPORTS_HOST", &everywhere).await;
    let reports = reports(&t, &ws).await;
    let app = create_app(&t, &ws.builder, "Shop").await;
    let v1 = create_version(&t, &ws.builder, &app, "v1").await;
    data(set_uses(&t, &ws.builder, &v1, &[&reports]).await);
    let allowed = data(preview(&t, &ws.builder, &v1).await);
    assert_eq!(allowed["promotionPreview"]["allowed"], true, "{allowed}");

    // Another session clears Staging's value and has not committed yet.
    let staging = uuid::Uuid::parse_str(&envs[1]).unwrap();
    let held =
        t.db.hold(
            "DELETE FROM constant_values WHERE workspace_id = $1 AND environment_id = $2",
            &[&ws.id, &staging],
        )
        .await;
    let promotion = {
        let t = TestApp::on_same_db(&t, enterprise());
        let (tok, v1, from) = (ws.builder.clone(), v1.clone(), envs[0].clone());
        tokio::spawn(async move { promote(&t, &tok, &v1, &from).await })
    };
    let waiting = t.db.lock_waiters(1).await;
    held.commit().await;
    let answer = promotion.await.unwrap();
    assert_eq!(code(&answer), "ENVIRONMENT_NOT_CONFIGURED", "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"reports\" (no value for constants.REPORTS_HOST)"),
        "{answer}"
    );
    assert_eq!(waiting, 1, "the promotion waited for the clearing");
    let moved =
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE action = 'VERSION_PROMOTED'",
            &[],
        )
        .await;
    assert_eq!(moved, 0);
}

const CHANGED: &str = "subscription { promotionRequestChanged { id status version { name } from { name } to { name } reviews { actor approved } } }";

#[tokio::test(flavor = "multi_thread")]
async fn request_events_reach_subscribers_of_another_process_in_their_workspace_only() {
    let a = TestApp::new().await;
    let b = TestApp::on_same_db(&a, enterprise());
    let ws = a.workspace().await;
    let other = a.workspace().await;
    let url = serve(&a).await;
    let mut viewer = subscribe(&url, &ws.viewer, CHANGED, json!({})).await;
    let mut outsider = subscribe(&url, &other.admin, CHANGED, json!({})).await;
    running(&a, 2).await;

    let envs = environment_ids(&b, &ws).await;
    data(set_approvals(&b, &ws.admin, &envs[2], 2).await);
    let app = create_app(&b, &ws.builder, "Shop").await;
    let v1 = create_version(&b, &ws.builder, &app, "v1").await;
    data(promote(&b, &ws.builder, &v1, &envs[0]).await);
    let id = request_id(&b, &ws.builder, &v1, &envs[1]).await;
    let (requested, _) = event(&mut viewer, "promotionRequestChanged").await;
    assert_eq!(requested["id"], id);
    assert_eq!(requested["status"], "PENDING");
    assert_eq!(requested["to"]["name"], "Production");
    data(review(&b, &ws.admin, &id, true).await);
    let (reviewed, _) = event(&mut viewer, "promotionRequestChanged").await;
    assert_eq!(reviewed["status"], "PENDING");
    assert_eq!(
        reviewed["reviews"],
        json!([{ "actor": "alice", "approved": true }])
    );
    data(review(&b, &admin(&ws, "dave"), &id, true).await);
    let (approved, _) = event(&mut viewer, "promotionRequestChanged").await;
    assert_eq!(approved["status"], "APPROVED");

    // The other workspace heard none of it: its first event is its own.
    let envs = environment_ids(&b, &other).await;
    data(set_approvals(&b, &other.admin, &envs[2], 1).await);
    let app = create_app(&b, &other.builder, "Elsewhere").await;
    let v = create_version(&b, &other.builder, &app, "v1").await;
    data(promote(&b, &other.builder, &v, &envs[0]).await);
    let own = request_id(&b, &other.builder, &v, &envs[1]).await;
    let (first, _) = event(&mut outsider, "promotionRequestChanged").await;
    assert_eq!(first["id"], own);

    // The runner may not subscribe.
    let mut runner = subscribe(&url, &ws.runner, CHANGED, json!({})).await;
    let refused = crate::websocket::next_json(&mut runner).await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn community_keeps_the_ladder_to_production_and_the_stored_approvals() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    data(set_approvals(&t, &ws.admin, &envs[2], 3).await);
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    let listed = data(
        community
            .gql(
                Some(&ws.admin),
                "{ environments { requiredApprovals } }",
                json!({}),
            )
            .await,
    );
    assert_eq!(listed["environments"], json!([{ "requiredApprovals": 0 }]));
    assert_eq!(
        code(&set_approvals(&community, &ws.admin, &envs[2], 1).await),
        "LICENSE_REQUIRED"
    );
    let orders = create_pg(&community, &ws, "orders").await;
    let app = create_app(&community, &ws.builder, "Shop").await;
    let v1 = create_version(&community, &ws.builder, &app, "v1").await;
    // What a version uses is declared in Community too (versions start in Production).
    data(set_uses(&community, &ws.builder, &v1, &[&orders]).await);
    let answer = data(preview(&community, &ws.builder, &v1).await)["promotionPreview"].clone();
    assert_eq!(answer["from"]["name"], "Production");
    assert_eq!(answer["to"], Value::Null);
    assert_eq!(answer["requiredApprovals"], 0);
    assert_eq!(answer["allowed"], false);
    let refused = promote(&community, &ws.builder, &v1, &envs[2]).await;
    assert_eq!(code(&refused), "LICENSE_REQUIRED");
    assert_eq!(answer["reasons"], json!([refused["errors"][0]["message"]]));
    assert_eq!(
        code(&request(&community, &ws.builder, &v1, &envs[2], None).await),
        "LICENSE_REQUIRED"
    );
    // Releasing in Community needs no approval and no promotion.
    data(
        community
            .gql(Some(&ws.builder), RELEASE, json!({ "v": v1 }))
            .await,
    );
    // The license back: the stored number is in effect again.
    let listed = data(
        t.gql(
            Some(&ws.admin),
            "{ environments { requiredApprovals } }",
            json!({}),
        )
        .await,
    );
    assert_eq!(listed["environments"][2]["requiredApprovals"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_workspaces_ids_are_not_found_everywhere() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let theirs = t.workspace().await;
    let dave = admin(&ws, "dave");
    let their_envs = environment_ids(&t, &theirs).await;
    data(set_approvals(&t, &theirs.admin, &their_envs[2], 1).await);
    let their_ds = create_pg(&t, &theirs, "orders").await;
    let their_app = create_app(&t, &theirs.builder, "Shop").await;
    let their_v = create_version(&t, &theirs.builder, &their_app, "v1").await;
    data(promote(&t, &theirs.builder, &their_v, &their_envs[0]).await);
    let their_request = request_id(&t, &theirs.builder, &their_v, &their_envs[1]).await;

    let app = create_app(&t, &ws.builder, "Shop").await;
    let v = create_version(&t, &ws.builder, &app, "v1").await;
    let not_found = [
        set_uses(&t, &ws.builder, &their_v, &[]).await,
        set_uses(&t, &ws.builder, &v, &[&their_ds]).await,
        preview(&t, &ws.builder, &their_v).await,
        promote(&t, &ws.admin, &their_v, &their_envs[1]).await,
        force(&t, &ws.admin, &their_v, &their_envs[1]).await,
        request(&t, &ws.builder, &their_v, &their_envs[1], None).await,
        request(&t, &ws.builder, &v, &their_envs[0], None).await,
        review(&t, &dave, &their_request, false).await,
        set_approvals(&t, &ws.admin, &their_envs[2], 2).await,
        t.gql(Some(&ws.viewer), &list_query(), json!({ "app": their_app }))
            .await,
        review(&t, &dave, "not-an-id", true).await,
    ];
    for (i, answer) in not_found.iter().enumerate() {
        assert_eq!(code(answer), "NOT_FOUND", "case {i}: {answer}");
    }
    // A requester of the same name in our workspace can't cancel theirs.
    let ours_bob = token(ws.id, Role::Builder, "bob");
    assert_eq!(
        code(&cancel(&t, &ours_bob, &their_request).await),
        "NOT_FOUND"
    );
    // Their request is not listed here, and theirs is untouched.
    let listed = data(t.gql(Some(&ws.admin), &list_query(), json!({})).await);
    assert_eq!(listed["promotionRequests"]["nodes"], json!([]));
    let theirs_listed = data(t.gql(Some(&theirs.admin), &list_query(), json!({})).await);
    assert_eq!(
        theirs_listed["promotionRequests"]["nodes"][0]["status"],
        "PENDING"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preview_and_a_page_of_requests_cost_the_same_whatever_they_hold() {
    // What the resolvers send: the same query asked again would come from the cache.
    let t = TestApp::with_settings(envgate::app::Settings {
        response_cache: envgate::graphql::CacheBytes(0),
        ..Default::default()
    })
    .await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let (orders, reports, app, v1) = shop(&t, &ws, &envs).await;
    let mut used = vec![orders.clone(), reports.clone()];
    for i in 0..4 {
        used.push(create_pg(&t, &ws, &format!("extra-{i}")).await);
    }
    let v2 = create_version(&t, &ws.builder, &app, "v2").await;
    data(set_uses(&t, &ws.builder, &v1, &[&reports]).await);
    let used: Vec<&str> = used.iter().map(String::as_str).collect();
    data(set_uses(&t, &ws.builder, &v2, &used).await);
    let cost = |query: String, vars: Value| {
        let t = &t;
        let tok = ws.builder.clone();
        async move {
            let before = t.queries();
            let answer = data(t.gql(Some(&tok), &query, vars).await);
            (t.queries() - before, answer)
        }
    };
    let (one, answer) = cost(PREVIEW.into(), json!({ "v": v1 })).await;
    assert_eq!(
        answer["promotionPreview"]["blockers"][0]["dataSource"]["name"],
        "reports"
    );
    let (six, answer) = cost(PREVIEW.into(), json!({ "v": v2 })).await;
    assert_eq!(
        answer["promotionPreview"]["blockers"][0]["dataSource"]["name"],
        "reports"
    );
    assert_eq!(
        one, six,
        "a preview of 6 data sources costs what one of 1 costs"
    );

    // A page of requests with their versions, what those use, environments and reviews.
    data(set_approvals(&t, &ws.admin, &envs[1], 2).await);
    let page = format!(
        "{{ promotionRequests(first: 50) {{ nodes {{ {REQUEST_FIELDS} version {{ dataSources {{ name }} }} }} }} }}"
    );
    let ask = |version: &str| {
        let (t, tok, version) = (&t, ws.builder.clone(), version.to_owned());
        let from = envs[0].clone();
        async move { data(request(t, &tok, &version, &from, None).await) }
    };
    ask(&v1).await;
    data(review(&t, &admin(&ws, "dave"), &first_request(&t, &ws).await, true).await);
    let (small, answer) = cost(page.clone(), json!({})).await;
    assert_eq!(
        answer["promotionRequests"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for i in 3..6 {
        let v = create_version(&t, &ws.builder, &app, &format!("v{i}")).await;
        ask(&v).await;
        data(review(&t, &ws.admin, &first_request(&t, &ws).await, true).await);
    }
    let (large, answer) = cost(page, json!({})).await;
    assert_eq!(
        answer["promotionRequests"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        small, large,
        "a page of 4 requests costs what a page of 1 costs"
    );
}

/// The newest request of the workspace.
async fn first_request(t: &TestApp, ws: &Workspace) -> String {
    data(
        t.gql(Some(&ws.viewer), &list_query(), json!({ "first": 1 }))
            .await,
    )["promotionRequests"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn access_rules_decide_who_may_ask_and_the_final_approval_checks_blockers() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = environment_ids(&t, &ws).await;
    let dave = admin(&ws, "dave");
    let (orders, _, app, v1) = shop(&t, &ws, &envs).await;
    data(set_uses(&t, &ws.builder, &v1, &[&orders]).await);
    data(promote(&t, &ws.builder, &v1, &envs[0]).await);
    data(set_approvals(&t, &ws.admin, &envs[2], 1).await);

    // Production's rules: builders may not promote into it, release managers may.
    let rules = json!([
        { "role": "BUILDER", "permissions": ["READ_OPTIONS", "SELECT"] },
        { "group": "release-managers", "permissions": ["READ_OPTIONS", "PROMOTE_INTO"] },
    ]);
    data(
        t.gql(
            Some(&ws.admin),
            SET_ACCESS,
            json!({ "id": envs[2], "rules": rules }),
        )
        .await,
    );
    let refused = request(&t, &ws.builder, &v1, &envs[1], None).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Production")
    );
    let manager =
        crate::common::token_in_groups(ws.id, Role::Builder, "carl", &["release-managers"]);
    // Protection still wins over the rules: no direct promotion, but a request.
    assert_eq!(
        code(&promote(&t, &manager, &v1, &envs[1]).await),
        "FORBIDDEN"
    );
    let answer = data(preview(&t, &manager, &v1).await)["promotionPreview"].clone();
    let reasons = answer["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 2, "protection and approvals: {reasons:?}");
    assert!(
        !reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("PROMOTE_INTO"))
    );
    let id = request_id(&t, &manager, &v1, &envs[1]).await;

    // Production loses a required field meanwhile: the final approval is refused as a
    // promotion would be, and leaves no review and no audit row behind.
    set_option(&t, &ws, &orders, &envs[2], "username", Value::Null).await;
    let blocked = review(&t, &dave, &id, true).await;
    assert_eq!(code(&blocked), "ENVIRONMENT_NOT_CONFIGURED", "{blocked}");
    assert!(audited(&t, &ws, "PROMOTION_REVIEWED").await.is_empty());
    let pending = data(
        t.gql(Some(&ws.viewer), &list_query(), json!({ "app": app }))
            .await,
    );
    assert_eq!(
        pending["promotionRequests"]["nodes"][0]["status"],
        "PENDING"
    );
    assert_eq!(
        pending["promotionRequests"]["nodes"][0]["reviews"],
        json!([])
    );
    // Configured again, the same approval goes through.
    set_option(&t, &ws, &orders, &envs[2], "username", json!("app")).await;
    let approved = data(review(&t, &dave, &id, true).await)["reviewPromotionRequest"].clone();
    assert_eq!(approved["status"], "APPROVED");
    assert_eq!(approved["version"]["environment"]["name"], "Production");

    // In Community reviewing is refused; cancelling one's own stays possible.
    let v2 = create_version(&t, &ws.builder, &app, "v2").await;
    data(promote(&t, &ws.builder, &v2, &envs[0]).await);
    let id = request_id(&t, &manager, &v2, &envs[1]).await;
    let community = TestApp::on_same_db(&t, envgate::edition::Licensing::community());
    assert_eq!(
        code(&review(&community, &dave, &id, true).await),
        "LICENSE_REQUIRED"
    );
    let cancelled = data(cancel(&community, &manager, &id).await);
    assert_eq!(cancelled["cancelPromotionRequest"]["status"], "CANCELLED");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_made_while_the_listener_was_disconnected_is_sent_once_it_reconnects() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let url = serve(&t).await;
    let envs = environment_ids(&t, &ws).await;
    data(set_approvals(&t, &ws.admin, &envs[1], 1).await);
    let app = create_app(&t, &ws.builder, "Shop").await;
    let v1 = create_version(&t, &ws.builder, &app, "v1").await;
    let mut socket = subscribe(&url, &ws.viewer, CHANGED, json!({})).await;
    running(&t, 1).await;
    // The pool's connections are open; the listener's is the only one to open again.
    let warm = request_id(&t, &ws.builder, &v1, &envs[0]).await;
    assert_eq!(
        event(&mut socket, "promotionRequestChanged").await.0["id"],
        warm
    );
    data(cancel(&t, &ws.builder, &warm).await);
    let (cancelled, _) = event(&mut socket, "promotionRequestChanged").await;
    assert_eq!(cancelled["status"], "CANCELLED");

    let cut = cut_listener(&t).await;
    // This request's notification reaches no process.
    let missed = request_id(&t, &ws.builder, &v1, &envs[0]).await;
    cut.reconnect().await;
    // The listener reconnects and the subscriber reads again: the request arrives, and
    // only it (the cancelled one was sent in that state already).
    let (requested, _) = event(&mut socket, "promotionRequestChanged").await;
    assert_eq!(requested["id"], missed);
    assert_eq!(requested["status"], "PENDING");
    // And what is notified from now on arrives as before.
    data(review(&t, &ws.admin, &missed, false).await);
    let (rejected, _) = event(&mut socket, "promotionRequestChanged").await;
    assert_eq!(rejected["id"], missed);
    assert_eq!(rejected["status"], "REJECTED");
}
