//! The offline playground: the page loads nothing but envgate's own embedded assets,
//! those assets carry the right types and cache headers, and the demo token is
//! pre-filled. (`.ci/browser` runs the same page in a real browser.)

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

use crate::common::TestApp;

/// A GET with optional headers.
fn get(uri: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.body(Body::empty()).unwrap()
}

/// A response whose body may be binary (gzip), unlike `TestResponse`'s text.
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .map_or("", |value| value.to_str().unwrap())
    }
}

async fn raw(router: &axum::Router, request: Request<Body>) -> Raw {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Raw {
        status,
        headers,
        body: body.to_vec(),
    }
}

/// Every `src="..."` and `href="..."` of the page.
fn references(page: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attribute| {
            page.match_indices(attribute).map(|(at, _)| {
                let rest = &page[at + attribute.len()..];
                rest[..rest.find('"').unwrap()].to_owned()
            })
        })
        .collect()
}

/// The settings block the page's script reads.
fn config(page: &str) -> Value {
    let start = page
        .find(r#"<script id="envgate-playground-config" type="application/json">"#)
        .expect("the page has its settings block");
    let rest = &page[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(json).unwrap()
}

/// The vendored files' recorded SHA-256 (of the uncompressed file), by file name.
fn recorded_digests() -> HashMap<String, String> {
    let versions = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/playground/vendor/VERSIONS"
    ))
    .unwrap();
    versions
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields[3].to_owned(), fields[4].to_owned())
        })
        .collect()
}

/// Decompresses with the system's `gzip`, as a browser would (the service itself
/// carries no decompressor).
fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut child = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "gzip -dc failed");
    output.stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_loads_only_same_origin_assets_with_their_types_and_cache_headers() {
    use sha2::Digest as _;
    let t = TestApp::new().await;
    let page = t.request(get("/", &[])).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.content_type(), "text/html; charset=utf-8");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    // Nothing on another origin, not even protocol-relative, and a policy that
    // forbids the browser to load from anywhere else.
    for scheme in ["http:", "https:", "//unpkg", "//cdn", "graphql.org"] {
        assert!(!page.body.contains(scheme), "{scheme} in {}", page.body);
    }
    assert!(
        page.body
            .contains(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self';"#),
        "{}",
        page.body
    );

    let references = references(&page.body);
    let files: Vec<&str> = references
        .iter()
        .map(|r| r.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            // scripts, in loading order
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "playground.js",
            // the favicon and stylesheets
            "favicon.svg",
            "graphiql.min.css",
            "playground.css",
        ]
    );
    let digests = recorded_digests();
    for reference in &references {
        assert!(
            reference.starts_with("/playground/") && !reference.starts_with("//"),
            "{reference}"
        );
        let fingerprint = reference.split('/').nth(2).unwrap();
        assert_eq!(fingerprint.len(), 16, "{reference}");
        let asset = raw(
            &t.router,
            get(reference, &[(header::ACCEPT_ENCODING, "gzip, deflate")]),
        )
        .await;
        assert_eq!(asset.status, StatusCode::OK, "{reference}");
        let expected_type = match reference.rsplit('.').next().unwrap() {
            "js" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            other => panic!("unexpected asset type {other}"),
        };
        assert_eq!(asset.header(header::CONTENT_TYPE), expected_type);
        assert_eq!(
            asset.header(header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(asset.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(
            asset.header(header::CONTENT_LENGTH),
            asset.body.len().to_string()
        );
        let file = reference.rsplit('/').next().unwrap();
        if let Some(digest) = digests.get(file) {
            // A vendored build: sent gzip-compressed, and what it decompresses to is
            // the very file VERSIONS records.
            assert_eq!(asset.header(header::CONTENT_ENCODING), "gzip", "{file}");
            assert_eq!(asset.header(header::VARY), "accept-encoding", "{file}");
            assert_eq!(&asset.body[..2], [0x1f, 0x8b], "{file}");
            let plain = gunzip(&asset.body);
            assert_eq!(&hex::encode(sha2::Sha256::digest(&plain)), digest, "{file}");
        } else {
            // envgate's own small files go out plain.
            assert_eq!(asset.header(header::CONTENT_ENCODING), "", "{file}");
            assert!(std::str::from_utf8(&asset.body).is_ok(), "{file}");
        }
    }
    assert_eq!(digests.len(), 4, "every vendored build is on the page");

    // The page is the same for a browser asking `/graphql`.
    let at_graphql = t
        .request(get("/graphql", &[(header::ACCEPT, "text/html")]))
        .await;
    assert_eq!(at_graphql.body, page.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn vendored_assets_are_sent_gzip_to_clients_that_accept_it_and_refused_otherwise() {
    let t = TestApp::new().await;
    let page = t.request(get("/", &[])).await;
    let references = references(&page.body);
    let url_of = |file: &str| {
        references
            .iter()
            .find(|r| r.ends_with(&format!("/{file}")))
            .unwrap()
            .clone()
    };
    let graphiql = url_of("graphiql.min.js");
    // (Accept-Encoding, whether gzip goes out)
    let cases: [(Option<&str>, bool); 8] = [
        (None, true), // no header: any coding is acceptable (RFC 9110)
        (Some("gzip"), true),
        (Some("br, GZip;q=0.5"), true),
        (Some("x-gzip"), true),
        (Some("*"), true),
        (Some("identity"), false),
        (Some("gzip;q=0, *"), false),
        (Some(""), false),
    ];
    for (accept_encoding, gzip) in cases {
        let headers: Vec<_> = accept_encoding
            .map(|value| (header::ACCEPT_ENCODING, value))
            .into_iter()
            .collect();
        let asset = raw(&t.router, get(&graphiql, &headers)).await;
        if gzip {
            assert_eq!(asset.status, StatusCode::OK, "{accept_encoding:?}");
            assert_eq!(asset.header(header::CONTENT_ENCODING), "gzip");
        } else {
            assert_eq!(
                asset.status,
                StatusCode::NOT_ACCEPTABLE,
                "{accept_encoding:?}"
            );
            assert_eq!(asset.header(header::CONTENT_ENCODING), "");
        }
    }
    // envgate's own files are plain whatever the client accepts.
    let own = raw(
        &t.router,
        get(
            &url_of("playground.js"),
            &[(header::ACCEPT_ENCODING, "identity")],
        ),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        String::from_utf8(own.body)
            .unwrap()
            .contains("createFetcher")
    );

    // HEAD answers the headers alone.
    let head = raw(
        &t.router,
        Request::head(&graphiql)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.header(header::CONTENT_ENCODING), "gzip");
    assert!(head.body.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_file_or_a_stale_fingerprint_is_not_found() {
    let t = TestApp::new().await;
    let page = t.request(get("/", &[])).await;
    let graphiql = references(&page.body)
        .into_iter()
        .find(|r| r.ends_with("/graphiql.min.js"))
        .unwrap();
    let fingerprint = graphiql.split('/').nth(2).unwrap();
    for uri in [
        // an older build's URL must not be answered with today's content
        "/playground/0123456789abcdef/graphiql.min.js".to_owned(),
        format!("/playground/{fingerprint}/react.production.min.js"),
        format!("/playground/{fingerprint}/missing.js"),
        format!("/playground/{fingerprint}/..%2F..%2FCargo.toml"),
    ] {
        let response = t.request(get(&uri, &[])).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(response.headers.get(header::CACHE_CONTROL), None, "{uri}");
    }
}

/// The router over a fresh database, with `demo_token` in its settings as `serve`
/// sets it when it prints a demo token.
async fn with_demo_token(token: Option<&str>) -> (crate::common::TestDb, axum::Router) {
    let db = crate::common::TestDb::new().await;
    let mut app = crate::common::app_on(&db.url, crate::common::enterprise());
    std::sync::Arc::get_mut(&mut app)
        .unwrap()
        .settings
        .demo_token = token.map(str::to_owned);
    let router = envgate::router(app);
    (db, router)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_token_is_prefilled_for_http_and_the_websocket() {
    let (_db, router) = with_demo_token(Some("demo.token.value")).await;
    let page = raw(&router, get("/", &[])).await;
    let page = String::from_utf8(page.body).unwrap();
    let settings = config(&page);
    assert_eq!(settings["endpoint"], "/graphql");
    // playground.js turns it into ws(s)://<the page's host>/graphql.
    assert_eq!(settings["subscriptionEndpoint"], "/graphql");
    assert_eq!(
        settings["headers"],
        serde_json::json!({ "Authorization": "Bearer demo.token.value" })
    );
    let script = raw(
        &router,
        get(
            references(&page)
                .iter()
                .find(|r| r.ends_with("/playground.js"))
                .unwrap(),
            &[],
        ),
    )
    .await;
    let script = String::from_utf8(script.body).unwrap();
    assert!(script.contains("headers: config.headers"), "{script}");
    assert!(
        script.contains("wsConnectionParams: config.headers"),
        "{script}"
    );

    // Without a demo token, no header is pre-filled.
    let (_db, router) = with_demo_token(None).await;
    let page = String::from_utf8(raw(&router, get("/", &[])).await.body).unwrap();
    assert_eq!(config(&page)["headers"], serde_json::json!({}));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_can_not_break_out_of_the_settings_block() {
    let (_db, router) = with_demo_token(Some("x</script><script>alert(1)</script>")).await;
    let page = String::from_utf8(raw(&router, get("/", &[])).await.body).unwrap();
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert_eq!(
        config(&page)["headers"]["Authorization"],
        "Bearer x</script><script>alert(1)</script>"
    );
}
