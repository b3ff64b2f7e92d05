//! Test fixtures: a fresh PostgreSQL database per test (cloned from a migrated
//! template), the real router over it, and tokens and licenses to call it with.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::{Body, HttpBody as _};
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use uuid::Uuid;

use envgate::app::{App, AppState, Settings};
use envgate::auth::{Role, Session, TokenKeys, Verifier};
use envgate::db::{self, QueryCounter};
use envgate::edition::{self, Licensing};
use envgate::secrets::MasterKey;

/// The server tests connect to as a superuser: `ENVGATE_TEST_DATABASE_URL`, else the
/// local server on 5432, else a private cluster under the temporary directory. That
/// cluster is shared by every run (a concurrent run reuses it) and no run ever stops it,
/// so one run can't pull it from under another; each run's state in it is named per run
/// (see [`TestDb`]).
async fn admin_url() -> &'static str {
    static URL: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    URL.get_or_init(|| async {
        if let Ok(url) = std::env::var("ENVGATE_TEST_DATABASE_URL") {
            return url;
        }
        let local = "postgres://postgres@127.0.0.1:5432/postgres".to_owned();
        // A generous bound: a loaded machine must not fall back to a private cluster.
        let answers = tokio::time::timeout(
            Duration::from_secs(15),
            tokio_postgres::connect(&local, tokio_postgres::NoTls),
        )
        .await;
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

/// A database URL as `serve` reads `DATABASE_URL`.
pub fn database_url(url: &str) -> db::DatabaseUrl {
    db::DatabaseUrl::parse(url, "DATABASE_URL").unwrap()
}

/// A connection to the server's maintenance database, as the superuser tests use.
pub async fn admin_client() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(admin_url().await, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL must run for the tests (see README)");
    tokio::spawn(connection);
    client
}

/// Test databases are named `envgate_test_<unix seconds>_<uuid>`: one older than this
/// was left by a run that was killed (a run is bounded by CI's 40 minutes), and the next
/// run drops it.
const STALE_TEST_DATABASE: Duration = Duration::from_secs(24 * 3600);
/// A template of other migrations (another checkout's, an older commit's) that no run
/// has used for this long is dropped. Each run marks its template as used when it
/// starts; a template without the mark is never dropped.
const STALE_TEMPLATE: Duration = Duration::from_secs(7 * 24 * 3600);
const TEMPLATE_MARK: &str = "envgate test template, last used at unix time ";
/// Every process builds templates and cleans up under this advisory lock.
const TEMPLATE_LOCK: i64 = 74201;

/// A template database migrated once per set of migrations, shared by every test (and
/// by concurrent runs of the same migrations).
async fn template() -> &'static str {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = format!("envgate_template_{:016x}", migrations_digest());
            let client = admin_client().await;
            // Other test processes may build the same template: take turns (bounded, so
            // a stuck process elsewhere fails this run instead of hanging it).
            tokio::time::timeout(
                Duration::from_secs(300),
                client.execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK]),
            )
            .await
            .expect("another test run held the template lock for 5 minutes")
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
                db::migrate(&database_url(&url_for(&building).await))
                    .await
                    .expect("migrations run on a fresh database");
                client
                    .execute(&format!("ALTER DATABASE {building} RENAME TO {name}"), &[])
                    .await
                    .unwrap();
            }
            let now = Utc::now().timestamp();
            client
                .batch_execute(&format!(
                    "COMMENT ON DATABASE {name} IS '{TEMPLATE_MARK}{now}'"
                ))
                .await
                .unwrap();
            drop_stale_databases(&client, &name, now).await;
            client
                .execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK])
                .await
                .unwrap();
            name
        })
        .await
}

/// Drops what earlier runs left behind and provably nobody uses any more (see
/// [`STALE_TEST_DATABASE`] and [`STALE_TEMPLATE`]); called under the template lock.
/// Never with FORCE: a database someone is connected to stays.
async fn drop_stale_databases(client: &tokio_postgres::Client, template: &str, now: i64) {
    let rows = client
        .query(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database \
             WHERE datname LIKE 'envgate\\_template\\_%' OR datname LIKE 'envgate\\_test\\_%'",
            &[],
        )
        .await
        .unwrap();
    let older_than = |at: i64, age: Duration| {
        now.saturating_sub(at) > i64::try_from(age.as_secs()).unwrap_or(i64::MAX)
    };
    for row in rows {
        let name: String = row.get(0);
        let comment: Option<String> = row.get(1);
        let stale = if name == template || name == format!("{template}_building") {
            false
        } else if name.ends_with("_building") {
            // Templates are only built under the lock we hold: nobody is building it.
            name.starts_with("envgate_template_")
        } else if name.starts_with("envgate_template_") {
            comment
                .as_deref()
                .and_then(|c| c.strip_prefix(TEMPLATE_MARK))
                .and_then(|at| at.parse().ok())
                .is_some_and(|at| older_than(at, STALE_TEMPLATE))
        } else {
            // envgate_test_<unix seconds>_<uuid>; older names carry no time and stay.
            name.strip_prefix("envgate_test_")
                .and_then(|rest| rest.split_once('_'))
                .and_then(|(at, _)| at.parse().ok())
                .is_some_and(|at| older_than(at, STALE_TEST_DATABASE))
        };
        if stale && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            let _ = client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
                .await;
        }
    }
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
    /// What runs against it, for the equivalence check (see [`crate::reference`]).
    pub activity: Arc<crate::reference::Activity>,
}

impl TestDb {
    pub async fn new() -> Self {
        let template = template().await;
        Self::create(&format!("TEMPLATE {template}")).await
    }

    /// An empty database, not migrated: for `serve` to migrate.
    pub async fn empty() -> Self {
        // Still after the template: it cleans up what killed runs left. From template0,
        // which nobody can be connected to (a session in template1 would make the
        // CREATE fail).
        template().await;
        Self::create("TEMPLATE template0").await
    }

    async fn create(options: &str) -> Self {
        // Named per run and dated, so that a later run can tell it is stale if this
        // run is killed before dropping it.
        let name = format!(
            "envgate_test_{}_{}",
            Utc::now().timestamp(),
            Uuid::new_v4().simple()
        );
        admin_client()
            .await
            .execute(&format!("CREATE DATABASE {name} {options}"), &[])
            .await
            .expect("creating a test database");
        let url = url_for(&name).await;
        let activity = Arc::default();
        crate::reference::register(&name, &activity);
        Self {
            name,
            url,
            activity,
        }
    }

    /// Waits until `expected` sessions of this database wait on a lock (bounded by
    /// [`QUEUE_UP`]) and returns how many did; a forced race test asserts it got them all.
    pub async fn lock_waiters(&self, expected: i64) -> i64 {
        let observer = self.client().await;
        let mut waiting = 0;
        let polls = QUEUE_UP.as_millis() / 50;
        for _ in 0..polls {
            waiting = observer
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if waiting >= expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        waiting
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
        crate::reference::unregister(&self.name);
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
    /// The app that answers each query again the reference way (made on first use).
    reference: crate::reference::Lazy,
    /// Whether queries are answered again the reference way (see [`Self::request`]).
    compared: bool,
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
        Self::build(
            Arc::new(db),
            licensing,
            MasterKey::generate_hex(),
            Settings::default(),
        )
    }

    /// Enterprise edition with these settings (the tests' default allows 127.0.0.1).
    pub async fn with_settings(settings: Settings) -> Self {
        let db = Arc::new(TestDb::new().await);
        Self::build(db, enterprise(), MasterKey::generate_hex(), settings)
    }

    /// Enterprise edition whose tokens `tokens` verifies (an identity provider's).
    pub async fn with_tokens(tokens: Verifier) -> Self {
        let db = Arc::new(TestDb::new().await);
        Self::build_with(
            db,
            enterprise(),
            MasterKey::generate_hex(),
            Settings::default(),
            tokens,
        )
    }

    fn build(
        db: Arc<TestDb>,
        licensing: Licensing,
        master_key_hex: String,
        settings: Settings,
    ) -> Self {
        let tokens = TokenKeys::new(JWT_SECRET, None, None).into();
        Self::build_with(db, licensing, master_key_hex, settings, tokens)
    }

    fn build_with(
        db: Arc<TestDb>,
        licensing: Licensing,
        master_key_hex: String,
        settings: Settings,
        tokens: Verifier,
    ) -> Self {
        let app = app_with_key(&db.url, licensing, &master_key_hex, settings, tokens);
        let router = envgate::router(app.clone());
        Self {
            db,
            app,
            router,
            master_key_hex,
            reference: Default::default(),
            compared: true,
        }
    }

    /// A second service with another edition over this one's database and master key,
    /// as a restarted server would be.
    pub fn on_same_db(other: &TestApp, licensing: Licensing) -> Self {
        Self::build(
            other.db.clone(),
            licensing,
            other.master_key_hex.clone(),
            Settings::default(),
        )
    }

    /// A second service over this one's database and master key whose change listener
    /// is not started: as `serve` is in the moment it answers before its first LISTEN.
    /// Start it with `app.listen(&database_url(&db.url))`.
    pub fn on_same_db_not_listening(other: &TestApp) -> Self {
        Self::beside(other, &other.db.url, db::Pooler::None, false)
    }

    /// A second service over this one's database and master key whose requests go
    /// through the transaction pooler at `pooled_url`, as `serve` builds it with
    /// `ENVGATE_DATABASE_POOLER=transaction`: its listener on the database directly.
    pub fn through_pooler(other: &TestApp, pooled_url: &str) -> Self {
        Self::beside(other, pooled_url, db::Pooler::Transaction, true)
    }

    /// A second Enterprise service over `other`'s database and master key, its pool on
    /// `pool_url`, its listener (when `listening`) on the database directly.
    fn beside(other: &TestApp, pool_url: &str, pooler: db::Pooler, listening: bool) -> Self {
        let queries = QueryCounter::default();
        let pool = db::pool(&database_url(pool_url), 8, queries.clone(), pooler).unwrap();
        let app = App::builder(pool, queries)
            .tokens(TokenKeys::new(JWT_SECRET, None, None))
            .licensing(enterprise())
            .master_keys(MasterKey::from_hex(&other.master_key_hex).unwrap())
            .build();
        if listening {
            app.listen(&database_url(&other.db.url));
        }
        let router = envgate::router(app.clone());
        Self {
            db: other.db.clone(),
            app,
            router,
            master_key_hex: other.master_key_hex.clone(),
            reference: Default::default(),
            compared: true,
        }
    }

    /// Statements sent so far by the app's pool.
    pub fn queries(&self) -> u64 {
        self.app.queries.get()
    }

    /// A raw request through the router. A GraphQL query POSTed as JSON is then
    /// answered again the reference way, and must get the same bytes (see
    /// [`crate::reference`]).
    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let (parts, body) = request.into_parts();
        // A body held in memory is kept to be sent again; one that streams (a test of a
        // stalled body) goes as it is, and is not compared.
        let (body, sent) = if body.size_hint().exact().is_some() {
            let sent = body.collect().await.unwrap().to_bytes();
            (Body::from(sent.clone()), Some(sent))
        } else {
            (body, None)
        };
        let running = self.db.activity.start();
        let request = Request::from_parts(parts.clone(), body);
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let response = TestResponse {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        };
        if self.compared {
            crate::reference::check(self, &parts, sent.as_ref(), &response, running).await;
        }
        response
    }

    /// This app with its queries answered once only: the bench measures the tested app
    /// alone.
    #[allow(dead_code, reason = "the bench's (tests/bench/graphql.rs)")]
    pub fn without_reference(mut self) -> Self {
        self.compared = false;
        self
    }

    /// The app that answers queries the reference way, beside this one: over the same
    /// database and master key, with the same licensing and settings, not listening,
    /// its statements counted apart (made on first use).
    pub async fn reference(&self) -> &crate::reference::ReferenceApp {
        self.reference
            .get_or_init(|| async {
                let queries = QueryCounter::default();
                let url = database_url(&self.db.url);
                let pool = db::pool(&url, 4, queries.clone(), db::Pooler::None).unwrap();
                // No tokens: a reference request carries the session the tested app's
                // verifier gives (see `reference::check`).
                let app = App::builder(pool, queries)
                    .licensing(self.app.licensing.clone())
                    .master_keys(MasterKey::from_hex(&self.master_key_hex).unwrap())
                    .settings(self.app.settings.clone())
                    .build();
                crate::reference::ReferenceApp::new(app)
            })
            .await
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
    app_with_key(
        url,
        licensing,
        &MasterKey::generate_hex(),
        Settings::default(),
        TokenKeys::new(JWT_SECRET, None, None).into(),
    )
}

fn app_with_key(
    url: &str,
    licensing: Licensing,
    master_key_hex: &str,
    settings: Settings,
    tokens: Verifier,
) -> AppState {
    let queries = QueryCounter::default();
    let url = database_url(url);
    let pool = db::pool(&url, 8, queries.clone(), db::Pooler::None).unwrap();
    let app = App::builder(pool, queries)
        .tokens(tokens)
        .licensing(licensing)
        .master_keys(MasterKey::from_hex(master_key_hex).unwrap())
        .settings(settings)
        .build();
    app.listen(&url);
    app
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
    token_in_groups(workspace_id, role, user, &[])
}

/// A valid token whose caller is in `groups`.
pub fn token_in_groups(workspace_id: Uuid, role: Role, user: &str, groups: &[&str]) -> String {
    TokenKeys::new(JWT_SECRET, None, None).mint(
        &Session {
            user_id: user.into(),
            workspace_id,
            role,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
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

/// A transaction of its own holding locks, as another session would: a race test
/// starts its requests behind it, waits until they queue up ([`TestDb::lock_waiters`]),
/// then lets go, so that the requests really overlap.
pub struct HeldLock {
    client: tokio_postgres::Client,
    /// No answer is compared with its reference while the lock is held.
    _held: crate::reference::Holding,
}

impl TestDb {
    /// Opens a transaction on a direct connection and runs `sql` (a `SELECT ... FOR
    /// UPDATE`, an uncommitted `INSERT`) in it.
    pub async fn hold(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> HeldLock {
        let held = self.activity.hold();
        let client = self.client().await;
        client.batch_execute("BEGIN").await.unwrap();
        let rows = client.execute(sql, params).await.unwrap();
        assert!(rows > 0, "nothing to hold a lock on: {sql}");
        HeldLock {
            client,
            _held: held,
        }
    }
}

impl HeldLock {
    pub async fn commit(self) {
        self.client.batch_execute("COMMIT").await.unwrap();
    }

    pub async fn rollback(self) {
        self.client.batch_execute("ROLLBACK").await.unwrap();
    }
}

/// How long a forced race test waits for its requests to queue up on a held lock.
pub const QUEUE_UP: Duration = Duration::from_secs(30);

/// The smallest time margin a test may rely on (a first request also opens a pool
/// connection and provisions its workspace, which can take a while under load).
pub const MARGIN: Duration = Duration::from_secs(8);

/// Sleeps until the wall clock (which the server reads) is at or past `at`: no margin
/// to guess, and bounded (each round sleeps for what is left).
pub async fn sleep_until_past(at: DateTime<Utc>) {
    for _ in 0..100 {
        let Ok(left) = (at - Utc::now()).to_std() else {
            return;
        };
        if left.is_zero() {
            return;
        }
        tokio::time::sleep(left.max(Duration::from_millis(10))).await;
    }
    panic!("the clock did not reach {at}");
}

/// A directory of its own under the temporary directory, removed when dropped.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "envgate-{name}-{}-{}",
            std::process::id(),
            Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl std::ops::Deref for TempDir {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

/// Runs `test` against a private PostgreSQL cluster of its own, in a directory of its
/// own (another run, another checkout or CI, may do the same at once), with `password`
/// (scram-sha-256) or trust. The test runs as a task of its own so that the cluster is
/// stopped and its directory removed whether it passes or fails.
pub async fn with_private_cluster<F, Fut>(name: &str, password: Option<&str>, test: F)
where
    F: FnOnce(Arc<envgate::devdb::PrivateCluster>, std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let dir = TempDir::new(name);
    let cluster = envgate::devdb::PrivateCluster::start(dir.path(), password)
        .await
        .expect("a private PostgreSQL cluster");
    let cluster = Arc::new(cluster);
    let outcome = tokio::spawn(test(cluster.clone(), dir.path().to_owned())).await;
    Arc::into_inner(cluster)
        .expect("the test is over")
        .stop()
        .await
        .unwrap();
    drop(dir);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

impl AsRef<std::path::Path> for TempDir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
