//! Cursor pagination: opaque cursors over a stable sort key, and one page-size rule.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i64 = 20;
/// The largest page; a larger `first` is capped to it.
pub const MAX_PAGE_SIZE: i64 = 100;

/// How many items a page asked for with `first` holds: the default when `first` is
/// not given, at most [`MAX_PAGE_SIZE`], never negative.
pub fn capacity(first: Option<i32>) -> i64 {
    first.map_or(DEFAULT_PAGE_SIZE, |n| i64::from(n).clamp(0, MAX_PAGE_SIZE))
}

/// The sort key a cursor encodes. Decoding checks the values, so a forged cursor is
/// refused before it reaches the database.
pub trait CursorKey: Serialize + DeserializeOwned {
    /// Whether this key is one the API could have encoded.
    fn is_valid(&self) -> bool;
}

/// A name, then an id: the order of data sources and apps.
impl CursorKey for (String, Uuid) {
    fn is_valid(&self) -> bool {
        // Names are 1 to 255 characters of PostgreSQL text, which can't hold NUL.
        let chars = self.0.chars().count();
        (1..=255).contains(&chars) && !self.0.contains('\0')
    }
}

/// An instant, then an id: the order of the audit log.
impl CursorKey for (chrono::DateTime<chrono::Utc>, Uuid) {
    fn is_valid(&self) -> bool {
        // Both parts were checked when the cursor was decoded.
        true
    }
}

/// A position in a sequence: the order of an app's releases.
impl CursorKey for i64 {
    fn is_valid(&self) -> bool {
        *self > 0
    }
}

/// A validated request for one page, after the position `after` encodes.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    pub first: i64,
    pub after: Option<K>,
}

impl<K: CursorKey> PageRequest<K> {
    /// Checks `first` (not negative; capped) and decodes `after`.
    pub fn new(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        if first.is_some_and(|n| n < 0) {
            return Err(AppError::bad_field(
                "first",
                "`first` must not be negative.",
            ));
        }
        let after = after.map(decode).transpose()?;
        Ok(Self {
            first: capacity(first),
            after,
        })
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
    pub fn from_rows<K: CursorKey>(
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

fn encode<K: CursorKey>(key: &K) -> String {
    BASE64.encode(serde_json::to_vec(key).expect("a cursor key serializes"))
}

fn decode<K: CursorKey>(cursor: &str) -> AppResult<K> {
    BASE64
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<K>(&bytes).ok())
        .filter(K::is_valid)
        .ok_or_else(|| AppError::bad_field("after", "`after` is not a cursor this API returned."))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Key = (String, Uuid);

    #[test]
    fn first_is_capped_and_checked_and_cursors_round_trip() {
        let r = PageRequest::<Key>::new(Some(1000), None).unwrap();
        assert_eq!(r.first, MAX_PAGE_SIZE);
        assert_eq!(PageRequest::<Key>::new(None, None).unwrap().first, 20);
        assert!(PageRequest::<Key>::new(Some(-1), None).is_err());
        assert!(PageRequest::<Key>::new(None, Some("garbage!")).is_err());
        assert_eq!(capacity(Some(-5)), 0);
        let rows = vec![("a".to_owned(), Uuid::nil()), ("b".to_owned(), Uuid::max())];
        let request = PageRequest {
            first: 1,
            after: None,
        };
        let page = Page::from_rows(&request, rows, Clone::clone);
        assert!(page.has_next_page);
        let next = PageRequest::<Key>::new(Some(1), Some(&page.items[0].0)).unwrap();
        assert_eq!(next.after, Some(("a".to_owned(), Uuid::nil())));
    }

    #[test]
    fn decoded_values_are_validated() {
        for forged in [
            serde_json::json!(["a\u{0}", Uuid::nil()]),
            serde_json::json!(["", Uuid::nil()]),
            serde_json::json!(["x".repeat(256), Uuid::nil()]),
            serde_json::json!(["a", "not-a-uuid"]),
            serde_json::json!(["a", Uuid::nil(), 3]),
        ] {
            let cursor = BASE64.encode(forged.to_string());
            let error = PageRequest::<Key>::new(None, Some(&cursor)).unwrap_err();
            assert_eq!(error.code(), "BAD_USER_INPUT", "{forged}");
        }
    }
}
