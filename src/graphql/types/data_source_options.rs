use std::sync::Arc;

use async_graphql::parser::types::Field;
use async_graphql::{
    Context, ContextSelectionSet, ID, Json, Name, Object, OutputType, Positioned, ScalarType,
    SimpleObject,
};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::db::models;
use crate::domain::kinds::Kind;
use crate::domain::options;
use crate::graphql::ContextExt as _;
use crate::graphql::direct::{self, Json as Written};
use crate::graphql::inline::{Inline, InlineFields, InlineList};
use crate::graphql::types::environment::Environment;

/// One option of one environment, as clients read it.
#[derive(Debug, Clone, SimpleObject)]
pub struct DataSourceOption {
    /// The field's key.
    pub key: String,
    /// null for secrets: their values are never returned
    pub value: Option<Json<Value>>,
    /// Whether the field is a secret.
    pub secret: bool,
    /// Whether the field has a value (for secrets, the only thing said about them).
    pub is_set: bool,
}

impl From<options::OptionView<'_>> for DataSourceOption {
    fn from(v: options::OptionView<'_>) -> Self {
        Self {
            key: v.key.to_owned(),
            value: v.value.cloned().map(Json),
            secret: v.secret,
            is_set: v.is_set,
        }
    }
}

/// Namespace of the ids of (data source, environment) pairs.
const OPTIONS_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6a1f_0c1e_5d0e_4c4b_9a52_e2b7_3f0d_9c11);

pub struct DataSourceOptions {
    pub kind: &'static Kind,
    /// Shared with the request's loader when read through one.
    pub row: Arc<models::DataSourceOptions>,
}

impl DataSourceOptions {
    /// The id of the (data source, environment) pair.
    fn pair_id(&self) -> Uuid {
        let name = [
            self.row.data_source_id.as_bytes().as_slice(),
            self.row.environment_id.as_bytes(),
        ]
        .concat();
        Uuid::new_v5(&OPTIONS_ID_NAMESPACE, &name)
    }
}

/// A data source's options in one environment.
#[Object]
impl DataSourceOptions {
    /// stable id of this (data source, environment) pair, so client caches can normalize it
    async fn id(&self) -> ID {
        ID(self.pair_id().to_string())
    }

    /// The data source these options belong to.
    async fn data_source_id(&self) -> ID {
        ID(self.row.data_source_id.to_string())
    }

    /// The environment these options are for.
    async fn environment(&self, ctx: &Context<'_>) -> async_graphql::Result<Inline<Environment>> {
        ctx.environment_by_id(self.row.environment_id)
            .await
            .map(Inline)
    }

    /// Whether every required field has a value, and every constant the options
    /// reference has a value in this environment: only then can apps run against it.
    async fn configured(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        if !options::configured(self.kind, &self.row) {
            return Ok(false);
        }
        if options::referenced(&self.row).is_empty() {
            return Ok(true);
        }
        let available = ctx.constant_availability().await?;
        Ok(options::missing_constants(&self.row, &available).is_empty())
    }

    /// Every field of the kind, in the kind's order; secrets say only whether they are set.
    async fn values(&self) -> InlineList<DataSourceOption> {
        options::view(self.kind, &self.row)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// Bumped by every save; send it back as `expectedRevision` to detect concurrent edits.
    async fn revision(&self) -> i32 {
        self.row.revision
    }

    /// When these options were last saved.
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.row.updated_at
    }

    /// Who last saved these options.
    async fn updated_by(&self) -> Option<ID> {
        self.row.updated_by.clone().map(ID)
    }
}

impl InlineFields for DataSourceOption {
    const INLINE: &'static [&'static str] = &["key", "value", "secret", "isSet"];
}

impl InlineFields for DataSourceOptions {
    const INLINE: &'static [&'static str] = &[
        "id",
        "dataSourceId",
        "values",
        "revision",
        "updatedAt",
        "updatedBy",
    ];
}

/// A field of [`DataSourceOptions`] that can be written straight to JSON.
pub enum WrittenField {
    TypeName,
    Id,
    DataSourceId,
    Values(Vec<(Name, WrittenOption)>),
    Revision,
    UpdatedAt,
    UpdatedBy,
}

/// A field of [`DataSourceOption`] that can be written straight to JSON.
#[derive(Clone, Copy)]
pub enum WrittenOption {
    TypeName,
    Key,
    Value,
    Secret,
    IsSet,
}

impl DataSourceOptions {
    /// What `field` (of a type holding options) asks of them, if all of it can be
    /// written straight to JSON.
    pub fn written_fields(
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> Option<Vec<(Name, WrittenField)>> {
        let set = &field.node.selection_set.node;
        direct::compile(ctx, &Self::type_name(), set, |field| {
            Some(match field.node.name.node.as_str() {
                "__typename" => WrittenField::TypeName,
                "id" => WrittenField::Id,
                "dataSourceId" => WrittenField::DataSourceId,
                "values" => {
                    let set = &field.node.selection_set.node;
                    let type_name = DataSourceOption::type_name();
                    WrittenField::Values(direct::compile(ctx, &type_name, set, written_option)?)
                }
                "revision" => WrittenField::Revision,
                "updatedAt" => WrittenField::UpdatedAt,
                "updatedBy" => WrittenField::UpdatedBy,
                _ => return None,
            })
        })
    }

    /// Writes these options as `fields` ask, as their resolvers would answer.
    pub fn write(&self, fields: &[(Name, WrittenField)], json: &mut Written) -> Option<()> {
        json.object(fields, |json, field| {
            match field {
                WrittenField::TypeName => json.str(&Self::type_name()),
                WrittenField::Id => json.uuid(&self.pair_id()),
                WrittenField::DataSourceId => json.uuid(&self.row.data_source_id),
                WrittenField::Values(fields) => {
                    let views = options::view(self.kind, &self.row);
                    return json.list(&views, |json, view| write_option(view, fields, json));
                }
                WrittenField::Revision => json.int(self.row.revision),
                WrittenField::UpdatedAt => match &self.row.updated_at {
                    Some(at) => json.value(&at.to_value()),
                    None => json.raw("null"),
                },
                WrittenField::UpdatedBy => json.opt_str(self.row.updated_by.as_deref()),
            }
            Some(())
        })
    }
}

/// What a field of an option is, if it can be written straight to JSON.
fn written_option(field: &Positioned<Field>) -> Option<WrittenOption> {
    Some(match field.node.name.node.as_str() {
        "__typename" => WrittenOption::TypeName,
        "key" => WrittenOption::Key,
        "value" => WrittenOption::Value,
        "secret" => WrittenOption::Secret,
        "isSet" => WrittenOption::IsSet,
        _ => return None,
    })
}

/// Writes one option as `fields` ask, as [`DataSourceOption`] would answer.
fn write_option(
    view: &options::OptionView<'_>,
    fields: &[(Name, WrittenOption)],
    json: &mut Written,
) -> Option<()> {
    json.object(fields, |json, field| {
        match field {
            WrittenOption::TypeName => json.str(&DataSourceOption::type_name()),
            WrittenOption::Key => json.str(view.key),
            WrittenOption::Value => match view.value {
                Some(value) => json.json(value),
                None => json.raw("null"),
            },
            WrittenOption::Secret => json.bool(view.secret),
            WrittenOption::IsSet => json.bool(view.is_set),
        }
        Some(())
    })
}
