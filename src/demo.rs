//! `envgate serve --demo`: the whole feature at first sight. The server signs itself a
//! development Enterprise license with a key pair kept in the state directory, and
//! seeds the demo workspace once with a PostgreSQL data source configured in every
//! environment (pointing at envgate's own database, so "test connection" succeeds) and
//! an app with a version released, one in Staging and one in Development.

use std::path::Path;

use anyhow::Context as _;
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::App;
use crate::auth::Role;
use crate::db::DatabaseUrl;
use crate::dev;
use crate::domain::data_sources::{self, Filters, NewDataSourceInput, OptionsUpdate};
use crate::domain::ids::AppId;
use crate::domain::options::OptionInput;
use crate::domain::pagination::PageRequest;
use crate::domain::{Caller, apps, environments, releases, versions, workspaces};
use crate::edition::{self, Licensing};
use crate::error::AppError;

/// How long the development license runs; it is signed anew at every start.
const LICENSE_DAYS: i64 = 30;
/// Who the development license is for.
const LICENSEE: &str = "envgate demo (development license)";
/// The user the demo's seed is recorded as.
pub const DEMO_USER: &str = "demo-admin";

/// A development Enterprise license, signed with the demo key pair of `state_dir`
/// (made on first use) and verified with its public half like any other license.
pub fn license(state_dir: &Path) -> anyhow::Result<Licensing> {
    let private_path = state_dir.join("demo-license-private.pem");
    let public_path = state_dir.join("demo-license-public.pem");
    if !private_path.exists() || !public_path.exists() {
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("creating {}", state_dir.display()))?;
        let (private, public) = edition::keygen()?;
        dev::write_private(&private_path, &private)
            .with_context(|| format!("writing {}", private_path.display()))?;
        std::fs::write(&public_path, public)
            .with_context(|| format!("writing {}", public_path.display()))?;
    }
    let private = std::fs::read(&private_path)
        .with_context(|| format!("reading {}", private_path.display()))?;
    let public = std::fs::read(&public_path)
        .with_context(|| format!("reading {}", public_path.display()))?;
    let key = edition::issue(
        &private,
        LICENSEE,
        Utc::now() + Duration::days(LICENSE_DAYS),
    )?;
    Ok(Licensing::load(Some(&key), Some(&public)))
}

/// Seeds the demo workspace unless it already holds data sources or apps (so a
/// restart, or a user's own changes, are never overwritten). `database_url` is the
/// database envgate itself uses: the demo data source points at it.
pub async fn seed(app: &App, workspace_id: Uuid, database_url: &DatabaseUrl) -> anyhow::Result<()> {
    let caller = Caller {
        user_id: DEMO_USER.to_owned(),
        workspace_id,
        role: Role::Admin,
        groups: Vec::new(),
        multi_environment: true,
        request_id: None,
    };
    let mut conn = app.conn().await.map_err(describe)?;
    workspaces::provision(&mut conn, workspace_id).await?;
    let first = PageRequest::new(Some(1), None).map_err(describe)?;
    let has_data_sources =
        !data_sources::list(&mut conn, &caller, &first, &Filters::default(), None)
            .await
            .map_err(describe)?
            .items
            .is_empty();
    let has_apps = !apps::list(&mut conn, &caller, &first)
        .await
        .map_err(describe)?
        .items
        .is_empty();
    if has_data_sources || has_apps {
        return Ok(());
    }

    let config = database_url.config();
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        _ => "127.0.0.1".to_owned(),
    };
    let mut options = vec![
        option("host", json!(host)),
        option(
            "port",
            json!(config.get_ports().first().copied().unwrap_or(5432)),
        ),
        option("database", json!(config.get_dbname().unwrap_or("postgres"))),
        option("username", json!(config.get_user().unwrap_or("postgres"))),
        option("ssl_mode", json!("disable")),
    ];
    if let Some(password) = config.get_password() {
        options.push(option("password", json!(String::from_utf8_lossy(password))));
    }
    let all = environments::all(&mut conn, workspace_id).await?;
    let data_source = data_sources::create(
        &mut conn,
        &caller,
        &app.master_keys,
        NewDataSourceInput {
            name: "Demo PostgreSQL".into(),
            kind: "postgresql".into(),
            environment_id: None,
            options: options.clone(),
        },
    )
    .await
    .map_err(describe)?;
    // The other environments get their own credentials too (here: the same ones).
    for environment in all.iter().filter(|e| !e.is_default) {
        let update = OptionsUpdate {
            data_source_id: data_source.id.into(),
            environment_id: environment.id.into(),
            options: options.clone(),
            expected_revision: None,
        };
        data_sources::update_options(&mut conn, &caller, &app.master_keys, update)
            .await
            .map_err(describe)?;
    }

    let demo_app = apps::create(&mut conn, &caller, "Demo app")
        .await
        .map_err(describe)?;
    let app_id = AppId(demo_app.id);
    // (name, promotions, released)
    for (name, promotions, released) in [("v1", 2, true), ("v2", 1, false), ("v3", 0, false)] {
        let version = versions::create(&mut conn, &caller, app_id, name)
            .await
            .map_err(describe)?;
        let mut environment_id = version.environment_id;
        for _ in 0..promotions {
            let promoted = versions::promote(
                &mut conn,
                &caller,
                version.id.into(),
                environment_id.into(),
                false,
            )
            .await
            .map_err(describe)?;
            environment_id = promoted.environment_id;
        }
        if released {
            releases::release(
                &mut conn,
                &caller,
                version.id.into(),
                Some("The first release."),
            )
            .await
            .map_err(describe)?;
        }
    }
    tracing::info!(%workspace_id, "seeded the demo workspace");
    Ok(())
}

fn option(key: &str, value: Value) -> OptionInput {
    OptionInput {
        key: key.to_owned(),
        value: Some(value),
    }
}

/// A domain error as a start-up failure (its message only: never a secret).
fn describe(error: AppError) -> anyhow::Error {
    match error {
        AppError::Internal(source) => source.context("seeding the demo workspace"),
        other => anyhow::anyhow!("seeding the demo workspace: {}", other.message()),
    }
}
