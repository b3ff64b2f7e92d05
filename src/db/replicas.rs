//! Read replicas (`ENVGATE_READ_DATABASE_URLS`): streaming standbys of the primary that
//! queries may read from. A replica serves a read only when it has replayed what the
//! reader must see: the write named by the `x-envgate-consistency` header the reader
//! sent back, and the last write this process has seen in the reader's workspace (its
//! own mutations', and other processes' through the change notifications).
//!
//! Nothing is asked of a replica per request: a background task polls each one's
//! replay position (`pg_last_wal_replay_lsn()`) every [`ReplicaSettings::poll`], and
//! the primary's WAL position, and requests choose from those figures. A replica that
//! does not answer is down; one that has not replayed what the primary had written
//! [`ReplicaSettings::max_lag`] ago is lagging; both are skipped until a poll finds
//! them well again.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::dsl::sql;
use diesel::sql_types::{Nullable, Text};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{DatabaseUrl, PgPool, Pooler, QueryCounter};
use crate::metrics::Metrics;

/// The response (and request) header that names a write: its commit's WAL position.
pub const CONSISTENCY_HEADER: &str = "x-envgate-consistency";

/// A position in PostgreSQL's write-ahead log, as `pg_lsn` writes it (`16/B374D848`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lsn(pub u64);

impl Lsn {
    /// Reads `text` as `pg_lsn` writes it; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let (high, low) = text.trim().split_once('/')?;
        let valid = |part: &str| !part.is_empty() && part.len() <= 8;
        if !valid(high) || !valid(low) {
            return None;
        }
        let high = u64::from_str_radix(high, 16).ok()?;
        let low = u64::from_str_radix(low, 16).ok()?;
        Some(Self((high << 32) | low))
    }
}

impl Lsn {
    /// An insert position just past a WAL page's header as the page's start: that is
    /// where the last record ended, and where a replica's replay position stops (it
    /// would otherwise look behind until the next record comes). Every position read
    /// from the primary goes through this.
    pub fn without_page_header(self) -> Self {
        match self.0 % WAL_PAGE {
            WAL_PAGE_HEADER => Self(self.0 - WAL_PAGE_HEADER),
            _ => self,
        }
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// How replicas are chosen and watched.
#[derive(Debug, Clone, Copy)]
pub struct ReplicaSettings {
    /// A replica that has not replayed what the primary had written this long ago is
    /// skipped (`ENVGATE_REPLICA_MAX_LAG`).
    pub max_lag: Duration,
    /// How long a read that must see a write waits for a replica to replay it before
    /// it reads from the primary (`ENVGATE_REPLICA_WAIT`).
    pub wait: Duration,
    /// How often each replica's replay position is polled.
    pub poll: Duration,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        Self {
            max_lag: Duration::from_secs(10),
            wait: Duration::from_secs(1),
            poll: Duration::from_millis(200),
        }
    }
}

/// How long one poll of one database may take before it counts as down.
const POLL_TIMEOUT: Duration = Duration::from_secs(2);
/// Replay position of a replica that is down (or not polled yet).
const DOWN: u64 = 0;

/// One replica: its pool and what the last poll found.
struct Replica {
    /// `host:port`, the label of its metrics and log lines (never the whole URL).
    name: String,
    pool: PgPool,
    /// The replay position of the last poll; [`DOWN`] when it did not answer.
    replay: AtomicU64,
    /// Whether the last poll found it more than `max_lag` behind.
    lagging: AtomicBool,
}

impl Replica {
    fn replay(&self) -> Option<Lsn> {
        match self.replay.load(Ordering::Acquire) {
            DOWN => None,
            lsn => Some(Lsn(lsn)),
        }
    }
}

/// Where a read goes, and why.
pub enum ReadFrom {
    /// The primary (the request's usual pool).
    Primary(&'static str),
    /// A replica (its index, for [`Replicas::failed`]) and its pool.
    Replica(usize, PgPool),
}

/// The replicas of a process, the positions they have replayed, and the last write
/// seen in each workspace.
pub struct Replicas {
    replicas: Vec<Replica>,
    settings: ReplicaSettings,
    /// The primary's WAL position at recent polls, oldest first: enough to tell what
    /// it had written `max_lag` ago.
    primary: Mutex<VecDeque<(Instant, Lsn)>>,
    /// Bumped after every poll, for the reads that wait for a replica.
    polled: tokio::sync::watch::Sender<u64>,
    /// Round robin over the replicas that qualify.
    next: AtomicUsize,
    /// The last write this process has seen in each workspace.
    written: Mutex<HashMap<Uuid, Lsn>>,
    metrics: Metrics,
    stop: CancellationToken,
}

impl Drop for Replicas {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Replicas {
    /// Pools (of `pool_size` each, counting into `queries`) for each of `urls`, not yet
    /// polled: every replica counts as down until [`Self::watch`]'s first poll.
    pub fn new(
        urls: &[DatabaseUrl],
        pool_size: usize,
        queries: &QueryCounter,
        settings: ReplicaSettings,
        metrics: Metrics,
    ) -> anyhow::Result<Arc<Self>> {
        let replicas = urls
            .iter()
            .map(|url| {
                let config = url.config();
                let host = match config.get_hosts().first() {
                    Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
                    Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
                    None => "localhost".to_owned(),
                };
                let port = config.get_ports().first().copied().unwrap_or(5432);
                Ok(Replica {
                    name: format!("{host}:{port}"),
                    pool: super::pool(url, pool_size, queries.clone(), Pooler::None)?,
                    replay: AtomicU64::new(DOWN),
                    lagging: AtomicBool::new(false),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Arc::new(Self {
            replicas,
            settings,
            primary: Mutex::default(),
            polled: tokio::sync::watch::Sender::new(0),
            next: AtomicUsize::new(0),
            written: Mutex::default(),
            metrics,
            stop: CancellationToken::new(),
        }))
    }

    /// Starts polling the replicas and `primary`, until this is dropped.
    pub fn watch(self: &Arc<Self>, primary: PgPool) {
        let weak = Arc::downgrade(self);
        let stop = self.stop.clone();
        let every = self.settings.poll;
        tokio::spawn(stop.run_until_cancelled_owned(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(replicas) = weak.upgrade() else {
                    return;
                };
                replicas.poll(&primary).await;
            }
        }));
    }

    /// One poll: the primary's position, then every replica's at once.
    async fn poll(&self, primary: &PgPool) {
        let now = Instant::now();
        if let Some(lsn) = query_lsn(primary, "pg_current_wal_insert_lsn()").await {
            let mut samples = self.primary.lock().unwrap_or_else(|p| p.into_inner());
            samples.push_back((now, lsn));
            // Keep the newest sample at least `max_lag` old, and every later one.
            while samples
                .get(1)
                .is_some_and(|(at, _)| now.duration_since(*at) >= self.settings.max_lag)
            {
                samples.pop_front();
            }
        }
        let behind_by = self.written_max_lag_ago(now);
        let polls = self.replicas.iter().map(|replica| async move {
            let replay = query_lsn(&replica.pool, "pg_last_wal_replay_lsn()").await;
            let was_up = replica.replay().is_some();
            match replay {
                Some(lsn) => {
                    if !was_up {
                        tracing::info!(replica = %replica.name, "the read replica answers");
                    }
                    replica.replay.store(lsn.0.max(1), Ordering::Release);
                }
                None => {
                    if was_up {
                        tracing::warn!(replica = %replica.name, "the read replica does not answer (or is not a standby); reads skip it");
                    }
                    replica.replay.store(DOWN, Ordering::Release);
                }
            }
            let lagging = replay.zip(behind_by).is_some_and(|(lsn, old)| lsn < old);
            if lagging != replica.lagging.swap(lagging, Ordering::AcqRel) && lagging {
                tracing::warn!(replica = %replica.name, max_lag = ?self.settings.max_lag, "the read replica lags; reads skip it");
            }
            self.metrics
                .replica_up(&replica.name, replay.is_some() && !lagging);
        });
        futures_util::future::join_all(polls).await;
        self.polled.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// What the primary had written `max_lag` ago, once polls go back that far.
    fn written_max_lag_ago(&self, now: Instant) -> Option<Lsn> {
        let samples = self.primary.lock().unwrap_or_else(|p| p.into_inner());
        samples
            .iter()
            .take_while(|(at, _)| now.duration_since(*at) >= self.settings.max_lag)
            .last()
            .map(|(_, lsn)| *lsn)
    }

    /// Remembers a write seen in `workspace` (kept when a later one is already known).
    pub fn saw_write(&self, workspace: Uuid, lsn: Lsn) {
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        let known = written.entry(workspace).or_default();
        *known = (*known).max(lsn);
    }

    /// The last write this process has seen in `workspace`.
    pub fn last_write(&self, workspace: Uuid) -> Option<Lsn> {
        let written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        written.get(&workspace).copied()
    }

    /// A replica that is up, not lagging, and has replayed `needed`, taking turns.
    fn pick(&self, needed: Lsn) -> Result<(usize, PgPool), &'static str> {
        let count = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut reason = "down";
        for i in 0..count {
            let index = (start + i) % count;
            let replica = &self.replicas[index];
            let Some(replay) = replica.replay() else {
                continue;
            };
            if replica.lagging.load(Ordering::Acquire) {
                reason = if reason == "behind" {
                    reason
                } else {
                    "lagging"
                };
                continue;
            }
            if replay < needed {
                reason = "behind";
                continue;
            }
            self.metrics.replica_read(&replica.name, "caught_up");
            return Ok((index, replica.pool.clone()));
        }
        Err(reason)
    }

    /// Where a query reads from: a replica that has replayed `needed`, waiting up to
    /// [`ReplicaSettings::wait`] for one that is up but behind; else the primary.
    pub async fn read_from(&self, needed: Lsn) -> ReadFrom {
        let reason = match self.pick(needed) {
            Ok((index, pool)) => return ReadFrom::Replica(index, pool),
            Err(reason) => reason,
        };
        if reason == "behind" {
            let mut polled = self.polled.subscribe();
            let waited = tokio::time::timeout(self.settings.wait, async {
                // A poll that finds none there yet: wait for the next.
                while polled.changed().await.is_ok() {
                    if let Ok(chosen) = self.pick(needed) {
                        return Some(chosen);
                    }
                }
                None
            })
            .await;
            if let Ok(Some((index, pool))) = waited {
                return ReadFrom::Replica(index, pool);
            }
        }
        self.metrics.replica_read("primary", reason);
        ReadFrom::Primary(reason)
    }

    /// Where a query reads from without waiting: a replica that has replayed `needed`
    /// already, else the primary.
    pub fn read_now(&self, needed: Lsn) -> ReadFrom {
        match self.pick(needed) {
            Ok((index, pool)) => ReadFrom::Replica(index, pool),
            Err(reason) => {
                self.metrics.replica_read("primary", reason);
                ReadFrom::Primary(reason)
            }
        }
    }

    /// Marks replica `index` down (a connection to it failed) until the next poll
    /// finds it well; the read goes to the primary.
    pub fn failed(&self, index: usize) {
        if let Some(replica) = self.replicas.get(index) {
            if replica.replay.swap(DOWN, Ordering::AcqRel) != DOWN {
                tracing::warn!(replica = %replica.name, "a connection to the read replica failed; reads skip it");
            }
            self.metrics.replica_read("primary", "failed");
        }
    }

    /// The primary's WAL position now: at or past the commit of every transaction that
    /// has returned. `pg_current_wal_insert_lsn()` rather than `pg_current_wal_lsn()`:
    /// the latter is what has been written out, which under `synchronous_commit = off`
    /// may still be short of a commit that has already returned.
    pub async fn primary_position(primary: &PgPool) -> Option<Lsn> {
        query_lsn(primary, "pg_current_wal_insert_lsn()").await
    }
}

/// The size of a WAL page (PostgreSQL's default `wal_block_size`), and of the header
/// that starts every page but a segment's first.
const WAL_PAGE: u64 = 8192;
const WAL_PAGE_HEADER: u64 = 24;

/// `expression` (a `pg_lsn`) on a connection of `pool`; `None` when the database does
/// not answer in [`POLL_TIMEOUT`], fails, or gives NULL (a replay position on a server
/// that is not a standby).
async fn query_lsn(pool: &PgPool, expression: &str) -> Option<Lsn> {
    use diesel_async::RunQueryDsl as _;
    let read = async {
        let mut conn = pool.get().await.ok()?;
        let text: Option<String> =
            diesel::select(sql::<Nullable<Text>>(&format!("{expression}::text")))
                .get_result(&mut *conn)
                .await
                .inspect_err(|error| tracing::debug!(%error, "polling a WAL position"))
                .ok()?;
        Some(Lsn::parse(&text?)?.without_page_header())
    };
    tokio::time::timeout(POLL_TIMEOUT, read)
        .await
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_read_and_write_as_pg_lsn() {
        for text in ["0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "0/1"] {
            assert_eq!(Lsn::parse(text).unwrap().to_string(), text);
        }
        assert!(Lsn::parse("16/B374D848").unwrap() > Lsn::parse("16/B374D847").unwrap());
        assert!(Lsn::parse("17/0").unwrap() > Lsn::parse("16/FFFFFFFF").unwrap());
        for bad in ["", "16", "/1", "1/", "x/1", "1/123456789", "1/2/3"] {
            assert_eq!(Lsn::parse(bad), None, "{bad}");
        }
    }
}
