//! The patch that makes one environment's options match the document: each value
//! checked as a save checks it, secrets compared opened (in memory), and the plan's
//! lines for it. Planned against the stored row, and again when the step runs.

use indexmap::IndexMap;
use uuid::Uuid;

use crate::db::models::DataSourceOptions;
use crate::domain::kinds::Kind;
use crate::domain::options::{self, OptionInput};
use crate::domain::references::Namespace;
use crate::error::AppResult;
use crate::secrets::MasterKeys;

use super::document::{OptionValue, SecretSource};
use super::plan::{ConfigAction, PlannedChange};

/// What the plan says of a `{"secret": "SET"}` where nothing is stored.
pub(super) const NOT_KEPT: &str = "SET in the document, not set here: stays unset";

pub(super) fn from_env_problem(environment: &str, variable: &str) -> String {
    format!(
        "{environment}: {{\"secret\": {{\"fromEnv\": \"{variable}\"}}}} is filled in by `envgate config apply` from its environment; send the value itself."
    )
}

/// The action and detail of a change from `current` to `wanted`; `None` when equal.
pub(super) fn value_change(
    current: Option<&str>,
    wanted: Option<&str>,
    secret: bool,
) -> Option<(ConfigAction, String)> {
    match (current, wanted) {
        (a, b) if a == b => None,
        (None, Some(b)) => Some((
            ConfigAction::Create,
            if secret { "SET".into() } else { quoted(b) },
        )),
        (Some(a), Some(b)) => Some((
            ConfigAction::Update,
            if secret {
                "SET".into()
            } else {
                format!("{} → {}", quoted(a), quoted(b))
            },
        )),
        (Some(a), None) => Some((
            ConfigAction::Delete,
            if secret {
                "CLEARED".into()
            } else {
                format!("{} → unset", quoted(a))
            },
        )),
        (None, None) => None,
    }
}

fn quoted(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

pub(super) fn blank_row(environment_id: Uuid) -> DataSourceOptions {
    DataSourceOptions {
        workspace_id: Uuid::nil(),
        data_source_id: Uuid::nil(),
        environment_id,
        values: serde_json::json!({}),
        secrets: serde_json::json!({}),
        revision: 0,
        updated_at: None,
        updated_by: None,
        references: serde_json::json!({}),
    }
}

/// What one environment's options need to match the document.
pub struct Patch {
    /// The save that makes them match (empty when they do).
    pub inputs: Vec<OptionInput>,
    /// One line per key the document names, and per key it clears.
    pub changes: Vec<PlannedChange>,
    /// What is wrong, one sentence each.
    pub problems: Vec<String>,
    /// The constants the saved values reference: (option key, namespace, name).
    pub references: Vec<(String, Namespace, String)>,
}

/// The patch that makes `row` match `desired` (keys left out are kept, or cleared with
/// `clear_left_out`), checked as a save checks it: each value against its field, and
/// an endpoint change that would send stored secrets elsewhere. A secret given as a
/// string that equals the stored one is no change (compared opened, in memory).
pub fn option_patch(
    kind: &Kind,
    row: &DataSourceOptions,
    desired: &IndexMap<String, OptionValue>,
    clear_left_out: bool,
    master_keys: &MasterKeys,
    target: &str,
) -> AppResult<Patch> {
    let mut patch = Patch {
        inputs: Vec::new(),
        changes: Vec::new(),
        problems: Vec::new(),
        references: Vec::new(),
    };
    for key in desired.keys().filter(|k| kind.field(k).is_none()) {
        let unknown = OptionInput {
            key: key.clone(),
            value: None,
        };
        if let Err(e) = options::validate(kind, &[unknown]) {
            patch.problems.push(e.answer());
        }
    }
    let shown = options::view(kind, row);
    let mut validated: Vec<options::Change> = Vec::new();
    for (field, current) in kind.fields.iter().zip(&shown) {
        let key = field.key;
        let line = format!("{target}, {key}");
        let wanted: Option<serde_json::Value> = match desired.get(key) {
            None if current.is_set && clear_left_out => None,
            None => continue,
            Some(value) if field.secret => match value.as_secret() {
                Some(SecretSource::Kept(_)) => {
                    let detail = (!current.is_set).then(|| NOT_KEPT.to_owned());
                    patch
                        .changes
                        .push(PlannedChange::new(ConfigAction::Unchanged, line, detail));
                    continue;
                }
                Some(SecretSource::FromEnv { from_env }) => {
                    let problem = from_env_problem(key, &from_env);
                    patch.problems.push(format!("option {problem}"));
                    continue;
                }
                None => Some(value.0.clone()).filter(|v| !v.is_null()),
            },
            Some(value) => Some(value.0.clone()).filter(|v| !v.is_null()),
        };
        let input = OptionInput {
            key: key.to_owned(),
            value: wanted.clone(),
        };
        let change = match options::validate(kind, std::slice::from_ref(&input)) {
            Ok(mut changes) => changes.remove(0),
            Err(e) => {
                patch.problems.push(e.answer());
                continue;
            }
        };
        let (action, detail) = if field.secret {
            let stored = options::secret_plaintext(row, key, master_keys)?;
            let wanted_text = wanted
                .as_ref()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            match value_change(stored.as_deref(), wanted_text.as_deref(), true) {
                None => (ConfigAction::Unchanged, None),
                Some((action, detail)) => (action, Some(detail)),
            }
        } else {
            match (current.value, &wanted) {
                (a, b) if a == b.as_ref() => (ConfigAction::Unchanged, None),
                (None, Some(b)) => (ConfigAction::Create, Some(b.to_string())),
                (Some(a), Some(b)) => (ConfigAction::Update, Some(format!("{a} → {b}"))),
                (Some(a), None) => (ConfigAction::Delete, Some(format!("{a} → unset"))),
                (None, None) => (ConfigAction::Unchanged, None),
            }
        };
        patch.changes.push(PlannedChange::new(action, line, detail));
        // Kept values too: what they reference must still exist after the apply.
        patch.references.extend(
            change
                .references
                .iter()
                .map(|(namespace, name)| (key.to_owned(), *namespace, name.clone())),
        );
        if action != ConfigAction::Unchanged {
            patch.inputs.push(input);
            validated.push(change);
        }
    }
    if let Err(e) = options::check_endpoint_change(kind, row, &validated) {
        patch.problems.push(e.answer());
    }
    Ok(patch)
}
