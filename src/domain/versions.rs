//! App versions and the pipeline they climb: a new version starts in the lowest
//! environment the edition offers, and promotion moves it to the next environment by
//! priority. Releasing one (from the default environment, in Enterprise) is in
//! [`super::releases`].

use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{AppVersion, Environment, NewAppVersion};
use crate::db::schema::app_versions;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::ids::{AppId, EnvironmentId, VersionId};
use crate::domain::permissions::Action;
use crate::domain::promotion::{self, Route};
use crate::domain::{
    Caller, apps as app_rows, environments, names, version_data_sources, workspaces,
};
use crate::error::{AppError, AppResult};

/// Whether a version is the one its app runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStatus {
    Draft,
    Released,
}

impl VersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Released => "released",
        }
    }

    /// The status stored in a row (the table's check constraint admits only these).
    pub fn of(version: &AppVersion) -> Self {
        if version.status == Self::Released.as_str() {
            Self::Released
        } else {
            Self::Draft
        }
    }
}

/// The version `id` within `workspace_id`.
#[diesel::dsl::auto_type(no_type_alias)]
pub(crate) fn in_workspace(workspace_id: Uuid, id: Uuid) -> _ {
    app_versions::table
        .filter(app_versions::workspace_id.eq(workspace_id))
        .filter(app_versions::id.eq(id))
}

/// The version `id` names in the caller's workspace; NOT_FOUND when there is none.
pub(crate) async fn get(
    conn: &mut Conn,
    caller: &Caller,
    VersionId(id): VersionId,
) -> AppResult<AppVersion> {
    in_workspace(caller.workspace_id, id)
        .select(AppVersion::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("app version"))
}

/// The version `id` names, its row locked for the transaction; NOT_FOUND when there is none.
pub(crate) async fn locked(
    conn: &mut Conn,
    caller: &Caller,
    VersionId(id): VersionId,
) -> AppResult<AppVersion> {
    lock(conn, caller.workspace_id, id).await
}

/// The version `id` of the workspace, its row locked for the transaction; NOT_FOUND when
/// there is none.
pub(crate) async fn lock(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> AppResult<AppVersion> {
    in_workspace(workspace_id, id)
        .select(AppVersion::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("app version"))
}

/// The environment a row names: always there (a foreign key holds it).
pub(crate) fn environment_of(all: &[Environment], id: Uuid) -> AppResult<&Environment> {
    all.iter().find(|e| e.id == id).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!("version names missing environment {id}"))
    })
}

/// Creates a DRAFT version of an app in the lowest environment the edition offers
/// (builders and admins). Names are unique per app regardless of case.
pub async fn create(
    conn: &mut Conn,
    caller: &Caller,
    app_id: AppId,
    name: &str,
) -> AppResult<AppVersion> {
    caller.require(Action::BuildApps)?;
    let app = app_rows::get(conn, caller, app_id).await?;
    let name = names::checked(name)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let lowest = environments::lowest_offered(&all, caller)?;
        let version = diesel::insert_into(app_versions::table)
            .values(NewAppVersion {
                id: Uuid::new_v4(),
                workspace_id: caller.workspace_id,
                app_id: app.id,
                name: &name,
                environment_id: lowest.id,
                status: VersionStatus::Draft.as_str(),
            })
            .returning(AppVersion::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| names::taken(e, "A version", &name, &format!("app \"{}\"", app.name)))?;
        version_data_sources::inherit(conn, &version).await?;
        let event = Event::new(AuditAction::VersionCreated)
            .app(app.id)
            .version(version.id)
            .environment(lowest.id)
            .details(json!({ "name": version.name }));
        audit::record(conn, caller, event).await?;
        Ok(version)
    })
    .await
}

/// Moves a version to the next environment by priority (builders and admins, Enterprise
/// only), with every check of `promotion::carry_out`; `force` (admins) promotes past
/// data sources not configured there. `from_environment_id` is where the caller
/// believes the version is: anything else is VERSION_CONFLICT, which is also what every
/// promotion but the first of several concurrent ones gets (the version's row is locked
/// while it is compared).
pub async fn promote(
    conn: &mut Conn,
    caller: &Caller,
    version_id: VersionId,
    from_environment_id: EnvironmentId,
    force: bool,
) -> AppResult<AppVersion> {
    caller.require(Action::BuildApps)?;
    promotion::require_multi_environment(caller)?;
    if force {
        caller.require(Action::ForcePromotions)?;
    }
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        let version = locked(conn, caller, version_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let from = environments::find(&all, from_environment_id)?;
        promotion::carry_out(conn, caller, &all, &version, from, Route::Direct { force }).await
    })
    .await
}
