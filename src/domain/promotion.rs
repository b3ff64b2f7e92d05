//! Promotion: what keeps a version from moving to the next environment, asked in one
//! place. [`refusals`] lists every reason (edition, role, last environment, access
//! rules, protection, approvals, blockers) as the error a promotion answers;
//! [`blockers`] finds each data source the version uses that is not configured in the
//! target. `promotionPreview` reports them all, and [`carry_out`] (run by
//! `promoteAppVersion` and by the final approval of a request) refuses with the first.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{AppVersion, DataSource, Environment};
use crate::db::schema::app_versions;
use crate::domain::access::Permission;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::ids::VersionId;
use crate::domain::permissions::Action;
use crate::domain::{
    Caller, constants, data_sources, environments, options, promotion_requests,
    version_data_sources, versions,
};
use crate::error::{AppError, AppResult};

/// A data source a version uses that is not configured in the target environment.
#[derive(Debug, Clone)]
pub struct Blocker {
    pub data_source: DataSource,
    /// Required fields unset there, in the kind's order.
    pub missing_fields: Vec<&'static str>,
    /// Referenced constants without a value there, qualified (`constants.NAME`).
    pub missing_constants: Vec<String>,
}

/// How a promotion was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `promoteAppVersion`; `force` overrides blockers (admins).
    Direct { force: bool },
    /// The final approval of this request: its approvals are met.
    Approved { request_id: Uuid },
}

/// LICENSE_REQUIRED in Community, where the version ladder is Production alone.
pub fn require_multi_environment(caller: &Caller) -> AppResult<()> {
    if caller.multi_environment {
        return Ok(());
    }
    Err(AppError::LicenseRequired(
        "Promoting versions needs an Enterprise license with multiple environments; the Community edition runs every version on Production.".into(),
    ))
}

/// VERSION_CONFLICT unless the version is in `from`, where the caller believes it is.
pub fn require_in_place(
    version: &AppVersion,
    current: &Environment,
    from: &Environment,
) -> AppResult<()> {
    if current.id == from.id {
        return Ok(());
    }
    Err(AppError::VersionConflict(format!(
        "Version \"{}\" is in {}, not {} (it may have been promoted meanwhile): reload it and try again.",
        version.name, current.name, from.name
    )))
}

/// BAD_USER_INPUT: a version in the last environment goes no further.
pub fn last_environment(version: &AppVersion, current: &Environment) -> AppError {
    AppError::bad_input(format!(
        "Version \"{}\" is in {}, the last environment of the pipeline: it can't be promoted further. Release it instead.",
        version.name, current.name
    ))
}

/// How [`blockers`] reads the settings it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// As they are now: a preview.
    Now,
    /// Locked `FOR SHARE` until the transaction ends: a promotion. A save or a cleared
    /// constant under way is waited for and checked as it commits, and none commits
    /// between the check and the promotion.
    Held,
}

/// Each data source `version_id` uses that is not configured in `target`: required
/// fields unset there, or referenced constants without a value there. One query per
/// table: what the version uses, their options there, and (only when an option
/// references one) which constants have values where.
pub async fn blockers(
    conn: &mut Conn,
    workspace_id: Uuid,
    version_id: Uuid,
    target: &Environment,
    read: Read,
) -> AppResult<Vec<Blocker>> {
    let used = version_data_sources::of_versions(conn, workspace_id, &[version_id]).await?;
    if used.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = used.iter().map(|(_, d)| d.id).collect();
    let mut rows = match read {
        Read::Now => data_sources::options_in(conn, workspace_id, &ids, target.id).await?,
        Read::Held => data_sources::options_in_shared(conn, workspace_id, &ids, target.id).await?,
    };
    let used: Vec<_> = used
        .into_iter()
        .map(|(_, data_source)| {
            // Its row there, or the empty row an environment without one reads as.
            let row = match rows.iter().position(|r| r.data_source_id == data_source.id) {
                Some(i) => rows.swap_remove(i),
                None => data_sources::take_options(&mut Vec::new(), &data_source, target.id),
            };
            (data_source, row)
        })
        .collect();
    let available = if used
        .iter()
        .any(|(_, row)| !options::referenced(row).is_empty())
    {
        match read {
            Read::Now => constants::availability(conn, workspace_id).await?,
            Read::Held => constants::availability_shared(conn, workspace_id).await?,
        }
    } else {
        Vec::new()
    };
    let mut blockers = Vec::new();
    for (data_source, row) in used {
        let kind = data_sources::kind_of(&data_source)?;
        let missing_fields = options::missing_required(kind, &row);
        let missing_constants = options::missing_constants(&row, &available);
        if !missing_fields.is_empty() || !missing_constants.is_empty() {
            blockers.push(Blocker {
                data_source,
                missing_fields,
                missing_constants,
            });
        }
    }
    Ok(blockers)
}

/// ENVIRONMENT_NOT_CONFIGURED, naming each data source and what it misses in `to`.
fn not_configured(version: &AppVersion, to: &Environment, blockers: &[Blocker]) -> AppError {
    let each: Vec<String> = blockers
        .iter()
        .map(|b| {
            let mut missing = Vec::new();
            if !b.missing_fields.is_empty() {
                missing.push(format!("missing {}", b.missing_fields.join(", ")));
            }
            if !b.missing_constants.is_empty() {
                missing.push(format!("no value for {}", b.missing_constants.join(", ")));
            }
            format!("\"{}\" ({})", b.data_source.name, missing.join("; "))
        })
        .collect();
    AppError::EnvironmentNotConfigured(format!(
        "Version \"{}\" uses data sources that are not configured in {}: {}. Configure them there first (an admin may force the promotion).",
        version.name,
        to.name,
        each.join(", ")
    ))
}

/// Why `caller` may not promote `version` from `from` into `to` (`None`: `from` is the
/// last environment) by `route`, each as the error the promotion answers, in the order
/// it checks them: edition, role, last environment, access rules, protection
/// (which wins over the rules), approvals, blockers.
pub fn refusals(
    caller: &Caller,
    version: &AppVersion,
    from: &Environment,
    to: Option<&Environment>,
    blockers: &[Blocker],
    route: Route,
) -> Vec<AppError> {
    let mut refusals = Vec::new();
    if let Err(e) = require_multi_environment(caller) {
        refusals.push(e);
        return refusals;
    }
    if let Err(e) = caller.require(Action::BuildApps) {
        refusals.push(e);
    }
    let Some(to) = to else {
        refusals.push(last_environment(version, from));
        return refusals;
    };
    if let Err(e) = caller.require_in(Permission::PromoteInto, to) {
        refusals.push(e);
    }
    if environments::is_protected(to, caller)
        && let Err(e) = caller.require(Action::ReleaseProtected)
    {
        refusals.push(e);
    }
    let approvals = environments::required_approvals(to, caller);
    if approvals > 0 && matches!(route, Route::Direct { .. }) {
        refusals.push(AppError::ApprovalRequired(format!(
            "Promoting into {} needs {approvals} approval{} by admins: request it with requestPromotion.",
            to.name,
            if approvals == 1 { "" } else { "s" }
        )));
    }
    if !blockers.is_empty() && route != (Route::Direct { force: true }) {
        refusals.push(not_configured(version, to, blockers));
    }
    refusals
}

/// Moves `version` (its row locked by the caller's transaction) from `from` to the next
/// environment, unless [`refusals`] has a reason not to; audited, and the version's
/// pending requests go stale. The checks that need no query come first.
pub(crate) async fn carry_out(
    conn: &mut Conn,
    caller: &Caller,
    all: &[Environment],
    version: &AppVersion,
    from: &Environment,
    route: Route,
) -> AppResult<AppVersion> {
    let current = versions::environment_of(all, version.environment_id)?;
    require_in_place(version, current, from)?;
    let Some(next) = environments::next_after(all, current) else {
        return Err(last_environment(version, current));
    };
    let check = |blockers: &[Blocker]| {
        refusals(caller, version, current, Some(next), blockers, route)
            .into_iter()
            .next()
            .map_or(Ok(()), Err)
    };
    check(&[])?;
    let blockers = blockers(conn, caller.workspace_id, version.id, next, Read::Held).await?;
    check(&blockers)?;
    let promoted = diesel::update(app_versions::table.find(version.id))
        .set((
            app_versions::environment_id.eq(next.id),
            app_versions::updated_at.eq(Utc::now()),
        ))
        .returning(AppVersion::as_returning())
        .get_result(conn)
        .await?;
    let mut details = json!({ "from": current.id, "to": next.id });
    match route {
        Route::Direct { force: true } => {
            details["force"] = json!(true);
            details["overridden"] = blockers
                .iter()
                .map(|b| {
                    json!({
                        "dataSourceId": b.data_source.id,
                        "name": b.data_source.name,
                        "missingFields": b.missing_fields,
                        "missingConstants": b.missing_constants,
                    })
                })
                .collect();
        }
        Route::Direct { force: false } => {}
        Route::Approved { request_id } => details["request"] = json!(request_id),
    }
    let event = Event::new(AuditAction::VersionPromoted)
        .app(version.app_id)
        .version(version.id)
        .environment(next.id)
        .details(details);
    audit::record(conn, caller, event).await?;
    promotion_requests::stale_for_version(conn, caller.workspace_id, version.id).await?;
    Ok(promoted)
}

/// What promoting a version would meet, for `promotionPreview`.
#[derive(Debug, Clone)]
pub struct Preview {
    pub version: AppVersion,
    pub from: Environment,
    /// `None` in the default environment (or in Community, where nothing is promoted).
    pub to: Option<Environment>,
    pub blockers: Vec<Blocker>,
    pub required_approvals: i32,
    /// Why the caller may not promote it now with `promoteAppVersion`, one sentence each.
    pub reasons: Vec<String>,
}

/// What promoting `version_id` now would meet, with the caller's permissions: the same
/// checks as [`carry_out`], all of them reported.
pub async fn preview(
    conn: &mut Conn,
    caller: &Caller,
    version_id: VersionId,
) -> AppResult<Preview> {
    caller.require(Action::ReadPromotions)?;
    let version = versions::get(conn, caller, version_id).await?;
    let all = environments::all(conn, caller.workspace_id).await?;
    let from = versions::environment_of(&all, version.environment_id)?;
    let to = environments::next_after(&all, from).filter(|_| caller.multi_environment);
    let blockers = match to {
        Some(to) => blockers(conn, caller.workspace_id, version.id, to, Read::Now).await?,
        None => Vec::new(),
    };
    let reasons = refusals(
        caller,
        &version,
        from,
        to,
        &blockers,
        Route::Direct { force: false },
    )
    .iter()
    .map(AppError::message)
    .collect();
    Ok(Preview {
        required_approvals: to.map_or(0, |t| environments::required_approvals(t, caller)),
        from: from.clone(),
        to: to.cloned(),
        version,
        blockers,
        reasons,
    })
}
