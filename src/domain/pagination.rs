//! Cursor pagination: opaque cursors over a stable sort key, `first` capped.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// The page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i64 = 20;
/// The largest page; a larger `first` is capped to it.
pub const MAX_PAGE_SIZE: i64 = 100;

/// A validated request for one page, after the position `after` encodes.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    pub first: i64,
    pub after: Option<K>,
}

impl<K: DeserializeOwned> PageRequest<K> {
    /// Checks `first` (not negative; capped) and decodes `after`.
    pub fn new(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n < 0 => {
                return Err(AppError::bad_field(
                    "first",
                    "`first` must not be negative.",
                ));
            }
            Some(n) => i64::from(n).min(MAX_PAGE_SIZE),
        };
        let after = after.map(decode).transpose()?;
        Ok(Self { first, after })
    }
}

/// One page of items, each with its cursor.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<T> Page<T> {
    /// A page from `rows` fetched with `LIMIT first + 1`: the extra row only tells that
    /// another page follows.
    pub fn from_rows<K: Serialize>(
        request: &PageRequest<K>,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> K,
    ) -> Self {
        let has_next_page = rows.len() as i64 > request.first;
        rows.truncate(usize::try_from(request.first).unwrap_or(0));
        Self {
            items: rows
                .into_iter()
                .map(|row| (encode(&key(&row)), row))
                .collect(),
            has_next_page,
            has_previous_page: request.after.is_some(),
        }
    }
}

fn encode<K: Serialize>(key: &K) -> String {
    BASE64.encode(serde_json::to_vec(key).expect("a cursor key serializes"))
}

fn decode<K: DeserializeOwned>(cursor: &str) -> AppResult<K> {
    BASE64
        .decode(cursor)
        .ok()
        // No key this API encodes holds a NUL (PostgreSQL text can't): one that does
        // was forged, and must not reach the database.
        .filter(|bytes| !bytes.windows(6).any(|w| w == b"\\u0000"))
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::bad_field("after", "`after` is not a cursor this API returned."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_is_capped_and_checked_and_cursors_round_trip() {
        let r = PageRequest::<(String, i32)>::new(Some(1000), None).unwrap();
        assert_eq!(r.first, MAX_PAGE_SIZE);
        assert!(PageRequest::<(String, i32)>::new(Some(-1), None).is_err());
        assert!(PageRequest::<(String, i32)>::new(None, Some("garbage!")).is_err());
        let page = Page::from_rows(
            &PageRequest {
                first: 1,
                after: None,
            },
            vec![("a".to_owned(), 1), ("b".to_owned(), 2)],
            |r| r.clone(),
        );
        assert!(page.has_next_page);
        let next = PageRequest::<(String, i32)>::new(Some(1), Some(&page.items[0].0)).unwrap();
        assert_eq!(next.after, Some(("a".to_owned(), 1)));
    }
}
