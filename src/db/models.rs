//! Row models, in pairs: a type to read a row and a `New…` type to insert one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::{
    app_version_data_sources, app_versions, apps, audit_events, constant_values, constants,
    data_source_options, data_sources, environment_selections, environments, promotion_requests,
    promotion_reviews, releases, scheduled_releases,
};

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
    /// Stored protection; in effect in Enterprise only (see `environments::is_protected`).
    pub protected: bool,
    /// Stored access rules; in effect in Enterprise only (see `access::rules_in`).
    pub access: AccessRules,
    /// Approvals a promotion into it needs (0 to 5); in effect in Enterprise only.
    pub required_approvals: i32,
}

/// An environment's access rules, stored as a JSON array (see `domain::access`).
#[derive(Debug, Clone, PartialEq, Eq, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Jsonb)]
pub struct AccessRules(pub Vec<crate::domain::access::Rule>);

impl diesel::deserialize::FromSql<diesel::sql_types::Jsonb, diesel::pg::Pg> for AccessRules {
    /// Straight from JSONB's binary format (a version byte, then the text) to the
    /// rules: no tree of JSON values in between (this is read with every request's
    /// environments).
    fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        match bytes.as_bytes() {
            [1, text @ ..] => Ok(Self(serde_json::from_slice(text)?)),
            _ => Err("unsupported JSONB encoding version".into()),
        }
    }
}

impl diesel::serialize::ToSql<diesel::sql_types::Jsonb, diesel::pg::Pg> for AccessRules {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
    ) -> diesel::serialize::Result {
        use std::io::Write as _;
        // JSONB's binary format: a version byte, then the text.
        out.write_all(&[1])?;
        serde_json::to_writer(out, &self.0)?;
        Ok(diesel::serialize::IsNull::No)
    }
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
    pub protected: bool,
    /// `None`: the defaults (the column's default).
    pub access: Option<AccessRules>,
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
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Insertable)]
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
    /// The constants each option references, by option key (`{"host": ["constants.DB_HOST"]}`).
    pub references: serde_json::Value,
}

/// A row of `apps`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = apps, check_for_backend(diesel::pg::Pg))]
pub struct App {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An app to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = apps)]
pub struct NewApp<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: &'a str,
}

/// A row of `app_versions`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = app_versions, check_for_backend(diesel::pg::Pg))]
pub struct AppVersion {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub name: String,
    pub environment_id: Uuid,
    /// `draft` or `released`
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A version to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = app_versions)]
pub struct NewAppVersion<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub name: &'a str,
    pub environment_id: Uuid,
    pub status: &'a str,
}

/// A row of `environment_selections`: the environment a user last chose for an app.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = environment_selections, check_for_backend(diesel::pg::Pg))]
pub struct EnvironmentSelection {
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub user_id: String,
    pub environment_id: Uuid,
    pub updated_at: DateTime<Utc>,
}

/// A row of `audit_events`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEvent {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub data_source_id: Option<Uuid>,
    pub environment_id: Option<Uuid>,
    pub app_id: Option<Uuid>,
    pub version_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

/// An audit event to insert; `at` is the database's clock.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub data_source_id: Option<Uuid>,
    pub environment_id: Option<Uuid>,
    pub app_id: Option<Uuid>,
    pub version_id: Option<Uuid>,
    pub request_id: Option<&'a str>,
    pub details: serde_json::Value,
}

/// A row of `constants`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = constants, check_for_backend(diesel::pg::Pg))]
pub struct Constant {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// `global` or `secret`
    #[diesel(column_name = type_)]
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `constant_values`: one environment's value of a constant, sealed for a
/// SECRET one.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = constant_values, check_for_backend(diesel::pg::Pg))]
pub struct ConstantValue {
    pub workspace_id: Uuid,
    pub constant_id: Uuid,
    pub environment_id: Uuid,
    pub value: String,
    pub updated_at: DateTime<Utc>,
}

/// A row of `app_version_data_sources`: a data source a version's queries use.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = app_version_data_sources, check_for_backend(diesel::pg::Pg))]
pub struct VersionDataSource {
    pub workspace_id: Uuid,
    pub version_id: Uuid,
    pub data_source_id: Uuid,
}

/// A row of `promotion_requests`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = promotion_requests, check_for_backend(diesel::pg::Pg))]
pub struct PromotionRequest {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub version_id: Uuid,
    pub from_environment_id: Uuid,
    pub to_environment_id: Uuid,
    pub requested_by: String,
    pub note: Option<String>,
    /// `pending`, `approved`, `rejected`, `cancelled` or `stale`
    pub status: String,
    /// Bumped by every change.
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A promotion request to insert; it starts pending.
#[derive(Debug, Insertable)]
#[diesel(table_name = promotion_requests)]
pub struct NewPromotionRequest<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub version_id: Uuid,
    pub from_environment_id: Uuid,
    pub to_environment_id: Uuid,
    pub requested_by: &'a str,
    pub note: Option<&'a str>,
}

/// A row of `promotion_reviews`: one admin's decision on a request.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = promotion_reviews, check_for_backend(diesel::pg::Pg))]
pub struct PromotionReview {
    pub request_id: Uuid,
    pub actor: String,
    pub approved: bool,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// A review to insert; `at` is the database's clock.
#[derive(Debug, Insertable)]
#[diesel(table_name = promotion_reviews)]
pub struct NewPromotionReview<'a> {
    pub request_id: Uuid,
    pub actor: &'a str,
    pub approved: bool,
    pub comment: Option<&'a str>,
}

/// A row of `releases`: one release of an app, by whatever made it.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = releases, check_for_backend(diesel::pg::Pg))]
pub struct Release {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub version_id: Uuid,
    /// The app's releases in the order they committed.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub released_by: String,
    pub note: Option<String>,
    pub rollback: bool,
    pub scheduled: bool,
    /// The release a rollback from this one returns to.
    pub previous_id: Option<Uuid>,
}

/// A release to insert; `seq` and `at` are the database's.
#[derive(Debug, Insertable)]
#[diesel(table_name = releases)]
pub struct NewRelease<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub version_id: Uuid,
    pub released_by: &'a str,
    pub note: Option<&'a str>,
    pub rollback: bool,
    pub scheduled: bool,
    pub previous_id: Option<Uuid>,
}

/// A row of `scheduled_releases`.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = scheduled_releases, check_for_backend(diesel::pg::Pg))]
pub struct ScheduledRelease {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub version_id: Uuid,
    pub at: DateTime<Utc>,
    pub scheduled_by: String,
    /// The scheduler's role when it was scheduled.
    pub role: String,
    pub note: Option<String>,
    /// `scheduled`, `done`, `failed` or `cancelled`
    pub status: String,
    /// Why it failed, when it did.
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A scheduled release to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = scheduled_releases)]
pub struct NewScheduledRelease<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub app_id: Uuid,
    pub version_id: Uuid,
    pub at: DateTime<Utc>,
    pub scheduled_by: &'a str,
    pub role: &'a str,
    pub note: Option<&'a str>,
}
