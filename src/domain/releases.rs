//! Releases: making a version the one its app runs, and the history of it. Every path
//! that releases (`releaseAppVersion`, `rollbackRelease`, a scheduled release, the demo
//! seed) ends in [`carry_out`], which writes the history row and the audit row, and
//! makes the version's pending promotion requests STALE, in the transaction that
//! releases, under the app's row lock (releases of one app take turns).
//!
//! "The one before": each release row names the release a rollback from it returns to
//! (`previous_id`). A release made directly or by a schedule names the release in effect
//! before it; a rollback names what the release it restored named. So a rollback
//! returns to the release before the current one, a second one to the release before
//! that, and so on; rolling back past the first release is BAD_USER_INPUT.

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{App, AppVersion, Environment, NewRelease, Release};
use crate::db::schema::{app_versions, apps, releases};
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::ids::{AppId, VersionId};
use crate::domain::permissions::Action;
use crate::domain::versions::{self, VersionStatus};
use crate::domain::{Caller, apps as app_rows, environments, promotion_requests};
use crate::error::{AppError, AppResult};

/// The longest note a release (or a scheduled one) keeps, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

/// The listing order and cursor key of an app's releases: newest first.
pub type ListKey = i64;

/// A release note as stored: trimmed, `None` when blank; BAD_USER_INPUT when too long
/// or holding a NUL character (which PostgreSQL can't store).
pub fn checked_note(note: Option<&str>) -> AppResult<Option<String>> {
    let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::bad_field(
            "note",
            format!("A release note has at most {MAX_NOTE_CHARS} characters."),
        ));
    }
    if note.contains('\0') {
        return Err(AppError::bad_field(
            "note",
            "A release note must not contain NUL characters.",
        ));
    }
    Ok(Some(note.to_owned()))
}

/// What made a release.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// `releaseAppVersion`.
    Direct { note: Option<&'a str> },
    /// `rollbackRelease`: from the current release back to the one before it.
    Rollback { from: &'a Release, to: &'a Release },
    /// A scheduled release, run by its scheduler's authority.
    Scheduled { id: Uuid, note: Option<&'a str> },
}

/// The app `app_id` of `workspace_id`, its row locked for the transaction: releases of
/// one app take turns. NOT_FOUND when there is none.
pub(crate) async fn lock_app(conn: &mut Conn, workspace_id: Uuid, app_id: Uuid) -> AppResult<App> {
    app_rows::in_workspace(workspace_id, app_id)
        .select(App::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("app"))
}

/// The app of the version `version_id` names, its row locked, then the version's row:
/// in that order, so that a promotion (which locks the version only) can't deadlock
/// with a release.
pub(crate) async fn lock_version_and_app(
    conn: &mut Conn,
    caller: &Caller,
    VersionId(id): VersionId,
) -> AppResult<(App, AppVersion)> {
    let app_id = versions::in_workspace(caller.workspace_id, id)
        .select(app_versions::app_id)
        .first::<Uuid>(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("app version"))?;
    let app = lock_app(conn, caller.workspace_id, app_id).await?;
    let version = versions::lock(conn, caller.workspace_id, id).await?;
    Ok((app, version))
}

/// FORBIDDEN unless the caller may release now: builders and admins, and only admins
/// while the default environment is protected (Enterprise).
pub(crate) fn require_may_release(caller: &Caller, all: &[Environment]) -> AppResult<()> {
    caller.require(Action::BuildApps)?;
    if environments::default_of(all).is_some_and(|d| environments::is_protected(d, caller)) {
        caller.require(Action::ReleaseProtected)?;
    }
    Ok(())
}

/// The environment `version` is in, when it may be released from there: in Enterprise
/// only the default environment; Community releases any version. BAD_USER_INPUT
/// otherwise.
pub(crate) fn require_releasable<'a>(
    caller: &Caller,
    all: &'a [Environment],
    version: &AppVersion,
) -> AppResult<&'a Environment> {
    let current = versions::environment_of(all, version.environment_id)?;
    if caller.multi_environment && !current.is_default {
        let default =
            environments::default_of(all).map_or("the default environment", |d| d.name.as_str());
        return Err(AppError::bad_input(format!(
            "Version \"{}\" is in {}; only a version in {default} can be released. Promote it to {default} first.",
            version.name, current.name
        )));
    }
    Ok(current)
}

/// The app's latest release, the one in effect.
async fn latest(conn: &mut Conn, app_id: Uuid) -> QueryResult<Option<Release>> {
    releases::table
        .filter(releases::app_id.eq(app_id))
        .order(releases::seq.desc())
        .select(Release::as_select())
        .first(conn)
        .await
        .optional()
}

/// Makes `version` (in `environment`) the one `app` runs and records it: the version
/// released before returns to DRAFT, a history row and an audit row are written. The
/// caller holds the app's and the version's row locks and has checked that the version
/// may be released by `caller`.
pub(crate) async fn carry_out(
    conn: &mut Conn,
    caller: &Caller,
    app: &App,
    version: &AppVersion,
    environment: &Environment,
    origin: Origin<'_>,
) -> AppResult<App> {
    let now = Utc::now();
    let demoted: Option<Uuid> = diesel::update(
        app_versions::table
            .filter(app_versions::app_id.eq(app.id))
            .filter(app_versions::status.eq(VersionStatus::Released.as_str()))
            .filter(app_versions::id.ne(version.id)),
    )
    .set((
        app_versions::status.eq(VersionStatus::Draft.as_str()),
        app_versions::updated_at.eq(now),
    ))
    .returning(app_versions::id)
    .get_result(conn)
    .await
    .optional()?;
    diesel::update(app_versions::table.find(version.id))
        .set((
            app_versions::status.eq(VersionStatus::Released.as_str()),
            app_versions::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    let (note, previous_id) = match origin {
        Origin::Direct { note } | Origin::Scheduled { note, .. } => {
            (note, latest(conn, app.id).await?.map(|r| r.id))
        }
        Origin::Rollback { to, .. } => (None, to.previous_id),
    };
    let release_id = Uuid::new_v4();
    diesel::insert_into(releases::table)
        .values(NewRelease {
            id: release_id,
            workspace_id: app.workspace_id,
            app_id: app.id,
            version_id: version.id,
            released_by: &caller.user_id,
            note,
            rollback: matches!(origin, Origin::Rollback { .. }),
            scheduled: matches!(origin, Origin::Scheduled { .. }),
            previous_id,
        })
        .execute(conn)
        .await?;
    let app = diesel::update(apps::table.find(app.id))
        .set(apps::updated_at.eq(now))
        .returning(App::as_returning())
        .get_result(conn)
        .await?;
    promotion_requests::stale_for_version(conn, app.workspace_id, version.id).await?;
    let event = match origin {
        Origin::Rollback { from, to } => Event::new(AuditAction::ReleaseRolledBack).details(
            json!({ "release": release_id, "from": from.version_id, "restored": to.id }),
        ),
        Origin::Direct { note } => Event::new(AuditAction::VersionReleased)
            .details(json!({ "release": release_id, "previous": demoted, "note": note })),
        Origin::Scheduled { id, note } => Event::new(AuditAction::VersionReleased).details(
            json!({ "release": release_id, "previous": demoted, "note": note, "scheduledRelease": id }),
        ),
    };
    let event = event
        .app(app.id)
        .version(version.id)
        .environment(environment.id);
    audit::record(conn, caller, event).await?;
    Ok(app)
}

/// Makes a version the one its app runs (builders and admins; admins only while the
/// default environment is protected), with an optional note for the history. In
/// Enterprise the version must be in the default environment; Community releases any
/// version. Releasing the released version again changes nothing.
pub async fn release(
    conn: &mut Conn,
    caller: &Caller,
    version_id: VersionId,
    note: Option<&str>,
) -> AppResult<App> {
    caller.require(Action::BuildApps)?;
    let note = checked_note(note)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let (app, version) = lock_version_and_app(conn, caller, version_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        require_may_release(caller, &all)?;
        if VersionStatus::of(&version) == VersionStatus::Released {
            return Ok(app);
        }
        let environment = require_releasable(caller, &all, &version)?;
        let origin = Origin::Direct {
            note: note.as_deref(),
        };
        carry_out(conn, caller, &app, &version, environment, origin).await
    })
    .await
}

/// Releases again the version released before the current release (see the module
/// documentation for what "before" is after a rollback), with the permission and
/// protection rules of [`release`]. BAD_USER_INPUT when there is no earlier release,
/// or when its version may no longer be released (not in the default environment).
pub async fn rollback(conn: &mut Conn, caller: &Caller, AppId(app_id): AppId) -> AppResult<App> {
    caller.require(Action::BuildApps)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let app = lock_app(conn, caller.workspace_id, app_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        require_may_release(caller, &all)?;
        let nothing_before = || {
            AppError::bad_input(format!(
                "App \"{}\" has no release before the current one to roll back to.",
                app.name
            ))
        };
        let from = latest(conn, app.id).await?.ok_or_else(nothing_before)?;
        let to_id = from.previous_id.ok_or_else(nothing_before)?;
        let to = releases::table
            .find(to_id)
            .select(Release::as_select())
            .first(conn)
            .await?;
        let version = versions::lock(conn, caller.workspace_id, to.version_id).await?;
        let environment = require_releasable(caller, &all, &version)?;
        let origin = Origin::Rollback {
            from: &from,
            to: &to,
        };
        carry_out(conn, caller, &app, &version, environment, origin).await
    })
    .await
}

/// FORBIDDEN unless the caller may read release history and scheduled releases.
pub fn require_reader(caller: &Caller) -> AppResult<()> {
    caller.require(Action::ReadPromotions)
}

/// A page of each of these apps' releases, newest first: at most `first + 1` rows per
/// app (the extra one tells that a page follows), after the position `after`, in one
/// statement.
pub async fn pages_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    app_ids: &[Uuid],
    first: i64,
    after: Option<ListKey>,
) -> QueryResult<Vec<Release>> {
    diesel::sql_query(
        "SELECT r.* FROM unnest($1::uuid[]) AS a(id)
         CROSS JOIN LATERAL (
             SELECT * FROM releases
             WHERE app_id = a.id AND workspace_id = $2 AND ($3::bigint IS NULL OR seq < $3)
             ORDER BY seq DESC
             LIMIT $4
         ) r",
    )
    .bind::<Array<SqlUuid>, _>(app_ids)
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Nullable<BigInt>, _>(after)
    .bind::<BigInt, _>(first + 1)
    .load(conn)
    .await
}
