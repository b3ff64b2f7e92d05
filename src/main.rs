//! The `envgate` command: serve, migrate, schema, token, license, keys, config.

use std::io::IsTerminal as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use chrono::{NaiveTime, Utc};
use clap::Parser as _;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use envgate::app::{App, Settings};
use envgate::auth::claims::ClaimMapping;
use envgate::auth::provider::{IdentityProvider, ProviderTokens, Source, Timing};
use envgate::auth::{Role, Session, TokenKeys, Verifier};
use envgate::config::{
    Cli, Command, DatabaseArgs, JwtArgs, KeysArgs, KeysCommand, LicenseCommand, LogFormat,
    MasterKeyArgs, ProviderArgs, ServeArgs, TokenArgs,
};
use envgate::devdb::DevDatabase;
use envgate::domain::connection_test::{Allow, Policy};
use envgate::domain::keys;
use envgate::edition::{self, Licensing};
use envgate::secrets::{MasterKey, MasterKeys};
use envgate::traces::{self, Traces};
use envgate::{db, dev};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Only a server sends traces; made before the runtime (the exporter's client blocks).
    let traces = match cli.command {
        Command::Serve(_) => Traces::from_env()?,
        _ => None,
    };
    let filter = traces::log_filter()?;
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = match cli.log_format {
        LogFormat::Pretty => logs.with_ansi(std::io::stderr().is_terminal()).boxed(),
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    let subscriber = tracing_subscriber::registry().with(logs.with_filter(filter));
    match &traces {
        Some(traces) => subscriber.with(traces.layer()).init(),
        None => subscriber.init(),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(cli));
    if let Some(traces) = traces {
        traces.shutdown();
    }
    result
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let state_dir = cli.state_dir.as_path();
    match cli.command {
        Command::Serve(args) => serve(*args, state_dir).await,
        Command::Migrate(args) => {
            let (urls, devdb) = database(&args, state_dir, false).await?;
            let ran = db::migrate(&urls.direct).await;
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
        Command::Keys(command) => keys_command(command, state_dir).await,
        Command::Config(command) => {
            // CI reads the exit code: 2 is a dry run whose plan has changes.
            if envgate::config_command::run(command).await?
                == envgate::config_command::Outcome::ChangesPlanned
            {
                std::process::exit(2);
            }
            Ok(())
        }
    }
}

/// Where the database is: what requests use, and the direct connection for migrations
/// and the change listener.
struct DatabaseUrls {
    /// `DATABASE_URL`: the pool's, maybe a pooler's.
    pooled: db::DatabaseUrl,
    /// `ENVGATE_DIRECT_DATABASE_URL`, else `DATABASE_URL`.
    direct: db::DatabaseUrl,
    /// The development database's streaming replica (`--dev-replica`).
    dev_replica: Option<db::DatabaseUrl>,
}

/// The configured database URLs, or the zero-config development database. Behind a
/// transaction pooler without a direct URL, refuses: migrations and the change listener
/// can't go through it (events would be lost without a word).
async fn database(
    args: &DatabaseArgs,
    state_dir: &Path,
    dev_replica: bool,
) -> anyhow::Result<(DatabaseUrls, Option<DevDatabase>)> {
    let direct = configured(&args.direct_database_url);
    if args.database_pooler == db::Pooler::Transaction && direct.is_none() {
        bail!(
            "ENVGATE_DATABASE_POOLER=transaction needs ENVGATE_DIRECT_DATABASE_URL (--direct-database-url): a direct connection to the database for migrations and the change listener, which a transaction pooler can't carry"
        );
    }
    // Both are parsed (their TLS settings read) before anything starts.
    let direct = direct
        .map(|url| db::DatabaseUrl::parse(url, "ENVGATE_DIRECT_DATABASE_URL"))
        .transpose()?;
    let (pooled, dev_replica, devdb) = match configured(&args.database_url) {
        Some(_) if dev_replica => bail!(
            "--dev-replica starts a replica of the development database, and DATABASE_URL is set: name your replicas in ENVGATE_READ_DATABASE_URLS"
        ),
        Some(url) => (db::DatabaseUrl::parse(url, "DATABASE_URL")?, None, None),
        None => {
            let devdb = if dev_replica {
                DevDatabase::start_with_replica(state_dir).await?
            } else {
                DevDatabase::start(state_dir).await?
            };
            let urls = db::DatabaseUrl::parse(&devdb.url, "the development database URL").and_then(
                |url| {
                    let replica = devdb
                        .replica_url
                        .as_deref()
                        .map(|r| db::DatabaseUrl::parse(r, "the development replica URL"))
                        .transpose()?;
                    Ok((url, replica))
                },
            );
            match urls {
                Ok((url, replica)) => (url, replica, Some(devdb)),
                Err(error) => {
                    stop(Some(devdb)).await;
                    return Err(error);
                }
            }
        }
    };
    let direct = direct.unwrap_or_else(|| pooled.clone());
    Ok((
        DatabaseUrls {
            pooled,
            direct,
            dev_replica,
        },
        devdb,
    ))
}

async fn stop(devdb: Option<DevDatabase>) {
    if let Some(devdb) = devdb
        && let Err(e) = devdb.stop().await
    {
        tracing::warn!(
            error = format!("{e:#}"),
            "stopping the development database"
        );
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
    let keys = IdentityProvider::start(source, Timing::default()).await?;
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

async fn serve(args: ServeArgs, state_dir: &Path) -> anyhow::Result<()> {
    if args.production {
        let missing: Vec<&str> = [
            (
                "DATABASE_URL",
                configured(&args.database.database_url).is_none(),
            ),
            (
                "ENVGATE_JWT_SECRET or an identity provider (ENVGATE_JWKS_URL, ENVGATE_JWKS_FILE, ENVGATE_OIDC_ISSUER)",
                configured(&args.jwt.jwt_secret).is_none() && !args.provider.configured(),
            ),
            (
                "ENVGATE_JWT_AUDIENCE (with an identity provider, tokens it signs for other applications would pass)",
                args.provider.configured() && configured(&args.jwt.jwt_audience).is_none(),
            ),
            (
                "ENVGATE_MASTER_KEY or ENVGATE_MASTER_KEYS",
                configured(&args.keys.master_key).is_none()
                    && configured(&args.keys.master_keys).is_none(),
            ),
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
        if args.license_public_key_file.is_some() {
            bail!(
                "--production verifies licenses with the key built into the binary only: remove --license-public-key-file (ENVGATE_LICENSE_PUBLIC_KEY_FILE)"
            );
        }
        if configured(&args.license_key).is_some() && edition::DEVELOPMENT_LICENSE_KEY {
            bail!(
                "--production with a license needs a binary built with ENVGATE_LICENSE_PUBLIC_KEY set: this one verifies licenses with the public development key"
            );
        }
        if configured(&args.jwt.jwt_secret).is_some_and(|s| s.len() < MIN_JWT_SECRET_BYTES) {
            bail!("--production needs a JWT secret of at least {MIN_JWT_SECRET_BYTES} bytes");
        }
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
            envgate::demo::license(state_dir)?
        }
        _ => Licensing::load(args.license_key.as_deref(), public_key.as_deref()),
    };

    let (urls, devdb) = database(&args.database, state_dir, args.replicas.dev_replica).await?;
    let result = serve_on(
        &args,
        &urls,
        state_dir,
        Verifier::new(tokens, provider),
        development_secret,
        licensing,
        master_keys,
    )
    .await;
    stop(devdb).await;
    result
}

async fn serve_on(
    args: &ServeArgs,
    urls: &DatabaseUrls,
    state_dir: &Path,
    tokens: Verifier,
    development_secret: bool,
    licensing: Licensing,
    master_keys: MasterKeys,
) -> anyhow::Result<()> {
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
                user_id: envgate::demo::DEMO_USER.into(),
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
            .map(|workspace| (envgate::demo::DEMO_USER.to_owned(), workspace)),
        no_introspection: args.no_introspection,
        limits: args.limits.clone(),
        local_playground_only: !args.production,
        connection_tests: Policy::new(args.connection_test_allow.clone().unwrap_or_else(|| {
            if args.production {
                Allow::default()
            } else {
                Allow::development()
            }
        })),
    };
    let app = App::new(pool, queries, tokens, licensing, master_keys, settings);
    let mut replicas = args.replicas.urls()?;
    replicas.extend(urls.dev_replica.clone());
    app.use_replicas(&replicas, args.database_pool_size, args.replicas.settings())?;
    refuse_unheld_keys(&app).await?;
    if let (true, Some(workspace)) = (args.demo, demo_workspace) {
        envgate::demo::seed(&app, workspace, &urls.direct).await?;
    }
    app.listen(&urls.direct);
    let scheduler = envgate::scheduler::start(app.clone());
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
    let server = axum::serve(listener, envgate::router(app.clone()))
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

/// The configured master keys, or the development key of the state directory.
fn master_keys(args: &MasterKeyArgs, state_dir: &Path) -> anyhow::Result<MasterKeys> {
    if let Some(list) = configured(&args.master_keys) {
        return MasterKeys::parse(list).context("ENVGATE_MASTER_KEYS");
    }
    let key = match configured(&args.master_key) {
        Some(key) => MasterKey::from_hex(key).context("ENVGATE_MASTER_KEY")?,
        None => {
            tracing::warn!(
                "no master key configured: using a development key kept in {}",
                state_dir.display()
            );
            MasterKey::from_hex(&dev::master_key(state_dir)?)?
        }
    };
    Ok(key.into())
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
        .map_err(|e| anyhow::anyhow!(e.message()))?;
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

/// `envgate keys status | reseal`.
async fn keys_command(command: KeysCommand, state_dir: &Path) -> anyhow::Result<()> {
    let (args, batch_size) = match &command {
        KeysCommand::Status(args) => (args, None),
        KeysCommand::Reseal { args, batch_size } => (args, Some(*batch_size)),
    };
    let KeysArgs {
        database: database_args,
        keys: key_args,
    } = args;
    let master_keys = master_keys(key_args, state_dir)?;
    let (urls, devdb) = database(database_args, state_dir, false).await?;
    let result = async {
        let mut conn = db::Conn::direct(
            urls.direct
                .establish()
                .await
                .context("connecting to the database")?,
        );
        let failed = |e: envgate::error::AppError| anyhow::anyhow!(e.message());
        if let Some(batch_size) = batch_size {
            let total = keys::rows_to_reseal(&mut conn, &master_keys)
                .await
                .map_err(failed)?;
            let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(0));
            let summary = keys::reseal(&mut conn, &master_keys, batch_size, None, |done| {
                bar.set_position(done)
            })
            .await
            .map_err(failed)?;
            bar.finish_and_clear();
            println!(
                "re-sealed {} secret(s) in {} row(s) under master key {}",
                summary.secrets,
                summary.rows,
                master_keys.current().id()
            );
        }
        for count in keys::status(&mut conn).await.map_err(failed)? {
            let held = if count.key_id == master_keys.current().id() {
                "current"
            } else if master_keys.holds(&count.key_id) {
                "held"
            } else {
                "NOT HELD"
            };
            println!("{}\t{} secret(s)\t{held}", count.key_id, count.secrets);
        }
        anyhow::Ok(())
    }
    .await;
    stop(devdb).await;
    result
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

fn token(args: TokenArgs, state_dir: &Path) -> anyhow::Result<()> {
    let (tokens, development) = jwt_keys(&args.jwt, state_dir)?;
    if development {
        tracing::warn!(
            "no JWT secret configured: signing with the development secret in {}",
            state_dir.display()
        );
    }
    anyhow::ensure!(!args.sub.trim().is_empty(), "--sub must not be empty");
    if let Some(bad) = args
        .groups
        .iter()
        .find(|g| !envgate::domain::access::is_group_name(g))
    {
        anyhow::bail!(
            "--group {bad:?}: a group name is 1 to {} printable characters",
            envgate::domain::access::MAX_GROUP_CHARS
        );
    }
    let session = Session {
        user_id: args.sub,
        workspace_id: args.workspace,
        role: args.role,
        groups: args.groups,
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
