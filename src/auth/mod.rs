//! Bearer tokens: a JWT, HS256 with envgate's secret ([`TokenKeys`]) or signed by an
//! identity provider ([`provider`]), becomes a typed [`Session`] through the
//! [`Verifier`]. Resolvers never read headers; they get the session the HTTP or
//! WebSocket layer placed in the request.

pub mod claims;
pub mod jwks;
pub mod provider;

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use claims::ClaimMapping;
use provider::ProviderTokens;

/// What a caller may do, from the token's `role` claim.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
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

/// The claims [`TokenKeys::mint`] writes (and [`ClaimMapping::default`] reads).
#[derive(Debug, Serialize)]
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
/// The longest token looked at: a refusal costs no more than this much work.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// UNAUTHENTICATED: the token is invalid, and why.
fn invalid(why: &str) -> AppError {
    AppError::Unauthenticated(format!("{INVALID} {why}"))
}

/// A token jsonwebtoken refused, in words a caller can act on.
fn refusal(error: &jsonwebtoken::errors::Error) -> AppError {
    match error.kind() {
        ErrorKind::ExpiredSignature => AppError::Unauthenticated(EXPIRED.to_owned()),
        ErrorKind::ImmatureSignature => {
            AppError::Unauthenticated("The bearer token is not valid yet (`nbf`).".to_owned())
        }
        ErrorKind::InvalidIssuer => {
            invalid("Its issuer (`iss`) is not the one this server trusts.")
        }
        ErrorKind::InvalidAudience => invalid("Its audience (`aud`) does not name this server."),
        ErrorKind::MissingRequiredClaim(claim) => invalid(&format!("It has no `{claim}` claim.")),
        ErrorKind::InvalidSignature => invalid("Its signature does not verify."),
        ErrorKind::InvalidAlgorithm => invalid("Its algorithm is not one this server accepts."),
        _ => AppError::Unauthenticated(INVALID.to_owned()),
    }
}

/// The checks every token goes through: `exp` (and `claims`) required, `nbf` checked,
/// no leeway; `iss` and `aud` required and checked when configured.
fn validation(issuer: Option<&str>, audience: Option<&str>, claims: &[&str]) -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_nbf = true;
    let mut required = vec!["exp"];
    required.extend_from_slice(claims);
    if let Some(issuer) = issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    match audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            required.push("aud");
        }
        None => validation.validate_aud = false,
    }
    validation.set_required_spec_claims(&required);
    validation
}

/// The token of an `Authorization` header value (`Bearer <token>`), or UNAUTHENTICATED.
fn bearer(authorization: Option<&str>) -> AppResult<&str> {
    let unauthenticated = |m: &str| AppError::Unauthenticated(m.to_owned());
    let header = authorization
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or_else(|| unauthenticated(MISSING))?;
    match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Ok(token.trim()),
        _ => Err(unauthenticated(
            "The Authorization header must use the Bearer scheme.",
        )),
    }
}

impl TokenKeys {
    pub fn new(secret: &[u8], issuer: Option<String>, audience: Option<String>) -> Self {
        // The algorithm is pinned: a token naming another one (or `none`) is refused.
        let validation = validation(issuer.as_deref(), audience.as_deref(), &["sub"]);
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
        self.verify(bearer(authorization)?)
    }

    /// The session a token stands for, or UNAUTHENTICATED. Its claims are envgate's own
    /// (`workspace_id`, `role`, `sub`, `groups`), as [`TokenKeys::mint`] writes them.
    pub fn verify(&self, token: &str) -> AppResult<Session> {
        let claims = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &self.decoding,
            &self.validation,
        )
        .map_err(|e| refusal(&e))?
        .claims;
        ClaimMapping::default().session(&claims)
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

/// Verifies every bearer token: HS256 ones with envgate's secret, the others with the
/// identity provider's keys. A token's `alg` header picks the verifier; an HS256 token
/// is never checked against a key of the provider's set.
#[derive(Debug, Default)]
pub struct Verifier {
    secret: Option<TokenKeys>,
    provider: Option<ProviderTokens>,
}

impl From<TokenKeys> for Verifier {
    fn from(secret: TokenKeys) -> Self {
        Self {
            secret: Some(secret),
            provider: None,
        }
    }
}

impl Verifier {
    /// A verifier with either or both.
    pub fn new(secret: Option<TokenKeys>, provider: Option<ProviderTokens>) -> Self {
        Self { secret, provider }
    }

    /// envgate's own HS256 keys, when a secret is configured (or a development one).
    pub fn secret(&self) -> Option<&TokenKeys> {
        self.secret.as_ref()
    }

    /// The identity provider, when one is configured.
    pub fn identity_provider(&self) -> Option<&provider::IdentityProvider> {
        self.provider.as_ref().map(ProviderTokens::keys)
    }

    /// The session for an `Authorization` header value, or UNAUTHENTICATED.
    pub async fn authenticate(&self, authorization: Option<&str>) -> AppResult<Session> {
        self.verify(bearer(authorization)?).await
    }

    /// The session a token stands for, or UNAUTHENTICATED.
    pub async fn verify(&self, token: &str) -> AppResult<Session> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(invalid(&format!(
                "It is longer than {MAX_TOKEN_BYTES} bytes."
            )));
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| invalid("It is not a signed JWT (header, claims and signature)."))?;
        let hmac = matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        );
        match (hmac, &self.secret, &self.provider) {
            (true, Some(secret), _) => secret.verify(token),
            (true, None, _) => Err(invalid(
                "It is signed with a shared secret (HS256), which this server does not accept: its tokens come from the identity provider.",
            )),
            (false, _, Some(provider)) => provider.verify(token, &header).await,
            (false, _, None) => Err(invalid(&format!(
                "It is signed with {:?}; this server verifies HS256 tokens only (no identity provider is configured).",
                header.alg
            ))),
        }
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
