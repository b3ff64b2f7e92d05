//! Drift between two environments of a workspace: per data source, the option keys
//! whose values (non-secrets) or set-state (secrets) differ, and for admins whether two
//! set secrets differ (opened in memory, compared, never returned); per constant, the
//! set-state and GLOBAL values. READ_OPTIONS on both environments; one query per table.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Role;
use crate::db::Conn;
use crate::db::models::{Constant, ConstantValue, DataSource, DataSourceOptions, Environment};
use crate::db::schema::{data_source_options, data_sources};
use crate::domain::constants::{self, ConstantType};
use crate::domain::data_sources as sources;
use crate::domain::ids::EnvironmentId;
use crate::domain::kinds::Kind;
use crate::domain::permissions::Action;
use crate::domain::{Caller, environments, options};
use crate::error::AppResult;
use crate::secrets::MasterKeys;

/// What differs between two environments.
pub struct Diff {
    pub from: Environment,
    pub to: Environment,
    /// By data source name; only data sources with a difference.
    pub data_sources: Vec<DataSourceDiff>,
    /// By constant name; only constants with a difference.
    pub constants: Vec<ConstantDiff>,
}

/// One data source's differences.
pub struct DataSourceDiff {
    pub data_source: DataSource,
    pub from_configured: bool,
    pub to_configured: bool,
    /// Only the keys that differ, in the kind's order.
    pub options: Vec<OptionDiff>,
}

/// One option key that differs.
#[derive(Debug, PartialEq)]
pub struct OptionDiff {
    pub key: &'static str,
    pub secret: bool,
    /// The value in each environment; `None` for secrets and unset fields.
    pub from: Option<Value>,
    pub to: Option<Value>,
    pub from_set: bool,
    pub to_set: bool,
}

/// One constant that differs.
pub struct ConstantDiff {
    pub constant: Constant,
    /// Its stored values in every environment (what `WorkspaceConstant.values` reads).
    pub values: Vec<ConstantValue>,
    pub from_set: bool,
    pub to_set: bool,
    /// GLOBAL values; `None` for SECRET ones.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What differs between environments `from` and `to` (ids) of the caller's workspace.
pub async fn between(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    from: EnvironmentId,
    to: EnvironmentId,
) -> AppResult<Diff> {
    caller.require(Action::CompareEnvironments)?;
    let all = environments::all(conn, caller.workspace_id).await?;
    let from = environments::find_readable(&all, from, caller)?.clone();
    let to = environments::find_readable(&all, to, caller)?.clone();
    // Admins may learn whether two set secrets differ (never what they are).
    let compare_secrets = caller.role == Role::Admin;

    let rows: Vec<(DataSource, DataSourceOptions)> = data_sources::table
        .inner_join(
            data_source_options::table.on(data_source_options::data_source_id
                .eq(data_sources::id)
                .and(data_source_options::workspace_id.eq(data_sources::workspace_id))),
        )
        .filter(data_sources::workspace_id.eq(caller.workspace_id))
        .filter(data_source_options::environment_id.eq_any([from.id, to.id]))
        .order((data_sources::name.asc(), data_sources::id.asc()))
        .select((DataSource::as_select(), DataSourceOptions::as_select()))
        .load(conn)
        .await?;
    let catalog = constants::catalog(conn, caller.workspace_id).await?;
    let ids: Vec<Uuid> = catalog.iter().map(|c| c.id).collect();
    let mut values_by_constant: HashMap<Uuid, Vec<ConstantValue>> = HashMap::new();
    for value in constants::values_of(conn, caller.workspace_id, &ids).await? {
        values_by_constant
            .entry(value.constant_id)
            .or_default()
            .push(value);
    }
    // Which constant has a value where, for `configured`.
    let available: Vec<(String, Uuid)> = catalog
        .iter()
        .flat_map(|c| {
            let name = constants::qualified_name(c);
            values_by_constant
                .get(&c.id)
                .into_iter()
                .flatten()
                .map(move |v| (name.clone(), v.environment_id))
        })
        .collect();
    let configured = |kind: &Kind, row: &DataSourceOptions| {
        options::configured(kind, row) && options::missing_constants(row, &available).is_empty()
    };

    let mut data_source_diffs = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while let Some((data_source, first)) = rows.next() {
        let mut pair = vec![first];
        while let Some((_, row)) = rows.next_if(|(d, _)| d.id == data_source.id) {
            pair.push(row);
        }
        let kind = sources::kind_of(&data_source)?;
        let from_row = sources::take_options(&mut pair, &data_source, from.id);
        let to_row = if to.id == from.id {
            from_row.clone()
        } else {
            sources::take_options(&mut pair, &data_source, to.id)
        };
        let differences = option_differences(kind, &from_row, &to_row, |key| {
            if !compare_secrets {
                return Ok(false);
            }
            Ok(options::secret_plaintext(&from_row, key, master_keys)?
                != options::secret_plaintext(&to_row, key, master_keys)?)
        })?;
        let (from_configured, to_configured) =
            (configured(kind, &from_row), configured(kind, &to_row));
        if !differences.is_empty() || from_configured != to_configured {
            data_source_diffs.push(DataSourceDiff {
                data_source,
                from_configured,
                to_configured,
                options: differences,
            });
        }
    }

    let mut constant_diffs = Vec::new();
    for constant in catalog {
        let values = values_by_constant.remove(&constant.id).unwrap_or_default();
        let value_in = |environment: Uuid| values.iter().find(|v| v.environment_id == environment);
        let (from_value, to_value) = (value_in(from.id), value_in(to.id));
        let differs = match (from_value, to_value) {
            (Some(a), Some(b)) => match ConstantType::of(&constant) {
                ConstantType::Global => a.value != b.value,
                ConstantType::Secret => {
                    compare_secrets
                        && constants::plaintext(&constant, a, master_keys)?
                            != constants::plaintext(&constant, b, master_keys)?
                }
            },
            (a, b) => a.is_some() != b.is_some(),
        };
        if !differs {
            continue;
        }
        let shown = |value: Option<&ConstantValue>| {
            value
                .filter(|_| ConstantType::of(&constant) == ConstantType::Global)
                .map(|v| v.value.clone())
        };
        constant_diffs.push(ConstantDiff {
            from_set: from_value.is_some(),
            to_set: to_value.is_some(),
            from: shown(from_value),
            to: shown(to_value),
            constant,
            values,
        });
    }
    Ok(Diff {
        from,
        to,
        data_sources: data_source_diffs,
        constants: constant_diffs,
    })
}

/// The keys of `kind` that differ between two rows: non-secret values compared as
/// stored; secrets by set-state, and when both are set by `secrets_differ`.
fn option_differences(
    kind: &Kind,
    from: &DataSourceOptions,
    to: &DataSourceOptions,
    secrets_differ: impl Fn(&str) -> AppResult<bool>,
) -> AppResult<Vec<OptionDiff>> {
    let (from_view, to_view) = (options::view(kind, from), options::view(kind, to));
    let mut differences = Vec::new();
    for (a, b) in from_view.into_iter().zip(to_view) {
        let differs = if a.secret {
            a.is_set != b.is_set || (a.is_set && secrets_differ(a.key)?)
        } else {
            a.value != b.value
        };
        if differs {
            differences.push(OptionDiff {
                key: a.key,
                secret: a.secret,
                from: a.value.cloned(),
                to: b.value.cloned(),
                from_set: a.is_set,
                to_set: b.is_set,
            });
        }
    }
    Ok(differences)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds;
    use serde_json::json;

    fn row(values: Value, secrets: Value) -> DataSourceOptions {
        DataSourceOptions {
            workspace_id: Uuid::nil(),
            data_source_id: Uuid::nil(),
            environment_id: Uuid::nil(),
            values,
            secrets,
            revision: 1,
            updated_at: None,
            updated_by: None,
            references: json!({}),
        }
    }

    #[test]
    fn only_differing_keys_are_listed_and_secrets_show_no_value() {
        let pg = kinds::find("postgresql").unwrap();
        let a = row(
            json!({"host": "a", "port": 5432, "database": "d"}),
            json!({"password": "sealed-a"}),
        );
        let b = row(json!({"host": "b", "port": 5432}), json!({}));
        let found = option_differences(pg, &a, &b, |_| Ok(true)).unwrap();
        let keys: Vec<_> = found.iter().map(|d| d.key).collect();
        assert_eq!(keys, ["host", "database", "password"]);
        assert_eq!(found[0].from, Some(json!("a")));
        let password = &found[2];
        assert_eq!(
            (password.from.as_ref(), password.from_set, password.to_set),
            (None, true, false)
        );
        // Both set: they differ only when the comparison says so.
        let c = row(json!({}), json!({"password": "x"}));
        let d = row(json!({}), json!({"password": "y"}));
        assert!(
            option_differences(pg, &c, &d, |_| Ok(false))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            option_differences(pg, &c, &d, |_| Ok(true)).unwrap().len(),
            1
        );
    }
}
