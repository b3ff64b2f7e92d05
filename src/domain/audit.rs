//! The audit log: one row per change and per decrypted read, written on the same
//! connection (and so in the same transaction) as what it records. Details never hold
//! a secret value.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{AuditEvent, NewAuditEvent};
use crate::db::schema::audit_events;
use crate::domain::Caller;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::permissions::Action;
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
    EnvironmentAccessChanged,
    EnvironmentApprovalsChanged,
    VersionDataSourcesSet,
    PromotionRequested,
    PromotionReviewed,
    PromotionCancelled,
    ReleaseRolledBack,
    ReleaseScheduled,
    ReleaseScheduleCancelled,
    ConfigApplied,
}

impl AuditAction {
    /// Every action, in the API enum's order.
    pub const ALL: [AuditAction; 29] = [
        Self::DataSourceCreated,
        Self::DataSourceRenamed,
        Self::DataSourceDeleted,
        Self::OptionsUpdated,
        Self::OptionsCopied,
        Self::ConnectionTested,
        Self::DataSourceResolved,
        Self::EnvironmentCreated,
        Self::EnvironmentRenamed,
        Self::EnvironmentMoved,
        Self::EnvironmentDeleted,
        Self::EnvironmentProtectionChanged,
        Self::AppCreated,
        Self::VersionCreated,
        Self::VersionPromoted,
        Self::VersionReleased,
        Self::ConstantCreated,
        Self::ConstantUpdated,
        Self::ConstantDeleted,
        Self::EnvironmentAccessChanged,
        Self::EnvironmentApprovalsChanged,
        Self::VersionDataSourcesSet,
        Self::PromotionRequested,
        Self::PromotionReviewed,
        Self::PromotionCancelled,
        Self::ReleaseRolledBack,
        Self::ReleaseScheduled,
        Self::ReleaseScheduleCancelled,
        Self::ConfigApplied,
    ];

    /// The action a stored row names.
    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == stored)
    }

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
            Self::EnvironmentAccessChanged => "ENVIRONMENT_ACCESS_CHANGED",
            Self::EnvironmentApprovalsChanged => "ENVIRONMENT_APPROVALS_CHANGED",
            Self::VersionDataSourcesSet => "VERSION_DATA_SOURCES_SET",
            Self::PromotionRequested => "PROMOTION_REQUESTED",
            Self::PromotionReviewed => "PROMOTION_REVIEWED",
            Self::PromotionCancelled => "PROMOTION_CANCELLED",
            Self::ReleaseRolledBack => "RELEASE_ROLLED_BACK",
            Self::ReleaseScheduled => "RELEASE_SCHEDULED",
            Self::ReleaseScheduleCancelled => "RELEASE_SCHEDULE_CANCELLED",
            Self::ConfigApplied => "CONFIG_APPLIED",
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
pub async fn record(conn: &mut Conn, caller: &Caller, event: Event) -> AppResult<()> {
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

/// The listing order and cursor key: newest first, then id.
pub type ListKey = (DateTime<Utc>, Uuid);

/// What a page of the audit log may be narrowed to; every filter given must match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Any of these actions.
    pub actions: Option<Vec<AuditAction>>,
    /// The token `sub` that acted.
    pub actor: Option<String>,
    pub data_source_id: Option<String>,
    pub environment_id: Option<String>,
    pub app_id: Option<String>,
    /// From this instant on (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
}

/// One page of the workspace's audit log, newest first (admins). An object id that is
/// malformed or another workspace's matches nothing. Every filter is served by an
/// index in the listing order (see the migrations).
pub async fn list(
    conn: &mut Conn,
    caller: &Caller,
    page: &PageRequest<ListKey>,
    filter: &Filter,
) -> AppResult<Page<AuditEvent>> {
    caller.require(Action::ReadAudit)?;
    let mut query = audit_events::table
        .filter(audit_events::workspace_id.eq(caller.workspace_id))
        .select(AuditEvent::as_select())
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .limit(page.first + 1)
        .into_boxed();
    if let Some(actions) = &filter.actions {
        let actions: Vec<&str> = actions.iter().map(|a| a.as_str()).collect();
        query = query.filter(audit_events::action.eq_any(actions));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_events::actor.eq(actor.clone()));
    }
    let id = |id: &Option<String>| id.as_deref().map(|i| Uuid::parse_str(i.trim()).ok());
    match id(&filter.data_source_id) {
        Some(Some(id)) => query = query.filter(audit_events::data_source_id.eq(id)),
        Some(None) => return Ok(empty(page)),
        None => {}
    }
    match id(&filter.environment_id) {
        Some(Some(id)) => query = query.filter(audit_events::environment_id.eq(id)),
        Some(None) => return Ok(empty(page)),
        None => {}
    }
    match id(&filter.app_id) {
        Some(Some(id)) => query = query.filter(audit_events::app_id.eq(id)),
        Some(None) => return Ok(empty(page)),
        None => {}
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_events::at.ge(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_events::at.lt(until));
    }
    if let Some((at, id)) = page.after {
        query = query.filter(
            audit_events::at
                .lt(at)
                .or(audit_events::at.eq(at).and(audit_events::id.lt(id))),
        );
    }
    let rows = query.load(conn).await?;
    Ok(Page::from_rows(page, rows, |e: &AuditEvent| (e.at, e.id)))
}

fn empty(page: &PageRequest<ListKey>) -> Page<AuditEvent> {
    Page::from_rows(page, Vec::new(), |e: &AuditEvent| (e.at, e.id))
}
