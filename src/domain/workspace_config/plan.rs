//! Planning an apply: the document checked whole against the workspace (every problem
//! at once, each naming its item), then what would change, in words (the plan), and
//! the steps that make it so. Each step is later carried out by the domain function
//! the matching mutation uses, which checks its own rules again.

use indexmap::IndexMap;
use uuid::Uuid;

use crate::db::models::{DataSourceOptions, Environment};
use crate::domain::access::{self, Rule};
use crate::domain::constants::{self, ConstantType};
use crate::domain::data_sources;
use crate::domain::kinds;
use crate::domain::options::{self, OptionInput};
use crate::domain::{Caller, environments, names, pipeline};
use crate::error::AppResult;
use crate::secrets::MasterKeys;

use super::document::{
    ConstantEntry, DataSourceEntry, Document, EnvironmentEntry, OptionValue, Problem, SecretSource,
};
use super::export::Workspace;
use super::patch::{NOT_KEPT, Patch, blank_row, from_env_problem, option_patch, value_change};

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigAction {
    Create,
    Update,
    Delete,
    Unchanged,
}

/// One line of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedChange {
    pub action: ConfigAction,
    /// What it touches, in words: `data source orders-db, Staging, host`.
    pub target: String,
    /// Before and after for values that are not secret; SET or CLEARED for secrets.
    pub detail: Option<String>,
}

impl PlannedChange {
    pub(super) fn new(
        action: ConfigAction,
        target: impl Into<String>,
        detail: Option<String>,
    ) -> Self {
        Self {
            action,
            target: target.into(),
            detail,
        }
    }
}

/// A value to write, by environment name: `None` clears it.
pub type NamedValues = Vec<(String, Option<String>)>;

/// One thing to do, by names (what is created gets its id only when it is).
pub enum Step {
    CreateEnvironment {
        name: String,
        after: String,
    },
    MoveEnvironment {
        name: String,
        after: String,
    },
    SetProtected {
        name: String,
        protected: bool,
    },
    SetAccess {
        name: String,
        rules: Vec<Rule>,
    },
    SetApprovals {
        name: String,
        required: i32,
    },
    CreateConstant {
        name: String,
        kind: ConstantType,
        values: NamedValues,
    },
    SetConstantValues {
        name: String,
        values: NamedValues,
    },
    CreateDataSource {
        name: String,
        kind: String,
        environment: String,
        options: Vec<OptionInput>,
    },
    /// Makes one environment's options match the document, patched against the row as
    /// it is when the step runs (after a data source or an environment was created,
    /// that row is known only then).
    MatchOptions {
        data_source: String,
        environment: String,
        desired: IndexMap<String, OptionValue>,
        clear_left_out: bool,
    },
    DeleteDataSource {
        name: String,
    },
    DeleteConstant {
        name: String,
    },
    DeleteEnvironment {
        name: String,
    },
}

/// What an apply would do: the plan's lines, and the steps in the order they run.
pub struct Planned {
    pub changes: Vec<PlannedChange>,
    pub steps: Vec<Step>,
}

/// Plans `document` against `workspace`; every problem at once when it can't be applied.
pub fn plan(
    workspace: &Workspace,
    document: &Document,
    prune: bool,
    caller: &Caller,
    master_keys: &MasterKeys,
) -> AppResult<Result<Planned, Vec<Problem>>> {
    let mut planner = Planner {
        workspace,
        caller,
        master_keys,
        prune,
        changes: Vec::new(),
        problems: Vec::new(),
        environment_steps: Vec::new(),
        constant_steps: Vec::new(),
        data_source_steps: Vec::new(),
        deleted_data_sources: Vec::new(),
        deleted_constants: Vec::new(),
        deleted_environments: Vec::new(),
        final_environments: Vec::new(),
        new_environments: Vec::new(),
    };
    planner.environments(document.environments.as_deref());
    planner.constants(&document.constants);
    planner.data_sources(&document.data_sources, &document.constants)?;
    let Planner {
        changes,
        problems,
        environment_steps,
        constant_steps,
        data_source_steps,
        deleted_data_sources,
        deleted_constants,
        deleted_environments,
        ..
    } = planner;
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let mut steps = environment_steps;
    steps.extend(constant_steps);
    steps.extend(data_source_steps);
    // Data sources first: the constants they referenced can go then.
    steps.extend(deleted_data_sources);
    steps.extend(deleted_constants);
    steps.extend(deleted_environments);
    Ok(Ok(Planned { changes, steps }))
}

struct Planner<'a> {
    workspace: &'a Workspace,
    caller: &'a Caller,
    master_keys: &'a MasterKeys,
    prune: bool,
    changes: Vec<PlannedChange>,
    problems: Vec<Problem>,
    environment_steps: Vec<Step>,
    constant_steps: Vec<Step>,
    data_source_steps: Vec<Step>,
    deleted_data_sources: Vec<Step>,
    deleted_constants: Vec<Step>,
    deleted_environments: Vec<Step>,
    /// The environments after the apply, in pipeline order.
    final_environments: Vec<String>,
    /// The environments this apply creates.
    new_environments: Vec<String>,
}

impl Planner<'_> {
    fn change(&mut self, action: ConfigAction, target: impl Into<String>, detail: Option<String>) {
        self.changes
            .push(PlannedChange::new(action, target, detail));
    }

    fn problem(&mut self, item: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(item, message));
    }

    /// A name checked by its rule and not listed before (regardless of case); `None`
    /// with a problem on `item` otherwise.
    fn new_name(
        &mut self,
        item: &str,
        checked: AppResult<String>,
        listed: &[String],
    ) -> Option<String> {
        match checked {
            Err(e) => {
                self.problem(item, e.answer());
                None
            }
            Ok(name) if listed.iter().any(|l| l.eq_ignore_ascii_case(&name)) => {
                self.problem(
                    item,
                    "It is listed more than once (names are unique regardless of case).",
                );
                None
            }
            Ok(name) => Some(name),
        }
    }

    /// The stored environment of this name; a problem when one differs only by case.
    fn stored_environment(&mut self, item: &str, name: &str) -> Option<&Environment> {
        find_by_name(
            &self.workspace.environments,
            name,
            |e| &e.name,
            item,
            &mut self.problems,
        )
    }

    fn environments(&mut self, entries: Option<&[EnvironmentEntry]>) {
        let offered = environments::offered(&self.workspace.environments, self.caller);
        let Some(entries) = entries else {
            self.final_environments = offered.into_iter().map(|e| e.name).collect();
            return;
        };
        // The pipeline as it will be, step after step, to know what follows what.
        let mut order: Vec<String> = offered.iter().map(|e| e.name.clone()).collect();
        let mut rules: IndexMap<String, Vec<Rule>> = offered
            .iter()
            .map(|e| (e.name.clone(), e.access.0.clone()))
            .collect();
        let mut listed: Vec<String> = Vec::new();
        let mut last_built_in: Option<i32> = None;
        for (index, entry) in entries.iter().enumerate() {
            let item = format!("environment {}", entry.name);
            let Some(name) = self.new_name(&item, names::checked(&entry.name), &listed) else {
                continue;
            };
            let previous = listed.last().cloned();
            listed.push(name.clone());
            let stored = self.stored_environment(&item, &name).cloned();
            if let Some(environment) = &stored {
                if !environments::is_offered(environment, self.caller) {
                    self.problem(
                        &item,
                        "Environments other than the default one need an Enterprise license with multiple environments.",
                    );
                    continue;
                }
            } else if !self.caller.multi_environment {
                self.problem(
                    &item,
                    "Creating environments needs an Enterprise license with multiple environments.",
                );
                continue;
            }
            let mut changed = false;
            match &stored {
                Some(environment) if environment.locked => {
                    if last_built_in.is_some_and(|p| p > environment.priority) {
                        self.problem(
                            &item,
                            "Built-in environments keep their order (Development, Staging, Production).",
                        );
                    }
                    last_built_in = Some(environment.priority);
                    if environment.is_default && index + 1 != entries.len() {
                        self.problem(
                            &item,
                            "The default environment stays last: list it after every other one.",
                        );
                    }
                }
                _ => {
                    let Some(after) = previous else {
                        self.problem(
                            &item,
                            "A custom environment follows another one: it can't come first.",
                        );
                        continue;
                    };
                    if self.is_default_environment(&after) {
                        self.problem(
                            &item,
                            format!("{after} is the default environment and stays last: nothing can follow it."),
                        );
                        continue;
                    }
                    let at = order.iter().position(|n| *n == after).map_or(0, |i| i + 1);
                    if stored.is_none() {
                        order.insert(at, name.clone());
                        let inherited = rules.get(&after).cloned().unwrap_or_default();
                        rules.insert(name.clone(), inherited);
                        self.new_environments.push(name.clone());
                        self.change(
                            ConfigAction::Create,
                            format!("environment {name}"),
                            Some(format!("after {after}")),
                        );
                        self.environment_steps.push(Step::CreateEnvironment {
                            name: name.clone(),
                            after,
                        });
                        changed = true;
                    } else if order.iter().position(|n| *n == name) != Some(at) {
                        order.retain(|n| *n != name);
                        let at = order.iter().position(|n| *n == after).map_or(0, |i| i + 1);
                        order.insert(at, name.clone());
                        self.change(
                            ConfigAction::Update,
                            format!("environment {name}"),
                            Some(format!("moved after {after}")),
                        );
                        self.environment_steps.push(Step::MoveEnvironment {
                            name: name.clone(),
                            after,
                        });
                        changed = true;
                    }
                }
            }
            let protected_now = stored.as_ref().is_some_and(|e| e.protected);
            if let Some(protected) = entry.protected.filter(|p| *p != protected_now) {
                self.change(
                    ConfigAction::Update,
                    format!("environment {name}, protected"),
                    Some(format!("{protected_now} → {protected}")),
                );
                self.environment_steps.push(Step::SetProtected {
                    name: name.clone(),
                    protected,
                });
                changed = true;
            }
            if let Some(wanted) = &entry.access {
                match access::validate(wanted.clone()) {
                    Err(e) => self.problem(&item, e.answer()),
                    Ok(wanted) if rules.get(&name) != Some(&wanted) => {
                        self.change(
                            ConfigAction::Update,
                            format!("environment {name}, access"),
                            Some(describe_rules(&wanted)),
                        );
                        rules.insert(name.clone(), wanted.clone());
                        self.environment_steps.push(Step::SetAccess {
                            name: name.clone(),
                            rules: wanted,
                        });
                        changed = true;
                    }
                    Ok(_) => {}
                }
            }
            let approvals_now = stored.as_ref().map_or(0, |e| e.required_approvals);
            if let Some(required) = entry.required_approvals.filter(|r| *r != approvals_now) {
                match pipeline::check_approvals(required) {
                    Err(e) => self.problem(&item, e.answer()),
                    Ok(()) => {
                        self.change(
                            ConfigAction::Update,
                            format!("environment {name}, requiredApprovals"),
                            Some(format!("{approvals_now} → {required}")),
                        );
                        self.environment_steps.push(Step::SetApprovals {
                            name: name.clone(),
                            required,
                        });
                        changed = true;
                    }
                }
            }
            if !changed && stored.is_some() {
                self.change(ConfigAction::Unchanged, format!("environment {name}"), None);
            }
        }
        // What the document leaves out stays, unless pruned.
        for environment in &offered {
            if listed
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&environment.name))
            {
                continue;
            }
            let item = format!("environment {}", environment.name);
            if !self.prune {
                continue;
            }
            if environment.locked {
                self.problem(
                    item,
                    "It is built in and can't be deleted: list it in the document (or apply without prune).",
                );
                continue;
            }
            order.retain(|n| *n != environment.name);
            self.change(ConfigAction::Delete, item, None);
            self.deleted_environments.push(Step::DeleteEnvironment {
                name: environment.name.clone(),
            });
        }
        if order.len() > pipeline::MAX_ENVIRONMENTS {
            self.problem(
                "document",
                format!(
                    "A workspace has at most {} environments; the document makes {}.",
                    pipeline::MAX_ENVIRONMENTS,
                    order.len()
                ),
            );
        }
        self.final_environments = order;
    }

    /// A problem unless `name` (from `item`) is an environment after the apply.
    fn known_environment(&mut self, item: &str, name: &str) -> bool {
        if self.final_environments.iter().any(|e| e == name) {
            return true;
        }
        if !self.caller.multi_environment
            && self.workspace.environments.iter().any(|e| e.name == name)
        {
            self.problem(
                item,
                format!("{name}: environments other than the default one need an Enterprise license with multiple environments."),
            );
            return false;
        }
        self.problem(
            item,
            format!(
                "No environment is named \"{name}\" (the environments are {}).",
                self.final_environments.join(", ")
            ),
        );
        false
    }

    fn is_new_environment(&self, name: &str) -> bool {
        self.new_environments.iter().any(|e| e == name)
    }

    fn constants(&mut self, entries: &[ConstantEntry]) {
        let mut listed: Vec<String> = Vec::new();
        for entry in entries {
            let item = format!("constant {}", entry.name);
            let checked = constants::checked_name(&entry.name).map(str::to_owned);
            let Some(name) = self.new_name(&item, checked, &listed) else {
                continue;
            };
            listed.push(name.clone());
            let stored = find_by_name(
                &self.workspace.constants,
                &name,
                |(c, _)| &c.name,
                &item,
                &mut self.problems,
            );
            if let Some((constant, _)) = stored {
                let kind = ConstantType::of(constant);
                if kind != entry.kind {
                    self.problem(
                        &item,
                        format!(
                            "It is a {} constant here: a constant's type can't change (delete it first).",
                            kind.as_str().to_uppercase()
                        ),
                    );
                    continue;
                }
            }
            if stored.is_none() {
                self.change(
                    ConfigAction::Create,
                    format!("constant {name}"),
                    Some(entry.kind.as_str().to_uppercase()),
                );
            }
            let mut writes: NamedValues = Vec::new();
            for (environment, value) in &entry.values {
                if !self.known_environment(&item, environment) {
                    continue;
                }
                let target = format!("constant {name}, {environment}");
                let current = match stored {
                    Some((constant, values)) => self
                        .workspace
                        .environments
                        .iter()
                        .find(|e| e.name == *environment)
                        .and_then(|e| values.iter().find(|v| v.environment_id == e.id))
                        .map(|v| constants::plaintext(constant, v, self.master_keys)),
                    None => None,
                };
                let current = match current.transpose() {
                    Ok(current) => current,
                    Err(e) => {
                        self.problem(&item, e.answer());
                        continue;
                    }
                };
                let secret = entry.kind == ConstantType::Secret;
                let wanted = match (value.as_secret(), &value.0) {
                    (Some(SecretSource::Kept(_)), _) if secret => {
                        let detail = current.is_none().then(|| NOT_KEPT.to_owned());
                        self.change(ConfigAction::Unchanged, target, detail);
                        continue;
                    }
                    (Some(SecretSource::FromEnv { from_env }), _) => {
                        self.problem(&item, from_env_problem(environment, &from_env));
                        continue;
                    }
                    (_, serde_json::Value::Null) => None,
                    (_, serde_json::Value::String(text)) => {
                        if let Err(e) = constants::check_value(environment, text) {
                            self.problem(&item, e.answer());
                            continue;
                        }
                        Some(text.clone())
                    }
                    _ => {
                        let expected = if secret {
                            "a string, null or {\"secret\": \"SET\"}"
                        } else {
                            "a string or null"
                        };
                        self.problem(
                            &item,
                            format!("The value for {environment} must be {expected}."),
                        );
                        continue;
                    }
                };
                match value_change(current.as_deref(), wanted.as_deref(), secret) {
                    None => self.change(ConfigAction::Unchanged, target, None),
                    Some((action, detail)) => {
                        self.change(action, target, Some(detail));
                        writes.push((environment.clone(), wanted));
                    }
                }
            }
            if let Some((constant, values)) = stored {
                if self.prune {
                    for environment in &self.workspace.environments {
                        // An environment deleted by this apply takes its values along.
                        let left_out = !entry.values.contains_key(&environment.name)
                            && self.final_environments.contains(&environment.name);
                        if left_out && values.iter().any(|v| v.environment_id == environment.id) {
                            let detail = if entry.kind == ConstantType::Secret {
                                "CLEARED".to_owned()
                            } else {
                                "cleared".to_owned()
                            };
                            self.changes.push(PlannedChange::new(
                                ConfigAction::Delete,
                                format!("constant {name}, {}", environment.name),
                                Some(detail),
                            ));
                            writes.push((environment.name.clone(), None));
                        }
                    }
                }
                let name = constant.name.clone();
                if !writes.is_empty() {
                    self.constant_steps.push(Step::SetConstantValues {
                        name,
                        values: writes,
                    });
                }
            } else {
                writes.retain(|(_, value)| value.is_some());
                self.constant_steps.push(Step::CreateConstant {
                    name,
                    kind: entry.kind,
                    values: writes,
                });
            }
        }
        if self.prune {
            for (constant, _) in &self.workspace.constants {
                if !listed
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(&constant.name))
                {
                    self.changes.push(PlannedChange::new(
                        ConfigAction::Delete,
                        format!("constant {}", constant.name),
                        None,
                    ));
                    self.deleted_constants.push(Step::DeleteConstant {
                        name: constant.name.clone(),
                    });
                }
            }
        }
    }

    fn data_sources(
        &mut self,
        entries: &[DataSourceEntry],
        constant_entries: &[ConstantEntry],
    ) -> AppResult<()> {
        // The type of every constant after the apply, by name, for references.
        let mut constant_types: Vec<(String, ConstantType)> = constant_entries
            .iter()
            .map(|c| (c.name.trim().to_owned(), c.kind))
            .collect();
        if !self.prune {
            for (constant, _) in &self.workspace.constants {
                if !constant_types.iter().any(|(n, _)| *n == constant.name) {
                    constant_types.push((constant.name.clone(), ConstantType::of(constant)));
                }
            }
        }
        let mut listed: Vec<String> = Vec::new();
        for entry in entries {
            let item = format!("data source {}", entry.name);
            let Some(name) = self.new_name(&item, names::checked(&entry.name), &listed) else {
                continue;
            };
            listed.push(name.clone());
            let Some(kind) = kinds::find(entry.kind.trim()) else {
                let known: Vec<_> = kinds::KINDS.iter().map(|k| k.kind).collect();
                self.problem(
                    item,
                    format!(
                        "Unknown kind `{}`; expected one of: {}.",
                        entry.kind,
                        known.join(", ")
                    ),
                );
                continue;
            };
            let stored = find_by_name(
                &self.workspace.data_sources,
                &name,
                |(d, _)| &d.name,
                &item,
                &mut self.problems,
            );
            if let Some((data_source, _)) = stored
                && data_source.kind != kind.kind
            {
                self.problem(
                        &item,
                        format!(
                            "It is a {} data source here: a data source's kind can't change (delete it first).",
                            data_source.kind
                        ),
                    );
                continue;
            }
            let mut failed = false;
            for environment in entry.options.keys() {
                failed |= !self.known_environment(&item, environment);
            }
            let mut rows: Vec<DataSourceOptions> =
                stored.map(|(_, rows)| rows.clone()).unwrap_or_default();
            let mut create_in: Option<(String, Vec<OptionInput>)> = None;
            let mut planned: Vec<(String, Patch)> = Vec::new();
            for environment in self.final_environments.clone() {
                let desired = entry.options.get(&environment);
                if desired.is_none() && !self.prune {
                    continue;
                }
                let empty = IndexMap::new();
                let desired = desired.unwrap_or(&empty);
                let stored_row = match (stored, self.stored_id(&environment)) {
                    (Some((data_source, _)), Some(environment_id)) => Some(
                        data_sources::take_options(&mut rows, data_source, environment_id),
                    ),
                    _ => None,
                };
                let row = stored_row.unwrap_or_else(|| blank_row(Uuid::nil()));
                let target = format!("data source {name}, {environment}");
                let patch =
                    option_patch(kind, &row, desired, self.prune, self.master_keys, &target)?;
                for problem in &patch.problems {
                    self.problems
                        .push(Problem::new(&item, format!("{environment}: {problem}")));
                    failed = true;
                }
                for (key, namespace, constant) in &patch.references {
                    let found = constant_types
                        .iter()
                        .find(|(n, _)| n == constant)
                        .map(|(_, kind)| *kind);
                    if let Err(e) = constants::check_reference(key, *namespace, constant, found) {
                        self.problems.push(Problem::new(
                            &item,
                            format!("{environment}: {}", e.answer()),
                        ));
                        failed = true;
                    }
                }
                planned.push((environment, patch));
            }
            if failed {
                continue;
            }
            let new = stored.is_none();
            if new {
                // Created where every required option is given: the default
                // environment when it can be, else the first that can.
                let mut candidates: Vec<&(String, Patch)> = planned.iter().collect();
                candidates
                    .sort_by_key(|(environment, _)| !self.is_default_environment(environment));
                for (environment, patch) in candidates {
                    if options::validate(kind, &patch.inputs).is_ok_and(|changes| {
                        let mut row = blank_row(Uuid::nil());
                        options::apply(
                            &mut row,
                            &options::with_defaults(kind, changes),
                            self.master_keys,
                        );
                        options::missing_required(kind, &row).is_empty()
                    }) {
                        create_in = Some((environment.clone(), patch.inputs.clone()));
                        break;
                    }
                }
                let Some((environment, inputs)) = create_in else {
                    self.problem(
                        &item,
                        "It can't be created: no environment in the document gives every required option (secrets given as {\"secret\": \"SET\"} are not set in a new data source).",
                    );
                    continue;
                };
                self.change(
                    ConfigAction::Create,
                    format!("data source {name}"),
                    Some(format!("{} in {environment}", kind.kind)),
                );
                self.data_source_steps.push(Step::CreateDataSource {
                    name: name.clone(),
                    kind: kind.kind.to_owned(),
                    environment,
                    options: inputs,
                });
            } else {
                self.change(ConfigAction::Unchanged, format!("data source {name}"), None);
            }
            for (environment, patch) in planned {
                let changes_something = patch
                    .changes
                    .iter()
                    .any(|c| c.action != ConfigAction::Unchanged);
                self.changes.extend(patch.changes);
                if new || self.is_new_environment(&environment) || changes_something {
                    self.data_source_steps.push(Step::MatchOptions {
                        data_source: name.clone(),
                        environment: environment.clone(),
                        desired: entry.options.get(&environment).cloned().unwrap_or_default(),
                        clear_left_out: self.prune,
                    });
                }
            }
        }
        if self.prune {
            for (data_source, _) in &self.workspace.data_sources {
                if !listed
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(&data_source.name))
                {
                    self.changes.push(PlannedChange::new(
                        ConfigAction::Delete,
                        format!("data source {}", data_source.name),
                        None,
                    ));
                    self.deleted_data_sources.push(Step::DeleteDataSource {
                        name: data_source.name.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    fn stored_id(&self, environment: &str) -> Option<Uuid> {
        self.workspace
            .environments
            .iter()
            .find(|e| e.name == environment)
            .map(|e| e.id)
    }

    fn is_default_environment(&self, environment: &str) -> bool {
        self.workspace
            .environments
            .iter()
            .any(|e| e.is_default && e.name == environment)
    }
}

/// Rules in words: `builder: READ_OPTIONS, SELECT; group qa: READ_OPTIONS`.
fn describe_rules(rules: &[Rule]) -> String {
    if rules.is_empty() {
        return "no rules".into();
    }
    rules
        .iter()
        .map(|rule| {
            let who = match (&rule.role, &rule.group) {
                (Some(role), _) => role.as_str().to_owned(),
                (None, Some(group)) => format!("group {group}"),
                (None, None) => "nobody".to_owned(),
            };
            let permissions: Vec<&str> = rule.permissions.iter().map(|p| p.as_str()).collect();
            format!("{who}: {}", permissions.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The item of `list` named exactly `name`; a problem on `item` when one is named the
/// same regardless of case (names are unique that way: the document must spell it).
fn find_by_name<'a, T>(
    list: &'a [T],
    name: &str,
    name_of: impl Fn(&T) -> &String,
    item: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a T> {
    let found = list
        .iter()
        .find(|t| name_of(t).eq_ignore_ascii_case(name))?;
    if name_of(found) != name {
        problems.push(Problem::new(
            item,
            format!(
                "It is named \"{}\" here: names are unique regardless of case, so spell it that way.",
                name_of(found)
            ),
        ));
        return None;
    }
    Some(found)
}
