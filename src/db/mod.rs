//! The database layer: the connection pool, embedded migrations, the Diesel schema
//! and the row models. Nothing here knows GraphQL or the domain's rules.

mod conn;
pub mod models;
pub mod replicas;
pub mod schema;
mod unnamed;
mod url;

pub use conn::{Conn, Pooler, pooler_hint};
pub use url::{DatabaseUrl, TlsMode};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection as _, AsyncMigrationHarness};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt as _;

/// Every migration under `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The pool every request draws its connection from.
pub type PgPool = Pool<Conn>;
/// A connection checked out of the pool.
pub type PgConn = Object<Conn>;

/// Counts the SQL statements sent by every connection of a pool: the figure behind
/// `/metrics` and behind the tests that prove a list costs a constant number of queries.
#[derive(Clone, Default, Debug)]
pub struct QueryCounter(Arc<AtomicU64>);

impl QueryCounter {
    /// Statements started since the pool was built.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Counts queries, and hints at a pooler in the way when the setting does not say so.
struct CountQueries(QueryCounter, Pooler);

impl Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                self.0.0.fetch_add(1, Ordering::Relaxed);
            }
            InstrumentationEvent::FinishQuery {
                error: Some(error), ..
            } if self.1 == Pooler::None => pooler_hint(error),
            _ => {}
        }
    }
}

/// The bound on each of the pool's steps: waiting, opening, recycling.
const POOL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How many times opening a pool connection through a transaction pooler is tried
/// before the error is returned (the pool's create timeout bounds them as well).
const ESTABLISH_ATTEMPTS: u32 = 20;
/// The longest wait between two of those attempts.
const ESTABLISH_MAX_BACKOFF: std::time::Duration = std::time::Duration::from_millis(500);

/// Builds a pool of at most `max_size` connections to `url`, reached through `pooler`,
/// each counting its queries into `counter`. Connections are opened lazily. Waiting for
/// a connection and opening one are bounded, so a database that is away fails requests
/// (INTERNAL_SERVER_ERROR) instead of holding them. A connection is not queried before
/// it is handed out (that was a round trip per checkout, several per request): one whose
/// server went away (a restart, a terminated backend) is closed, and the pool drops it
/// and opens a new one, so the pool recovers when the database is back.
///
/// Through a transaction pooler ([`Pooler::Transaction`]) opening a connection is
/// retried ([`ESTABLISH_ATTEMPTS`], with a growing wait): a pooler that is restarting
/// refuses for a moment, and answers again.
pub fn pool(
    url: &DatabaseUrl,
    max_size: usize,
    counter: QueryCounter,
    pooler: Pooler,
) -> anyhow::Result<PgPool> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let database = Arc::new(url.clone());
    // The manager's URL is not used: every connection opens from `database`.
    config.custom_setup = Box::new(move |_| {
        let counter = counter.clone();
        let database = database.clone();
        async move {
            let mut conn = match pooler {
                Pooler::None => {
                    Conn::direct(database.establish().await.inspect_err(|e| pooler_hint(e))?)
                }
                Pooler::Transaction => establish_retrying(&database).await?,
            };
            conn.set_instrumentation(CountQueries(counter, pooler));
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(url.setting(), config);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(POOL_TIMEOUT))
        .create_timeout(Some(POOL_TIMEOUT))
        .recycle_timeout(Some(POOL_TIMEOUT))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

/// Opens a connection through a transaction pooler, trying again (at most
/// [`ESTABLISH_ATTEMPTS`] times, waiting twice as long each time up to
/// [`ESTABLISH_MAX_BACKOFF`]) while it fails.
async fn establish_retrying(url: &DatabaseUrl) -> diesel::ConnectionResult<Conn> {
    let mut backoff = std::time::Duration::from_millis(10);
    let mut attempt = 1;
    loop {
        match Conn::through_pooler(url).await {
            Ok(conn) => return Ok(conn),
            Err(error) if attempt < ESTABLISH_ATTEMPTS => {
                tracing::debug!(%error, attempt, "opening a database connection through the pooler failed; trying again");
            }
            Err(error) => return Err(error),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(ESTABLISH_MAX_BACKOFF);
        attempt += 1;
    }
}

/// The advisory lock `migrate` holds while it migrates: processes starting together
/// migrate one after the other (the later one finds nothing pending).
const MIGRATION_LOCK: i64 = 0x656e_7667_6174_6500; // "envgate\0"

/// Runs every pending migration on `url`, a direct connection (migrations hold a session
/// lock, so never a transaction pooler's); returns how many ran. Processes that migrate
/// at once take turns. Needs the multi-threaded tokio runtime (the harness blocks in
/// place).
pub async fn migrate(url: &DatabaseUrl) -> anyhow::Result<usize> {
    let mut conn = url
        .establish()
        .await
        .inspect_err(|e| pooler_hint(e))
        .context("connecting to the database to migrate it")?;
    use diesel_async::RunQueryDsl as _;
    // A session lock: `url` is a direct connection (never a transaction pooler's).
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .execute(&mut conn)
        .await
        .inspect_err(|e| pooler_hint(e))
        .context("waiting for other processes' migrations")?;
    let mut harness = AsyncMigrationHarness::new(conn);
    let ran = tokio::task::block_in_place(|| harness.run_pending_migrations(MIGRATIONS)).map_err(
        |e| {
            pooler_hint(&e);
            anyhow::anyhow!("running migrations: {e}")
        },
    )?;
    // The lock ends with the connection, dropped here.
    Ok(ran.len())
}
