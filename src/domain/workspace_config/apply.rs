//! `applyWorkspaceConfig`: plans a document and, unless it is a dry run, carries the
//! plan out in one transaction (all or nothing) with the domain functions the
//! mutations use, so every rule, revision, audit row and notification is theirs. The
//! whole apply holds the workspace's pipeline: two applies take turns.

use std::collections::HashMap;

use diesel_async::AsyncConnection as _;
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{DataSource, DataSourceOptions, Environment};
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::constants::{self, ValueInput};
use crate::domain::data_sources::{self, NewDataSourceInput, OptionsUpdate};
use crate::domain::ids::{ConstantId, DataSourceId, EnvironmentId};
use crate::domain::permissions::Action;
use crate::domain::{Caller, access, environments, pipeline, workspaces};
use crate::error::{AppError, AppResult, Problem};
use crate::secrets::MasterKeys;

use super::document;
use super::export::Workspace;
use super::plan::{self, ConfigAction, NamedValues, PlannedChange, Step};

/// What an apply did, or would do.
pub struct Plan {
    /// False for a dry run.
    pub applied: bool,
    pub changes: Vec<PlannedChange>,
}

/// Makes the caller's workspace match `document` (admins); with `dry_run`, only plans.
/// Invalid documents are BAD_USER_INPUT listing every problem, each naming its item.
pub async fn apply(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    document: &serde_json::Value,
    dry_run: bool,
    prune: bool,
) -> AppResult<Plan> {
    caller.require(Action::ManageConfiguration)?;
    let document = document::read(document).map_err(AppError::InvalidDocument)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::lock_pipeline(conn, caller.workspace_id).await?;
        let workspace = Workspace::load(conn, caller.workspace_id).await?;
        let planned = plan::plan(&workspace, &document, prune, caller, master_keys)?
            .map_err(AppError::InvalidDocument)?;
        if dry_run || planned.steps.is_empty() {
            return Ok(Plan {
                applied: !dry_run,
                changes: planned.changes,
            });
        }
        let mut run = Run {
            caller,
            master_keys,
            environments: workspace.environments,
            data_sources: workspace
                .data_sources
                .into_iter()
                .map(|(d, rows)| (d.name.clone(), (d, rows)))
                .collect(),
            constants: workspace
                .constants
                .into_iter()
                .map(|(c, _)| (c.name.clone(), c.id))
                .collect(),
        };
        for step in planned.steps {
            run.step(conn, step).await?;
        }
        let count = |action: ConfigAction| {
            planned
                .changes
                .iter()
                .filter(|c| c.action == action)
                .count()
        };
        let event = Event::new(AuditAction::ConfigApplied).details(json!({
            "created": count(ConfigAction::Create),
            "updated": count(ConfigAction::Update),
            "deleted": count(ConfigAction::Delete),
            "unchanged": count(ConfigAction::Unchanged),
            "prune": prune,
        }));
        audit::record(conn, caller, event).await?;
        Ok(Plan {
            applied: true,
            changes: planned.changes,
        })
    })
    .await
}

/// The state of an apply in progress: what each name is now.
struct Run<'a> {
    caller: &'a Caller,
    master_keys: &'a MasterKeys,
    environments: Vec<Environment>,
    /// By name, with the options rows as read before the apply (each is patched at
    /// most once, so they are current when it is; a created one reads its own).
    data_sources: HashMap<String, (DataSource, Vec<DataSourceOptions>)>,
    constants: HashMap<String, Uuid>,
}

impl Run<'_> {
    fn environment(&self, name: &str) -> AppResult<&Environment> {
        self.environments
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("planned environment {name} is missing"))
            })
    }

    fn environment_id(&self, name: &str) -> AppResult<EnvironmentId> {
        Ok(self.environment(name)?.id.into())
    }

    fn values(&self, values: NamedValues) -> AppResult<Vec<ValueInput>> {
        values
            .into_iter()
            .map(|(environment, value)| {
                Ok(ValueInput {
                    environment_id: self.environment_id(&environment)?,
                    value,
                })
            })
            .collect()
    }

    async fn refresh_environments(&mut self, conn: &mut Conn) -> AppResult<()> {
        self.environments = environments::all(conn, self.caller.workspace_id).await?;
        Ok(())
    }

    async fn step(&mut self, conn: &mut Conn, step: Step) -> AppResult<()> {
        let (caller, keys) = (self.caller, self.master_keys);
        match step {
            Step::CreateEnvironment { name, after } => {
                let after = self.environment_id(&after)?;
                pipeline::create(conn, caller, &name, after)
                    .await
                    .map_err(|e| within(&format!("environment {name}"), e))?;
                self.refresh_environments(conn).await?;
                // The new environment got copies of options: read them.
                let ids: Vec<Uuid> = self.data_sources.values().map(|(d, _)| d.id).collect();
                for (_, rows) in self.data_sources.values_mut() {
                    rows.clear();
                }
                for row in data_sources::options_of(conn, caller.workspace_id, &ids).await? {
                    if let Some((_, rows)) = self
                        .data_sources
                        .values_mut()
                        .find(|(d, _)| d.id == row.data_source_id)
                    {
                        rows.push(row);
                    }
                }
            }
            Step::MoveEnvironment { name, after } => {
                let (id, after) = (self.environment_id(&name)?, self.environment_id(&after)?);
                pipeline::move_after(conn, caller, id, after)
                    .await
                    .map_err(|e| within(&format!("environment {name}"), e))?;
                self.refresh_environments(conn).await?;
            }
            Step::SetProtected { name, protected } => {
                let id = self.environment_id(&name)?;
                pipeline::set_protected(conn, caller, id, protected)
                    .await
                    .map_err(|e| within(&format!("environment {name}"), e))?;
            }
            Step::SetApprovals { name, required } => {
                let id = self.environment_id(&name)?;
                pipeline::set_approvals(conn, caller, id, required)
                    .await
                    .map_err(|e| within(&format!("environment {name}"), e))?;
            }
            Step::SetAccess { name, rules } => {
                let id = self.environment_id(&name)?;
                access::set(conn, caller, id, rules)
                    .await
                    .map_err(|e| within(&format!("environment {name}"), e))?;
            }
            Step::DeleteEnvironment { name } => {
                let id = self.environment_id(&name)?;
                pipeline::delete(conn, caller, id)
                    .await
                    .map_err(|e| within(&format!("environment {name}"), e))?;
            }
            Step::CreateConstant { name, kind, values } => {
                let values = self.values(values)?;
                let created = constants::create(conn, caller, keys, &name, kind, &values)
                    .await
                    .map_err(|e| within(&format!("constant {name}"), e))?;
                self.constants.insert(name, created.id);
            }
            Step::SetConstantValues { name, values } => {
                let values = self.values(values)?;
                let id = self.constant_id(&name)?;
                constants::set_values(conn, caller, keys, id, &values)
                    .await
                    .map_err(|e| within(&format!("constant {name}"), e))?;
            }
            Step::DeleteConstant { name } => {
                let id = self.constant_id(&name)?;
                constants::delete(conn, caller, id)
                    .await
                    .map_err(|e| within(&format!("constant {name}"), e))?;
            }
            Step::CreateDataSource {
                name,
                kind,
                environment,
                options,
            } => {
                let input = NewDataSourceInput {
                    name: name.clone(),
                    kind,
                    environment_id: Some(self.environment_id(&environment)?),
                    options,
                };
                let created = data_sources::create(conn, caller, keys, input)
                    .await
                    .map_err(|e| within(&format!("data source {name}"), e))?;
                let rows =
                    data_sources::options_of(conn, caller.workspace_id, &[created.id]).await?;
                self.data_sources.insert(name, (created, rows));
            }
            Step::MatchOptions {
                data_source,
                environment,
                desired,
                clear_left_out,
            } => {
                let item = format!("data source {data_source}");
                let environment = self.environment(&environment)?.clone();
                let Some((source, rows)) = self.data_sources.get_mut(&data_source) else {
                    return Err(AppError::internal(anyhow::anyhow!(
                        "planned data source {data_source} is missing"
                    )));
                };
                let kind = data_sources::kind_of(source)?;
                let row = data_sources::take_options(rows, source, environment.id);
                let target = format!("{item}, {}", environment.name);
                let patch = super::patch::option_patch(
                    kind,
                    &row,
                    &desired,
                    clear_left_out,
                    keys,
                    &target,
                )?;
                if let Some(problem) = patch.problems.into_iter().next() {
                    return Err(AppError::InvalidDocument(vec![Problem::new(
                        item,
                        format!("{}: {problem}", environment.name),
                    )]));
                }
                if patch.inputs.is_empty() {
                    return Ok(());
                }
                let update = OptionsUpdate {
                    data_source_id: source.id.into(),
                    environment_id: environment.id.into(),
                    options: patch.inputs,
                    expected_revision: Some(row.revision),
                };
                data_sources::update_options(conn, caller, keys, update)
                    .await
                    .map_err(|e| within(&item, e))?;
            }
            Step::DeleteDataSource { name } => {
                let id = self
                    .data_sources
                    .get(&name)
                    .map(|(d, _)| DataSourceId(d.id))
                    .ok_or_else(|| {
                        AppError::internal(anyhow::anyhow!("planned data source {name} is missing"))
                    })?;
                data_sources::delete(conn, caller, id)
                    .await
                    .map_err(|e| within(&format!("data source {name}"), e))?;
            }
        }
        Ok(())
    }

    fn constant_id(&self, name: &str) -> AppResult<ConstantId> {
        self.constants
            .get(name)
            .map(|id| ConstantId(*id))
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("planned constant {name} is missing"))
            })
    }
}

/// A domain function's refusal, said of the document's item it was applying.
fn within(item: &str, error: AppError) -> AppError {
    match error {
        AppError::BadUserInput { message, .. } => {
            AppError::InvalidDocument(vec![Problem::new(item, message)])
        }
        AppError::LicenseRequired(m) => AppError::LicenseRequired(format!("{item}: {m}")),
        AppError::EnvironmentLocked(m) => AppError::EnvironmentLocked(format!("{item}: {m}")),
        AppError::Forbidden(m) => AppError::Forbidden(format!("{item}: {m}")),
        other => other,
    }
}
