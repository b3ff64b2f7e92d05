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
use uuid::Uuid;

use crate::db::Conn;
use crate::db::models::{DataSource, Environment};
use crate::domain::access::Permission;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::ids::{AppId, DataSourceId};
use crate::domain::permissions::Action;
use crate::domain::{Caller, data_sources, environments, selections};
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
    pub data_source_id: DataSourceId,
    pub app_id: AppId,
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
/// every object known by then. Everything is read in one statement before the first
/// rule is checked; the rules then run in the order a step-by-step read would meet
/// them (the data source, the app, the environment, its access rules, its options).
async fn resolve_in(
    conn: &mut Conn,
    caller: &Caller,
    master_keys: &MasterKeys,
    request: &ResolveRequest,
    user_id: Option<&str>,
    event: &mut Event,
) -> AppResult<Resolution> {
    // Every role may read both; only the runner gets here.
    caller.require(Action::ReadDataSources)?;
    caller.require(Action::ReadApps)?;
    let selected_by = match request.target {
        RunTarget::Builder => user_id,
        RunTarget::Released => None,
    };
    let found = data_sources::for_resolution(
        conn,
        caller.workspace_id,
        request.data_source_id.0,
        // An unknown (or malformed) app id matches no app: NOT_FOUND, after the data
        // source's.
        request.app_id.0,
        selected_by,
    )
    .await?
    .ok_or(AppError::NotFound("data source"))?;
    event.data_source_id = Some(found.data_source.id);
    let app_id = found.app_id.ok_or(AppError::NotFound("app"))?;
    event.app_id = Some(app_id);
    let environment = environment_for(
        request.target,
        user_id,
        &found.environments,
        found.selected,
        caller,
    )?;
    event.environment_id = Some(environment.id);
    caller.require_in(Permission::Resolve, environment)?;
    let mut rows = found.options;
    let row = data_sources::take_options(&mut rows, &found.data_source, environment.id);
    let options = data_sources::decrypted(conn, master_keys, &found.data_source, environment, &row)
        .await?
        .options;
    Ok(Resolution {
        environment: environment.clone(),
        data_source: found.data_source,
        options,
    })
}

/// The environment a run resolves against, among the workspace's environments `all`:
/// the default one for a released app; for the builder, the one `user_id` selected
/// (`selected`, as stored) as [`selections::selection_of_user`] has it. BAD_USER_INPUT
/// when the builder target names no user.
fn environment_for<'a>(
    target: RunTarget,
    user_id: Option<&str>,
    all: &'a [Environment],
    selected: Option<Uuid>,
    caller: &Caller,
) -> AppResult<&'a Environment> {
    match target {
        RunTarget::Released => environments::default_of(all).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("workspace has no default environment"))
        }),
        RunTarget::Builder => {
            if user_id.is_none() {
                return Err(AppError::bad_field(
                    "userId",
                    "Target BUILDER needs the `userId` whose selected environment to use.",
                ));
            }
            selections::selection_of_user(all, selected, caller)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::db::models::AccessRules;

    fn environment(name: &str, priority: i32, is_default: bool) -> Environment {
        Environment {
            id: Uuid::new_v4(),
            workspace_id: Uuid::nil(),
            name: name.to_owned(),
            kind: "custom".to_owned(),
            priority,
            is_default,
            locked: false,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            protected: false,
            access: AccessRules(Vec::new()),
            required_approvals: 0,
        }
    }

    fn runner(multi_environment: bool) -> Caller {
        Caller {
            user_id: "runner".to_owned(),
            workspace_id: Uuid::nil(),
            role: Role::Runner,
            groups: Vec::new(),
            multi_environment,
            request_id: None,
        }
    }

    #[test]
    fn a_released_run_is_on_the_default_environment_and_a_builder_run_on_the_selection() {
        let all = [
            environment("Development", 1, false),
            environment("Staging", 2, false),
            environment("Production", 3, true),
        ];
        let enterprise = runner(true);
        let name = |found: AppResult<&Environment>| found.map(|e| e.name.clone()).unwrap();
        let selected = Some(all[1].id);
        let released = environment_for(RunTarget::Released, Some("u"), &all, selected, &enterprise);
        assert_eq!(name(released), "Production");
        let builder = |selected, caller| {
            environment_for(RunTarget::Builder, Some("u"), &all, selected, caller)
        };
        assert_eq!(name(builder(selected, &enterprise)), "Staging");
        // Never chose, or chose what is gone: the lowest offered.
        assert_eq!(name(builder(None, &enterprise)), "Development");
        assert_eq!(
            name(builder(Some(Uuid::new_v4()), &enterprise)),
            "Development"
        );
        // Community offers the default one only; the stored choice stands for a license.
        assert_eq!(name(builder(selected, &runner(false))), "Production");
    }

    #[test]
    fn a_builder_run_names_its_user_and_a_workspace_without_default_is_an_internal_error() {
        let all = [environment("Production", 3, true)];
        let caller = runner(true);
        let no_user = environment_for(RunTarget::Builder, None, &all, None, &caller).unwrap_err();
        assert!(
            matches!(&no_user, AppError::BadUserInput { field: Some(f), .. } if f == "userId"),
            "{no_user:?}"
        );
        let none = environment_for(RunTarget::Released, None, &[], None, &caller).unwrap_err();
        assert_eq!(none.code(), "INTERNAL_SERVER_ERROR");
    }
}
