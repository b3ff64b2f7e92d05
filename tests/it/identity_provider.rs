//! Tokens signed by an identity provider: a JWKS (and an OIDC discovery document)
//! served by the test itself, keys made in the test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{JWT_SECRET, TestApp, code, data};
use crate::websocket::{close_of, connect, next_json, serve};
use envgate::auth::claims::{ClaimMapping, ClaimNames, RoleNames};
use envgate::auth::provider::{self, IdentityProvider, ProviderTokens, Source, Timing};
use envgate::auth::{TokenKeys, Verifier};

const VIEWER: &str = "{ viewer { userId workspaceId role groups } }";
const AUDIENCE: &str = "envgate";

/// A signing key of the test's provider.
struct TestKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    /// The public key as the provider publishes it.
    jwk: Value,
}

/// One RSA key per test process: making one is the slow part.
fn rsa_private() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap())
}

impl TestKey {
    fn new(kid: &str, alg: Algorithm, encoding: EncodingKey, declare_alg: bool) -> Self {
        let mut jwk =
            serde_json::to_value(Jwk::from_encoding_key(&encoding, alg).unwrap()).unwrap();
        jwk["kid"] = json!(kid);
        if !declare_alg {
            jwk.as_object_mut().unwrap().remove("alg");
        }
        Self {
            kid: kid.into(),
            alg,
            encoding,
            jwk,
        }
    }

    /// The RSA key; `declare_alg` publishes `alg: alg`, else no `alg` (any RS*/PS*).
    fn rsa(kid: &str, alg: Algorithm, declare_alg: bool) -> Self {
        use rsa::pkcs1::EncodeRsaPrivateKey as _;
        let der = rsa_private().to_pkcs1_der().unwrap();
        Self::new(
            kid,
            alg,
            EncodingKey::from_rsa_der(der.as_bytes()),
            declare_alg,
        )
    }

    /// The RSA public key in PEM: what an attacker signs an HS256 token with.
    fn rsa_public_pem() -> String {
        use rsa::pkcs8::EncodePublicKey as _;
        rsa_private()
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
    }

    fn es256(kid: &str) -> Self {
        use p256::pkcs8::EncodePrivateKey as _;
        let der = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng)
            .to_pkcs8_der()
            .unwrap();
        Self::new(
            kid,
            Algorithm::ES256,
            EncodingKey::from_ec_der(der.as_bytes()),
            false,
        )
    }

    fn es384(kid: &str) -> Self {
        use p384::pkcs8::EncodePrivateKey as _;
        let der = p384::SecretKey::random(&mut p384::elliptic_curve::rand_core::OsRng)
            .to_pkcs8_der()
            .unwrap();
        Self::new(
            kid,
            Algorithm::ES384,
            EncodingKey::from_ec_der(der.as_bytes()),
            true,
        )
    }

    fn ed25519(kid: &str) -> Self {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        // PKCS#8 v1 (no public key inside): the DER jsonwebtoken takes.
        let der = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: rand::random(),
            public_key: None,
        }
        .to_pkcs8_der()
        .unwrap();
        Self::new(
            kid,
            Algorithm::EdDSA,
            EncodingKey::from_ed_der(der.as_bytes()),
            false,
        )
    }

    /// A token with `claims`, signed with this key and its algorithm, naming its `kid`.
    fn sign(&self, claims: &Value) -> String {
        self.sign_as(self.alg, Some(&self.kid), claims)
    }

    fn sign_as(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// Claims for `workspace`, valid for 10 minutes, with the test's audience.
fn claims(workspace: Uuid, role: &str) -> Value {
    json!({
        "sub": "alice", "workspace_id": workspace, "role": role, "aud": AUDIENCE,
        "exp": chrono::Utc::now().timestamp() + 600,
    })
}

/// How the test's provider answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Up,
    /// HTTP 503.
    Down,
    /// Never answers.
    Hanging,
}

struct ProviderState {
    keys: Vec<Value>,
    mode: Mode,
    /// The issuer its discovery document names.
    issuer: String,
    /// Its JWKS's `Cache-Control: max-age`.
    max_age: Option<u64>,
}

/// An identity provider served by the test on a free local port.
#[derive(Clone)]
struct Provider {
    base: String,
    state: Arc<Mutex<ProviderState>>,
    /// Requests for the key set so far.
    fetches: Arc<AtomicUsize>,
}

impl Provider {
    async fn start(keys: &[&TestKey]) -> Self {
        Self::start_with(keys, None).await
    }

    /// Served over HTTPS as `localhost`, with the certificate and key of this machine's
    /// PostgreSQL (self-signed for `localhost`): a provider behind a private CA.
    async fn start_https(keys: &[&TestKey]) -> Self {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let (cert, key) = crate::database_tls::server_certificate_and_key().await;
        let certs = CertificateDer::pem_file_iter(&cert)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(&key).expect("the server's key (run as root)");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        Self::start_with(
            keys,
            Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
        )
        .await
    }

    async fn start_with(keys: &[&TestKey], tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = match tls {
            None => format!("http://127.0.0.1:{port}"),
            Some(_) => format!("https://localhost:{port}"),
        };
        let provider = Self {
            state: Arc::new(Mutex::new(ProviderState {
                keys: Vec::new(),
                mode: Mode::Up,
                issuer: format!("{base}/realms/acme"),
                max_age: None,
            })),
            base,
            fetches: Arc::default(),
        };
        provider.publish(keys);
        let router = axum::Router::new()
            .route("/realms/acme/certs", axum::routing::get(jwks))
            .route(
                "/realms/acme/.well-known/openid-configuration",
                axum::routing::get(discovery),
            )
            .with_state(provider.clone());
        match tls {
            None => tokio::spawn(axum::serve(listener, router).into_future()),
            Some(acceptor) => {
                let listener = TlsListener { listener, acceptor };
                tokio::spawn(axum::serve(listener, router).into_future())
            }
        };
        provider
    }

    fn publish(&self, keys: &[&TestKey]) {
        self.state.lock().unwrap().keys = keys.iter().map(|k| k.jwk.clone()).collect();
    }

    fn set(&self, change: impl FnOnce(&mut ProviderState)) {
        change(&mut self.state.lock().unwrap());
    }

    fn jwks_url(&self) -> Source {
        Source::url(&format!("{}/realms/acme/certs", self.base)).unwrap()
    }

    fn issuer(&self) -> String {
        format!("{}/realms/acme", self.base)
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// Waits (at most 30 s) until the key set has been asked for `more` more times.
    async fn wait_for_fetches(&self, more: usize) {
        let target = self.fetches() + more;
        for _ in 0..300 {
            if self.fetches() >= target {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the key set was not fetched {more} more times within 30 s");
    }
}

/// Connections of an HTTPS provider: TCP, then the TLS handshake. A client that
/// refuses the certificate ends its handshake, and the next connection is taken.
struct TlsListener {
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, address)) = self.listener.accept().await else {
                continue;
            };
            if let Ok(stream) = self.acceptor.accept(stream).await {
                return (stream, address);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

async fn jwks(State(provider): State<Provider>) -> Response {
    provider.fetches.fetch_add(1, Ordering::SeqCst);
    let (mode, body, max_age) = {
        let state = provider.state.lock().unwrap();
        (state.mode, json!({ "keys": state.keys }), state.max_age)
    };
    match mode {
        Mode::Up => {
            let mut response = axum::Json(body).into_response();
            if let Some(age) = max_age {
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    format!("public, max-age={age}").parse().unwrap(),
                );
            }
            response
        }
        Mode::Down => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Mode::Hanging => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

async fn discovery(State(provider): State<Provider>) -> Response {
    let issuer = provider.state.lock().unwrap().issuer.clone();
    axum::Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{}/realms/acme/certs", provider.base),
        "authorization_endpoint": format!("{}/realms/acme/protocol/openid-connect/auth", provider.base),
    }))
    .into_response()
}

/// Timing for tests that watch keys change: refreshed every second (the provider sends
/// `max-age=1`), an unknown `kid` fetched again at once, a fetch bounded by 2 s.
fn quick() -> Timing {
    Timing {
        min_lifetime: Duration::from_secs(1),
        refetch_interval: Duration::ZERO,
        fetch_timeout: Duration::from_secs(2),
        ..Timing::default()
    }
}

/// A verifier of the provider's tokens (audience [`AUDIENCE`]), with envgate's HS256
/// secret too when `secret`.
async fn verifier(
    source: Source,
    timing: Timing,
    mapping: ClaimMapping,
    issuer: Option<&str>,
    secret: bool,
) -> Verifier {
    verifier_trusting(
        source,
        timing,
        mapping,
        issuer,
        secret,
        envgate::tls::web_roots(),
    )
    .await
}

/// [`verifier`], reaching the provider's HTTPS with `roots`.
async fn verifier_trusting(
    source: Source,
    timing: Timing,
    mapping: ClaimMapping,
    issuer: Option<&str>,
    secret: bool,
    roots: rustls::RootCertStore,
) -> Verifier {
    let keys = IdentityProvider::start(source, timing, roots)
        .await
        .unwrap();
    let provider = ProviderTokens::new(
        keys,
        issuer.map(str::to_owned),
        Some(AUDIENCE.into()),
        mapping,
    );
    Verifier::new(
        secret.then(|| TokenKeys::new(JWT_SECRET, None, None)),
        Some(provider),
    )
}

/// The service verifying the tokens of the provider at `source` (audience [`AUDIENCE`],
/// no issuer, envgate's claim names, no HS256 secret).
async fn app(source: Source, timing: Timing) -> TestApp {
    let tokens = verifier(source, timing, ClaimMapping::default(), None, false).await;
    TestApp::with_tokens(tokens).await
}

/// The viewer a token is, or the UNAUTHENTICATED message it gets.
async fn viewer(t: &TestApp, token: &str) -> Result<Value, String> {
    let response = t.gql(Some(token), VIEWER, json!({})).await;
    if response.get("errors").is_none() {
        return Ok(data(response)["viewer"].clone());
    }
    assert_eq!(code(&response), "UNAUTHENTICATED", "{response}");
    Err(response["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned())
}

async fn refused(t: &TestApp, token: &str) -> String {
    match viewer(t, token).await {
        Ok(viewer) => panic!("accepted as {viewer}"),
        Err(message) => message,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_of_every_algorithm_the_provider_signs_with_are_accepted() {
    let keys = [
        TestKey::rsa("rsa", Algorithm::RS256, false),
        TestKey::es256("p256"),
        TestKey::es384("p384"),
        TestKey::ed25519("ed"),
    ];
    let provider = Provider::start(&keys.iter().collect::<Vec<_>>()).await;
    let t = app(provider.jwks_url(), Timing::default()).await;
    let ws = Uuid::new_v4();
    let rsa = &keys[0];
    let mut signed = vec![
        (
            "RS256",
            rsa.sign_as(Algorithm::RS256, Some("rsa"), &claims(ws, "admin")),
        ),
        (
            "RS384",
            rsa.sign_as(Algorithm::RS384, Some("rsa"), &claims(ws, "admin")),
        ),
        (
            "RS512",
            rsa.sign_as(Algorithm::RS512, Some("rsa"), &claims(ws, "admin")),
        ),
    ];
    for key in &keys[1..] {
        signed.push((key.kid.as_str(), key.sign(&claims(ws, "admin"))));
    }
    for (what, token) in signed {
        let viewer = viewer(&t, &token)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            viewer,
            json!({ "userId": "alice", "workspaceId": ws, "role": "ADMIN", "groups": [] }),
            "{what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bad_provider_token_is_refused_with_a_reason() {
    let rsa = TestKey::rsa("rsa", Algorithm::RS256, true);
    let ec = TestKey::es256("ec");
    let stranger = TestKey::es256("ec");
    let provider = Provider::start(&[&rsa, &ec]).await;
    let issuer = "https://sso.example.com/realms/acme";
    // Both verifiers configured: the token's `alg` picks one.
    let tokens = verifier(
        provider.jwks_url(),
        Timing::default(),
        ClaimMapping::default(),
        Some(issuer),
        true,
    )
    .await;
    let t = TestApp::with_tokens(tokens).await;
    let ws = Uuid::new_v4();
    let good = {
        let mut good = claims(ws, "builder");
        good["iss"] = json!(issuer);
        good
    };
    // Good tokens (for another workspace: the refused ones must provision nothing).
    let mut accepted = good.clone();
    accepted["workspace_id"] = json!(Uuid::new_v4());
    assert_eq!(
        viewer(&t, &rsa.sign(&accepted)).await.unwrap()["role"],
        "BUILDER"
    );
    assert_eq!(
        viewer(&t, &ec.sign(&accepted)).await.unwrap()["role"],
        "BUILDER"
    );
    let with = |claim: &str, value: Value| {
        let mut claims = good.clone();
        match value {
            Value::Null => drop(claims.as_object_mut().unwrap().remove(claim)),
            value => claims[claim] = value,
        }
        claims
    };
    let now = chrono::Utc::now().timestamp();
    let hs256_with_public_key = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("rsa".into());
        let secret = TestKey::rsa_public_pem();
        jsonwebtoken::encode(&header, &good, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
    };
    let tampered = {
        let token = rsa.sign(&good);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = B64.encode(with("role", json!("admin")).to_string());
        parts.join(".")
    };
    let unsigned = format!(
        "{}.{}.",
        B64.encode(r#"{"alg":"none","kid":"rsa"}"#),
        B64.encode(good.to_string())
    );
    let huge = rsa.sign(&with("padding", json!("x".repeat(20_000))));
    let cases = [
        // The key says RS256: RS384 with the same RSA key is refused.
        (rsa.sign_as(Algorithm::RS384, Some("rsa"), &good), "RS384"),
        // An EC signature that names the RSA key.
        (ec.sign_as(Algorithm::ES256, Some("rsa"), &good), "ES256"),
        (rsa.sign_as(Algorithm::RS256, None, &good), "`kid`"),
        (rsa.sign_as(Algorithm::RS256, Some("other"), &good), "`kid`"),
        (stranger.sign(&good), "signature"),
        (tampered, "signature"),
        (hs256_with_public_key, "signature"),
        (unsigned, "not a signed JWT"),
        (huge, "longer than"),
        ("a.b.c".to_owned(), "not a signed JWT"),
        (
            format!(
                "{}.{}.c2ln",
                B64.encode(r#"{"alg":"RS256","kid":7}"#),
                B64.encode("{}")
            ),
            "not a signed JWT",
        ),
        // A valid signature over claims that are not JSON.
        (
            {
                let token = rsa.sign(&good);
                let header = token.split('.').next().unwrap().to_owned();
                let signed = format!("{header}.{}", B64.encode("not json"));
                let signature =
                    jsonwebtoken::crypto::sign(signed.as_bytes(), &rsa.encoding, Algorithm::RS256)
                        .unwrap();
                format!("{signed}.{signature}")
            },
            "invalid",
        ),
        (
            rsa.sign(&with("iss", json!("https://evil.example"))),
            "issuer",
        ),
        (rsa.sign(&with("iss", Value::Null)), "`iss`"),
        (rsa.sign(&with("aud", json!("another-app"))), "audience"),
        (rsa.sign(&with("aud", Value::Null)), "`aud`"),
        (rsa.sign(&with("exp", json!(now - 1))), "expired"),
        (rsa.sign(&with("exp", Value::Null)), "`exp`"),
        (rsa.sign(&with("nbf", json!(now + 3600))), "not valid yet"),
        (rsa.sign(&with("role", json!("owner"))), "`role`"),
        (
            rsa.sign(&with("workspace_id", json!("acme"))),
            "`workspace_id`",
        ),
        (rsa.sign(&with("sub", Value::Null)), "`sub`"),
        (rsa.sign(&with("groups", json!("admins"))), "`groups`"),
    ];
    for (token, reason) in cases {
        let message = refused(&t, &token).await;
        assert!(message.contains(reason), "{reason}: {message}");
    }
    // Without envgate's secret, an HS256 token is refused before any key is looked at.
    let provider_only = verifier(
        provider.jwks_url(),
        Timing::default(),
        ClaimMapping::default(),
        Some(issuer),
        false,
    )
    .await;
    let secret = TestKey::rsa_public_pem();
    for key in [secret.as_bytes(), JWT_SECRET] {
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &good,
            &EncodingKey::from_secret(key),
        )
        .unwrap();
        let message = provider_only.verify(&token).await.unwrap_err().message();
        assert!(message.contains("shared secret"), "{message}");
    }
    // Nothing was provisioned for a refused token.
    assert_eq!(
        t.db.count("SELECT count(*) FROM workspaces WHERE id = $1", &[&ws])
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_kids_do_not_make_the_provider_fetch_more_than_once_per_interval() {
    let k1 = TestKey::es256("k1");
    let provider = Provider::start(&[&k1]).await;
    let t = Arc::new(app(provider.jwks_url(), Timing::default()).await);
    assert_eq!(provider.fetches(), 1);
    let ws = Uuid::new_v4();
    // A flood of tokens naming keys nobody has, all at once.
    let flood: Vec<_> = (0..20)
        .map(|i| {
            let t = t.clone();
            let token = k1.sign_as(
                Algorithm::ES256,
                Some(&format!("random-{i}")),
                &claims(ws, "admin"),
            );
            tokio::spawn(async move { refused(&t, &token).await })
        })
        .collect();
    for refusal in flood {
        assert!(refusal.await.unwrap().contains("`kid`"));
    }
    // The set was fetched at start, less than 30 s ago: not again.
    assert_eq!(provider.fetches(), 1);
    assert!(viewer(&t, &k1.sign(&claims(ws, "admin"))).await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_roll_over_without_a_restart() {
    let (k1, k2) = (TestKey::es256("k1"), TestKey::ed25519("k2"));
    let provider = Provider::start(&[&k1]).await;
    provider.set(|s| s.max_age = Some(1));
    let t = app(provider.jwks_url(), quick()).await;
    let ws = Uuid::new_v4();
    let (old, new) = (k1.sign(&claims(ws, "admin")), k2.sign(&claims(ws, "admin")));
    assert!(viewer(&t, &old).await.is_ok());
    // The provider publishes its next key and signs with it: its `kid` is unknown here,
    // so the set is fetched again.
    provider.publish(&[&k1, &k2]);
    assert!(viewer(&t, &new).await.is_ok());
    assert!(viewer(&t, &old).await.is_ok());
    // Then it retires the old key: gone once the set is refreshed (every second here).
    provider.publish(&[&k2]);
    provider.wait_for_fetches(2).await;
    assert!(refused(&t, &old).await.contains("`kid`"));
    assert!(viewer(&t, &new).await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_good_keys_are_kept_while_the_provider_is_down() {
    let (k1, k2) = (TestKey::es256("k1"), TestKey::es384("k2"));
    let provider = Provider::start(&[&k1]).await;
    provider.set(|s| s.max_age = Some(1));
    let t = app(provider.jwks_url(), quick()).await;
    let ws = Uuid::new_v4();
    let (old, new) = (k1.sign(&claims(ws, "admin")), k2.sign(&claims(ws, "admin")));
    for mode in [Mode::Down, Mode::Hanging] {
        provider.set(|s| s.mode = mode);
        // Refreshes fail (in the background: requests don't wait for them).
        provider.wait_for_fetches(2).await;
        assert!(viewer(&t, &old).await.is_ok());
        // A new key can't be fetched: refused, within the fetch's bound.
        let message = tokio::time::timeout(Duration::from_secs(30), refused(&t, &new))
            .await
            .expect("a request does not wait on a hanging provider");
        assert!(message.contains("`kid`"), "{message}");
    }
    provider.set(|s| s.mode = Mode::Up);
    provider.publish(&[&k1, &k2]);
    // Back up: the next refresh (or the next unknown `kid`) brings the new key. A
    // refresh still hanging holds fetches back for at most its bound: wait for one
    // that started since.
    provider.wait_for_fetches(1).await;
    assert!(viewer(&t, &new).await.is_ok());
    // Operators see it: the failed fetches, and the keys in use.
    let metrics = t
        .request(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .body;
    let value = |line: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(line)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{line} in {metrics}"))
    };
    assert!(value(r#"envgate_identity_provider_key_fetches_total{outcome="failed"}"#) >= 4);
    assert!(value(r#"envgate_identity_provider_key_fetches_total{outcome="ok"}"#) >= 2);
    assert_eq!(value("envgate_identity_provider_keys"), 2);

    // A provider down when envgate starts: its tokens are refused until it answers.
    let late = Provider::start(&[&k1]).await;
    late.set(|s| s.mode = Mode::Down);
    let t = app(late.jwks_url(), quick()).await;
    assert!(refused(&t, &old).await.contains("not available"));
    late.set(|s| s.mode = Mode::Up);
    assert!(viewer(&t, &old).await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oidc_issuer_names_its_keys_and_its_tokens_issuer() {
    let key = TestKey::rsa("rsa", Algorithm::RS512, true);
    let provider = Provider::start(&[&key]).await;
    let issuer = provider.issuer();
    let t = app(Source::discovery(&issuer).unwrap(), Timing::default()).await;
    let ws = Uuid::new_v4();
    let mut token = claims(ws, "viewer");
    token["iss"] = json!(issuer);
    assert_eq!(
        viewer(&t, &key.sign(&token)).await.unwrap()["role"],
        "VIEWER"
    );
    token["iss"] = json!("https://another.example/realms/acme");
    assert!(refused(&t, &key.sign(&token)).await.contains("issuer"));

    // A discovery document that names another issuer is not trusted: no keys.
    provider.set(|s| s.issuer = "https://impostor.example".into());
    let t = app(Source::discovery(&issuer).unwrap(), Timing::default()).await;
    token["iss"] = json!(issuer);
    assert!(
        refused(&t, &key.sign(&token))
            .await
            .contains("not available")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keycloak_style_claims_and_roles_are_mapped() {
    let key = TestKey::rsa("rsa", Algorithm::RS256, true);
    let provider = Provider::start(&[&key]).await;
    let mapping = ClaimMapping {
        names: ClaimNames::parse(
            "workspace=org_id,role=realm_access.roles,user=preferred_username,groups=groups",
        )
        .unwrap(),
        roles: RoleNames::parse(
            "envgate-admin=admin,envgate-developer=builder,envgate-user=viewer",
        )
        .unwrap(),
    };
    let tokens = verifier(provider.jwks_url(), Timing::default(), mapping, None, false).await;
    let t = TestApp::with_tokens(tokens).await;
    let ws = Uuid::new_v4();
    let keycloak = |roles: Value| {
        json!({
            "exp": chrono::Utc::now().timestamp() + 600, "aud": [AUDIENCE, "account"],
            "sub": "8d1f0c2e", "preferred_username": "bob", "org_id": ws,
            "groups": ["/engineering/dev-editors"], "realm_access": { "roles": roles },
            "typ": "Bearer", "azp": "builder-ui",
        })
    };
    let developer = key.sign(&keycloak(json!(["offline_access", "envgate-developer"])));
    assert_eq!(
        viewer(&t, &developer).await.unwrap(),
        json!({ "userId": "bob", "workspaceId": ws, "role": "BUILDER", "groups": ["/engineering/dev-editors"] })
    );
    // A composite role: the widest one counts.
    let both = key.sign(&keycloak(json!(["envgate-user", "envgate-admin"])));
    assert_eq!(viewer(&t, &both).await.unwrap()["role"], "ADMIN");
    // Values the mapping does not name are no role, not even envgate's own names.
    for roles in [
        json!(["offline_access", "admin"]),
        json!("envgate-admin "),
        json!([]),
    ] {
        let message = refused(&t, &key.sign(&keycloak(roles))).await;
        assert!(message.contains("realm_access.roles"), "{message}");
    }

    // A claim named by a URL (Auth0's namespaced claims), dots and all.
    let mapping = ClaimMapping {
        names: ClaimNames::parse("workspace=https://example.com/org,role=https://example.com/role")
            .unwrap(),
        roles: RoleNames::parse("owner=admin,developer=builder").unwrap(),
    };
    let tokens = verifier(provider.jwks_url(), Timing::default(), mapping, None, false).await;
    let t = TestApp::with_tokens(tokens).await;
    let token = json!({
        "exp": chrono::Utc::now().timestamp() + 600, "aud": AUDIENCE, "sub": "auth0|42",
        "https://example.com/org": ws, "https://example.com/role": "owner",
    });
    assert_eq!(
        viewer(&t, &key.sign(&token)).await.unwrap()["role"],
        "ADMIN"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn websocket_connections_authenticate_with_provider_tokens() {
    let key = TestKey::ed25519("ed");
    let provider = Provider::start(&[&key]).await;
    let t = app(provider.jwks_url(), Timing::default()).await;
    let url = serve(&t).await;
    let ws = Uuid::new_v4();
    let mut socket = connect(
        &url,
        json!({ "Authorization": format!("Bearer {}", key.sign(&claims(ws, "viewer"))) }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    use futures_util::SinkExt as _;
    socket
        .send(tokio_tungstenite::tungstenite::Message::text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": VIEWER } }).to_string(),
        ))
        .await
        .unwrap();
    let next = next_json(&mut socket).await;
    assert_eq!(
        next["payload"]["data"]["viewer"]["role"], "VIEWER",
        "{next}"
    );

    let stranger = TestKey::ed25519("ed");
    let mut socket = connect(
        &url,
        json!({ "authorization": stranger.sign(&claims(ws, "admin")) }),
    )
    .await;
    let (code, reason) = close_of(&mut socket).await;
    assert_eq!(code, 4403, "{reason}");
    assert!(reason.contains("signature"), "{reason}");
}

/// A provider whose certificate a private CA signed: its tokens are refused while only
/// the public web roots are trusted (the handshake fails: not one request reaches it),
/// and accepted once `ENVGATE_JWKS_CA_FILE` names the CA; a CA file that holds no
/// certificate is refused, naming the setting.
#[tokio::test(flavor = "multi_thread")]
async fn a_provider_behind_a_private_ca_is_trusted_with_its_ca_file_only() {
    let key = TestKey::es256("private-ca");
    let provider = Provider::start_https(&[&key]).await;
    let ws = Uuid::new_v4();
    let token = key.sign(&claims(ws, "builder"));
    let (ca, _) = crate::database_tls::server_certificate_and_key().await;

    let public_roots = provider::roots(None).unwrap();
    let tokens = verifier_trusting(
        provider.jwks_url(),
        quick(),
        ClaimMapping::default(),
        None,
        false,
        public_roots,
    )
    .await;
    let untrusted = TestApp::with_tokens(tokens).await;
    refused(&untrusted, &token).await;
    assert_eq!(provider.fetches(), 0, "no request got past the handshake");

    let with_ca = provider::roots(Some(std::path::Path::new(&ca))).unwrap();
    let tokens = verifier_trusting(
        provider.jwks_url(),
        quick(),
        ClaimMapping::default(),
        None,
        false,
        with_ca,
    )
    .await;
    let trusted = TestApp::with_tokens(tokens).await;
    let viewer = viewer(&trusted, &token).await.unwrap();
    assert_eq!(viewer["role"], "BUILDER");
    assert!(provider.fetches() >= 1);

    let dir = crate::common::TempDir::new("jwks-ca");
    let empty = dir.path().join("ca.pem");
    std::fs::write(&empty, "no certificate here").unwrap();
    for file in [empty, dir.path().join("missing.pem")] {
        let error = provider::roots(Some(&file)).unwrap_err();
        assert!(
            format!("{error:#}").contains("ENVGATE_JWKS_CA_FILE"),
            "{error:#}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_jwks_file_holds_the_keys_and_a_bad_one_stops_the_start() {
    let key = TestKey::es384("file-key");
    let dir = crate::common::TempDir::new("jwks-file");
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, json!({ "keys": [key.jwk] }).to_string()).unwrap();
    let t = app(Source::File(path.clone()), Timing::default()).await;
    let ws = Uuid::new_v4();
    assert!(viewer(&t, &key.sign(&claims(ws, "runner"))).await.is_ok());
    for bad in ["not json", r#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#] {
        std::fs::write(&path, bad).unwrap();
        let error = IdentityProvider::start(
            Source::File(path.clone()),
            Timing::default(),
            envgate::tls::web_roots(),
        )
        .await
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("ENVGATE_JWKS_FILE"),
            "{error:#}"
        );
    }
    assert!(Source::url("http://sso.example.com/certs").is_err());
    assert!(Source::url("https://sso.example.com/certs").is_ok());
    assert!(Source::discovery("http://[::1]:8080/realms/acme").is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_verifies_the_provider_tokens_its_settings_describe() {
    let key = TestKey::rsa("rsa", Algorithm::RS256, true);
    let provider = Provider::start(&[&key]).await;
    let db = crate::common::TestDb::new().await;
    let state = crate::common::TempDir::new("serve-idp");
    let jwks_url = format!("{}/realms/acme/certs", provider.base);
    let server = crate::serve::Server::launch(
        &db.url,
        state.path(),
        &[
            ("ENVGATE_JWKS_URL", &jwks_url),
            ("ENVGATE_JWT_AUDIENCE", AUDIENCE),
            (
                "ENVGATE_JWT_CLAIMS",
                "workspace=org_id,role=realm_access.roles",
            ),
            ("ENVGATE_JWT_ROLES", "envgate-developer=builder"),
        ],
        &[],
    )
    .await;
    // No secret configured: no development one either, and HS256 tokens are refused.
    assert!(!state.path().join("jwt-secret").exists());
    let ws = Uuid::new_v4();
    let token = key.sign(&json!({
        "exp": chrono::Utc::now().timestamp() + 600, "aud": AUDIENCE, "sub": "bob",
        "org_id": ws, "realm_access": { "roles": ["envgate-developer"] },
    }));
    let hs256 = TokenKeys::new(JWT_SECRET, None, None).mint(
        &envgate::auth::Session {
            user_id: "eve".into(),
            workspace_id: ws,
            role: envgate::auth::Role::Admin,
            groups: Vec::new(),
            expires_at: None,
        },
        Duration::from_secs(60),
    );
    let body = json!({ "query": "{ viewer { userId workspaceId role } }" }).to_string();
    let mut answers = Vec::new();
    for token in [token, hs256] {
        let authorization = format!("Bearer {token}");
        let (status, _, body) = crate::serve::http(
            &server.address,
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &authorization),
            ],
            &body,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        answers.push(serde_json::from_str::<Value>(&body).unwrap());
    }
    assert_eq!(
        answers[0],
        json!({ "data": { "viewer": { "userId": "bob", "workspaceId": ws, "role": "BUILDER" } } })
    );
    assert_eq!(code(&answers[1]), "UNAUTHENTICATED", "{}", answers[1]);
    let (status, log) = server.terminate().await;
    assert!(status.success(), "{log:#?}");
    assert!(
        log.iter()
            .any(|l| l.contains("identity provider keys loaded")),
        "{log:#?}"
    );
}
