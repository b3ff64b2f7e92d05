//! The workspace-config document: its Rust types (the JSON Schema in
//! `workspace-config.schema.json` is generated from them), and reading one item by item
//! so that every problem is reported at once, each naming its item.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::access::Rule;
use crate::domain::constants::ConstantType;
pub use crate::error::Problem;

/// The only version of the document this server reads and writes.
pub const VERSION: u32 = 1;

/// A workspace's configuration: environments, data sources and constants. It never
/// holds a secret's value: a set secret reads `{"secret": "SET"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "envgate workspace configuration")]
pub struct Document {
    /// The document's format: 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// The pipeline in order, lowest priority first; the default environment
    /// (Production) last. Left out: the environments are not changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<EnvironmentEntry>>,
    /// Data sources by name.
    #[serde(default)]
    pub data_sources: Vec<DataSourceEntry>,
    /// Workspace constants by name.
    #[serde(default)]
    pub constants: Vec<ConstantEntry>,
}

/// One environment of the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvironmentEntry {
    /// Its name: an environment that does not exist is created (Enterprise) after the
    /// one listed before it.
    pub name: String,
    /// Whether promoting into it, and releasing from it, need an admin. Left out: kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
    /// Approvals a promotion into it needs, 0 to 5 (0: none). Left out: kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 5))]
    pub required_approvals: Option<i32>,
    /// Who may do what in it besides admins (replaces its rules). Left out: kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Vec<Rule>>,
}

/// One data source and its options per environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataSourceEntry {
    /// Its name, unique in the workspace regardless of case.
    pub name: String,
    /// Its kind (`postgresql`, `restapi`, ...); a data source's kind never changes.
    pub kind: String,
    /// Options by environment name, then by option key. A key left out keeps its value
    /// (with `prune`: is cleared); `null` clears it.
    #[serde(default)]
    pub options: IndexMap<String, IndexMap<String, OptionValue>>,
}

/// One workspace constant and its values per environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConstantEntry {
    /// Its name: `[A-Za-z_][A-Za-z0-9_]{0,63}`, unique regardless of case.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"))]
    pub name: String,
    /// GLOBAL or SECRET; a constant's type never changes.
    #[serde(rename = "type")]
    pub kind: ConstantType,
    /// Values by environment name: a string, `null` to clear, and for SECRET ones
    /// `{"secret": "SET"}` to keep the value there. A value left out is kept (with
    /// `prune`: cleared).
    #[serde(default)]
    pub values: IndexMap<String, OptionValue>,
}

/// A value in the document: any JSON value (as the field's type wants), or for a secret
/// a reference to one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct OptionValue(#[schemars(with = "OptionValueShape")] pub Value);

/// What [`OptionValue`] holds, for the schema only: a secret's stand-in, or a value.
/// (Read field by field: for a field that is not secret, an object such as HTTP
/// headers is a value even when it has a `secret` key.)
#[derive(JsonSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes the schema; values are read as JSON")]
enum OptionValueShape {
    Secret(SecretValue),
    Value(Value),
}

/// A secret's stand-in: `{"secret": "SET"}` keeps the stored value (and leaves an
/// unset one unset); `{"secret": {"fromEnv": "NAME"}}` is filled in by `envgate config
/// apply` from its environment variable NAME before the document is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretValue {
    pub secret: SecretSource,
}

/// Where a secret's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SecretSource {
    /// `"SET"`: the stored value stays.
    Kept(Kept),
    /// `{"fromEnv": "NAME"}`: the CLI's environment variable NAME.
    FromEnv {
        #[serde(rename = "fromEnv")]
        from_env: String,
    },
}

/// `"SET"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Kept {
    #[serde(rename = "SET")]
    Set,
}

impl OptionValue {
    /// The stand-in of a set secret.
    pub fn secret_set() -> Self {
        Self(
            serde_json::to_value(SecretValue {
                secret: SecretSource::Kept(Kept::Set),
            })
            .expect("a plain struct serializes"),
        )
    }

    /// The secret stand-in this value is, if it is one.
    pub fn as_secret(&self) -> Option<SecretSource> {
        match &self.0 {
            Value::Object(map) if map.contains_key("secret") => {
                serde_json::from_value::<SecretValue>(self.0.clone())
                    .ok()
                    .map(|s| s.secret)
            }
            _ => None,
        }
    }
}

/// The JSON Schema of the document, as committed in `workspace-config.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Document);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

/// Reads a document item by item: every item that does not read is one problem naming
/// it, all reported together.
pub fn read(value: &Value) -> Result<Document, Vec<Problem>> {
    let Value::Object(top) = value else {
        return Err(vec![Problem::new(
            "document",
            "The configuration must be a JSON object with `version`, `environments`, `dataSources` and `constants`.",
        )]);
    };
    let mut problems = Vec::new();
    for key in top.keys() {
        if !["version", "environments", "dataSources", "constants"].contains(&key.as_str()) {
            problems.push(Problem::new(
                "document",
                format!("Unknown key `{key}`: expected version, environments, dataSources and constants."),
            ));
        }
    }
    if top.get("version").and_then(Value::as_u64) != Some(u64::from(VERSION)) {
        problems.push(Problem::new(
            "document",
            format!("`version` must be {VERSION}: this server reads version {VERSION} documents."),
        ));
    }
    let environments = match top.get("environments") {
        None | Some(Value::Null) => None,
        Some(list) => Some(items(list, "environments", "environment", &mut problems)),
    };
    let data_sources = top
        .get("dataSources")
        .map(|list| items(list, "dataSources", "data source", &mut problems))
        .unwrap_or_default();
    let constants = top
        .get("constants")
        .map(|list| items(list, "constants", "constant", &mut problems))
        .unwrap_or_default();
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Document {
        version: VERSION,
        environments,
        data_sources,
        constants,
    })
}

/// The items of one list, each read on its own; one that does not read is a problem
/// named by its `name` (or its position).
fn items<T: serde::de::DeserializeOwned>(
    list: &Value,
    key: &str,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Vec<T> {
    let Value::Array(list) = list else {
        problems.push(Problem::new("document", format!("`{key}` must be a list.")));
        return Vec::new();
    };
    let mut read = Vec::with_capacity(list.len());
    for (index, item) in list.iter().enumerate() {
        match serde_json::from_value::<T>(item.clone()) {
            Ok(item) => read.push(item),
            Err(error) => {
                let name = item
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("#{}", index + 1), str::to_owned);
                problems.push(Problem::new(
                    format!("{what} {name}"),
                    without_strings(&error.to_string()),
                ));
            }
        }
    }
    read
}

/// A reader's message without the values it quotes (`invalid type: string "…"`,
/// ``unknown variant `…` ``): a value in the wrong place may be a secret.
fn without_strings(message: &str) -> String {
    let mut out = message.to_owned();
    for (opening, closing) in [("string \"", '"'), ("unknown variant `", '`')] {
        let mut redacted = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(opening) {
            let start = at + opening.len();
            redacted.push_str(&rest[..start]);
            redacted.push('…');
            let mut escaped = false;
            let end = rest[start..]
                .char_indices()
                .find(|&(_, c)| {
                    let closes = c == closing && !escaped;
                    escaped = c == '\\' && !escaped;
                    closes
                })
                .map_or(rest.len(), |(i, _)| start + i);
            rest = &rest[end..];
        }
        redacted.push_str(rest);
        out = redacted;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_item_that_does_not_read_is_named() {
        let problems = read(&json!({
            "version": 2,
            "environments": [{ "name": "QA", "protected": "yes" }],
            "dataSources": [{ "name": "orders", "kind": "postgresql", "colour": 1 }, { "kind": 3 }],
            "constants": [],
            "extra": true,
        }))
        .unwrap_err();
        let items: Vec<&str> = problems.iter().map(|p| p.item.as_str()).collect();
        assert_eq!(
            items,
            [
                "document",
                "document",
                "environment QA",
                "data source orders",
                "data source #2"
            ]
        );
    }

    #[test]
    fn a_value_in_the_wrong_place_is_not_quoted() {
        let problems = read(&json!({
            "version": 1,
            "dataSources": [{ "name": "orders", "kind": "postgresql", "options": { "Production": "hunter\"2" } }],
            "constants": [{ "name": "A", "type": "pw-secret-1", "values": {} }],
        }))
        .unwrap_err();
        assert_eq!(problems.len(), 2);
        for problem in problems {
            assert!(
                !problem.message.contains("hunter") && !problem.message.contains("pw-secret"),
                "{problem:?}"
            );
            assert!(problem.message.contains('…'), "{problem:?}");
        }
    }

    #[test]
    fn secrets_stand_ins_are_told_from_values() {
        assert_eq!(OptionValue::secret_set().0, json!({ "secret": "SET" }));
        assert_eq!(
            OptionValue(json!({ "secret": { "fromEnv": "PG_PASSWORD" } })).as_secret(),
            Some(SecretSource::FromEnv {
                from_env: "PG_PASSWORD".into()
            })
        );
        assert_eq!(
            OptionValue(json!({ "secret": "hunter2" })).as_secret(),
            None
        );
        assert_eq!(OptionValue(json!("SET")).as_secret(), None);
    }
}
