//! What a version uses: the data sources its queries use, declared with
//! `setAppVersionDataSources` (envgate is told; ToolJet derives it from the queries).
//! A new version starts with the declaration of its app's most recent version, and
//! promotion checks each declared data source is configured in the target environment
//! (see `promotion.rs`).

use std::collections::BTreeSet;

use diesel::IntoSql as _;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{AppVersion, DataSource, VersionDataSource};
use crate::db::schema::{app_version_data_sources, app_versions, data_sources};
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::ids::{DataSourceId, VersionId};
use crate::domain::permissions::Action;
use crate::domain::{Caller, environments, versions};
use crate::error::{AppError, AppResult};

/// The most data sources one version may declare.
pub const MAX_DATA_SOURCES: usize = 500;

/// The data sources these versions use, by version, each list by name.
pub async fn of_versions(
    conn: &mut Conn,
    workspace_id: Uuid,
    version_ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, DataSource)>> {
    app_version_data_sources::table
        .inner_join(data_sources::table)
        .filter(app_version_data_sources::workspace_id.eq(workspace_id))
        .filter(data_sources::workspace_id.eq(workspace_id))
        .filter(app_version_data_sources::version_id.eq_any(version_ids))
        .order((data_sources::name.asc(), data_sources::id.asc()))
        .select((
            app_version_data_sources::version_id,
            DataSource::as_select(),
        ))
        .load(conn)
        .await
}

/// Gives a new version the declaration of its app's most recent other version, in the
/// creating transaction.
pub async fn inherit(conn: &mut Conn, version: &AppVersion) -> QueryResult<()> {
    let latest: Option<Uuid> = app_versions::table
        .filter(app_versions::workspace_id.eq(version.workspace_id))
        .filter(app_versions::app_id.eq(version.app_id))
        .filter(app_versions::id.ne(version.id))
        .order((app_versions::created_at.desc(), app_versions::id.desc()))
        .select(app_versions::id)
        .first(conn)
        .await
        .optional()?;
    let Some(latest) = latest else {
        return Ok(());
    };
    diesel::insert_into(app_version_data_sources::table)
        .values(
            app_version_data_sources::table
                .filter(app_version_data_sources::version_id.eq(latest))
                .select((
                    app_version_data_sources::workspace_id,
                    version.id.into_sql::<diesel::sql_types::Uuid>(),
                    app_version_data_sources::data_source_id,
                )),
        )
        .into_columns((
            app_version_data_sources::workspace_id,
            app_version_data_sources::version_id,
            app_version_data_sources::data_source_id,
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Replaces what a version uses (builders and admins, like creating versions). Every id
/// must name a data source of the caller's workspace (NOT_FOUND otherwise); repeats
/// count once. Versions above the lowest environment are read-only.
pub async fn set(
    conn: &mut Conn,
    caller: &Caller,
    version_id: VersionId,
    data_source_ids: &[DataSourceId],
) -> AppResult<AppVersion> {
    caller.require(Action::BuildApps)?;
    let wanted: BTreeSet<Uuid> = data_source_ids.iter().map(|id| id.0).collect();
    if wanted.len() > MAX_DATA_SOURCES {
        return Err(AppError::bad_field(
            "dataSourceIds",
            format!("A version may use at most {MAX_DATA_SOURCES} data sources."),
        ));
    }
    let wanted: Vec<Uuid> = wanted.into_iter().collect();
    conn.transaction::<_, AppError, _>(async |conn| {
        // Held still against a promotion that checks what it uses.
        let version = versions::locked(conn, caller, version_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let lowest = environments::lowest_offered(&all, caller)?;
        let current = versions::environment_of(&all, version.environment_id)?;
        if current.priority > lowest.priority {
            return Err(AppError::bad_input(format!(
                "Version \"{}\" is in {}: versions above {} are read-only. Create a new version to change what it uses.",
                version.name, current.name, lowest.name
            )));
        }
        let found: Vec<Uuid> = data_sources::table
            .filter(data_sources::workspace_id.eq(caller.workspace_id))
            .filter(data_sources::id.eq_any(&wanted))
            .select(data_sources::id)
            // Not deleted until this commits.
            .for_key_share()
            .load(conn)
            .await?;
        if found.len() != wanted.len() {
            return Err(AppError::NotFound("data source"));
        }
        diesel::delete(
            app_version_data_sources::table
                .filter(app_version_data_sources::version_id.eq(version.id)),
        )
        .execute(conn)
        .await?;
        let rows: Vec<VersionDataSource> = wanted
            .iter()
            .map(|data_source_id| VersionDataSource {
                workspace_id: caller.workspace_id,
                version_id: version.id,
                data_source_id: *data_source_id,
            })
            .collect();
        diesel::insert_into(app_version_data_sources::table)
            .values(&rows)
            .execute(conn)
            .await?;
        let event = Event::new(AuditAction::VersionDataSourcesSet)
            .app(version.app_id)
            .version(version.id)
            .details(json!({ "dataSources": wanted }));
        audit::record(conn, caller, event).await?;
        Ok(version)
    })
    .await
}
