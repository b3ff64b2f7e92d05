use async_graphql::{Enum, ID, SimpleObject};

use crate::auth::Session;

/// What a caller may do, from their token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::auth::Role")]
pub enum Role {
    /// Everything, including data-source credentials.
    Admin,
    /// Builds apps, switches environments and promotes; reads settings without secrets.
    Builder,
    /// An end user: runs released apps and reads environments.
    Viewer,
    /// The query runner's service account: the only role that reads decrypted credentials.
    Runner,
}

/// The caller, as their token describes them.
#[derive(Debug, Clone, SimpleObject)]
pub struct Viewer {
    /// The token's subject.
    pub user_id: ID,
    /// The workspace every query and mutation of this caller is confined to.
    pub workspace_id: ID,
    /// The caller's role.
    pub role: Role,
    /// the token's groups (its groups claim, or the claim configured for it)
    ///
    /// Environments' access rules may grant permissions to a group.
    pub groups: Vec<String>,
}

impl From<&Session> for Viewer {
    fn from(session: &Session) -> Self {
        Self {
            user_id: ID(session.user_id.clone()),
            workspace_id: ID(session.workspace_id.to_string()),
            role: session.role.into(),
            groups: session.groups.clone(),
        }
    }
}
