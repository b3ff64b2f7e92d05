//! [`App`]: everything a request needs, built once and shared in an `Arc`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use uuid::Uuid;

use crate::auth::{Session, TokenKeys};
use crate::db::{PgConn, PgPool, QueryCounter};
use crate::domain::workspaces;
use crate::edition::{Edition, Licensing};
use crate::error::AppResult;
use crate::secrets::MasterKeys;

/// The shared state of a running server.
pub struct App {
    pub pool: PgPool,
    /// Statements sent by the pool's connections.
    pub queries: QueryCounter,
    pub tokens: TokenKeys,
    pub licensing: Licensing,
    /// The master keys: the first seals secrets, every one opens.
    pub master_keys: MasterKeys,
    pub settings: Settings,
    /// Workspaces known to be provisioned, so first contact costs one insert per process.
    provisioned: Mutex<HashSet<Uuid>>,
}

/// Settings that shape HTTP behaviour.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The demo admin token GraphiQL opens with, when the JWT secret is a development one.
    pub demo_token: Option<String>,
    /// `ENVGATE_CORS_ORIGINS`: comma-separated origins, or `*`.
    pub cors_origins: Option<String>,
    /// Where connection tests may go (`ENVGATE_CONNECTION_TEST_ALLOW`) and how often.
    pub connection_tests: crate::domain::connection_test::Policy,
}

/// The shared state handed to the router and the schema.
pub type AppState = Arc<App>;

impl App {
    pub fn new(
        pool: PgPool,
        queries: QueryCounter,
        tokens: TokenKeys,
        licensing: Licensing,
        master_keys: impl Into<MasterKeys>,
        settings: Settings,
    ) -> AppState {
        Arc::new(Self {
            pool,
            queries,
            tokens,
            licensing,
            master_keys: master_keys.into(),
            settings,
            provisioned: Mutex::default(),
        })
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

    /// The session of an `Authorization` header, its workspace provisioned.
    pub async fn authenticate(&self, authorization: Option<&str>) -> AppResult<Session> {
        let session = self.tokens.authenticate(authorization)?;
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
