//! Automatic persisted queries, as Apollo Client's persisted-queries link speaks them:
//! a query sent once with its SHA-256 may afterwards be sent as the hash alone. Only
//! requests with a valid token add to the store, and the store is bounded in bytes, so a
//! hostile client can't grow the server's memory with it.

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// How many bytes of queries (and their hashes) are remembered at most; past that, the
/// least used are forgotten (the client then sends them in full again).
pub const CAPACITY_BYTES: u64 = 16 * 1024 * 1024;
/// What a stored entry costs besides its text.
const ENTRY_OVERHEAD: u64 = 64;

/// Why a request's query could not be had.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The hash is unknown: the client should send the query with it.
    NotFound,
    /// The request is malformed, or its hash does not match its query.
    BadRequest(&'static str),
}

/// The weight of an entry: its bytes.
#[derive(Clone)]
struct Bytes;

impl Weighter<String, Arc<str>> for Bytes {
    fn weight(&self, hash: &String, query: &Arc<str>) -> u64 {
        (hash.len() + query.len()) as u64 + ENTRY_OVERHEAD
    }
}

/// The queries seen with a hash, by hash.
pub struct PersistedQueries(Cache<String, Arc<str>, Bytes>);

impl Default for PersistedQueries {
    fn default() -> Self {
        Self::with_capacity(CAPACITY_BYTES)
    }
}

impl PersistedQueries {
    /// A store of at most `bytes` bytes.
    pub fn with_capacity(bytes: u64) -> Self {
        // Queries are a few hundred bytes to a few kilobytes.
        let estimated = usize::try_from(bytes / 1024).unwrap_or(usize::MAX).max(16);
        Self(Cache::with_weighter(estimated, bytes, Bytes))
    }

    /// The bytes remembered now.
    pub fn weight(&self) -> u64 {
        self.0.weight()
    }

    /// The query a request runs: the one it sends (remembered under its hash when it
    /// carries `extensions.persistedQuery` and `may_store`), or the one its hash names.
    pub fn resolve(
        &self,
        query: Option<String>,
        extensions: &Map<String, Value>,
        may_store: bool,
    ) -> Result<Arc<str>, Refusal> {
        let Some(persisted) = extensions.get("persistedQuery") else {
            return query
                .map(Arc::from)
                .ok_or(Refusal::BadRequest("The `query` parameter is missing."));
        };
        if persisted.get("version").and_then(Value::as_i64) != Some(1) {
            return Err(Refusal::BadRequest(
                "Only version 1 of persisted queries is supported.",
            ));
        }
        let hash = persisted
            .get("sha256Hash")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .ok_or(Refusal::BadRequest(
                "`extensions.persistedQuery.sha256Hash` must be a string.",
            ))?;
        match query {
            Some(query) => {
                if hex::encode(Sha256::digest(query.as_bytes())) != hash {
                    return Err(Refusal::BadRequest("provided sha does not match query"));
                }
                let query: Arc<str> = Arc::from(query);
                if may_store {
                    self.0.insert(hash, query.clone());
                }
                Ok(query)
            }
            None => self.0.get(&hash).ok_or(Refusal::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn extensions(hash: &str) -> Map<String, Value> {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_query_is_remembered_by_its_hash() {
        let queries = PersistedQueries::default();
        let query = "{ __typename }";
        let hash = hex::encode(Sha256::digest(query));
        assert_eq!(
            queries.resolve(None, &extensions(&hash), true),
            Err(Refusal::NotFound)
        );
        assert_eq!(
            &*queries
                .resolve(Some(query.into()), &extensions(&hash), true)
                .unwrap(),
            query
        );
        assert_eq!(
            &*queries.resolve(None, &extensions(&hash), true).unwrap(),
            query
        );
        assert!(matches!(
            queries.resolve(Some("{ other }".into()), &extensions(&hash), true),
            Err(Refusal::BadRequest(_))
        ));
        assert!(matches!(
            queries.resolve(None, &Map::new(), true),
            Err(Refusal::BadRequest(_))
        ));
    }

    #[test]
    fn the_store_stays_within_its_bytes_and_keeps_taking_new_queries() {
        let capacity = 256 * 1024;
        let queries = PersistedQueries::with_capacity(capacity);
        let padding = "x".repeat(2_000);
        for i in 0..1_000 {
            let query = format!("{{ q{i}: __typename }} # {padding}");
            let hash = hex::encode(Sha256::digest(&query));
            queries
                .resolve(Some(query.clone()), &extensions(&hash), true)
                .unwrap();
            assert!(queries.weight() <= capacity, "{} bytes", queries.weight());
            // What was just sent is there to be asked for by its hash.
            assert_eq!(
                &*queries.resolve(None, &extensions(&hash), true).unwrap(),
                query
            );
        }
        assert!(queries.weight() > capacity / 2, "the store is used");
    }

    #[test]
    fn queries_are_not_stored_when_the_caller_may_not() {
        let queries = PersistedQueries::default();
        let query = "{ __typename }";
        let hash = hex::encode(Sha256::digest(query));
        assert_eq!(
            &*queries
                .resolve(Some(query.into()), &extensions(&hash), false)
                .unwrap(),
            query,
            "the query still runs"
        );
        assert_eq!(
            queries.resolve(None, &extensions(&hash), false),
            Err(Refusal::NotFound)
        );
        assert_eq!(queries.weight(), 0);
    }
}
