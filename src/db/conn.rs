//! [`Conn`]: the connection every request and domain function works on. Directly
//! connected (the default) it is diesel-async's `AsyncPgConnection` with its statement
//! cache, nothing added. Behind a transaction-pooling pooler ([`Pooler::Transaction`])
//! it relies on no server connection outliving a transaction: each statement outside a
//! transaction runs in one of its own, and every transaction starts by dropping the
//! prepared statements another client (another process's failed setup) left on the
//! server connection it landed on.

use std::sync::atomic::{AtomicBool, Ordering};

use diesel::connection::{CacheSize, Instrumentation};
use diesel::query_builder::{AsQuery, QueryBuilder as _, QueryFragment, QueryId};
use diesel::{ConnectionError, QueryResult};
use diesel_async::pooled_connection::PoolableConnection;
use diesel_async::{
    AnsiTransactionManager, AsyncConnection, AsyncConnectionCore, AsyncPgConnection,
    SimpleAsyncConnection, TransactionManager as _,
};
use futures_util::future::BoxFuture;
use futures_util::{FutureExt as _, StreamExt as _, TryFutureExt as _, TryStreamExt as _};
use tracing::Instrument as _;

use crate::traces;

/// What sits between envgate and PostgreSQL (`ENVGATE_DATABASE_POOLER`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Pooler {
    /// Nothing: connections are PostgreSQL's own, statements are prepared once and kept.
    #[default]
    None,
    /// A transaction-pooling pooler (PgBouncer's `pool_mode = transaction`): each
    /// transaction may land on another server connection.
    Transaction,
}

/// How a transaction starts behind a transaction pooler. PgBouncer 1.18 tracks no
/// prepared statements, and diesel-async names its own `s0`, `s1`… counting from 0 in
/// every process: a name another client left on this server connection (a setup that
/// failed half-way) would make ours fail with "already exists". Sent as one simple
/// query: no extra round trip.
const POOLED_BEGIN: &str = "BEGIN; DEALLOCATE ALL";

/// A database connection; see the module documentation.
pub struct Conn {
    inner: AsyncPgConnection,
    pooler: Pooler,
}

impl Conn {
    /// Wraps `inner`, opened on a server reached through `pooler`. Behind a transaction
    /// pooler the statement cache is turned off: a statement prepared in one
    /// transaction is gone by the next.
    pub fn new(mut inner: AsyncPgConnection, pooler: Pooler) -> Self {
        if pooler == Pooler::Transaction {
            inner.set_prepared_statement_cache_size(CacheSize::Disabled);
        }
        Self { inner, pooler }
    }

    /// Whether the next statement must open a transaction of its own: behind a
    /// transaction pooler, outside a transaction.
    fn needs_own_transaction(&mut self) -> bool {
        self.pooler == Pooler::Transaction && !self.in_transaction()
    }

    fn in_transaction(&mut self) -> bool {
        !matches!(
            AnsiTransactionManager::transaction_manager_status_mut(&mut self.inner)
                .transaction_depth(),
            Ok(None)
        )
    }
}

/// Runs `statement` (made on `conn` but not yet polled: nothing is sent before it is)
/// inside a transaction of its own, started with [`POOLED_BEGIN`] pipelined before the
/// statement (one round trip for both), committed once its result is complete, rolled
/// back when it fails.
async fn in_own_transaction<R: Send>(
    conn: &AsyncPgConnection,
    statement: impl Future<Output = QueryResult<R>> + Send,
) -> QueryResult<R> {
    let (mut begin_on, mut end_on) = (conn, conn);
    let begin = begin_on.batch_execute(POOLED_BEGIN);
    // `try_join` polls `begin` first: BEGIN is on the wire ahead of the statement.
    match futures_util::future::try_join(begin, statement).await {
        Ok(((), result)) => {
            end_on.batch_execute("COMMIT").await?;
            Ok(result)
        }
        Err(error) => {
            // The connection may be gone with the error; then there is nothing to end.
            let _ = end_on.batch_execute("ROLLBACK").await;
            Err(error)
        }
    }
}

impl SimpleAsyncConnection for Conn {
    async fn batch_execute(&mut self, query: &str) -> QueryResult<()> {
        let span = traces::statement_span(|| Some(query.to_owned()));
        // The transaction manager opens a transaction with `BEGIN` (or `BEGIN …` when
        // built with options); behind a transaction pooler it starts as every other.
        let result = if self.needs_own_transaction() && query.starts_with("BEGIN") {
            let query = format!("{query}; DEALLOCATE ALL");
            self.inner
                .batch_execute(&query)
                .instrument(span.clone())
                .await
        } else {
            self.inner
                .batch_execute(query)
                .instrument(span.clone())
                .await
        };
        traces::record_outcome(&span, &result);
        result
    }
}

impl AsyncConnectionCore for Conn {
    type LoadFuture<'conn, 'query> = BoxFuture<'conn, QueryResult<Self::Stream<'conn, 'query>>>;
    type ExecuteFuture<'conn, 'query> = BoxFuture<'conn, QueryResult<usize>>;
    type Stream<'conn, 'query> = <AsyncPgConnection as AsyncConnectionCore>::Stream<'conn, 'query>;
    type Row<'conn, 'query> = <AsyncPgConnection as AsyncConnectionCore>::Row<'conn, 'query>;
    type Backend = diesel::pg::Pg;

    fn load<'conn, 'query, T>(&'conn mut self, source: T) -> Self::LoadFuture<'conn, 'query>
    where
        T: AsQuery + 'query,
        T::Query: QueryFragment<Self::Backend> + QueryId + 'query,
    {
        let source = source.as_query();
        let span = traces::statement_span(|| sql_text(&source));
        let own_transaction = self.needs_own_transaction();
        if !own_transaction && span.is_disabled() {
            return self.inner.load(source);
        }
        if !own_transaction {
            return traced(span, self.inner.load(source));
        }
        let conn: &'conn AsyncPgConnection = &self.inner;
        let rows = (&mut &*conn)
            .load(source)
            .and_then(|rows| rows.try_collect::<Vec<_>>());
        let rows = in_own_transaction(conn, rows)
            .map(|rows| Ok(futures_util::stream::iter(rows?.into_iter().map(Ok)).boxed()));
        traced(span, rows)
    }

    fn execute_returning_count<'conn, 'query, T>(
        &'conn mut self,
        source: T,
    ) -> Self::ExecuteFuture<'conn, 'query>
    where
        T: QueryFragment<Self::Backend> + QueryId + 'query,
    {
        let span = traces::statement_span(|| sql_text(&source));
        let own_transaction = self.needs_own_transaction();
        if !own_transaction && span.is_disabled() {
            return self.inner.execute_returning_count(source);
        }
        if !own_transaction {
            return traced(span, self.inner.execute_returning_count(source));
        }
        let conn: &'conn AsyncPgConnection = &self.inner;
        let count = (&mut &*conn).execute_returning_count(source);
        traced(span, in_own_transaction(conn, count))
    }
}

/// The SQL text of `query` as diesel writes it for PostgreSQL: `$1`… where values are
/// bound, never the values.
fn sql_text(query: &impl QueryFragment<diesel::pg::Pg>) -> Option<String> {
    let mut builder = diesel::pg::PgQueryBuilder::default();
    query.to_sql(&mut builder, &diesel::pg::Pg).ok()?;
    Some(builder.finish())
}

/// `statement` run in `span`, which is marked failed when it fails.
fn traced<'conn, R: Send + 'conn>(
    span: tracing::Span,
    statement: impl Future<Output = QueryResult<R>> + Send + 'conn,
) -> BoxFuture<'conn, QueryResult<R>> {
    let outcome = span.clone();
    statement
        .inspect(move |result| traces::record_outcome(&outcome, result))
        .instrument(span)
        .boxed()
}

impl AsyncConnection for Conn {
    type TransactionManager = AnsiTransactionManager;

    /// A direct connection (no pooler) to `database_url`, with its TLS settings.
    async fn establish(database_url: &str) -> diesel::ConnectionResult<Self> {
        let url = super::DatabaseUrl::parse(database_url, "the database URL")
            .map_err(|e| diesel::ConnectionError::InvalidConnectionUrl(format!("{e:#}")))?;
        Ok(Self::new(url.establish().await?, Pooler::None))
    }

    fn transaction_state(&mut self) -> &mut AnsiTransactionManager {
        self.inner.transaction_state()
    }

    fn instrumentation(&mut self) -> &mut dyn Instrumentation {
        self.inner.instrumentation()
    }

    fn set_instrumentation(&mut self, instrumentation: impl Instrumentation) {
        self.inner.set_instrumentation(instrumentation);
    }

    fn set_prepared_statement_cache_size(&mut self, size: CacheSize) {
        self.inner.set_prepared_statement_cache_size(size);
    }
}

impl PoolableConnection for Conn {
    /// As `AsyncPgConnection` says: a broken transaction, or a closed connection (its
    /// server went away), which the pool then drops.
    fn is_broken(&mut self) -> bool {
        self.inner.is_broken()
    }
}

/// Opens a connection to `url` through a transaction pooler. diesel-async's own setup
/// sends two session `SET`s as pipelined prepared statements outside a transaction,
/// which a transaction pooler may spread over server connections ("prepared statement
/// … does not exist", and a name left behind): here the setup runs inside a
/// transaction, so all of it lands on one server connection. The session settings it
/// makes (time zone, client encoding) are ones PgBouncer tracks and sets again on every
/// server connection the client lands on.
pub(super) async fn establish_pooled(
    url: &super::DatabaseUrl,
) -> diesel::ConnectionResult<AsyncPgConnection> {
    let failed = |e: tokio_postgres::Error| ConnectionError::BadConnection(url.describe(&e));
    match url.tls() {
        None => {
            let (client, connection) = url
                .config()
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(failed)?;
            set_up_pooled(client, connection, failed).await
        }
        Some(tls) => {
            let (client, connection) = url.config().connect(tls.clone()).await.map_err(failed)?;
            set_up_pooled(client, connection, failed).await
        }
    }
}

/// diesel-async's setup of a new connection, inside a transaction (see
/// [`establish_pooled`]).
async fn set_up_pooled<T>(
    client: tokio_postgres::Client,
    mut connection: tokio_postgres::Connection<tokio_postgres::Socket, T>,
    failed: impl Fn(tokio_postgres::Error) -> ConnectionError,
) -> diesel::ConnectionResult<AsyncPgConnection>
where
    T: tokio_postgres::tls::TlsStream + Unpin + Send + 'static,
{
    {
        let begin = client.batch_execute(POOLED_BEGIN);
        tokio::pin!(begin);
        // The connection must be driven until diesel-async takes it over.
        tokio::select! {
            begun = &mut begin => begun.map_err(failed)?,
            ended = &mut connection => {
                return Err(ConnectionError::BadConnection(match ended {
                    Ok(()) => "the connection closed during its setup".to_owned(),
                    Err(e) => e.to_string(),
                }));
            }
        }
    }
    let mut conn = AsyncPgConnection::try_from_client_and_connection(client, connection).await?;
    conn.batch_execute("COMMIT")
        .await
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// Logs, once per process, a hint when `error` shows a transaction pooler between
/// envgate and PostgreSQL while `ENVGATE_DATABASE_POOLER` does not say so: a statement
/// prepared on one server connection and used on another ("does not exist"), or a name
/// another client left behind ("already exists").
pub fn pooler_hint(error: &dyn std::fmt::Display) {
    static HINTED: AtomicBool = AtomicBool::new(false);
    let message = error.to_string();
    let pooled = message.contains("prepared statement \"")
        && (message.contains("does not exist") || message.contains("already exists"));
    if pooled && !HINTED.swap(true, Ordering::Relaxed) {
        tracing::error!(
            error = %message,
            "a prepared statement was lost between two server connections: is DATABASE_URL a transaction-pooling pooler (PgBouncer's pool_mode = transaction)? Then set ENVGATE_DATABASE_POOLER=transaction (and ENVGATE_DIRECT_DATABASE_URL for migrations and the change listener)"
        );
    }
}
