//! The rules every name follows (data sources, apps, versions): trimmed, 1 to 255
//! characters, no control characters, unique in its scope regardless of case (held by
//! the database's unique indexes on `lower(name)`).

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::error::{AppError, AppResult};

/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// The name as stored: trimmed and checked.
pub fn checked(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::bad_field("name", "The name must not be empty."));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::bad_field(
            "name",
            "The name must not contain control characters.",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::bad_field(
            "name",
            format!("The name must be at most {MAX_NAME_CHARS} characters long."),
        ));
    }
    Ok(name.to_owned())
}

/// BAD_USER_INPUT on `name` when `error` is the unique-name violation; `what` and
/// `scope` word the message ("A data source named … already exists in this workspace").
pub fn taken(error: DieselError, what: &str, name: &str, scope: &str) -> AppError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => AppError::bad_field(
            "name",
            format!("{what} named \"{name}\" already exists in {scope}."),
        ),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(checked("  Orders ").unwrap(), "Orders");
        for bad in ["", "   ", "a\u{0}b", "tab\there", &"x".repeat(256)] {
            assert_eq!(
                checked(bad).unwrap_err().code(),
                "BAD_USER_INPUT",
                "{bad:?}"
            );
        }
        assert!(checked(&"é".repeat(255)).is_ok());
    }
}
