//! A data source's options rows, one per environment: reading them (secrets still
//! sealed), saving one (a patch of one environment, checked against its revision),
//! and copying one environment's to another.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{DataSource, DataSourceOptions, Environment};
use crate::db::schema::{data_source_options, data_sources};
use crate::domain::access::Permission;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::changes::{self, Change};
use crate::domain::ids::{DataSourceId, EnvironmentId};
use crate::domain::kinds::Kind;
use crate::domain::options::{self, OptionInput};
use crate::domain::permissions::Action;
use crate::domain::{Caller, constants, environments, workspaces};
use crate::error::{AppError, AppResult};
use crate::secrets::MasterKeys;

use super::{kind_of, locked};

/// What `updateDataSourceOptions` asks for.
#[derive(Debug, Clone)]
pub struct OptionsUpdate {
    pub data_source_id: DataSourceId,
    pub environment_id: EnvironmentId,
    pub options: Vec<OptionInput>,
    pub expected_revision: Option<i32>,
}

/// What `copyDataSourceOptions` asks for.
#[derive(Debug, Clone)]
pub struct OptionsCopy {
    pub data_source_id: DataSourceId,
    pub from_environment_id: EnvironmentId,
    pub to_environment_id: EnvironmentId,
    pub include_secrets: bool,
    /// The target environment's revision the caller last saw.
    pub expected_revision: Option<i32>,
}

/// The options rows of these data sources in the workspace, every environment.
pub async fn options_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    data_source_ids: &[Uuid],
) -> QueryResult<Vec<DataSourceOptions>> {
    data_source_options::table
        .filter(data_source_options::workspace_id.eq(workspace_id))
        .filter(data_source_options::data_source_id.eq_any(data_source_ids))
        .select(DataSourceOptions::as_select())
        .load(conn)
        .await
}

/// The options rows of these data sources in one environment of the workspace.
pub async fn options_in(
    conn: &mut Conn,
    workspace_id: Uuid,
    data_source_ids: &[Uuid],
    environment_id: Uuid,
) -> QueryResult<Vec<DataSourceOptions>> {
    options_in_query(workspace_id, data_source_ids, environment_id)
        .load(conn)
        .await
}

/// [`options_in`], the rows locked `FOR SHARE` until the transaction ends: a save
/// under way is waited for and read as it commits, and none starts meanwhile.
pub async fn options_in_shared(
    conn: &mut Conn,
    workspace_id: Uuid,
    data_source_ids: &[Uuid],
    environment_id: Uuid,
) -> QueryResult<Vec<DataSourceOptions>> {
    options_in_query(workspace_id, data_source_ids, environment_id)
        .for_share()
        .load(conn)
        .await
}

#[diesel::dsl::auto_type(no_type_alias)]
fn options_in_query<'a>(
    workspace_id: Uuid,
    data_source_ids: &'a [Uuid],
    environment_id: Uuid,
) -> _ {
    let selection: diesel::dsl::AsSelect<DataSourceOptions, diesel::pg::Pg> =
        DataSourceOptions::as_select();
    data_source_options::table
        .filter(data_source_options::workspace_id.eq(workspace_id))
        .filter(data_source_options::environment_id.eq(environment_id))
        .filter(data_source_options::data_source_id.eq_any(data_source_ids))
        .select(selection)
}

/// Takes one environment's row out of a data source's options rows; an environment
/// that has none (added after the data source, or unlocked by a license) reads as an
/// empty row.
pub fn take_options(
    rows: &mut Vec<DataSourceOptions>,
    data_source: &DataSource,
    environment_id: Uuid,
) -> DataSourceOptions {
    match rows.iter().position(|r| r.environment_id == environment_id) {
        Some(i) => rows.swap_remove(i),
        None => empty_options(data_source, environment_id),
    }
}

/// An empty options row: what an environment without stored options reads as.
pub(super) fn empty_options(data_source: &DataSource, environment_id: Uuid) -> DataSourceOptions {
    empty_row(data_source.workspace_id, data_source.id, environment_id)
}

pub(super) fn empty_row(
    workspace_id: Uuid,
    data_source_id: Uuid,
    environment_id: Uuid,
) -> DataSourceOptions {
    DataSourceOptions {
        workspace_id,
        data_source_id,
        environment_id,
        values: json!({}),
        secrets: json!({}),
        revision: 0,
        updated_at: None,
        updated_by: None,
        references: json!({}),
    }
}

/// Saves one environment's options as a patch: keys left out keep their values, `null`
/// clears. Refused with REVISION_CONFLICT when `expected_revision` is stale, also when
/// two saves race: the row is locked while the revision is compared.
pub async fn update_options(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    input: OptionsUpdate,
) -> AppResult<(&'static Kind, DataSourceOptions)> {
    caller.require(Action::ReadDataSources)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let environment = environments::find_offered(&all, input.environment_id, caller)?;
        caller.require_in(Permission::EditOptions, environment)?;
        let data_source = locked(conn, caller, input.data_source_id).await?;
        let kind = kind_of(&data_source)?;
        let changes = options::validate(kind, &input.options)?;
        check_references(conn, caller, &changes).await?;
        let mut row = locked_row(conn, &data_source, environment).await?;
        check_revision(&row, input.expected_revision, environment)?;
        options::check_endpoint_change(kind, &row, &changes)?;
        options::apply(&mut row, &changes, master_keys);
        let saved = save(conn, caller, row).await?;
        let mut details = options::audit_details(&changes);
        details["revision"] = json!(saved.revision);
        let event = Event::new(AuditAction::OptionsUpdated)
            .data_source(data_source.id)
            .environment(environment.id)
            .details(details);
        audit::record(conn, caller, event).await?;
        changes::publish(conn, &options_changed(&saved)).await?;
        Ok((kind, saved))
    })
    .await
}

/// Copies one environment's options onto another (see [`options::copy`]).
pub async fn copy_options(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    input: OptionsCopy,
) -> AppResult<(&'static Kind, DataSourceOptions)> {
    caller.require(Action::ReadDataSources)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let from = environments::find_offered(&all, input.from_environment_id, caller)?;
        let to = environments::find_offered(&all, input.to_environment_id, caller)?;
        // Both ends: what is copied is read there, and written here.
        caller.require_in(Permission::ReadOptions, from)?;
        caller.require_in(Permission::EditOptions, to)?;
        let data_source = locked(conn, caller, input.data_source_id).await?;
        let kind = kind_of(&data_source)?;
        if from.id == to.id {
            return Err(AppError::bad_field(
                "toEnvironmentId",
                "Options can't be copied onto the environment they come from.",
            ));
        }
        // Lock in priority order so that two opposite copies can't deadlock.
        let (first, second) = if from.priority < to.priority {
            (from, to)
        } else {
            (to, from)
        };
        let first_row = locked_row(conn, &data_source, first).await?;
        let second_row = locked_row(conn, &data_source, second).await?;
        let (source, mut target) = if first.id == from.id {
            (first_row, second_row)
        } else {
            (second_row, first_row)
        };
        check_revision(&target, input.expected_revision, to)?;
        options::check_copy_endpoint(kind, &source, &target, input.include_secrets)?;
        options::copy(
            kind,
            &source,
            &mut target,
            input.include_secrets,
            master_keys,
        )?;
        let saved = save(conn, caller, target).await?;
        let event = Event::new(AuditAction::OptionsCopied)
            .data_source(data_source.id)
            .environment(to.id)
            .details(json!({
                "from": from.id,
                "includeSecrets": input.include_secrets,
                "revision": saved.revision,
            }));
        audit::record(conn, caller, event).await?;
        changes::publish(conn, &options_changed(&saved)).await?;
        Ok((kind, saved))
    })
    .await
}

/// BAD_USER_INPUT, naming the field and the constant, unless every constant the
/// changes reference exists with the right type (held still until the save commits).
pub(super) async fn check_references(
    conn: &mut Conn,
    caller: &Caller,
    changes: &[options::Change],
) -> AppResult<()> {
    for change in changes.iter().filter(|c| !c.references.is_empty()) {
        constants::check_references(
            conn,
            caller.workspace_id,
            change.field.key,
            &change.references,
        )
        .await?;
    }
    Ok(())
}

/// The change a save of one options row announces.
fn options_changed(row: &DataSourceOptions) -> Change {
    Change::Options {
        workspace_id: row.workspace_id,
        data_source_id: Some(row.data_source_id),
        environment_ids: vec![row.environment_id],
    }
}

async fn locked_row(
    conn: &mut Conn,
    data_source: &DataSource,
    environment: &Environment,
) -> AppResult<DataSourceOptions> {
    let lock = || {
        data_source_options::table
            .filter(data_source_options::data_source_id.eq(data_source.id))
            .filter(data_source_options::environment_id.eq(environment.id))
            .select(DataSourceOptions::as_select())
            .for_update()
    };
    if let Some(row) = lock().get_result(conn).await.optional()? {
        return Ok(row);
    }
    // An environment added after the data source has no row yet: make an empty one
    // (a concurrent save may make it first).
    diesel::insert_into(data_source_options::table)
        .values(empty_options(data_source, environment.id))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(lock().get_result(conn).await?)
}

fn check_revision(
    row: &DataSourceOptions,
    expected: Option<i32>,
    environment: &Environment,
) -> AppResult<()> {
    match expected {
        Some(expected) if expected != row.revision => Err(AppError::RevisionConflict {
            message: format!(
                "The {} options changed since you loaded them (revision {expected}, now {}); reload and try again.",
                environment.name, row.revision
            ),
            current: row.revision,
        }),
        _ => Ok(()),
    }
}

async fn save(
    conn: &mut Conn,
    caller: &Caller,
    row: DataSourceOptions,
) -> AppResult<DataSourceOptions> {
    let now = Utc::now();
    diesel::update(data_sources::table.find(row.data_source_id))
        .set(data_sources::updated_at.eq(now))
        .execute(conn)
        .await?;
    Ok(
        diesel::update(data_source_options::table.find((row.data_source_id, row.environment_id)))
            .set((
                data_source_options::values.eq(&row.values),
                data_source_options::secrets.eq(&row.secrets),
                data_source_options::references.eq(&row.references),
                data_source_options::revision.eq(data_source_options::revision + 1),
                data_source_options::updated_at.eq(now),
                data_source_options::updated_by.eq(&caller.user_id),
            ))
            .returning(DataSourceOptions::as_returning())
            .get_result(conn)
            .await?,
    )
}
