//! The root mutation type.

use async_graphql::{Context, ID, Object};

use crate::domain::{connection_test, data_sources};
use crate::graphql::ContextExt as _;
use crate::graphql::types::connection_test::ConnectionTestResult;
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::data_source_options::DataSourceOptions;
use crate::graphql::types::inputs::{
    CopyDataSourceOptionsInput, CreateDataSourceInput, UpdateDataSourceOptionsInput,
};

pub struct Mutation;

/// Every change a caller can make, confined to the workspace of their token.
#[Object]
impl Mutation {
    /// Creates a data source (admins). The options go to the named environment, or
    /// Production; the other environments get the non-secret values and no secrets.
    async fn create_data_source(
        &self,
        ctx: &Context<'_>,
        input: CreateDataSourceInput,
    ) -> async_graphql::Result<DataSource> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        let created = data_sources::create(
            &mut *ctx.conn().await?,
            &caller,
            &app.master_key,
            input.into(),
        )
        .await?;
        Ok(DataSource(created))
    }

    /// Renames a data source (admins).
    async fn rename_data_source(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: String,
    ) -> async_graphql::Result<DataSource> {
        let caller = ctx.caller()?;
        Ok(DataSource(
            data_sources::rename(&mut *ctx.conn().await?, &caller, &id, &name).await?,
        ))
    }

    /// Deletes a data source and its options in every environment (admins); returns its id.
    async fn delete_data_source(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        let caller = ctx.caller()?;
        Ok(ID(data_sources::delete(
            &mut *ctx.conn().await?,
            &caller,
            &id,
        )
        .await?
        .to_string()))
    }

    /// Saves one environment's options as a patch (admins): fields left out keep their
    /// values, `null` clears one. A stale `expectedRevision` is REVISION_CONFLICT.
    async fn update_data_source_options(
        &self,
        ctx: &Context<'_>,
        input: UpdateDataSourceOptionsInput,
    ) -> async_graphql::Result<DataSourceOptions> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        let (kind, row) = data_sources::update_options(
            &mut *ctx.conn().await?,
            &caller,
            &app.master_key,
            input.into(),
        )
        .await?;
        Ok(DataSourceOptions { kind, row })
    }

    /// Copies one environment's options onto another (admins); secrets only with
    /// `includeSecrets`. Returns the target environment's options.
    async fn copy_data_source_options(
        &self,
        ctx: &Context<'_>,
        input: CopyDataSourceOptionsInput,
    ) -> async_graphql::Result<DataSourceOptions> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        let (kind, row) = data_sources::copy_options(
            &mut *ctx.conn().await?,
            &caller,
            &app.master_key,
            input.into(),
        )
        .await?;
        Ok(DataSourceOptions { kind, row })
    }

    /// Tries to connect with one environment's stored options (admins), with a timeout
    /// of a few seconds. An environment missing required options is
    /// ENVIRONMENT_NOT_CONFIGURED.
    async fn test_data_source_connection(
        &self,
        ctx: &Context<'_>,
        data_source_id: ID,
        environment_id: ID,
    ) -> async_graphql::Result<ConnectionTestResult> {
        let caller = ctx.caller()?;
        let app = ctx.app();
        let (kind, options) = data_sources::connection_options(
            &mut *ctx.conn().await?,
            &caller,
            &app.master_key,
            &data_source_id,
            &environment_id,
        )
        .await?;
        Ok(connection_test::run(kind, &options).await.into())
    }
}
