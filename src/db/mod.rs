//! The database layer: the connection pool, embedded migrations, the Diesel schema
//! and the row models. Nothing here knows GraphQL or the domain's rules.

pub mod models;
pub mod schema;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt as _;

/// Every migration under `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The pool every request draws its connection from.
pub type PgPool = Pool<AsyncPgConnection>;
/// A connection checked out of the pool.
pub type PgConn = Object<AsyncPgConnection>;

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

struct CountQueries(QueryCounter);

impl Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The bound on each of the pool's steps: waiting, opening, recycling.
const POOL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Builds a pool of at most `max_size` connections to `url`, each counting its queries
/// into `counter`. Connections are opened lazily. Waiting for a connection and opening
/// one are bounded, so a database that is away fails requests (INTERNAL_SERVER_ERROR)
/// instead of holding them. A connection is not queried before it is handed out (that
/// was a round trip per checkout, several per request): one whose server went away
/// (a restart, a terminated backend) is closed, and the pool drops it and opens a new
/// one, so the pool recovers when the database is back.
pub fn pool(url: &str, max_size: usize, counter: QueryCounter) -> anyhow::Result<PgPool> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let counter = counter.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            conn.set_instrumentation(CountQueries(counter));
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(POOL_TIMEOUT))
        .create_timeout(Some(POOL_TIMEOUT))
        .recycle_timeout(Some(POOL_TIMEOUT))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

/// Runs every pending migration on `url`; returns how many ran. Needs the
/// multi-threaded tokio runtime (the harness blocks in place).
pub async fn migrate(url: &str) -> anyhow::Result<usize> {
    let conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database to migrate it")?;
    let mut harness = AsyncMigrationHarness::new(conn);
    let ran = tokio::task::block_in_place(|| harness.run_pending_migrations(MIGRATIONS))
        .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
    Ok(ran.len())
}
