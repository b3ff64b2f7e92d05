//! Automatic persisted queries, as Apollo Client's persisted-queries link speaks them:
//! a query sent once with its SHA-256 may afterwards be sent as the hash alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// How many queries are remembered; past that, an arbitrary one is forgotten (the
/// client then sends it in full again).
const CAPACITY: usize = 10_000;

/// Why a request's query could not be had.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The hash is unknown: the client should send the query with it.
    NotFound,
    /// The request is malformed, or its hash does not match its query.
    BadRequest(&'static str),
}

/// The queries seen with a hash, by hash.
#[derive(Default)]
pub struct PersistedQueries(Mutex<HashMap<String, Arc<str>>>);

impl PersistedQueries {
    /// The query a request runs: the one it sends (remembered under its hash when it
    /// carries `extensions.persistedQuery`), or the one its hash names.
    pub fn resolve(
        &self,
        query: Option<String>,
        extensions: &Map<String, Value>,
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
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match query {
            Some(query) => {
                if hex::encode(Sha256::digest(query.as_bytes())) != hash {
                    return Err(Refusal::BadRequest("provided sha does not match query"));
                }
                if cache.len() >= CAPACITY {
                    if let Some(evicted) = cache.keys().next().cloned() {
                        cache.remove(&evicted);
                    }
                }
                let query: Arc<str> = Arc::from(query);
                cache.insert(hash, query.clone());
                Ok(query)
            }
            None => cache.get(&hash).cloned().ok_or(Refusal::NotFound),
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
            queries.resolve(None, &extensions(&hash)),
            Err(Refusal::NotFound)
        );
        assert_eq!(
            &*queries
                .resolve(Some(query.into()), &extensions(&hash))
                .unwrap(),
            query
        );
        assert_eq!(&*queries.resolve(None, &extensions(&hash)).unwrap(), query);
        assert!(matches!(
            queries.resolve(Some("{ other }".into()), &extensions(&hash)),
            Err(Refusal::BadRequest(_))
        ));
        assert!(matches!(
            queries.resolve(None, &Map::new()),
            Err(Refusal::BadRequest(_))
        ));
    }
}
