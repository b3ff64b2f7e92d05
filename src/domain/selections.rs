//! The environment each builder last selected for an app, remembered server-side per
//! (user, app): last writer wins, and it survives restarts. What a builder sees is
//! their choice when the edition offers it, else the lowest environment offered.

use chrono::Utc;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{App, Environment, EnvironmentSelection};
use crate::db::schema::environment_selections;
use crate::domain::access::Permission;
use crate::domain::ids::{AppId, EnvironmentId};
use crate::domain::permissions::Action;
use crate::domain::{Caller, apps, environments, workspaces};
use crate::error::{AppError, AppResult};

/// Remembers `environment_id` as the caller's choice for the app (builders and
/// admins). Another workspace's app or environment is NOT_FOUND; an environment the
/// edition does not offer is LICENSE_REQUIRED; one whose rules don't grant the caller
/// SELECT is FORBIDDEN.
pub async fn select(
    conn: &mut Conn,
    caller: &Caller,
    app_id: AppId,
    environment_id: EnvironmentId,
) -> AppResult<App> {
    caller.require(Action::BuildApps)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        // Held still, so the environment can't be deleted between the check and the write.
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        let app = apps::get(conn, caller, app_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let environment = environments::find_offered(&all, environment_id, caller)?;
        caller.require_in(Permission::Select, environment)?;
        let selection = EnvironmentSelection {
            workspace_id: caller.workspace_id,
            app_id: app.id,
            user_id: caller.user_id.clone(),
            environment_id: environment.id,
            updated_at: Utc::now(),
        };
        diesel::insert_into(environment_selections::table)
            .values(&selection)
            .on_conflict((
                environment_selections::app_id,
                environment_selections::user_id,
            ))
            .do_update()
            .set((
                environment_selections::environment_id
                    .eq(excluded(environment_selections::environment_id)),
                environment_selections::updated_at.eq(excluded(environment_selections::updated_at)),
            ))
            .execute(conn)
            .await?;
        Ok(app)
    })
    .await
}

/// The environments `user_id` selected for these apps of the workspace.
pub async fn of_user(
    conn: &mut Conn,
    workspace_id: Uuid,
    user_id: &str,
    app_ids: &[Uuid],
) -> QueryResult<Vec<EnvironmentSelection>> {
    environment_selections::table
        .filter(environment_selections::workspace_id.eq(workspace_id))
        .filter(environment_selections::user_id.eq(user_id))
        .filter(environment_selections::app_id.eq_any(app_ids))
        .select(EnvironmentSelection::as_select())
        .load(conn)
        .await
}

/// The environment a builder sees for an app: `selected` when the edition offers it
/// and the caller may still select it, else the lowest environment offered that they
/// may select (Production in Community, while the stored choice is kept for a renewed
/// license), else the lowest one offered.
pub fn builder_environment<'a>(
    all: &'a [Environment],
    selected: Option<Uuid>,
    caller: &Caller,
) -> AppResult<&'a Environment> {
    let selectable =
        |e: &&Environment| environments::is_offered(e, caller) && caller.may(Permission::Select, e);
    match selected
        .and_then(|id| all.iter().find(|e| e.id == id))
        .filter(selectable)
        .or_else(|| all.iter().filter(selectable).min_by_key(|e| e.priority))
    {
        Some(environment) => Ok(environment),
        None => environments::lowest_offered(all, caller),
    }
}

/// The environment the query runner resolves a user's builder run against: the one
/// the user selected when the edition offers it, else the lowest one offered. (The
/// runner's token can't tell the user's groups: the selection stands as stored, and
/// the runner's own rules decide whether it may resolve there.)
pub fn selection_of_user<'a>(
    all: &'a [Environment],
    selected: Option<Uuid>,
    caller: &Caller,
) -> AppResult<&'a Environment> {
    match selected
        .and_then(|id| all.iter().find(|e| e.id == id))
        .filter(|e| environments::is_offered(e, caller))
    {
        Some(environment) => Ok(environment),
        None => environments::lowest_offered(all, caller),
    }
}
