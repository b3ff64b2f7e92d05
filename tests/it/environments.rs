use serde_json::{Value, json};

use crate::common::{TestApp, code, data};

const ENVIRONMENTS: &str =
    "{ environments { id name kind priority isDefault locked createdAt updatedAt } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_new_workspace_has_three_locked_environments_in_priority_order() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = data(t.gql(Some(&ws.viewer), ENVIRONMENTS, json!({})).await)["environments"].clone();
    let summary: Vec<Value> = envs
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            json!([
                e["name"],
                e["kind"],
                e["priority"],
                e["isDefault"],
                e["locked"]
            ])
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            json!(["Development", "DEVELOPMENT", 1, false, true]),
            json!(["Staging", "STAGING", 2, false, true]),
            json!(["Production", "PRODUCTION", 3, true, true]),
        ]
    );
    // The same environments come back on the next request: provisioning is idempotent.
    let again = data(t.gql(Some(&ws.admin), ENVIRONMENTS, json!({})).await)["environments"].clone();
    assert_eq!(again, envs);
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_concurrent_first_requests_provision_exactly_three_environments() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let requests = (0..50).map(|_| t.gql(Some(&ws.builder), "{ environments { id } }", json!({})));
    let responses = futures_util::future::join_all(requests).await;
    for response in &responses {
        assert_eq!(
            data(response.clone())["environments"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
    let count =
        t.db.count(
            "SELECT count(*) FROM environments WHERE workspace_id = $1",
            &[&ws.id],
        )
        .await;
    assert_eq!(count, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_provisioning_one_workspace_at_once_make_it_once() {
    // Two servers over one database: each has its own memory of what it provisioned,
    // so only the database can keep them from making the workspace twice.
    let one = TestApp::new().await;
    let two = TestApp::on_same_db(&one, crate::common::enterprise());
    let ws = one.workspace().await;
    // Forced to overlap: a session of our own inserts the workspace and holds it
    // uncommitted, both servers' first requests queue up behind its key, then it rolls
    // back and they provision for real, at once.
    let held = one
        .db
        .hold("INSERT INTO workspaces (id) VALUES ($1)", &[&ws.id])
        .await;
    let query = "{ environments { id name } }";
    let (a, b, queued) = tokio::join!(
        one.gql(Some(&ws.builder), query, json!({})),
        two.gql(Some(&ws.builder), query, json!({})),
        async {
            let queued = one.db.lock_waiters(2).await;
            held.rollback().await;
            queued
        }
    );
    assert_eq!(
        queued, 2,
        "both first requests waited on the workspace's key"
    );
    let (a, b) = (
        data(a)["environments"].clone(),
        data(b)["environments"].clone(),
    );
    assert_eq!(a.as_array().unwrap().len(), 3, "{a}");
    assert_eq!(a, b, "both servers see the same three environments");
    let workspaces = one
        .db
        .count("SELECT count(*) FROM workspaces WHERE id = $1", &[&ws.id])
        .await;
    let environments = one
        .db
        .count(
            "SELECT count(*) FROM environments WHERE workspace_id = $1",
            &[&ws.id],
        )
        .await;
    assert_eq!((workspaces, environments), (1, 3));
}

#[tokio::test(flavor = "multi_thread")]
async fn one_workspace_cannot_see_another_workspaces_environment() {
    let t = TestApp::new().await;
    let (ours, theirs) = (t.workspace().await, t.workspace().await);
    let their_envs = data(
        t.gql(Some(&theirs.admin), "{ environments { id } }", json!({}))
            .await,
    );
    let their_id = their_envs["environments"][0]["id"].clone();
    let query = "query($id: ID!) { environment(id: $id) { id name } }";
    let response = t
        .gql(Some(&ours.admin), query, json!({ "id": their_id }))
        .await;
    assert_eq!(code(&response), "NOT_FOUND");
    assert_eq!(response["data"]["environment"], Value::Null);
    let unknown = t
        .gql(
            Some(&ours.admin),
            query,
            json!({ "id": uuid::Uuid::new_v4() }),
        )
        .await;
    assert_eq!(code(&unknown), "NOT_FOUND");
    assert_eq!(
        unknown["errors"][0]["message"], response["errors"][0]["message"],
        "indistinguishable from unknown"
    );
    let malformed = t
        .gql(Some(&ours.admin), query, json!({ "id": "not-a-uuid" }))
        .await;
    assert_eq!(code(&malformed), "NOT_FOUND");
    // Their environment list is theirs alone.
    let ours_list = data(
        t.gql(Some(&ours.admin), "{ environments { id } }", json!({}))
            .await,
    );
    assert!(
        ours_list["environments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !their_envs.to_string().contains(e["id"].as_str().unwrap()))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_environment_is_read_by_id() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let envs = data(t.gql(Some(&ws.viewer), ENVIRONMENTS, json!({})).await)["environments"].clone();
    let staging = &envs[1];
    let one = t
        .gql(
            Some(&ws.runner),
            "query($id: ID!) { environment(id: $id) { id name kind priority isDefault locked createdAt updatedAt } }",
            json!({ "id": staging["id"] }),
        )
        .await;
    assert_eq!(&data(one)["environment"], staging);
}

#[tokio::test(flavor = "multi_thread")]
async fn community_offers_production_only_and_keeps_the_others() {
    let t = TestApp::community().await;
    let ws = t.workspace().await;
    let envs = data(
        t.gql(
            Some(&ws.admin),
            "{ environments { id name isDefault } }",
            json!({}),
        )
        .await,
    );
    let envs = envs["environments"].as_array().unwrap().clone();
    assert_eq!(envs.len(), 1);
    assert_eq!(envs[0]["name"], "Production");
    assert_eq!(envs[0]["isDefault"], true);

    // The other environments exist, untouched, and naming one needs a license.
    let client = t.db.client().await;
    let rows = client
        .query(
            "SELECT id, name FROM environments WHERE workspace_id = $1 ORDER BY priority",
            &[&ws.id],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    let development: uuid::Uuid = rows[0].get(0);
    let response = t
        .gql(
            Some(&ws.admin),
            "query($id: ID!) { environment(id: $id) { id } }",
            json!({ "id": development }),
        )
        .await;
    assert_eq!(code(&response), "LICENSE_REQUIRED");
    assert!(
        response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Enterprise license")
    );
}
