use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};

use crate::db::models;
use crate::domain::environments::{self, EnvironmentKind as Kind};
use crate::graphql::ContextExt as _;
use crate::graphql::inline::InlineFields;

/// What an environment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum EnvironmentKind {
    /// Where new app versions start.
    Development,
    /// Where versions are checked before release.
    Staging,
    /// Where released apps run: the default environment.
    Production,
    /// An environment a workspace added to the pipeline.
    Custom,
}

impl From<Kind> for EnvironmentKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Development => Self::Development,
            Kind::Staging => Self::Staging,
            Kind::Production => Self::Production,
            Kind::Custom => Self::Custom,
        }
    }
}

pub struct Environment(pub models::Environment);

/// A stage of the workspace's pipeline, with its own data-source settings.
#[Object]
impl Environment {
    /// Stable id of the environment.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Display name, unique in the workspace.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the environment is for.
    async fn kind(&self) -> EnvironmentKind {
        Kind::of(&self.0).into()
    }

    /// Position in the pipeline: versions are promoted from lower to higher priority.
    async fn priority(&self) -> i32 {
        self.0.priority
    }

    /// Whether released apps run on this environment (Production).
    async fn is_default(&self) -> bool {
        self.0.is_default
    }

    /// Whether the environment is built in and so can't be renamed, moved or deleted.
    async fn locked(&self) -> bool {
        self.0.locked
    }

    /// promotion into it, and release from it, need an admin
    ///
    /// True for Production in a new workspace. An Enterprise rule: in Community
    /// nothing is protected.
    async fn protected(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(environments::is_protected(&self.0, ctx.caller()?))
    }

    /// When the environment was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the environment was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl InlineFields for Environment {
    const INLINE: &'static [&'static str] = &[
        "id",
        "name",
        "kind",
        "priority",
        "isDefault",
        "locked",
        "protected",
        "createdAt",
        "updatedAt",
    ];
}
