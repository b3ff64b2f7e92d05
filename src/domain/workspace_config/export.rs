//! `workspaceConfig`: the workspace as one document, in a stable order (environments
//! by priority, data sources and constants by name, options in their kind's order), so
//! that two exports of an unchanged workspace are byte-identical. Secrets read
//! `{"secret": "SET"}`; unset values are left out.

use std::collections::HashMap;

use indexmap::IndexMap;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{Constant, ConstantValue, DataSource, DataSourceOptions, Environment};
use crate::domain::constants::{self, ConstantType};
use crate::domain::kinds::Kind;
use crate::domain::permissions::Action;
use crate::domain::{Caller, data_sources, environments, options};
use crate::error::AppResult;

use super::document::{
    ConstantEntry, DataSourceEntry, Document, EnvironmentEntry, OptionValue, VERSION,
};

/// Everything a document describes, as stored: read in one query per table.
pub struct Workspace {
    /// Every environment, by priority.
    pub environments: Vec<Environment>,
    /// By name, each with its options rows (any environment).
    pub data_sources: Vec<(DataSource, Vec<DataSourceOptions>)>,
    /// By name, each with its stored values (any environment).
    pub constants: Vec<(Constant, Vec<ConstantValue>)>,
}

impl Workspace {
    pub async fn load(conn: &mut Conn, workspace_id: Uuid) -> AppResult<Self> {
        let environments = environments::all(conn, workspace_id).await?;
        let sources = data_sources::catalog(conn, workspace_id).await?;
        let ids: Vec<Uuid> = sources.iter().map(|d| d.id).collect();
        let mut rows: HashMap<Uuid, Vec<DataSourceOptions>> = HashMap::new();
        for row in data_sources::options_of(conn, workspace_id, &ids).await? {
            rows.entry(row.data_source_id).or_default().push(row);
        }
        let data_sources = sources
            .into_iter()
            .map(|d| {
                let rows = rows.remove(&d.id).unwrap_or_default();
                (d, rows)
            })
            .collect();
        let catalog = constants::catalog(conn, workspace_id).await?;
        let constants = constants::with_values(conn, catalog).await?;
        Ok(Self {
            environments,
            data_sources,
            constants,
        })
    }
}

/// The caller's workspace as a document (admins).
pub async fn export(conn: &mut Conn, caller: &Caller) -> AppResult<Document> {
    caller.require(Action::ManageConfiguration)?;
    let workspace = Workspace::load(conn, caller.workspace_id).await?;
    let offered = environments::offered(&workspace.environments, caller);
    let environments = offered
        .iter()
        .map(|e| EnvironmentEntry {
            name: e.name.clone(),
            protected: Some(e.protected),
            required_approvals: Some(e.required_approvals),
            access: Some(e.access.0.clone()),
        })
        .collect();
    let mut sources = Vec::with_capacity(workspace.data_sources.len());
    for (data_source, mut rows) in workspace.data_sources {
        let kind = data_sources::kind_of(&data_source)?;
        let options = offered
            .iter()
            .map(|environment| {
                let row = data_sources::take_options(&mut rows, &data_source, environment.id);
                (environment.name.clone(), set_options(kind, &row))
            })
            .collect();
        sources.push(DataSourceEntry {
            name: data_source.name,
            kind: data_source.kind,
            options,
        });
    }
    let constants = workspace
        .constants
        .into_iter()
        .map(|(constant, values)| constant_entry(&offered, constant, &values))
        .collect();
    Ok(Document {
        version: VERSION,
        environments: Some(environments),
        data_sources: sources,
        constants,
    })
}

/// The set options of a row, in the kind's order; secrets as `{"secret": "SET"}`.
fn set_options(kind: &Kind, row: &DataSourceOptions) -> IndexMap<String, OptionValue> {
    options::view(kind, row)
        .into_iter()
        .filter(|option| option.is_set)
        .map(|option| {
            let value = match option.value {
                Some(value) if !option.secret => OptionValue(value.clone()),
                _ => OptionValue::secret_set(),
            };
            (option.key.to_owned(), value)
        })
        .collect()
}

fn constant_entry(
    offered: &[Environment],
    constant: Constant,
    values: &[ConstantValue],
) -> ConstantEntry {
    let kind = ConstantType::of(&constant);
    let values = offered
        .iter()
        .filter_map(|environment| {
            let stored = values.iter().find(|v| v.environment_id == environment.id)?;
            let value = match kind {
                ConstantType::Global => OptionValue(stored.value.clone().into()),
                ConstantType::Secret => OptionValue::secret_set(),
            };
            Some((environment.name.clone(), value))
        })
        .collect();
    ConstantEntry {
        name: constant.name,
        kind,
        values,
    }
}
