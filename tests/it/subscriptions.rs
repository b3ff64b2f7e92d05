//! Subscriptions over a real WebSocket: changes committed through any server process on
//! the same database reach the subscribers of every process, masked, in their own
//! workspace only, and nothing is lost when the listening connection is.

use std::time::Duration;

use futures_util::SinkExt as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::{MARGIN, TestApp, Workspace, admin_client, data, enterprise};
use crate::data_sources::{copy, create_pg, delete, environment_ids, update, value_of};
use crate::websocket::{Socket, connect, next, serve};

pub(crate) const CHANGED: &str = "subscription($id: ID) { dataSourceOptionsChanged(dataSourceId: $id) { environment { name } revision dataSourceId id values { key value secret isSet } } }";
const DELETED: &str = "subscription { dataSourceDeleted }";

/// A socket acknowledged with `token`, subscribed to `query` as operation "s".
pub(crate) async fn subscribe(url: &str, token: &str, query: &str, variables: Value) -> Socket {
    let mut socket = connect(url, json!({ "Authorization": format!("Bearer {token}") })).await;
    assert_eq!(
        event_text(&mut socket).await,
        r#"{"type":"connection_ack"}"#
    );
    let subscribe = json!({ "id": "s", "type": "subscribe", "payload": { "query": query, "variables": variables } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    socket
}

/// The next text message as it was sent (field order and all).
pub(crate) async fn event_text(socket: &mut Socket) -> String {
    for _ in 0..100 {
        match next(socket).await.expect("a message") {
            Message::Text(text) => return text.to_string(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("100 pings and pongs in a row, and no message")
}

/// The next event's payload under `field`, with the raw text.
pub(crate) async fn event(socket: &mut Socket, field: &str) -> (Value, String) {
    let text = event_text(socket).await;
    let message: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(message["type"], "next", "{text}");
    assert_eq!(message["id"], "s", "{text}");
    assert!(message["payload"].get("errors").is_none(), "{text}");
    (message["payload"]["data"][field].clone(), text)
}

pub(crate) async fn options_event(socket: &mut Socket) -> (Value, String) {
    event(socket, "dataSourceOptionsChanged").await
}

/// Waits (bounded) until `count` subscriptions run on `t`: changes committed from then
/// on reach them.
pub(crate) async fn running(t: &TestApp, count: i64) {
    for _ in 0..(MARGIN.as_millis() / 20) {
        if t.app.metrics.subscriptions.get() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{count} subscriptions did not start within {MARGIN:?}");
}

/// The test's database refusing new connections, its listener's connection cut: what
/// commits now is notified to no process, until [`Cut::reconnect`].
pub(crate) struct Cut<'a> {
    admin: tokio_postgres::Client,
    database: &'a str,
}

/// Forbids new connections to `t`'s database and cuts its listener's (the pool's stay).
pub(crate) async fn cut_listener(t: &TestApp) -> Cut<'_> {
    let admin = admin_client().await;
    let database = t.db.name.as_str();
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {database} ALLOW_CONNECTIONS false"
        ))
        .await
        .unwrap();
    let cut = admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
            &[&database, &envgate::listener::APPLICATION_NAME],
        )
        .await
        .unwrap();
    assert_eq!(cut, 1, "one listening connection");
    Cut { admin, database }
}

impl Cut<'_> {
    /// Lets connections in again: the listener reconnects and subscribers re-read.
    pub(crate) async fn reconnect(self) {
        let database = self.database;
        self.admin
            .batch_execute(&format!("ALTER DATABASE {database} ALLOW_CONNECTIONS true"))
            .await
            .unwrap();
    }
}

async fn save_password(t: &TestApp, ws: &Workspace, id: &str, env: &str, password: &str) -> i64 {
    let input = json!({ "dataSourceId": id, "environmentId": env, "options": [{ "key": "password", "value": password }] });
    data(update(t, &ws.admin, input).await)["updateDataSourceOptions"]["revision"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_save_through_another_server_reaches_subscribers_masked_and_in_their_workspace_only() {
    let a = TestApp::new().await;
    // A second server process on the same database: its own pool and listener.
    let b = TestApp::on_same_db(&a, enterprise());
    let ws = a.workspace().await;
    let other = a.workspace().await;
    let url = serve(&a).await;
    let mut builder = subscribe(&url, &ws.builder, CHANGED, json!({})).await;
    let mut outsider = subscribe(&url, &other.admin, CHANGED, json!({})).await;
    running(&a, 2).await;
    let envs = environment_ids(&b, &ws).await;

    let id = create_pg(&b, &ws, "orders").await;
    // Created: one event per environment, in the pipeline's order.
    for name in ["Development", "Staging", "Production"] {
        let (options, _) = options_event(&mut builder).await;
        assert_eq!(options["dataSourceId"], id);
        assert_eq!(options["environment"]["name"], name);
        assert_eq!(options["revision"], 1);
    }
    let revision = save_password(&b, &ws, &id, &envs[1], "staging-secret-42").await;
    let (options, text) = options_event(&mut builder).await;
    assert_eq!(options["environment"]["name"], "Staging");
    assert_eq!(options["revision"], revision);
    // Masked exactly as queries mask it.
    assert_eq!(
        value_of(&options, "password"),
        &json!({ "key": "password", "value": null, "secret": true, "isSet": true })
    );
    assert!(!text.contains("staging-secret-42"), "{text}");
    // In the order the fields were asked for (the environment is loaded, so it would
    // come last in the order the fields finish).
    let at = |field: &str| text.find(&format!("\"{field}\"")).unwrap();
    assert!(
        at("environment") < at("revision") && at("revision") < at("values"),
        "{text}"
    );

    // The other workspace heard none of it: its first event is its own change.
    let own = create_pg(&b, &other, "elsewhere").await;
    let (first, _) = options_event(&mut outsider).await;
    assert_eq!(first["dataSourceId"], own, "no event of another workspace");
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_new_environments_and_deletions_are_sent_and_one_data_source_can_be_watched() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let url = serve(&t).await;
    let envs = environment_ids(&t, &ws).await;
    let watched = create_pg(&t, &ws, "watched").await;
    let mut one = subscribe(&url, &ws.viewer, CHANGED, json!({ "id": watched })).await;
    let mut deletions = subscribe(&url, &ws.viewer, DELETED, json!({})).await;
    running(&t, 2).await;

    // Another data source's changes are not this subscriber's.
    let other = create_pg(&t, &ws, "other").await;
    save_password(&t, &ws, &other, &envs[0], "dev-secret").await;
    let revision = save_password(&t, &ws, &watched, &envs[0], "dev-secret").await;
    let (saved, _) = options_event(&mut one).await;
    assert_eq!(
        saved["dataSourceId"], watched,
        "the first event is the watched one's"
    );
    assert_eq!(saved["environment"]["name"], "Development");
    assert_eq!(saved["revision"], revision);

    // A copy is an event for the environment copied onto.
    let input = json!({ "dataSourceId": watched, "fromEnvironmentId": envs[0], "toEnvironmentId": envs[1], "includeSecrets": true });
    let copied =
        data(copy(&t, &ws.admin, input).await)["copyDataSourceOptions"]["revision"].clone();
    let (onto, _) = options_event(&mut one).await;
    assert_eq!(onto["environment"]["name"], "Staging");
    assert_eq!(onto["revision"], copied);
    assert_eq!(value_of(&onto, "password")["isSet"], true);
    assert_eq!(value_of(&onto, "password")["value"], Value::Null);

    // A new environment receives every data source's non-secret values: an event.
    let created = t
        .gql(
            Some(&ws.admin),
            "mutation($after: ID!) { createEnvironment(input: { name: \"QA\", after: $after }) { id } }",
            json!({ "after": envs[1] }),
        )
        .await;
    assert!(created.get("errors").is_none(), "{created}");
    let qa_id = created["data"]["createEnvironment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (qa, _) = options_event(&mut one).await;
    assert_eq!(qa["environment"]["name"], "QA");
    assert_eq!(qa["dataSourceId"], watched);

    // Each event reads afresh: a renamed environment is named anew in the next one.
    let renamed = t
        .gql(
            Some(&ws.admin),
            "mutation($id: ID!) { renameEnvironment(id: $id, name: \"Pre-production\") { name } }",
            json!({ "id": qa_id }),
        )
        .await;
    assert!(renamed.get("errors").is_none(), "{renamed}");
    save_password(&t, &ws, &watched, &qa_id, "again").await;
    let (again, _) = options_event(&mut one).await;
    assert_eq!(again["environment"]["name"], "Pre-production");

    // Deleting: the deletion subscriber hears it, by id.
    assert_eq!(
        delete(&t, &ws.admin, &other).await["data"]["deleteDataSource"],
        other
    );
    let (deleted, _) = event(&mut deletions, "dataSourceDeleted").await;
    assert_eq!(deleted, other);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_committed_while_the_listener_was_disconnected_is_sent_once_it_reconnects() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let url = serve(&t).await;
    let envs = environment_ids(&t, &ws).await;
    let id = create_pg(&t, &ws, "orders").await;
    let mut socket = subscribe(&url, &ws.viewer, CHANGED, json!({ "id": id })).await;
    running(&t, 1).await;
    // The pool's connections are open (the save and the subscriber's re-read reuse
    // them); the listener's is the only one that must be opened again.
    let warm = save_password(&t, &ws, &id, &envs[0], "first").await;
    assert_eq!(options_event(&mut socket).await.0["revision"], warm);

    let cut = cut_listener(&t).await;
    // This commit's notification reaches no process.
    let missed = save_password(&t, &ws, &id, &envs[1], "while-nobody-listened").await;
    cut.reconnect().await;
    // The listener reconnects and the subscriber reads again: the change arrives.
    let (event, _) = options_event(&mut socket).await;
    assert_eq!(event["environment"]["name"], "Staging");
    assert_eq!(event["revision"], missed);
    // And what is notified from now on arrives as before.
    let after = save_password(&t, &ws, &id, &envs[2], "after").await;
    let (event, _) = options_event(&mut socket).await;
    assert_eq!(event["environment"]["name"], "Production");
    assert_eq!(event["revision"], after);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_committed_before_the_first_listen_is_sent_once_the_listener_starts() {
    let a = TestApp::new().await;
    // A process that answers (and runs subscriptions) before its listener has LISTENed
    // for the first time, as `serve` may in its first moments.
    let b = TestApp::on_same_db_not_listening(&a);
    let ws = a.workspace().await;
    let url = serve(&b).await;
    let mut socket = subscribe(&url, &ws.builder, CHANGED, json!({})).await;
    running(&b, 1).await;
    // Committed through the other process while nobody in `b` listens.
    let id = create_pg(&a, &ws, "orders").await;
    b.app.listen(&crate::common::database_url(&b.db.url));
    // The first LISTEN makes the subscriber read again: the change arrives.
    let (event, _) = options_event(&mut socket).await;
    assert_eq!(event["dataSourceId"], id.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_completes_when_its_token_expires() {
    let t = TestApp::new().await;
    let url = serve(&t).await;
    let (token, exp) = crate::websocket::expiring_token("viewer");
    let mut socket = subscribe(&url, &token, DELETED, json!({})).await;
    crate::common::sleep_until_past(chrono::DateTime::from_timestamp(exp, 0).unwrap()).await;
    // Bounded: the server completes the subscription at the expiry.
    let text = tokio::time::timeout(Duration::from_secs(30), event_text(&mut socket))
        .await
        .expect("completed in time");
    assert_eq!(text, r#"{"type":"complete","id":"s"}"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_over_http_is_told_to_use_the_websocket() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let response = t
        .request(crate::common::post(
            Some(&ws.viewer),
            &json!({ "query": DELETED }),
        ))
        .await;
    assert_eq!(response.status, axum::http::StatusCode::BAD_REQUEST);
    let body = response.json();
    assert_eq!(crate::common::code(&body), "BAD_REQUEST");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("WebSocket"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_environments_the_edition_offers_and_only_committed_changes_are_sent() {
    let enterprise_server = TestApp::new().await;
    // A Community server on the same database offers Production only.
    let community =
        TestApp::on_same_db(&enterprise_server, envgate::edition::Licensing::community());
    let ws = enterprise_server.workspace().await;
    let envs = environment_ids(&enterprise_server, &ws).await;
    let id = create_pg(&enterprise_server, &ws, "orders").await;
    let url = serve(&community).await;
    let mut socket = subscribe(&url, &ws.viewer, CHANGED, json!({})).await;
    running(&community, 1).await;

    // Staging is not offered: nothing is sent for it.
    save_password(&enterprise_server, &ws, &id, &envs[1], "staging").await;
    // A save refused with REVISION_CONFLICT rolls back: nothing is sent for it.
    let stale = json!({ "dataSourceId": id, "environmentId": envs[2], "expectedRevision": 99, "options": [{ "key": "password", "value": "never" }] });
    let refused = update(&enterprise_server, &ws.admin, stale).await;
    assert_eq!(
        crate::common::code(&refused),
        "REVISION_CONFLICT",
        "{refused}"
    );
    let revision = save_password(&enterprise_server, &ws, &id, &envs[2], "production").await;
    let (first, _) = options_event(&mut socket).await;
    assert_eq!(first["environment"]["name"], "Production");
    assert_eq!(
        first["revision"], revision,
        "the first event is the committed save"
    );
}

/// Setting or clearing a constant's value, by its mutation or by applying a document,
/// through a real `envgate serve` process, reaches the subscribers (of this process) of
/// every data source whose options reference it, in the environment concerned, with
/// `configured` as it now is; data sources that don't reference it hear nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_constant_change_in_another_process_reaches_subscribers_of_the_data_sources_that_reference_it()
 {
    const CONFIGURED: &str = "subscription { dataSourceOptionsChanged { dataSourceId environment { name } configured revision } }";
    const SET_VALUES: &str = "mutation($id: ID!, $values: [ConstantValueInput!]!) { setConstantValues(id: $id, values: $values) { id } }";
    let a = TestApp::new().await;
    // The other process: the real binary on the same database, Enterprise.
    let state = crate::common::TempDir::new("constant-events");
    let public_key = state.join("license-public.pem");
    std::fs::write(&public_key, &crate::common::license_keys().1).unwrap();
    let license = crate::common::license(chrono::Utc::now() + chrono::Duration::days(1));
    let master_key = envgate::secrets::MasterKey::generate_hex();
    let env = [
        (
            "ENVGATE_JWT_SECRET",
            std::str::from_utf8(crate::common::JWT_SECRET).unwrap(),
        ),
        ("ENVGATE_MASTER_KEY", master_key.as_str()),
        ("ENVGATE_LICENSE_KEY", license.as_str()),
        (
            "ENVGATE_LICENSE_PUBLIC_KEY_FILE",
            public_key.to_str().unwrap(),
        ),
    ];
    let b = crate::serve::Server::launch(&a.db.url, &state, &env, &[]).await;
    let ws = a.workspace().await;
    let call = |token: &str, query: &str, variables: Value| {
        let (address, token, body) = (
            b.address.clone(),
            token.to_owned(),
            json!({ "query": query, "variables": variables }),
        );
        async move {
            let (status, body) =
                crate::serve::graphql(&address, &token, "constant-events", body).await;
            assert_eq!(status, 200, "{body}");
            data(body)
        }
    };
    let envs: Vec<String> =
        call(&ws.admin, "{ environments { id } }", json!({})).await["environments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect();
    let created = call(&ws.admin, "mutation($values: [ConstantValueInput!]!) { createConstant(name: \"API_HOST\", type: GLOBAL, values: $values) { id } }",
        json!({ "values": [{ "environmentId": envs[0], "value": "dev.api" }] })).await;
    let constant = created["createConstant"]["id"].as_str().unwrap().to_owned();
    let input = json!({ "name": "billing", "kind": "restapi", "options": [{ "key": "url", "value": "https://{{constants.API_HOST}}/v1" }] });
    let billing = call(
        &ws.admin,
        crate::data_sources::CREATE,
        json!({ "input": input }),
    )
    .await["createDataSource"]["id"]
        .clone();
    let input = json!({ "name": "plain", "kind": "restapi", "options": [{ "key": "url", "value": "https://plain.example" }] });
    let plain = call(
        &ws.admin,
        crate::data_sources::CREATE,
        json!({ "input": input }),
    )
    .await["createDataSource"]["id"]
        .clone();

    let url = serve(&a).await;
    let mut builder = subscribe(&url, &ws.builder, CONFIGURED, json!({})).await;
    running(&a, 1).await;

    // Set in Production through the other process: Production's options are
    // configured now.
    call(
        &ws.admin,
        SET_VALUES,
        json!({ "id": constant, "values": [{ "environmentId": envs[2], "value": "api.example" }] }),
    )
    .await;
    let (event, _) = options_event(&mut builder).await;
    assert_eq!(
        event,
        json!({ "dataSourceId": billing, "environment": { "name": "Production" }, "configured": true, "revision": 1 })
    );

    // The same through applyWorkspaceConfig: Staging.
    let mut document =
        call(&ws.admin, crate::workspace_config::EXPORT, json!({})).await["workspaceConfig"]
            .clone();
    document["constants"][0]["values"]["Staging"] = json!("staging.api");
    let variables = json!({ "config": document, "dryRun": false, "prune": false });
    let plan = call(&ws.admin, crate::workspace_config::APPLY, variables).await;
    assert_eq!(plan["applyWorkspaceConfig"]["applied"], true);
    let (event, _) = options_event(&mut builder).await;
    assert_eq!(
        event,
        json!({ "dataSourceId": billing, "environment": { "name": "Staging" }, "configured": true, "revision": 1 })
    );

    // Cleared in Production: not configured again.
    call(
        &ws.admin,
        SET_VALUES,
        json!({ "id": constant, "values": [{ "environmentId": envs[2], "value": null }] }),
    )
    .await;
    let (event, _) = options_event(&mut builder).await;
    assert_eq!(
        event,
        json!({ "dataSourceId": billing, "environment": { "name": "Production" }, "configured": false, "revision": 1 })
    );

    // Nothing was sent for the data source that does not reference it: its own save
    // is the next event.
    let save = json!({ "dataSourceId": plain, "environmentId": envs[0], "options": [{ "key": "url", "value": "https://dev.plain.example" }] });
    data(update(&a, &ws.admin, save).await);
    let (event, _) = options_event(&mut builder).await;
    assert_eq!(event["dataSourceId"], plain);
    let (status, _) = b.terminate().await;
    assert!(status.success());
}
