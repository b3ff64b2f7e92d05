//! The one error type at the edge. Domain functions return [`AppError`]; the GraphQL
//! layer (`graphql/error.rs`) turns it into an error whose `extensions.code` is one of
//! DOMAIN.md's codes, and logs an internal failure's detail before answering without it.

/// Everything a request can fail with, one variant per `extensions.code`.
#[derive(Debug)]
pub enum AppError {
    /// No token, or a token that is malformed, expired or wrongly signed.
    Unauthenticated(String),
    /// A valid token whose role may not do this.
    Forbidden(String),
    /// An id that is malformed, unknown or in another workspace.
    NotFound(&'static str),
    /// Invalid input; `field` names the culprit when there is one.
    BadUserInput {
        message: String,
        field: Option<String>,
    },
    /// A document with problems in several of its items, every one of them at once
    /// (BAD_USER_INPUT; `extensions.problems` lists them as `{item, message}`).
    InvalidDocument(Vec<Problem>),
    /// The Community edition refuses this.
    LicenseRequired(String),
    /// Built-in environments can't be renamed or removed.
    EnvironmentLocked(String),
    /// The environment lacks a required option.
    EnvironmentNotConfigured(String),
    /// A save named an outdated revision.
    RevisionConflict { message: String, current: i32 },
    /// An app version is not where the caller believes it is.
    VersionConflict(String),
    /// The target environment needs approvals: request the promotion instead.
    ApprovalRequired(String),
    /// Anything unexpected: logged in full, answered without detail.
    Internal(anyhow::Error),
}

/// What is wrong with one item of a document (see [`AppError::InvalidDocument`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The item, in words: `data source orders-db`, `environment QA`, `document`.
    pub item: String,
    pub message: String,
}

impl Problem {
    pub fn new(item: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            item: item.into(),
            message: message.into(),
        }
    }
}

/// What domain functions return.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The `extensions.code` a client sees.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadUserInput { .. } | Self::InvalidDocument(_) => "BAD_USER_INPUT",
            Self::LicenseRequired(_) => "LICENSE_REQUIRED",
            Self::EnvironmentLocked(_) => "ENVIRONMENT_LOCKED",
            Self::EnvironmentNotConfigured(_) => "ENVIRONMENT_NOT_CONFIGURED",
            Self::RevisionConflict { .. } => "REVISION_CONFLICT",
            Self::VersionConflict(_) => "VERSION_CONFLICT",
            Self::ApprovalRequired(_) => "APPROVAL_REQUIRED",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The message a client sees, an internal failure's detail logged first: its
    /// message ([`INTERNAL_MESSAGE`]) says it was. What answers a request with an
    /// error's message calls this, not [`AppError::message`].
    pub fn answer(&self) -> String {
        if let Self::Internal(source) = self {
            tracing::error!(
                error = format!("{source:#}"),
                "internal error while answering a request"
            );
        }
        self.message()
    }

    /// The message a client sees, nothing logged (see [`AppError::answer`]).
    /// (Deliberately not `Display`: that would let `?` turn an `AppError` into a
    /// GraphQL error without its code.)
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(m)
            | Self::Forbidden(m)
            | Self::LicenseRequired(m)
            | Self::EnvironmentLocked(m)
            | Self::EnvironmentNotConfigured(m)
            | Self::VersionConflict(m)
            | Self::ApprovalRequired(m) => m.clone(),
            Self::NotFound(what) => format!("No {what} with this id exists in your workspace."),
            Self::BadUserInput { message, .. } | Self::RevisionConflict { message, .. } => {
                message.clone()
            }
            Self::InvalidDocument(problems) => {
                let listed: Vec<String> = problems
                    .iter()
                    .map(|p| format!("{}: {}", p.item, p.message))
                    .collect();
                format!(
                    "The configuration has {} problem(s); nothing was changed. {}",
                    problems.len(),
                    listed.join(" ")
                )
            }
            Self::Internal(_) => INTERNAL_MESSAGE.to_owned(),
        }
    }

    /// Invalid input about one field.
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// Invalid input that is not about one field (a state the request can't apply to).
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: None,
        }
    }

    /// An unexpected failure, with the detail that goes to the log only.
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        Self::internal(error)
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::internal(error)
    }
}

/// The message every internal failure is answered with.
pub const INTERNAL_MESSAGE: &str =
    "Internal server error: the failure was logged; please retry or report it.";

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// What `answer` logs for `error`, and what it answers.
    fn answered(error: &AppError) -> (String, String) {
        let logged = Arc::new(Mutex::new(Vec::new()));
        let writer = logged.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Writer(writer.clone()))
            .finish();
        let answer = tracing::subscriber::with_default(subscriber, || error.answer());
        let logged = String::from_utf8(logged.lock().unwrap().clone()).unwrap();
        (answer, logged)
    }

    struct Writer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_internal_failure_is_logged_before_it_is_answered_without_its_detail() {
        let error = AppError::internal(anyhow::anyhow!("relation envgate_x does not exist"));
        let (answer, logged) = answered(&error);
        assert_eq!(answer, INTERNAL_MESSAGE);
        assert!(!answer.contains("envgate_x"));
        assert!(logged.contains("ERROR"), "{logged}");
        assert!(
            logged.contains("relation envgate_x does not exist"),
            "{logged}"
        );
    }

    #[test]
    fn a_callers_error_is_answered_and_not_logged() {
        let (answer, logged) = answered(&AppError::bad_field("port", "port must be an integer"));
        assert_eq!(answer, "port must be an integer");
        assert_eq!(logged, "");
    }
}
