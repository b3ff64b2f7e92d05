//! Parsed queries with their plans, remembered by their text. Clients send the same few
//! queries over and over (Apollo Client, generated clients), and parsing one and
//! planning it is a large share of a small request's CPU; a remembered document is
//! cloned instead, which costs a fraction of parsing it, and its plan is shared. Only
//! callers with a valid token add to the store, and it is bounded in bytes, like the
//! persisted queries.
//!
//! A text is parsed only once it is within the [`Limits`] of its text, and a document
//! is kept only once it is within those of its expansion: a remembered document has
//! passed both.

use std::sync::Arc;

use async_graphql::ServerError;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::limits::Limits;
use super::plan::{Prepared, Types};

/// How many bytes of parsed documents are remembered at most (estimated from their text).
const CAPACITY_BYTES: u64 = 8 * 1024 * 1024;
/// A parsed document's size with its plan against its text's: names, positions and
/// nodes.
const BYTES_PER_QUERY_BYTE: u64 = 12;
/// What a stored entry costs besides its document.
const ENTRY_OVERHEAD: u64 = 256;

/// The weight of an entry: an estimate of its bytes.
#[derive(Clone)]
struct Bytes;

impl Weighter<String, Arc<Prepared>> for Bytes {
    fn weight(&self, query: &String, _: &Arc<Prepared>) -> u64 {
        query.len() as u64 * (1 + BYTES_PER_QUERY_BYTE) + ENTRY_OVERHEAD
    }
}

/// The documents of the queries seen, by query text, planned against the schema's
/// types.
pub struct Documents {
    store: Cache<String, Arc<Prepared>, Bytes>,
    types: Types,
}

impl Documents {
    pub fn new(types: Types) -> Self {
        // Documents of a few kilobytes each.
        let estimated = usize::try_from(CAPACITY_BYTES / 4096).unwrap_or(usize::MAX);
        Self {
            store: Cache::with_weighter(estimated, CAPACITY_BYTES, Bytes),
            types,
        }
    }

    /// The parsed document of `query` with its plan, from the store when the text was
    /// seen before; or the errors of a text that does not parse or passes a limit (a
    /// document is planned only once within them). A document is stored only when
    /// `may_store`. The request that runs gets a copy of it (see
    /// `EnvgateSchema::prepare`): execution edits its own.
    pub fn parse(
        &self,
        query: &str,
        limits: &Limits,
        may_store: bool,
    ) -> Result<Arc<Prepared>, ServerError> {
        if let Some(prepared) = self.store.get(query) {
            return Ok(prepared);
        }
        limits.check_text(query)?;
        let document = async_graphql::parser::parse_query(query)?;
        limits.check_document(&document)?;
        let prepared = Arc::new(Prepared::compile(document, &self.types));
        if may_store {
            self.store.insert(query.to_owned(), Arc::clone(&prepared));
        }
        Ok(prepared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::{Mutation, Query, Subscription};

    fn documents() -> Documents {
        Documents::new(Types::of::<Query, Mutation, Subscription>())
    }

    const QUERY: &str = "query($s: Boolean!) { environments { id name @skip(if: $s) } }";

    #[test]
    fn a_query_seen_before_is_not_parsed_again_and_its_document_stays_as_parsed() {
        let documents = documents();
        let limits = Limits::default();
        let first = documents.parse(QUERY, &limits, true).unwrap();
        let second = documents.parse(QUERY, &limits, true).unwrap();
        assert!(
            Arc::ptr_eq(&first, &second),
            "the stored document is reused"
        );
        // Execution edits the request's copy (skipped fields go); the stored one keeps
        // them for the next request.
        assert!(format!("{:?}", first.document()).contains("skip"));
    }

    #[test]
    fn only_callers_allowed_to_store_add_and_what_fails_is_never_stored() {
        let documents = documents();
        let limits = Limits::default();
        let first = documents.parse(QUERY, &limits, false).unwrap();
        let second = documents.parse(QUERY, &limits, false).unwrap();
        assert!(!Arc::ptr_eq(&first, &second), "nothing was stored");
        assert_eq!(documents.store.len(), 0);
        let unparsed = documents.parse("{ environments {", &limits, true);
        assert!(unparsed.err().unwrap().message.contains("expected"));
        let aliases: String = (0..101).map(|i| format!("a{i}: __typename ")).collect();
        let over = documents.parse(&format!("{{ {aliases} }}"), &limits, true);
        assert!(over.err().unwrap().message.contains("aliases"));
        assert_eq!(documents.store.len(), 0);
    }
}
