use async_graphql::{Json, SimpleObject};
use serde_json::Value;

use crate::domain::drift;
use crate::graphql::types::constant::WorkspaceConstant;
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::environment::Environment;

/// One option key whose value or set-state differs between the two environments.
#[derive(SimpleObject)]
pub struct OptionDifference {
    /// The option's key.
    pub key: String,
    /// Whether the field is a secret (its values are never shown).
    pub secret: bool,
    /// the value in each environment; null for secrets and unset fields
    pub from: Option<Json<Value>>,
    /// The value in the `to` environment; null for secrets and unset fields.
    pub to: Option<Json<Value>>,
    /// Whether it is set in the `from` environment.
    pub from_set: bool,
    /// Whether it is set in the `to` environment.
    pub to_set: bool,
}

/// What differs in one data source's options between the two environments.
#[derive(SimpleObject)]
pub struct DataSourceDifference {
    /// The data source.
    pub data_source: DataSource,
    /// Whether apps can run against the `from` environment's options.
    pub from_configured: bool,
    /// Whether apps can run against the `to` environment's options.
    pub to_configured: bool,
    /// only the keys that differ
    ///
    /// In the kind's order. Two set secrets are compared for admins only (opened in
    /// memory, never returned): for others, secrets differ only by set-state.
    pub options: Vec<OptionDifference>,
}

/// What differs in one constant between the two environments.
#[derive(SimpleObject)]
pub struct ConstantDifference {
    /// The constant.
    pub constant: WorkspaceConstant,
    /// Whether it has a value in the `from` environment.
    pub from_set: bool,
    /// Whether it has a value in the `to` environment.
    pub to_set: bool,
    /// GLOBAL values; null for SECRET
    pub from: Option<String>,
    /// The GLOBAL value in the `to` environment; null for SECRET.
    pub to: Option<String>,
}

/// What differs between two environments' configuration.
#[derive(SimpleObject)]
pub struct EnvironmentDiff {
    /// The environment compared from.
    pub from: Environment,
    /// The environment compared to.
    pub to: Environment,
    /// Data sources with a difference, by name.
    pub data_sources: Vec<DataSourceDifference>,
    /// Constants with a difference, by name.
    pub constants: Vec<ConstantDifference>,
}

impl From<drift::Diff> for EnvironmentDiff {
    fn from(diff: drift::Diff) -> Self {
        Self {
            from: Environment(diff.from),
            to: Environment(diff.to),
            data_sources: diff
                .data_sources
                .into_iter()
                .map(|d| DataSourceDifference {
                    data_source: DataSource(d.data_source),
                    from_configured: d.from_configured,
                    to_configured: d.to_configured,
                    options: d
                        .options
                        .into_iter()
                        .map(|o| OptionDifference {
                            key: o.key.to_owned(),
                            secret: o.secret,
                            from: o.from.map(Json),
                            to: o.to.map(Json),
                            from_set: o.from_set,
                            to_set: o.to_set,
                        })
                        .collect(),
                })
                .collect(),
            constants: diff
                .constants
                .into_iter()
                .map(|c| ConstantDifference {
                    constant: WorkspaceConstant {
                        constant: c.constant,
                        values: c.values,
                    },
                    from_set: c.from_set,
                    to_set: c.to_set,
                    from: c.from,
                    to: c.to,
                })
                .collect(),
        }
    }
}
