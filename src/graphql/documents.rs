//! Parsed queries, remembered by their text. Clients send the same few queries over
//! and over (Apollo Client, generated clients), and parsing one is a large share of a
//! small request's CPU; a remembered document is cloned instead, which costs a fraction
//! of parsing it. Only callers with a valid token add to the store, and it is bounded in
//! bytes, like the persisted queries.
//!
//! A text is parsed only once it is within the [`Limits`] of its text, and a document
//! is kept only once it is within those of its expansion: a remembered document has
//! passed both.

use std::sync::Arc;

use async_graphql::ServerError;
use async_graphql::parser::types::ExecutableDocument;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use super::limits::Limits;

/// How many bytes of parsed documents are remembered at most (estimated from their text).
const CAPACITY_BYTES: u64 = 8 * 1024 * 1024;
/// A parsed document's size against its text's: names, positions and nodes.
const BYTES_PER_QUERY_BYTE: u64 = 8;
/// What a stored entry costs besides its document.
const ENTRY_OVERHEAD: u64 = 256;

/// The weight of an entry: an estimate of its bytes.
#[derive(Clone)]
struct Bytes;

impl Weighter<String, Arc<ExecutableDocument>> for Bytes {
    fn weight(&self, query: &String, _: &Arc<ExecutableDocument>) -> u64 {
        query.len() as u64 * (1 + BYTES_PER_QUERY_BYTE) + ENTRY_OVERHEAD
    }
}

/// The documents of the queries seen, by query text.
pub struct Documents(Cache<String, Arc<ExecutableDocument>, Bytes>);

impl Default for Documents {
    fn default() -> Self {
        // Documents of a few kilobytes each.
        let estimated = usize::try_from(CAPACITY_BYTES / 4096).unwrap_or(usize::MAX);
        Self(Cache::with_weighter(estimated, CAPACITY_BYTES, Bytes))
    }
}

impl Documents {
    /// The parsed document of `query`, from the store when the text was seen before;
    /// or the errors of a text that does not parse or passes a limit. A document is
    /// stored only when `may_store`. The request that runs gets a copy of it (see
    /// `EnvgateSchema::prepare`): execution edits its own.
    pub fn parse(
        &self,
        query: &str,
        limits: &Limits,
        may_store: bool,
    ) -> Result<Arc<ExecutableDocument>, ServerError> {
        if let Some(document) = self.0.get(query) {
            return Ok(document);
        }
        limits.check_text(query)?;
        let document = Arc::new(async_graphql::parser::parse_query(query)?);
        limits.check_document(&document)?;
        if may_store {
            self.0.insert(query.to_owned(), Arc::clone(&document));
        }
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUERY: &str = "query($s: Boolean!) { environments { id name @skip(if: $s) } }";

    #[test]
    fn a_query_seen_before_is_not_parsed_again_and_its_document_stays_as_parsed() {
        let documents = Documents::default();
        let limits = Limits::default();
        let first = documents.parse(QUERY, &limits, true).unwrap();
        let second = documents.parse(QUERY, &limits, true).unwrap();
        assert!(
            Arc::ptr_eq(&first, &second),
            "the stored document is reused"
        );
        // Execution edits the request's copy (skipped fields go); the stored one keeps
        // them for the next request.
        assert!(format!("{first:?}").contains("skip"));
    }

    #[test]
    fn only_callers_allowed_to_store_add_and_what_fails_is_never_stored() {
        let documents = Documents::default();
        let limits = Limits::default();
        let first = documents.parse(QUERY, &limits, false).unwrap();
        let second = documents.parse(QUERY, &limits, false).unwrap();
        assert!(!Arc::ptr_eq(&first, &second), "nothing was stored");
        assert_eq!(documents.0.len(), 0);
        let unparsed = documents.parse("{ environments {", &limits, true);
        assert!(unparsed.unwrap_err().message.contains("expected"));
        let aliases: String = (0..101).map(|i| format!("a{i}: __typename ")).collect();
        let over = documents.parse(&format!("{{ {aliases} }}"), &limits, true);
        assert!(over.unwrap_err().message.contains("aliases"));
        assert_eq!(documents.0.len(), 0);
    }
}
