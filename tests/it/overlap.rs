//! Forcing an overlap: a raw connection holds a row lock while requests start, and lets
//! go only once they are all waiting on it, so a race test proves that they raced.

use std::time::Duration;

use crate::common::TestDb;

/// How long the requests get to queue up on the lock (bounded: never a hang).
const QUEUE_UP: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// A row lock held from outside the server.
pub struct HeldLock {
    holder: tokio_postgres::Client,
    observer: tokio_postgres::Client,
    /// No answer is compared with its reference while the lock is held.
    _held: crate::reference::Holding,
}

impl HeldLock {
    /// Begins a transaction that runs `lock_sql` (a `SELECT ... FOR UPDATE`) and keeps it.
    pub async fn take(
        db: &TestDb,
        lock_sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Self {
        let held = db.activity.hold();
        let holder = db.client().await;
        holder.batch_execute("BEGIN").await.unwrap();
        holder.query(lock_sql, params).await.unwrap();
        Self {
            holder,
            observer: db.client().await,
            _held: held,
        }
    }

    /// Waits (at most [`QUEUE_UP`]) until `waiters` sessions wait on a lock, then
    /// commits; returns how many were waiting, for the test to assert.
    pub async fn release_when_waiting(self, waiters: i64) -> i64 {
        let mut waiting = 0;
        let polls = QUEUE_UP.as_millis() / POLL.as_millis();
        for _ in 0..polls {
            waiting = self
                .observer
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .await
                .unwrap()
                .get::<_, i64>(0);
            if waiting >= waiters {
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        self.holder.batch_execute("COMMIT").await.unwrap();
        waiting
    }
}
