//! The GraphQL layer: thin resolvers over the domain functions. It knows no SQL; it
//! turns arguments into domain calls and domain values into GraphQL types.

mod cache;
mod direct;
mod documents;
mod error;
mod executor;
mod extensions;
mod ids;
mod inline;
pub mod limits;
mod loaders;
mod mutation;
mod plan;
mod query;
mod subscription;
pub mod types;

use std::sync::Arc;

use async_graphql::{Context, Schema};
use uuid::Uuid;

use crate::app::{App, AppState, Reads};
use crate::auth::{self, Session};
use crate::db::PgConn;
use crate::db::models::{
    AppVersion, DataSource, DataSourceOptions, Environment, Release, ScheduledRelease,
};
use crate::domain::pagination::{Page, PageRequest};
use crate::domain::{Caller, releases};
use crate::error::{AppError, AppResult};

use loaders::{Loaders, WholeWorkspace};
pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;
use types::environment::Environment as EnvironmentObject;

pub use cache::CacheBytes;
pub use direct::{Splice, response_json};
pub use executor::{EnvgateSchema, refused};
pub use limits::Limits;
pub use plan::Prepared;

/// The schema, with its limits, serving `app`. No extensions: what each request needs
/// around execution is done by [`EnvgateSchema`].
pub fn schema(app: AppState) -> EnvgateSchema {
    let limits = &app.settings.limits;
    let builder = Schema::build(Query, Mutation, Subscription)
        .data(app.clone())
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(limits::MAX_RECURSION);
    let schema = if app.settings.no_introspection {
        builder.disable_introspection().finish()
    } else {
        builder.finish()
    };
    EnvgateSchema::new(schema, app)
}

/// The SDL of the schema: the text of `schema.graphql`.
pub fn sdl() -> String {
    let sdl = Schema::build(Query, Mutation, Subscription).finish().sdl();
    format!("{}\n", sdl.trim())
}

/// Who is calling, or why nobody is: placed in the request data (HTTP) or the
/// connection data (WebSocket) by the transport, read by every resolver.
#[derive(Clone)]
pub struct Authentication(Result<Session, async_graphql::Error>);

impl Authentication {
    /// The outcome of authenticating a request or a connection.
    pub fn new(session: AppResult<Session>) -> Self {
        Self(session.map_err(Into::into))
    }

    /// Adds this to a GraphQL request.
    pub fn attach(self, request: async_graphql::Request) -> async_graphql::Request {
        request.data(self)
    }

    pub(crate) fn session(&self) -> Option<&Session> {
        self.0.as_ref().ok()
    }
}

/// The write a query must see: the `x-envgate-consistency` header the client sent
/// back, placed in the request data by the transport.
#[derive(Debug, Clone, Copy)]
pub struct ReadAfter(pub crate::db::replicas::Lsn);

/// The request's `x-request-id`, placed in the request data by the transport: the
/// audit log records it.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// In a request's data: answer it the reference way, every object through its type's
/// ordinary async-graphql resolver. The shortcuts that answer a field faster (objects
/// resolved with their fields in place, `inline.rs`; lists written straight to JSON,
/// `direct.rs`) each check for it where they decide to take over, and step aside: the
/// answer is what plain async-graphql gives, field order fixed as the spec asks (as
/// every answer is). The equivalence test runs every query the integration suite sends
/// a second time with it and wants the same bytes. No transport places it: only code
/// running in the process (a test) can ask for it.
#[derive(Debug, Clone, Copy)]
pub struct Reference;

impl Reference {
    /// Whether the request of `ctx` asks for the reference answer.
    pub(crate) fn asked<T>(ctx: &async_graphql::ContextBase<'_, T>) -> bool {
        ctx.data_opt::<Self>().is_some()
    }
}

/// What resolvers read from the context.
pub(crate) trait ContextExt {
    fn app(&self) -> &AppState;
    /// The session, or the reason there is none (UNAUTHENTICATED).
    fn session(&self) -> async_graphql::Result<&Session>;
    /// The caller with the edition as of this request (built once per request).
    fn caller(&self) -> async_graphql::Result<&Caller>;
    /// A connection for the request's reads: a read replica's for a query routed to
    /// one, else the primary's. A query that writes (an audit row) asks the primary.
    async fn conn(&self) -> async_graphql::Result<PgConn>;
    /// Every environment of the caller's workspace by priority, loaded once per request.
    async fn all_environments(&self) -> async_graphql::Result<Arc<[Environment]>>;
    /// One environment of the caller's workspace, from [`Self::all_environments`].
    async fn environment_by_id(&self, id: Uuid) -> async_graphql::Result<EnvironmentObject>;
    /// The versions of an app, oldest first, batched across the request.
    async fn versions_of(&self, app_id: Uuid) -> async_graphql::Result<Vec<AppVersion>>;
    /// The data sources a version uses, by name, batched across the request.
    async fn data_sources_of_version(
        &self,
        version_id: Uuid,
    ) -> async_graphql::Result<Vec<DataSource>>;
    /// A page of an app's releases, newest first, batched across the request.
    async fn releases_of(
        &self,
        app_id: Uuid,
        page: &PageRequest<releases::ListKey>,
    ) -> async_graphql::Result<Page<Release>>;
    /// The scheduled releases of an app that wait or recently ended, batched across
    /// the request.
    async fn scheduled_releases_of(
        &self,
        app_id: Uuid,
    ) -> async_graphql::Result<Vec<ScheduledRelease>>;
    /// The environment the caller selected for an app, batched across the request.
    async fn selection_of(&self, app_id: Uuid) -> async_graphql::Result<Option<Uuid>>;
    /// Loads the versions and the caller's selections of many apps into the request's
    /// cache at once.
    async fn prefetch_apps(
        &self,
        app_ids: &[Uuid],
        versions: bool,
        selections: bool,
    ) -> async_graphql::Result<()>;
    /// Loads pages of many apps' releases (one per `(first, after)` asked) and, with
    /// `scheduled`, their scheduled releases into the request's cache at once.
    async fn prefetch_releases(
        &self,
        app_ids: &[Uuid],
        pages: &[(Option<i32>, Option<String>)],
        scheduled: bool,
    ) -> async_graphql::Result<()>;
    /// Loads the data sources many versions use into the request's cache at once.
    async fn prefetch_version_data_sources(
        &self,
        version_ids: &[Uuid],
    ) -> async_graphql::Result<()>;
    /// Which constants have a value in which environment, loaded once per request.
    async fn constant_availability(&self) -> async_graphql::Result<loaders::Availability>;
    /// The options rows of a data source, batched across the request.
    async fn options_rows(
        &self,
        data_source_id: Uuid,
    ) -> async_graphql::Result<Vec<Arc<DataSourceOptions>>>;
    /// Loads the options rows of many data sources into the request's cache at once.
    async fn prefetch_options(&self, data_source_ids: &[Uuid]) -> async_graphql::Result<()>;
    /// The options row of a data source in one environment, batched across the
    /// request; `None` when none is stored.
    async fn options_row(
        &self,
        data_source_id: Uuid,
        environment_id: Uuid,
    ) -> async_graphql::Result<Option<Arc<DataSourceOptions>>>;
    /// Puts options rows of data sources in one environment, read with them, into the
    /// request's cache (`None`: the data source has no row there).
    async fn feed_options_in(
        &self,
        environment_id: Uuid,
        rows: impl Iterator<Item = (Uuid, Option<DataSourceOptions>)> + Send,
    ) -> async_graphql::Result<()>;
}

fn unauthenticated() -> async_graphql::Error {
    AppError::Unauthenticated(auth::MISSING.into()).into()
}

/// The request's loaders, present once the caller is authenticated.
fn loaders<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Loaders> {
    ctx.session()?;
    ctx.data_opt::<Loaders>().ok_or_else(unauthenticated)
}

impl ContextExt for Context<'_> {
    fn app(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn session(&self) -> async_graphql::Result<&Session> {
        let authentication = self
            .data_opt::<Authentication>()
            .ok_or_else(unauthenticated)?;
        let session = authentication.0.as_ref().map_err(Clone::clone)?;
        // A WebSocket connection outlives its token: check on every operation.
        session.check_expiry(chrono::Utc::now())?;
        Ok(session)
    }

    fn caller(&self) -> async_graphql::Result<&Caller> {
        // The session first: its error (no token, expired) is what a client is told.
        self.session()?;
        self.data_opt::<Caller>().ok_or_else(unauthenticated)
    }

    async fn conn(&self) -> async_graphql::Result<PgConn> {
        match self.data_opt::<Reads>() {
            Some(reads) => Ok(reads.conn().await?),
            None => Ok(App::conn(self.app()).await?),
        }
    }

    async fn all_environments(&self) -> async_graphql::Result<Arc<[Environment]>> {
        loaders(self)?.environments.get().await
    }

    async fn environment_by_id(&self, id: Uuid) -> async_graphql::Result<EnvironmentObject> {
        let environment = self
            .all_environments()
            .await?
            .iter()
            .find(|e| e.id == id)
            .cloned()
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("a row names missing environment {id}"))
            })?;
        Ok(EnvironmentObject(environment))
    }

    async fn versions_of(&self, app_id: Uuid) -> async_graphql::Result<Vec<AppVersion>> {
        let loaders = loaders(self)?;
        Ok(loaders.versions.load_one(app_id).await?.unwrap_or_default())
    }

    async fn data_sources_of_version(
        &self,
        version_id: Uuid,
    ) -> async_graphql::Result<Vec<DataSource>> {
        let loaders = loaders(self)?;
        Ok(loaders
            .version_data_sources
            .load_one(version_id)
            .await?
            .unwrap_or_default())
    }

    async fn releases_of(
        &self,
        app_id: Uuid,
        page: &PageRequest<releases::ListKey>,
    ) -> async_graphql::Result<Page<Release>> {
        let key = loaders::ReleasePage {
            app_id,
            first: page.first,
            after: page.after,
        };
        let rows = loaders(self)?.releases.load_one(key).await?;
        Ok(Page::from_rows(page, rows.unwrap_or_default(), |r| r.seq))
    }

    async fn scheduled_releases_of(
        &self,
        app_id: Uuid,
    ) -> async_graphql::Result<Vec<ScheduledRelease>> {
        let loaders = loaders(self)?;
        Ok(loaders
            .scheduled_releases
            .load_one(app_id)
            .await?
            .unwrap_or_default())
    }

    async fn selection_of(&self, app_id: Uuid) -> async_graphql::Result<Option<Uuid>> {
        let loaders = loaders(self)?;
        Ok(loaders.selections.load_one(app_id).await?.flatten())
    }

    async fn prefetch_apps(
        &self,
        app_ids: &[Uuid],
        versions: bool,
        selections: bool,
    ) -> async_graphql::Result<()> {
        let loaders = loaders(self)?;
        let ids = || app_ids.iter().copied();
        futures_util::try_join!(
            async {
                if versions {
                    loaders.versions.load_many(ids()).await?;
                }
                Ok::<_, async_graphql::Error>(())
            },
            async {
                if selections {
                    loaders.selections.load_many(ids()).await?;
                    loaders.environments.get().await?;
                }
                Ok(())
            },
        )?;
        Ok(())
    }

    async fn prefetch_releases(
        &self,
        app_ids: &[Uuid],
        pages: &[(Option<i32>, Option<String>)],
        scheduled: bool,
    ) -> async_graphql::Result<()> {
        let loaders = loaders(self)?;
        let keys: Vec<_> = pages
            .iter()
            .filter_map(|(first, after)| PageRequest::new(*first, after.as_deref()).ok())
            .flat_map(|page: PageRequest<releases::ListKey>| {
                app_ids.iter().map(move |app_id| loaders::ReleasePage {
                    app_id: *app_id,
                    first: page.first,
                    after: page.after,
                })
            })
            .collect();
        futures_util::try_join!(loaders.releases.load_many(keys), async {
            if scheduled {
                loaders
                    .scheduled_releases
                    .load_many(app_ids.iter().copied())
                    .await?;
            }
            Ok(())
        })?;
        Ok(())
    }

    async fn prefetch_version_data_sources(
        &self,
        version_ids: &[Uuid],
    ) -> async_graphql::Result<()> {
        let loaders = loaders(self)?;
        loaders
            .version_data_sources
            .load_many(version_ids.iter().copied())
            .await?;
        Ok(())
    }

    async fn constant_availability(&self) -> async_graphql::Result<loaders::Availability> {
        let loaders = loaders(self)?;
        Ok(loaders
            .constants
            .load_one(WholeWorkspace)
            .await?
            .unwrap_or_default())
    }

    async fn options_rows(
        &self,
        data_source_id: Uuid,
    ) -> async_graphql::Result<Vec<Arc<DataSourceOptions>>> {
        let loaders = loaders(self)?;
        Ok(loaders
            .options
            .load_one(data_source_id)
            .await?
            .unwrap_or_default())
    }

    async fn prefetch_options(&self, data_source_ids: &[Uuid]) -> async_graphql::Result<()> {
        let loaders = loaders(self)?;
        let rows = loaders
            .options
            .load_many(data_source_ids.iter().copied())
            .await?;
        // `options` of one environment is then answered from the same rows.
        let pairs = rows.into_values().flatten().map(|row| {
            let key = (row.data_source_id, row.environment_id);
            (key, Some(row))
        });
        loaders.options_in.feed_many(pairs).await;
        Ok(())
    }

    async fn options_row(
        &self,
        data_source_id: Uuid,
        environment_id: Uuid,
    ) -> async_graphql::Result<Option<Arc<DataSourceOptions>>> {
        Ok(loaders(self)?
            .options_in
            .load_one((data_source_id, environment_id))
            .await?
            .flatten())
    }

    async fn feed_options_in(
        &self,
        environment_id: Uuid,
        rows: impl Iterator<Item = (Uuid, Option<DataSourceOptions>)> + Send,
    ) -> async_graphql::Result<()> {
        let rows = rows.map(|(id, row)| ((id, environment_id), row.map(Arc::new)));
        loaders(self)?.options_in.feed_many(rows).await;
        Ok(())
    }
}
