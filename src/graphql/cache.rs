//! Answers kept per process. A builder opens the same few pages over and over (the
//! data sources of an environment, its apps), and between two opens of one page nothing
//! in the workspace usually changed. A query's answer is kept, written as JSON, with the
//! workspace's generation it was computed at (see [`workspaces::generation`]); a
//! request asking the same thing again reads the workspace's generation (one
//! primary-key read) and, while it is still that one, is answered with the kept JSON
//! without running a resolver.
//!
//! The generation moves in the same transaction as every committed write to the
//! workspace's rows (a trigger on every table, whatever wrote), and it is read after
//! the request began: an answer is never older than a write committed before the
//! request began, on any process. A miss reads the generation first and the rows after
//! it, so what it keeps is at least as new as the generation it is kept under.
//!
//! An answer is kept under everything that shapes it: the workspace, the caller (user,
//! role, groups: access rules and secrets depend on them), the edition, the query text,
//! the operation and the variables. Only answers without errors are kept, of queries
//! that read nothing but the workspace's rows ([`cacheable`]). The store is bounded in
//! bytes (`ENVGATE_RESPONSE_CACHE_BYTES`); 0 turns it off.

use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response, Value};
use bytes::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use uuid::Uuid;

use super::direct::Json;
use super::plan::Operation;
use crate::auth::{Role, Session};
use crate::db::PgConn;
use crate::domain::workspaces;
use crate::edition::Edition;
use crate::error::{AppError, AppResult};
use crate::metrics::Metrics;

/// The bound of the store in bytes (`ENVGATE_RESPONSE_CACHE_BYTES`); 0 turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheBytes(pub u64);

impl Default for CacheBytes {
    /// A few hundred pages of fifty data sources.
    fn default() -> Self {
        Self(8 * 1024 * 1024)
    }
}

/// What a kept answer costs besides its JSON and its key's text.
const ENTRY_OVERHEAD: u64 = 256;

/// Fields whose answer is not a function of the workspace's rows, anywhere in a query:
/// it is then never kept. `resolveDataSource` writes an audit row; the audit log
/// (`auditEvents`) does not move the generation; `scheduledReleases` lists the ones
/// that ended in the last days, which depends on the time.
const NEVER_KEPT: [&str; 3] = ["resolveDataSource", "auditEvents", "scheduledReleases"];

/// Everything that shapes an answer.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    workspace_id: Uuid,
    user_id: String,
    role: Role,
    groups: Vec<String>,
    edition: Edition,
    query: String,
    operation_name: Option<String>,
    /// The variables as JSON.
    variables: String,
}

impl Key {
    /// The text this key holds, for its weight.
    fn bytes(&self) -> u64 {
        let groups: usize = self.groups.iter().map(String::len).sum();
        let name = self.operation_name.as_ref().map_or(0, String::len);
        (self.user_id.len() + groups + self.query.len() + name + self.variables.len()) as u64
    }
}

/// A kept answer: its `data` as JSON, and the generation it is current at; or only
/// the mark that its key was asked and answered once (`data` is `None`).
#[derive(Clone)]
struct Kept {
    generation: i64,
    data: Option<Bytes>,
}

/// The weight of an entry: an estimate of its bytes.
#[derive(Clone)]
struct Weight;

impl Weighter<Key, Kept> for Weight {
    fn weight(&self, key: &Key, kept: &Kept) -> u64 {
        key.bytes() + kept.data.as_ref().map_or(0, Bytes::len) as u64 + ENTRY_OVERHEAD
    }
}

/// The kept answers of this process.
pub struct ResponseCache {
    /// `None` when turned off.
    kept: Option<Cache<Key, Kept, Weight>>,
    metrics: Metrics,
}

/// A query that may be answered from the store: its key and the workspace's
/// generation as read for it (`None` the first time the key is asked: its answer is
/// then only marked as asked).
pub struct Lookup {
    key: Key,
    generation: Option<i64>,
}

impl ResponseCache {
    /// A store of at most `bytes` (none when 0), counted in `metrics`.
    pub fn new(CacheBytes(bytes): CacheBytes, metrics: Metrics) -> Self {
        // Answers of a few kilobytes each.
        let estimated = usize::try_from(bytes / 4096).unwrap_or(usize::MAX).max(1);
        let kept = (bytes > 0).then(|| Cache::with_weighter(estimated, bytes, Weight));
        Self { kept, metrics }
    }

    /// The key of `request` when its answer may be kept: a query of `session` that
    /// [`cacheable`] allows, with the store on.
    pub fn key(
        &self,
        request: &Request,
        operation: &Operation<'_>,
        session: &Session,
        edition: Edition,
    ) -> Option<Key> {
        self.kept.as_ref()?;
        if !cacheable(operation, &request.variables) {
            return None;
        }
        Some(Key {
            workspace_id: session.workspace_id,
            user_id: session.user_id.clone(),
            role: session.role,
            groups: session.groups.clone(),
            edition,
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).ok()?,
        })
    }

    /// The kept answer of `key` when the store holds it at the workspace's current
    /// generation (read on the connection `conn` gives), else the lookup to
    /// [`Self::keep`] its answer with; `None` (and no answer) when the generation can't
    /// be read. A key asked for the first time reads nothing: its answer is only marked
    /// (see [`Self::keep`]), so a query asked once, or refused when it runs (a limit,
    /// validation), never costs a read.
    pub async fn get(
        &self,
        key: Key,
        conn: impl Future<Output = AppResult<PgConn>>,
    ) -> Option<Result<Response, Lookup>> {
        let kept = self.kept.as_ref()?;
        let Some(found) = kept.get(&key) else {
            self.metrics.cache_misses.inc();
            return Some(Err(Lookup {
                key,
                generation: None,
            }));
        };
        let read = async {
            let mut conn = conn.await?;
            let generation = workspaces::generation(&mut conn, key.workspace_id).await?;
            Ok::<_, AppError>(generation)
        };
        let generation = match read.await {
            Ok(generation) => generation,
            Err(error) => {
                tracing::warn!(
                    ?error,
                    "reading a workspace's generation; answering without the cache"
                );
                return None;
            }
        };
        match found.data {
            Some(data) if found.generation == generation => {
                self.metrics.cache_hits.inc();
                Some(Ok(Response::new(Value::Binary(data))))
            }
            _ => {
                self.metrics.cache_misses.inc();
                Some(Err(Lookup {
                    key,
                    generation: Some(generation),
                }))
            }
        }
    }

    /// Keeps `response`'s answer (when it has no error, extension or header) for the
    /// next request with its key, and gives it back with its `data` written as JSON,
    /// so that it is not written twice; the first time its key was asked, only marks
    /// the key as asked.
    pub fn keep(&self, lookup: Lookup, mut response: Response) -> Response {
        let Some(kept) = &self.kept else {
            return response;
        };
        if !response.errors.is_empty()
            || !response.extensions.is_empty()
            || !response.http_headers.is_empty()
        {
            return response;
        }
        let Some(generation) = lookup.generation else {
            let mark = Kept {
                generation: 0,
                data: None,
            };
            kept.insert(lookup.key, mark);
            return response;
        };
        let mut json = Json::with_capacity(4096);
        json.value(&response.data);
        let data = json.into_kept_bytes();
        let answer = Kept {
            generation,
            data: Some(data.clone()),
        };
        kept.insert(lookup.key, answer);
        response.data = Value::Binary(data);
        response
    }
}

/// Whether the answer of `operation` may be kept: a query that asks no field of
/// [`NEVER_KEPT`] (at any depth, fragments included) for a request with `variables`.
pub fn cacheable(operation: &Operation<'_>, variables: &async_graphql::Variables) -> bool {
    operation.ty() == OperationType::Query && !operation.root.asks_any(&NEVER_KEPT, variables)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::graphql::plan::{Prepared, Types};
    use crate::graphql::{Mutation, Query, Subscription};

    fn cacheable_text(query: &str, operation_name: Option<&str>) -> bool {
        let types = Types::of::<Query, Mutation, Subscription>();
        let document = async_graphql::parser::parse_query(query).unwrap();
        let prepared = Prepared::compile(document, &types);
        let variables = async_graphql::Variables::from_json(serde_json::json!({ "off": false }));
        prepared
            .plan()
            .operation(operation_name)
            .is_some_and(|operation| cacheable(operation, &variables))
    }

    #[test]
    fn only_queries_that_read_the_workspaces_rows_only_are_kept() {
        assert!(cacheable_text("{ environments { id name } }", None));
        assert!(cacheable_text(
            "query A { apps { nodes { id } } } mutation B { x }",
            Some("A")
        ));
        assert!(!cacheable_text(
            "query A { apps { nodes { id } } } mutation B { x }",
            Some("B")
        ));
        assert!(!cacheable_text("mutation { createApp { id } }", None));
        assert!(!cacheable_text("subscription { changes { id } }", None));
        assert!(!cacheable_text("{ auditEvents { nodes { id } } }", None));
        assert!(!cacheable_text(
            "{ resolveDataSource(input: {}) { options } }",
            None
        ));
        // At any depth, in inline fragments and in named ones.
        assert!(!cacheable_text(
            "{ apps { nodes { ... on App { scheduledReleases { id } } } } }",
            None
        ));
        assert!(!cacheable_text(
            "{ apps { nodes { ...F } } } fragment F on App { scheduledReleases { id } }",
            None
        ));
        assert!(
            !cacheable_text("query A { x }", Some("B")),
            "no such operation"
        );
        // A field a condition leaves out is not asked.
        assert!(cacheable_text(
            "query($off: Boolean!) { apps { nodes { id } } auditEvents @include(if: $off) { nodes { id } } }",
            None
        ));
    }
}
