//! What a subscriber is sent when changes commit: only its own workspace, only
//! environments the edition offers, each change of an options row once (by revision),
//! and, after the listener lost its connection, whatever changed meanwhile, read again.

use std::collections::{HashMap, HashSet};

use diesel::{ExpressionMethods as _, QueryDsl as _, SelectableHelper as _};
use diesel_async::RunQueryDsl as _;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::PgPool;
use crate::db::models::{DataSourceOptions, Environment};
use crate::db::schema::{data_source_options, data_sources, environments};
use crate::domain::access::Permission;
use crate::domain::changes::{Change, Event};
use crate::domain::ids::DataSourceId;
use crate::domain::kinds::{self, Kind};
use crate::domain::permissions::Action;
use crate::domain::{Caller, data_sources as sources, promotion_requests};
use crate::error::{AppError, AppResult};

/// A subscriber's state: what it is sent for each event.
pub trait Watch: Send + 'static {
    /// What one event sends.
    type Item: Send + 'static;

    /// What `event` sends this subscriber, read with the caller's permissions as of now.
    /// A connection is taken from `pool` only when the event needs a read: most events
    /// (another workspace's, another data source's) need none.
    fn on(
        &mut self,
        pool: &PgPool,
        caller: &Caller,
        event: &Event,
    ) -> impl Future<Output = AppResult<Vec<Self::Item>>> + Send;
}

/// A subscriber to options changes: of the workspace, or of one data source.
pub struct OptionsWatch {
    workspace_id: Uuid,
    data_source_id: Option<Uuid>,
    /// The revision of every (data source, environment) row as last sent (or as it was
    /// when the subscription started).
    sent: HashMap<(Uuid, Uuid), i32>,
}

/// One row to send, with its data source's kind.
pub type OptionsChange = (&'static Kind, DataSourceOptions);

impl OptionsWatch {
    /// Starts watching; NOT_FOUND when `data_source_id` names no data source of the
    /// caller's workspace.
    pub async fn start(
        conn: &mut Conn,
        caller: &Caller,
        data_source_id: Option<DataSourceId>,
    ) -> AppResult<Self> {
        caller.require(Action::ReadDataSources)?;
        let data_source_id = match data_source_id {
            Some(id) => Some(sources::get(conn, caller, id).await?.id),
            None => None,
        };
        let mut watch = Self {
            workspace_id: caller.workspace_id,
            data_source_id,
            sent: HashMap::new(),
        };
        for (_, row) in watch.read(conn, caller, None).await? {
            watch.sent.insert(key(&row), row.revision);
        }
        Ok(watch)
    }

    async fn read(
        &self,
        conn: &mut Conn,
        caller: &Caller,
        environment_ids: Option<&[Uuid]>,
    ) -> AppResult<Vec<OptionsChange>> {
        read(
            conn,
            caller,
            self.workspace_id,
            self.data_source_id,
            environment_ids,
        )
        .await
    }
}

impl Watch for OptionsWatch {
    type Item = OptionsChange;

    /// The rows `event` changed that this subscriber has not been sent yet.
    async fn on(
        &mut self,
        pool: &PgPool,
        caller: &Caller,
        event: &Event,
    ) -> AppResult<Vec<OptionsChange>> {
        let rows = match event {
            Event::Changed(change) => match &**change {
                Change::Options {
                    workspace_id,
                    data_source_id,
                    environment_ids,
                } if *workspace_id == self.workspace_id
                    && (self.data_source_id.is_none()
                        || data_source_id.is_none()
                        || *data_source_id == self.data_source_id) =>
                {
                    let only = data_source_id.or(self.data_source_id);
                    let mut conn = pool.get().await?;
                    read(
                        &mut conn,
                        caller,
                        self.workspace_id,
                        only,
                        Some(environment_ids),
                    )
                    .await?
                }
                Change::DataSourceDeleted {
                    workspace_id,
                    data_source_id,
                } if *workspace_id == self.workspace_id => {
                    self.sent.retain(|(source, _), _| source != data_source_id);
                    return Ok(Vec::new());
                }
                // Sent whatever the revision: the options are the same, their
                // `configured` may not be.
                Change::ConstantChanged {
                    workspace_id,
                    data_source_id,
                    environment_ids,
                } if *workspace_id == self.workspace_id
                    && self.data_source_id.is_none_or(|id| id == *data_source_id) =>
                {
                    let mut conn = pool.get().await?;
                    let rows = read(
                        &mut conn,
                        caller,
                        self.workspace_id,
                        Some(*data_source_id),
                        Some(environment_ids),
                    )
                    .await?;
                    for (_, row) in &rows {
                        self.sent.insert(key(row), row.revision);
                    }
                    return Ok(rows);
                }
                _ => return Ok(Vec::new()),
            },
            Event::Resync => self.read(&mut *pool.get().await?, caller, None).await?,
        };
        Ok(rows
            .into_iter()
            .filter(|(_, row)| self.sent.insert(key(row), row.revision) != Some(row.revision))
            .collect())
    }
}

fn key(row: &DataSourceOptions) -> (Uuid, Uuid) {
    (row.data_source_id, row.environment_id)
}

/// The stored options rows of the workspace (of one data source when named; in these
/// environments when named) in environments the edition offers and the caller may read,
/// with their kinds.
async fn read(
    conn: &mut Conn,
    caller: &Caller,
    workspace_id: Uuid,
    data_source_id: Option<Uuid>,
    environment_ids: Option<&[Uuid]>,
) -> AppResult<Vec<OptionsChange>> {
    let mut query = data_source_options::table
        .inner_join(data_sources::table)
        .inner_join(environments::table)
        .filter(data_source_options::workspace_id.eq(workspace_id))
        .filter(data_sources::workspace_id.eq(workspace_id))
        .filter(environments::workspace_id.eq(workspace_id))
        .order((data_sources::name, environments::priority))
        .select((
            data_sources::kind,
            DataSourceOptions::as_select(),
            Environment::as_select(),
        ))
        .into_boxed();
    if let Some(id) = data_source_id {
        query = query.filter(data_source_options::data_source_id.eq(id));
    }
    if let Some(ids) = environment_ids {
        query = query.filter(data_source_options::environment_id.eq_any(ids.to_vec()));
    }
    if !caller.multi_environment {
        query = query.filter(environments::is_default.eq(true));
    }
    let rows: Vec<(String, DataSourceOptions, Environment)> = query.load(conn).await?;
    rows.into_iter()
        // Only environments whose options the caller may read, as their rules are now.
        .filter(|(_, _, environment)| caller.may(Permission::ReadOptions, environment))
        .map(|(kind, row, _)| {
            let kind = kinds::find(&kind).ok_or_else(|| {
                AppError::internal(anyhow::anyhow!(
                    "data source {} has unknown kind {kind}",
                    row.data_source_id
                ))
            })?;
            Ok((kind, row))
        })
        .collect()
}

/// A subscriber to deletions in the workspace.
pub struct DeletionWatch {
    workspace_id: Uuid,
    /// The data sources that exist as far as this subscriber knows.
    known: HashSet<Uuid>,
}

impl DeletionWatch {
    /// Starts watching.
    pub async fn start(conn: &mut Conn, caller: &Caller) -> AppResult<Self> {
        caller.require(Action::ReadDataSources)?;
        Ok(Self {
            workspace_id: caller.workspace_id,
            known: existing(conn, caller.workspace_id).await?,
        })
    }
}

impl Watch for DeletionWatch {
    type Item = Uuid;

    /// The data sources `event` deleted.
    async fn on(&mut self, pool: &PgPool, _: &Caller, event: &Event) -> AppResult<Vec<Uuid>> {
        match event {
            Event::Changed(change) => match &**change {
                Change::DataSourceDeleted {
                    workspace_id,
                    data_source_id,
                } if *workspace_id == self.workspace_id => {
                    self.known.remove(data_source_id);
                    Ok(vec![*data_source_id])
                }
                Change::Options {
                    workspace_id,
                    data_source_id: Some(id),
                    ..
                } if *workspace_id == self.workspace_id => {
                    self.known.insert(*id);
                    Ok(Vec::new())
                }
                _ => Ok(Vec::new()),
            },
            Event::Resync => {
                let now = existing(&mut *pool.get().await?, self.workspace_id).await?;
                let mut gone: Vec<Uuid> = self.known.difference(&now).copied().collect();
                gone.sort();
                self.known = now;
                Ok(gone)
            }
        }
    }
}

async fn existing(conn: &mut Conn, workspace_id: Uuid) -> AppResult<HashSet<Uuid>> {
    let ids: Vec<Uuid> = data_sources::table
        .filter(data_sources::workspace_id.eq(workspace_id))
        .select(data_sources::id)
        .load(conn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// A subscriber to the workspace's promotion requests: each state of a request once.
pub struct PromotionRequestWatch {
    workspace_id: Uuid,
    /// When the subscription started, less the clock difference processes may have:
    /// after the listener lost its connection, what changed since is read again.
    since: chrono::DateTime<chrono::Utc>,
    /// The revision of every request as last sent.
    sent: HashMap<Uuid, i32>,
}

/// How far the clocks of several server processes may differ: a re-read after a lost
/// listener starts this much before the subscription did (the revisions drop repeats).
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

impl PromotionRequestWatch {
    /// Starts watching (every role but the runner).
    pub fn start(caller: &Caller) -> AppResult<Self> {
        caller.require(Action::ReadPromotions)?;
        Ok(Self {
            workspace_id: caller.workspace_id,
            since: chrono::Utc::now() - CLOCK_SKEW,
            sent: HashMap::new(),
        })
    }
}

impl Watch for PromotionRequestWatch {
    type Item = promotion_requests::Details;

    /// The request `event` changed, or after a lost listener every request changed
    /// since the subscription started, in states not sent yet.
    async fn on(&mut self, pool: &PgPool, _: &Caller, event: &Event) -> AppResult<Vec<Self::Item>> {
        let read = match event {
            Event::Changed(change) => match &**change {
                Change::PromotionRequest {
                    workspace_id,
                    request_id,
                } if *workspace_id == self.workspace_id => {
                    let mut conn = pool.get().await?;
                    promotion_requests::changed(&mut conn, self.workspace_id, &[*request_id], None)
                        .await?
                }
                _ => return Ok(Vec::new()),
            },
            Event::Resync => {
                let mut conn = pool.get().await?;
                promotion_requests::changed(&mut conn, self.workspace_id, &[], Some(self.since))
                    .await?
            }
        };
        Ok(read
            .into_iter()
            .filter(|d| {
                let revision = d.request.revision;
                self.sent.insert(d.request.id, revision) != Some(revision)
            })
            .collect())
    }
}
