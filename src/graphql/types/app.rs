use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

use crate::db::models;
use crate::domain::pagination::PageRequest;
use crate::domain::versions::VersionStatus;
use crate::domain::{environments, releases, selections};
use crate::error::AppError;
use crate::graphql::ContextExt as _;
use crate::graphql::inline::{Inline, InlineFields, InlineList, Plain};
use crate::graphql::types::app_version::AppVersion;
use crate::graphql::types::connection::{Connection, page_complexity};
use crate::graphql::types::environment::Environment;
use crate::graphql::types::release::{Release, ScheduledRelease};

#[derive(Clone)]
pub struct App(pub models::App);

/// An app of the builder: its versions climb the environment pipeline, and the
/// released one runs on the default environment.
#[Object]
impl App {
    /// Stable id of the app.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Name, unique in the workspace regardless of case.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// When the app was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the app was created or last released.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Every version of the app, oldest first.
    #[graphql(complexity = "crate::graphql::limits::UNPAGED_LIST_ITEMS * child_complexity")]
    async fn versions(&self, ctx: &Context<'_>) -> async_graphql::Result<InlineList<AppVersion>> {
        Ok(ctx
            .versions_of(self.0.id)
            .await?
            .into_iter()
            .map(AppVersion)
            .collect())
    }

    /// The version end users run, if one is released.
    async fn released_version(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Inline<AppVersion>>> {
        Ok(ctx
            .versions_of(self.0.id)
            .await?
            .into_iter()
            .find(|v| VersionStatus::of(v) == VersionStatus::Released)
            .map(|version| Inline(AppVersion(version))))
    }

    /// the environment the calling user last selected for this app in the builder
    ///
    /// Development (the lowest environment) for a user who never chose; Production in
    /// the Community edition, whatever was chosen before.
    async fn builder_environment(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Inline<Environment>> {
        let caller = ctx.caller()?;
        let all = ctx.all_environments().await?;
        let selected = ctx.selection_of(self.0.id).await?;
        let environment = selections::builder_environment(&all, selected, caller)?;
        Ok(Inline(Environment(environment.clone())))
    }

    /// the environment the released app runs against
    ///
    /// Always the default environment (Production), whatever anyone selected.
    async fn released_environment(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Inline<Environment>> {
        let all = ctx.all_environments().await?;
        let default = environments::default_of(&all).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("workspace has no default environment"))
        })?;
        Ok(Inline(Environment(default.clone())))
    }

    /// every release of this app, newest first
    ///
    /// A page at a time (`first` at most 100, 20 by default); runners may not read it.
    /// Releases made before envgate kept this history were read back from the audit
    /// log when it started keeping it.
    #[graphql(complexity = "page_complexity(first, child_complexity)")]
    async fn releases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Release>> {
        releases::require_reader(ctx.caller()?)?;
        let page = PageRequest::new(first, after.as_deref())?;
        let page = ctx.releases_of(self.0.id, &page).await?;
        Ok(Connection::from_page(page, Release))
    }

    /// releases waiting to happen, soonest first
    ///
    /// By their time: those that wait, and those that ran, failed or were cancelled in
    /// the last 7 days (the latest 20 to end; with their status, and why one failed).
    /// Runners may not read it.
    #[graphql(complexity = "crate::graphql::limits::UNPAGED_LIST_ITEMS * child_complexity")]
    async fn scheduled_releases(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<InlineList<ScheduledRelease>> {
        releases::require_reader(ctx.caller()?)?;
        Ok(ctx
            .scheduled_releases_of(self.0.id)
            .await?
            .into_iter()
            .map(ScheduledRelease)
            .collect())
    }
}

impl InlineFields for App {
    const PLAIN: &'static [Plain<Self>] = &[
        Plain::new("id", |app, json| json.uuid(&app.0.id)),
        Plain::new("name", |app, json| json.str(&app.0.name)),
        Plain::new("createdAt", |app, json| json.time(&app.0.created_at)),
        Plain::new("updatedAt", |app, json| json.time(&app.0.updated_at)),
    ];
}
