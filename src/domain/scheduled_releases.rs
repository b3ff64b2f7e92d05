//! Scheduled releases (Enterprise): a version released at a set time. Permission and
//! protection are checked when it is scheduled, by the scheduler's authority; the
//! version's state when it runs. Each due one is claimed with `FOR UPDATE SKIP LOCKED`
//! in the transaction that releases it, so that of several server processes on one
//! database exactly one runs it, once, and a restart loses none (see
//! [`crate::scheduler`]). A version no longer releasable then makes it FAILED, with the
//! reason.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Double, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Role;
use crate::db::Conn;
use crate::db::models::{NewScheduledRelease, ScheduledRelease};
use crate::db::schema::scheduled_releases;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::changes::{self, Change};
use crate::domain::ids::{ScheduledReleaseId, VersionId};
use crate::domain::permissions::Action;
use crate::domain::releases::{self, Origin};
use crate::domain::versions::VersionStatus;
use crate::domain::{Caller, environments};
use crate::error::{AppError, AppResult, INTERNAL_MESSAGE};

/// How far ahead a release may be scheduled.
pub const MAX_DAYS_AHEAD: i64 = 90;
/// How many releases of one app may wait at once.
pub const MAX_WAITING_PER_APP: i64 = 20;
/// How long a schedule that ran, failed or was cancelled stays in `App.scheduledReleases`.
pub const LISTED_DAYS_AFTER: i64 = 7;
/// How many of those an app lists at most (the latest to end): scheduling and
/// cancelling again and again must not grow the list without end.
pub const LISTED_ENDED_PER_APP: usize = 20;

/// Where a scheduled release stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Scheduled,
    Done,
    Failed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status stored in a row (the table's check constraint admits only these).
    pub fn of(row: &ScheduledRelease) -> Self {
        [Self::Done, Self::Failed, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == row.status)
            .unwrap_or(Self::Scheduled)
    }
}

/// The releases that wait, spelled out (not bound) so that the planner uses the partial
/// index of due releases, whatever plan a prepared statement gets.
fn waiting() -> diesel::expression::SqlLiteral<Bool> {
    sql::<Bool>("scheduled_releases.status = 'scheduled'")
}

/// The scheduled release `id` within `workspace_id`.
#[diesel::dsl::auto_type(no_type_alias)]
fn in_workspace(workspace_id: Uuid, id: Uuid) -> _ {
    scheduled_releases::table
        .filter(scheduled_releases::workspace_id.eq(workspace_id))
        .filter(scheduled_releases::id.eq(id))
}

/// LICENSE_REQUIRED in Community.
fn require_enterprise(caller: &Caller) -> AppResult<()> {
    if caller.multi_environment {
        return Ok(());
    }
    Err(AppError::LicenseRequired(
        "Scheduled releases need an Enterprise license with multiple environments.".into(),
    ))
}

/// Schedules the release of a version at `at` (in the future, at most
/// [`MAX_DAYS_AHEAD`] days ahead), with an optional note, for builders and admins
/// (Enterprise). Whether the caller may release (protection included) is checked now,
/// and the version must be in the default environment already, as releasing it would
/// need.
pub async fn schedule(
    conn: &mut Conn,
    caller: &Caller,
    version_id: VersionId,
    at: DateTime<Utc>,
    note: Option<&str>,
) -> AppResult<ScheduledRelease> {
    caller.require(Action::BuildApps)?;
    require_enterprise(caller)?;
    let note = releases::checked_note(note)?;
    let now = Utc::now();
    if at <= now {
        return Err(AppError::bad_field(
            "at",
            "A release can only be scheduled in the future.",
        ));
    }
    if at > now + chrono::Duration::days(MAX_DAYS_AHEAD) {
        return Err(AppError::bad_field(
            "at",
            format!("A release can be scheduled at most {MAX_DAYS_AHEAD} days ahead."),
        ));
    }
    conn.transaction::<_, AppError, _>(async |conn| {
        let (app, version) = releases::lock_version_and_app(conn, caller, version_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        releases::require_may_release(caller, &all)?;
        let environment = releases::require_releasable(caller, &all, &version)?;
        let waiting: i64 = scheduled_releases::table
            .filter(scheduled_releases::app_id.eq(app.id))
            .filter(scheduled_releases::status.eq(Status::Scheduled.as_str()))
            .count()
            .get_result(conn)
            .await?;
        if waiting >= MAX_WAITING_PER_APP {
            return Err(AppError::bad_input(format!(
                "App \"{}\" already has {waiting} scheduled releases waiting; cancel one first.",
                app.name
            )));
        }
        let scheduled = diesel::insert_into(scheduled_releases::table)
            .values(NewScheduledRelease {
                id: Uuid::new_v4(),
                workspace_id: caller.workspace_id,
                app_id: app.id,
                version_id: version.id,
                at,
                scheduled_by: &caller.user_id,
                role: caller.role.as_str(),
                note: note.as_deref(),
            })
            .returning(ScheduledRelease::as_returning())
            .get_result(conn)
            .await?;
        let event = Event::new(AuditAction::ReleaseScheduled)
            .app(app.id)
            .version(version.id)
            .environment(environment.id)
            .details(json!({ "scheduledRelease": scheduled.id, "at": at, "note": note }));
        audit::record(conn, caller, event).await?;
        announce(conn, caller.workspace_id).await?;
        Ok(scheduled)
    })
    .await
}

/// Cancels a scheduled release that has not run yet: its scheduler, or an admin. One
/// that ran, failed or was cancelled already is BAD_USER_INPUT. Allowed in Community
/// too, where nothing scheduled runs.
pub async fn cancel(
    conn: &mut Conn,
    caller: &Caller,
    ScheduledReleaseId(id): ScheduledReleaseId,
) -> AppResult<ScheduledRelease> {
    caller.require(Action::BuildApps)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        // Waits for a run in progress: then it is DONE or FAILED, not cancelled.
        let row = in_workspace(caller.workspace_id, id)
            .select(ScheduledRelease::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or(AppError::NotFound("scheduled release"))?;
        if row.scheduled_by != caller.user_id && caller.role != Role::Admin {
            return Err(AppError::Forbidden(
                "Only whoever scheduled a release, or an admin, may cancel it.".into(),
            ));
        }
        let already = match Status::of(&row) {
            Status::Scheduled => None,
            Status::Done => Some("already ran"),
            Status::Failed => Some("already failed"),
            Status::Cancelled => Some("was already cancelled"),
        };
        if let Some(already) = already {
            return Err(AppError::bad_input(format!(
                "This scheduled release {already}: there is nothing to cancel."
            )));
        }
        let cancelled = diesel::update(scheduled_releases::table.find(row.id))
            .set((
                scheduled_releases::status.eq(Status::Cancelled.as_str()),
                scheduled_releases::updated_at.eq(Utc::now()),
            ))
            .returning(ScheduledRelease::as_returning())
            .get_result(conn)
            .await?;
        let event = Event::new(AuditAction::ReleaseScheduleCancelled)
            .app(row.app_id)
            .version(row.version_id)
            .details(json!({ "scheduledRelease": row.id, "at": row.at }));
        audit::record(conn, caller, event).await?;
        announce(conn, caller.workspace_id).await?;
        Ok(cancelled)
    })
    .await
}

/// Tells every process's scheduler to look for the next due release again, when the
/// transaction commits.
async fn announce(conn: &mut Conn, workspace_id: Uuid) -> AppResult<()> {
    changes::publish(conn, &Change::ScheduledReleases { workspace_id }).await
}

/// The scheduled releases of these apps that wait, and those that ran, failed or were
/// cancelled in the last [`LISTED_DAYS_AFTER`] days (by their time), at most
/// [`LISTED_ENDED_PER_APP`] of those per app (the latest to end), soonest first.
pub async fn of_apps(
    conn: &mut Conn,
    workspace_id: Uuid,
    app_ids: &[Uuid],
) -> QueryResult<Vec<ScheduledRelease>> {
    let since = Utc::now() - chrono::Duration::days(LISTED_DAYS_AFTER);
    diesel::sql_query(
        "SELECT id, workspace_id, app_id, version_id, at, scheduled_by, role, note, status,
                failure, created_at, updated_at
         FROM (
             SELECT s.*, row_number() OVER (
                 PARTITION BY s.app_id, s.status = 'scheduled'
                 ORDER BY s.updated_at DESC, s.id DESC
             ) AS nth
             FROM scheduled_releases s
             WHERE s.workspace_id = $1 AND s.app_id = ANY($2)
               AND (s.status = 'scheduled' OR s.at >= $3)
         ) listed
         WHERE status = 'scheduled' OR nth <= $4
         ORDER BY at, id",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Array<SqlUuid>, _>(app_ids)
    .bind::<Timestamptz, _>(since)
    .bind::<BigInt, _>(LISTED_ENDED_PER_APP as i64)
    .load(conn)
    .await
}

/// What running a due scheduled release came to.
#[derive(Debug, Clone)]
pub struct Ran {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub status: Status,
    pub failure: Option<String>,
}

/// Claims the earliest due scheduled release that no other process is running, of any
/// workspace, and runs it in the same transaction: DONE, or FAILED with the reason when
/// the version can't be released now. `None` when none is due (or every due one is
/// being run elsewhere). `multi_environment`: the edition of this process now.
pub async fn run_next_due(conn: &mut Conn, multi_environment: bool) -> AppResult<Option<Ran>> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let Some(due) = scheduled_releases::table
            .filter(waiting())
            .filter(scheduled_releases::at.le(diesel::dsl::now))
            .order(scheduled_releases::at.asc())
            .select(ScheduledRelease::as_select())
            .for_update()
            .skip_locked()
            .first(conn)
            .await
            .optional()?
        else {
            return Ok(None);
        };
        let role = Role::ALL
            .into_iter()
            .find(|r| r.as_str() == due.role)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!(
                    "scheduled release {} has unknown role {}",
                    due.id,
                    due.role
                ))
            })?;
        let caller = Caller {
            user_id: due.scheduled_by.clone(),
            workspace_id: due.workspace_id,
            role,
            groups: Vec::new(),
            multi_environment,
            request_id: None,
        };
        // In a savepoint: a refusal rolls back what the release wrote, not the claim.
        let outcome = conn
            .transaction::<_, AppError, _>(async |conn| run(conn, &caller, &due).await)
            .await;
        let (status, failure) = match outcome {
            Ok(()) => (Status::Done, None),
            // Recorded as a failure too (when the claim still holds): a release that
            // fails this way every time must not hold up every one due after it.
            Err(AppError::Internal(source)) => {
                tracing::error!(
                    error = format!("{source:#}"),
                    scheduled_release = %due.id,
                    "a scheduled release failed on an internal error"
                );
                (Status::Failed, Some(INTERNAL_MESSAGE.to_owned()))
            }
            Err(refused) => (Status::Failed, Some(refused.message())),
        };
        diesel::update(scheduled_releases::table.find(due.id))
            .set((
                scheduled_releases::status.eq(status.as_str()),
                scheduled_releases::failure.eq(&failure),
                scheduled_releases::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        announce(conn, due.workspace_id).await?;
        Ok(Some(Ran {
            id: due.id,
            workspace_id: due.workspace_id,
            status,
            failure,
        }))
    })
    .await
}

/// Releases what `due` names, if the version may still be released: a version released
/// meanwhile is left as it is (nothing to do).
async fn run(conn: &mut Conn, caller: &Caller, due: &ScheduledRelease) -> AppResult<()> {
    if !caller.multi_environment {
        return Err(AppError::LicenseRequired(
            "Scheduled releases need an Enterprise license with multiple environments; the server ran as Community at the scheduled time.".into(),
        ));
    }
    let app = releases::lock_app(conn, due.workspace_id, due.app_id).await?;
    let version = crate::domain::versions::lock(conn, due.workspace_id, due.version_id).await?;
    if VersionStatus::of(&version) == VersionStatus::Released {
        return Ok(());
    }
    let all = environments::all(conn, due.workspace_id).await?;
    let environment = releases::require_releasable(caller, &all, &version)?;
    let origin = Origin::Scheduled {
        id: due.id,
        note: due.note.as_deref(),
    };
    releases::carry_out(conn, caller, &app, &version, environment, origin).await?;
    Ok(())
}

/// How long until the earliest scheduled release is due, by the database's clock
/// (which every process shares): zero when one is due already (another process may be
/// running it), `None` when none waits.
pub async fn next_due_in(conn: &mut Conn) -> AppResult<Option<Duration>> {
    let seconds: Option<f64> = scheduled_releases::table
        .filter(waiting())
        .select(sql::<Nullable<Double>>(
            "EXTRACT(EPOCH FROM min(at) - clock_timestamp())::float8",
        ))
        .first(conn)
        .await?;
    Ok(seconds.map(|s| Duration::from_secs_f64(s.max(0.0))))
}
