//! Row models, in pairs: a type to read a row and a `New…` type to insert one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{data_source_options, data_sources, environments};

/// A row of `environments`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = environments, check_for_backend(diesel::pg::Pg))]
pub struct Environment {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// `development`, `staging`, `production` or `custom`
    pub kind: String,
    pub priority: i32,
    pub is_default: bool,
    pub locked: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An environment to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = environments)]
pub struct NewEnvironment<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: &'a str,
    pub kind: &'a str,
    pub priority: i32,
    pub is_default: bool,
    pub locked: bool,
}

/// A row of `data_sources`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = data_sources, check_for_backend(diesel::pg::Pg))]
pub struct DataSource {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A data source to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = data_sources)]
pub struct NewDataSource<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: &'a str,
    pub kind: &'a str,
}

/// A row of `data_source_options`: one environment's options of one data source.
/// `values` holds the non-secret values, `secrets` the sealed secrets, both keyed by
/// option key.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = data_source_options, check_for_backend(diesel::pg::Pg))]
pub struct DataSourceOptions {
    pub workspace_id: Uuid,
    pub data_source_id: Uuid,
    pub environment_id: Uuid,
    pub values: serde_json::Value,
    pub secrets: serde_json::Value,
    pub revision: i32,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}
