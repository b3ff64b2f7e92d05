//! From a verified token's claims to a [`Session`]: which claim holds the workspace,
//! the role, the user and the groups (`ENVGATE_JWT_CLAIMS`), and what the identity
//! provider's role values mean (`ENVGATE_JWT_ROLES`).

use std::collections::HashMap;

use chrono::DateTime;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{INVALID, MAX_GROUPS, Role, Session};
use crate::error::{AppError, AppResult};

/// The longest user a token may name: what the tables that record who did something
/// (requests, reviews, selections) hold.
pub const MAX_USER_CHARS: usize = 1024;

/// Which claim holds each thing envgate needs. A name is a top-level claim; when no
/// top-level claim has that name, dots walk into objects (`realm_access.roles`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    pub workspace: String,
    pub role: String,
    pub user: String,
    pub groups: String,
}

impl Default for ClaimNames {
    /// The claims `envgate token` writes.
    fn default() -> Self {
        Self {
            workspace: "workspace_id".into(),
            role: "role".into(),
            user: "sub".into(),
            groups: "groups".into(),
        }
    }
}

impl ClaimNames {
    /// Parses `ENVGATE_JWT_CLAIMS`: comma-separated `what=claim` pairs, `what` one of
    /// `workspace`, `role`, `user`, `groups`; the ones left out keep their default.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut names = Self::default();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (what, claim) = pair
                .split_once('=')
                .map(|(w, c)| (w.trim(), c.trim()))
                .filter(|(_, c)| !c.is_empty())
                .ok_or_else(|| format!("`{pair}` is not `what=claim`"))?;
            let slot = match what {
                "workspace" => &mut names.workspace,
                "role" => &mut names.role,
                "user" => &mut names.user,
                "groups" => &mut names.groups,
                _ => {
                    return Err(format!(
                        "`{what}` is not one of workspace, role, user, groups"
                    ));
                }
            };
            *slot = claim.to_owned();
        }
        Ok(names)
    }
}

/// What the identity provider's role values mean (`ENVGATE_JWT_ROLES`). When set, only
/// the values it names are roles; unset, a value must be one of envgate's role names, in
/// any case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleNames(Option<HashMap<String, Role>>);

impl RoleNames {
    /// Parses `ENVGATE_JWT_ROLES`: comma-separated `value=role` pairs, `role` one of
    /// envgate's (`admin=admin` keeps a value as it is).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut map = HashMap::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (value, role) = pair
                .rsplit_once('=')
                .map(|(v, r)| (v.trim(), r.trim()))
                .filter(|(v, _)| !v.is_empty())
                .ok_or_else(|| format!("`{pair}` is not `value=role`"))?;
            let role = role_named(role)
                .ok_or_else(|| format!("`{role}` is not one of admin, builder, viewer, runner"))?;
            map.insert(value.to_owned(), role);
        }
        if map.is_empty() {
            return Err("it names no role".into());
        }
        Ok(Self(Some(map)))
    }

    /// The role a value stands for, if any.
    fn role(&self, value: &str) -> Option<Role> {
        match &self.0 {
            Some(map) => map.get(value).copied(),
            None => role_named(value),
        }
    }
}

/// envgate's role of that name, in any case.
fn role_named(name: &str) -> Option<Role> {
    Role::ALL
        .into_iter()
        .find(|role| role.as_str().eq_ignore_ascii_case(name))
}

/// How a verified token's claims become a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimMapping {
    pub names: ClaimNames,
    pub roles: RoleNames,
}

fn invalid(what: &str) -> AppError {
    AppError::Unauthenticated(format!("{INVALID} {what}"))
}

/// The claim `name`: a top-level claim of that name, else the dotted path into objects.
fn claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(value) = claims.get(name) {
        return Some(value);
    }
    let mut parts = name.split('.');
    let mut value = claims.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

impl ClaimMapping {
    /// The session of a verified token's claims (its `exp` already checked), or
    /// UNAUTHENTICATED saying which claim is wrong.
    pub fn session(&self, claims: &Map<String, Value>) -> AppResult<Session> {
        let names = &self.names;
        let user = claim(claims, &names.user)
            .and_then(Value::as_str)
            .filter(|u| {
                !u.trim().is_empty()
                    && !u.chars().any(char::is_control)
                    && u.chars().nth(MAX_USER_CHARS).is_none()
            })
            .ok_or_else(|| {
                invalid(&format!(
                    "Its `{}` claim is missing, empty, longer than {MAX_USER_CHARS} characters or holds control characters.",
                    names.user
                ))
            })?;
        let workspace = match claim(claims, &names.workspace) {
            // A multivalued attribute (Keycloak's user-attribute mapper) holding one value.
            Some(Value::Array(values)) if values.len() == 1 => values[0].as_str(),
            Some(value) => value.as_str(),
            None => None,
        };
        let workspace_id = workspace
            .and_then(|w| Uuid::parse_str(w).ok())
            .ok_or_else(|| {
                invalid(&format!(
                    "Its `{}` claim is not a workspace id (a UUID).",
                    names.workspace
                ))
            })?;
        let role = self.role(claim(claims, &names.role))?;
        let groups = match claim(claims, &names.groups) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(values)) if values.len() <= MAX_GROUPS => values
                .iter()
                .map(|g| {
                    g.as_str()
                        .filter(|g| crate::domain::access::is_group_name(g))
                        .map(str::to_owned)
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| self.bad_groups())?,
            Some(_) => return Err(self.bad_groups()),
        };
        let expires_at = claims
            .get("exp")
            .and_then(|exp| exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64)))
            .and_then(|exp| DateTime::from_timestamp(exp, 0))
            .ok_or_else(|| invalid("Its `exp` claim is out of range."))?;
        Ok(Session {
            user_id: user.to_owned(),
            workspace_id,
            role,
            groups,
            expires_at: Some(expires_at),
        })
    }

    fn bad_groups(&self) -> AppError {
        invalid(&format!(
            "Its `{}` claim is not a list of at most {MAX_GROUPS} group names, each 1 to {} printable characters.",
            self.names.groups,
            crate::domain::access::MAX_GROUP_CHARS
        ))
    }

    /// The role claim's role. A list (Keycloak's `realm_access.roles`) may hold values
    /// that are no role (`offline_access`): those are passed over; when the ones left
    /// give several roles the caller gets the widest of admin, builder, viewer, and
    /// `runner` (a service account's) must come alone.
    fn role(&self, value: Option<&Value>) -> AppResult<Role> {
        let name = &self.names.role;
        let not_a_role = || {
            invalid(&match &self.roles.0 {
                Some(map) => {
                    let mut values: Vec<&str> = map.keys().map(String::as_str).collect();
                    values.sort_unstable();
                    format!(
                        "Its `{name}` claim holds none of the roles ENVGATE_JWT_ROLES names ({}).",
                        values.join(", ")
                    )
                }
                None => {
                    format!("Its `{name}` claim is not admin, builder, viewer or runner.")
                }
            })
        };
        match value {
            Some(Value::String(value)) => self.roles.role(value).ok_or_else(not_a_role),
            Some(Value::Array(values)) => {
                let roles: Vec<Role> = values
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(|v| self.roles.role(v))
                    .collect();
                if roles.contains(&Role::Runner) && roles.iter().any(|r| *r != Role::Runner) {
                    return Err(invalid(&format!(
                        "Its `{name}` claim gives the runner role with another: a runner is a service account of its own."
                    )));
                }
                [Role::Admin, Role::Builder, Role::Viewer, Role::Runner]
                    .into_iter()
                    .find(|r| roles.contains(r))
                    .ok_or_else(not_a_role)
            }
            _ => Err(not_a_role()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn settings_parse_and_refuse_what_they_do_not_know() {
        let names = ClaimNames::parse("workspace=org_id, role=https://example.com/role,user=email")
            .unwrap();
        assert_eq!(names.workspace, "org_id");
        assert_eq!(names.role, "https://example.com/role");
        assert_eq!(names.user, "email");
        assert_eq!(names.groups, "groups");
        assert!(ClaimNames::parse("tenant=org").is_err());
        assert!(ClaimNames::parse("role").is_err());
        let roles = RoleNames::parse("owner=admin, developer=builder").unwrap();
        assert_eq!(roles.role("owner"), Some(Role::Admin));
        assert_eq!(roles.role("admin"), None);
        assert!(RoleNames::parse("owner=root").is_err());
        assert!(RoleNames::parse(" , ").is_err());
    }

    #[test]
    fn keycloak_style_claims_map_to_a_session() {
        let ws = Uuid::new_v4();
        let mapping = ClaimMapping {
            names: ClaimNames::parse(
                "workspace=org_id,role=realm_access.roles,user=preferred_username",
            )
            .unwrap(),
            roles: RoleNames::parse("envgate-admin=admin,envgate-builder=builder").unwrap(),
        };
        let token = json!({
            "exp": 2_000_000_000, "sub": "f1b0", "preferred_username": "alice",
            "org_id": [ws.to_string()], "groups": ["/eng/dev-editors"],
            "realm_access": { "roles": ["offline_access", "envgate-builder", "envgate-admin"] },
        });
        let session = mapping.session(&claims(token.clone())).unwrap();
        assert_eq!(
            (session.user_id.as_str(), session.workspace_id, session.role),
            ("alice", ws, Role::Admin)
        );
        assert_eq!(session.groups, ["/eng/dev-editors"]);
        let mut none = token;
        none["realm_access"]["roles"] = json!(["offline_access", "admin"]);
        assert!(mapping.session(&claims(none)).is_err());
    }

    #[test]
    fn a_user_longer_than_the_tables_hold_is_refused() {
        // Longer, it would pass here and fail as an internal error where it is stored.
        let mapping = ClaimMapping::default();
        let token = |sub: String| {
            claims(json!({
                "exp": 2_000_000_000, "sub": sub, "role": "builder",
                "workspace_id": Uuid::new_v4().to_string(),
            }))
        };
        let longest = "é".repeat(MAX_USER_CHARS);
        assert_eq!(
            mapping.session(&token(longest.clone())).unwrap().user_id,
            longest
        );
        let error = mapping.session(&token("u".repeat(MAX_USER_CHARS + 1)));
        assert!(
            matches!(&error, Err(AppError::Unauthenticated(m)) if m.contains("longer than 1024 characters")),
            "{error:?}"
        );
    }

    #[test]
    fn without_a_role_mapping_any_case_of_a_role_name_is_accepted() {
        let mapping = ClaimMapping::default();
        let ws = Uuid::new_v4().to_string();
        let base = json!({ "exp": 2_000_000_000, "sub": "u", "workspace_id": ws });
        for (role, expected) in [
            (json!("Builder"), Some(Role::Builder)),
            (json!("RUNNER"), Some(Role::Runner)),
            (json!(["viewer", "x"]), Some(Role::Viewer)),
            (json!(["runner", "admin"]), None),
            (json!("owner"), None),
            (json!(7), None),
        ] {
            let mut token = base.clone();
            token["role"] = role.clone();
            assert_eq!(
                mapping.session(&claims(token)).ok().map(|s| s.role),
                expected,
                "{role}"
            );
        }
    }
}
