//! [`AppError`] as a GraphQL error: its message, and `extensions.code` (one of
//! DOMAIN.md's codes) with what the code carries (`field`, `currentRevision`,
//! `problems`). An internal failure's detail is logged (by [`AppError::answer`]) and
//! answered without it.

use async_graphql::ErrorExtensions as _;

use crate::error::{AppError, Problem};

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        let code = error.code();
        async_graphql::Error::new(error.answer()).extend_with(|_, ext| {
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
    use crate::error::INTERNAL_MESSAGE;

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
