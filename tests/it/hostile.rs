//! Hostile requests (#20): what an attacker sends, against the real binary or the real
//! router. Every exchange is bounded in time; each test asserts the answer, that the
//! server still answers meanwhile, and what the attack cost where it could cost much
//! (the process's memory, the audit rows it writes). What an editor with some rights
//! might try against stored secrets is in `hostile/secrets.rs`.

mod secrets;

use std::time::Duration;

use futures_util::SinkExt as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use envgate::app::Settings;
use envgate::auth::{Role, Session, TokenKeys};
use envgate::graphql::Limits;

use crate::common::{TempDir, TestApp, TestDb, code, post, token};
use crate::serve::{Server, graphql, http};
use crate::websocket::{Socket, connect, next_json, serve};

/// `{ a(b: [[[…1…]]]) }`, `levels` deep.
fn nested_lists(levels: usize) -> String {
    format!("{{ a(b: {}1{}) }}", "[".repeat(levels), "]".repeat(levels))
}

/// `{ a(b: {x: {x: …1…}}) }`, `levels` deep.
fn nested_objects(levels: usize) -> String {
    format!(
        "{{ a(b: {}1{}) }}",
        "{x: ".repeat(levels),
        "}".repeat(levels)
    )
}

/// `query { ...F0 }` with `fragment Fi on Query { ...F(i+1) ×4 }`, `levels` deep:
/// 4^levels fields once expanded, in a few hundred bytes.
fn fan_out(levels: usize) -> String {
    let mut query = String::from("query { ...F0 }\n");
    for i in 0..levels {
        let next = format!("...F{} ", i + 1);
        query += &format!("fragment F{i} on Query {{ {} }}\n", next.repeat(4));
    }
    query + &format!("fragment F{levels} on Query {{ __typename }}\n")
}

/// An anonymous GraphQL POST over its own connection: (status, body).
async fn anonymous(address: &str, query: &str) -> (u16, Value) {
    let body = json!({ "query": query }).to_string();
    let headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/graphql-response+json"),
    ];
    let (status, _, body) = http(address, "POST", "/graphql", &headers, &body).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Asserts the server is alive and answers its health probe.
async fn still_answers(server: &mut Server) {
    assert!(server.running(), "the server died: {:#?}", server.log());
    let (status, _, body) = http(&server.address, "GET", "/healthz", &[], "").await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
}

/// Asserts the server still answers, then that it stops cleanly on SIGTERM.
async fn answers_then_stops_cleanly(mut server: Server) {
    still_answers(&mut server).await;
    let (status, log) = server.terminate().await;
    assert_eq!(status.code(), Some(0), "{log:#?}");
}

/// A token for the demo workspace of the server in `state`, signed with its
/// development secret.
fn demo_token(state: &TempDir, role: Role, user: &str) -> String {
    let secret = std::fs::read_to_string(state.path().join("jwt-secret")).unwrap();
    let workspace = std::fs::read_to_string(state.path().join("demo-workspace")).unwrap();
    let session = Session {
        user_id: user.into(),
        workspace_id: workspace.trim().parse().unwrap(),
        role,
        groups: Vec::new(),
        expires_at: None,
    };
    TokenKeys::new(secret.trim().as_bytes(), None, None).mint(&session, Duration::from_secs(600))
}

#[tokio::test(flavor = "multi_thread")]
async fn values_nested_thousands_deep_are_refused_over_post_get_and_websocket_and_nothing_crashes()
{
    let db = TestDb::empty().await;
    let state = TempDir::new("hostile-nesting");
    let mut server = Server::start(&db.url, state.path()).await;
    for query in [nested_lists(3000), nested_objects(3000)] {
        // Before authentication, over POST…
        let (status, answer) = anonymous(&server.address, &query).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(code(&answer), "BAD_REQUEST", "{answer}");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("more than 64 deep"),
            "{answer}"
        );
        // …and GET.
        let encoded =
            percent_encoding::utf8_percent_encode(&query, percent_encoding::NON_ALPHANUMERIC);
        let path = format!("/graphql?query={encoded}");
        let (status, _, body) = http(&server.address, "GET", &path, &[], "").await;
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((status, code(&answer)), (200, "BAD_REQUEST"), "{answer}");
        still_answers(&mut server).await;
    }
    // In variables, nesting is refused as well.
    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!({ "x": deep });
    }
    let body = json!({ "query": "query($v: JSON) { __typename }", "variables": { "v": deep } });
    let (status, _, body) = http(
        &server.address,
        "POST",
        "/graphql",
        &[("Content-Type", "application/json")],
        &body.to_string(),
    )
    .await;
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((status, code(&answer)), (200, "BAD_REQUEST"), "{answer}");

    // Over a WebSocket, as an operation's error.
    let token = server.stdout.last().unwrap().trim().to_owned();
    let url = format!("ws://{}/graphql", server.address);
    let mut socket = connect(&url, json!({ "Authorization": token })).await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    subscribe(&mut socket, "deep", &nested_lists(3000)).await;
    let refused = refused_on(&mut socket, "deep", "").await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{refused}"
    );
    answers_then_stops_cleanly(server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fragment_fan_out_and_cycles_are_refused_at_once_while_the_server_keeps_answering() {
    let db = TestDb::empty().await;
    let state = TempDir::new("hostile-fragments");
    let mut server = Server::start(&db.url, state.path()).await;
    // 4^16 fields once expanded, from more clients at once than the server has workers:
    // each is refused without being walked, so none holds a worker.
    let attack = fan_out(16);
    assert!(attack.len() < 1_000);
    let attacks: Vec<_> = (0..8)
        .map(|_| {
            let (address, attack) = (server.address.clone(), attack.clone());
            tokio::spawn(async move { anonymous(&address, &attack).await })
        })
        .collect();
    still_answers(&mut server).await;
    for attack in attacks {
        let (status, answer) = attack.await.unwrap();
        assert_eq!(status, 400, "{answer}");
        assert_eq!(code(&answer), "GRAPHQL_VALIDATION_FAILED", "{answer}");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("more than 2000 fields"),
            "{answer}"
        );
    }
    // A fragment that spreads itself, even one no operation uses.
    for query in [
        "{ __typename } fragment A on Query { ...A }",
        "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A ...A }",
    ] {
        let (status, answer) = anonymous(&server.address, query).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(code(&answer), "GRAPHQL_VALIDATION_FAILED", "{answer}");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("within itself"),
            "{answer}"
        );
    }
    // A long query is refused before it is parsed.
    let long = format!("{{ {} }}", "__typename ".repeat(20_000));
    let (_, answer) = anonymous(&server.address, &long).await;
    assert_eq!(code(&answer), "BAD_REQUEST", "{answer}");
    answers_then_stops_cleanly(server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alias_flood_of_resolve_data_source_is_refused_before_it_runs_writes_nothing_and_holds_no_memory()
 {
    let db = TestDb::empty().await;
    let state = TempDir::new("hostile-aliases");
    let server = Server::start(&db.url, state.path()).await;
    let viewer = demo_token(&state, Role::Viewer, "mallory");
    let runner = demo_token(&state, Role::Runner, "runner");
    let audit_rows = "SELECT count(*) FROM audit_events WHERE action = 'DATA_SOURCE_RESOLVED'";
    let aliases = |count: usize| -> String {
        let fields: String = (0..count)
            .map(|i| format!("r{i}:resolveDataSource(input:$i){{options}} "))
            .collect();
        format!("query($i: ResolveDataSourceInput!) {{ {fields}}}")
    };
    let input = |user_id: &str| json!({ "dataSourceId": "x", "appId": "y", "target": "BUILDER", "userId": user_id });
    // 500 aliases, each handed a megabyte variable.
    let big = "u".repeat(1024 * 1024);
    let before = server.rss_kib();
    for token in [&viewer, &runner] {
        let body = json!({ "query": aliases(500), "variables": { "i": input(&big) } });
        let (status, answer) = graphql(&server.address, token, "flood", body).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(code(&answer), "GRAPHQL_VALIDATION_FAILED", "{answer}");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("more than 100 aliases"),
            "{answer}"
        );
    }
    let grown = server.rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "RSS grew by {grown} KiB");
    assert_eq!(db.count(audit_rows, &[]).await, 0);

    // Within the alias limit, a viewer's calls are refused before anything is written…
    let body = json!({ "query": aliases(50), "variables": { "i": input("bob") } });
    let (_, answer) = graphql(&server.address, &viewer, "fifty", body.clone()).await;
    let errors = answer["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 50, "{answer}");
    assert!(
        errors
            .iter()
            .all(|e| e["extensions"]["code"] == "FORBIDDEN")
    );
    assert_eq!(db.count(audit_rows, &[]).await, 0);
    // …and a runner's refused calls are audited, one row each.
    let (_, answer) = graphql(&server.address, &runner, "fifty", body).await;
    assert_eq!(code(&answer), "NOT_FOUND", "{answer}");
    assert_eq!(db.count(audit_rows, &[]).await, 50);
    answers_then_stops_cleanly(server).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_runners_user_id_is_bounded_and_printable_before_it_is_recorded() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let query = "query($u: String) { resolveDataSource(input: { dataSourceId: \"x\", appId: \"y\", target: BUILDER, userId: $u }) { options } }";
    let recorded = async || {
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE action = 'DATA_SOURCE_RESOLVED'",
            &[],
        )
        .await
    };
    for user_id in ["u".repeat(256), "bell\u{7}".into(), "line\nbreak".into()] {
        let answer = t
            .gql(Some(&ws.runner), query, json!({ "u": user_id }))
            .await;
        assert_eq!(code(&answer), "BAD_USER_INPUT", "{answer}");
        assert_eq!(answer["errors"][0]["extensions"]["field"], "userId");
    }
    // Refused, audited without the value it refused.
    assert_eq!(recorded().await, 3);
    let userless = t
        .db
        .count(
            "SELECT count(*) FROM audit_events WHERE details->>'userId' IS NULL AND details->>'outcome' = 'BAD_USER_INPUT'",
            &[],
        )
        .await;
    assert_eq!(userless, 3);
    // 255 characters, any script, are a user id.
    let longest: String = "é".repeat(255);
    let answer = t
        .gql(Some(&ws.runner), query, json!({ "u": longest }))
        .await;
    assert_eq!(code(&answer), "NOT_FOUND", "{answer}");
    let kept =
        t.db.count(
            "SELECT count(*) FROM audit_events WHERE details->>'userId' = $1",
            &[&longest],
        )
        .await;
    assert_eq!(kept, 1);
    // No other role writes a row, whatever it sends.
    for token in [&ws.admin, &ws.builder, &ws.viewer] {
        let answer = t
            .gql(Some(token), query, json!({ "u": "x".repeat(300) }))
            .await;
        assert_eq!(code(&answer), "FORBIDDEN", "{answer}");
    }
    assert_eq!(recorded().await, 4);
}

/// Reads the refusal of operation `id`: its one answer, whose first error's message
/// holds `words`, then its `complete`. Returns the answer.
async fn refused_on(socket: &mut Socket, id: &str, words: &str) -> Value {
    let refused = next_json(socket).await;
    assert_eq!(refused["id"], id, "{refused}");
    let message = refused["payload"]["errors"][0]["message"].as_str();
    assert!(message.unwrap().contains(words), "{refused}");
    assert_eq!(next_json(socket).await["type"], "complete");
    refused
}

/// Sends a `subscribe` message for `query`.
async fn subscribe(socket: &mut Socket, id: &str, query: &str) {
    let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
}

const DELETED: &str = "subscription { dataSourceDeleted }";
const QUERY: &str = "{ environments { id } }";

/// Runs a query on `socket` and reads up to its `complete`: the messages of other
/// operations that came meanwhile, by id.
async fn query_between(socket: &mut Socket, id: &str) -> Vec<Value> {
    subscribe(socket, id, QUERY).await;
    let mut others = Vec::new();
    for _ in 0..20 {
        let message = next_json(socket).await;
        if message["id"] != id {
            others.push(message);
        } else if message["type"] == "complete" {
            return others;
        } else {
            assert!(message["payload"]["errors"].is_null(), "{message}");
        }
    }
    panic!("no complete for {id}: {others:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_websocket_runs_a_bounded_number_of_operations_and_a_token_holds_a_bounded_number_of_subscriptions()
 {
    let limits = Limits {
        max_websocket_operations: 4,
        max_subscriptions_per_token: 4,
        ..Limits::default()
    };
    let t = TestApp::with_settings(Settings {
        limits,
        ..Settings::default()
    })
    .await;
    let ws = t.workspace().await;
    let url = serve(&t).await;
    let open = async |token: &str| {
        let mut socket = connect(&url, json!({ "Authorization": token })).await;
        assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
        socket
    };
    let mut first = open(&ws.admin).await;
    for id in ["s1", "s2", "s3", "s4"] {
        subscribe(&mut first, id, DELETED).await;
    }
    // A fifth operation on the connection is refused, with a GraphQL error.
    subscribe(&mut first, "q1", QUERY).await;
    let refused = refused_on(&mut first, "q1", "4 operations").await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "BAD_REQUEST"
    );
    // Once one completes, its place is free again.
    let complete = json!({ "id": "s1", "type": "complete" });
    first
        .send(Message::text(complete.to_string()))
        .await
        .unwrap();
    // (async-graphql acknowledges the client's `complete` with one of its own.)
    let others = query_between(&mut first, "q2").await;
    assert!(
        others
            .iter()
            .all(|m| m["id"] == "s1" && m["type"] == "complete"),
        "{others:?}"
    );

    // The token's subscriptions are counted over all its connections: three here, one
    // more on a second connection, and a fifth is refused.
    let mut second = open(&ws.admin).await;
    subscribe(&mut second, "s5", DELETED).await;
    assert!(query_between(&mut second, "q3").await.is_empty());
    subscribe(&mut second, "s6", DELETED).await;
    refused_on(&mut second, "s6", "4 subscriptions").await;
    // Another token has its own.
    let other = token(ws.id, Role::Admin, "another-admin");
    let mut third = open(&other).await;
    subscribe(&mut third, "s7", DELETED).await;
    assert!(query_between(&mut third, "q4").await.is_empty());
    // A closed connection gives its subscriptions back (within a bounded wait).
    first.close(None).await.unwrap();
    drop(first);
    let mut admitted = false;
    for attempt in 0..100 {
        let id = format!("again{attempt}");
        subscribe(&mut second, &id, DELETED).await;
        let others = query_between(&mut second, &format!("q-{id}")).await;
        if others.is_empty() {
            admitted = true;
            break;
        }
        assert!(others.iter().any(|m| m["id"] == id.as_str()), "{others:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        admitted,
        "the closed connection's subscriptions were given back"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_without_paging_count_per_item_against_the_complexity_limit() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let fields = "id name status createdAt environment { id name priority isDefault locked }";
    let versions = format!("{{ apps(first: 100) {{ nodes {{ versions {{ {fields} }} }} }} }}");
    let refused = |query: &str| t.request(post(Some(&ws.admin), &json!({ "query": query })));
    let answer = refused(&versions).await.json();
    assert_eq!(code(&answer), "GRAPHQL_VALIDATION_FAILED", "{answer}");
    assert_eq!(answer["errors"][0]["message"], "Query is too complex.");
    let small = versions.replace("first: 100", "first: 10");
    let answer = t.gql(Some(&ws.admin), &small, json!({})).await;
    assert!(answer["errors"].is_null(), "{answer}");
    // Constants: each alias of the list counts as a list of ten.
    let constants: String = (0..90)
        .map(|i| format!("c{i}: constants {{ id name type values {{ value isSet environment {{ id name priority isDefault locked }} }} }}"))
        .collect();
    let answer = refused(&format!("{{ {constants} }}")).await.json();
    assert_eq!(answer["errors"][0]["message"], "Query is too complex.");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_token_never_leaves_loopback_even_with_a_configured_secret_and_the_page_answers_only_local_names()
 {
    let db = TestDb::empty().await;
    let state = TempDir::new("hostile-demo");
    let secret = "a-configured-secret-of-enough-length-0123456789";
    let exposed = Server::launch(
        &db.url,
        state.path(),
        &[
            ("ENVGATE_LISTEN", "0.0.0.0:0"),
            ("ENVGATE_JWT_SECRET", secret),
        ],
        &["--demo"],
    )
    .await;
    assert!(exposed.stdout.is_empty(), "no token printed");
    assert!(
        exposed
            .log()
            .iter()
            .any(|l| l.contains("the demo token is refused")),
        "{:#?}",
        exposed.log()
    );
    let (status, _, page) =
        http(&exposed.address, "GET", "/", &[("Accept", "text/html")], "").await;
    assert_eq!(status, 200);
    assert!(!page.contains("Bearer"), "GraphiQL is not pre-filled");
    // A demo token signed with the configured secret is refused too.
    let workspace = std::fs::read_to_string(state.path().join("demo-workspace")).unwrap();
    let demo = TokenKeys::new(secret.as_bytes(), None, None).mint(
        &Session {
            user_id: envgate::demo::DEMO_USER.into(),
            workspace_id: workspace.trim().parse().unwrap(),
            role: Role::Admin,
            groups: Vec::new(),
            expires_at: None,
        },
        Duration::from_secs(600),
    );
    let (_, answer) = graphql(
        &exposed.address,
        &demo,
        "demo",
        json!({ "query": "{ viewer { role } }" }),
    )
    .await;
    assert_eq!(code(&answer), "UNAUTHENTICATED", "{answer}");
    let (status, log) = exposed.terminate().await;
    assert_eq!(status.code(), Some(0), "{log:#?}");

    // On loopback the page holds the token, but only for requests that name this
    // machine: a rebinding page of another site sends its own name.
    let local = Server::start(&db.url, state.path()).await;
    let port = local.address.rsplit(':').next().unwrap().to_owned();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, _, page) = http(
            &local.address,
            "GET",
            "/",
            &[("Accept", "text/html"), ("Host", &host)],
            "",
        )
        .await;
        assert_eq!(status, 200, "{host}");
        assert!(page.contains("Bearer"), "{host}");
    }
    for (path, host) in [
        ("/", "attacker.example"),
        ("/graphql", "attacker.example:8080"),
    ] {
        let (status, _, page) = http(
            &local.address,
            "GET",
            path,
            &[("Accept", "text/html"), ("Host", host)],
            "",
        )
        .await;
        assert_eq!(status, 403, "{path} {host}");
        assert!(!page.contains("Bearer"), "{page}");
    }
    let (status, log) = local.terminate().await;
    assert_eq!(status.code(), Some(0), "{log:#?}");
}
