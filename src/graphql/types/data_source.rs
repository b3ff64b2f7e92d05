use std::sync::Arc;

use async_graphql::{Context, ContextSelectionSet, ID, Object};
use chrono::{DateTime, Utc};
use futures_util::FutureExt as _;
use uuid::Uuid;

use crate::db::models;
use crate::domain::ids::EnvironmentId;
use crate::domain::{data_sources, environments};
use crate::graphql::ContextExt as _;
use crate::graphql::direct;
use crate::graphql::inline::{Inline, InlineFields, InlineList, Plain};
use crate::graphql::plan::Planned;
use crate::graphql::types::data_source_options::DataSourceOptions;

/// The data source's options row of one environment as loaded (shared with the
/// request's loader); an environment without stored options reads as an empty row.
fn or_empty(
    row: Option<Arc<models::DataSourceOptions>>,
    data_source: &models::DataSource,
    environment_id: Uuid,
) -> Arc<models::DataSourceOptions> {
    row.unwrap_or_else(|| {
        Arc::new(data_sources::take_options(
            &mut Vec::new(),
            data_source,
            environment_id,
        ))
    })
}

#[derive(Clone)]
pub struct DataSource(pub models::DataSource);

impl DataSource {
    /// The environment `options(environmentId:)` names, if the edition offers it and
    /// the caller may read its options.
    async fn readable_environment(
        ctx: &Context<'_>,
        id: EnvironmentId,
    ) -> async_graphql::Result<Uuid> {
        let caller = ctx.caller()?;
        let all = ctx.all_environments().await?;
        Ok(environments::find_readable(&all, id, caller)?.id)
    }

    /// Its options in an offered environment: `options`, as resolved and as written
    /// straight to JSON.
    async fn options_of(
        &self,
        ctx: &Context<'_>,
        environment_id: Uuid,
    ) -> async_graphql::Result<DataSourceOptions> {
        let kind = data_sources::kind_of(&self.0)?;
        let row = ctx.options_row(self.0.id, environment_id).await?;
        let row = or_empty(row, &self.0, environment_id);
        Ok(DataSourceOptions { kind, row })
    }
}

/// A connection to an external system (a database, an API), with one set of options
/// per environment.
#[Object]
impl DataSource {
    /// Stable id of the data source.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Name, unique in the workspace.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its kind, one of `dataSourceKinds`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// When the data source was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the data source or any of its options last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Its options in one environment (secrets masked). Naming an environment the
    /// edition does not offer is LICENSE_REQUIRED; one whose access rules don't let the
    /// caller read options, FORBIDDEN.
    async fn options(
        &self,
        ctx: &Context<'_>,
        environment_id: EnvironmentId,
    ) -> async_graphql::Result<Inline<DataSourceOptions>> {
        let environment_id = Self::readable_environment(ctx, environment_id).await?;
        self.options_of(ctx, environment_id).await.map(Inline)
    }

    /// Its options in every environment the edition offers and the caller may read, by
    /// priority (secrets masked).
    async fn environments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<InlineList<DataSourceOptions>> {
        let caller = ctx.caller()?;
        let all = ctx.all_environments().await?;
        let kind = data_sources::kind_of(&self.0)?;
        let rows = ctx.options_rows(self.0.id).await?;
        Ok(environments::readable(&all, caller)
            .into_iter()
            .map(|environment| {
                let row = rows
                    .iter()
                    .find(|r| r.environment_id == environment.id)
                    .cloned();
                let row = or_empty(row, &self.0, environment.id);
                DataSourceOptions { kind, row }
            })
            .collect())
    }
}

impl InlineFields for DataSource {
    const PLAIN: &'static [Plain<Self>] = &[
        Plain::new("id", |d, json| json.uuid(&d.0.id)),
        Plain::new("name", |d, json| json.str(&d.0.name)),
        Plain::new("kind", |d, json| json.str(&d.0.kind)),
        Plain::new("createdAt", |d, json| json.time(&d.0.created_at)),
        Plain::new("updatedAt", |d, json| json.time(&d.0.updated_at)),
    ];

    /// `options(environmentId:)`, when the caller may read the environment's options
    /// (the same environment for every data source of a page, found once; one the
    /// caller may not read is never written: the page is resolved, and the field is
    /// FORBIDDEN) and each data source's options are at hand.
    fn nested<'a>(
        ctx: &ContextSelectionSet<'a>,
        planned: &'a Planned<'a>,
    ) -> Option<direct::Writer<'a, Self>> {
        if planned.name.as_str() != "options" {
            return None;
        }
        let field = planned.first(&ctx.query_env.variables)?;
        let ctx_field = ctx.with_field(field);
        let (_, environment_id) = ctx_field.param_value("environmentId", None).ok()?;
        let environment_id = Self::readable_environment(&ctx_field, environment_id)
            .now_or_never()?
            .ok()?;
        let write = direct::writer::<DataSourceOptions>(ctx, &planned.selection)?;
        let ctx = ctx.clone();
        Some(Box::new(move |data_source, json| {
            let ctx = ctx.with_field(field);
            let options = data_source
                .options_of(&ctx, environment_id)
                .now_or_never()?
                .ok()?;
            write(&options, json)
        }))
    }
}
