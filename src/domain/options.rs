//! One environment's options of a data source: validating input against the kind,
//! applying a patch, sealing secrets, and the view clients read (secrets masked).

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::models::DataSourceOptions;
use crate::domain::connection_string::{self, Stage};
use crate::domain::kinds::{Field, Kind, OptionType};
use crate::domain::references::{self, Namespace};
use crate::error::{AppError, AppResult};
use crate::secrets::{Binding, MasterKeys};

/// One option as a client sends it; `None` clears the field.
#[derive(Clone)]
pub struct OptionInput {
    pub key: String,
    pub value: Option<Value>,
}

/// A validated change to one field: `None` clears it.
#[derive(Clone)]
pub struct Change {
    pub field: &'static Field,
    pub value: Option<Value>,
    /// The constants the value references (see [`references`]), as they are stored.
    pub references: Vec<(Namespace, String)>,
}

impl Change {
    /// The references as stored in a row: `constants.NAME`, `secrets.NAME`.
    pub fn qualified_references(&self) -> Vec<String> {
        self.references
            .iter()
            .map(|(namespace, name)| namespace.qualify(name))
            .collect()
    }
}

// Values may be secrets: what is debug-printed (and so maybe logged) never shows them.
impl std::fmt::Debug for OptionInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptionInput")
            .field("key", &self.key)
            .field("set", &self.value.is_some())
            .finish()
    }
}

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Change")
            .field("key", &self.field.key)
            .field("set", &self.value.is_some())
            .finish()
    }
}

/// One field as clients read it.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionView<'a> {
    pub key: &'static str,
    /// Always `None` for secrets.
    pub value: Option<&'a Value>,
    pub secret: bool,
    pub is_set: bool,
}

const MAX_STRING_BYTES: usize = 16 * 1024;

/// Checks every input against the kind: known key, given once, right type.
pub fn validate(kind: &Kind, inputs: &[OptionInput]) -> AppResult<Vec<Change>> {
    let mut changes: Vec<Change> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let field = kind.field(&input.key).ok_or_else(|| {
            let known: Vec<_> = kind.fields.iter().map(|f| f.key).collect();
            AppError::bad_field(
                &input.key,
                format!(
                    "Unknown option `{}` for kind {}; expected one of: {}.",
                    input.key,
                    kind.kind,
                    known.join(", ")
                ),
            )
        })?;
        if changes.iter().any(|c| c.field.key == field.key) {
            return Err(AppError::bad_field(
                field.key,
                format!("Option `{}` is given more than once.", field.key),
            ));
        }
        let value = match &input.value {
            None | Some(Value::Null) => None,
            Some(value) => Some(check_value(field, value)?),
        };
        let references = value
            .as_ref()
            .map(|v| references_in(field, v))
            .transpose()?
            .unwrap_or_default();
        changes.push(Change {
            field,
            value,
            references,
        });
    }
    Ok(changes)
}

/// The constants a value references: in a string, or in the values of a string map.
fn references_in(field: &Field, value: &Value) -> AppResult<Vec<(Namespace, String)>> {
    let texts: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Object(map) => map.values().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut found: Vec<(Namespace, String)> = Vec::new();
    for text in texts {
        let parsed = references::parse(text).map_err(|problem| {
            // The problem quotes the text: never a secret's.
            let problem = if field.secret {
                "it holds a malformed {{constants.NAME}} or {{secrets.NAME}} reference".to_owned()
            } else {
                problem
            };
            AppError::bad_field(field.key, format!("Option `{}`: {problem}.", field.key))
        })?;
        for reference in parsed {
            let entry = (reference.namespace, reference.name.to_owned());
            if !found.contains(&entry) {
                found.push(entry);
            }
        }
    }
    Ok(found)
}

fn check_value(field: &Field, value: &Value) -> AppResult<Value> {
    let wrong = |expected: &str| {
        AppError::bad_field(
            field.key,
            format!("Option `{}` must be {expected}.", field.key),
        )
    };
    match field.ty {
        OptionType::String => {
            let s = value.as_str().ok_or_else(|| wrong("a string"))?;
            if field.required && s.trim().is_empty() {
                return Err(wrong("a non-empty string (send null to clear it)"));
            }
            if s.len() > MAX_STRING_BYTES {
                return Err(wrong(&format!("at most {MAX_STRING_BYTES} bytes long")));
            }
            if s.contains('\0') {
                return Err(wrong("text without NUL characters"));
            }
            if !field.allowed.is_empty() && !field.allowed.contains(&s) {
                return Err(wrong(&format!("one of: {}", field.allowed.join(", "))));
            }
            check_format(field, s, Stage::Saved)?;
        }
        OptionType::Integer => {
            let i = value.as_i64().ok_or_else(|| wrong("an integer"))?;
            if let Some((min, max)) = field.range.filter(|(min, max)| i < *min || i > *max) {
                return Err(wrong(&format!("an integer from {min} to {max}")));
            }
        }
        OptionType::Boolean => {
            value.as_bool().ok_or_else(|| wrong("true or false"))?;
        }
        OptionType::StringMap => {
            let map = value
                .as_object()
                .ok_or_else(|| wrong("an object of strings"))?;
            if map.values().any(|v| !v.is_string()) {
                return Err(wrong("an object whose values are all strings"));
            }
            let text = map
                .iter()
                .flat_map(|(k, v)| [k.as_str(), v.as_str().unwrap_or_default()]);
            if text.clone().any(|t| t.contains('\0')) {
                return Err(wrong("an object without NUL characters"));
            }
            if text.map(str::len).sum::<usize>() > MAX_STRING_BYTES {
                return Err(wrong(&format!("at most {MAX_STRING_BYTES} bytes long")));
            }
        }
    }
    Ok(value.clone())
}

/// BAD_USER_INPUT naming the field unless `text` follows the field's format (see
/// [`connection_string`]); fields without one take any text.
fn check_format(field: &Field, text: &str, stage: Stage) -> AppResult<()> {
    match field.format {
        Some(format) => connection_string::check(format, text, stage)
            .map_err(|message| AppError::bad_field(field.key, message)),
        None => Ok(()),
    }
}

/// Checks the decrypted options of `kind`, constants substituted, against each field's
/// format: a constant's value can't add what a saved value may not hold. The message
/// says the value is checked as used.
pub fn check_resolved(kind: &Kind, options: &Map<String, Value>) -> AppResult<()> {
    for field in kind.fields.iter().filter(|f| f.format.is_some()) {
        if let Some(text) = options.get(field.key).and_then(Value::as_str) {
            check_format(field, text, Stage::Resolved).map_err(|error| match error {
                AppError::BadUserInput { message, field } => AppError::BadUserInput {
                    message: format!(
                        "{message} (The value was checked with its constants substituted.)"
                    ),
                    field,
                },
                other => other,
            })?;
        }
    }
    Ok(())
}

/// The secrets set in `row`, in the kind's order.
fn stored_secrets<'k>(kind: &'k Kind, row: &DataSourceOptions) -> Vec<&'k str> {
    kind.fields
        .iter()
        .filter(|f| f.secret && is_set(f, row))
        .map(|f| f.key)
        .collect()
}

/// `a`, `a` and `b`, `a`, `b` and `c`: keys in backquotes.
fn listed(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// "it" for one key, "them" for more.
fn it_or_them(keys: &[&str]) -> &'static str {
    if keys.len() == 1 { "it" } else { "them" }
}

/// Secrets follow their endpoint: a save that points an environment's options
/// somewhere new (a changed value of an `endpoint` field) while secrets are stored
/// there must give each of them again (a value, or null to clear it). Otherwise whoever
/// may edit the host alone could point it at their own server and run a connection
/// test to receive the password. A value saved again unchanged, and clearing an
/// endpoint, are not changes.
pub fn check_endpoint_change(
    kind: &Kind,
    row: &DataSourceOptions,
    changes: &[Change],
) -> AppResult<()> {
    let moved: Vec<&str> = changes
        .iter()
        .filter(|c| c.field.endpoint)
        .filter(|c| match &c.value {
            None => false,
            // A secret endpoint is given again whole: it carries its own credentials.
            Some(_) if c.field.secret => true,
            Some(value) => row.values.get(c.field.key) != Some(value),
        })
        .map(|c| c.field.key)
        .collect();
    let Some(first) = moved.first() else {
        return Ok(());
    };
    let missing: Vec<&str> = stored_secrets(kind, row)
        .into_iter()
        .filter(|key| !changes.iter().any(|c| c.field.key == *key))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::bad_field(
        *first,
        format!(
            "Changing {} would send the stored credentials to a new server: enter {} again in the same save (or clear {}).",
            listed(&moved),
            listed(&missing),
            it_or_them(&missing)
        ),
    ))
}

/// The rule of [`check_endpoint_change`] for a copy: without `include_secrets` the
/// target keeps its own secrets, so a copy that gives it another endpoint while it has
/// stored secrets is refused too (copy with secrets, or clear the target's first).
pub fn check_copy_endpoint(
    kind: &Kind,
    from: &DataSourceOptions,
    to: &DataSourceOptions,
    include_secrets: bool,
) -> AppResult<()> {
    if include_secrets {
        return Ok(());
    }
    let moved: Vec<&str> = kind
        .fields
        .iter()
        .filter(|f| f.endpoint && !f.secret)
        .filter(|f| {
            let source = from.values.get(f.key).filter(|v| !v.is_null());
            source.is_some() && source != to.values.get(f.key)
        })
        .map(|f| f.key)
        .collect();
    let secrets = stored_secrets(kind, to);
    if moved.is_empty() || secrets.is_empty() {
        return Ok(());
    }
    Err(AppError::bad_field(
        "includeSecrets",
        format!(
            "Copying changes {} of the target environment, which would send its stored {} to a new server: copy with includeSecrets, or clear {} there first.",
            listed(&moved),
            listed(&secrets),
            it_or_them(&secrets)
        ),
    ))
}

/// The fields of `kind` that are required and unset in `row`.
pub fn missing_required(kind: &Kind, row: &DataSourceOptions) -> Vec<&'static str> {
    kind.fields
        .iter()
        .filter(|f| f.required && !is_set(f, row))
        .map(|f| f.key)
        .collect()
}

/// Whether every required field has a value.
pub fn configured(kind: &Kind, row: &DataSourceOptions) -> bool {
    missing_required(kind, row).is_empty()
}

/// Whether a field of a row has a value (a secret: a sealed one).
pub fn is_set(field: &Field, row: &DataSourceOptions) -> bool {
    let map = if field.secret {
        &row.secrets
    } else {
        &row.values
    };
    map.get(field.key).is_some_and(|v| !v.is_null())
}

/// Every field of the kind, in the kind's order, secrets masked.
pub fn view<'a>(kind: &Kind, row: &'a DataSourceOptions) -> Vec<OptionView<'a>> {
    kind.fields
        .iter()
        .map(|field| view_of(field, row))
        .collect()
}

/// One field of a row as clients see it: secrets say only whether they are set.
pub fn view_of<'a>(field: &'static Field, row: &'a DataSourceOptions) -> OptionView<'a> {
    OptionView {
        key: field.key,
        value: shown_value(field, row),
        secret: field.secret,
        is_set: is_set(field, row),
    }
}

/// The value of a field of a row as clients see it: `None` for a secret, and for a
/// field without one.
pub fn shown_value<'a>(field: &Field, row: &'a DataSourceOptions) -> Option<&'a Value> {
    if field.secret {
        None
    } else {
        row.values.get(field.key).filter(|v| !v.is_null())
    }
}

/// Applies validated changes to a row: non-secret values in `values`, secrets sealed
/// for this row into `secrets`.
pub fn apply(row: &mut DataSourceOptions, changes: &[Change], master_keys: &MasterKeys) {
    for change in changes {
        let key = change.field.key;
        let references = change.qualified_references();
        let stored = object(&mut row.references);
        if references.is_empty() {
            stored.remove(key);
        } else {
            stored.insert(key.to_owned(), Value::from(references));
        }
        let (map, value) = match (&change.value, change.field.secret) {
            (None, secret) => (
                if secret {
                    &mut row.secrets
                } else {
                    &mut row.values
                },
                None,
            ),
            (Some(value), false) => (&mut row.values, Some(value.clone())),
            (Some(value), true) => {
                let plaintext = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                let binding = binding(row.data_source_id, row.environment_id, key);
                (
                    &mut row.secrets,
                    Some(Value::from(master_keys.seal(&plaintext, binding))),
                )
            }
        };
        let map = object(map);
        match value {
            Some(value) => map.insert(key.to_owned(), value),
            None => map.remove(key),
        };
    }
}

/// What an audit row says of `changes`: the non-secret keys set and cleared, and each
/// secret as SET or CLEARED. Never a value.
pub fn audit_details(changes: &[Change]) -> Value {
    let keys = |set: bool| -> Vec<&str> {
        changes
            .iter()
            .filter(|c| !c.field.secret && c.value.is_some() == set)
            .map(|c| c.field.key)
            .collect()
    };
    let secrets: Map<String, Value> = changes
        .iter()
        .filter(|c| c.field.secret)
        .map(|c| {
            let state = if c.value.is_some() { "SET" } else { "CLEARED" };
            (c.field.key.to_owned(), Value::from(state))
        })
        .collect();
    serde_json::json!({ "set": keys(true), "cleared": keys(false), "secrets": secrets })
}

/// The defaults of the fields `changes` leave out, as changes of their own.
pub fn with_defaults(kind: &Kind, mut changes: Vec<Change>) -> Vec<Change> {
    for field in kind.fields {
        if let Some(default) = field
            .default
            .filter(|_| !changes.iter().any(|c| c.field.key == field.key))
        {
            changes.push(Change {
                field,
                value: Some(default.to_json()),
                references: Vec::new(),
            });
        }
    }
    changes
}

/// Copies `from` onto `to`: non-secret values replaced; secrets re-sealed for `to`
/// (replaced, unset ones included) when `include_secrets`, else left as they were.
pub fn copy(
    kind: &Kind,
    from: &DataSourceOptions,
    to: &mut DataSourceOptions,
    include_secrets: bool,
    master_keys: &MasterKeys,
) -> AppResult<()> {
    // What is copied follows the formats as a save would: a value stored before a rule
    // existed is not carried into another environment.
    for field in kind
        .fields
        .iter()
        .filter(|f| f.format.is_some() && !f.secret)
    {
        if let Some(text) = from.values.get(field.key).and_then(Value::as_str) {
            check_format(field, text, Stage::Saved)?;
        }
    }
    to.values = from.values.clone();
    // References follow the values they are in: every non-secret field's, and the
    // secrets' only when secrets are copied.
    let secret = |key: &str| kind.field(key).is_some_and(|f| f.secret);
    let mut references: Map<String, Value> = object_ref(&to.references)
        .filter(|(key, _)| secret(key) && !include_secrets)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    references.extend(
        object_ref(&from.references)
            .filter(|(key, _)| !secret(key) || include_secrets)
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    to.references = Value::Object(references);
    if include_secrets {
        let mut secrets = Map::new();
        for (key, sealed) in object_ref(&from.secrets) {
            let plaintext = open(master_keys, from, key, sealed)?;
            if let Some(field) = kind.field(key) {
                check_format(field, &plaintext, Stage::Saved)?;
            }
            secrets.insert(
                key.clone(),
                Value::from(master_keys.seal(
                    &plaintext,
                    binding(to.data_source_id, to.environment_id, key),
                )),
            );
        }
        to.secrets = Value::Object(secrets);
    }
    Ok(())
}

/// Re-seals under the current master key every secret of `row` that another key
/// sealed; returns how many. The values do not change, so neither does the revision.
pub fn reseal(row: &mut DataSourceOptions, master_keys: &MasterKeys) -> AppResult<usize> {
    let current = master_keys.current().id().to_owned();
    let stale: Vec<(String, Value)> = object_ref(&row.secrets)
        .filter(|(_, sealed)| {
            sealed
                .as_str()
                .and_then(crate::secrets::key_id_of)
                .is_some_and(|id| id != current)
        })
        .map(|(key, sealed)| (key.clone(), sealed.clone()))
        .collect();
    for (key, sealed) in &stale {
        let plaintext = open(master_keys, row, key, sealed)?;
        let resealed = master_keys.seal(
            &plaintext,
            binding(row.data_source_id, row.environment_id, key),
        );
        object(&mut row.secrets).insert(key.clone(), Value::from(resealed));
    }
    Ok(stale.len())
}

/// Every constant a row's options reference, qualified (`constants.NAME`), once each.
pub fn referenced(row: &DataSourceOptions) -> Vec<String> {
    let mut names: Vec<String> = object_ref(&row.references)
        .flat_map(|(_, list)| list.as_array().into_iter().flatten())
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The constants a row's options reference (qualified) that have no value in its
/// environment, given which (qualified name, environment) pairs have one
/// (`constants::availability`). With [`missing_required`], what keeps an environment
/// from being configured.
pub fn missing_constants(row: &DataSourceOptions, available: &[(String, Uuid)]) -> Vec<String> {
    referenced(row)
        .into_iter()
        .filter(|name| {
            !available
                .iter()
                .any(|(n, environment)| n == name && *environment == row.environment_id)
        })
        .collect()
}

/// Replaces every reference in the decrypted `options` with the environment's values
/// (`values`, keyed by qualified name); the error names the first constant without a
/// value there.
pub fn substitute(
    options: &mut Map<String, Value>,
    row: &DataSourceOptions,
    values: &std::collections::HashMap<String, String>,
) -> Result<(), String> {
    for (key, _) in object_ref(&row.references) {
        let lookup = |r: &references::Reference<'_>| values.get(&r.qualified()).cloned();
        match options.get_mut(key.as_str()) {
            Some(Value::String(text)) => *text = references::substitute(text, lookup)?,
            Some(Value::Object(map)) => {
                for value in map.values_mut() {
                    if let Value::String(text) = value {
                        *text = references::substitute(text, lookup)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Every set option with its real value, secrets decrypted: for the query runner and
/// the connection test only.
pub fn decrypted(
    kind: &Kind,
    row: &DataSourceOptions,
    master_keys: &MasterKeys,
) -> AppResult<Map<String, Value>> {
    let mut options = Map::new();
    for field in kind.fields {
        if field.secret {
            if let Some(sealed) = row.secrets.get(field.key).filter(|v| !v.is_null()) {
                options.insert(
                    field.key.to_owned(),
                    Value::from(open(master_keys, row, field.key, sealed)?),
                );
            }
        } else if let Some(value) = row.values.get(field.key).filter(|v| !v.is_null()) {
            options.insert(field.key.to_owned(), value.clone());
        }
    }
    Ok(options)
}

/// The plaintext of secret `key` of `row`, when it is set: for comparing in memory
/// (drift, idempotent applies), never for a response.
pub fn secret_plaintext(
    row: &DataSourceOptions,
    key: &str,
    master_keys: &MasterKeys,
) -> AppResult<Option<String>> {
    row.secrets
        .get(key)
        .filter(|v| !v.is_null())
        .map(|sealed| open(master_keys, row, key, sealed))
        .transpose()
}

fn open(
    master_keys: &MasterKeys,
    row: &DataSourceOptions,
    key: &str,
    sealed: &Value,
) -> AppResult<String> {
    let sealed = sealed.as_str().unwrap_or_default();
    master_keys
        .open(sealed, binding(row.data_source_id, row.environment_id, key))
        .map_err(|e| {
            AppError::internal(anyhow::anyhow!(
                "secret `{key}` of data source {} in environment {} does not open: {e}",
                row.data_source_id,
                row.environment_id
            ))
        })
}

fn binding(data_source_id: Uuid, environment_id: Uuid, key: &str) -> Binding<'_> {
    Binding {
        data_source_id,
        environment_id,
        key,
    }
}

fn object(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    value.as_object_mut().expect("just made an object")
}

fn object_ref(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds;
    use crate::secrets::MasterKey;
    use serde_json::json;

    fn input(key: &str, value: Value) -> OptionInput {
        OptionInput {
            key: key.into(),
            value: Some(value),
        }
    }

    fn row() -> DataSourceOptions {
        DataSourceOptions {
            workspace_id: Uuid::from_u128(9),
            data_source_id: Uuid::from_u128(1),
            environment_id: Uuid::from_u128(2),
            values: json!({}),
            secrets: json!({}),
            revision: 1,
            updated_at: None,
            updated_by: None,
            references: json!({}),
        }
    }

    fn field_of(error: AppError) -> String {
        match error {
            AppError::BadUserInput {
                field: Some(field), ..
            } => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_keys_wrong_types_and_out_of_range_values_name_the_field() {
        let pg = kinds::find("postgresql").unwrap();
        assert_eq!(
            field_of(validate(pg, &[input("hostname", json!("x"))]).unwrap_err()),
            "hostname"
        );
        assert_eq!(
            field_of(validate(pg, &[input("port", json!("5432"))]).unwrap_err()),
            "port"
        );
        assert_eq!(
            field_of(validate(pg, &[input("port", json!(70000))]).unwrap_err()),
            "port"
        );
        assert_eq!(
            field_of(validate(pg, &[input("ssl_mode", json!("maybe"))]).unwrap_err()),
            "ssl_mode"
        );
        assert_eq!(
            field_of(validate(pg, &[input("host", json!(" "))]).unwrap_err()),
            "host"
        );
        let dup = [input("host", json!("a")), input("host", json!("b"))];
        assert_eq!(field_of(validate(pg, &dup).unwrap_err()), "host");
        let rest = kinds::find("restapi").unwrap();
        assert_eq!(
            field_of(validate(rest, &[input("headers", json!({"a": 1}))]).unwrap_err()),
            "headers"
        );
        assert!(validate(rest, &[input("headers", json!({"X-Api": "1"}))]).is_ok());
    }

    #[test]
    fn secrets_are_sealed_masked_and_cleared_by_null() {
        let pg = kinds::find("postgresql").unwrap();
        let master = MasterKeys::from(MasterKey::from_hex(&MasterKey::generate_hex()).unwrap());
        let mut r = row();
        let changes = validate(
            pg,
            &[
                input("host", json!("db")),
                input("password", json!("hunter2")),
            ],
        )
        .unwrap();
        apply(&mut r, &with_defaults(pg, changes), &master);
        assert!(!r.secrets.to_string().contains("hunter2"));
        let shown = view(pg, &r);
        let password = shown.iter().find(|o| o.key == "password").unwrap();
        assert_eq!((password.value, password.is_set), (None, true));
        assert_eq!(
            shown.iter().find(|o| o.key == "port").unwrap().value,
            Some(&json!(5432))
        );
        assert_eq!(decrypted(pg, &r, &master).unwrap()["password"], "hunter2");
        assert_eq!(missing_required(pg, &r), vec!["database", "username"]);

        let clear = validate(
            pg,
            &[OptionInput {
                key: "password".into(),
                value: None,
            }],
        )
        .unwrap();
        apply(&mut r, &clear, &master);
        assert!(
            !view(pg, &r)
                .iter()
                .find(|o| o.key == "password")
                .unwrap()
                .is_set
        );
    }

    #[test]
    fn a_secret_copied_to_another_row_does_not_open() {
        let pg = kinds::find("postgresql").unwrap();
        let master = MasterKeys::from(MasterKey::from_hex(&MasterKey::generate_hex()).unwrap());
        let mut a = row();
        apply(
            &mut a,
            &validate(pg, &[input("password", json!("pw"))]).unwrap(),
            &master,
        );
        let mut b = DataSourceOptions {
            environment_id: Uuid::from_u128(3),
            ..row()
        };
        b.secrets = a.secrets.clone();
        assert!(matches!(
            decrypted(pg, &b, &master),
            Err(AppError::Internal(_))
        ));
        let mut c = DataSourceOptions {
            environment_id: Uuid::from_u128(4),
            ..row()
        };
        copy(pg, &a, &mut c, true, &master).unwrap();
        assert_eq!(decrypted(pg, &c, &master).unwrap()["password"], "pw");
    }
}
