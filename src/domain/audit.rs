//! The audit log: one row per change and per decrypted read, written on the same
//! connection (and so in the same transaction) as what it records. Details never hold
//! a secret value.

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::models::NewAuditEvent;
use crate::db::schema::audit_events;
use crate::domain::Caller;
use crate::error::AppResult;

/// What an audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    DataSourceCreated,
    DataSourceRenamed,
    DataSourceDeleted,
    OptionsUpdated,
    OptionsCopied,
    ConnectionTested,
    DataSourceResolved,
    EnvironmentCreated,
    EnvironmentRenamed,
    EnvironmentMoved,
    EnvironmentDeleted,
    EnvironmentProtectionChanged,
    AppCreated,
    VersionCreated,
    VersionPromoted,
    VersionReleased,
    ConstantCreated,
    ConstantUpdated,
    ConstantDeleted,
}

impl AuditAction {
    /// The action as stored, spelled as the API's `AuditAction` enum.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DataSourceCreated => "DATA_SOURCE_CREATED",
            Self::DataSourceRenamed => "DATA_SOURCE_RENAMED",
            Self::DataSourceDeleted => "DATA_SOURCE_DELETED",
            Self::OptionsUpdated => "OPTIONS_UPDATED",
            Self::OptionsCopied => "OPTIONS_COPIED",
            Self::ConnectionTested => "CONNECTION_TESTED",
            Self::DataSourceResolved => "DATA_SOURCE_RESOLVED",
            Self::EnvironmentCreated => "ENVIRONMENT_CREATED",
            Self::EnvironmentRenamed => "ENVIRONMENT_RENAMED",
            Self::EnvironmentMoved => "ENVIRONMENT_MOVED",
            Self::EnvironmentDeleted => "ENVIRONMENT_DELETED",
            Self::EnvironmentProtectionChanged => "ENVIRONMENT_PROTECTION_CHANGED",
            Self::AppCreated => "APP_CREATED",
            Self::VersionCreated => "VERSION_CREATED",
            Self::VersionPromoted => "VERSION_PROMOTED",
            Self::VersionReleased => "VERSION_RELEASED",
            Self::ConstantCreated => "CONSTANT_CREATED",
            Self::ConstantUpdated => "CONSTANT_UPDATED",
            Self::ConstantDeleted => "CONSTANT_DELETED",
        }
    }
}

/// One event to record: the action, the objects it touched, and what changed.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: AuditAction,
    pub data_source_id: Option<Uuid>,
    pub environment_id: Option<Uuid>,
    pub app_id: Option<Uuid>,
    pub version_id: Option<Uuid>,
    /// A JSON object; never a secret value.
    pub details: Value,
}

impl Event {
    pub fn new(action: AuditAction) -> Self {
        Self {
            action,
            data_source_id: None,
            environment_id: None,
            app_id: None,
            version_id: None,
            details: json!({}),
        }
    }

    pub fn data_source(self, id: Uuid) -> Self {
        Self {
            data_source_id: Some(id),
            ..self
        }
    }

    pub fn environment(self, id: Uuid) -> Self {
        Self {
            environment_id: Some(id),
            ..self
        }
    }

    pub fn app(self, id: Uuid) -> Self {
        Self {
            app_id: Some(id),
            ..self
        }
    }

    pub fn version(self, id: Uuid) -> Self {
        Self {
            version_id: Some(id),
            ..self
        }
    }

    pub fn details(self, details: Value) -> Self {
        Self { details, ..self }
    }
}

/// Writes `event` as done by `caller`, on `conn`: inside the caller's transaction when
/// there is one, so that a rolled-back change leaves no row.
pub async fn record(conn: &mut AsyncPgConnection, caller: &Caller, event: Event) -> AppResult<()> {
    diesel::insert_into(audit_events::table)
        .values(NewAuditEvent {
            id: Uuid::new_v4(),
            workspace_id: caller.workspace_id,
            actor: &caller.user_id,
            role: caller.role.as_str(),
            action: event.action.as_str(),
            data_source_id: event.data_source_id,
            environment_id: event.environment_id,
            app_id: event.app_id,
            version_id: event.version_id,
            request_id: caller.request_id.as_deref(),
            details: event.details,
        })
        .execute(conn)
        .await?;
    Ok(())
}
