use async_graphql::{Enum, Json, Object};
use serde_json::Value;

use crate::domain::kinds::{self, Field, Kind};

/// The type of an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum OptionType {
    /// A JSON string.
    String,
    /// A JSON integer.
    Integer,
    /// true or false.
    Boolean,
    /// A JSON object whose values are strings, such as HTTP headers.
    StringMap,
}

impl From<kinds::OptionType> for OptionType {
    fn from(ty: kinds::OptionType) -> Self {
        match ty {
            kinds::OptionType::String => Self::String,
            kinds::OptionType::Integer => Self::Integer,
            kinds::OptionType::Boolean => Self::Boolean,
            kinds::OptionType::StringMap => Self::StringMap,
        }
    }
}

pub struct DataSourceField(pub &'static Field);

/// One option field of a data-source kind: what a form needs to render and check it.
#[Object]
impl DataSourceField {
    /// The key options are saved under.
    async fn key(&self) -> &str {
        self.0.key
    }

    /// A human label for the field.
    async fn label(&self) -> &str {
        self.0.label
    }

    /// The type its value must have.
    #[graphql(name = "type")]
    async fn ty(&self) -> OptionType {
        self.0.ty.into()
    }

    /// Whether an environment is configured only when this field is set.
    async fn required(&self) -> bool {
        self.0.required
    }

    /// Whether the value is a secret: encrypted at rest and never returned.
    async fn secret(&self) -> bool {
        self.0.secret
    }

    /// The value used on create when none is given.
    async fn default_value(&self) -> Option<Json<Value>> {
        self.0.default.map(|d| Json(d.to_json()))
    }

    /// For string fields with a fixed choice: the accepted values.
    async fn allowed_values(&self) -> Option<Vec<&str>> {
        (!self.0.allowed.is_empty()).then(|| self.0.allowed.to_vec())
    }
}

pub struct DataSourceKind(pub &'static Kind);

/// A kind of data source (PostgreSQL, REST API, ...) and its option fields.
#[Object]
impl DataSourceKind {
    /// The kind's identifier, as `DataSource.kind` and `createDataSource` spell it.
    async fn kind(&self) -> &str {
        self.0.kind
    }

    /// A human name for the kind.
    async fn display_name(&self) -> &str {
        self.0.display_name
    }

    /// The option fields, in the order forms show them.
    async fn fields(&self) -> Vec<DataSourceField> {
        self.0.fields.iter().map(DataSourceField).collect()
    }
}
