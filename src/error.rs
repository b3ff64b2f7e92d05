//! The one error type at the edge. Domain functions return [`AppError`]; the GraphQL
//! layer turns it into an error whose `extensions.code` is one of DOMAIN.md's codes.
//! Internal failures are logged here with their detail and answered without it.

use async_graphql::ErrorExtensions as _;

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

    /// The message a client sees. (Deliberately not `Display`: that would let `?`
    /// turn an `AppError` into a GraphQL error without its code.)
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

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        let code = error.code();
        if let AppError::Internal(source) = &error {
            tracing::error!(
                error = format!("{source:#}"),
                "internal error while answering a request"
            );
        }
        async_graphql::Error::new(error.message()).extend_with(|_, ext| {
            ext.set("code", code);
            match &error {
                AppError::BadUserInput {
                    field: Some(field), ..
                } => ext.set("field", field.as_str()),
                AppError::RevisionConflict { current, .. } => ext.set("currentRevision", *current),
                AppError::InvalidDocument(problems) => {
                    let listed: Vec<async_graphql::Value> = problems
                        .iter()
                        .map(|Problem { item, message }| {
                            let mut entry = async_graphql::indexmap::IndexMap::new();
                            entry.insert(
                                async_graphql::Name::new("item"),
                                async_graphql::Value::from(item.as_str()),
                            );
                            entry.insert(
                                async_graphql::Name::new("message"),
                                async_graphql::Value::from(message.as_str()),
                            );
                            async_graphql::Value::Object(entry)
                        })
                        .collect();
                    ext.set("problems", listed);
                }
                _ => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extensions(error: AppError) -> (String, serde_json::Value) {
        let gql: async_graphql::Error = error.into();
        let ext = serde_json::to_value(gql.extensions.expect("extensions")).expect("json");
        (gql.message, ext)
    }

    #[test]
    fn every_variant_maps_to_its_domain_code() {
        let cases = [
            (AppError::Unauthenticated("x".into()), "UNAUTHENTICATED"),
            (AppError::Forbidden("x".into()), "FORBIDDEN"),
            (AppError::NotFound("data source"), "NOT_FOUND"),
            (AppError::bad_field("name", "x"), "BAD_USER_INPUT"),
            (
                AppError::InvalidDocument(vec![Problem::new("data source a", "x")]),
                "BAD_USER_INPUT",
            ),
            (AppError::LicenseRequired("x".into()), "LICENSE_REQUIRED"),
            (
                AppError::EnvironmentLocked("x".into()),
                "ENVIRONMENT_LOCKED",
            ),
            (
                AppError::EnvironmentNotConfigured("x".into()),
                "ENVIRONMENT_NOT_CONFIGURED",
            ),
            (
                AppError::RevisionConflict {
                    message: "x".into(),
                    current: 2,
                },
                "REVISION_CONFLICT",
            ),
            (AppError::VersionConflict("x".into()), "VERSION_CONFLICT"),
            (AppError::ApprovalRequired("x".into()), "APPROVAL_REQUIRED"),
            (
                AppError::internal(anyhow::anyhow!("x")),
                "INTERNAL_SERVER_ERROR",
            ),
        ];
        for (error, code) in cases {
            let (_, ext) = extensions(error);
            assert_eq!(ext["code"], code);
        }
    }

    #[test]
    fn bad_input_names_the_field_and_conflicts_give_the_current_revision() {
        let (message, ext) = extensions(AppError::bad_field("port", "port must be an integer"));
        assert_eq!(message, "port must be an integer");
        assert_eq!(ext["field"], "port");
        let (_, ext) = extensions(AppError::RevisionConflict {
            message: "stale".into(),
            current: 7,
        });
        assert_eq!(ext["currentRevision"], 7);
    }

    #[test]
    fn internal_detail_is_never_answered() {
        let (message, _) = extensions(AppError::internal(anyhow::anyhow!(
            "password=hunter2 at db:5432"
        )));
        assert_eq!(message, INTERNAL_MESSAGE);
        assert!(!message.contains("hunter2"));
    }
}
