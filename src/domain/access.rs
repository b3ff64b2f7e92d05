//! Environment-scoped access: each environment's rules grant permissions there to a
//! role or to a group (groups come from the token). Admins hold every permission
//! everywhere; anyone else holds a permission in an environment when a rule of that
//! environment matching their role or one of their groups lists it. The defaults
//! reproduce the role matrix; a new environment copies the rules of the one it
//! follows; `setEnvironmentAccess` (admins, Enterprise) replaces them. In Community the
//! rules are not in effect: the defaults are (what is stored is kept for a renewed
//! license). Protection still wins: promoting into a protected environment needs an
//! admin whatever the rules say (see `versions.rs`).
//!
//! Where a permission is missing, reads of that environment's options and constant
//! values are FORBIDDEN (lists leave the environment out), and saving, copying into,
//! testing, selecting, promoting into and resolving are FORBIDDEN.

use std::sync::LazyLock;

use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::Role;
use crate::db::Conn;
use crate::db::models::{AccessRules, Environment};
use crate::db::schema::environments;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::ids::EnvironmentId;
use crate::domain::permissions::Action;
use crate::domain::{Caller, environments as pipeline};
use crate::error::{AppError, AppResult};

/// What a rule may grant in an environment.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Permission {
    /// Read the environment's options (secrets masked) and its constants' values.
    ReadOptions,
    /// Save, copy into and clear the environment's options.
    EditOptions,
    /// Test a data source's connection with the environment's options.
    TestConnection,
    /// Select the environment in the builder.
    Select,
    /// Promote a version into the environment.
    PromoteInto,
    /// `resolveDataSource` against the environment.
    Resolve,
}

impl Permission {
    /// Every permission, in the order lists show them.
    pub const ALL: [Permission; 6] = [
        Self::ReadOptions,
        Self::EditOptions,
        Self::TestConnection,
        Self::Select,
        Self::PromoteInto,
        Self::Resolve,
    ];

    /// The permission as the API and the stored rules spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadOptions => "READ_OPTIONS",
            Self::EditOptions => "EDIT_OPTIONS",
            Self::TestConnection => "TEST_CONNECTION",
            Self::Select => "SELECT",
            Self::PromoteInto => "PROMOTE_INTO",
            Self::Resolve => "RESOLVE",
        }
    }

    /// What the permission lets one do, as a FORBIDDEN message words it ("may not …").
    pub fn describe(self) -> &'static str {
        match self {
            Self::ReadOptions => "read the options of",
            Self::EditOptions => "change the options of",
            Self::TestConnection => "test connections in",
            Self::Select => "select",
            Self::PromoteInto => "promote versions into",
            Self::Resolve => "resolve data sources in",
        }
    }
}

/// One rule: the permissions it grants to every caller with `role`, or in `group`
/// (exactly one of the two is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub permissions: Vec<Permission>,
}

impl Rule {
    fn for_role(role: Role, permissions: &[Permission]) -> Self {
        Self {
            role: Some(role),
            group: None,
            permissions: permissions.to_vec(),
        }
    }

    /// Whether the rule applies to a caller with `role` and `groups`.
    fn matches(&self, role: Role, groups: &[String]) -> bool {
        self.role == Some(role) || self.group.as_ref().is_some_and(|g| groups.contains(g))
    }
}

/// The rules every environment starts with: the role matrix (built once: Community
/// asks them on every check).
pub fn default_rules() -> &'static [Rule] {
    use Permission::*;
    static DEFAULTS: LazyLock<Vec<Rule>> = LazyLock::new(|| {
        vec![
            Rule::for_role(Role::Builder, &[ReadOptions, Select, PromoteInto]),
            Rule::for_role(Role::Viewer, &[ReadOptions]),
            Rule::for_role(Role::Runner, &[ReadOptions, Resolve]),
        ]
    });
    &DEFAULTS
}

/// The permission function: whether a caller with `role` and `groups` holds
/// `permission` under `rules`.
pub fn grants(role: Role, groups: &[String], rules: &[Rule], permission: Permission) -> bool {
    role == Role::Admin
        || rules
            .iter()
            .any(|rule| rule.matches(role, groups) && rule.permissions.contains(&permission))
}

/// The rules in effect in `environment` for this caller's edition: the stored ones in
/// Enterprise, the defaults in Community.
pub fn rules_in<'a>(environment: &'a Environment, caller: &Caller) -> &'a [Rule] {
    if caller.multi_environment {
        &environment.access.0
    } else {
        default_rules()
    }
}

/// Whether the caller holds `permission` in `environment`.
pub fn may(caller: &Caller, permission: Permission, environment: &Environment) -> bool {
    grants(
        caller.role,
        &caller.groups,
        rules_in(environment, caller),
        permission,
    )
}

/// FORBIDDEN, naming the environment, unless the caller holds `permission` there.
pub fn require(
    caller: &Caller,
    permission: Permission,
    environment: &Environment,
) -> AppResult<()> {
    if may(caller, permission, environment) {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "You may not {} {}: its access rules grant {} neither to your role ({}) nor to your groups (admins hold every permission).",
        permission.describe(),
        environment.name,
        permission.as_str(),
        caller.role.as_str(),
    )))
}

/// Every permission the caller holds in `environment`.
pub fn permissions_of(caller: &Caller, environment: &Environment) -> Vec<Permission> {
    Permission::ALL
        .into_iter()
        .filter(|p| may(caller, *p, environment))
        .collect()
}

/// The longest group name, in characters.
pub const MAX_GROUP_CHARS: usize = 255;
/// The most rules an environment may hold.
pub const MAX_RULES: usize = 50;

/// Whether `name` can name a group: 1 to [`MAX_GROUP_CHARS`] printable characters.
pub fn is_group_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.chars().nth(MAX_GROUP_CHARS).is_none()
        && !name.chars().any(char::is_control)
}

/// Checks rules as `setEnvironmentAccess` takes them: exactly one of role and group,
/// no rule for admins (they hold everything), a group name by [`is_group_name`], one
/// rule per role or group, at most [`MAX_RULES`]. Permissions are kept in their
/// canonical order, once each.
pub fn validate(rules: Vec<Rule>) -> AppResult<Vec<Rule>> {
    let bad = |message: String| AppError::bad_field("rules", message);
    if rules.len() > MAX_RULES {
        return Err(bad(format!(
            "An environment holds at most {MAX_RULES} rules."
        )));
    }
    let mut checked: Vec<Rule> = Vec::with_capacity(rules.len());
    for (index, mut rule) in rules.into_iter().enumerate() {
        let at = index + 1;
        match (&rule.role, &rule.group) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(bad(format!(
                    "Rule {at} must name exactly one of `role` and `group`."
                )));
            }
            (Some(Role::Admin), _) => {
                return Err(bad(format!(
                    "Rule {at} names ADMIN: admins hold every permission in every environment."
                )));
            }
            (None, Some(group)) if !is_group_name(group) => {
                return Err(bad(format!(
                    "Rule {at}: a group name is 1 to {MAX_GROUP_CHARS} printable characters."
                )));
            }
            _ => {}
        }
        if checked
            .iter()
            .any(|c| c.role == rule.role && c.group == rule.group)
        {
            return Err(bad(format!(
                "Rule {at} names the same role or group as an earlier rule: give each one rule."
            )));
        }
        rule.permissions.sort_unstable();
        rule.permissions.dedup();
        checked.push(rule);
    }
    Ok(checked)
}

/// Replaces the rules of environment `id` (admins, Enterprise), audited as
/// ENVIRONMENT_ACCESS_CHANGED; returns the environment as it now is.
pub async fn set(
    conn: &mut Conn,
    caller: &Caller,
    id: EnvironmentId,
    rules: Vec<Rule>,
) -> AppResult<Environment> {
    caller.require(Action::ManageEnvironments)?;
    let all = pipeline::all(conn, caller.workspace_id).await?;
    let environment = pipeline::find(&all, id)?;
    if !caller.multi_environment {
        return Err(AppError::LicenseRequired(
            "Access rules per environment need an Enterprise license with multiple environments."
                .into(),
        ));
    }
    let rules = validate(rules)?;
    let environment_id = environment.id;
    conn.transaction::<_, AppError, _>(async |conn| {
        let updated: Environment = diesel::update(environments::table)
            .filter(environments::workspace_id.eq(caller.workspace_id))
            .filter(environments::id.eq(environment_id))
            .set((
                environments::access.eq(AccessRules(rules.clone())),
                environments::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Environment::as_returning())
            .get_result(conn)
            .await?;
        let event = Event::new(AuditAction::EnvironmentAccessChanged)
            .environment(environment_id)
            .details(json!({ "rules": rules }));
        audit::record(conn, caller, event).await?;
        Ok(updated)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    fn group(name: &str, permissions: &[Permission]) -> Rule {
        Rule {
            role: None,
            group: Some(name.into()),
            permissions: permissions.to_vec(),
        }
    }

    /// DOMAIN.md's defaults, role by role: what each holds in every environment.
    #[test]
    fn the_defaults_reproduce_the_role_matrix() {
        let defaults = default_rules();
        for permission in Permission::ALL {
            let spelled = serde_json::to_value(permission).unwrap();
            assert_eq!(spelled, permission.as_str(), "stored as the API spells it");
        }
        let expected: [(Role, &[Permission]); 4] = [
            (Role::Admin, &Permission::ALL),
            (Role::Builder, &[ReadOptions, Select, PromoteInto]),
            (Role::Viewer, &[ReadOptions]),
            (Role::Runner, &[ReadOptions, Resolve]),
        ];
        for (role, held) in expected {
            for permission in Permission::ALL {
                assert_eq!(
                    grants(role, &[], defaults, permission),
                    held.contains(&permission),
                    "{role:?} {permission:?}"
                );
            }
        }
    }

    /// Every (role, groups, permission, rule) combination: a rule grants what it lists
    /// to its role or its group, nothing else, and admins hold everything whatever the
    /// rules; no rules leave the others with nothing.
    #[test]
    fn rules_grant_by_role_or_group_and_admins_hold_everything() {
        let editors = vec!["dev-editors".to_owned()];
        let others = vec!["qa".to_owned()];
        let rule_sets: Vec<(&str, Vec<Rule>)> = vec![
            ("none", vec![]),
            (
                "builder reads",
                vec![Rule::for_role(Role::Builder, &[ReadOptions])],
            ),
            (
                "editors edit",
                vec![group("dev-editors", &[EditOptions, TestConnection])],
            ),
            (
                "both",
                vec![
                    Rule::for_role(Role::Runner, &[Resolve]),
                    group("dev-editors", &[EditOptions]),
                ],
            ),
        ];
        for (name, rules) in &rule_sets {
            for role in Role::ALL {
                for groups in [&vec![], &editors, &others] {
                    for permission in Permission::ALL {
                        let by_rule = rules.iter().any(|r| {
                            let applies = r.role == Some(role)
                                || r.group.as_ref().is_some_and(|g| groups.contains(g));
                            applies && r.permissions.contains(&permission)
                        });
                        assert_eq!(
                            grants(role, groups, rules, permission),
                            role == Role::Admin || by_rule,
                            "{name}: {role:?} in {groups:?} {permission:?}"
                        );
                    }
                }
            }
        }
        // Concretely: the group widens a builder, not a viewer outside it.
        let rules = &rule_sets[2].1;
        assert!(grants(Role::Builder, &editors, rules, EditOptions));
        assert!(grants(Role::Viewer, &editors, rules, TestConnection));
        assert!(!grants(Role::Builder, &others, rules, EditOptions));
        assert!(!grants(Role::Builder, &editors, rules, ReadOptions));
    }

    #[test]
    fn rules_are_validated_and_kept_in_order() {
        let both = Rule {
            role: Some(Role::Builder),
            group: Some("g".into()),
            permissions: vec![],
        };
        let neither = Rule {
            role: None,
            group: None,
            permissions: vec![],
        };
        for rules in [
            vec![both],
            vec![neither],
            vec![Rule::for_role(Role::Admin, &[ReadOptions])],
            vec![group(" ", &[])],
            vec![group(&"g".repeat(256), &[])],
            vec![group("bell\u{7}", &[])],
            vec![group("g", &[]), group("g", &[Select])],
            vec![group("g", &[]); MAX_RULES + 1],
        ] {
            let error = validate(rules.clone()).unwrap_err();
            assert_eq!(error.code(), "BAD_USER_INPUT", "{rules:?}");
        }
        let checked = validate(vec![group("g", &[Resolve, ReadOptions, Resolve])]).unwrap();
        assert_eq!(checked[0].permissions, vec![ReadOptions, Resolve]);
        assert!(is_group_name(&"é".repeat(255)));
    }
}
