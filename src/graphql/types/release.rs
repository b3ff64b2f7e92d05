use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::models;
use crate::domain::scheduled_releases::Status;
use crate::error::AppError;
use crate::graphql::ContextExt as _;
use crate::graphql::inline::{Inline, InlineFields};
use crate::graphql::types::app_version::AppVersion;

/// The version of an app `version_id` names, from the request's (batched) versions of
/// that app.
async fn version_of(
    ctx: &Context<'_>,
    app_id: Uuid,
    version_id: Uuid,
) -> async_graphql::Result<Inline<AppVersion>> {
    let version = ctx
        .versions_of(app_id)
        .await?
        .into_iter()
        .find(|v| v.id == version_id)
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "a release names missing version {version_id}"
            ))
        })?;
    Ok(Inline(AppVersion(version)))
}

#[derive(Clone)]
pub struct Release(pub models::Release);

/// One release of an app: a version made the one its app runs, by whom, when and how.
#[Object]
impl Release {
    /// Stable id of the release.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The version released.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<Inline<AppVersion>> {
        version_of(ctx, self.0.app_id, self.0.version_id).await
    }

    /// The token `sub` that released it (for a scheduled release: who scheduled it;
    /// `unknown` for a release older than the history that the audit log did not hold).
    async fn released_by(&self) -> &str {
        &self.0.released_by
    }

    /// When it was released.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The note given with `releaseAppVersion` or `scheduleRelease`.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// true when this release was a rollbackRelease
    async fn rollback(&self) -> bool {
        self.0.rollback
    }

    /// true when a scheduled release made it
    async fn scheduled(&self) -> bool {
        self.0.scheduled
    }
}

impl InlineFields for Release {
    const READY: &'static [&'static str] =
        &["id", "releasedBy", "at", "note", "rollback", "scheduled"];
}

/// Where a scheduled release stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ScheduledReleaseStatus {
    /// Waiting for its time.
    Scheduled,
    /// It ran: the version was released (or was the released one already).
    Done,
    /// It could not release the version at its time; `failure` says why.
    Failed,
    /// Cancelled before it ran.
    Cancelled,
}

impl From<Status> for ScheduledReleaseStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Scheduled => Self::Scheduled,
            Status::Done => Self::Done,
            Status::Failed => Self::Failed,
            Status::Cancelled => Self::Cancelled,
        }
    }
}

#[derive(Clone)]
pub struct ScheduledRelease(pub models::ScheduledRelease);

/// A release set to happen at a given time (Enterprise).
#[Object]
impl ScheduledRelease {
    /// Stable id of the scheduled release.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The version it releases.
    async fn version(&self, ctx: &Context<'_>) -> async_graphql::Result<Inline<AppVersion>> {
        version_of(ctx, self.0.app_id, self.0.version_id).await
    }

    /// When it runs (within 5 seconds).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The token `sub` that scheduled it: the release is made with their authority.
    async fn scheduled_by(&self) -> &str {
        &self.0.scheduled_by
    }

    /// The note the release will carry.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// SCHEDULED until it runs; then DONE or FAILED; CANCELLED if cancelled before.
    async fn status(&self) -> ScheduledReleaseStatus {
        Status::of(&self.0).into()
    }

    /// why it failed, when it did
    async fn failure(&self) -> Option<&str> {
        self.0.failure.as_deref()
    }
}

impl InlineFields for ScheduledRelease {
    const READY: &'static [&'static str] =
        &["id", "at", "scheduledBy", "note", "status", "failure"];
}
