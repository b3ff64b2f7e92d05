//! The command line. Every flag can also be set by the environment variable named in
//! its help, and a configured value always wins over a development default.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use uuid::Uuid;

use crate::auth::Role;
use crate::auth::claims::{ClaimNames, RoleNames};
use crate::db::Pooler;
use crate::domain::connection_test::Allow;

/// envgate: per-environment connection settings for a low-code app builder, over GraphQL.
#[derive(Debug, Parser)]
#[command(name = "envgate", version, about)]
pub struct Cli {
    /// Where development defaults live: the generated JWT secret and master key, the
    /// demo workspace, and the private PostgreSQL cluster when none answers.
    #[arg(
        long,
        env = "ENVGATE_STATE_DIR",
        default_value = ".envgate",
        global = true
    )]
    pub state_dir: PathBuf,
    /// How log lines are written to stderr: `pretty` (text for people) or `json` (one
    /// object per line, with the request id of the request that logged it).
    #[arg(
        long,
        env = "ENVGATE_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Pretty,
        global = true
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// See [`Cli::log_format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the GraphQL server (migrating the database first).
    Serve(Box<ServeArgs>),
    /// Run pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Print the GraphQL schema (SDL): the text of schema.graphql.
    Schema,
    /// Mint a development token signed with the configured (or development) JWT secret.
    Token(TokenArgs),
    /// Make license key pairs and issue licenses.
    #[command(subcommand)]
    License(LicenseCommand),
    /// Master-key rotation: count secrets per key, re-seal them under the current key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Configuration as code: export a workspace's configuration to a file, apply one
    /// (a client of a running server).
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `envgate config`: talks to a running server with an admin's token.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write the workspace's configuration to FILE (YAML for .yaml and .yml, else
    /// JSON), or print it as JSON without FILE. Secrets read {"secret": "SET"}.
    Export {
        #[command(flatten)]
        server: ServerArgs,
        file: Option<PathBuf>,
    },
    /// Make the workspace match FILE (YAML or JSON by extension) and print the plan.
    /// {"secret": {"fromEnv": "NAME"}} takes the value of environment variable NAME
    /// (never printed). Exit code: 0 applied or nothing to do, 2 a dry run with
    /// changes, 1 an error.
    Apply {
        #[command(flatten)]
        server: ServerArgs,
        file: PathBuf,
        /// Only print the plan: change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Delete what the file leaves out (data sources, constants, custom
        /// environments, values), which is otherwise kept.
        #[arg(long)]
        prune: bool,
    },
    /// Print the JSON Schema of the document (workspace-config.schema.json).
    Schema,
}

/// The server `envgate config` talks to.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The envgate server: its address (http://host:8080) or its /graphql endpoint.
    #[arg(long, env = "ENVGATE_URL")]
    pub url: String,
    /// An admin's bearer token for the workspace.
    #[arg(long, env = "ENVGATE_TOKEN", hide_env_values = true)]
    pub token: String,
}

/// Where the database is.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL URL. Without it: postgres://postgres@127.0.0.1:5432/envgate when a
    /// server answers there, else a private cluster under the state directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// What DATABASE_URL reaches: `none` (PostgreSQL itself) or `transaction` (a
    /// transaction-pooling pooler such as PgBouncer's `pool_mode = transaction`: nothing
    /// then relies on a server connection outliving a transaction, and
    /// ENVGATE_DIRECT_DATABASE_URL is needed).
    #[arg(
        long,
        env = "ENVGATE_DATABASE_POOLER",
        value_enum,
        default_value_t = Pooler::None
    )]
    pub database_pooler: Pooler,
    /// A direct connection to the same database, for what a transaction pooler can't
    /// carry: migrations (`serve`'s, `migrate`, `keys`) and the change listener of
    /// subscriptions. Without it they use DATABASE_URL.
    #[arg(long, env = "ENVGATE_DIRECT_DATABASE_URL", hide_env_values = true)]
    pub direct_database_url: Option<String>,
}

/// How bearer tokens are signed and checked.
#[derive(Debug, Args)]
pub struct JwtArgs {
    /// HS256 secret for bearer tokens. Without it a development secret is generated once
    /// and kept in the state directory.
    #[arg(long, env = "ENVGATE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Required `iss` claim, when set.
    #[arg(long, env = "ENVGATE_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required `aud` claim, when set.
    #[arg(long, env = "ENVGATE_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
}

/// Where an identity provider's signing keys are, and how its tokens' claims read.
#[derive(Debug, Args)]
pub struct ProviderArgs {
    /// The identity provider's key set (JWKS), e.g.
    /// `https://sso.example.com/realms/acme/protocol/openid-connect/certs`. Tokens
    /// signed with its keys (RS256/384/512, PS*, ES256/384, EdDSA) are accepted.
    #[arg(long, env = "ENVGATE_JWKS_URL", conflicts_with_all = ["jwks_file", "oidc_issuer"])]
    pub jwks_url: Option<String>,
    /// A file holding the key set (JWKS), read again every 10 minutes.
    #[arg(long, env = "ENVGATE_JWKS_FILE", conflicts_with = "oidc_issuer")]
    pub jwks_file: Option<PathBuf>,
    /// The identity provider's issuer: its discovery document
    /// (`/.well-known/openid-configuration`) names the key set, and tokens must carry
    /// this `iss` (unless ENVGATE_JWT_ISSUER says otherwise).
    #[arg(long, env = "ENVGATE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// PEM certificates trusted for the identity provider's HTTPS (key set and
    /// discovery document) besides the public web roots: a provider whose certificate
    /// a private CA signed.
    #[arg(long, env = "ENVGATE_JWKS_CA_FILE")]
    pub jwks_ca_file: Option<PathBuf>,
    /// Which claims of the provider's tokens hold what envgate needs: comma-separated
    /// `what=claim`, `what` one of workspace, role, user, groups (defaults: workspace_id,
    /// role, sub, groups); a dotted name reaches into objects, e.g.
    /// `workspace=org_id,role=realm_access.roles`.
    #[arg(long, env = "ENVGATE_JWT_CLAIMS", value_parser = ClaimNames::parse)]
    pub jwt_claims: Option<ClaimNames>,
    /// What the provider's role values mean: comma-separated `value=role`, e.g.
    /// `owner=admin,developer=builder`; only the values named are accepted. Without it
    /// the role claim must hold admin, builder, viewer or runner (any case).
    #[arg(long, env = "ENVGATE_JWT_ROLES", value_parser = RoleNames::parse)]
    pub jwt_roles: Option<RoleNames>,
}

impl ProviderArgs {
    /// Whether an identity provider is configured (a blank setting is none).
    pub fn configured(&self) -> bool {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        set(&self.jwks_url)
            || set(&self.oidc_issuer)
            || self
                .jwks_file
                .as_ref()
                .is_some_and(|p| !p.as_os_str().is_empty())
    }
}

/// The master keys that seal and open secrets.
#[derive(Debug, Args)]
pub struct MasterKeyArgs {
    /// 64 hex characters: the one key that encrypts secrets at rest. Without it (and
    /// without --master-keys) a development key is generated once and kept in the
    /// state directory.
    #[arg(
        long,
        env = "ENVGATE_MASTER_KEY",
        hide_env_values = true,
        conflicts_with = "master_keys"
    )]
    pub master_key: Option<String>,
    /// Several keys for rotation: comma-separated `KEYID:64-hex-characters`; the first
    /// seals, every one opens. `envgate keys reseal` moves every secret to the first.
    #[arg(long, env = "ENVGATE_MASTER_KEYS", hide_env_values = true)]
    pub master_keys: Option<String>,
}

/// What `envgate keys` works on.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub keys: MasterKeyArgs,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Count the stored secrets per master key id.
    Status(KeysArgs),
    /// Re-seal every secret under the first master key, in batches (resumable and
    /// idempotent: run it again after an interruption).
    Reseal {
        #[command(flatten)]
        args: KeysArgs,
        /// Rows of options re-sealed per transaction.
        #[arg(long, default_value_t = 500)]
        batch_size: i64,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ENVGATE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub jwt: JwtArgs,
    #[command(flatten)]
    pub provider: ProviderArgs,
    /// The license key (a signed JWT). Without one the server runs as Community.
    #[arg(long, env = "ENVGATE_LICENSE_KEY", hide_env_values = true)]
    pub license_key: Option<String>,
    /// PEM file (SPKI) with an Ed25519 public key that verifies license keys instead of
    /// the key built into the binary; for development and tests, refused with --production.
    #[arg(long, env = "ENVGATE_LICENSE_PUBLIC_KEY_FILE")]
    pub license_public_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub keys: MasterKeyArgs,
    /// Comma-separated origins allowed by CORS, or `*`. Without it no CORS headers are sent.
    #[arg(long, env = "ENVGATE_CORS_ORIGINS")]
    pub cors_origins: Option<String>,
    /// Refuse to start without an explicit database URL, master key, and JWT secret or
    /// identity provider (with an audience).
    #[arg(long, env = "ENVGATE_PRODUCTION", conflicts_with = "demo")]
    pub production: bool,
    /// Show the whole feature at once: sign a development Enterprise license (its key
    /// pair kept in the state directory) unless a license key is configured, and seed
    /// the demo workspace with a data source and an app. Refused with --production.
    #[arg(long, env = "ENVGATE_DEMO")]
    pub demo: bool,
    /// Comma-separated CIDRs and `host:port` entries connection tests may reach although
    /// the egress guard refuses loopback, link-local and unspecified addresses. Without
    /// it: 127.0.0.1 in development, nothing with --production.
    #[arg(long, env = "ENVGATE_CONNECTION_TEST_ALLOW", value_parser = Allow::parse)]
    pub connection_test_allow: Option<Allow>,
    /// Largest number of database connections: by default 4 per CPU core. More only
    /// queue inside PostgreSQL (measured with the load benchmark on 2 cores: 8
    /// connections gave the same throughput as 16 with a shorter tail).
    #[arg(long, env = "ENVGATE_DATABASE_POOL_SIZE", default_value_t = default_pool_size())]
    pub database_pool_size: usize,
    /// How many bytes of query answers the response cache keeps (each with the
    /// workspace's generation it is current at); 0 turns the cache off.
    #[arg(long, env = "ENVGATE_RESPONSE_CACHE_BYTES", default_value_t = crate::graphql::CacheBytes::default().0)]
    pub response_cache_bytes: u64,
    /// Turn off schema introspection (GraphiQL's docs and autocompletion need it).
    #[arg(long, env = "ENVGATE_NO_INTROSPECTION")]
    pub no_introspection: bool,
    /// On SIGTERM or SIGINT, how long requests in flight may take to finish before the
    /// server exits anyway, e.g. `20s`.
    #[arg(long, env = "ENVGATE_SHUTDOWN_TIMEOUT", default_value = "20s")]
    pub shutdown_timeout: humantime::Duration,
    #[command(flatten)]
    pub limits: crate::graphql::Limits,
    #[command(flatten)]
    pub replicas: ReplicaArgs,
}

/// Read replicas queries may read from.
#[derive(Debug, Args)]
pub struct ReplicaArgs {
    /// Comma-separated PostgreSQL URLs of streaming replicas of DATABASE_URL's database
    /// (each with its own sslmode and sslrootcert, as DATABASE_URL): queries read from
    /// one that has replayed what the reader must see; mutations use the primary.
    #[arg(long, env = "ENVGATE_READ_DATABASE_URLS", hide_env_values = true)]
    pub read_database_urls: Option<String>,
    /// A replica that has not replayed what the primary had written this long ago is
    /// skipped, e.g. `10s`.
    #[arg(long, env = "ENVGATE_REPLICA_MAX_LAG", default_value = "10s")]
    pub replica_max_lag: humantime::Duration,
    /// How long a query that must see a write (its `x-envgate-consistency`, or the
    /// caller's last write through this process) waits for a replica to replay it
    /// before it reads from the primary, e.g. `1s`.
    #[arg(long, env = "ENVGATE_REPLICA_WAIT", default_value = "1s")]
    pub replica_wait: humantime::Duration,
    /// Development (no DATABASE_URL): also start a streaming replica of the private
    /// cluster (under the state directory) and read from it, to try read replicas on
    /// one machine. The development database is then always the private cluster.
    #[arg(long, env = "ENVGATE_DEV_REPLICA")]
    pub dev_replica: bool,
}

impl ReplicaArgs {
    /// The replicas' URLs, parsed (none when unset).
    pub fn urls(&self) -> anyhow::Result<Vec<crate::db::DatabaseUrl>> {
        self.read_database_urls
            .iter()
            .flat_map(|urls| urls.split(','))
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(|url| crate::db::DatabaseUrl::parse(url, "ENVGATE_READ_DATABASE_URLS"))
            .collect()
    }

    /// How replicas are chosen and watched.
    pub fn settings(&self) -> crate::db::replicas::ReplicaSettings {
        crate::db::replicas::ReplicaSettings {
            max_lag: self.replica_max_lag.into(),
            wait: self.replica_wait.into(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The workspace the token opens.
    #[arg(long)]
    pub workspace: Uuid,
    /// The caller's role.
    #[arg(long, value_enum)]
    pub role: Role,
    /// The user id (`sub` claim).
    #[arg(long, default_value = "dev-user")]
    pub sub: String,
    /// A group the caller is in (`groups` claim); repeat for several.
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,
    /// How long the token is valid, e.g. `30m`, `8h`, `7d`.
    #[arg(long, default_value = "8h")]
    pub ttl: humantime::Duration,
    #[command(flatten)]
    pub jwt: JwtArgs,
}

#[derive(Debug, Subcommand)]
pub enum LicenseCommand {
    /// Write a new Ed25519 key pair: DIR/license-private.pem and DIR/license-public.pem.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Print a signed Enterprise license with the multi-environment feature.
    Issue {
        /// The PKCS#8 PEM private key from `license keygen`.
        #[arg(long)]
        private_key: PathBuf,
        /// Who the license is for.
        #[arg(long)]
        licensee: String,
        /// Last day of validity (UTC): the license lapses at the end of that day.
        #[arg(long)]
        expires: chrono::NaiveDate,
    },
}

/// 4 database connections per CPU core the process may use.
fn default_pool_size() -> usize {
    4 * std::thread::available_parallelism().map_or(2, usize::from)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
