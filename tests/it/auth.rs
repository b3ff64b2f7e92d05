use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{JWT_SECRET, TestApp, code, data, post};
use envgate::auth::{Role, TokenKeys};

const VIEWER: &str = "{ viewer { userId workspaceId role } }";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(workspace: Uuid) -> Value {
    json!({ "sub": "u1", "workspace_id": workspace, "role": "admin", "exp": now() + 600 })
}

fn sign(claims: &Value, algorithm: Algorithm, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

async fn unauthenticated(t: &TestApp, token: Option<&str>) -> String {
    let response = t.gql(token, VIEWER, json!({})).await;
    assert_eq!(code(&response), "UNAUTHENTICATED", "{response}");
    assert_eq!(response["data"], Value::Null);
    response["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_of_bad_token_is_unauthenticated() {
    let t = TestApp::new().await;
    let ws = Uuid::new_v4();
    assert!(unauthenticated(&t, None).await.contains("Bearer"));
    unauthenticated(&t, Some("not-a-jwt")).await;
    let mut expired = claims(ws);
    expired["exp"] = json!(now() - 60);
    assert!(
        unauthenticated(&t, Some(&sign(&expired, Algorithm::HS256, JWT_SECRET)))
            .await
            .contains("expired")
    );
    unauthenticated(
        &t,
        Some(&sign(&claims(ws), Algorithm::HS256, b"another-secret")),
    )
    .await;
    // The algorithm is pinned: same secret, another HMAC, refused.
    unauthenticated(&t, Some(&sign(&claims(ws), Algorithm::HS512, JWT_SECRET))).await;
    // alg none, unsigned.
    let none = format!(
        "{}.{}.",
        B64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        B64.encode(claims(ws).to_string())
    );
    unauthenticated(&t, Some(&none)).await;
    let mut not_yet = claims(ws);
    not_yet["nbf"] = json!(now() + 3600);
    unauthenticated(&t, Some(&sign(&not_yet, Algorithm::HS256, JWT_SECRET))).await;
    for (claim, value) in [
        ("sub", json!("a\u{0}b")),
        ("exp", Value::Null),
        ("sub", json!("")),
        ("sub", Value::Null),
        ("workspace_id", json!("acme")),
        ("role", json!("superuser")),
        ("role", Value::Null),
    ] {
        let mut bad = claims(ws);
        if value.is_null() {
            bad.as_object_mut().unwrap().remove(claim);
        } else {
            bad[claim] = value;
        }
        unauthenticated(&t, Some(&sign(&bad, Algorithm::HS256, JWT_SECRET))).await;
    }
    // A token in the wrong scheme.
    let good = sign(&claims(ws), Algorithm::HS256, JWT_SECRET);
    let request = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Basic {good}"))
        .body(axum::body::Body::from(
            json!({ "query": VIEWER }).to_string(),
        ))
        .unwrap();
    assert_eq!(code(&t.request(request).await.json()), "UNAUTHENTICATED");
    // Nothing was provisioned for any refused token.
    let count = t.db.count("SELECT count(*) FROM workspaces", &[]).await;
    assert_eq!(count, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_viewer_comes_from_the_token_for_every_role() {
    let t = TestApp::new().await;
    let ws = t.workspace().await;
    for (token, role, user) in [
        (&ws.admin, "ADMIN", "alice"),
        (&ws.builder, "BUILDER", "bob"),
        (&ws.viewer, "VIEWER", "carol"),
        (&ws.runner, "RUNNER", "runner"),
    ] {
        let viewer = data(t.gql(Some(token), VIEWER, json!({})).await)["viewer"].clone();
        assert_eq!(
            viewer,
            json!({ "userId": user, "workspaceId": ws.id, "role": role })
        );
        let reads = t
            .gql(
                Some(token),
                "{ edition { name } environments { id } dataSourceKinds { kind } }",
                json!({}),
            )
            .await;
        data(reads);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn introspection_needs_no_token() {
    let t = TestApp::new().await;
    let response = t
        .gql(
            None,
            "{ __typename __schema { queryType { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(response),
        json!({ "__typename": "Query", "__schema": { "queryType": { "name": "Query" } } })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn issuer_and_audience_are_enforced_when_configured() {
    let db = crate::common::TestDb::new().await;
    let mut app = crate::common::app_on(&db.url, crate::common::enterprise());
    std::sync::Arc::get_mut(&mut app).unwrap().tokens = TokenKeys::new(
        JWT_SECRET,
        Some("https://issuer.example".into()),
        Some("envgate".into()),
    )
    .into();
    let router = envgate::router(app);
    let call = |token: String| {
        let router = router.clone();
        async move {
            use http_body_util::BodyExt as _;
            use tower::ServiceExt as _;
            let response = router
                .oneshot(post(Some(&token), &json!({ "query": VIEWER })))
                .await
                .unwrap();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        }
    };
    let ws = Uuid::new_v4();
    let mut full = claims(ws);
    full["iss"] = json!("https://issuer.example");
    full["aud"] = json!("envgate");
    assert!(
        call(sign(&full, Algorithm::HS256, JWT_SECRET))
            .await
            .get("errors")
            .is_none()
    );
    for (claim, wrong) in [
        ("iss", Some("https://evil.example")),
        ("iss", None),
        ("aud", Some("other")),
        ("aud", None),
    ] {
        let mut bad = full.clone();
        match wrong {
            Some(value) => bad[claim] = json!(value),
            None => {
                bad.as_object_mut().unwrap().remove(claim);
            }
        }
        assert_eq!(
            code(&call(sign(&bad, Algorithm::HS256, JWT_SECRET)).await),
            "UNAUTHENTICATED",
            "{claim}={wrong:?}"
        );
    }
    // `aud` may be an array (RFC 7519), as many identity providers send it.
    let mut listed = full.clone();
    listed["aud"] = json!(["other", "envgate"]);
    assert!(
        call(sign(&listed, Algorithm::HS256, JWT_SECRET))
            .await
            .get("errors")
            .is_none()
    );
    // Tokens minted by `envgate token` carry both.
    let minted = TokenKeys::new(
        JWT_SECRET,
        Some("https://issuer.example".into()),
        Some("envgate".into()),
    )
    .mint(
        &envgate::auth::Session {
            user_id: "u".into(),
            workspace_id: ws,
            role: Role::Viewer,
            groups: Vec::new(),
            expires_at: None,
        },
        std::time::Duration::from_secs(60),
    );
    assert!(call(minted).await.get("errors").is_none());
}
