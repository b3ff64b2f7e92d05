//! `envgate serve`: checks the settings (see [`production`] for `--production`), reads
//! the keys, license and identity provider, migrates the database, then serves until
//! SIGINT or SIGTERM and shuts down gracefully.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};

use super::database::{DatabaseUrls, database, stop};
use super::{configured, failed, jwt_keys, master_keys};
use crate::app::{App, Settings};
use crate::auth::claims::ClaimMapping;
use crate::auth::provider::{self, IdentityProvider, ProviderTokens, Source, Timing};
use crate::auth::{Role, Session, Verifier};
use crate::config::{JwtArgs, ProviderArgs, ServeArgs};
use crate::domain::connection_test::{Allow, Policy};
use crate::domain::keys;
use crate::edition::Licensing;
use crate::secrets::MasterKeys;
use crate::{db, demo, dev};

pub mod production;

/// Serves with `args` until a signal stops the server.
pub async fn run(args: ServeArgs, state_dir: &Path) -> anyhow::Result<()> {
    if args.production {
        production::Production::of(&args).check()?;
    }
    let master_keys = master_keys(&args.keys, state_dir)?;
    let provider = identity_provider(&args.provider, &args.jwt).await?;
    // With an identity provider, HS256 tokens are accepted only with a configured secret.
    let (tokens, development_secret) =
        if provider.is_some() && configured(&args.jwt.jwt_secret).is_none() {
            (None, false)
        } else {
            let (tokens, development) = jwt_keys(&args.jwt, state_dir)?;
            (Some(tokens), development)
        };
    let public_key = match &args.license_public_key_file {
        Some(path) => {
            Some(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?)
        }
        None => None,
    };
    let licensing = match configured(&args.license_key) {
        None if args.demo => {
            tracing::warn!(
                "--demo: running as Enterprise with a development license signed by a key kept in {}",
                state_dir.display()
            );
            demo::license(state_dir)?
        }
        _ => Licensing::load(args.license_key.as_deref(), public_key.as_deref()),
    };

    let credentials = Credentials {
        tokens: Verifier::new(tokens, provider),
        development_secret,
        licensing,
        master_keys,
    };
    let (urls, devdb) = database(&args.database, state_dir, args.replicas.dev_replica).await?;
    let result = serve_on(&args, &urls, state_dir, credentials).await;
    stop(devdb).await;
    result
}

/// The identity provider's token verifier, when one is configured; its keys loaded (a
/// provider that can't be reached yet is tried again in the background).
async fn identity_provider(
    args: &ProviderArgs,
    jwt: &JwtArgs,
) -> anyhow::Result<Option<ProviderTokens>> {
    let file = args
        .jwks_file
        .as_ref()
        .filter(|p| !p.as_os_str().is_empty());
    let source = match (
        configured(&args.jwks_url),
        file,
        configured(&args.oidc_issuer),
    ) {
        (Some(url), _, _) => Source::url(url)?,
        (_, Some(path), _) => Source::File(path.clone()),
        (_, _, Some(issuer)) => Source::discovery(issuer)?,
        _ => {
            if args.jwt_claims.is_some() || args.jwt_roles.is_some() {
                bail!(
                    "ENVGATE_JWT_CLAIMS and ENVGATE_JWT_ROLES apply to an identity provider's tokens: set ENVGATE_JWKS_URL, ENVGATE_JWKS_FILE or ENVGATE_OIDC_ISSUER"
                );
            }
            return Ok(None);
        }
    };
    if configured(&jwt.jwt_audience).is_none() {
        tracing::warn!(
            "no ENVGATE_JWT_AUDIENCE: any token the identity provider signs is accepted, also one meant for another application"
        );
    }
    let roots = provider::roots(args.jwks_ca_file.as_deref())?;
    let keys = IdentityProvider::start(source, Timing::default(), roots).await?;
    let mapping = ClaimMapping {
        names: args.jwt_claims.clone().unwrap_or_default(),
        roles: args.jwt_roles.clone().unwrap_or_default(),
    };
    Ok(Some(ProviderTokens::new(
        keys,
        configured(&jwt.jwt_issuer).map(str::to_owned),
        configured(&jwt.jwt_audience).map(str::to_owned),
        mapping,
    )))
}

/// What `serve` reads before it reaches the database: how tokens, licenses and
/// secrets are checked.
struct Credentials {
    tokens: Verifier,
    /// Whether the JWT secret is the development one of the state directory.
    development_secret: bool,
    licensing: Licensing,
    master_keys: MasterKeys,
}

/// Migrates the database at `urls`, then serves until a signal stops the server.
async fn serve_on(
    args: &ServeArgs,
    urls: &DatabaseUrls,
    state_dir: &Path,
    credentials: Credentials,
) -> anyhow::Result<()> {
    let Credentials {
        tokens,
        development_secret,
        licensing,
        master_keys,
    } = credentials;
    let ran = db::migrate(&urls.direct).await?;
    if ran > 0 {
        tracing::info!(migrations = ran, "database migrated");
    }
    if development_secret {
        tracing::warn!(
            "no JWT secret configured: using a development secret kept in {}",
            state_dir.display()
        );
    }
    // The demo token (an admin's, for 30 days) must not reach beyond this machine: on
    // any other address it is neither printed, served in GraphiQL nor accepted, whether
    // the JWT secret is a development one or configured.
    let demo_workspace = if development_secret || args.demo {
        Some(dev::demo_workspace(state_dir)?)
    } else {
        None
    };
    let demo_refused = demo_workspace.is_some() && !args.listen.ip().is_loopback();
    if demo_refused {
        tracing::warn!(
            "listening on {}, beyond this machine: the demo token is refused; mint tokens with `envgate token`",
            args.listen
        );
    }
    let demo = match (demo_workspace.filter(|_| !demo_refused), tokens.secret()) {
        (Some(workspace_id), Some(secret)) => {
            let session = Session {
                user_id: demo::DEMO_USER.into(),
                workspace_id,
                role: Role::Admin,
                groups: Vec::new(),
                expires_at: None,
            };
            Some((
                secret.mint(&session, Duration::from_secs(30 * 24 * 3600)),
                session.workspace_id,
            ))
        }
        _ => None,
    };
    let queries = db::QueryCounter::default();
    let pool = db::pool(
        &urls.pooled,
        args.database_pool_size,
        queries.clone(),
        args.database.database_pooler,
    )?;
    let settings = Settings {
        demo_token: demo.as_ref().map(|(token, _)| token.clone()),
        cors_origins: args.cors_origins.clone(),
        refused_demo_user: demo_workspace
            .filter(|_| demo_refused)
            .map(|workspace| (demo::DEMO_USER.to_owned(), workspace)),
        no_introspection: args.no_introspection,
        limits: args.limits.clone(),
        local_playground_only: !args.production,
        response_cache: crate::graphql::CacheBytes(args.response_cache_bytes),
        connection_tests: Policy::new(args.connection_test_allow.clone().unwrap_or_else(|| {
            if args.production {
                Allow::default()
            } else {
                Allow::development()
            }
        })),
    };
    let app = App::builder(pool, queries)
        .tokens(tokens)
        .licensing(licensing)
        .master_keys(master_keys)
        .settings(settings)
        .build();
    let mut replicas = args.replicas.urls()?;
    replicas.extend(urls.dev_replica.clone());
    app.use_replicas(&replicas, args.database_pool_size, args.replicas.settings())?;
    refuse_unheld_keys(&app).await?;
    if let (true, Some(workspace)) = (args.demo, demo_workspace) {
        demo::seed(&app, workspace, &urls.direct).await?;
    }
    app.listen(&urls.direct);
    let scheduler = crate::scheduler::start(app.clone());
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    let signalled = shutdown_signal();
    tracing::info!(
        "envgate is listening: GraphQL playground at http://{address}/ (API at /graphql)"
    );
    if let Some((token, workspace)) = &demo {
        eprintln!("Demo admin token for workspace {workspace} (GraphiQL already sends it):");
        println!("{token}");
    }
    let shutdown = app.shutdown.clone();
    let server = axum::serve(listener, crate::router(app.clone()))
        .with_graceful_shutdown(shutdown.clone().cancelled_owned())
        .into_future();
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result?,
        () = signalled => {
            let grace: Duration = args.shutdown_timeout.into();
            tracing::info!(
                "shutting down: no new connections, WebSockets closed, requests in flight finish (at most {})",
                humantime::format_duration(grace)
            );
            // Stops accepting, and closes every WebSocket with 1001.
            shutdown.cancel();
            app.websockets.close();
            let finished = async {
                let served = (&mut server).await;
                app.websockets.wait().await;
                served
            };
            match tokio::time::timeout(grace, finished).await {
                Ok(served) => served?,
                Err(_) => tracing::warn!(
                    "requests were still running after {}: stopped",
                    humantime::format_duration(grace)
                ),
            }
        }
    }
    // The scheduler finishes the release it may be running, then stops.
    shutdown.cancel();
    if tokio::time::timeout(args.shutdown_timeout.into(), scheduler)
        .await
        .is_err()
    {
        tracing::warn!("the release scheduler was still running a release: stopped");
    }
    tracing::info!("envgate stopped");
    Ok(())
}

/// Refuses to serve when a stored secret was sealed under a key this server does not
/// hold: it would otherwise fail on every read of it.
async fn refuse_unheld_keys(app: &App) -> anyhow::Result<()> {
    // The pool's first connection: a bad URL or TLS setting shows here, in words.
    let mut conn = app
        .pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("connecting to the database: {e}"))?;
    let unheld = keys::unheld(&mut conn, &app.master_keys)
        .await
        .map_err(failed)?;
    if unheld.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = unheld
        .iter()
        .map(|c| format!("{} secret(s) under master key {}", c.secrets, c.key_id))
        .collect();
    bail!(
        "refusing to start: {} are sealed under keys this server does not hold (it holds {}). Add them to ENVGATE_MASTER_KEYS as KEYID:HEX after the current key.",
        listed.join(", "),
        app.master_keys.ids().join(", ")
    )
}

/// SIGINT or SIGTERM. Both are caught from the call on (before its future is first
/// polled), so a signal sent right after the "listening" line is not the default
/// action's (an exit without shutting down).
fn shutdown_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let (interrupt, terminate) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    );
    async move {
        let received = |signal: std::io::Result<tokio::signal::unix::Signal>| async move {
            match signal {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = received(interrupt) => {},
            () = received(terminate) => {},
        }
    }
}
