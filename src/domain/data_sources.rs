//! Data sources: a name unique in the workspace, a kind, and one set of options per
//! environment. Admins create, rename, delete, configure, copy and test them; everyone
//! in the workspace reads them with secrets masked.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{DataSource, DataSourceOptions, Environment, NewDataSource};
use crate::db::schema::{
    apps, data_source_options, data_sources, environment_selections,
    environments as environment_rows,
};
use crate::domain::access::Permission;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::changes::{self, Change};
use crate::domain::kinds::{self, Kind};
use crate::domain::options::{self, OptionInput};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::permissions::Action;
use crate::domain::{Caller, constants, environments, ids, names, workspaces};
use crate::error::{AppError, AppResult};
use crate::secrets::MasterKeys;

/// What `createDataSource` asks for.
#[derive(Debug, Clone)]
pub struct NewDataSourceInput {
    pub name: String,
    pub kind: String,
    /// The environment the options are for; the default one when `None`.
    pub environment_id: Option<String>,
    pub options: Vec<OptionInput>,
}

/// What `updateDataSourceOptions` asks for.
#[derive(Debug, Clone)]
pub struct OptionsUpdate {
    pub data_source_id: String,
    pub environment_id: String,
    pub options: Vec<OptionInput>,
    pub expected_revision: Option<i32>,
}

/// What `copyDataSourceOptions` asks for.
#[derive(Debug, Clone)]
pub struct OptionsCopy {
    pub data_source_id: String,
    pub from_environment_id: String,
    pub to_environment_id: String,
    pub include_secrets: bool,
    /// The target environment's revision the caller last saw.
    pub expected_revision: Option<i32>,
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
pub async fn get(conn: &mut Conn, caller: &Caller, id: &str) -> AppResult<DataSource> {
    caller.require(Action::ReadDataSources)?;
    let id = ids::parse(id, "data source")?;
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

/// What resolving a data source for an app run decides on (see
/// [`crate::domain::resolution`]), read in one statement.
pub struct ForResolution {
    pub data_source: DataSource,
    /// The app's id when the app is the workspace's, else `None`.
    pub app_id: Option<Uuid>,
    /// The environment the user last selected for the app, as stored.
    pub selected: Option<Uuid>,
    /// Every environment of the workspace, by priority.
    pub environments: Vec<Environment>,
    /// The data source's options rows stored in those environments (see
    /// [`take_options`] for one that has none).
    pub options: Vec<DataSourceOptions>,
}

/// One row of [`for_resolution`]: the data source, the app's id, the selected
/// environment's id, one environment and the data source's options row there.
type ResolutionRow = (
    DataSource,
    Option<Uuid>,
    Option<Uuid>,
    Option<Environment>,
    Option<DataSourceOptions>,
);

/// The data source `data_source_id` of the workspace with what resolving it for an
/// app run needs, in one round trip: whether the app is the workspace's, the
/// environment `user_id` selected for it, and every environment of the workspace with
/// this data source's options row there. `None` when the data source is not the
/// workspace's. Every table is filtered by `workspace_id`; an app or user given as
/// `None` matches nothing. Nothing is checked here: the caller chooses the environment
/// and checks it before the row is decrypted.
pub async fn for_resolution(
    conn: &mut Conn,
    workspace_id: Uuid,
    data_source_id: Uuid,
    app_id: Option<Uuid>,
    user_id: Option<&str>,
) -> QueryResult<Option<ForResolution>> {
    let rows: Vec<ResolutionRow> = data_sources::table
        .left_join(
            apps::table.on(apps::workspace_id
                .eq(workspace_id)
                .and(apps::id.nullable().eq(app_id))),
        )
        .left_join(
            environment_selections::table.on(environment_selections::workspace_id
                .eq(workspace_id)
                .and(environment_selections::app_id.eq(apps::id))
                .and(
                    environment_selections::user_id
                        .nullable()
                        .eq(user_id.map(str::to_owned)),
                )),
        )
        .left_join(environment_rows::table.on(environment_rows::workspace_id.eq(workspace_id)))
        .left_join(
            data_source_options::table.on(data_source_options::workspace_id
                .eq(workspace_id)
                .and(data_source_options::data_source_id.eq(data_sources::id))
                .and(data_source_options::environment_id.eq(environment_rows::id))),
        )
        .filter(data_sources::workspace_id.eq(workspace_id))
        .filter(data_sources::id.eq(data_source_id))
        .order(environment_rows::priority.asc())
        .select((
            DataSource::as_select(),
            apps::id.nullable(),
            environment_selections::environment_id.nullable(),
            Option::<Environment>::as_select(),
            Option::<DataSourceOptions>::as_select(),
        ))
        .load(conn)
        .await?;
    // One row per environment (one with none when the workspace has none), each
    // repeating the data source, the app and the selection.
    let Some((data_source, app_id, selected, _, _)) = rows.as_slice().first().cloned() else {
        return Ok(None);
    };
    let (environments, options) = rows
        .into_iter()
        .filter_map(|(_, _, _, environment, options)| Some((environment?, options)))
        .unzip::<_, _, Vec<_>, Vec<_>>();
    Ok(Some(ForResolution {
        data_source,
        app_id,
        selected,
        environments,
        options: options.into_iter().flatten().collect(),
    }))
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
fn empty_options(data_source: &DataSource, environment_id: Uuid) -> DataSourceOptions {
    empty_row(data_source.workspace_id, data_source.id, environment_id)
}

fn empty_row(workspace_id: Uuid, data_source_id: Uuid, environment_id: Uuid) -> DataSourceOptions {
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
        let target =
            environments::chosen_or_default(&all, input.environment_id.as_deref(), caller)?.id;
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
    id: &str,
    name: &str,
) -> AppResult<DataSource> {
    caller.require(Action::ManageDataSources)?;
    let name = names::checked(name)?;
    let id = ids::parse(id, "data source")?;
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
pub async fn delete(conn: &mut Conn, caller: &Caller, id: &str) -> AppResult<Uuid> {
    caller.require(Action::ManageDataSources)?;
    let id = ids::parse(id, "data source")?;
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
        let environment = environments::find_offered(&all, &input.environment_id, caller)?;
        caller.require_in(Permission::EditOptions, environment)?;
        let data_source = locked(conn, caller, &input.data_source_id).await?;
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
        let from = environments::find_offered(&all, &input.from_environment_id, caller)?;
        let to = environments::find_offered(&all, &input.to_environment_id, caller)?;
        // Both ends: what is copied is read there, and written here.
        caller.require_in(Permission::ReadOptions, from)?;
        caller.require_in(Permission::EditOptions, to)?;
        let data_source = locked(conn, caller, &input.data_source_id).await?;
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

/// One environment's options with secrets decrypted, ready for a connection test
/// (TEST_CONNECTION there); the test itself runs after the database connection is given back (see
/// [`crate::domain::connection_test::run`]).
pub async fn connection_options(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    data_source_id: &str,
    environment_id: &str,
) -> AppResult<TestTarget> {
    caller.require(Action::ReadDataSources)?;
    let all = environments::all(conn, caller.workspace_id).await?;
    let environment = environments::find_offered(&all, environment_id, caller)?;
    caller.require_in(Permission::TestConnection, environment)?;
    let data_source = get(conn, caller, data_source_id).await?;
    let decrypted = decrypted_options(conn, master_keys, &data_source, environment).await?;
    Ok(TestTarget {
        data_source_id: data_source.id,
        environment_id: environment.id,
        decrypted,
    })
}

/// What a connection test connects with.
pub struct TestTarget {
    pub data_source_id: Uuid,
    pub environment_id: Uuid,
    /// Secrets decrypted: never logged (no `Debug`), never returned.
    pub decrypted: Decrypted,
}

/// One environment's options with secrets decrypted and typed, keyed by option key:
/// for the connection test and the query runner only, never for a client's view.
/// ENVIRONMENT_NOT_CONFIGURED, naming the environment and the missing fields, when a
/// required option is unset: never another environment's values instead.
pub async fn decrypted_options(
    conn: &mut Conn,
    master_keys: &MasterKeys,
    data_source: &DataSource,
    environment: &Environment,
) -> AppResult<Decrypted> {
    let row = data_source_options::table
        .filter(data_source_options::workspace_id.eq(data_source.workspace_id))
        .filter(data_source_options::data_source_id.eq(data_source.id))
        .filter(data_source_options::environment_id.eq(environment.id))
        .select(DataSourceOptions::as_select())
        .first(conn)
        .await
        .optional()?
        .unwrap_or_else(|| empty_options(data_source, environment.id));
    decrypted(conn, master_keys, data_source, environment, &row).await
}

/// [`decrypted_options`] of an options row already read (`row` is `environment`'s):
/// the constants it references are read when there are any.
pub async fn decrypted(
    conn: &mut Conn,
    master_keys: &MasterKeys,
    data_source: &DataSource,
    environment: &Environment,
    row: &DataSourceOptions,
) -> AppResult<Decrypted> {
    debug_assert_eq!(row.environment_id, environment.id);
    let kind = kind_of(data_source)?;
    require_configured(kind, data_source, environment, row)?;
    let mut options = options::decrypted(kind, row, master_keys)?;
    let mut secret_texts = Vec::new();
    let referenced = options::referenced(row);
    if !referenced.is_empty() {
        let values = constants::values_in(
            conn,
            master_keys,
            data_source.workspace_id,
            environment.id,
            &referenced,
        )
        .await?;
        options::substitute(&mut options, row, &values).map_err(|missing| {
            AppError::EnvironmentNotConfigured(format!(
                "Data source \"{}\" is not configured in {}: constant {missing} has no value there.",
                data_source.name, environment.name
            ))
        })?;
        // A SECRET constant may stand in any field, a host as well as a password.
        secret_texts.extend(
            values
                .into_iter()
                .filter(|(name, _)| name.starts_with("secrets."))
                .map(|(_, value)| value),
        );
    }
    // Substituted, the values follow their formats again (a constant can't add an
    // option a saved string may not hold), also values saved before a rule existed.
    options::check_resolved(kind, &options)?;
    secret_texts.extend(
        options
            .iter()
            .filter(|(key, _)| kind.field(key).is_some_and(|f| f.secret))
            .filter_map(|(_, value)| value.as_str().map(str::to_owned)),
    );
    secret_texts.retain(|t| !t.is_empty());
    Ok(Decrypted {
        kind,
        options,
        secret_texts,
    })
}

/// One environment's options decrypted, references substituted.
pub struct Decrypted {
    pub kind: &'static Kind,
    /// Typed values keyed by option key; secrets in plain text.
    pub options: Map<String, Value>,
    /// Every secret text in `options` (secret fields, SECRET constants' values): what
    /// a message built from the options must never show.
    pub secret_texts: Vec<String>,
}

/// BAD_USER_INPUT, naming the field and the constant, unless every constant the
/// changes reference exists with the right type (held still until the save commits).
async fn check_references(
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

/// ENVIRONMENT_NOT_CONFIGURED, naming what is missing, unless every required option is set.
pub fn require_configured(
    kind: &Kind,
    data_source: &DataSource,
    environment: &Environment,
    row: &DataSourceOptions,
) -> AppResult<()> {
    let missing = options::missing_required(kind, row);
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::EnvironmentNotConfigured(format!(
        "Data source \"{}\" is not configured in {}: missing {}.",
        data_source.name,
        environment.name,
        missing.join(", ")
    )))
}

/// The change a save of one options row announces.
fn options_changed(row: &DataSourceOptions) -> Change {
    Change::Options {
        workspace_id: row.workspace_id,
        data_source_id: Some(row.data_source_id),
        environment_ids: vec![row.environment_id],
    }
}

/// The data source `id` names, its row locked for the transaction before any of its
/// options rows: every writer (and a delete) takes the locks in that order, so none
/// deadlocks. NOT_FOUND when there is none (also when it was deleted meanwhile).
async fn locked(conn: &mut Conn, caller: &Caller, id: &str) -> AppResult<DataSource> {
    let id = ids::parse(id, "data source")?;
    in_workspace(caller.workspace_id, id)
        .select(DataSource::as_select())
        .for_no_key_update()
        .get_result(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("data source"))
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
