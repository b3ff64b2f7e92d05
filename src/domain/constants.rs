//! Workspace constants: named values with one value per environment, GLOBAL (plain,
//! readable by every role) or SECRET (sealed like option secrets, never returned).
//! Option values reference them as `{{constants.NAME}}` / `{{secrets.NAME}}` (see
//! [`references`](super::references)); resolution and connection tests substitute the
//! environment's values. Admins create, set and delete them.

use std::collections::HashMap;

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Constant, ConstantValue, Environment};
use crate::db::schema::{constant_values, constants};
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::changes::{self, Change};
use crate::domain::ids::{ConstantId, EnvironmentId};
use crate::domain::permissions::Action;
use crate::domain::references::{self, Namespace};
use crate::domain::{Caller, environments, names, workspaces};
use crate::error::{AppError, AppResult};
use crate::secrets::{Binding, MasterKeys};

/// How references name `constant`: `constants.NAME` or `secrets.NAME`.
pub fn qualified_name(constant: &Constant) -> String {
    ConstantType::of(constant)
        .namespace()
        .qualify(&constant.name)
}

/// The option key a SECRET constant's value is bound to (with the constant's id in
/// place of a data source's), so a sealed value copied elsewhere does not open.
const SEALED_KEY: &str = "$constant";
/// The longest value, in bytes.
const MAX_VALUE_BYTES: usize = 16 * 1024;

/// GLOBAL or SECRET (so spelled in a workspace-config document).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum ConstantType {
    /// A plain value, readable by every role.
    Global,
    /// Sealed at rest, never returned.
    Secret,
}

impl ConstantType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Secret => "secret",
        }
    }

    /// The type stored in a row (the table's check constraint admits only these).
    pub fn of(constant: &Constant) -> Self {
        if constant.kind == Self::Secret.as_str() {
            Self::Secret
        } else {
            Self::Global
        }
    }

    /// The namespace references to a constant of this type use.
    pub fn namespace(self) -> Namespace {
        match self {
            Self::Global => Namespace::Constants,
            Self::Secret => Namespace::Secrets,
        }
    }
}

/// One environment's value as a client sends it; `None` clears it.
#[derive(Clone)]
pub struct ValueInput {
    pub environment_id: EnvironmentId,
    pub value: Option<String>,
}

// Values may be secrets: what is debug-printed never shows them.
impl std::fmt::Debug for ValueInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValueInput")
            .field("environment_id", &self.environment_id)
            .field("set", &self.value.is_some())
            .finish()
    }
}

/// The constants of the workspace by name (every role).
pub async fn list(conn: &mut Conn, caller: &Caller) -> AppResult<Vec<Constant>> {
    caller.require(Action::ReadConstants)?;
    Ok(catalog(conn, caller.workspace_id).await?)
}

/// Every constant of a workspace, by name.
pub async fn catalog(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<Vec<Constant>> {
    constants::table
        .filter(constants::workspace_id.eq(workspace_id))
        .order(constants::name.asc())
        .select(Constant::as_select())
        .load(conn)
        .await
}

/// The constant named `name` (exactly), if the workspace has one.
pub async fn by_name(conn: &mut Conn, caller: &Caller, name: &str) -> AppResult<Option<Constant>> {
    caller.require(Action::ReadConstants)?;
    Ok(constants::table
        .filter(constants::workspace_id.eq(caller.workspace_id))
        .filter(constants::name.eq(name))
        .select(Constant::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The stored values of these constants, every environment.
pub async fn values_of(
    conn: &mut Conn,
    workspace_id: Uuid,
    constant_ids: &[Uuid],
) -> QueryResult<Vec<ConstantValue>> {
    constant_values::table
        .filter(constant_values::workspace_id.eq(workspace_id))
        .filter(constant_values::constant_id.eq_any(constant_ids))
        .select(ConstantValue::as_select())
        .load(conn)
        .await
}

/// Each constant with its stored values, every environment, in one query.
pub async fn with_values(
    conn: &mut Conn,
    list: Vec<Constant>,
) -> QueryResult<Vec<(Constant, Vec<ConstantValue>)>> {
    let Some(workspace_id) = <[Constant]>::first(&list).map(|c| c.workspace_id) else {
        return Ok(Vec::new());
    };
    let ids: Vec<Uuid> = list.iter().map(|c| c.id).collect();
    let mut by_constant: HashMap<Uuid, Vec<ConstantValue>> = HashMap::new();
    for value in values_of(conn, workspace_id, &ids).await? {
        by_constant
            .entry(value.constant_id)
            .or_default()
            .push(value);
    }
    Ok(list
        .into_iter()
        .map(|c| {
            let values = by_constant.remove(&c.id).unwrap_or_default();
            (c, values)
        })
        .collect())
}

fn binding(constant_id: Uuid, environment_id: Uuid) -> Binding<'static> {
    Binding {
        data_source_id: constant_id,
        environment_id,
        key: SEALED_KEY,
    }
}

/// Opens (SECRET) or returns (GLOBAL) a stored value.
pub fn plaintext(
    constant: &Constant,
    value: &ConstantValue,
    master_keys: &MasterKeys,
) -> AppResult<String> {
    match ConstantType::of(constant) {
        ConstantType::Global => Ok(value.value.clone()),
        ConstantType::Secret => master_keys
            .open(&value.value, binding(constant.id, value.environment_id))
            .map_err(|e| {
                AppError::internal(anyhow::anyhow!(
                    "constant {} in environment {} does not open: {e}",
                    constant.id,
                    value.environment_id
                ))
            }),
    }
}

/// Re-seals a SECRET value under the current key when another key sealed it.
pub fn reseal(
    constant_id: Uuid,
    value: &mut ConstantValue,
    master_keys: &MasterKeys,
) -> AppResult<bool> {
    let current = master_keys.current().id();
    if crate::secrets::key_id_of(&value.value).is_none_or(|id| id == current) {
        return Ok(false);
    }
    let bound = binding(constant_id, value.environment_id);
    let plaintext = master_keys.open(&value.value, bound).map_err(|e| {
        AppError::internal(anyhow::anyhow!("constant {constant_id} does not open: {e}"))
    })?;
    value.value = master_keys.seal(&plaintext, bound);
    Ok(true)
}

/// BAD_USER_INPUT unless `value` may be a constant's value (in `environment`, which
/// the message names): at most [`MAX_VALUE_BYTES`] of text without NUL characters.
pub fn check_value(environment: &str, value: &str) -> AppResult<()> {
    if value.len() > MAX_VALUE_BYTES || value.contains('\0') {
        return Err(AppError::bad_field(
            "values",
            format!(
                "The value for {environment} must be at most {MAX_VALUE_BYTES} bytes of text without NUL characters."
            ),
        ));
    }
    Ok(())
}

/// The checked values of an input: environments the edition offers, each once.
fn checked_values<'a>(
    all: &'a [Environment],
    inputs: &[ValueInput],
    caller: &Caller,
) -> AppResult<Vec<(&'a Environment, Option<String>)>> {
    let mut checked: Vec<(&Environment, Option<String>)> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let environment = environments::find_offered(all, input.environment_id, caller)?;
        if checked.iter().any(|(e, _)| e.id == environment.id) {
            return Err(AppError::bad_field(
                "values",
                format!("{} is given more than once.", environment.name),
            ));
        }
        if let Some(value) = &input.value {
            check_value(&environment.name, value)?;
        }
        checked.push((environment, input.value.clone()));
    }
    Ok(checked)
}

/// Writes the values of one constant: a value is upserted (sealed for a SECRET one),
/// `None` removes it. Returns what an audit row says of it.
async fn write_values(
    conn: &mut Conn,
    constant: &Constant,
    values: &[(&Environment, Option<String>)],
    master_keys: &MasterKeys,
) -> AppResult<serde_json::Value> {
    let (mut set, mut cleared) = (Vec::new(), Vec::new());
    for (environment, value) in values {
        match value {
            Some(value) => {
                let stored = match ConstantType::of(constant) {
                    ConstantType::Global => value.clone(),
                    ConstantType::Secret => {
                        master_keys.seal(value, binding(constant.id, environment.id))
                    }
                };
                let row = ConstantValue {
                    workspace_id: constant.workspace_id,
                    constant_id: constant.id,
                    environment_id: environment.id,
                    value: stored,
                    updated_at: Utc::now(),
                };
                diesel::insert_into(constant_values::table)
                    .values(&row)
                    .on_conflict((
                        constant_values::constant_id,
                        constant_values::environment_id,
                    ))
                    .do_update()
                    .set((
                        constant_values::value.eq(&row.value),
                        constant_values::updated_at.eq(row.updated_at),
                    ))
                    .execute(conn)
                    .await?;
                set.push(environment.id);
            }
            None => {
                diesel::delete(constant_values::table.find((constant.id, environment.id)))
                    .execute(conn)
                    .await?;
                cleared.push(environment.id);
            }
        }
    }
    let changed: Vec<Uuid> = set.iter().chain(&cleared).copied().collect();
    notify_referencing(conn, constant, &changed).await?;
    Ok(
        json!({ "name": constant.name, "type": ConstantType::of(constant).as_str(), "set": set, "cleared": cleared }),
    )
}

/// Tells the subscribers of every data source whose options reference `constant` in
/// one of `environment_ids` that those options may have become configured or not:
/// one notification per data source, with the environments concerned.
async fn notify_referencing(
    conn: &mut Conn,
    constant: &Constant,
    environment_ids: &[Uuid],
) -> AppResult<()> {
    if environment_ids.is_empty() {
        return Ok(());
    }
    #[derive(QueryableByName)]
    struct Referencing {
        #[diesel(sql_type = SqlUuid)]
        data_source_id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
        environment_ids: Vec<Uuid>,
    }
    let rows: Vec<Referencing> = diesel::sql_query(
        "SELECT o.data_source_id, array_agg(o.environment_id ORDER BY o.environment_id) AS environment_ids
         FROM data_source_options o
         WHERE o.workspace_id = $1 AND o.environment_id = ANY($2) AND EXISTS (
             SELECT 1 FROM jsonb_each(o.\"references\") r, jsonb_array_elements_text(r.value) n WHERE n = $3)
         GROUP BY o.data_source_id ORDER BY o.data_source_id",
    )
    .bind::<SqlUuid, _>(constant.workspace_id)
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(environment_ids)
    .bind::<Text, _>(qualified_name(constant))
    .load(conn)
    .await?;
    for row in rows {
        let change = Change::ConstantChanged {
            workspace_id: constant.workspace_id,
            data_source_id: row.data_source_id,
            environment_ids: row.environment_ids,
        };
        changes::publish(conn, &change).await?;
    }
    Ok(())
}

/// The name as stored, trimmed: `[A-Za-z_][A-Za-z0-9_]{0,63}`, else BAD_USER_INPUT.
pub fn checked_name(name: &str) -> AppResult<&str> {
    let name = name.trim();
    if !references::is_valid_name(name) {
        return Err(AppError::bad_field(
            "name",
            "A constant's name is letters, digits and `_`, not starting with a digit, at most 64 characters.",
        ));
    }
    Ok(name)
}

/// Creates a constant with values for some environments (admins). Names match
/// `[A-Za-z_][A-Za-z0-9_]{0,63}` and are unique regardless of case.
pub async fn create(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    name: &str,
    kind: ConstantType,
    values: &[ValueInput],
) -> AppResult<Constant> {
    caller.require(Action::ManageConstants)?;
    let name = checked_name(name)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let values = checked_values(&all, values, caller)?;
        let now = Utc::now();
        let constant = diesel::insert_into(constants::table)
            .values(Constant {
                id: Uuid::new_v4(),
                workspace_id: caller.workspace_id,
                name: name.to_owned(),
                kind: kind.as_str().to_owned(),
                created_at: now,
                updated_at: now,
            })
            .returning(Constant::as_returning())
            .get_result(conn)
            .await
            .map_err(|e| names::taken(e, "A constant", name, "this workspace"))?;
        let details = write_values(conn, &constant, &values, master_keys).await?;
        audit::record(
            conn,
            caller,
            Event::new(AuditAction::ConstantCreated).details(details),
        )
        .await?;
        Ok(constant)
    })
    .await
}

/// The constant `id` names in the workspace, its row locked; NOT_FOUND when none.
async fn locked(
    conn: &mut Conn,
    caller: &Caller,
    ConstantId(id): ConstantId,
) -> AppResult<Constant> {
    constants::table
        .filter(constants::workspace_id.eq(caller.workspace_id))
        .filter(constants::id.eq(id))
        .select(Constant::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or(AppError::NotFound("constant"))
}

/// Sets or clears (with `None`) a constant's value in some environments (admins);
/// the other environments keep theirs.
pub async fn set_values(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    id: ConstantId,
    values: &[ValueInput],
) -> AppResult<Constant> {
    caller.require(Action::ManageConstants)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        let constant = locked(conn, caller, id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let values = checked_values(&all, values, caller)?;
        let details = write_values(conn, &constant, &values, master_keys).await?;
        let constant = diesel::update(constants::table.find(constant.id))
            .set(constants::updated_at.eq(Utc::now()))
            .returning(Constant::as_returning())
            .get_result(conn)
            .await?;
        audit::record(
            conn,
            caller,
            Event::new(AuditAction::ConstantUpdated).details(details),
        )
        .await?;
        Ok(constant)
    })
    .await
}

/// Deletes a constant and its values (admins); refused while an option references it,
/// naming the data sources.
pub async fn delete(conn: &mut Conn, caller: &Caller, id: ConstantId) -> AppResult<Uuid> {
    caller.require(Action::ManageConstants)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let constant = locked(conn, caller, id).await?;
        let qualified = qualified_name(&constant);
        let users = referencing(conn, caller.workspace_id, &qualified).await?;
        if !users.is_empty() {
            return Err(AppError::bad_input(format!(
                "{} is referenced by the options of {}: remove those references first.",
                constant.name,
                users
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        diesel::delete(constants::table.find(constant.id))
            .execute(conn)
            .await?;
        let event = Event::new(AuditAction::ConstantDeleted).details(
            json!({ "name": constant.name, "type": ConstantType::of(&constant).as_str() }),
        );
        audit::record(conn, caller, event).await?;
        Ok(constant.id)
    })
    .await
}

/// The names of the data sources whose options reference `qualified`
/// (`constants.NAME` or `secrets.NAME`).
async fn referencing(
    conn: &mut Conn,
    workspace_id: Uuid,
    qualified: &str,
) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let rows: Vec<Name> = diesel::sql_query(
        "SELECT DISTINCT d.name FROM data_source_options o JOIN data_sources d ON d.id = o.data_source_id
         WHERE o.workspace_id = $1 AND EXISTS (
             SELECT 1 FROM jsonb_each(o.\"references\") r, jsonb_array_elements_text(r.value) n WHERE n = $2)
         ORDER BY d.name",
    )
    .bind::<SqlUuid, _>(workspace_id)
    .bind::<Text, _>(qualified)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// The constants `qualified` names (`constants.NAME`, `secrets.NAME`) that exist in the
/// workspace with the right type, held still (FOR SHARE) until the transaction ends so
/// none is deleted under a save that references it. The error names the first
/// unknown or wrongly namespaced one.
pub async fn check_references(
    conn: &mut Conn,
    workspace_id: Uuid,
    field: &str,
    referenced: &[(Namespace, String)],
) -> AppResult<()> {
    if referenced.is_empty() {
        return Ok(());
    }
    let wanted: Vec<&str> = referenced.iter().map(|(_, n)| n.as_str()).collect();
    let found: Vec<Constant> = constants::table
        .filter(constants::workspace_id.eq(workspace_id))
        .filter(constants::name.eq_any(&wanted))
        .select(Constant::as_select())
        .for_share()
        .load(conn)
        .await?;
    for (namespace, name) in referenced {
        let kind = found.iter().find(|c| &c.name == name).map(ConstantType::of);
        check_reference(field, *namespace, name, kind)?;
    }
    Ok(())
}

/// BAD_USER_INPUT, naming the field and the constant, unless a reference from option
/// `field` to `namespace.name` finds a constant of the right type (`kind`: the type of
/// the constant of that name, `None` when there is none).
pub fn check_reference(
    field: &str,
    namespace: Namespace,
    name: &str,
    kind: Option<ConstantType>,
) -> AppResult<()> {
    let Some(kind) = kind else {
        return Err(AppError::bad_field(
            field,
            format!(
                "Option `{field}` references {}.{name}, but the workspace has no constant {name}.",
                namespace.as_str()
            ),
        ));
    };
    if kind.namespace() != namespace {
        return Err(AppError::bad_field(
            field,
            format!(
                "Option `{field}` references {}.{name}, but {name} is a {} constant: write {{{{{}.{name}}}}}.",
                namespace.as_str(),
                kind.as_str().to_uppercase(),
                kind.namespace().as_str()
            ),
        ));
    }
    Ok(())
}

/// The values, in one environment, of the constants `qualified` names, decrypted,
/// keyed by qualified name; a constant without a value there is left out.
pub async fn values_in(
    conn: &mut Conn,
    master_keys: &MasterKeys,
    workspace_id: Uuid,
    environment_id: Uuid,
    qualified: &[String],
) -> AppResult<HashMap<String, String>> {
    let names: Vec<&str> = qualified
        .iter()
        .filter_map(|q| q.split_once('.').map(|(_, n)| n))
        .collect();
    let rows: Vec<(Constant, ConstantValue)> = constants::table
        .inner_join(
            constant_values::table.on(constant_values::constant_id
                .eq(constants::id)
                .and(constant_values::environment_id.eq(environment_id))),
        )
        .filter(constants::workspace_id.eq(workspace_id))
        .filter(constants::name.eq_any(&names))
        .select((Constant::as_select(), ConstantValue::as_select()))
        .load(conn)
        .await?;
    let mut values = HashMap::new();
    for (constant, value) in rows {
        values.insert(
            qualified_name(&constant),
            plaintext(&constant, &value, master_keys)?,
        );
    }
    Ok(values)
}

/// Which qualified names have a value in which environment, for the workspace: what
/// `configured` needs, without opening any secret.
pub async fn availability(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<Vec<(String, Uuid)>> {
    let rows = availability_query(workspace_id).load(conn).await?;
    Ok(qualified(rows))
}

/// [`availability`], the rows locked `FOR SHARE` until the transaction ends: a value
/// being cleared is waited for and read as it commits, and none is cleared meanwhile.
pub async fn availability_shared(
    conn: &mut Conn,
    workspace_id: Uuid,
) -> QueryResult<Vec<(String, Uuid)>> {
    let rows = availability_query(workspace_id)
        .for_share()
        .load(conn)
        .await?;
    Ok(qualified(rows))
}

#[diesel::dsl::auto_type(no_type_alias)]
fn availability_query(workspace_id: Uuid) -> _ {
    let constant: diesel::dsl::AsSelect<Constant, diesel::pg::Pg> = Constant::as_select();
    constants::table
        .inner_join(constant_values::table.on(constant_values::constant_id.eq(constants::id)))
        .filter(constants::workspace_id.eq(workspace_id))
        .select((constant, constant_values::environment_id))
}

fn qualified(rows: Vec<(Constant, Uuid)>) -> Vec<(String, Uuid)> {
    rows.into_iter()
        .map(|(constant, environment)| (qualified_name(&constant), environment))
        .collect()
}
