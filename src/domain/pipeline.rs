//! Editing the pipeline (Enterprise, admins): custom environments created after a
//! named one, renamed, moved and deleted, and protection switched on and off. Built-in
//! environments are ENVIRONMENT_LOCKED; the default one stays last. Every edit locks the
//! workspace's pipeline and renumbers priorities 1..n in its transaction, so concurrent
//! edits end gap-free and duplicate-free.

use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Array, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Environment, NewEnvironment};
use crate::db::schema::{app_versions, environments};
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::changes::{self, Change};
use crate::domain::environments::{self as envs, EnvironmentKind};
use crate::domain::ids::EnvironmentId;
use crate::domain::permissions::Action;
use crate::domain::{Caller, kinds, names, workspaces};
use crate::error::{AppError, AppResult};

/// The most environments a workspace may have, built-ins included.
pub const MAX_ENVIRONMENTS: usize = 10;

/// LICENSE_REQUIRED in Community; FORBIDDEN for non-admins.
fn require_editor(caller: &Caller) -> AppResult<()> {
    caller.require(Action::ManageEnvironments)?;
    if !caller.multi_environment {
        return Err(AppError::LicenseRequired(
            "Custom and protected environments, and approvals, need an Enterprise license with multiple environments.".into(),
        ));
    }
    Ok(())
}

/// ENVIRONMENT_LOCKED for a built-in environment.
fn require_custom(environment: &Environment, what: &str) -> AppResult<()> {
    if environment.locked {
        return Err(AppError::EnvironmentLocked(format!(
            "{} is a built-in environment: it can't be {what}.",
            environment.name
        )));
    }
    Ok(())
}

/// The environment named by `after`, which a new or moved environment will follow:
/// never the default one, which stays last.
fn anchor(all: &[Environment], after: EnvironmentId) -> AppResult<&Environment> {
    let anchor = envs::find(all, after)?;
    if anchor.is_default {
        return Err(AppError::bad_field(
            "after",
            format!(
                "{} is the default environment and stays last: place the environment after another one.",
                anchor.name
            ),
        ));
    }
    Ok(anchor)
}

/// Sets the pipeline's order to `order` (every environment id of the workspace),
/// priorities 1..n, in one statement; the unique priority key is checked at commit.
async fn renumber(conn: &mut Conn, workspace_id: Uuid, order: &[Uuid]) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE environments e SET priority = o.n, updated_at = now()
         FROM unnest($1) WITH ORDINALITY AS o(id, n)
         WHERE e.id = o.id AND e.workspace_id = $2 AND e.priority <> o.n",
    )
    .bind::<Array<SqlUuid>, _>(order)
    .bind::<SqlUuid, _>(workspace_id)
    .execute(conn)
    .await
    .map(drop)
}

fn name_taken(error: DieselError, name: &str) -> AppError {
    names::taken(error, "An environment", name, "this workspace")
}

/// Creates a custom environment right after `after` (never after the default one).
/// Every data source gets that environment's non-secret values, and no secrets, in one
/// statement.
pub async fn create(
    conn: &mut Conn,
    caller: &Caller,
    name: &str,
    after: EnvironmentId,
) -> AppResult<Environment> {
    require_editor(caller)?;
    let name = names::checked(name)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::lock_pipeline(conn, caller.workspace_id).await?;
        let all = envs::all(conn, caller.workspace_id).await?;
        let anchor = anchor(&all, after)?;
        if all.len() >= MAX_ENVIRONMENTS {
            return Err(AppError::bad_input(format!(
                "A workspace has at most {MAX_ENVIRONMENTS} environments; delete one first."
            )));
        }
        let id = Uuid::new_v4();
        let created = diesel::insert_into(environments::table)
            .values(NewEnvironment {
                id,
                workspace_id: caller.workspace_id,
                name: &name,
                kind: EnvironmentKind::Custom.as_str(),
                // Placed for now after everything; renumbered below.
                priority: i32::try_from(all.len()).unwrap_or(i32::MAX) + 1,
                is_default: false,
                locked: false,
                protected: false,
                // The rules of the environment it follows.
                access: Some(anchor.access.clone()),
            })
            .returning(Environment::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| name_taken(e, &name))?;
        let mut order: Vec<Uuid> = all.iter().map(|e| e.id).collect();
        let at = order.iter().position(|e| *e == anchor.id).unwrap_or(0) + 1;
        order.insert(at, id);
        renumber(conn, caller.workspace_id, &order).await?;
        let copied = diesel::sql_query(
            "INSERT INTO data_source_options (workspace_id, data_source_id, environment_id, \"values\", secrets, \"references\", revision, updated_at, updated_by)
             SELECT workspace_id, data_source_id, $1, \"values\", '{}', \"references\" - $5::text[], 1, now(), $2
             FROM data_source_options WHERE workspace_id = $3 AND environment_id = $4",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<diesel::sql_types::Text, _>(&caller.user_id)
        .bind::<SqlUuid, _>(caller.workspace_id)
        .bind::<SqlUuid, _>(anchor.id)
        // The secrets' references stay behind with the secrets.
        .bind::<Array<diesel::sql_types::Text>, _>(kinds::secret_keys())
        .execute(conn)
        .await?;
        let event = Event::new(AuditAction::EnvironmentCreated)
            .environment(id)
            .details(json!({ "name": name, "after": anchor.id, "dataSourcesCopied": copied }));
        audit::record(conn, caller, event).await?;
        if copied > 0 {
            let change = Change::Options {
                workspace_id: caller.workspace_id,
                data_source_id: None,
                environment_ids: vec![id],
            };
            changes::publish(conn, &change).await?;
        }
        Ok(environments::table
            .find(created.id)
            .select(Environment::as_select())
            .first(conn)
            .await?)
    })
    .await
}

/// Renames a custom environment.
pub async fn rename(
    conn: &mut Conn,
    caller: &Caller,
    id: EnvironmentId,
    name: &str,
) -> AppResult<Environment> {
    require_editor(caller)?;
    let name = names::checked(name)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::lock_pipeline(conn, caller.workspace_id).await?;
        let all = envs::all(conn, caller.workspace_id).await?;
        let environment = envs::find(&all, id)?;
        require_custom(environment, "renamed")?;
        let renamed = diesel::update(environments::table.find(environment.id))
            .set((
                environments::name.eq(&name),
                environments::updated_at.eq(Utc::now()),
            ))
            .returning(Environment::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| name_taken(e, &name))?;
        let event = Event::new(AuditAction::EnvironmentRenamed)
            .environment(environment.id)
            .details(json!({ "from": environment.name, "to": name }));
        audit::record(conn, caller, event).await?;
        Ok(renamed)
    })
    .await
}

/// Moves a custom environment to right after `after` (never after the default one);
/// returns the whole pipeline in its new order.
pub async fn move_after(
    conn: &mut Conn,
    caller: &Caller,
    id: EnvironmentId,
    after: EnvironmentId,
) -> AppResult<Vec<Environment>> {
    require_editor(caller)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::lock_pipeline(conn, caller.workspace_id).await?;
        let all = envs::all(conn, caller.workspace_id).await?;
        let environment = envs::find(&all, id)?;
        require_custom(environment, "moved")?;
        let anchor = anchor(&all, after)?;
        if anchor.id == environment.id {
            return Err(AppError::bad_field(
                "after",
                "An environment can't be placed after itself.",
            ));
        }
        let mut order: Vec<Uuid> = all
            .iter()
            .map(|e| e.id)
            .filter(|e| *e != environment.id)
            .collect();
        let at = order.iter().position(|e| *e == anchor.id).unwrap_or(0) + 1;
        order.insert(at, environment.id);
        renumber(conn, caller.workspace_id, &order).await?;
        let event = Event::new(AuditAction::EnvironmentMoved)
            .environment(environment.id)
            .details(json!({ "after": anchor.id, "from": environment.priority, "to": at + 1 }));
        audit::record(conn, caller, event).await?;
        Ok(envs::all(conn, caller.workspace_id).await?)
    })
    .await
}

/// Deletes a custom environment with its options; refused while it holds versions.
/// Selections pointing at it go with it: those users see the lowest environment again.
pub async fn delete(conn: &mut Conn, caller: &Caller, id: EnvironmentId) -> AppResult<Uuid> {
    require_editor(caller)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::lock_pipeline(conn, caller.workspace_id).await?;
        let all = envs::all(conn, caller.workspace_id).await?;
        let environment = envs::find(&all, id)?;
        require_custom(environment, "deleted")?;
        let holding: i64 = app_versions::table
            .filter(app_versions::workspace_id.eq(caller.workspace_id))
            .filter(app_versions::environment_id.eq(environment.id))
            .count()
            .get_result(conn)
            .await?;
        let holds = |count: i64| {
            AppError::bad_input(format!(
                "{} holds {count} app version(s): promote them to the next environment first.",
                environment.name
            ))
        };
        if holding > 0 {
            return Err(holds(holding));
        }
        diesel::delete(environments::table.find(environment.id))
            .execute(conn)
            .await
            .map_err(|e| match e {
                // A version arrived meanwhile: the foreign key keeps it.
                DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => holds(1),
                other => other.into(),
            })?;
        let order: Vec<Uuid> = all
            .iter()
            .map(|e| e.id)
            .filter(|e| *e != environment.id)
            .collect();
        renumber(conn, caller.workspace_id, &order).await?;
        let event = Event::new(AuditAction::EnvironmentDeleted)
            .environment(environment.id)
            .details(json!({ "name": environment.name }));
        audit::record(conn, caller, event).await?;
        Ok(environment.id)
    })
    .await
}

/// Switches protection on or off: promoting into a protected environment, and
/// releasing while the default one is protected, then need an admin.
pub async fn set_protected(
    conn: &mut Conn,
    caller: &Caller,
    id: EnvironmentId,
    protected: bool,
) -> AppResult<Environment> {
    set(conn, caller, id, Setting::Protected(protected)).await
}

/// The most approvals an environment may require.
pub const MAX_APPROVALS: i32 = 5;

/// Sets how many admins must approve a promotion into an environment (0 to
/// [`MAX_APPROVALS`]; 0: promotions need none).
pub async fn set_approvals(
    conn: &mut Conn,
    caller: &Caller,
    id: EnvironmentId,
    required: i32,
) -> AppResult<Environment> {
    check_approvals(required)?;
    set(conn, caller, id, Setting::RequiredApprovals(required)).await
}

/// BAD_USER_INPUT unless `required` is 0 to [`MAX_APPROVALS`].
pub fn check_approvals(required: i32) -> AppResult<()> {
    if !(0..=MAX_APPROVALS).contains(&required) {
        return Err(AppError::bad_field(
            "requiredApprovals",
            format!("`requiredApprovals` must be between 0 and {MAX_APPROVALS}."),
        ));
    }
    Ok(())
}

/// A setting of an environment that promotions read.
#[derive(Debug, Clone, Copy)]
enum Setting {
    Protected(bool),
    RequiredApprovals(i32),
}

/// Changes one setting of an environment (admins, Enterprise), audited when it changed.
async fn set(
    conn: &mut Conn,
    caller: &Caller,
    id: EnvironmentId,
    setting: Setting,
) -> AppResult<Environment> {
    require_editor(caller)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        // Taken like every pipeline edit: a promotion that read the old setting
        // commits before this one returns, never after.
        workspaces::lock_pipeline(conn, caller.workspace_id).await?;
        let all = envs::all(conn, caller.workspace_id).await?;
        let environment = envs::find(&all, id)?;
        let row = environments::table.find(environment.id);
        let now = environments::updated_at.eq(Utc::now());
        let (changed, event) = match setting {
            Setting::Protected(protected) => (
                diesel::update(row)
                    .set((environments::protected.eq(protected), now))
                    .returning(Environment::as_returning())
                    .get_result(conn)
                    .await?,
                (environment.protected != protected).then(|| {
                    Event::new(AuditAction::EnvironmentProtectionChanged)
                        .details(json!({ "protected": protected }))
                }),
            ),
            Setting::RequiredApprovals(required) => (
                diesel::update(row)
                    .set((environments::required_approvals.eq(required), now))
                    .returning(Environment::as_returning())
                    .get_result(conn)
                    .await?,
                (environment.required_approvals != required).then(|| {
                    Event::new(AuditAction::EnvironmentApprovalsChanged)
                        .details(json!({ "from": environment.required_approvals, "to": required }))
                }),
            ),
        };
        if let Some(event) = event {
            audit::record(conn, caller, event.environment(environment.id)).await?;
        }
        Ok(changed)
    })
    .await
}
