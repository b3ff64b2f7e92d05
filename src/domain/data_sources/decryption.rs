//! Opening a data source's options: one environment's row decrypted, constants
//! substituted and checked, for the connection test and for runtime resolution (which
//! reads everything it needs in one statement, [`for_resolution`]).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{DataSource, DataSourceOptions, Environment};
use crate::db::schema::{
    apps, data_source_options, data_sources, environment_selections,
    environments as environment_rows,
};
use crate::domain::access::Permission;
use crate::domain::ids::{DataSourceId, EnvironmentId};
use crate::domain::kinds::Kind;
use crate::domain::options;
use crate::domain::permissions::Action;
use crate::domain::{Caller, constants, environments};
use crate::error::{AppError, AppResult};
use crate::secrets::MasterKeys;

use super::option_rows::empty_options;
use super::{get, kind_of};

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
/// workspace's. Every table is filtered by `workspace_id`; an unknown app, or a user
/// given as `None`, matches nothing. Nothing is checked here: the caller chooses the environment
/// and checks it before the row is decrypted.
pub async fn for_resolution(
    conn: &mut Conn,
    workspace_id: Uuid,
    data_source_id: Uuid,
    app_id: Uuid,
    user_id: Option<&str>,
) -> QueryResult<Option<ForResolution>> {
    let rows: Vec<ResolutionRow> = data_sources::table
        .left_join(apps::table.on(apps::workspace_id.eq(workspace_id).and(apps::id.eq(app_id))))
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

/// One environment's options with secrets decrypted, ready for a connection test
/// (TEST_CONNECTION there); the test itself runs after the database connection is given back (see
/// [`crate::domain::connection_test::run`]).
pub async fn connection_options(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    data_source_id: DataSourceId,
    environment_id: EnvironmentId,
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
