//! The `envgate` command: serve, migrate, schema, token, license.

use std::io::IsTerminal as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use chrono::{NaiveTime, Utc};
use clap::Parser as _;
use tracing_subscriber::EnvFilter;

use envgate::app::{App, Settings};
use envgate::auth::{Role, Session, TokenKeys};
use envgate::config::{Cli, Command, DatabaseArgs, JwtArgs, LicenseCommand, ServeArgs, TokenArgs};
use envgate::devdb::DevDatabase;
use envgate::edition::{self, Licensing};
use envgate::secrets::MasterKey;
use envgate::{db, dev};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let state_dir = cli.state_dir.as_path();
    match cli.command {
        Command::Serve(args) => serve(args, state_dir).await,
        Command::Migrate(args) => {
            let (url, devdb) = database(&args, state_dir).await?;
            let ran = db::migrate(&url).await;
            stop(devdb).await;
            println!("ran {} migration(s)", ran?);
            Ok(())
        }
        Command::Schema => {
            print!("{}", envgate::graphql::sdl());
            Ok(())
        }
        Command::Token(args) => token(args, state_dir),
        Command::License(command) => license(command),
    }
}

/// The configured database URL, or the zero-config development database.
async fn database(
    args: &DatabaseArgs,
    state_dir: &Path,
) -> anyhow::Result<(String, Option<DevDatabase>)> {
    match configured(&args.database_url) {
        Some(url) => Ok((url.to_owned(), None)),
        None => {
            let devdb = DevDatabase::start(state_dir).await?;
            Ok((devdb.url.clone(), Some(devdb)))
        }
    }
}

async fn stop(devdb: Option<DevDatabase>) {
    if let Some(devdb) = devdb {
        if let Err(e) = devdb.stop().await {
            tracing::warn!(
                error = format!("{e:#}"),
                "stopping the development database"
            );
        }
    }
}

/// The configured JWT secret, or the development one (and whether it is that).
/// The shortest JWT secret `--production` accepts (HS256 wants 256 bits).
const MIN_JWT_SECRET_BYTES: usize = 32;

/// A setting's value, when it is set to something other than blanks.
fn configured(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn jwt_keys(args: &JwtArgs, state_dir: &Path) -> anyhow::Result<(TokenKeys, bool)> {
    let (secret, development) = match configured(&args.jwt_secret) {
        Some(secret) => (secret.to_owned(), false),
        None => (dev::jwt_secret(state_dir)?, true),
    };
    Ok((
        TokenKeys::new(
            secret.as_bytes(),
            args.jwt_issuer.clone(),
            args.jwt_audience.clone(),
        ),
        development,
    ))
}

async fn serve(args: ServeArgs, state_dir: &Path) -> anyhow::Result<()> {
    if args.production {
        let missing: Vec<&str> = [
            (
                "DATABASE_URL",
                configured(&args.database.database_url).is_none(),
            ),
            (
                "ENVGATE_JWT_SECRET",
                configured(&args.jwt.jwt_secret).is_none(),
            ),
            ("ENVGATE_MASTER_KEY", configured(&args.master_key).is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        if !missing.is_empty() {
            bail!(
                "--production needs explicit settings; missing: {}",
                missing.join(", ")
            );
        }
        if configured(&args.jwt.jwt_secret).is_some_and(|s| s.len() < MIN_JWT_SECRET_BYTES) {
            bail!("--production needs a JWT secret of at least {MIN_JWT_SECRET_BYTES} bytes");
        }
    }
    let master_key = match configured(&args.master_key) {
        Some(key) => MasterKey::from_hex(key).context("ENVGATE_MASTER_KEY")?,
        None => {
            tracing::warn!(
                "no master key configured: using a development key kept in {}",
                state_dir.display()
            );
            MasterKey::from_hex(&dev::master_key(state_dir)?)?
        }
    };
    let (tokens, development_secret) = jwt_keys(&args.jwt, state_dir)?;
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
            envgate::demo::license(state_dir)?
        }
        _ => Licensing::load(args.license_key.as_deref(), public_key.as_deref()),
    };

    let (url, devdb) = database(&args.database, state_dir).await?;
    let result = serve_on(
        &args,
        &url,
        state_dir,
        tokens,
        development_secret,
        licensing,
        master_key,
    )
    .await;
    stop(devdb).await;
    result
}

async fn serve_on(
    args: &ServeArgs,
    url: &str,
    state_dir: &Path,
    tokens: TokenKeys,
    development_secret: bool,
    licensing: Licensing,
    master_key: MasterKey,
) -> anyhow::Result<()> {
    let ran = db::migrate(url).await?;
    if ran > 0 {
        tracing::info!(migrations = ran, "database migrated");
    }
    if development_secret {
        tracing::warn!(
            "no JWT secret configured: using a development secret kept in {}",
            state_dir.display()
        );
    }
    let demo = if development_secret || args.demo {
        let session = Session {
            user_id: envgate::demo::DEMO_USER.into(),
            workspace_id: dev::demo_workspace(state_dir)?,
            role: Role::Admin,
            expires_at: None,
        };
        Some((
            tokens.mint(&session, Duration::from_secs(30 * 24 * 3600)),
            session.workspace_id,
        ))
    } else {
        None
    };
    let queries = db::QueryCounter::default();
    let pool = db::pool(url, args.database_pool_size, queries.clone())?;
    let settings = Settings {
        demo_token: demo.as_ref().map(|(token, _)| token.clone()),
        cors_origins: args.cors_origins.clone(),
    };
    let app = App::new(pool, queries, tokens, licensing, master_key, settings);
    if let (true, Some((_, workspace))) = (args.demo, &demo) {
        envgate::demo::seed(&app, *workspace, url).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(
        "envgate is listening: GraphQL playground at http://{address}/ (API at /graphql)"
    );
    if let Some((token, workspace)) = &demo {
        eprintln!("Demo admin token for workspace {workspace} (GraphiQL already sends it):");
        println!("{token}");
    }
    axum::serve(listener, envgate::router(app))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("envgate stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn token(args: TokenArgs, state_dir: &Path) -> anyhow::Result<()> {
    let (tokens, development) = jwt_keys(&args.jwt, state_dir)?;
    if development {
        tracing::warn!(
            "no JWT secret configured: signing with the development secret in {}",
            state_dir.display()
        );
    }
    anyhow::ensure!(!args.sub.trim().is_empty(), "--sub must not be empty");
    let session = Session {
        user_id: args.sub,
        workspace_id: args.workspace,
        role: args.role,
        expires_at: None,
    };
    println!("{}", tokens.mint(&session, args.ttl.into()));
    Ok(())
}

fn license(command: LicenseCommand) -> anyhow::Result<()> {
    match command {
        LicenseCommand::Keygen { out } => {
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let (private, public) = edition::keygen()?;
            let (private_path, public_path) = (
                out.join("license-private.pem"),
                out.join("license-public.pem"),
            );
            if private_path.exists() {
                bail!(
                    "{} exists: refusing to overwrite a private key",
                    private_path.display()
                );
            }
            dev::write_private(&private_path, &private)
                .with_context(|| format!("writing {}", private_path.display()))?;
            std::fs::write(&public_path, public)
                .with_context(|| format!("writing {}", public_path.display()))?;
            eprintln!(
                "wrote {} and {}",
                private_path.display(),
                public_path.display()
            );
            Ok(())
        }
        LicenseCommand::Issue {
            private_key,
            licensee,
            expires,
        } => {
            let pem = std::fs::read(&private_key)
                .with_context(|| format!("reading {}", private_key.display()))?;
            // Valid through the whole of the last day, UTC.
            let expires_at = expires
                .succ_opt()
                .context("expiry date out of range")?
                .and_time(NaiveTime::MIN)
                .and_utc();
            if expires_at <= Utc::now() {
                tracing::warn!("this license has already expired");
            }
            println!("{}", edition::issue(&pem, &licensee, expires_at)?);
            Ok(())
        }
    }
}
