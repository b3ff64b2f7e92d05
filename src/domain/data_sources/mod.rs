//! Data sources: a name unique in the workspace, a kind, and one set of options per
//! environment. Admins create, rename, delete, configure, copy and test them; everyone
//! in the workspace reads them with secrets masked.
//!
//! This module lists, creates, renames and deletes them; [`option_rows`] reads and
//! saves their options rows (one per environment), and [`decryption`] opens a row's
//! secrets for the connection test and for runtime resolution.

mod decryption;
mod option_rows;

pub use decryption::*;
pub use option_rows::*;

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{DataSource, DataSourceOptions, NewDataSource};
use crate::db::schema::{data_source_options, data_sources};
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::changes::{self, Change};
use crate::domain::ids::{DataSourceId, EnvironmentId};
use crate::domain::kinds::{self, Kind};
use crate::domain::options::{self, OptionInput};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::permissions::Action;
use crate::domain::{Caller, environments, names, workspaces};
use crate::error::{AppError, AppResult};
use crate::secrets::MasterKeys;

/// What `createDataSource` asks for.
#[derive(Debug, Clone)]
pub struct NewDataSourceInput {
    pub name: String,
    pub kind: String,
    /// The environment the options are for; the default one when `None`.
    pub environment_id: Option<EnvironmentId>,
    pub options: Vec<OptionInput>,
}

/// The filters of a listing.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub kind: Option<String>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

/// The listing order and cursor key: name, then id.
pub type ListKey = (String, Uuid);

/// The kind of a data source row: every stored kind is in the registry.
pub fn kind_of(data_source: &DataSource) -> AppResult<&'static Kind> {
    kinds::find(&data_source.kind).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "data source {} has unknown kind {}",
            data_source.id,
            data_source.kind
        ))
    })
}

/// The data source `id` within `workspace_id`: the only way rows are looked up by id.
#[diesel::dsl::auto_type(no_type_alias)]
fn in_workspace(workspace_id: Uuid, id: Uuid) -> _ {
    data_sources::table
        .filter(data_sources::workspace_id.eq(workspace_id))
        .filter(data_sources::id.eq(id))
}

/// The data source `id` names in the caller's workspace; NOT_FOUND when there is none.
pub async fn get(
    conn: &mut Conn,
    caller: &Caller,
    DataSourceId(id): DataSourceId,
) -> AppResult<DataSource> {
    caller.require(Action::ReadDataSources)?;
    in_workspace(caller.workspace_id, id)
        .select(DataSource::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("data source"))
}

/// One page of the workspace's data sources, by name then id, each with its options
/// row in `options_in` when that environment is given (`None` for a data source that
/// has none there): a page and the one environment's options a builder reads, in one
/// round trip. The environment is not checked here: a row is only found for one of the
/// workspace's own environments, and the caller checks it before reading the row.
pub async fn list(
    conn: &mut Conn,
    caller: &Caller,
    page: &PageRequest<ListKey>,
    filters: &Filters,
    options_in: Option<Uuid>,
) -> AppResult<Page<(DataSource, Option<DataSourceOptions>)>> {
    caller.require(Action::ReadDataSources)?;
    // Without an environment the join matches nothing (no environment has the nil id).
    let environment_id = options_in.unwrap_or(Uuid::nil());
    let mut query = data_sources::table
        .left_join(
            data_source_options::table.on(data_source_options::data_source_id
                .eq(data_sources::id)
                .and(data_source_options::workspace_id.eq(data_sources::workspace_id))
                .and(data_source_options::environment_id.eq(environment_id))),
        )
        .filter(data_sources::workspace_id.eq(caller.workspace_id))
        .select((
            DataSource::as_select(),
            Option::<DataSourceOptions>::as_select(),
        ))
        .order((data_sources::name.asc(), data_sources::id.asc()))
        .limit(page.first + 1)
        .into_boxed();
    for (field, text) in [("kind", &filters.kind), ("search", &filters.search)] {
        if text.as_deref().is_some_and(|t| t.contains('\0')) {
            return Err(AppError::bad_field(
                field,
                format!("`{field}` must not contain NUL characters."),
            ));
        }
    }
    if let Some(kind) = &filters.kind {
        query = query.filter(data_sources::kind.eq(kind.clone()));
    }
    if let Some(search) = filters
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        query = query.filter(data_sources::name.ilike(format!("%{}%", escape_like(search))));
    }
    if let Some((name, id)) = &page.after {
        query = query.filter(
            data_sources::name.gt(name.clone()).or(data_sources::name
                .eq(name.clone())
                .and(data_sources::id.gt(*id))),
        );
    }
    let rows = query.load(conn).await?;
    Ok(Page::from_rows(page, rows, |(d, _): &(DataSource, _)| {
        (d.name.clone(), d.id)
    }))
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Every data source of a workspace, by name then id.
pub async fn catalog(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<Vec<DataSource>> {
    data_sources::table
        .filter(data_sources::workspace_id.eq(workspace_id))
        .order((data_sources::name.asc(), data_sources::id.asc()))
        .select(DataSource::as_select())
        .load(conn)
        .await
}

fn name_taken(error: diesel::result::Error, name: &str) -> AppError {
    names::taken(error, "A data source", name, "this workspace")
}

/// Creates a data source: the given options go to the named environment (the default
/// one when none is named); every other environment gets the non-secret values and no
/// secrets, so each must be given its own credentials.
pub async fn create(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    input: NewDataSourceInput,
) -> AppResult<DataSource> {
    caller.require(Action::ManageDataSources)?;
    let name = names::checked(&input.name)?;
    let kind = kinds::find(input.kind.trim()).ok_or_else(|| {
        let known: Vec<_> = kinds::KINDS.iter().map(|k| k.kind).collect();
        AppError::bad_field(
            "kind",
            format!(
                "Unknown kind `{}`; expected one of: {}.",
                input.kind,
                known.join(", ")
            ),
        )
    })?;
    let changes = options::with_defaults(kind, options::validate(kind, &input.options)?);
    let id = Uuid::new_v4();
    let now = Utc::now();

    conn.transaction::<_, AppError, _>(async |conn| {
        // The pipeline is held still, so an environment created meanwhile can't miss
        // this data source's values.
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let target = environments::chosen_or_default(&all, input.environment_id, caller)?.id;
        // Community writes only what it uses: the default environment. Environments a
        // license unlocks later start empty (see `empty_options`).
        let rows: Vec<DataSourceOptions> = environments::offered(&all, caller)
            .iter()
            .map(|environment| {
                let mut row = DataSourceOptions {
                    revision: 1,
                    updated_at: Some(now),
                    updated_by: Some(caller.user_id.clone()),
                    ..empty_row(caller.workspace_id, id, environment.id)
                };
                let changes: Vec<_> = changes
                    .iter()
                    .filter(|c| environment.id == target || !c.field.secret)
                    .cloned()
                    .collect();
                options::apply(&mut row, &changes, master_keys);
                row
            })
            .collect();
        let written = rows
            .iter()
            .find(|r| r.environment_id == target)
            .expect("the target is one of the environments");
        if let Some(missing) = options::missing_required(kind, written).into_iter().next() {
            return Err(AppError::bad_field(
                missing,
                format!("Option `{missing}` is required."),
            ));
        }
        check_references(conn, caller, &changes).await?;
        let data_source = diesel::insert_into(data_sources::table)
            .values(NewDataSource {
                id,
                workspace_id: caller.workspace_id,
                name: &name,
                kind: kind.kind,
            })
            .returning(DataSource::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| name_taken(e, &name))?;
        diesel::insert_into(data_source_options::table)
            .values(&rows)
            .execute(conn)
            .await?;
        let mut details = options::audit_details(&changes);
        details["name"] = json!(data_source.name);
        details["kind"] = json!(data_source.kind);
        let event = Event::new(AuditAction::DataSourceCreated)
            .data_source(data_source.id)
            .environment(target)
            .details(details);
        audit::record(conn, caller, event).await?;
        let change = Change::Options {
            workspace_id: caller.workspace_id,
            data_source_id: Some(data_source.id),
            environment_ids: rows.iter().map(|r| r.environment_id).collect(),
        };
        changes::publish(conn, &change).await?;
        Ok(data_source)
    })
    .await
}

/// Renames a data source.
pub async fn rename(
    conn: &mut Conn,
    caller: &Caller,
    DataSourceId(id): DataSourceId,
    name: &str,
) -> AppResult<DataSource> {
    caller.require(Action::ManageDataSources)?;
    let name = names::checked(name)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let renamed = diesel::update(in_workspace(caller.workspace_id, id))
            .set((
                data_sources::name.eq(&name),
                data_sources::updated_at.eq(Utc::now()),
            ))
            .returning(DataSource::as_returning())
            .get_result(conn)
            .await
            .optional()
            .map_err(|e| name_taken(e, &name))?
            .ok_or(AppError::NotFound("data source"))?;
        let event = Event::new(AuditAction::DataSourceRenamed)
            .data_source(id)
            .details(json!({ "name": renamed.name }));
        audit::record(conn, caller, event).await?;
        Ok(renamed)
    })
    .await
}

/// Deletes a data source and every environment's options; returns its id.
pub async fn delete(
    conn: &mut Conn,
    caller: &Caller,
    DataSourceId(id): DataSourceId,
) -> AppResult<Uuid> {
    caller.require(Action::ManageDataSources)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let name: String = diesel::delete(in_workspace(caller.workspace_id, id))
            .returning(data_sources::name)
            .get_result(conn)
            .await
            .optional()?
            .ok_or(AppError::NotFound("data source"))?;
        let event = Event::new(AuditAction::DataSourceDeleted)
            .data_source(id)
            .details(json!({ "name": name }));
        audit::record(conn, caller, event).await?;
        let change = Change::DataSourceDeleted {
            workspace_id: caller.workspace_id,
            data_source_id: id,
        };
        changes::publish(conn, &change).await?;
        Ok(id)
    })
    .await
}

/// The data source `id` names, its row locked for the transaction before any of its
/// options rows: every writer (and a delete) takes the locks in that order, so none
/// deadlocks. NOT_FOUND when there is none (also when it was deleted meanwhile).
async fn locked(
    conn: &mut Conn,
    caller: &Caller,
    DataSourceId(id): DataSourceId,
) -> AppResult<DataSource> {
    in_workspace(caller.workspace_id, id)
        .select(DataSource::as_select())
        .for_no_key_update()
        .get_result(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("data source"))
}
