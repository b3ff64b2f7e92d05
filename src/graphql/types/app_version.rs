use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};

use crate::db::models;
use crate::domain::versions::VersionStatus as Status;
use crate::graphql::ContextExt as _;
use crate::graphql::inline::{Inline, InlineFields, InlineList};
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::environment::Environment;

/// Whether a version is the one its app runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum VersionStatus {
    /// Being built or tested; not what end users run.
    Draft,
    /// The version end users run; at most one per app.
    Released,
}

impl From<Status> for VersionStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Draft => Self::Draft,
            Status::Released => Self::Released,
        }
    }
}

#[derive(Clone)]
pub struct AppVersion(pub models::AppVersion);

/// A version of an app, sitting in one environment of the pipeline.
#[Object]
impl AppVersion {
    /// Stable id of the version.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The app this version belongs to.
    async fn app_id(&self) -> ID {
        ID(self.0.app_id.to_string())
    }

    /// Name, unique in its app regardless of case.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The environment the version is in: where it started, or where promotion took it.
    async fn environment(&self, ctx: &Context<'_>) -> async_graphql::Result<Inline<Environment>> {
        ctx.environment_by_id(self.0.environment_id)
            .await
            .map(Inline)
    }

    /// the data sources this version's queries use; promotion checks each is configured in the target
    ///
    /// By name. A new version starts with its app's most recent version's; set them with
    /// setAppVersionDataSources.
    #[graphql(complexity = "crate::graphql::limits::UNPAGED_LIST_ITEMS * child_complexity")]
    async fn data_sources(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<InlineList<DataSource>> {
        Ok(ctx
            .data_sources_of_version(self.0.id)
            .await?
            .into_iter()
            .map(DataSource)
            .collect())
    }

    /// DRAFT, or RELEASED for the one version end users run.
    async fn status(&self) -> VersionStatus {
        Status::of(&self.0).into()
    }

    /// When the version was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the version was last promoted, released or returned to draft.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl InlineFields for AppVersion {
    const READY: &'static [&'static str] =
        &["id", "appId", "name", "status", "createdAt", "updatedAt"];
}
