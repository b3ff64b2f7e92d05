//! Test fixtures: a fresh PostgreSQL database per test (cloned from a migrated
//! template), the real router over it, and tokens and licenses to call it with.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use uuid::Uuid;

use envgate::app::{App, AppState, Settings};
use envgate::auth::{Role, Session, TokenKeys};
use envgate::db::{self, QueryCounter};
use envgate::edition::{self, Licensing};
use envgate::secrets::MasterKey;

/// The server tests connect to as a superuser: `ENVGATE_TEST_DATABASE_URL`, else the
/// local server on 5432, else a private cluster under `target/` started for the tests
/// (and left running for the next run).
async fn admin_url() -> &'static str {
    static URL: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    URL.get_or_init(|| async {
        if let Ok(url) = std::env::var("ENVGATE_TEST_DATABASE_URL") {
            return url;
        }
        let local = "postgres://postgres@127.0.0.1:5432/postgres".to_owned();
        let answers = tokio::time::timeout(Duration::from_secs(3), tokio_postgres::connect(&local, tokio_postgres::NoTls)).await;
        if matches!(answers, Ok(Ok(_))) {
            return local;
        }
        let dir = cluster_dir("envgate-test-postgres");
        let cluster = envgate::devdb::PrivateCluster::start(&dir, None)
            .await
            .expect("no PostgreSQL answers on 127.0.0.1:5432 and a private cluster could not be started");
        cluster.url("postgres")
    })
    .await
}

/// Where a private test cluster lives: under the system's temporary directory, which
/// the `postgres` OS user can reach even when the checkout sits in a private home.
pub fn cluster_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(name)
}

/// The admin URL with another database name.
pub async fn url_for(database: &str) -> String {
    let admin = admin_url().await;
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    format!("{base}/{database}")
}

pub const JWT_SECRET: &[u8] = b"envgate-test-secret";

async fn admin_client() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(admin_url().await, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL must run for the tests (see README)");
    tokio::spawn(connection);
    client
}

/// A template database migrated once per set of migrations, shared by every test.
async fn template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("envgate_template_{:016x}", migrations_digest());
            let client = admin_client().await;
            // Other test processes may build the same template: take turns.
            client
                .execute("SELECT pg_advisory_lock(74201)", &[])
                .await
                .unwrap();
            let exists = client
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                .await
                .unwrap()
                .is_some();
            if !exists {
                let building = format!("{name}_building");
                client
                    .execute(
                        &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
                        &[],
                    )
                    .await
                    .unwrap();
                client
                    .execute(&format!("CREATE DATABASE {building}"), &[])
                    .await
                    .unwrap();
                db::migrate(&url_for(&building).await)
                    .await
                    .expect("migrations run on a fresh database");
                client
                    .execute(&format!("ALTER DATABASE {building} RENAME TO {name}"), &[])
                    .await
                    .unwrap();
                // Templates of older migrations are of no use any more.
                let stale = client
                    .query(
                        "SELECT datname FROM pg_database WHERE datname LIKE 'envgate\\_template\\_%' AND datname <> $1",
                        &[&name],
                    )
                    .await
                    .unwrap();
                for row in stale {
                    let stale: String = row.get(0);
                    let sql = format!("DROP DATABASE IF EXISTS {stale} WITH (FORCE)");
                    let _ = client.execute(&sql, &[]).await;
                }
            }
            client
                .execute("SELECT pg_advisory_unlock(74201)", &[])
                .await
                .unwrap();
            name
        })
        .await
}

fn migrations_digest() -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    for file in files {
        file.strip_prefix(&dir).unwrap().hash(&mut hasher);
        std::fs::read(&file).unwrap().hash(&mut hasher);
    }
    hasher.finish()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// A fresh database of its own, dropped when the value is.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn new() -> Self {
        let template = template().await;
        let name = format!("envgate_test_{}", Uuid::new_v4().simple());
        admin_client()
            .await
            .execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"), &[])
            .await
            .expect("creating a test database");
        let url = url_for(&name).await;
        Self { name, url }
    }

    /// Drops the database now, connections and all: the database going away.
    pub async fn drop_now(&self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        admin_client().await.execute(&sql, &[]).await.unwrap();
    }

    /// The single number a `SELECT count(*) ...` returns, read straight from the tables.
    pub async fn count(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> i64 {
        self.client()
            .await
            .query_one(sql, params)
            .await
            .unwrap()
            .get(0)
    }

    /// How many options rows a data source has, as stored.
    pub async fn options_rows_of(&self, data_source_id: &str) -> i64 {
        let id = Uuid::parse_str(data_source_id).unwrap();
        self.count(
            "SELECT count(*) FROM data_source_options WHERE data_source_id = $1",
            &[&id],
        )
        .await
    }

    /// A direct connection, to read tables as they are stored.
    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async; a thread of its own can block on the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let client = admin_client().await;
                let _ = client
                    .execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"), &[])
                    .await;
            });
        })
        .join();
    }
}

/// A license key pair made once per test process.
pub fn license_keys() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| edition::keygen().unwrap())
}

/// A signed Enterprise license expiring at `expires_at`.
pub fn license(expires_at: DateTime<Utc>) -> String {
    edition::issue(license_keys().0.as_bytes(), "Acme Corp", expires_at).unwrap()
}

/// Verified licensing from a license key.
pub fn licensing(key: &str) -> Licensing {
    Licensing::load(Some(key), Some(license_keys().1.as_bytes()))
}

/// A valid Enterprise license for a year.
pub fn enterprise() -> Licensing {
    licensing(&license(Utc::now() + chrono::Duration::days(365)))
}

/// The real service over a fresh database.
pub struct TestApp {
    pub db: Arc<TestDb>,
    pub app: AppState,
    pub router: axum::Router,
    master_key_hex: String,
}

impl TestApp {
    /// Enterprise edition, the usual case.
    pub async fn new() -> Self {
        Self::with_licensing(enterprise()).await
    }

    pub async fn community() -> Self {
        Self::with_licensing(Licensing::community()).await
    }

    pub async fn with_licensing(licensing: Licensing) -> Self {
        Self::on(TestDb::new().await, licensing)
    }

    /// The service over a database made beforehand.
    pub fn on(db: TestDb, licensing: Licensing) -> Self {
        Self::build(Arc::new(db), licensing, MasterKey::generate_hex())
    }

    fn build(db: Arc<TestDb>, licensing: Licensing, master_key_hex: String) -> Self {
        let app = app_with_key(&db.url, licensing, &master_key_hex);
        let router = envgate::router(app.clone());
        Self {
            db,
            app,
            router,
            master_key_hex,
        }
    }

    /// A second service with another edition over this one's database and master key,
    /// as a restarted server would be.
    pub fn on_same_db(other: &TestApp, licensing: Licensing) -> Self {
        Self::build(other.db.clone(), licensing, other.master_key_hex.clone())
    }

    /// Statements sent so far by the app's pool.
    pub fn queries(&self) -> u64 {
        self.app.queries.get()
    }

    /// A raw request through the router.
    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// POSTs a GraphQL request with `token` and returns the JSON body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let response = self
            .request(post(
                token,
                &json!({ "query": query, "variables": variables }),
            ))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        response.json()
    }

    /// A new workspace with a token for each role.
    pub async fn workspace(&self) -> Workspace {
        Workspace::new(Uuid::new_v4())
    }
}

/// The app over `url`, as `serve` builds it.
pub fn app_on(url: &str, licensing: Licensing) -> AppState {
    app_with_key(url, licensing, &MasterKey::generate_hex())
}

fn app_with_key(url: &str, licensing: Licensing, master_key_hex: &str) -> AppState {
    let queries = QueryCounter::default();
    let pool = db::pool(url, 8, queries.clone()).unwrap();
    let master = MasterKey::from_hex(master_key_hex).unwrap();
    App::new(
        pool,
        queries,
        TokenKeys::new(JWT_SECRET, None, None),
        licensing,
        master,
        Settings::default(),
    )
}

/// A GraphQL POST with a JSON body.
pub fn post(token: Option<&str>, body: &Value) -> Request<Body> {
    let mut builder = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .map_or("", |v| v.to_str().unwrap())
    }
}

/// A workspace and a token per role.
pub struct Workspace {
    pub id: Uuid,
    pub admin: String,
    pub builder: String,
    pub viewer: String,
    pub runner: String,
}

impl Workspace {
    pub fn new(id: Uuid) -> Self {
        Self {
            id,
            admin: token(id, Role::Admin, "alice"),
            builder: token(id, Role::Builder, "bob"),
            viewer: token(id, Role::Viewer, "carol"),
            runner: token(id, Role::Runner, "runner"),
        }
    }
}

/// A valid token signed with the tests' secret.
pub fn token(workspace_id: Uuid, role: Role, user: &str) -> String {
    TokenKeys::new(JWT_SECRET, None, None).mint(
        &Session {
            user_id: user.into(),
            workspace_id,
            role,
            expires_at: None,
        },
        Duration::from_secs(3600),
    )
}

/// The `extensions.code` of the first error.
pub fn code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {response}"))
}

/// Asserts the response has no errors and returns its data.
pub fn data(response: Value) -> Value {
    assert!(
        response.get("errors").is_none(),
        "unexpected errors: {response}"
    );
    response["data"].clone()
}
