use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::models;
use crate::domain::{data_sources, environments};
use crate::graphql::ContextExt as _;
use crate::graphql::inline::{Inline, InlineFields, InlineList};
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
    /// edition does not offer is LICENSE_REQUIRED.
    async fn options(
        &self,
        ctx: &Context<'_>,
        environment_id: ID,
    ) -> async_graphql::Result<Inline<DataSourceOptions>> {
        let caller = ctx.caller()?;
        let all = ctx.all_environments().await?;
        let environment = environments::find_offered(&all, &environment_id, caller)?;
        let kind = data_sources::kind_of(&self.0)?;
        let row = ctx.options_row(self.0.id, environment.id).await?;
        let row = or_empty(row, &self.0, environment.id);
        Ok(Inline(DataSourceOptions { kind, row }))
    }

    /// Its options in every environment the edition offers, by priority (secrets masked).
    async fn environments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<InlineList<DataSourceOptions>> {
        let caller = ctx.caller()?;
        let all = ctx.all_environments().await?;
        let kind = data_sources::kind_of(&self.0)?;
        let rows = ctx.options_rows(self.0.id).await?;
        Ok(environments::offered(&all, caller)
            .iter()
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
    const INLINE: &'static [&'static str] = &["id", "name", "kind", "createdAt", "updatedAt"];
}
