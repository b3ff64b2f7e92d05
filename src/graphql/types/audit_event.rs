use async_graphql::{Enum, ID, InputObject, Json, SimpleObject};

use crate::graphql::inline::InlineFields;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::db::models;
use crate::domain::audit;
use crate::error::AppError;
use crate::graphql::types::viewer::Role;

/// What an audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::audit::AuditAction")]
pub enum AuditAction {
    /// `createDataSource`.
    DataSourceCreated,
    /// `renameDataSource`.
    DataSourceRenamed,
    /// `deleteDataSource`.
    DataSourceDeleted,
    /// `updateDataSourceOptions`.
    OptionsUpdated,
    /// `copyDataSourceOptions`.
    OptionsCopied,
    /// `testDataSourceConnection`.
    ConnectionTested,
    /// `resolveDataSource`, answered or refused.
    DataSourceResolved,
    /// `createEnvironment`.
    EnvironmentCreated,
    /// `renameEnvironment`.
    EnvironmentRenamed,
    /// `moveEnvironment`.
    EnvironmentMoved,
    /// `deleteEnvironment`.
    EnvironmentDeleted,
    /// `setEnvironmentProtected`.
    EnvironmentProtectionChanged,
    /// `createApp`.
    AppCreated,
    /// `createAppVersion`.
    VersionCreated,
    /// `promoteAppVersion`.
    VersionPromoted,
    /// `releaseAppVersion`, or a scheduled release that ran (its details name it).
    VersionReleased,
    /// A workspace constant was created.
    ConstantCreated,
    /// A workspace constant's values changed.
    ConstantUpdated,
    /// A workspace constant was deleted.
    ConstantDeleted,
    /// `setEnvironmentAccess`: an environment's access rules were replaced.
    EnvironmentAccessChanged,
    /// `setEnvironmentApprovals`.
    EnvironmentApprovalsChanged,
    /// `setAppVersionDataSources`: what a version uses was declared.
    VersionDataSourcesSet,
    /// `requestPromotion`.
    PromotionRequested,
    /// `reviewPromotionRequest`: an approval or a rejection.
    PromotionReviewed,
    /// `cancelPromotionRequest`.
    PromotionCancelled,
    /// `rollbackRelease`: the version released before the current one was released again.
    ReleaseRolledBack,
    /// `scheduleRelease`.
    ReleaseScheduled,
    /// `cancelScheduledRelease`.
    ReleaseScheduleCancelled,
    /// `applyWorkspaceConfig` changed the workspace; details hold the plan's counts
    /// (each change has its usual row besides).
    ConfigApplied,
}

/// One change, decrypted read or connection test, as the audit log keeps it.
#[derive(Clone, SimpleObject)]
pub struct AuditEvent {
    /// Stable id of the row.
    pub id: ID,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// the token's sub
    pub actor: String,
    /// The actor's role at the time.
    pub role: Role,
    /// What was done.
    pub action: AuditAction,
    /// The data source concerned, if any.
    pub data_source_id: Option<ID>,
    /// The environment concerned, if any.
    pub environment_id: Option<ID>,
    /// The app concerned, if any.
    pub app_id: Option<ID>,
    /// The app version concerned, if any.
    pub version_id: Option<ID>,
    /// the request's x-request-id
    pub request_id: Option<String>,
    /// what changed, never a secret value: e.g. the option keys saved, secrets as SET or CLEARED
    pub details: Json<Value>,
}

impl TryFrom<models::AuditEvent> for AuditEvent {
    type Error = AppError;

    fn try_from(row: models::AuditEvent) -> Result<Self, AppError> {
        let unknown = |what: &str, value: &str| {
            AppError::internal(anyhow::anyhow!(
                "audit row {} has unknown {what} {value}",
                row.id
            ))
        };
        let action =
            audit::AuditAction::parse(&row.action).ok_or_else(|| unknown("action", &row.action))?;
        let role: crate::auth::Role = serde_json::from_value(Value::from(row.role.as_str()))
            .map_err(|_| unknown("role", &row.role))?;
        let id = |id: Option<uuid::Uuid>| id.map(|i| ID(i.to_string()));
        Ok(Self {
            id: ID(row.id.to_string()),
            at: row.at,
            actor: row.actor,
            role: role.into(),
            action: action.into(),
            data_source_id: id(row.data_source_id),
            environment_id: id(row.environment_id),
            app_id: id(row.app_id),
            version_id: id(row.version_id),
            request_id: row.request_id,
            details: Json(row.details),
        })
    }
}

/// What a page of the audit log is narrowed to; every filter given must match.
#[derive(Clone, Default, InputObject)]
pub struct AuditFilter {
    /// Any of these actions.
    pub actions: Option<Vec<AuditAction>>,
    /// The token `sub` that acted.
    pub actor: Option<String>,
    /// Rows about this data source.
    pub data_source_id: Option<ID>,
    /// Rows about this environment.
    pub environment_id: Option<ID>,
    /// Rows about this app.
    pub app_id: Option<ID>,
    /// From this instant on (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
}

impl From<AuditFilter> for audit::Filter {
    fn from(f: AuditFilter) -> Self {
        Self {
            actions: f
                .actions
                .map(|actions| actions.into_iter().map(Into::into).collect()),
            actor: f.actor,
            data_source_id: f.data_source_id.map(|id| id.0),
            environment_id: f.environment_id.map(|id| id.0),
            app_id: f.app_id.map(|id| id.0),
            since: f.since,
            until: f.until,
        }
    }
}

impl InlineFields for AuditEvent {
    const READY: &'static [&'static str] = &[
        "id",
        "at",
        "actor",
        "role",
        "action",
        "dataSourceId",
        "environmentId",
        "appId",
        "versionId",
        "requestId",
        "details",
    ];
}
