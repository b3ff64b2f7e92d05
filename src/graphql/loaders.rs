//! DataLoaders for the belongs-to edges, one set per request and bound to the
//! request's workspace: a loader never answers for another workspace, whatever key
//! it is given.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use crate::app::AppState;
use crate::db::models::{DataSourceOptions, Environment};
use crate::domain::{data_sources, environments};
use crate::error::AppError;

/// The key of the workspace's environment list: there is only one per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AllEnvironments;

/// Every environment of the workspace, by priority, in one query per request.
pub struct EnvironmentsLoader {
    app: AppState,
    workspace_id: Uuid,
}

impl EnvironmentsLoader {
    pub fn new(app: AppState, workspace_id: Uuid) -> Self {
        Self { app, workspace_id }
    }
}

impl Loader<AllEnvironments> for EnvironmentsLoader {
    type Value = Vec<Environment>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        _: &[AllEnvironments],
    ) -> Result<HashMap<AllEnvironments, Self::Value>, Self::Error> {
        let mut conn = self.app.conn().await?;
        let all = environments::all(&mut conn, self.workspace_id)
            .await
            .map_err(AppError::from)?;
        Ok(HashMap::from([(AllEnvironments, all)]))
    }
}

/// The options rows (every environment) of data sources, by data-source id.
pub struct OptionsLoader {
    app: AppState,
    workspace_id: Uuid,
}

impl OptionsLoader {
    pub fn new(app: AppState, workspace_id: Uuid) -> Self {
        Self { app, workspace_id }
    }
}

impl Loader<Uuid> for OptionsLoader {
    type Value = Vec<DataSourceOptions>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.app.conn().await?;
        let rows = data_sources::options_of(&mut conn, self.workspace_id, keys)
            .await
            .map_err(AppError::from)?;
        let mut by_data_source: HashMap<Uuid, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            by_data_source
                .entry(row.data_source_id)
                .or_default()
                .push(row);
        }
        Ok(by_data_source)
    }
}
