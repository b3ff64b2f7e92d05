use async_graphql::{Context, Enum, ID, InputObject, InputType, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::db::models;
use crate::domain::access;
use crate::domain::environments::{self, EnvironmentKind as Kind};
use crate::domain::permissions::Action;
use crate::graphql::ContextExt as _;
use crate::graphql::inline::{InlineFields, Plain};
use crate::graphql::types::viewer::Role;

/// What an environment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum EnvironmentKind {
    /// Where new app versions start.
    Development,
    /// Where versions are checked before release.
    Staging,
    /// Where released apps run: the default environment.
    Production,
    /// An environment a workspace added to the pipeline.
    Custom,
}

impl From<Kind> for EnvironmentKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Development => Self::Development,
            Kind::Staging => Self::Staging,
            Kind::Production => Self::Production,
            Kind::Custom => Self::Custom,
        }
    }
}

/// What an access rule may grant in an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::access::Permission")]
pub enum EnvironmentPermission {
    /// read this environment's options (secrets masked)
    ///
    /// And its constants' values.
    ReadOptions,
    /// save, copy into and clear this environment's options
    EditOptions,
    /// Test a data source's connection with this environment's options.
    TestConnection,
    /// select it in the builder (selectEnvironment)
    Select,
    /// promote a version into it, or request that
    PromoteInto,
    /// resolveDataSource against it
    Resolve,
}

/// grants permissions to every caller with this role, or with this group; exactly one of role and group is set
#[derive(Debug, Clone, SimpleObject)]
pub struct EnvironmentAccessRule {
    /// The role the rule applies to, or null for a group's rule.
    pub role: Option<Role>,
    /// The group the rule applies to (a name from tokens' groups), or null for a
    /// role's rule.
    pub group: Option<String>,
    /// What the rule grants in the environment.
    pub permissions: Vec<EnvironmentPermission>,
}

impl From<&access::Rule> for EnvironmentAccessRule {
    fn from(rule: &access::Rule) -> Self {
        Self {
            role: rule.role.map(Into::into),
            group: rule.group.clone(),
            permissions: rule.permissions.iter().map(|p| (*p).into()).collect(),
        }
    }
}

/// One rule of `setEnvironmentAccess`: exactly one of `role` (not ADMIN: admins hold
/// every permission) and `group`, and what it grants.
#[derive(Debug, Clone, InputObject)]
pub struct EnvironmentAccessRuleInput {
    /// The role the rule applies to.
    pub role: Option<Role>,
    /// The group the rule applies to: 1 to 255 printable characters.
    pub group: Option<String>,
    /// What the rule grants.
    pub permissions: Vec<EnvironmentPermission>,
}

impl From<EnvironmentAccessRuleInput> for access::Rule {
    fn from(input: EnvironmentAccessRuleInput) -> Self {
        Self {
            role: input.role.map(Into::into),
            group: input.group,
            permissions: input.permissions.into_iter().map(Into::into).collect(),
        }
    }
}

pub struct Environment(pub models::Environment);

/// A stage of the workspace's pipeline, with its own data-source settings.
#[Object]
impl Environment {
    /// Stable id of the environment.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Display name, unique in the workspace.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the environment is for.
    async fn kind(&self) -> EnvironmentKind {
        Kind::of(&self.0).into()
    }

    /// Position in the pipeline: versions are promoted from lower to higher priority.
    async fn priority(&self) -> i32 {
        self.0.priority
    }

    /// Whether released apps run on this environment (Production).
    async fn is_default(&self) -> bool {
        self.0.is_default
    }

    /// Whether the environment is built in and so can't be renamed, moved or deleted.
    async fn locked(&self) -> bool {
        self.0.locked
    }

    /// promotion into it, and release from it, need an admin
    ///
    /// True for Production in a new workspace. An Enterprise rule: in Community
    /// nothing is protected.
    async fn protected(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(environments::is_protected(&self.0, ctx.caller()?))
    }

    /// approvals a promotion into this environment needs (0: none); see requestPromotion
    ///
    /// An Enterprise rule: 0 in Community.
    async fn required_approvals(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(environments::required_approvals(&self.0, ctx.caller()?))
    }

    /// who may do what in this environment besides admins; admins only (others: FORBIDDEN)
    ///
    /// The rules in effect: the stored ones in Enterprise, the defaults (the role
    /// matrix) in Community.
    async fn access(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<EnvironmentAccessRule>> {
        let caller = ctx.caller()?;
        caller.require(Action::ManageEnvironments)?;
        Ok(access::rules_in(&self.0, caller)
            .iter()
            .map(Into::into)
            .collect())
    }

    /// what the caller may do in this environment (admins: all)
    async fn my_permissions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<EnvironmentPermission>> {
        let caller = ctx.caller()?;
        Ok(access::permissions_of(caller, &self.0)
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// When the environment was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the environment was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl InlineFields for Environment {
    const PLAIN: &'static [Plain<Self>] = &[
        Plain::new("id", |e, json| json.uuid(&e.0.id)),
        Plain::new("name", |e, json| json.str(&e.0.name)),
        Plain::new("kind", |e, json| {
            json.value(&InputType::to_value(&EnvironmentKind::from(Kind::of(&e.0))))
        }),
        Plain::new("priority", |e, json| json.int(e.0.priority)),
        Plain::new("isDefault", |e, json| json.bool(e.0.is_default)),
        Plain::new("locked", |e, json| json.bool(e.0.locked)),
        Plain::new("createdAt", |e, json| json.time(&e.0.created_at)),
        Plain::new("updatedAt", |e, json| json.time(&e.0.updated_at)),
    ];

    /// They read the caller's edition.
    const READY: &'static [&'static str] = &["protected", "requiredApprovals"];
}
