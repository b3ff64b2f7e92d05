use async_graphql::{ID, InputObject, Json};
use serde_json::Value;

use crate::domain::data_sources::{NewDataSourceInput, OptionsCopy, OptionsUpdate};
use crate::domain::ids::{AppId, DataSourceId, EnvironmentId};
use crate::domain::options::OptionInput;
use crate::domain::resolution::ResolveRequest;
use crate::graphql::types::resolution::RunTarget;

/// One option value to save.
#[derive(Clone, InputObject)]
pub struct DataSourceOptionInput {
    /// The field's key, as `DataSourceKind.fields` lists it.
    pub key: String,
    /// a secret given as null is cleared; a secret left out keeps its value
    pub value: Option<Json<Value>>,
}

fn options(inputs: Vec<DataSourceOptionInput>) -> Vec<OptionInput> {
    inputs
        .into_iter()
        .map(|i| OptionInput {
            key: i.key,
            value: i.value.map(|Json(v)| v),
        })
        .collect()
}

/// A new data source and its options for one environment.
#[derive(Clone, InputObject)]
pub struct CreateDataSourceInput {
    /// Unique in the workspace; 1 to 255 characters.
    pub name: String,
    /// One of `dataSourceKinds`.
    pub kind: String,
    /// The environment the options are for; Production when left out. The other
    /// environments get the non-secret values and no secrets.
    pub environment_id: Option<EnvironmentId>,
    /// Values for the kind's fields; required fields must be given.
    pub options: Vec<DataSourceOptionInput>,
}

impl From<CreateDataSourceInput> for NewDataSourceInput {
    fn from(i: CreateDataSourceInput) -> Self {
        Self {
            name: i.name,
            kind: i.kind,
            environment_id: i.environment_id,
            options: options(i.options),
        }
    }
}

/// A patch of one environment's options.
#[derive(Clone, InputObject)]
pub struct UpdateDataSourceOptionsInput {
    /// The data source to change.
    pub data_source_id: DataSourceId,
    /// The environment to change; no other environment is touched.
    pub environment_id: EnvironmentId,
    /// The fields to change: fields left out keep their values, `null` clears.
    pub options: Vec<DataSourceOptionInput>,
    /// The revision the caller last read; a stale one is refused with REVISION_CONFLICT,
    /// whose `extensions.currentRevision` gives the revision now stored.
    pub expected_revision: Option<i32>,
}

impl From<UpdateDataSourceOptionsInput> for OptionsUpdate {
    fn from(i: UpdateDataSourceOptionsInput) -> Self {
        Self {
            data_source_id: i.data_source_id,
            environment_id: i.environment_id,
            options: options(i.options),
            expected_revision: i.expected_revision,
        }
    }
}

/// Copy one environment's options onto another.
#[derive(Clone, InputObject)]
pub struct CopyDataSourceOptionsInput {
    /// The data source whose options are copied.
    pub data_source_id: DataSourceId,
    /// The environment copied from.
    pub from_environment_id: EnvironmentId,
    /// The environment copied onto: its non-secret values are replaced.
    pub to_environment_id: EnvironmentId,
    /// Whether secrets are copied too (replacing the target's); otherwise the target keeps its own.
    #[graphql(default = false)]
    pub include_secrets: bool,
    /// The target environment's revision the caller last read; a stale one is
    /// REVISION_CONFLICT (with `extensions.currentRevision`).
    pub expected_revision: Option<i32>,
}

impl From<CopyDataSourceOptionsInput> for OptionsCopy {
    fn from(i: CopyDataSourceOptionsInput) -> Self {
        Self {
            data_source_id: i.data_source_id,
            from_environment_id: i.from_environment_id,
            to_environment_id: i.to_environment_id,
            include_secrets: i.include_secrets,
            expected_revision: i.expected_revision,
        }
    }
}

/// What the query runner needs resolved.
#[derive(Clone, InputObject)]
pub struct ResolveDataSourceInput {
    /// The data source the app queries.
    pub data_source_id: DataSourceId,
    /// The app that runs.
    pub app_id: AppId,
    /// The released app, or the builder.
    pub target: RunTarget,
    /// whose builder selection to use, with target BUILDER
    pub user_id: Option<ID>,
}

impl From<ResolveDataSourceInput> for ResolveRequest {
    fn from(i: ResolveDataSourceInput) -> Self {
        Self {
            data_source_id: i.data_source_id,
            app_id: i.app_id,
            target: i.target.into(),
            user_id: i.user_id.map(|id| id.0),
        }
    }
}

/// A custom environment to add to the pipeline.
#[derive(Clone, InputObject)]
pub struct CreateEnvironmentInput {
    /// Unique in the workspace regardless of case; 1 to 255 characters.
    pub name: String,
    /// the environment the new one follows in the pipeline; never the default one
    pub after: EnvironmentId,
}
