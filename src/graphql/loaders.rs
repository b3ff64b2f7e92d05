//! DataLoaders for the belongs-to edges. A fresh set is made for every request (also
//! for each operation on a WebSocket, so nothing is served stale from a cache; a
//! mutation's do not cache at all), bound
//! to the caller's workspace: a loader never answers for another workspace, whatever
//! key it is given.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Data, Request};
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::{Authentication, RequestId};

use crate::app::{AppState, Reads};
use crate::auth::Session;
use crate::db::models::{
    AppVersion, DataSource, DataSourceOptions, Environment, Release, ScheduledRelease,
};
use crate::domain::{
    Caller, apps, constants, data_sources, environments, releases, scheduled_releases, selections,
    version_data_sources,
};
use crate::error::AppError;
use crate::traces;

/// The key of a loader that loads one list for the whole workspace (its environments,
/// its constants' availability): there is only one per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WholeWorkspace;

/// `rows` grouped by `key`, with an empty group for every key asked that has none.
fn grouped<T>(
    keys: &[Uuid],
    rows: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> Uuid,
) -> HashMap<Uuid, Vec<T>> {
    let mut groups: HashMap<Uuid, Vec<T>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}

/// Every environment of the workspace, by priority, in one query per request.
pub struct EnvironmentsLoader {
    reads: Reads,
    workspace_id: Uuid,
}

impl EnvironmentsLoader {
    async fn read(&self) -> async_graphql::Result<Arc<[Environment]>> {
        let mut conn = self.reads.conn().await?;
        let all = environments::all(&mut conn, self.workspace_id)
            .await
            .map_err(AppError::from)?;
        Ok(all.into())
    }
}

impl Loader<WholeWorkspace> for EnvironmentsLoader {
    // Shared: every field that reads the environments gets the request's list without
    // copying it.
    type Value = Arc<[Environment]>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        _: &[WholeWorkspace],
    ) -> Result<HashMap<WholeWorkspace, Self::Value>, Self::Error> {
        Ok(HashMap::from([(WholeWorkspace, self.read().await?)]))
    }
}

/// Every environment of the workspace, read once per query, right away: the callers
/// that ask at the same time share one read (a DataLoader waits a moment, in a task of
/// its own, and starts a second batch for a caller that comes while the first runs;
/// every field of a page asks). A mutation's and a subscription event's are batched
/// but not kept, like their other loaders.
pub enum WorkspaceEnvironments {
    /// A query's: read once, when first asked.
    Kept(EnvironmentsLoader, OnceCell<Arc<[Environment]>>),
    /// A mutation's or an event's: batched, not kept.
    Batched(DataLoader<EnvironmentsLoader, HashMapCache>),
}

impl WorkspaceEnvironments {
    /// The workspace's environments, by priority.
    pub async fn get(&self) -> async_graphql::Result<Arc<[Environment]>> {
        match self {
            Self::Kept(loader, once) => once
                .get_or_try_init(|| {
                    tracing::Instrument::instrument(
                        loader.read(),
                        traces::loader_span::<EnvironmentsLoader>(),
                    )
                })
                .await
                .cloned(),
            Self::Batched(loader) => Ok(loader.load_one(WholeWorkspace).await?.unwrap_or_default()),
        }
    }

    /// The same reads, batched and not kept.
    fn uncached(self) -> Self {
        match self {
            Self::Kept(loader, _) => {
                let loader = cached(loader);
                loader.enable_all_cache(false);
                Self::Batched(loader)
            }
            batched => batched,
        }
    }
}

/// The options rows (every environment) of data sources, by data-source id.
pub struct OptionsLoader {
    reads: Reads,
    workspace_id: Uuid,
}

impl Loader<Uuid> for OptionsLoader {
    // Shared, like the environments: a row's JSON maps are never copied to be read.
    type Value = Vec<Arc<DataSourceOptions>>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.reads.conn().await?;
        let rows = data_sources::options_of(&mut conn, self.workspace_id, keys)
            .await
            .map_err(AppError::from)?;
        Ok(grouped(keys, rows.into_iter().map(Arc::new), |r| {
            r.data_source_id
        }))
    }
}

/// The options row of (data source, environment) pairs, for a page that reads one
/// environment's options: a third of the rows of [`OptionsLoader`]. A pair without a
/// stored row is `None` (remembered like a row, so it is not asked for again).
pub struct OptionsInLoader {
    reads: Reads,
    workspace_id: Uuid,
}

impl Loader<(Uuid, Uuid)> for OptionsInLoader {
    type Value = Option<Arc<DataSourceOptions>>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Uuid, Uuid)],
    ) -> Result<HashMap<(Uuid, Uuid), Self::Value>, Self::Error> {
        let mut by_environment: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (data_source_id, environment_id) in keys {
            by_environment
                .entry(*environment_id)
                .or_default()
                .push(*data_source_id);
        }
        let mut conn = self.reads.conn().await?;
        let mut found: HashMap<_, _> = keys.iter().map(|key| (*key, None)).collect();
        for (environment_id, ids) in by_environment {
            let rows = data_sources::options_in(&mut conn, self.workspace_id, &ids, environment_id)
                .await
                .map_err(AppError::from)?;
            for row in rows {
                found.insert(
                    (row.data_source_id, row.environment_id),
                    Some(Arc::new(row)),
                );
            }
        }
        Ok(found)
    }
}

/// Which constants (qualified names) have a value in which environment, for the
/// workspace: loaded only when an options row references a constant.
pub struct ConstantsLoader {
    reads: Reads,
    workspace_id: Uuid,
}

/// The constants' availability: (qualified name, environment id) pairs.
pub type Availability = Vec<(String, Uuid)>;

impl Loader<WholeWorkspace> for ConstantsLoader {
    type Value = Availability;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        _: &[WholeWorkspace],
    ) -> Result<HashMap<WholeWorkspace, Self::Value>, Self::Error> {
        let mut conn = self.reads.conn().await?;
        let available = constants::availability(&mut conn, self.workspace_id)
            .await
            .map_err(AppError::from)?;
        Ok(HashMap::from([(WholeWorkspace, available)]))
    }
}

/// The versions of apps, oldest first, by app id.
pub struct VersionsLoader {
    reads: Reads,
    workspace_id: Uuid,
}

impl Loader<Uuid> for VersionsLoader {
    type Value = Vec<AppVersion>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.reads.conn().await?;
        let rows = apps::versions_of(&mut conn, self.workspace_id, keys)
            .await
            .map_err(AppError::from)?;
        Ok(grouped(keys, rows, |r| r.app_id))
    }
}

/// The data sources versions use, by version id, each list by name.
pub struct VersionDataSourcesLoader {
    reads: Reads,
    workspace_id: Uuid,
}

impl Loader<Uuid> for VersionDataSourcesLoader {
    type Value = Vec<DataSource>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.reads.conn().await?;
        let rows = version_data_sources::of_versions(&mut conn, self.workspace_id, keys)
            .await
            .map_err(AppError::from)?;
        let grouped = grouped(keys, rows, |(version_id, _)| *version_id);
        Ok(grouped
            .into_iter()
            .map(|(version_id, rows)| (version_id, rows.into_iter().map(|(_, d)| d).collect()))
            .collect())
    }
}

/// A page of an app's releases: the app, how many rows (one more than the page holds)
/// and the position to start after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReleasePage {
    pub app_id: Uuid,
    pub first: i64,
    pub after: Option<releases::ListKey>,
}

/// Pages of apps' releases, newest first: one statement for the apps asked with the
/// same page arguments (a page of apps asks them all alike).
pub struct ReleasesLoader {
    reads: Reads,
    workspace_id: Uuid,
}

impl Loader<ReleasePage> for ReleasesLoader {
    type Value = Vec<Release>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ReleasePage],
    ) -> Result<HashMap<ReleasePage, Self::Value>, Self::Error> {
        let mut alike: HashMap<(i64, Option<i64>), Vec<Uuid>> = HashMap::new();
        for key in keys {
            alike
                .entry((key.first, key.after))
                .or_default()
                .push(key.app_id);
        }
        let mut conn = self.reads.conn().await?;
        let mut pages = HashMap::new();
        for ((first, after), app_ids) in alike {
            let rows = releases::pages_of(&mut conn, self.workspace_id, &app_ids, first, after)
                .await
                .map_err(AppError::from)?;
            for (app_id, rows) in grouped(&app_ids, rows, |r| r.app_id) {
                pages.insert(
                    ReleasePage {
                        app_id,
                        first,
                        after,
                    },
                    rows,
                );
            }
        }
        Ok(pages)
    }
}

/// The scheduled releases of apps that wait or recently ended, by app id.
pub struct ScheduledReleasesLoader {
    reads: Reads,
    workspace_id: Uuid,
}

impl Loader<Uuid> for ScheduledReleasesLoader {
    type Value = Vec<ScheduledRelease>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.reads.conn().await?;
        let rows = scheduled_releases::of_apps(&mut conn, self.workspace_id, keys)
            .await
            .map_err(AppError::from)?;
        Ok(grouped(keys, rows, |r| r.app_id))
    }
}

/// The environment the caller selected for apps, by app id (`None`: never chose).
pub struct SelectionsLoader {
    reads: Reads,
    workspace_id: Uuid,
    user_id: String,
}

impl Loader<Uuid> for SelectionsLoader {
    type Value = Option<Uuid>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.reads.conn().await?;
        let rows = selections::of_user(&mut conn, self.workspace_id, &self.user_id, keys)
            .await
            .map_err(AppError::from)?;
        let mut by_app: HashMap<Uuid, Self::Value> = keys.iter().map(|k| (*k, None)).collect();
        for row in rows {
            by_app.insert(row.app_id, Some(row.environment_id));
        }
        Ok(by_app)
    }
}

/// The loaders of one request; they cache for that request only.
pub struct Loaders {
    pub environments: WorkspaceEnvironments,
    pub options: DataLoader<OptionsLoader, HashMapCache>,
    pub options_in: DataLoader<OptionsInLoader, HashMapCache>,
    pub versions: DataLoader<VersionsLoader, HashMapCache>,
    pub selections: DataLoader<SelectionsLoader, HashMapCache>,
    pub constants: DataLoader<ConstantsLoader, HashMapCache>,
    pub version_data_sources: DataLoader<VersionDataSourcesLoader, HashMapCache>,
    pub releases: DataLoader<ReleasesLoader, HashMapCache>,
    pub scheduled_releases: DataLoader<ScheduledReleasesLoader, HashMapCache>,
}

fn cached<L>(loader: L) -> DataLoader<L, HashMapCache> {
    // The batches run in tasks of their own, logging under the request's span; each
    // is a span of the request's trace.
    let spawn = |batch| {
        let batch = tracing::Instrument::instrument(batch, traces::loader_span::<L>());
        tokio::spawn(tracing::Instrument::in_current_span(batch))
    };
    DataLoader::with_cache(loader, spawn, HashMapCache::default())
}

impl Loaders {
    fn new(reads: &Reads, session: &Session) -> Self {
        let workspace_id = session.workspace_id;
        Self {
            environments: WorkspaceEnvironments::Kept(
                EnvironmentsLoader {
                    reads: reads.clone(),
                    workspace_id,
                },
                OnceCell::new(),
            ),
            options: cached(OptionsLoader {
                reads: reads.clone(),
                workspace_id,
            }),
            options_in: cached(OptionsInLoader {
                reads: reads.clone(),
                workspace_id,
            }),
            versions: cached(VersionsLoader {
                reads: reads.clone(),
                workspace_id,
            }),
            selections: cached(SelectionsLoader {
                reads: reads.clone(),
                workspace_id,
                user_id: session.user_id.clone(),
            }),
            constants: cached(ConstantsLoader {
                reads: reads.clone(),
                workspace_id,
            }),
            version_data_sources: cached(VersionDataSourcesLoader {
                reads: reads.clone(),
                workspace_id,
            }),
            releases: cached(ReleasesLoader {
                reads: reads.clone(),
                workspace_id,
            }),
            scheduled_releases: cached(ScheduledReleasesLoader {
                reads: reads.clone(),
                workspace_id,
            }),
        }
    }

    /// Loaders that cache nothing, for a mutation: what it wrote is read anew by the
    /// fields after it (loads of one field's selection are still batched).
    fn uncached(mut self) -> Self {
        self.environments = self.environments.uncached();
        self.options.enable_all_cache(false);
        self.options_in.enable_all_cache(false);
        self.versions.enable_all_cache(false);
        self.selections.enable_all_cache(false);
        self.constants.enable_all_cache(false);
        self.version_data_sources.enable_all_cache(false);
        self.releases.enable_all_cache(false);
        self.scheduled_releases.enable_all_cache(false);
        self
    }
}

/// `T` from the request's data, else from the connection's (a WebSocket's).
pub(super) fn find<'a, T: Any>(request: &'a Data, connection: Option<&'a Data>) -> Option<&'a T> {
    [Some(request), connection]
        .into_iter()
        .flatten()
        .find_map(|data| data.get(&TypeId::of::<T>())?.downcast_ref::<T>())
}

/// The session of a request (or of its WebSocket `connection`) with a valid token.
pub(super) fn session<'a>(request: &'a Data, connection: Option<&'a Data>) -> Option<&'a Session> {
    find::<Authentication>(request, connection).and_then(Authentication::session)
}

/// Adds the [`Caller`] and fresh [`Loaders`] to an authenticated request (once per
/// request rather than once per field). HTTP puts the authentication in the request,
/// WebSocket in the `connection`. A mutation gets loaders that do not cache (what it
/// wrote is read anew by the fields after it), and so does a subscription (no event is
/// answered from the rows the previous one loaded): `uncached`. Every read of the
/// request goes through `reads` (a replica's, for a query that may read from one).
pub(super) fn attach(
    request: Request,
    app: &AppState,
    connection: Option<&Data>,
    uncached: bool,
    reads: Option<Reads>,
) -> Request {
    let Some(session) = session(&request.data, connection) else {
        return request;
    };
    let request_id = find::<RequestId>(&request.data, connection).map(|r| r.0.clone());
    let caller = Caller::new(session, app.multi_environment(), request_id);
    let loaders = Loaders::new(reads.as_ref().unwrap_or(&Reads::primary(app)), session);
    let loaders = if uncached {
        loaders.uncached()
    } else {
        loaders
    };
    let request = request.data(loaders).data(caller);
    // Without it, resolvers read from the primary.
    match reads {
        Some(reads) => request.data(reads),
        None => request,
    }
}
