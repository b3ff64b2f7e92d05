use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::db::models;
use crate::domain::{promotion, promotion_requests};
use crate::graphql::ContextExt as _;
use crate::graphql::inline::{Inline, InlineFields, InlineList};
use crate::graphql::types::app_version::AppVersion;
use crate::graphql::types::data_source::DataSource;
use crate::graphql::types::environment::Environment;

/// A data source a version uses that is not configured in the target environment.
pub struct PromotionBlocker(pub promotion::Blocker);

#[Object]
impl PromotionBlocker {
    /// The data source.
    async fn data_source(&self) -> Inline<DataSource> {
        Inline(DataSource(self.0.data_source.clone()))
    }

    /// required fields unset in the target environment
    async fn missing_fields(&self) -> Vec<&str> {
        self.0.missing_fields.clone()
    }

    /// referenced constants without a value in the target, written constants.NAME or secrets.NAME
    async fn missing_constants(&self) -> &[String] {
        &self.0.missing_constants
    }
}

/// What promoting a version now would meet: the target, its blockers and approvals, and
/// whether the caller could do it.
pub struct PromotionPreview(pub promotion::Preview);

#[Object]
impl PromotionPreview {
    /// The version.
    async fn version(&self) -> AppVersion {
        AppVersion(self.0.version.clone())
    }

    /// The environment the version is in.
    async fn from(&self) -> Inline<Environment> {
        Inline(Environment(self.0.from.clone()))
    }

    /// null when the version is already in the default environment
    ///
    /// (and in Community, where versions are not promoted)
    async fn to(&self) -> Option<Inline<Environment>> {
        self.0.to.clone().map(|e| Inline(Environment(e)))
    }

    /// Each data source the version uses that is not configured in `to`, by name.
    #[graphql(complexity = "crate::graphql::limits::UNPAGED_LIST_ITEMS * child_complexity")]
    async fn blockers(&self) -> Vec<PromotionBlocker> {
        self.0
            .blockers
            .iter()
            .cloned()
            .map(PromotionBlocker)
            .collect()
    }

    /// Approvals a promotion into `to` needs (0: none).
    async fn required_approvals(&self) -> i32 {
        self.0.required_approvals
    }

    /// whether the caller could promote right now with promoteAppVersion
    async fn allowed(&self) -> bool {
        self.0.reasons.is_empty()
    }

    /// why not, one sentence each (permission, protection, approvals, blockers, last environment)
    async fn reasons(&self) -> &[String] {
        &self.0.reasons
    }
}

/// Where a promotion request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::promotion_requests::Status")]
pub enum PromotionRequestStatus {
    /// Waiting for reviews.
    Pending,
    /// Approved by enough admins: the version was promoted.
    Approved,
    /// An admin rejected it.
    Rejected,
    /// The requester cancelled it.
    Cancelled,
    /// The version moved by other means (promoted, released, deleted) before it was decided.
    Stale,
}

/// One admin's review of a promotion request.
#[derive(Debug, Clone, SimpleObject)]
pub struct PromotionReview {
    /// The reviewer's token sub.
    pub actor: String,
    /// Whether the reviewer approved.
    pub approved: bool,
    /// What the reviewer wrote, if anything.
    pub comment: Option<String>,
    /// When the review was made.
    pub at: DateTime<Utc>,
}

impl From<models::PromotionReview> for PromotionReview {
    fn from(review: models::PromotionReview) -> Self {
        Self {
            actor: review.actor,
            approved: review.approved,
            comment: review.comment,
            at: review.at,
        }
    }
}

/// A request to promote a version into an environment that needs approvals.
#[derive(Clone)]
pub struct PromotionRequest(pub promotion_requests::Details);

#[Object]
impl PromotionRequest {
    /// Stable id of the request.
    async fn id(&self) -> ID {
        ID(self.0.request.id.to_string())
    }

    /// The version to promote, as it is now.
    async fn version(&self) -> AppVersion {
        AppVersion(self.0.version.clone())
    }

    /// The environment the version was in when the request was made.
    async fn from(&self, ctx: &Context<'_>) -> async_graphql::Result<Inline<Environment>> {
        ctx.environment_by_id(self.0.request.from_environment_id)
            .await
            .map(Inline)
    }

    /// The environment the version is to be promoted into.
    async fn to(&self, ctx: &Context<'_>) -> async_graphql::Result<Inline<Environment>> {
        ctx.environment_by_id(self.0.request.to_environment_id)
            .await
            .map(Inline)
    }

    /// The requester's token sub.
    async fn requested_by(&self) -> &str {
        &self.0.request.requested_by
    }

    /// What the requester wrote, if anything.
    async fn note(&self) -> Option<&str> {
        self.0.request.note.as_deref()
    }

    /// Where the request stands.
    async fn status(&self) -> PromotionRequestStatus {
        promotion_requests::Status::of(&self.0.request).into()
    }

    /// The reviews so far, oldest first.
    async fn reviews(&self) -> InlineList<PromotionReview> {
        self.0.reviews.iter().cloned().map(Into::into).collect()
    }

    /// When the request was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.request.created_at
    }

    /// When it was approved, rejected, cancelled or went stale; null while pending.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.request.decided_at
    }
}

impl InlineFields for PromotionRequest {
    const READY: &'static [&'static str] = &[
        "id",
        "requestedBy",
        "note",
        "status",
        "reviews",
        "createdAt",
        "decidedAt",
    ];
}

impl InlineFields for PromotionReview {
    const READY: &'static [&'static str] = &["actor", "approved", "comment", "at"];
}
