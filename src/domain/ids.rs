//! Ids as clients send them. A malformed id is NOT_FOUND, exactly like an unknown one.

use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The UUID an id names, or NOT_FOUND for `what`.
pub fn parse(id: &str, what: &'static str) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound(what))
}
