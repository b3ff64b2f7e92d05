use std::sync::Arc;

use async_graphql::{Context, ContextSelectionSet, ID, Json, Object};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::db::models;
use crate::domain::kinds::{self, Kind};
use crate::domain::options;
use crate::graphql::ContextExt as _;
use crate::graphql::direct;
use crate::graphql::inline::{Inline, InlineFields, InlineList, Plain};
use crate::graphql::plan::Planned;
use crate::graphql::types::environment::Environment;

/// One option of one environment, as clients read it: a field of the data source's
/// kind, read from the options row (shared, not copied).
#[derive(Clone)]
pub struct DataSourceOption {
    field: &'static kinds::Field,
    row: Arc<models::DataSourceOptions>,
}

/// One option of one environment, as clients read it.
#[Object]
impl DataSourceOption {
    /// The field's key.
    async fn key(&self) -> &str {
        self.field.key
    }

    /// null for secrets: their values are never returned
    async fn value(&self) -> Option<Json<Value>> {
        options::shown_value(self.field, &self.row)
            .cloned()
            .map(Json)
    }

    /// Whether the field is a secret.
    async fn secret(&self) -> bool {
        self.field.secret
    }

    /// Whether the field has a value (for secrets, the only thing said about them).
    async fn is_set(&self) -> bool {
        options::is_set(self.field, &self.row)
    }
}

impl InlineFields for DataSourceOption {
    const PLAIN: &'static [Plain<Self>] = &[
        Plain::new("key", |option, json| json.str(option.field.key)),
        Plain::new("value", |option, json| {
            match options::shown_value(option.field, &option.row) {
                Some(value) => json.json(value),
                None => json.raw("null"),
            }
        }),
        Plain::new("secret", |option, json| json.bool(option.field.secret)),
        Plain::new("isSet", |option, json| {
            json.bool(options::is_set(option.field, &option.row))
        }),
    ];
}

/// Namespace of the ids of (data source, environment) pairs.
const OPTIONS_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6a1f_0c1e_5d0e_4c4b_9a52_e2b7_3f0d_9c11);

pub struct DataSourceOptions {
    pub kind: &'static Kind,
    /// Shared with the request's loader when read through one.
    pub row: Arc<models::DataSourceOptions>,
}

impl DataSourceOptions {
    /// Every field of the kind, in the kind's order.
    pub(crate) fn each_option(&self) -> impl Iterator<Item = DataSourceOption> + '_ {
        self.kind.fields.iter().map(|field| DataSourceOption {
            field,
            row: Arc::clone(&self.row),
        })
    }

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
        self.each_option().collect()
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

impl InlineFields for DataSourceOptions {
    const PLAIN: &'static [Plain<Self>] = &[
        Plain::new("id", |options, json| json.uuid(&options.pair_id())),
        Plain::new("dataSourceId", |options, json| {
            json.uuid(&options.row.data_source_id)
        }),
        Plain::new("revision", |options, json| json.int(options.row.revision)),
        Plain::new("updatedAt", |options, json| {
            json.opt_time(options.row.updated_at.as_ref())
        }),
        Plain::new("updatedBy", |options, json| {
            json.opt_str(options.row.updated_by.as_deref())
        }),
    ];

    const READY: &'static [&'static str] = &["values"];

    /// `values`, each option as its field table writes it.
    fn nested<'a>(
        ctx: &ContextSelectionSet<'a>,
        planned: &'a Planned<'a>,
    ) -> Option<direct::Writer<'a, Self>> {
        if planned.name.as_str() != "values" {
            return None;
        }
        let write = direct::writer::<DataSourceOption>(ctx, &planned.selection)?;
        Some(Box::new(move |options, json| {
            json.list(options.each_option(), |json, option| write(&option, json))
        }))
    }
}
