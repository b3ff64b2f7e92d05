//! Who may do what: every action of DOMAIN.md's role matrix, and the one table that
//! answers it. Every resolver path asks [`Caller::require`](super::Caller::require).
//! What differs by environment (reading, editing and testing options, selecting,
//! promoting into, resolving) is then asked of that environment's access rules:
//! [`Caller::require_in`](super::Caller::require_in), in `access.rs`.

use crate::auth::Role;
use crate::error::{AppError, AppResult};

/// Something a caller may or may not do; one variant per row of the role matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `viewer`, `edition`, `environments`, `environment`.
    ReadWorkspace,
    /// Read data sources and kinds, secrets masked.
    ReadDataSources,
    /// Create, rename and delete data sources. (Saving, copying and testing one
    /// environment's options are granted per environment: see `access.rs`.)
    ManageDataSources,
    /// Read apps and versions.
    ReadApps,
    /// Create apps and versions, promote, release, select an environment.
    BuildApps,
    /// `resolveDataSource`: read decrypted options.
    ResolveDataSources,
    /// Promote into a protected environment, release while Production is protected.
    ReleaseProtected,
    /// Create, rename, move, delete and protect environments.
    ManageEnvironments,
    /// `auditEvents`.
    ReadAudit,
    /// Read constants, secrets masked.
    ReadConstants,
    /// Create, set and delete constants.
    ManageConstants,
    /// `promotionPreview`, `promotionRequests`, release history and scheduled releases.
    ReadPromotions,
    /// Request a promotion, cancel one's own request.
    RequestPromotions,
    /// Review a promotion request (never one's own).
    ReviewPromotions,
    /// Promote despite data sources not configured in the target (`force`).
    ForcePromotions,
    /// `environmentDiff` (with READ_OPTIONS on both environments).
    CompareEnvironments,
    /// `workspaceConfig` and `applyWorkspaceConfig`: the whole configuration at once.
    ManageConfiguration,
}

impl Action {
    /// Every action, in the matrix's order.
    pub const ALL: [Action; 17] = [
        Self::ReadWorkspace,
        Self::ReadDataSources,
        Self::ManageDataSources,
        Self::ReadApps,
        Self::BuildApps,
        Self::ResolveDataSources,
        Self::ReleaseProtected,
        Self::ManageEnvironments,
        Self::ReadAudit,
        Self::ReadConstants,
        Self::ManageConstants,
        Self::ReadPromotions,
        Self::RequestPromotions,
        Self::ReviewPromotions,
        Self::ForcePromotions,
        Self::CompareEnvironments,
        Self::ManageConfiguration,
    ];

    /// What the action is, as a FORBIDDEN message words it ("may not …").
    pub fn describe(self) -> &'static str {
        match self {
            Self::ReadWorkspace => "read the workspace",
            Self::ReadDataSources => "read data sources",
            Self::ManageDataSources => "create, rename or delete data sources",
            Self::ReadApps => "read apps",
            Self::BuildApps => "create apps and versions, promote, release or select environments",
            Self::ResolveDataSources => "read decrypted data-source options",
            Self::ReleaseProtected => "promote into or release from a protected environment",
            Self::ManageEnvironments => "create, rename, move, delete or protect environments",
            Self::ReadAudit => "read the audit log",
            Self::ReadConstants => "read workspace constants",
            Self::ManageConstants => "create, change or delete workspace constants",
            Self::ReadPromotions => "read promotion previews and requests or release history",
            Self::RequestPromotions => "request promotions or cancel them",
            Self::ReviewPromotions => "review promotion requests",
            Self::ForcePromotions => {
                "force a promotion past data sources not configured in the target"
            }
            Self::CompareEnvironments => "compare environments",
            Self::ManageConfiguration => "export or apply the workspace's configuration",
        }
    }
}

/// The role matrix: whether `role` may do `action`.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match action {
        ReadWorkspace | ReadDataSources | ReadApps | ReadConstants => true,
        BuildApps | RequestPromotions => matches!(role, Role::Admin | Role::Builder),
        ReadPromotions | CompareEnvironments => role != Role::Runner,
        ResolveDataSources => role == Role::Runner,
        ManageDataSources | ReleaseProtected | ManageEnvironments | ReadAudit | ManageConstants
        | ReviewPromotions | ForcePromotions | ManageConfiguration => role == Role::Admin,
    }
}

/// FORBIDDEN, naming the roles that may, unless `role` may do `action`.
pub fn require(role: Role, action: Action) -> AppResult<()> {
    if allows(role, action) {
        return Ok(());
    }
    let allowed: Vec<_> = Role::ALL
        .into_iter()
        .filter(|r| allows(*r, action))
        .map(Role::as_str)
        .collect();
    Err(AppError::Forbidden(format!(
        "Your role ({}) may not {}; this needs the role {}.",
        role.as_str(),
        action.describe(),
        allowed.join(" or ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DOMAIN.md's matrix, row by row: admin, builder, viewer, runner.
    const MATRIX: [(Action, [bool; 4]); 17] = [
        (Action::ReadWorkspace, [true, true, true, true]),
        (Action::ReadDataSources, [true, true, true, true]),
        (Action::ManageDataSources, [true, false, false, false]),
        (Action::ReadApps, [true, true, true, true]),
        (Action::BuildApps, [true, true, false, false]),
        (Action::ResolveDataSources, [false, false, false, true]),
        (Action::ReleaseProtected, [true, false, false, false]),
        (Action::ManageEnvironments, [true, false, false, false]),
        (Action::ReadAudit, [true, false, false, false]),
        (Action::ReadConstants, [true, true, true, true]),
        (Action::ManageConstants, [true, false, false, false]),
        (Action::ReadPromotions, [true, true, true, false]),
        (Action::RequestPromotions, [true, true, false, false]),
        (Action::ReviewPromotions, [true, false, false, false]),
        (Action::ForcePromotions, [true, false, false, false]),
        (Action::CompareEnvironments, [true, true, true, false]),
        (Action::ManageConfiguration, [true, false, false, false]),
    ];

    #[test]
    fn the_table_is_domain_mds_matrix_row_by_row() {
        assert_eq!(
            MATRIX.map(|(a, _)| a),
            Action::ALL,
            "every action has a row"
        );
        for (action, row) in MATRIX {
            for (role, allowed) in Role::ALL.into_iter().zip(row) {
                assert_eq!(
                    allows(role, action),
                    allowed,
                    "{action:?} for {}",
                    role.as_str()
                );
                assert_eq!(require(role, action).is_ok(), allowed);
            }
        }
    }

    #[test]
    fn forbidden_names_the_roles_that_may() {
        let err = require(Role::Builder, Action::ManageDataSources).unwrap_err();
        assert_eq!(err.code(), "FORBIDDEN");
        assert_eq!(
            err.message(),
            "Your role (builder) may not create, rename or delete data sources; this needs the role admin."
        );
        let err = require(Role::Viewer, Action::BuildApps).unwrap_err();
        assert!(
            err.message()
                .ends_with("this needs the role admin or builder.")
        );
    }
}
