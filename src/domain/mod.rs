//! The domain rules, as plain functions over a database connection. Nothing here knows
//! GraphQL; everything is scoped by the caller's workspace.

pub mod connection_test;
pub mod data_sources;
pub mod environments;
pub mod ids;
pub mod kinds;
pub mod options;
pub mod pagination;
pub mod workspaces;

use uuid::Uuid;

use crate::auth::{Role, Session};
use crate::error::AppResult;

/// Who is asking, and what the edition lets them use, for the length of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub workspace_id: Uuid,
    pub role: Role,
    /// Whether the license unlocks environments other than the default one.
    pub multi_environment: bool,
}

impl Caller {
    pub fn new(session: &Session, multi_environment: bool) -> Self {
        Self {
            user_id: session.user_id.clone(),
            workspace_id: session.workspace_id,
            role: session.role,
            multi_environment,
        }
    }

    /// FORBIDDEN unless the caller is an admin.
    pub fn require_admin(&self, action: &str) -> AppResult<()> {
        self.role.require(&[Role::Admin], action)
    }
}
