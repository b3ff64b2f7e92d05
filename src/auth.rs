//! Bearer tokens: an HS256 JWT becomes a typed [`Session`]. Resolvers never read
//! headers; they get the session the HTTP or WebSocket layer placed in the request.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// What a caller may do, from the token's `role` claim.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including credentials.
    Admin,
    /// Builds apps, switches environments, promotes; reads settings without secrets.
    Builder,
    /// An end user: runs released apps, reads environments.
    Viewer,
    /// The query runner's service account: the only role that reads decrypted credentials.
    Runner,
}

impl Role {
    /// Every role, in the role matrix's column order.
    pub const ALL: [Role; 4] = [Self::Admin, Self::Builder, Self::Viewer, Self::Runner];

    /// The claim value, as tokens spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Builder => "builder",
            Self::Viewer => "viewer",
            Self::Runner => "runner",
        }
    }
}

/// The authenticated caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The token's `sub`.
    pub user_id: String,
    /// The only workspace this request may see.
    pub workspace_id: Uuid,
    pub role: Role,
    /// The token's `groups`: access rules may grant permissions to a group.
    pub groups: Vec<String>,
    /// When the token ends; a long-lived WebSocket connection is refused from then on.
    /// `None` for a session that comes from no token (one about to be minted).
    pub expires_at: Option<DateTime<Utc>>,
}

impl Session {
    /// UNAUTHENTICATED once the token behind the session has expired.
    pub fn check_expiry(&self, now: DateTime<Utc>) -> AppResult<()> {
        match self.expires_at {
            Some(expires_at) if now >= expires_at => {
                Err(AppError::Unauthenticated(EXPIRED.to_owned()))
            }
            _ => Ok(()),
        }
    }
}

/// The claims envgate reads and writes.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    workspace_id: String,
    role: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<String>,
    exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
    // Checked by jsonwebtoken's validation; `aud` may be a string or an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aud: Option<serde_json::Value>,
}

/// Verifies and mints tokens with one secret; `iss`/`aud` are required when configured.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: Option<String>,
    audience: Option<String>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// What a request without a token is told.
pub const MISSING: &str = "Authentication required: send `Authorization: Bearer <token>`.";
const INVALID: &str = "The bearer token is invalid.";
const EXPIRED: &str = "The bearer token has expired.";
/// The most groups a token may carry.
pub const MAX_GROUPS: usize = 100;

impl TokenKeys {
    pub fn new(secret: &[u8], issuer: Option<String>, audience: Option<String>) -> Self {
        // The algorithm is pinned: a token naming another one (or `none`) is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        if let Some(issuer) = &issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer,
            audience,
        }
    }

    /// The session for an `Authorization` header value, or UNAUTHENTICATED.
    pub fn authenticate(&self, authorization: Option<&str>) -> AppResult<Session> {
        let unauthenticated = |m: &str| AppError::Unauthenticated(m.to_owned());
        let header = authorization
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or_else(|| unauthenticated(MISSING))?;
        let token = match header.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => {
                return Err(unauthenticated(
                    "The Authorization header must use the Bearer scheme.",
                ));
            }
        };
        self.verify(token)
    }

    /// The session a token stands for, or UNAUTHENTICATED.
    pub fn verify(&self, token: &str) -> AppResult<Session> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                AppError::Unauthenticated(
                    match e.kind() {
                        ErrorKind::ExpiredSignature => EXPIRED,
                        _ => INVALID,
                    }
                    .to_owned(),
                )
            })?;
        let claims = data.claims;
        let invalid = |what: &str| AppError::Unauthenticated(format!("{INVALID} {what}"));
        if claims.sub.trim().is_empty() || claims.sub.chars().any(char::is_control) {
            return Err(invalid(
                "Its `sub` claim is empty or holds control characters.",
            ));
        }
        let workspace_id = Uuid::parse_str(&claims.workspace_id)
            .map_err(|_| invalid("Its `workspace_id` claim is not a UUID."))?;
        let role = serde_json::from_value(serde_json::Value::String(claims.role))
            .map_err(|_| invalid("Its `role` claim is not admin, builder, viewer or runner."))?;
        if claims.groups.len() > MAX_GROUPS
            || claims
                .groups
                .iter()
                .any(|g| !crate::domain::access::is_group_name(g))
        {
            return Err(invalid(&format!(
                "Its `groups` claim holds more than {MAX_GROUPS} groups, or a name that is empty, longer than {} characters or not printable.",
                crate::domain::access::MAX_GROUP_CHARS
            )));
        }
        let expires_at = i64::try_from(claims.exp)
            .ok()
            .and_then(|exp| DateTime::from_timestamp(exp, 0));
        Ok(Session {
            user_id: claims.sub,
            workspace_id,
            role,
            groups: claims.groups,
            expires_at: Some(
                expires_at.ok_or_else(|| invalid("Its `exp` claim is out of range."))?,
            ),
        })
    }

    /// A signed token for `session`, valid for `ttl` from now.
    pub fn mint(&self, session: &Session, ttl: Duration) -> String {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: session.user_id.clone(),
            workspace_id: session.workspace_id.to_string(),
            role: session.role.as_str().to_owned(),
            groups: session.groups.clone(),
            exp: now + ttl.as_secs(),
            iat: Some(now),
            iss: self.issuer.clone(),
            aud: self.audience.clone().map(serde_json::Value::String),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with an in-memory secret cannot fail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            user_id: "u1".into(),
            workspace_id: Uuid::new_v4(),
            role: Role::Builder,
            groups: vec!["dev-editors".into()],
            expires_at: None,
        }
    }

    fn same_caller(a: &Session, b: &Session) -> bool {
        (&a.user_id, a.workspace_id, a.role, &a.groups)
            == (&b.user_id, b.workspace_id, b.role, &b.groups)
    }

    #[test]
    fn a_minted_token_round_trips() {
        let keys = TokenKeys::new(b"secret", Some("iss".into()), Some("aud".into()));
        let s = session();
        let token = keys.mint(&s, Duration::from_secs(60));
        let verified = keys.authenticate(Some(&format!("Bearer {token}"))).unwrap();
        assert!(same_caller(&verified, &s));
        let expires_at = verified.expires_at.unwrap();
        assert!(
            verified
                .check_expiry(expires_at - chrono::Duration::seconds(1))
                .is_ok()
        );
        assert!(verified.check_expiry(expires_at).is_err());
        let lowercase = keys
            .authenticate(Some(&format!("bearer  {token}")))
            .unwrap();
        assert!(same_caller(&lowercase, &s));
    }

    #[test]
    fn issuer_and_audience_are_required_when_configured() {
        let plain = TokenKeys::new(b"secret", None, None);
        let strict = TokenKeys::new(b"secret", Some("iss".into()), Some("aud".into()));
        let token = plain.mint(&session(), Duration::from_secs(60));
        assert!(matches!(
            strict.verify(&token),
            Err(AppError::Unauthenticated(_))
        ));
    }
}
