//! [`App`]: everything a request needs, built once and shared in an `Arc`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use uuid::Uuid;

use crate::auth::{Session, Verifier};
use crate::db::replicas::{ReplicaSettings, Replicas};
use crate::db::{DatabaseUrl, PgConn, PgPool, QueryCounter};
use crate::domain::workspaces;
use crate::edition::{Edition, Licensing};
use crate::error::{AppError, AppResult};
use crate::graphql::limits::{Limits, Places, TokenKey};
use crate::listener::Changes;
use crate::metrics::Metrics;
use crate::secrets::MasterKeys;

/// The shared state of a running server.
pub struct App {
    pub pool: PgPool,
    /// Statements sent by the pool's connections.
    pub queries: QueryCounter,
    /// Verifies bearer tokens (envgate's HS256 secret, the identity provider's keys).
    pub tokens: Verifier,
    pub licensing: Licensing,
    /// The master keys: the first seals secrets, every one opens.
    pub master_keys: MasterKeys,
    pub settings: Settings,
    /// This process's subscribers to committed changes (see [`App::listen`]).
    pub changes: Changes,
    pub metrics: Metrics,
    /// Cancelled when the server starts shutting down: WebSockets close with 1001.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// The open WebSocket connections, so that shutdown can wait for their close frames.
    pub websockets: tokio_util::task::TaskTracker,
    /// The subscriptions open under each token, over all connections.
    pub subscriptions: Places<TokenKey>,
    /// Workspaces known to be provisioned, so first contact costs one insert per process.
    provisioned: Mutex<HashSet<Uuid>>,
    /// The read replicas queries may read from (`ENVGATE_READ_DATABASE_URLS`), when set.
    replicas: std::sync::OnceLock<Arc<Replicas>>,
}

/// Settings that shape HTTP behaviour.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The demo admin token GraphiQL opens with, when the JWT secret is a development one.
    pub demo_token: Option<String>,
    /// `ENVGATE_CORS_ORIGINS`: comma-separated origins, or `*`.
    pub cors_origins: Option<String>,
    /// The demo workspace's admin: its token is refused when the server listens beyond
    /// this machine.
    pub refused_demo_user: Option<(String, Uuid)>,
    /// `--no-introspection`: the schema can't be introspected.
    pub no_introspection: bool,
    /// Where connection tests may go (`ENVGATE_CONNECTION_TEST_ALLOW`) and how often.
    pub connection_tests: crate::domain::connection_test::Policy,
    /// What one request may make the server do.
    pub limits: Limits,
    /// Without `--production`: the playground answers only requests addressed to this
    /// machine by name (`localhost`, `127.0.0.1`, `[::1]`), so a page of another site
    /// that rebinds its name to this machine can't read the demo token.
    pub local_playground_only: bool,
    /// How many bytes of answers the response cache keeps.
    pub response_cache: crate::graphql::CacheBytes,
}

/// The shared state handed to the router and the schema.
pub type AppState = Arc<App>;

impl App {
    /// Starts building a server's state: requests use `pool`, whose statements
    /// `queries` counts (the counter the pool was built with). Until told otherwise
    /// every token is refused, the edition is Community and the settings are the
    /// defaults; the master keys must be given before [`AppBuilder::build`].
    pub fn builder(pool: PgPool, queries: QueryCounter) -> AppBuilder {
        AppBuilder {
            pool,
            queries,
            tokens: Verifier::default(),
            licensing: Licensing::community(),
            master_keys: NoMasterKeys,
            settings: Settings::default(),
        }
    }

    /// Lets queries read from the replicas at `urls` (pools of `pool_size`), watched
    /// from now on. Call before [`App::listen`], so that the listener remembers the
    /// writes other processes announce. Nothing changes when `urls` is empty.
    pub fn use_replicas(
        &self,
        urls: &[DatabaseUrl],
        pool_size: usize,
        settings: ReplicaSettings,
    ) -> anyhow::Result<()> {
        if urls.is_empty() {
            return Ok(());
        }
        let replicas = Replicas::new(
            urls,
            pool_size,
            &self.queries,
            settings,
            self.metrics.clone(),
        )?;
        replicas.watch(self.pool.clone());
        if self.replicas.set(replicas).is_err() {
            anyhow::bail!("the read replicas are already set");
        }
        Ok(())
    }

    /// The read replicas, when any are configured.
    pub fn replicas(&self) -> Option<&Arc<Replicas>> {
        self.replicas.get()
    }

    /// The edition right now: a license lapses at its exact expiry.
    pub fn edition(&self) -> Edition {
        self.licensing.edition_at(Utc::now())
    }

    /// Whether multiple environments are unlocked right now.
    pub fn multi_environment(&self) -> bool {
        self.licensing.multi_environment_at(Utc::now())
    }

    /// A connection from the pool.
    pub async fn conn(&self) -> AppResult<PgConn> {
        Ok(self.pool.get().await?)
    }

    /// Starts hearing of the changes every process commits to the database at `url`.
    pub fn listen(&self, url: &DatabaseUrl) {
        self.changes
            .listen(url, self.metrics.clone(), self.replicas().cloned());
    }

    /// The session of an `Authorization` header, its workspace provisioned.
    pub async fn authenticate(&self, authorization: Option<&str>) -> AppResult<Session> {
        let session = self.tokens.authenticate(authorization).await?;
        self.admit(session).await
    }

    /// What [`Self::authenticate`] does with a verified session: refuses the demo token
    /// when the settings say so, and provisions the session's workspace. (The
    /// equivalence test verifies a token with the tested app's verifier and admits the
    /// session into the app beside it that answers the reference way.)
    pub async fn admit(&self, session: Session) -> AppResult<Session> {
        if let Some((user, workspace)) = &self.settings.refused_demo_user
            && session.user_id == *user
            && session.workspace_id == *workspace
        {
            return Err(AppError::Unauthenticated(
                    "The demo token is refused while envgate listens beyond this machine: use a token minted with `envgate token`.".into(),
                ));
        }
        self.provision(session.workspace_id).await?;
        Ok(session)
    }

    /// Creates the workspace and its built-in environments on first contact.
    pub async fn provision(&self, workspace_id: Uuid) -> AppResult<()> {
        if self.is_provisioned(workspace_id) {
            return Ok(());
        }
        let mut conn = self.conn().await?;
        workspaces::provision(&mut conn, workspace_id).await?;
        self.provisioned
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(workspace_id);
        Ok(())
    }

    fn is_provisioned(&self, workspace_id: Uuid) -> bool {
        self.provisioned
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&workspace_id)
    }
}

/// Builds an [`App`] (see [`App::builder`]); `K` is [`MasterKeys`] once they are given,
/// and only then can it build.
#[must_use = "an App is made by `build`"]
pub struct AppBuilder<K = NoMasterKeys> {
    pool: PgPool,
    queries: QueryCounter,
    tokens: Verifier,
    licensing: Licensing,
    master_keys: K,
    settings: Settings,
}

/// An [`AppBuilder`] not given its master keys yet.
pub struct NoMasterKeys;

impl<K> AppBuilder<K> {
    /// Which bearer tokens are accepted: envgate's HS256 keys, the identity provider's.
    pub fn tokens(mut self, tokens: impl Into<Verifier>) -> Self {
        self.tokens = tokens.into();
        self
    }

    /// The configured license.
    pub fn licensing(mut self, licensing: Licensing) -> Self {
        self.licensing = licensing;
        self
    }

    /// The master keys: the first seals secrets, every one opens.
    pub fn master_keys(self, master_keys: impl Into<MasterKeys>) -> AppBuilder<MasterKeys> {
        AppBuilder {
            pool: self.pool,
            queries: self.queries,
            tokens: self.tokens,
            licensing: self.licensing,
            master_keys: master_keys.into(),
            settings: self.settings,
        }
    }

    /// Settings that shape HTTP behaviour.
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }
}

impl AppBuilder<MasterKeys> {
    /// The server's state, to share.
    pub fn build(self) -> AppState {
        Arc::new(App {
            pool: self.pool,
            queries: self.queries,
            tokens: self.tokens,
            licensing: self.licensing,
            master_keys: self.master_keys,
            settings: self.settings,
            changes: Changes::default(),
            metrics: Metrics::default(),
            shutdown: tokio_util::sync::CancellationToken::new(),
            websockets: tokio_util::task::TaskTracker::new(),
            subscriptions: Places::default(),
            provisioned: Mutex::default(),
            replicas: std::sync::OnceLock::new(),
        })
    }
}

/// Where one request's reads go: the primary, or the replica chosen for it.
#[derive(Clone)]
pub struct Reads {
    app: AppState,
    /// The replica (its index among the replicas, and its pool), for a query.
    replica: Option<(usize, PgPool)>,
}

impl Reads {
    /// Reads from the primary.
    pub fn primary(app: &AppState) -> Self {
        Self {
            app: app.clone(),
            replica: None,
        }
    }

    /// Reads from replica `index`, whose pool is `pool`.
    pub fn replica(app: &AppState, index: usize, pool: PgPool) -> Self {
        Self {
            app: app.clone(),
            replica: Some((index, pool)),
        }
    }

    /// The replica's index among the replicas, when reads go to one.
    pub fn replica_index(&self) -> Option<usize> {
        self.replica.as_ref().map(|(index, _)| *index)
    }

    /// A connection to the replica, or to the primary: also when no connection to the
    /// replica can be had (it is then skipped until its next poll finds it well).
    pub async fn conn(&self) -> AppResult<PgConn> {
        if let Some((index, pool)) = &self.replica {
            match pool.get().await {
                Ok(conn) => return Ok(conn),
                Err(error) => {
                    tracing::debug!(%error, "no connection to the read replica");
                    if let Some(replicas) = self.app.replicas() {
                        replicas.failed(*index);
                    }
                }
            }
        }
        self.app.conn().await
    }
}
