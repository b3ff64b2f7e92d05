//! [`Conn`]: the connection every request and domain function works on. Directly
//! connected (the default) it is diesel-async's `AsyncPgConnection` with its statement
//! cache, nothing added. Behind a transaction-pooling pooler ([`Pooler::Transaction`])
//! it sends every statement unnamed ([`super::unnamed`]), so no server connection
//! needs to outlive a transaction.

use std::sync::atomic::{AtomicBool, Ordering};

use diesel::connection::{CacheSize, Instrumentation};
use diesel::pg::{Pg, PgValue};
use diesel::query_builder::{AsQuery, QueryBuilder as _, QueryFragment, QueryId};
use diesel::result::{DatabaseErrorKind, Error};
use diesel::row::{Field, PartialRow, RowIndex, RowSealed};
use diesel::{ConnectionResult, QueryResult};
use diesel_async::pooled_connection::PoolableConnection;
use diesel_async::{
    AnsiTransactionManager, AsyncConnection, AsyncConnectionCore, AsyncPgConnection,
    SimpleAsyncConnection, TransactionManager as _,
};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt as _, StreamExt as _, TryFutureExt as _, TryStreamExt as _};
use tracing::Instrument as _;

use super::unnamed::{Statement, Unnamed, UnnamedField, UnnamedRow};
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

/// A database connection; see the module documentation.
pub struct Conn(Inner);

// A connection lives in the pool for its lifetime, never moved per statement: its
// size costs nothing, while boxing the direct one would add an indirection to it.
#[allow(clippy::large_enum_variant)]
enum Inner {
    /// diesel-async's own, with its statement cache.
    Direct(AsyncPgConnection),
    /// Through a transaction pooler: every statement unnamed.
    Unnamed(Unnamed),
}

impl Conn {
    /// A direct connection (no pooler), as `url.establish()` opens it.
    pub fn direct(inner: AsyncPgConnection) -> Self {
        Self(Inner::Direct(inner))
    }

    /// Opens a connection to `url` through a transaction pooler.
    pub(super) async fn through_pooler(url: &super::DatabaseUrl) -> ConnectionResult<Self> {
        Ok(Self(Inner::Unnamed(Unnamed::connect(url).await?)))
    }

    /// The connection behind a pooler (`matches!` chose it: a borrow taken to find out
    /// would outlive the other branch).
    fn unnamed(&mut self) -> &mut Unnamed {
        match &mut self.0 {
            Inner::Unnamed(conn) => conn,
            Inner::Direct(_) => unreachable!("a direct connection sends no unnamed statement"),
        }
    }

    /// The direct connection (`matches!` ruled out the other).
    fn direct_conn(&mut self) -> &mut AsyncPgConnection {
        match &mut self.0 {
            Inner::Direct(conn) => conn,
            Inner::Unnamed(_) => unreachable!("a connection behind a pooler is not direct"),
        }
    }

    /// After an unnamed statement (a load or an execute): when it failed with a
    /// serialization failure inside a transaction, that transaction can only be rolled
    /// back, up to the outermost one (as diesel-async marks its own connections').
    fn note_failure<T>(&mut self, result: QueryResult<T>) -> QueryResult<T> {
        if let Err(Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _)) = &result {
            let status = AnsiTransactionManager::transaction_manager_status_mut(self);
            if let Ok(Some(_)) = status.transaction_depth() {
                status.set_requires_rollback_maybe_up_to_top_level(true);
            }
        }
        result
    }
}

impl SimpleAsyncConnection for Conn {
    async fn batch_execute(&mut self, query: &str) -> QueryResult<()> {
        let span = traces::statement_span(|| Some(query.to_owned()));
        let result = match &mut self.0 {
            Inner::Direct(conn) => conn.batch_execute(query).instrument(span.clone()).await,
            Inner::Unnamed(conn) => conn.batch_execute(query).instrument(span.clone()).await,
        };
        traces::record_outcome(&span, &result);
        result
    }
}

/// The rows of a direct connection.
type DirectRow = <AsyncPgConnection as AsyncConnectionCore>::Row<'static, 'static>;

impl AsyncConnectionCore for Conn {
    type LoadFuture<'conn, 'query> = BoxFuture<'conn, QueryResult<Self::Stream<'conn, 'query>>>;
    type ExecuteFuture<'conn, 'query> = BoxFuture<'conn, QueryResult<usize>>;
    type Stream<'conn, 'query> = BoxStream<'static, QueryResult<Row>>;
    type Row<'conn, 'query> = Row;
    type Backend = Pg;

    fn load<'conn, 'query, T>(&'conn mut self, source: T) -> Self::LoadFuture<'conn, 'query>
    where
        T: AsQuery + 'query,
        T::Query: QueryFragment<Self::Backend> + QueryId + 'query,
    {
        let source = source.as_query();
        let span = traces::statement_span(|| sql_text(&source));
        let rows = if matches!(self.0, Inner::Unnamed(_)) {
            let statement = Statement::of(&source);
            async move {
                let rows = self.unnamed().load(statement).await;
                self.note_failure(rows)
                    .map(|rows| rows.map_ok(Row::Unnamed).boxed())
            }
            .boxed()
        } else {
            self.direct_conn()
                .load(source)
                .map_ok(|rows| rows.map_ok(Row::Direct).boxed())
                .boxed()
        };
        if span.is_disabled() {
            return rows;
        }
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
        let count = if matches!(self.0, Inner::Unnamed(_)) {
            let statement = Statement::of(&source);
            async move {
                let count = self.unnamed().execute(statement).await;
                self.note_failure(count)
            }
            .boxed()
        } else {
            self.direct_conn().execute_returning_count(source)
        };
        if span.is_disabled() {
            return count;
        }
        traced(span, count)
    }
}

/// A row of either kind of connection.
pub enum Row {
    Direct(DirectRow),
    Unnamed(UnnamedRow),
}

/// A column of a [`Row`].
pub enum RowField<'f> {
    Direct(<DirectRow as diesel::row::Row<'static, Pg>>::Field<'f>),
    Unnamed(UnnamedField<'f>),
}

impl RowSealed for Row {}

impl<'a> diesel::row::Row<'a, Pg> for Row {
    type Field<'f>
        = RowField<'f>
    where
        'a: 'f,
        Self: 'f;
    type InnerPartialRow = Self;

    fn field_count(&self) -> usize {
        match self {
            Self::Direct(row) => diesel::row::Row::field_count(row),
            Self::Unnamed(row) => row.len(),
        }
    }

    fn get<'b, I>(&'b self, idx: I) -> Option<Self::Field<'b>>
    where
        'a: 'b,
        Self: RowIndex<I>,
    {
        let idx = self.idx(idx)?;
        match self {
            Self::Direct(row) => diesel::row::Row::get(row, idx).map(RowField::Direct),
            Self::Unnamed(row) => row.field(idx).map(RowField::Unnamed),
        }
    }

    fn partial_row(&self, range: std::ops::Range<usize>) -> PartialRow<'_, Self> {
        PartialRow::new(self, range)
    }
}

impl RowIndex<usize> for Row {
    fn idx(&self, idx: usize) -> Option<usize> {
        (idx < diesel::row::Row::field_count(self)).then_some(idx)
    }
}

impl<'a> RowIndex<&'a str> for Row {
    fn idx(&self, idx: &'a str) -> Option<usize> {
        match self {
            Self::Direct(row) => RowIndex::idx(row, idx),
            Self::Unnamed(row) => row.position(idx),
        }
    }
}

impl<'f> Field<'f, Pg> for RowField<'f> {
    fn field_name(&self) -> Option<&str> {
        match self {
            Self::Direct(field) => field.field_name(),
            Self::Unnamed(field) => field.field_name(),
        }
    }

    fn value(&self) -> Option<PgValue<'_>> {
        match self {
            Self::Direct(field) => field.value(),
            Self::Unnamed(field) => field.value(),
        }
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
        Ok(Self::direct(url.establish().await?))
    }

    fn transaction_state(&mut self) -> &mut AnsiTransactionManager {
        match &mut self.0 {
            Inner::Direct(conn) => conn.transaction_state(),
            Inner::Unnamed(conn) => &mut conn.transaction,
        }
    }

    fn instrumentation(&mut self) -> &mut dyn Instrumentation {
        match &mut self.0 {
            Inner::Direct(conn) => conn.instrumentation(),
            Inner::Unnamed(conn) => &mut *conn.instrumentation,
        }
    }

    fn set_instrumentation(&mut self, instrumentation: impl Instrumentation) {
        match &mut self.0 {
            Inner::Direct(conn) => conn.set_instrumentation(instrumentation),
            Inner::Unnamed(conn) => conn.instrumentation = Box::new(instrumentation),
        }
    }

    /// Nothing is prepared through a pooler: there is no cache to size.
    fn set_prepared_statement_cache_size(&mut self, size: CacheSize) {
        if let Inner::Direct(conn) = &mut self.0 {
            conn.set_prepared_statement_cache_size(size);
        }
    }
}

impl PoolableConnection for Conn {
    /// As `AsyncPgConnection` says: a broken transaction, or a closed connection (its
    /// server went away), which the pool then drops.
    fn is_broken(&mut self) -> bool {
        match &mut self.0 {
            Inner::Direct(conn) => conn.is_broken(),
            Inner::Unnamed(conn) if conn.is_closed() => true,
            Inner::Unnamed(_) => AnsiTransactionManager::is_broken_transaction_manager(self),
        }
    }
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
