use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::common::{TestApp, code, data};

fn get(uri: &str) -> axum::http::request::Builder {
    Request::get(uri)
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_readiness_need_no_token() {
    let t = TestApp::new().await;
    let health = t
        .request(get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        (health.status, health.json()),
        (StatusCode::OK, json!({ "status": "ok" }))
    );
    let ready = t.request(get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["status"], "ready");
    let metrics = t
        .request(get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.body.contains("envgate_sql_queries_total"));
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_fails_when_the_database_is_gone() {
    let t = TestApp::new().await;
    t.db.drop_now().await;
    let ready = t.request(get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json()["status"], "unavailable");
    let health = t
        .request(get("/healthz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(health.status, StatusCode::OK);
    // A GraphQL request is answered with a code, and no internal detail.
    let ws = crate::common::Workspace::new(uuid::Uuid::new_v4());
    let response = t
        .gql(Some(&ws.admin), "{ environments { id } }", json!({}))
        .await;
    assert_eq!(code(&response), "INTERNAL_SERVER_ERROR");
    let message = response["errors"][0]["message"].as_str().unwrap();
    assert!(
        !message.contains("envgate_test") && !message.contains("database"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_playground_opens_in_a_browser() {
    let t = TestApp::new().await;
    for uri in ["/", "/graphql"] {
        let page = t
            .request(
                get(uri)
                    .header(header::ACCEPT, "text/html")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert!(page.content_type().starts_with("text/html"), "{uri}");
        assert!(page.body.contains("graphiql"), "{uri}");
        assert!(page.body.contains("/graphql"), "{uri}");
        assert!(
            !page.body.contains("Bearer"),
            "no token without a demo token"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn graphql_over_get_runs_queries_and_refuses_mutations() {
    let t = TestApp::new().await;
    let ok = t
        .request(
            get("/graphql?query=%7B__typename%7D")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(
        ok.content_type().starts_with("application/json"),
        "no Accept means application/json"
    );
    assert_eq!(ok.json(), json!({ "data": { "__typename": "Query" } }));
    let mutation = t
        .request(
            get("/graphql?query=mutation%7BdeleteDataSource(id%3A%22x%22)%7D")
                .header(header::ACCEPT, "application/graphql-response+json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(mutation.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(mutation.headers.get(header::ALLOW).unwrap(), "POST");
}

async fn post_raw(
    t: &TestApp,
    accept: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> crate::common::TestResponse {
    let mut request = Request::post("/graphql");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    t.request(request.body(Body::from(body.to_owned())).unwrap())
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn media_types_and_status_codes_follow_graphql_over_http() {
    let t = TestApp::new().await;
    const GRJ: &str = "application/graphql-response+json";
    let query = json!({ "query": "{ __typename }" }).to_string();

    let r = post_raw(&t, Some(GRJ), Some("application/json"), &query).await;
    assert_eq!(
        (r.status, r.content_type()),
        (
            StatusCode::OK,
            "application/graphql-response+json; charset=utf-8"
        )
    );
    let r = post_raw(
        &t,
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        &query,
    )
    .await;
    assert_eq!(
        (r.status, r.content_type()),
        (StatusCode::OK, "application/json; charset=utf-8")
    );
    let r = post_raw(&t, Some("*/*"), Some("application/json"), &query).await;
    assert!(r.content_type().starts_with("application/json"));
    let r = post_raw(&t, None, Some("application/json"), &query).await;
    assert!(r.content_type().starts_with("application/json"));
    let r = post_raw(&t, Some("text/plain"), Some("application/json"), &query).await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);

    // Parse and validation failures: 400 without data for graphql-response+json, 200 for json.
    let parse = json!({ "query": "{ viewer " }).to_string();
    let r = post_raw(&t, Some(GRJ), Some("application/json"), &parse).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&r.json()), "GRAPHQL_PARSE_FAILED");
    assert!(r.json().get("data").is_none());
    let r = post_raw(
        &t,
        Some("application/json"),
        Some("application/json"),
        &parse,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(code(&r.json()), "GRAPHQL_PARSE_FAILED");
    let invalid = json!({ "query": "{ nope }" }).to_string();
    let r = post_raw(&t, Some(GRJ), Some("application/json"), &invalid).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&r.json()), "GRAPHQL_VALIDATION_FAILED");
    assert!(r.json().get("data").is_none());

    // Malformed requests.
    for (content_type, body) in [
        (Some("application/json"), "{not json"),
        (Some("application/json"), "[]"),
        (Some("application/json"), r#"{"query": 1}"#),
        (Some("application/json"), r#"{"variables": {}}"#),
        (
            Some("application/json"),
            r#"{"query": "{ __typename }", "variables": "x"}"#,
        ),
        (
            Some("application/json"),
            r#"{"query": "{ __typename }", "operationName": 3}"#,
        ),
        (
            Some("application/json"),
            r#"{"query": "{ __typename }", "extensions": []}"#,
        ),
    ] {
        let r = post_raw(&t, Some(GRJ), content_type, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(code(&r.json()), "BAD_REQUEST", "{body}");
    }
    let r = post_raw(&t, Some(GRJ), None, &query).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    assert_eq!(code(&r.json()), "BAD_REQUEST");
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Content-Type: application/json"),
        "{}",
        r.body
    );
    let r = post_raw(&t, Some(GRJ), Some("text/plain"), &query).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_field_error_keeps_the_data_entry_and_status_200() {
    let t = TestApp::new().await;
    let response = post_raw(
        &t,
        Some("application/graphql-response+json"),
        Some("application/json"),
        &json!({ "query": "{ viewer { userId } }" }).to_string(),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["data"], Value::Null);
    assert_eq!(code(&body), "UNAUTHENTICATED");
    assert_eq!(body["errors"][0]["path"], json!(["viewer"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn operation_names_and_variables_are_honoured() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let body = json!({
        "query": "query A { viewer { role } } query B($id: ID!) { environment(id: $id) { id } }",
        "operationName": "A",
    });
    let r = t
        .request(crate::common::post(Some(&ws.viewer), &body))
        .await;
    assert_eq!(data(r.json()), json!({ "viewer": { "role": "VIEWER" } }));
    let unknown =
        json!({ "query": "query A { __typename } query B { __typename }", "operationName": "C" });
    let r = t
        .request(crate::common::post(Some(&ws.viewer), &unknown))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&r.json()), "GRAPHQL_VALIDATION_FAILED");
    // A variable of the wrong type is a validation failure, not a crash.
    let wrong = json!({ "query": "query($n: Int) { dataSources(first: $n) { nodes { id } } }", "variables": { "n": "ten" } });
    let r = t
        .request(crate::common::post(Some(&ws.viewer), &wrong))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let body = r.json();
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"Int\""),
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_come_back_in_the_order_they_were_asked_for() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let query = "{ viewer { role userId } edition { name } environments { name } dataSourceKinds { kind } ...F e2: environments { id } } fragment F on Query { a: edition { licenseStatus } }";
    let response = t
        .request(crate::common::post(
            Some(&ws.admin),
            &json!({ "query": query }),
        ))
        .await;
    let body = &response.body;
    let positions: Vec<usize> = [
        "\"viewer\"",
        "\"role\"",
        "\"userId\"",
        "\"edition\"",
        "\"environments\"",
        "\"dataSourceKinds\"",
        "\"a\"",
        "\"e2\"",
    ]
    .iter()
    .map(|key| body.find(key).unwrap_or_else(|| panic!("{key} in {body}")))
    .collect();
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    assert_eq!(positions, sorted, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expensive_query_is_refused_before_it_runs() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let page = "dataSources(first: 100) { nodes { id name environments { id revision environment { name } values { key value isSet } } } }";
    let aliases: Vec<String> = (0..20).map(|i| format!("a{i}: {page}")).collect();
    data(
        t.gql(Some(&ws.viewer), "{ viewer { role } }", json!({}))
            .await,
    );
    let before = t.queries();
    let response = t
        .request(crate::common::post(
            Some(&ws.viewer),
            &json!({ "query": format!("{{ {} }}", aliases.join(" ")) }),
        ))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&response.json()), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        response.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("complex")
    );
    assert_eq!(t.queries(), before, "nothing ran");
    // One full page is fine.
    data(
        t.gql(Some(&ws.viewer), &format!("{{ {page} }}"), json!({}))
            .await,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn transport_errors_are_json_with_a_code() {
    let t = TestApp::new().await;
    let put = t
        .request(Request::put("/graphql").body(Body::empty()).unwrap())
        .await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(code(&put.json()), "BAD_REQUEST");
    let missing = t
        .request(get("/nowhere").body(Body::empty()).unwrap())
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(code(&missing.json()), "NOT_FOUND");
    let huge =
        json!({ "query": "{ __typename }", "variables": { "x": "y".repeat(3 * 1024 * 1024) } })
            .to_string();
    let too_big = post_raw(
        &t,
        Some("application/json"),
        Some("application/json"),
        &huge,
    )
    .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&too_big.json()), "BAD_REQUEST");
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_origins_and_the_demo_token_come_from_the_settings() {
    let db = crate::common::TestDb::new().await;
    let mut app = crate::common::app_on(&db.url, crate::common::enterprise());
    let settings = &mut std::sync::Arc::get_mut(&mut app).unwrap().settings;
    settings.cors_origins = Some("https://app.example, https://admin.example".into());
    settings.demo_token = Some("demo.token.value".into());
    let router = envgate::router(app);
    let call = |request: Request<Body>| {
        use tower::ServiceExt as _;
        router.clone().oneshot(request)
    };
    let preflight = Request::options("/graphql")
        .header(header::ORIGIN, "https://admin.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .body(Body::empty())
        .unwrap();
    let response = call(preflight).await.unwrap();
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://admin.example"
    );
    let foreign = Request::options("/graphql")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .body(Body::empty())
        .unwrap();
    assert!(
        call(foreign)
            .await
            .unwrap()
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );

    let page = call(get("/").body(Body::empty()).unwrap()).await.unwrap();
    let bytes = http_body_util::BodyExt::collect(page.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(String::from_utf8_lossy(&bytes).contains("Bearer demo.token.value"));
}

#[tokio::test(flavor = "multi_thread")]
async fn persisted_queries_follow_apollos_protocol() {
    use sha2::Digest as _;
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let query = "{ viewer { role } }";
    let hash = hex::encode(sha2::Sha256::digest(query));
    let persisted = |hash: &str| json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let unknown = t
        .request(crate::common::post(
            Some(&ws.viewer),
            &json!({ "extensions": persisted(&hash) }),
        ))
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::BAD_REQUEST,
        "a request error under graphql-response+json"
    );
    assert_eq!(code(&unknown.json()), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(
        unknown.json()["errors"][0]["message"],
        "PersistedQueryNotFound"
    );
    let registered = t
        .request(crate::common::post(
            Some(&ws.viewer),
            &json!({ "query": query, "extensions": persisted(&hash) }),
        ))
        .await;
    assert_eq!(
        data(registered.json()),
        json!({ "viewer": { "role": "VIEWER" } })
    );
    let by_hash = t
        .request(crate::common::post(
            Some(&ws.viewer),
            &json!({ "extensions": persisted(&hash) }),
        ))
        .await;
    assert_eq!(
        data(by_hash.json()),
        json!({ "viewer": { "role": "VIEWER" } })
    );
    let get = format!(
        "/graphql?extensions={}",
        urlencode(&persisted(&hash).to_string())
    );
    let over_get = t
        .request(
            Request::get(get)
                .header(header::AUTHORIZATION, format!("Bearer {}", ws.viewer))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        data(over_get.json()),
        json!({ "viewer": { "role": "VIEWER" } })
    );
    let mismatch = t
        .request(crate::common::post(
            Some(&ws.viewer),
            &json!({ "query": "{ __typename }", "extensions": persisted(&hash) }),
        ))
        .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&mismatch.json()), "BAD_REQUEST");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_required_variable_left_out_is_a_request_error() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let query = "query($id: ID!, $other: ID = \"x\", $maybe: ID) { environment(id: $id) { id } }";
    for variables in [json!({}), json!({ "id": null })] {
        let r = t
            .request(crate::common::post(
                Some(&ws.viewer),
                &json!({ "query": query, "variables": variables }),
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let body = r.json();
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("$id"),
            "{body}"
        );
        assert!(body.get("data").is_none());
    }
}

/// A query exactly `depth` fields deep: introspection's `ofType` nests as deep as asked.
fn nested(depth: usize) -> String {
    // __schema, queryType, fields, type, then `ofType`s, then name: depth 5 + ofTypes.
    let of_types = depth - 5;
    format!(
        "{{ __schema {{ queryType {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType { ".repeat(of_types),
        "} ".repeat(of_types)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_nested_deeper_than_24_is_refused_before_it_runs() {
    let t = TestApp::new().await;
    // The README's limit: 24 deep is answered...
    let deepest = post_raw(
        &t,
        Some("application/graphql-response+json"),
        Some("application/json"),
        &json!({ "query": nested(24) }).to_string(),
    )
    .await;
    assert_eq!(deepest.status, StatusCode::OK, "{}", deepest.body);
    let answer = data(deepest.json());
    assert!(
        !answer["__schema"]["queryType"]["fields"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{answer}"
    );
    // ...and one level more is a request error that never runs.
    let too_deep = post_raw(
        &t,
        Some("application/graphql-response+json"),
        Some("application/json"),
        &json!({ "query": nested(25) }).to_string(),
    )
    .await;
    assert_eq!(
        too_deep.status,
        StatusCode::BAD_REQUEST,
        "{}",
        too_deep.body
    );
    let body = too_deep.json();
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn persisted_queries_are_remembered_only_from_requests_with_a_valid_token() {
    use sha2::Digest as _;
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let persisted = |hash: &str| json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let send = |token: Option<String>, body: Value| {
        let t = &t;
        async move {
            t.request(crate::common::post(token.as_deref(), &body))
                .await
                .json()
        }
    };
    let query = "{ anonymous: __typename }";
    let hash = hex::encode(sha2::Sha256::digest(query));
    // Without a token (or with a bad one) the query runs but is not remembered.
    for token in [None, Some("not-a-token".to_owned())] {
        let ran = send(
            token.clone(),
            json!({ "query": query, "extensions": persisted(&hash) }),
        )
        .await;
        assert_eq!(ran["data"]["anonymous"], "Query", "{ran}");
        let by_hash = send(token, json!({ "extensions": persisted(&hash) })).await;
        assert_eq!(code(&by_hash), "PERSISTED_QUERY_NOT_FOUND", "{by_hash}");
    }
    // With a valid token it is, and then anyone may name it by its hash.
    let ran = send(
        Some(ws.viewer.clone()),
        json!({ "query": query, "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(ran["data"]["anonymous"], "Query", "{ran}");
    let by_hash = send(None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(by_hash["data"]["anonymous"], "Query", "{by_hash}");
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_time_out_a_stalled_body_and_a_stuck_operation() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let id = crate::data_sources::create_pg(&t, &ws, "pg").await;
    let envs = crate::data_sources::environment_ids(&t, &ws).await;
    // Both cases wait on the server's real timers (30 s for a request, 25 s for an
    // operation), together, and the test gives up on them well after that.
    let bound = std::time::Duration::from_secs(120);

    // A client that announces a body and never sends it: cut by the request timeout.
    let stalled = async {
        let body = Body::from_stream(futures_util::stream::pending::<
            Result<Vec<u8>, std::io::Error>,
        >());
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, "100")
            .body(body)
            .unwrap();
        tokio::time::timeout(bound, t.request(request))
            .await
            .expect("the request timeout answered")
    };

    // An operation stuck behind a row lock: stopped by the execution timeout with a
    // GraphQL error, and nothing of it saved.
    let held =
        t.db.hold(
            "SELECT 1 FROM data_sources WHERE id = $1 FOR UPDATE",
            &[&uuid::Uuid::parse_str(&id).unwrap()],
        )
        .await;
    let update = "mutation($input: UpdateDataSourceOptionsInput!) { updateDataSourceOptions(input: $input) { revision } }";
    let input = json!({ "dataSourceId": id, "environmentId": envs[2], "options": [{ "key": "username", "value": "never" }] });
    let stuck = async {
        let (response, waiting) = tokio::join!(
            tokio::time::timeout(
                bound,
                t.request(crate::common::post(
                    Some(&ws.admin),
                    &json!({ "query": update, "variables": { "input": input } }),
                )),
            ),
            t.db.lock_waiters(1)
        );
        (response.expect("the execution timeout answered"), waiting)
    };
    let (stalled, (stuck, waiting)) = tokio::join!(stalled, stuck);
    held.commit().await;

    assert_eq!(
        stalled.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        stalled.body
    );
    assert_eq!(waiting, 1, "the operation waited on the held row");
    assert_eq!(
        stuck.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        stuck.body
    );
    let body = stuck.json();
    assert_eq!(code(&body), "INTERNAL_SERVER_ERROR");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("took too long"),
        "{body}"
    );
    // Nothing of the stopped save is stored, and the server still saves.
    let stored = t
        .db
        .client()
        .await
        .query_one(
            "SELECT revision, \"values\"->>'host' FROM data_source_options WHERE environment_id = $1",
            &[&uuid::Uuid::parse_str(&envs[2]).unwrap()],
        )
        .await
        .unwrap();
    assert_eq!(
        (stored.get::<_, i32>(0), stored.get::<_, String>(1)),
        (1, "db.internal".to_owned())
    );
    let saved = t
        .gql(Some(&ws.admin), update, json!({ "input": input }))
        .await;
    assert_eq!(data(saved)["updateDataSourceOptions"]["revision"], 2);
}

/// The value of a metric line `name` (with its labels), as `/metrics` shows it now.
async fn metric(t: &TestApp, name: &str) -> f64 {
    let metrics = t
        .request(get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(metrics.status, StatusCode::OK);
    metrics
        .body
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_by_operation_and_outcome_with_a_latency_histogram() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let ok = r#"envgate_graphql_requests_total{operation="query",outcome="ok"}"#;
    let failed = r#"envgate_graphql_requests_total{operation="mutation",outcome="error"}"#;
    let latency = r#"envgate_graphql_request_duration_seconds_count{operation="query"}"#;
    let before = (
        metric(&t, ok).await,
        metric(&t, failed).await,
        metric(&t, latency).await,
    );
    t.gql(Some(&ws.viewer), "{ environments { name } }", json!({}))
        .await;
    // A viewer may not create data sources: FORBIDDEN.
    t.gql(
        Some(&ws.viewer),
        "mutation { createDataSource(input: { name: \"x\", kind: \"postgresql\", options: [] }) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(metric(&t, ok).await, before.0 + 1.0);
    assert_eq!(metric(&t, failed).await, before.1 + 1.0);
    assert_eq!(metric(&t, latency).await, before.2 + 1.0);
    let body = t
        .request(get("/metrics").body(Body::empty()).unwrap())
        .await
        .body;
    for name in [
        "envgate_graphql_request_duration_seconds_bucket{le=",
        "envgate_db_pool_connections_in_use ",
        "envgate_db_pool_waiting ",
        "envgate_db_pool_max_connections 8",
        "envgate_websockets_open ",
        "envgate_subscriptions_active ",
        "envgate_change_notifications_received_total ",
        "envgate_sql_queries_total ",
    ] {
        assert!(body.contains(name), "{name} in {body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn request_ids_are_echoed_generated_and_recorded_in_the_audit_log() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let create = |id: Option<&str>, name: &str| {
        let mut request = crate::common::post(
            Some(&ws.admin),
            &json!({ "query": format!("mutation {{ createDataSource(input: {{ name: \"{name}\", kind: \"restapi\", options: [{{ key: \"url\", value: \"https://example.com\" }}] }}) {{ id }} }}") }),
        );
        if let Some(id) = id {
            request
                .headers_mut()
                .insert("x-request-id", id.parse().unwrap());
        }
        request
    };
    let given = t.request(create(Some("trace-abc-123"), "a")).await;
    assert_eq!(given.headers["x-request-id"], "trace-abc-123");
    let generated = t.request(create(None, "b")).await;
    let new_id = generated.headers["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&new_id).is_ok(), "{new_id}");
    // An id too long to record is replaced, and the replacement is what is echoed.
    let long = "x".repeat(200);
    let replaced = t.request(create(Some(&long), "c")).await;
    let replacement = replaced.headers["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&replacement).is_ok(), "{replacement}");
    let audit = data(
        t.gql(
            Some(&ws.admin),
            "{ auditEvents(first: 10) { nodes { action requestId } } }",
            json!({}),
        )
        .await,
    );
    let mut recorded: Vec<String> = audit["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "DATA_SOURCE_CREATED")
        .map(|e| e["requestId"].as_str().unwrap().to_owned())
        .collect();
    recorded.sort();
    let mut expected = vec!["trace-abc-123".to_owned(), new_id, replacement];
    expected.sort();
    assert_eq!(recorded, expected);
}

/// The same query text runs from a remembered document after the first time: what
/// `@skip`/`@include` removed for one request's variables is back for the next, and
/// another workspace's caller gets its own data from it.
#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_query_runs_afresh_for_each_request() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    let other = t.workspace().await;
    let query =
        "query($s: Boolean!) { environments { id name @skip(if: $s) kind @include(if: $s) } }";
    let run = |token: String, skip: bool| {
        let t = &t;
        async move {
            data(t.gql(Some(&token), query, json!({ "s": skip })).await)["environments"][0].clone()
        }
    };
    let skipped = run(ws.builder.clone(), true).await;
    let kept = run(ws.builder.clone(), false).await;
    let again = run(ws.builder.clone(), true).await;
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&skipped), ["id", "kind"]);
    assert_eq!(keys(&kept), ["id", "name"]);
    assert_eq!(skipped, again);
    let theirs = run(other.builder.clone(), true).await;
    assert_ne!(
        theirs["id"], skipped["id"],
        "each workspace reads its own environments"
    );
}
