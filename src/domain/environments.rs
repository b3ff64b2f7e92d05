//! Environments: an ordered pipeline per workspace. Rules are written against
//! `priority` and `is_default`, never against names or a count of three, so custom
//! environments can be inserted between the built-in ones.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::Environment;
use crate::db::schema::environments;
use crate::domain::Caller;
use crate::domain::access::Permission;
use crate::domain::ids::EnvironmentId;
use crate::error::{AppError, AppResult};

/// What an environment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvironmentKind {
    Development,
    Staging,
    Production,
    Custom,
}

impl EnvironmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
            Self::Custom => "custom",
        }
    }

    /// The kind stored in a row (the table's check constraint admits only these).
    pub fn of(environment: &Environment) -> Self {
        match environment.kind.as_str() {
            "development" => Self::Development,
            "staging" => Self::Staging,
            "production" => Self::Production,
            _ => Self::Custom,
        }
    }
}

/// A built-in environment, created with every workspace.
#[derive(Debug)]
pub struct BuiltIn {
    pub name: &'static str,
    pub kind: EnvironmentKind,
    pub priority: i32,
    pub is_default: bool,
}

/// Development (1), Staging (2), Production (3, the default).
pub const BUILT_IN: [BuiltIn; 3] = [
    BuiltIn {
        name: "Development",
        kind: EnvironmentKind::Development,
        priority: 1,
        is_default: false,
    },
    BuiltIn {
        name: "Staging",
        kind: EnvironmentKind::Staging,
        priority: 2,
        is_default: false,
    },
    BuiltIn {
        name: "Production",
        kind: EnvironmentKind::Production,
        priority: 3,
        is_default: true,
    },
];

/// Every environment of the workspace, by priority, whatever the edition.
pub async fn all(conn: &mut Conn, workspace_id: Uuid) -> QueryResult<Vec<Environment>> {
    environments::table
        .filter(environments::workspace_id.eq(workspace_id))
        .order(environments::priority.asc())
        .select(Environment::as_select())
        .load(conn)
        .await
}

/// The environments the edition offers, by priority: all of them with the
/// multi-environment license, else the default one only.
pub fn offered(all: &[Environment], caller: &Caller) -> Vec<Environment> {
    all.iter()
        .filter(|e| is_offered(e, caller))
        .cloned()
        .collect()
}

/// The environments the edition offers whose options the caller may read, by
/// priority: what lists of options and constant values hold.
pub fn readable<'a>(all: &'a [Environment], caller: &Caller) -> Vec<&'a Environment> {
    all.iter()
        .filter(|e| is_offered(e, caller) && caller.may(Permission::ReadOptions, e))
        .collect()
}

/// The environment `id` names, offered by the edition, whose options the caller may
/// read: NOT_FOUND, LICENSE_REQUIRED or FORBIDDEN otherwise.
pub fn find_readable<'a>(
    all: &'a [Environment],
    id: EnvironmentId,
    caller: &Caller,
) -> AppResult<&'a Environment> {
    let environment = find_offered(all, id, caller)?;
    caller.require_in(Permission::ReadOptions, environment)?;
    Ok(environment)
}

/// Whether the edition offers `environment`: every one with the multi-environment
/// license, else the default one only.
pub fn is_offered(environment: &Environment, caller: &Caller) -> bool {
    caller.multi_environment || environment.is_default
}

/// The environment `id` names in `all`, whatever the edition; NOT_FOUND if it is not
/// there (malformed, unknown or another workspace's).
pub fn find(all: &[Environment], id: EnvironmentId) -> AppResult<&Environment> {
    all.iter()
        .find(|e| e.id == id.0)
        .ok_or(AppError::NotFound("environment"))
}

/// The environment `id` names in `all`: NOT_FOUND if it is not there (malformed, unknown
/// or another workspace's), LICENSE_REQUIRED if the edition does not offer it.
pub fn find_offered<'a>(
    all: &'a [Environment],
    id: EnvironmentId,
    caller: &Caller,
) -> AppResult<&'a Environment> {
    let environment = find(all, id)?;
    if !is_offered(environment, caller) {
        return Err(AppError::LicenseRequired(format!(
            "The {} environment needs an Enterprise license with multiple environments; the Community edition uses {} only.",
            environment.name,
            default_of(all).map_or("the default environment", |d| d.name.as_str()),
        )));
    }
    Ok(environment)
}

/// The default environment: the one released apps run on.
pub fn default_of(all: &[Environment]) -> Option<&Environment> {
    all.iter().find(|e| e.is_default)
}

/// Whether `environment` is protected in effect: promoting into it, and releasing
/// while it is the default one, need an admin. An Enterprise rule: in Community
/// nothing is protected (the stored flag is kept for a renewed license).
pub fn is_protected(environment: &Environment, caller: &Caller) -> bool {
    caller.multi_environment && environment.protected
}

/// How many approvals a promotion into `environment` needs in effect: an Enterprise
/// rule, none in Community (the stored number is kept for a renewed license).
pub fn required_approvals(environment: &Environment, caller: &Caller) -> i32 {
    if caller.multi_environment {
        environment.required_approvals
    } else {
        0
    }
}

/// The lowest-priority environment the edition offers: where new versions start, and
/// what a builder who never chose sees.
pub fn lowest_offered<'a>(all: &'a [Environment], caller: &Caller) -> AppResult<&'a Environment> {
    all.iter()
        .filter(|e| is_offered(e, caller))
        .min_by_key(|e| e.priority)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("workspace has no environments")))
}

/// The environment after `current` in the pipeline (next priority), or `None` from
/// the default one, which is always last.
pub fn next_after<'a>(all: &'a [Environment], current: &Environment) -> Option<&'a Environment> {
    if current.is_default {
        return None;
    }
    all.iter()
        .filter(|e| e.priority > current.priority)
        .min_by_key(|e| e.priority)
}

/// The environment named, else the default one; checked against the edition.
pub fn chosen_or_default<'a>(
    all: &'a [Environment],
    id: Option<EnvironmentId>,
    caller: &Caller,
) -> AppResult<&'a Environment> {
    match id {
        Some(id) => find_offered(all, id, caller),
        None => default_of(all).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("workspace has no default environment"))
        }),
    }
}
