//! Apps: a name unique in the workspace and a list of versions. Builders and admins
//! create them; every role reads them.

use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{App, AppVersion, NewApp};
use crate::db::schema::{app_versions, apps};
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::ids::AppId;
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::permissions::Action;
use crate::domain::{Caller, names};
use crate::error::{AppError, AppResult};

/// The listing order and cursor key: name, then id.
pub type ListKey = (String, Uuid);

/// The app `id` within `workspace_id`: the only way apps are looked up by id.
#[diesel::dsl::auto_type(no_type_alias)]
pub(crate) fn in_workspace(workspace_id: Uuid, id: Uuid) -> _ {
    apps::table
        .filter(apps::workspace_id.eq(workspace_id))
        .filter(apps::id.eq(id))
}

/// The app `id` names in the caller's workspace; NOT_FOUND when there is none.
pub async fn get(conn: &mut Conn, caller: &Caller, AppId(id): AppId) -> AppResult<App> {
    caller.require(Action::ReadApps)?;
    in_workspace(caller.workspace_id, id)
        .select(App::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("app"))
}

/// One page of the workspace's apps, by name then id.
pub async fn list(
    conn: &mut Conn,
    caller: &Caller,
    page: &PageRequest<ListKey>,
) -> AppResult<Page<App>> {
    caller.require(Action::ReadApps)?;
    let mut query = apps::table
        .filter(apps::workspace_id.eq(caller.workspace_id))
        .select(App::as_select())
        .order((apps::name.asc(), apps::id.asc()))
        .limit(page.first + 1)
        .into_boxed();
    if let Some((name, id)) = &page.after {
        query = query.filter(
            apps::name
                .gt(name.clone())
                .or(apps::name.eq(name.clone()).and(apps::id.gt(*id))),
        );
    }
    let rows = query.load(conn).await?;
    Ok(Page::from_rows(page, rows, |a: &App| {
        (a.name.clone(), a.id)
    }))
}

/// Creates an app with no versions (builders and admins).
pub async fn create(conn: &mut Conn, caller: &Caller, name: &str) -> AppResult<App> {
    caller.require(Action::BuildApps)?;
    let name = names::checked(name)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let app = diesel::insert_into(apps::table)
            .values(NewApp {
                id: Uuid::new_v4(),
                workspace_id: caller.workspace_id,
                name: &name,
            })
            .returning(App::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| names::taken(e, "An app", &name, "this workspace"))?;
        let event = Event::new(AuditAction::AppCreated)
            .app(app.id)
            .details(json!({ "name": app.name }));
        audit::record(conn, caller, event).await?;
        Ok(app)
    })
    .await
}

/// The versions of these apps in the workspace, in creation order.
pub async fn versions_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    app_ids: &[Uuid],
) -> QueryResult<Vec<AppVersion>> {
    app_versions::table
        .filter(app_versions::workspace_id.eq(workspace_id))
        .filter(app_versions::app_id.eq_any(app_ids))
        .order((app_versions::created_at.asc(), app_versions::id.asc()))
        .select(AppVersion::as_select())
        .load(conn)
        .await
}
