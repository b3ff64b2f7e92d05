use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::db::models;
use crate::domain::constants::{self, ValueInput};
use crate::domain::environments;
use crate::domain::ids::EnvironmentId;
use crate::graphql::ContextExt as _;
use crate::graphql::types::environment::Environment;

/// GLOBAL or SECRET.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::constants::ConstantType")]
pub enum ConstantType {
    /// a plain value, readable by every role
    Global,
    /// encrypted at rest, never returned; only the runner gets it, substituted
    Secret,
}

/// A constant's value in one environment.
#[derive(SimpleObject)]
pub struct ConstantValue {
    /// The environment this value is for.
    pub environment: Environment,
    /// null for secrets
    pub value: Option<String>,
    /// Whether the constant has a value in this environment.
    pub is_set: bool,
}

/// A workspace constant and its stored values.
pub struct WorkspaceConstant {
    pub constant: models::Constant,
    pub values: Vec<models::ConstantValue>,
}

impl WorkspaceConstant {
    /// These constants with their values, loaded in one query.
    pub async fn load(
        conn: &mut crate::db::PgConn,
        list: Vec<models::Constant>,
    ) -> async_graphql::Result<Vec<Self>> {
        let loaded = constants::with_values(conn, list)
            .await
            .map_err(crate::error::AppError::from)?;
        Ok(loaded
            .into_iter()
            .map(|(constant, values)| Self { constant, values })
            .collect())
    }
}

/// A named value with one value per environment, referenced from data-source options.
#[Object]
impl WorkspaceConstant {
    /// Stable id of the constant.
    async fn id(&self) -> ID {
        ID(self.constant.id.to_string())
    }

    /// referenced in option values as {{constants.NAME}} (GLOBAL) or {{secrets.NAME}} (SECRET)
    async fn name(&self) -> &str {
        &self.constant.name
    }

    /// GLOBAL (plain, readable by every role) or SECRET (never returned).
    #[graphql(name = "type")]
    async fn kind(&self) -> ConstantType {
        constants::ConstantType::of(&self.constant).into()
    }

    /// one entry per environment the edition offers, by priority
    ///
    /// Environments whose access rules don't let the caller read options are left out.
    async fn values(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ConstantValue>> {
        let caller = ctx.caller()?;
        let all = ctx.all_environments().await?;
        let secret = constants::ConstantType::of(&self.constant) == constants::ConstantType::Secret;
        Ok(environments::readable(&all, caller)
            .into_iter()
            .map(|environment| {
                let stored = self
                    .values
                    .iter()
                    .find(|v| v.environment_id == environment.id);
                ConstantValue {
                    value: stored.filter(|_| !secret).map(|v| v.value.clone()),
                    is_set: stored.is_some(),
                    environment: Environment(environment.clone()),
                }
            })
            .collect())
    }

    /// When the constant was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.constant.created_at
    }

    /// When the constant or one of its values last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.constant.updated_at
    }
}

/// One environment's value of a constant, to set or clear.
#[derive(Clone, InputObject)]
pub struct ConstantValueInput {
    /// The environment; one the edition offers.
    pub environment_id: EnvironmentId,
    /// null clears the value in that environment
    pub value: Option<String>,
}

impl From<ConstantValueInput> for ValueInput {
    fn from(i: ConstantValueInput) -> Self {
        Self {
            environment_id: i.environment_id,
            value: i.value,
        }
    }
}
