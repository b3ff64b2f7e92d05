use async_graphql::{Enum, SimpleObject};

use crate::domain::workspace_config;

/// What a change of a plan does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::workspace_config::ConfigAction")]
pub enum ConfigAction {
    /// Something the document has and the workspace has not.
    Create,
    /// Something both have, made to match the document.
    Update,
    /// Something the document leaves out, deleted or cleared (only with `prune`), or a
    /// value the document sets to null.
    Delete,
    /// Already as the document says.
    Unchanged,
}

/// One line of a plan.
#[derive(SimpleObject)]
pub struct ConfigChange {
    /// What the change does.
    pub action: ConfigAction,
    /// what it touches, in words: e.g. 'data source orders-db, Staging, host'
    pub target: String,
    /// before and after for non-secret values; SET / CLEARED for secrets
    pub detail: Option<String>,
}

/// What `applyWorkspaceConfig` did, or would do with `dryRun`.
#[derive(SimpleObject)]
pub struct ConfigPlan {
    /// Whether the plan was carried out (false for a dry run).
    pub applied: bool,
    /// Every change: environments, then constants, then data sources.
    pub changes: Vec<ConfigChange>,
}

impl From<workspace_config::Plan> for ConfigPlan {
    fn from(plan: workspace_config::Plan) -> Self {
        Self {
            applied: plan.applied,
            changes: plan
                .changes
                .into_iter()
                .map(|c| ConfigChange {
                    action: c.action.into(),
                    target: c.target,
                    detail: c.detail,
                })
                .collect(),
        }
    }
}
