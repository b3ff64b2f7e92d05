//! Runtime resolution: which environment's decrypted options the query runner uses
//! for a data source of an app. A released app runs on the default environment; in the
//! builder, on the environment that user last selected. An environment missing
//! required options is ENVIRONMENT_NOT_CONFIGURED: never another environment's
//! credentials. Only the runner role may ask: anyone else is refused before anything
//! is read or written. Every runner's call, answered or refused, is one audit row
//! (never the values), its fields bounded: a `userId` is at most
//! [`MAX_USER_ID_CHARS`] printable characters.

use diesel_async::AsyncConnection as _;
use serde_json::{Map, Value, json};

use crate::db::Conn;
use crate::db::models::{DataSource, Environment};
use crate::domain::access::Permission;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::permissions::Action;
use crate::domain::{Caller, apps, data_sources, environments, selections};
use crate::error::{AppError, AppResult};
use crate::secrets::MasterKeys;

/// Where the app runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunTarget {
    /// In the builder, for one user.
    Builder,
    /// The released app, for its end users.
    Released,
}

impl RunTarget {
    fn as_str(self) -> &'static str {
        match self {
            Self::Builder => "BUILDER",
            Self::Released => "RELEASED",
        }
    }
}

/// What the query runner asks for.
#[derive(Debug, Clone)]
pub struct ResolveRequest {
    pub data_source_id: String,
    pub app_id: String,
    pub target: RunTarget,
    /// Whose builder selection to use, with [`RunTarget::Builder`].
    pub user_id: Option<String>,
}

/// The data source, the environment it runs against, and that environment's options
/// with secrets decrypted and values typed, keyed by option key.
#[derive(Clone)]
pub struct Resolution {
    pub data_source: DataSource,
    pub environment: Environment,
    pub options: Map<String, Value>,
}

// The options hold decrypted secrets: what is debug-printed never shows them.
impl std::fmt::Debug for Resolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolution")
            .field("data_source", &self.data_source.id)
            .field("environment", &self.environment.id)
            .finish_non_exhaustive()
    }
}

/// The longest `userId` a call may name, in characters.
pub const MAX_USER_ID_CHARS: usize = 255;

/// Resolves a data source for an app run (the runner role only) and audits the call:
/// in the same transaction when it is answered, on its own when it is refused.
pub async fn resolve(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    request: &ResolveRequest,
) -> AppResult<Resolution> {
    caller.require(Action::ResolveDataSources)?;
    let mut event = Event::new(AuditAction::DataSourceResolved);
    let user_id = match user_id_of(request) {
        Ok(user_id) => user_id,
        Err(error) => {
            audit_refusal(
                conn,
                caller,
                with_outcome(event, request, None, error.code()),
            )
            .await;
            return Err(error);
        }
    };
    let answered = conn
        .transaction::<_, AppError, _>(async |conn| {
            let resolution =
                resolve_in(conn, caller, master_keys, request, user_id, &mut event).await?;
            let ok = with_outcome(event.clone(), request, user_id, "OK");
            audit::record(conn, caller, ok).await?;
            Ok(resolution)
        })
        .await;
    if let Err(error) = &answered {
        audit_refusal(
            conn,
            caller,
            with_outcome(event, request, user_id, error.code()),
        )
        .await;
    }
    answered
}

/// The `userId` of a call: `None` when it names none (blank counts as none), and
/// BAD_USER_INPUT when it is longer than [`MAX_USER_ID_CHARS`] or holds a character
/// that is not printable.
fn user_id_of(request: &ResolveRequest) -> AppResult<Option<&str>> {
    let Some(user_id) = request.user_id.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if user_id.chars().nth(MAX_USER_ID_CHARS).is_some() {
        return Err(AppError::bad_field(
            "userId",
            format!("`userId` is at most {MAX_USER_ID_CHARS} characters long."),
        ));
    }
    if user_id.chars().any(char::is_control) {
        return Err(AppError::bad_field(
            "userId",
            "`userId` may hold only printable characters.",
        ));
    }
    Ok(Some(user_id).filter(|u| !u.is_empty()))
}

/// Records a refused call on its own (its transaction, if any, rolled back).
async fn audit_refusal(conn: &mut Conn, caller: &Caller, event: Event) {
    if let Err(failure) = audit::record(conn, caller, event).await {
        tracing::error!(
            error = ?failure,
            "could not audit a refused resolveDataSource"
        );
    }
}

fn with_outcome(
    event: Event,
    request: &ResolveRequest,
    user_id: Option<&str>,
    outcome: &str,
) -> Event {
    event.details(json!({
        "target": request.target.as_str(),
        "userId": user_id,
        "outcome": outcome,
    }))
}

/// The steps, each noting in `event` what it found, so a refusal is audited with
/// every object known by then.
async fn resolve_in(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    request: &ResolveRequest,
    user_id: Option<&str>,
    event: &mut Event,
) -> AppResult<Resolution> {
    let data_source = data_sources::get(conn, caller, &request.data_source_id).await?;
    event.data_source_id = Some(data_source.id);
    let app = apps::get(conn, caller, &request.app_id).await?;
    event.app_id = Some(app.id);
    let all = environments::all(conn, caller.workspace_id).await?;
    let environment = match request.target {
        RunTarget::Released => environments::default_of(&all).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("workspace has no default environment"))
        })?,
        RunTarget::Builder => {
            let user_id = user_id.ok_or_else(|| {
                AppError::bad_field(
                    "userId",
                    "Target BUILDER needs the `userId` whose selected environment to use.",
                )
            })?;
            let selected = selections::of_user(conn, caller.workspace_id, user_id, &[app.id])
                .await?
                .first()
                .map(|s| s.environment_id);
            selections::selection_of_user(&all, selected, caller)?
        }
    };
    event.environment_id = Some(environment.id);
    caller.require_in(Permission::Resolve, environment)?;
    let options = data_sources::decrypted_options(conn, master_keys, &data_source, environment)
        .await?
        .options;
    Ok(Resolution {
        data_source,
        environment: environment.clone(),
        options,
    })
}
