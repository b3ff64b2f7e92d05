//! Promotion requests: how a promotion into an environment that needs approvals
//! happens. Anyone who may promote into it (protection notwithstanding) opens a
//! PENDING request; admins other than the requester review it, once each. One rejection
//! makes it REJECTED; the approval that reaches the environment's number carries the
//! promotion out in the same transaction, with every check of a direct promotion
//! (`promotion::carry_out`). A version that moves by other means makes its pending
//! requests STALE ([`stale_for_version`]). Every step is audited and announced on
//! the notification channel.
//!
//! Lock order: the version's row, then the request's (a promotion locks the version,
//! then stales its requests), so that a review and a promotion never deadlock.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde_json::json;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{
    AppVersion, NewPromotionRequest, NewPromotionReview, PromotionRequest, PromotionReview,
};
use crate::db::schema::{app_versions, promotion_requests, promotion_reviews};
use crate::domain::access::Permission;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::changes::{self, Change};
use crate::domain::ids::{AppId, EnvironmentId, PromotionRequestId, VersionId};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::permissions::Action;
use crate::domain::promotion::{self, Route};
use crate::domain::{Caller, apps, environments, versions, workspaces};
use crate::error::{AppError, AppResult};

/// The longest note or review comment, in characters.
pub const MAX_TEXT: usize = 2000;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved,
    Rejected,
    Cancelled,
    Stale,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::Pending,
        Self::Approved,
        Self::Rejected,
        Self::Cancelled,
        Self::Stale,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Stale => "stale",
        }
    }

    /// The status stored in a row (the table's check constraint admits only these).
    pub fn of(request: &PromotionRequest) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == request.status)
            .unwrap_or(Self::Stale)
    }
}

/// A request with its version and its reviews (oldest first).
#[derive(Debug, Clone)]
pub struct Details {
    pub request: PromotionRequest,
    pub version: AppVersion,
    pub reviews: Vec<PromotionReview>,
}

/// The request `id` within `workspace_id`.
#[diesel::dsl::auto_type(no_type_alias)]
fn in_workspace(workspace_id: Uuid, id: Uuid) -> _ {
    promotion_requests::table
        .filter(promotion_requests::workspace_id.eq(workspace_id))
        .filter(promotion_requests::id.eq(id))
}

/// `text` if it is within [`MAX_TEXT`] and holds no NUL character (which PostgreSQL
/// can't store); an empty one is none.
fn checked_text<'a>(field: &str, text: Option<&'a str>) -> AppResult<Option<&'a str>> {
    match text {
        Some(t) if t.chars().count() > MAX_TEXT => Err(AppError::bad_field(
            field,
            format!("`{field}` may hold at most {MAX_TEXT} characters."),
        )),
        Some(t) if t.contains('\0') => Err(AppError::bad_field(
            field,
            format!("`{field}` must not contain NUL characters."),
        )),
        Some("") | None => Ok(None),
        Some(t) => Ok(Some(t)),
    }
}

/// Sets a request's status (a decision also sets `decided_at`), bumps its revision and
/// announces it.
async fn mark(conn: &mut Conn, request: &PromotionRequest, status: Status) -> AppResult<()> {
    let now = Utc::now();
    diesel::update(promotion_requests::table.find(request.id))
        .set((
            promotion_requests::status.eq(status.as_str()),
            promotion_requests::revision.eq(promotion_requests::revision + 1),
            promotion_requests::updated_at.eq(now),
            promotion_requests::decided_at.eq((status != Status::Pending).then_some(now)),
        ))
        .execute(conn)
        .await?;
    announce(conn, request.workspace_id, request.id).await
}

async fn announce(conn: &mut Conn, workspace_id: Uuid, request_id: Uuid) -> AppResult<()> {
    changes::publish(
        conn,
        &Change::PromotionRequest {
            workspace_id,
            request_id,
        },
    )
    .await
}

/// Makes the pending requests of a version STALE: its version was promoted, released
/// or deleted by other means. Every path that moves a version calls this in its
/// transaction, after locking the version's row.
pub async fn stale_for_version(
    conn: &mut Conn,
    workspace_id: Uuid,
    version_id: Uuid,
) -> AppResult<()> {
    let now = Utc::now();
    let stale: Vec<Uuid> = diesel::update(
        promotion_requests::table
            .filter(promotion_requests::workspace_id.eq(workspace_id))
            .filter(promotion_requests::version_id.eq(version_id))
            .filter(promotion_requests::status.eq(Status::Pending.as_str())),
    )
    .set((
        promotion_requests::status.eq(Status::Stale.as_str()),
        promotion_requests::revision.eq(promotion_requests::revision + 1),
        promotion_requests::updated_at.eq(now),
        promotion_requests::decided_at.eq(Some(now)),
    ))
    .returning(promotion_requests::id)
    .load(conn)
    .await?;
    for id in stale {
        announce(conn, workspace_id, id).await?;
    }
    Ok(())
}

/// Opens a PENDING request to promote a version from `from_environment_id` into the
/// next environment, which must need approvals (builders and admins, Enterprise; the
/// target's PROMOTE_INTO, protection notwithstanding). One pending request per version.
pub async fn request(
    conn: &mut Conn,
    caller: &Caller,
    version_id: VersionId,
    from_environment_id: EnvironmentId,
    note: Option<&str>,
) -> AppResult<Details> {
    caller.require(Action::RequestPromotions)?;
    promotion::require_multi_environment(caller)?;
    let note = checked_text("note", note)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        workspaces::share_pipeline(conn, caller.workspace_id).await?;
        // Held: a second request for the version waits here and then sees this one.
        let version = versions::locked(conn, caller, version_id).await?;
        let all = environments::all(conn, caller.workspace_id).await?;
        let from = environments::find(&all, from_environment_id)?;
        let current = versions::environment_of(&all, version.environment_id)?;
        promotion::require_in_place(&version, current, from)?;
        let Some(to) = environments::next_after(&all, current) else {
            return Err(promotion::last_environment(&version, current));
        };
        caller.require_in(Permission::PromoteInto, to)?;
        if environments::required_approvals(to, caller) == 0 {
            return Err(AppError::bad_input(format!(
                "{} needs no approvals: promote the version with promoteAppVersion.",
                to.name
            )));
        }
        let pending: Option<Uuid> = promotion_requests::table
            .filter(promotion_requests::version_id.eq(version.id))
            .filter(promotion_requests::status.eq(Status::Pending.as_str()))
            .select(promotion_requests::id)
            .first(conn)
            .await
            .optional()?;
        if pending.is_some() {
            return Err(AppError::bad_input(format!(
                "Version \"{}\" already has a pending promotion request: cancel it or wait for its review.",
                version.name
            )));
        }
        let request = diesel::insert_into(promotion_requests::table)
            .values(NewPromotionRequest {
                id: Uuid::new_v4(),
                workspace_id: caller.workspace_id,
                app_id: version.app_id,
                version_id: version.id,
                from_environment_id: from.id,
                to_environment_id: to.id,
                requested_by: &caller.user_id,
                note,
            })
            .returning(PromotionRequest::as_returning())
            .get_result(conn)
            .await?;
        let event = Event::new(AuditAction::PromotionRequested)
            .app(version.app_id)
            .version(version.id)
            .environment(to.id)
            .details(json!({ "request": request.id, "from": from.id, "to": to.id, "note": note }));
        audit::record(conn, caller, event).await?;
        announce(conn, caller.workspace_id, request.id).await?;
        Ok(Details {
            request,
            version,
            reviews: Vec::new(),
        })
    })
    .await
}

/// Reviews a pending request (admins, never the requester, once each). A rejection
/// decides it; the approval that reaches the target's number carries the promotion
/// out in this transaction, as the reviewer, with every check of a direct promotion. A
/// version no longer in `from` (or a pipeline whose next environment changed) makes
/// the request STALE, and the review is VERSION_CONFLICT.
pub async fn review(
    conn: &mut Conn,
    caller: &Caller,
    PromotionRequestId(id): PromotionRequestId,
    approve: bool,
    comment: Option<&str>,
) -> AppResult<Details> {
    caller.require(Action::ReviewPromotions)?;
    promotion::require_multi_environment(caller)?;
    let comment = checked_text("comment", comment)?;
    let outcome = conn
        .transaction::<_, AppError, _>(async |conn| {
            let version_id: Uuid = in_workspace(caller.workspace_id, id)
                .select(promotion_requests::version_id)
                .first(conn)
                .await
                .optional()?
                .ok_or(AppError::NotFound("promotion request"))?;
            workspaces::share_pipeline(conn, caller.workspace_id).await?;
            let version = versions::lock(conn, caller.workspace_id, version_id).await?;
            let request = in_workspace(caller.workspace_id, id)
                .select(PromotionRequest::as_select())
                .for_update()
                .first(conn)
                .await?;
            if request.requested_by == caller.user_id {
                return Err(AppError::Forbidden(
                    "You requested this promotion: another admin must review it.".into(),
                ));
            }
            match Status::of(&request) {
                Status::Pending => {}
                Status::Stale => return Err(stale(&version)),
                decided => {
                    return Err(AppError::bad_input(format!(
                        "This request is already {}: only a pending request can be reviewed.",
                        decided.as_str()
                    )));
                }
            }
            let reviewed: i64 = promotion_reviews::table
                .filter(promotion_reviews::request_id.eq(request.id))
                .filter(promotion_reviews::actor.eq(&caller.user_id))
                .count()
                .get_result(conn)
                .await?;
            if reviewed > 0 {
                return Err(AppError::bad_input(
                    "You have already reviewed this request: each admin reviews it once.",
                ));
            }
            let all = environments::all(conn, caller.workspace_id).await?;
            let from = versions::environment_of(&all, request.from_environment_id)?;
            let to = versions::environment_of(&all, request.to_environment_id)?;
            let next = environments::next_after(&all, from).map(|e| e.id);
            if version.environment_id != from.id || next != Some(to.id) {
                mark(conn, &request, Status::Stale).await?;
                // Committed: the request stays stale; the review is refused.
                return Ok(Err(stale(&version)));
            }
            diesel::insert_into(promotion_reviews::table)
                .values(NewPromotionReview {
                    request_id: request.id,
                    actor: &caller.user_id,
                    approved: approve,
                    comment,
                })
                .execute(conn)
                .await?;
            let event = Event::new(AuditAction::PromotionReviewed)
                .app(version.app_id)
                .version(version.id)
                .environment(to.id)
                .details(json!({ "request": request.id, "approved": approve, "comment": comment }));
            audit::record(conn, caller, event).await?;
            if !approve {
                mark(conn, &request, Status::Rejected).await?;
                return Ok(Ok(()));
            }
            let approvals: i64 = promotion_reviews::table
                .filter(promotion_reviews::request_id.eq(request.id))
                .filter(promotion_reviews::approved.eq(true))
                .count()
                .get_result(conn)
                .await?;
            if approvals < i64::from(environments::required_approvals(to, caller)) {
                mark(conn, &request, Status::Pending).await?;
                return Ok(Ok(()));
            }
            // Approved before the promotion, which stales whatever is still pending.
            mark(conn, &request, Status::Approved).await?;
            let route = Route::Approved {
                request_id: request.id,
            };
            promotion::carry_out(conn, caller, &all, &version, from, route).await?;
            Ok(Ok(()))
        })
        .await?;
    outcome?;
    one(conn, caller.workspace_id, id).await
}

/// VERSION_CONFLICT for a request whose version moved since it was made.
fn stale(version: &AppVersion) -> AppError {
    AppError::VersionConflict(format!(
        "This request is stale: version \"{}\" was promoted, released or moved since it was made. Request the promotion again.",
        version.name
    ))
}

/// Cancels one's own pending request (builders and admins).
pub async fn cancel(
    conn: &mut Conn,
    caller: &Caller,
    PromotionRequestId(id): PromotionRequestId,
) -> AppResult<Details> {
    caller.require(Action::RequestPromotions)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let request = in_workspace(caller.workspace_id, id)
            .select(PromotionRequest::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or(AppError::NotFound("promotion request"))?;
        if request.requested_by != caller.user_id {
            return Err(AppError::Forbidden(
                "Only the requester may cancel a promotion request.".into(),
            ));
        }
        let status = Status::of(&request);
        if status != Status::Pending {
            return Err(AppError::bad_input(format!(
                "This request is already {}: only a pending request can be cancelled.",
                status.as_str()
            )));
        }
        mark(conn, &request, Status::Cancelled).await?;
        let event = Event::new(AuditAction::PromotionCancelled)
            .app(request.app_id)
            .version(request.version_id)
            .environment(request.to_environment_id)
            .details(json!({ "request": request.id }));
        audit::record(conn, caller, event).await
    })
    .await?;
    one(conn, caller.workspace_id, id).await
}

/// The listing order and cursor key: newest first, then id.
pub type ListKey = (DateTime<Utc>, Uuid);

/// What a page of requests may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    /// An app of the caller's workspace (NOT_FOUND otherwise).
    pub app_id: Option<AppId>,
}

/// One page of the workspace's requests, newest first (every role but the runner).
/// Two queries whatever the page size: the requests with their versions, and their
/// reviews.
pub async fn list(
    conn: &mut Conn,
    caller: &Caller,
    page: &PageRequest<ListKey>,
    filter: &Filter,
) -> AppResult<Page<Details>> {
    caller.require(Action::ReadPromotions)?;
    let app_id = match &filter.app_id {
        Some(id) => Some(apps::get(conn, caller, *id).await?.id),
        None => None,
    };
    let mut query = promotion_requests::table
        .inner_join(app_versions::table)
        .filter(promotion_requests::workspace_id.eq(caller.workspace_id))
        .select((PromotionRequest::as_select(), AppVersion::as_select()))
        .order((
            promotion_requests::created_at.desc(),
            promotion_requests::id.desc(),
        ))
        .limit(page.first + 1)
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(promotion_requests::status.eq(status.as_str()));
    }
    if let Some(app_id) = app_id {
        query = query.filter(promotion_requests::app_id.eq(app_id));
    }
    if let Some((at, id)) = page.after {
        query = query.filter(
            promotion_requests::created_at
                .lt(at)
                .or(promotion_requests::created_at
                    .eq(at)
                    .and(promotion_requests::id.lt(id))),
        );
    }
    let rows = query.load(conn).await?;
    let page = Page::from_rows(page, rows, |(r, _): &(PromotionRequest, AppVersion)| {
        (r.created_at, r.id)
    });
    let (cursors, rows): (Vec<String>, Vec<_>) = page.items.into_iter().unzip();
    let details = with_reviews(conn, rows).await?;
    Ok(Page {
        items: cursors.into_iter().zip(details).collect(),
        has_next_page: page.has_next_page,
        has_previous_page: page.has_previous_page,
    })
}

/// Requests with their reviews, oldest review first, in one query.
async fn with_reviews(
    conn: &mut Conn,
    rows: Vec<(PromotionRequest, AppVersion)>,
) -> AppResult<Vec<Details>> {
    let ids: Vec<Uuid> = rows.iter().map(|(r, _)| r.id).collect();
    let reviews: Vec<PromotionReview> = if ids.is_empty() {
        Vec::new()
    } else {
        promotion_reviews::table
            .filter(promotion_reviews::request_id.eq_any(&ids))
            .order((promotion_reviews::at.asc(), promotion_reviews::actor.asc()))
            .select(PromotionReview::as_select())
            .load(conn)
            .await?
    };
    let mut by_request: HashMap<Uuid, Vec<PromotionReview>> = HashMap::new();
    for review in reviews {
        by_request
            .entry(review.request_id)
            .or_default()
            .push(review);
    }
    Ok(rows
        .into_iter()
        .map(|(request, version)| Details {
            reviews: by_request.remove(&request.id).unwrap_or_default(),
            request,
            version,
        })
        .collect())
}

/// The requests of the workspace with these ids (what a subscriber is sent), or
/// changed at or after `since`.
pub async fn changed(
    conn: &mut Conn,
    workspace_id: Uuid,
    ids: &[Uuid],
    since: Option<DateTime<Utc>>,
) -> AppResult<Vec<Details>> {
    let mut query = promotion_requests::table
        .inner_join(app_versions::table)
        .filter(promotion_requests::workspace_id.eq(workspace_id))
        .select((PromotionRequest::as_select(), AppVersion::as_select()))
        .order((
            promotion_requests::updated_at.asc(),
            promotion_requests::id.asc(),
        ))
        .into_boxed();
    query = match since {
        Some(since) => query.filter(promotion_requests::updated_at.ge(since)),
        None => query.filter(promotion_requests::id.eq_any(ids.to_vec())),
    };
    let rows = query.load(conn).await?;
    with_reviews(conn, rows).await
}

/// One request of the workspace, as it is now.
async fn one(conn: &mut Conn, workspace_id: Uuid, id: Uuid) -> AppResult<Details> {
    changed(conn, workspace_id, &[id], None)
        .await?
        .pop()
        .ok_or(AppError::NotFound("promotion request"))
}
