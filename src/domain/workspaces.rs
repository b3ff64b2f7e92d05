//! Workspaces, provisioned on first contact with their built-in environments.

use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::NewEnvironment;
use crate::db::schema::{environments, workspaces};
use crate::domain::environments::BUILT_IN;

/// Creates the workspace and its built-in environments unless it exists. Safe under
/// concurrency: a second first request waits on the workspace row's unique key, then
/// finds it there and adds nothing.
pub async fn provision(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<()> {
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        let created = diesel::insert_into(workspaces::table)
            .values(workspaces::id.eq(workspace_id))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        if created == 0 {
            return Ok(());
        }
        let rows: Vec<_> = BUILT_IN
            .iter()
            .map(|b| NewEnvironment {
                id: Uuid::new_v4(),
                workspace_id,
                name: b.name,
                kind: b.kind.as_str(),
                priority: b.priority,
                is_default: b.is_default,
                locked: true,
                // Production starts protected: releasing needs an admin.
                protected: b.is_default,
                access: None,
            })
            .collect();
        diesel::insert_into(environments::table)
            .values(&rows)
            .execute(conn)
            .await?;
        tracing::info!(%workspace_id, "provisioned a new workspace");
        Ok(())
    })
    .await
}

/// Locks the workspace's pipeline for an edit (create, move, delete an environment):
/// edits of one workspace take turns, and a reader holding [`share_pipeline`] waits.
pub async fn lock_pipeline(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<()> {
    workspaces::table
        .find(workspace_id)
        .select(workspaces::id)
        .for_no_key_update()
        .first::<Uuid>(conn)
        .await
        .map(drop)
}

/// Holds the workspace's pipeline still for the rest of the transaction (a promotion
/// reading "the next environment", a version placed in "the lowest"), while letting
/// other readers through.
pub async fn share_pipeline(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<()> {
    workspaces::table
        .find(workspace_id)
        .select(workspaces::id)
        .for_share()
        .first::<Uuid>(conn)
        .await
        .map(drop)
}

/// The workspace's generation: it moves forward in the same transaction as every
/// committed write to the workspace's rows (a trigger on each of its tables, the audit
/// log aside), so an answer computed at a generation is current while the generation
/// is. 0 for a workspace nothing was ever written in.
pub async fn generation(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<i64> {
    use crate::db::schema::workspace_generations::dsl;
    dsl::workspace_generations
        .find(workspace_id)
        .select(dsl::generation)
        .first::<i64>(conn)
        .await
        .optional()
        .map(Option::unwrap_or_default)
}
