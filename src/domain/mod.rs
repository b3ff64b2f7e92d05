//! The domain rules, as plain functions over a database connection. Nothing here knows
//! GraphQL; everything is scoped by the caller's workspace.

pub mod access;
pub mod apps;
pub mod audit;
pub mod changes;
pub mod connection_string;
pub mod connection_test;
pub mod constants;
pub mod data_sources;
pub mod drift;
pub mod environments;
pub mod ids;
pub mod keys;
pub mod kinds;
pub mod names;
pub mod options;
pub mod pagination;
pub mod permissions;
pub mod pipeline;
pub mod promotion;
pub mod promotion_requests;
pub mod references;
pub mod releases;
pub mod resolution;
pub mod scheduled_releases;
pub mod selections;
pub mod subscriptions;
pub mod version_data_sources;
pub mod versions;
pub mod workspace_config;
pub mod workspaces;

use uuid::Uuid;

use crate::auth::{Role, Session};
use crate::error::AppResult;
use access::Permission;
use permissions::Action;

use crate::db::models::Environment;

/// Who is asking, and what the edition lets them use, for the length of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub workspace_id: Uuid,
    pub role: Role,
    /// The token's groups, which access rules may name.
    pub groups: Vec<String>,
    /// Whether the license unlocks environments other than the default one.
    pub multi_environment: bool,
    /// The request's `x-request-id`, for the audit log.
    pub request_id: Option<String>,
}

impl Caller {
    pub fn new(session: &Session, multi_environment: bool, request_id: Option<String>) -> Self {
        Self {
            user_id: session.user_id.clone(),
            workspace_id: session.workspace_id,
            role: session.role,
            groups: session.groups.clone(),
            multi_environment,
            request_id,
        }
    }

    /// FORBIDDEN unless the role matrix lets the caller do `action`.
    pub fn require(&self, action: Action) -> AppResult<()> {
        permissions::require(self.role, action)
    }

    /// Whether the caller holds `permission` in `environment` (its access rules).
    pub fn may(&self, permission: Permission, environment: &Environment) -> bool {
        access::may(self, permission, environment)
    }

    /// FORBIDDEN, naming the environment, unless the caller holds `permission` there.
    pub fn require_in(&self, permission: Permission, environment: &Environment) -> AppResult<()> {
        access::require(self, permission, environment)
    }
}
