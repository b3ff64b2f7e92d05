//! Workspaces, provisioned on first contact with their built-in environments.

use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::models::NewEnvironment;
use crate::db::schema::{environments, workspaces};
use crate::domain::environments::BUILT_IN;

/// Creates the workspace and its built-in environments unless it exists. Safe under
/// concurrency: a second first request waits on the workspace row's unique key, then
/// finds it there and adds nothing.
pub async fn provision(conn: &mut AsyncPgConnection, workspace_id: Uuid) -> QueryResult<()> {
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
