use async_graphql::{Enum, Json, SimpleObject};
use serde_json::Value;

use crate::domain::resolution::{self, Resolution};
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::environment::Environment;

/// Where an app runs, for `resolveDataSource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RunTarget {
    /// In the builder: the environment the given user last selected for the app.
    Builder,
    /// The released app: always the default environment (Production).
    Released,
}

impl From<RunTarget> for resolution::RunTarget {
    fn from(target: RunTarget) -> Self {
        match target {
            RunTarget::Builder => Self::Builder,
            RunTarget::Released => Self::Released,
        }
    }
}

/// A data source resolved for an app run: the environment it runs against and that
/// environment's options.
#[derive(SimpleObject)]
pub struct ResolvedDataSource {
    /// The data source.
    pub data_source: DataSource,
    /// The environment whose options these are.
    pub environment: Environment,
    /// decrypted options, secrets included: only for the RUNNER role
    ///
    /// A JSON object keyed by option key, values typed (`{"host": "db", "port": 5432,
    /// "password": "..."}`); unset optional fields are left out.
    pub options: Json<Value>,
}

impl From<Resolution> for ResolvedDataSource {
    fn from(r: Resolution) -> Self {
        Self {
            data_source: DataSource(r.data_source),
            environment: Environment(r.environment),
            options: Json(Value::Object(r.options)),
        }
    }
}
