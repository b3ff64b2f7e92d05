//! A connection for a transaction-pooling pooler (PgBouncer's `pool_mode = transaction`):
//! a tokio-postgres client that sends every statement unnamed, its Parse, Bind, Execute
//! and Sync in one message (`query_typed`, what `pgbench -M extended` sends). Nothing a
//! statement leaves on a server connection outlives it, so each transaction, and each
//! statement outside one, may land on another server connection, and a statement costs
//! one round trip, as directly connected with a cached prepared statement.
//!
//! diesel-async always prepares a named statement (`prepare_typed`: a round trip of its
//! own), which a transaction pooler may hand to another client's server connection
//! before it is used; this is the part of diesel-async's `AsyncPgConnection` that
//! sends statements, without the statement cache. Its rows are read as diesel-async
//! reads its own (`pg/row.rs`).

use std::num::NonZeroU32;

use diesel::connection::{Instrumentation, InstrumentationEvent, StrQueryHelper};
use diesel::pg::{
    FailedToLookupTypeError, Pg, PgMetadataCacheKey, PgMetadataLookup, PgQueryBuilder,
    PgTypeMetadata, PgValue,
};
use diesel::query_builder::bind_collector::RawBytesBindCollector;
use diesel::query_builder::{QueryBuilder as _, QueryFragment};
use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};
use diesel::row::Field;
use diesel::{ConnectionError, ConnectionResult, QueryResult};
use diesel_async::AnsiTransactionManager;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt as _, TryStreamExt as _};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use super::DatabaseUrl;

/// The client, and the transaction state and instrumentation diesel asks of a
/// connection.
pub(super) struct Unnamed {
    client: tokio_postgres::Client,
    pub(super) transaction: AnsiTransactionManager,
    pub(super) instrumentation: Box<dyn Instrumentation>,
}

impl Unnamed {
    /// Opens a connection to `url` (a pooler's). Nothing is set on the session: no
    /// session setting goes through a transaction pooler (the client encoding, UTF-8,
    /// is in the startup packet, and every timestamp is a `timestamptz` read and
    /// written in binary, so the session's time zone changes nothing).
    pub(super) async fn connect(url: &DatabaseUrl) -> ConnectionResult<Self> {
        let failed = |e: tokio_postgres::Error| ConnectionError::BadConnection(url.describe(&e));
        let client = match url.tls() {
            None => {
                let (client, connection) = url
                    .config()
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(failed)?;
                tokio::spawn(drive(connection));
                client
            }
            Some(tls) => {
                let (client, connection) =
                    url.config().connect(tls.clone()).await.map_err(failed)?;
                tokio::spawn(drive(connection));
                client
            }
        };
        Ok(Self {
            client,
            transaction: AnsiTransactionManager::default(),
            instrumentation: Box::new(NoInstrumentation),
        })
    }

    /// Whether the server connection is gone (the pool then drops this one).
    pub(super) fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Sends `query` as the simple query protocol does: `BEGIN`, `COMMIT`, `ROLLBACK`
    /// from the transaction manager, and statements without parameters.
    pub(super) async fn batch_execute(&mut self, query: &str) -> QueryResult<()> {
        let sent = self.client.batch_execute(query);
        instrumented(&mut *self.instrumentation, query, sent).await
    }

    /// Sends `statement` and reads its rows as they come.
    pub(super) async fn load(
        &mut self,
        statement: QueryResult<Statement>,
    ) -> QueryResult<BoxStream<'static, QueryResult<UnnamedRow>>> {
        let rows = self.send(statement?).await?;
        Ok(rows.map_ok(UnnamedRow).map_err(database_error).boxed())
    }

    /// Sends `statement` and counts the rows it wrote.
    pub(super) async fn execute(
        &mut self,
        statement: QueryResult<Statement>,
    ) -> QueryResult<usize> {
        let rows = self.send(statement?).await?;
        let mut rows = std::pin::pin!(rows);
        while rows.try_next().await.map_err(database_error)?.is_some() {}
        let count = rows.rows_affected().unwrap_or(0);
        usize::try_from(count).map_err(|e| Error::DeserializationError(Box::new(e)))
    }

    async fn send(&mut self, statement: Statement) -> QueryResult<tokio_postgres::RowStream> {
        let Statement { sql, binds } = statement;
        let sent = self.client.query_typed_raw(&sql, binds);
        instrumented(&mut *self.instrumentation, &sql, sent).await
    }
}

/// `sent` (the statement `sql`), told to `instrumentation` as it starts and ends.
async fn instrumented<T>(
    instrumentation: &mut dyn Instrumentation,
    sql: &str,
    sent: impl Future<Output = Result<T, tokio_postgres::Error>>,
) -> QueryResult<T> {
    let helper = StrQueryHelper::new(sql);
    instrumentation.on_connection_event(InstrumentationEvent::start_query(&helper));
    let result = sent.await.map_err(database_error);
    instrumentation.on_connection_event(InstrumentationEvent::finish_query(
        &helper,
        result.as_ref().err(),
    ));
    result
}

/// Runs a connection's socket until its client is dropped or the server goes away.
async fn drive<S, T>(connection: tokio_postgres::Connection<S, T>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if let Err(error) = connection.await {
        tracing::debug!(%error, "a database connection through the pooler ended");
    }
}

/// Instrumentation until the pool sets its own.
struct NoInstrumentation;

impl Instrumentation for NoInstrumentation {
    fn on_connection_event(&mut self, _: InstrumentationEvent<'_>) {}
}

/// A statement as it is sent: its SQL (`$1`… for the values) and its values, already
/// written in PostgreSQL's binary format with their types.
pub(super) struct Statement {
    sql: String,
    binds: Vec<(RawValue, Type)>,
}

impl Statement {
    /// `query` written as diesel writes it for PostgreSQL. Only built-in types can be
    /// sent: a custom type's OID would be looked up by a query of its own (envgate's
    /// schema has none).
    pub(super) fn of(query: &dyn QueryFragment<Pg>) -> QueryResult<Self> {
        let mut builder = PgQueryBuilder::default();
        query.to_sql(&mut builder, &Pg)?;
        let mut collector = RawBytesBindCollector::<Pg>::new();
        query.collect_binds(&mut collector, &mut BuiltInTypesOnly, &Pg)?;
        let binds = collector
            .metadata
            .iter()
            .zip(collector.binds)
            .map(|(metadata, bytes)| {
                let oid = metadata
                    .oid()
                    .map_err(|e| Error::SerializationError(Box::new(e)))?;
                let ty = Type::from_oid(oid).ok_or_else(|| {
                    Error::SerializationError(
                        format!("type {oid} is not built into PostgreSQL").into(),
                    )
                })?;
                Ok((RawValue(bytes), ty))
            })
            .collect::<QueryResult<_>>()?;
        Ok(Self {
            sql: builder.finish(),
            binds,
        })
    }
}

/// Refuses every custom type (see [`Statement::of`]).
struct BuiltInTypesOnly;

impl PgMetadataLookup for BuiltInTypesOnly {
    fn lookup_type(&mut self, type_name: &str, schema: Option<&str>) -> PgTypeMetadata {
        let key = PgMetadataCacheKey::new(
            schema.map(|s| s.to_owned().into()),
            type_name.to_owned().into(),
        );
        PgTypeMetadata::from_result(Err(FailedToLookupTypeError::new(key)))
    }
}

/// A value diesel has written, or NULL.
#[derive(Debug)]
struct RawValue(Option<Vec<u8>>);

impl ToSql for RawValue {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match &self.0 {
            Some(bytes) => {
                out.extend_from_slice(bytes);
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A row as it came, read by diesel through [`super::conn::Row`].
pub struct UnnamedRow(tokio_postgres::Row);

impl UnnamedRow {
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn position(&self, name: &str) -> Option<usize> {
        self.0.columns().iter().position(|c| c.name() == name)
    }

    pub(super) fn field(&self, index: usize) -> Option<UnnamedField<'_>> {
        let oid = NonZeroU32::new(self.0.columns().get(index)?.type_().oid())?;
        Some(UnnamedField {
            row: &self.0,
            index,
            oid,
        })
    }
}

/// One column of an [`UnnamedRow`].
pub struct UnnamedField<'a> {
    row: &'a tokio_postgres::Row,
    index: usize,
    oid: NonZeroU32,
}

impl<'a> Field<'a, Pg> for UnnamedField<'a> {
    fn field_name(&self) -> Option<&str> {
        Some(self.row.columns()[self.index].name())
    }

    fn value(&self) -> Option<PgValue<'_>> {
        let Bytes(bytes) = self.row.try_get(self.index).ok()?;
        Some(PgValue::new(bytes?, &self.oid))
    }
}

/// A column's bytes as the server sent them, whatever its type.
struct Bytes<'a>(Option<&'a [u8]>);

impl<'a> FromSql<'a> for Bytes<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Self(Some(raw)))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Self(None))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A tokio-postgres error as diesel's, with the kinds diesel-async gives (the domain
/// tells a unique violation from others, and the transaction manager a serialization
/// failure).
pub(super) fn database_error(error: tokio_postgres::Error) -> Error {
    use tokio_postgres::error::SqlState;
    let Some(db) = error.as_db_error().cloned() else {
        return Error::DatabaseError(
            DatabaseErrorKind::UnableToSendCommand,
            Box::new(error.to_string()),
        );
    };
    let kind = match *db.code() {
        SqlState::UNIQUE_VIOLATION => DatabaseErrorKind::UniqueViolation,
        SqlState::FOREIGN_KEY_VIOLATION => DatabaseErrorKind::ForeignKeyViolation,
        SqlState::RESTRICT_VIOLATION => DatabaseErrorKind::RestrictViolation,
        SqlState::EXCLUSION_VIOLATION => DatabaseErrorKind::ExclusionViolation,
        SqlState::T_R_SERIALIZATION_FAILURE => DatabaseErrorKind::SerializationFailure,
        SqlState::READ_ONLY_SQL_TRANSACTION => DatabaseErrorKind::ReadOnlyTransaction,
        SqlState::NOT_NULL_VIOLATION => DatabaseErrorKind::NotNullViolation,
        SqlState::CHECK_VIOLATION => DatabaseErrorKind::CheckViolation,
        _ => DatabaseErrorKind::Unknown,
    };
    Error::DatabaseError(kind, Box::new(DbError(db)))
}

/// What PostgreSQL said of an error, as diesel asks for it.
struct DbError(tokio_postgres::error::DbError);

impl DatabaseErrorInformation for DbError {
    fn message(&self) -> &str {
        self.0.message()
    }

    fn details(&self) -> Option<&str> {
        self.0.detail()
    }

    fn hint(&self) -> Option<&str> {
        self.0.hint()
    }

    fn table_name(&self) -> Option<&str> {
        self.0.table()
    }

    fn column_name(&self) -> Option<&str> {
        self.0.column()
    }

    fn constraint_name(&self) -> Option<&str> {
        self.0.constraint()
    }

    fn statement_position(&self) -> Option<i32> {
        use tokio_postgres::error::ErrorPosition;
        match self.0.position()? {
            ErrorPosition::Original(position) | ErrorPosition::Internal { position, .. } => {
                i32::try_from(*position).ok()
            }
        }
    }
}
