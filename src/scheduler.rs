//! The release scheduler: a task of `serve` that runs each scheduled release when it is
//! due (see [`crate::domain::scheduled_releases`]). It runs whatever is due, then sleeps
//! until the next due time by the database's clock, or until a schedule is added,
//! cancelled or run by any process (the change notification wakes it), or at most
//! [`FALLBACK_WAKE`]. Several processes on one database each run one: the claim in the
//! releasing transaction makes exactly one of them run each release. It stops when the
//! server shuts down, never in the middle of a release.

use std::time::Duration;

use tokio::sync::broadcast::{self, error::RecvError};
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::domain::changes::{Change, Event};
use crate::domain::scheduled_releases::{self, Status};
use crate::error::AppResult;

/// The longest sleep: a bound on how late a release is should a wake-up be missed.
pub const FALLBACK_WAKE: Duration = Duration::from_secs(60);
/// How soon to look again at a due release another process is running (it announces
/// the outcome, which wakes this one sooner).
const BUSY_WAKE: Duration = Duration::from_secs(1);
/// The longest wait before trying again after the database failed.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Starts the scheduler of `app`; it ends once `app.shutdown` is cancelled.
pub fn start(app: AppState) -> JoinHandle<()> {
    // Subscribed before the first look: nothing announced after it is missed.
    let events = app.changes.subscribe();
    tokio::spawn(run(app, events))
}

async fn run(app: AppState, mut events: broadcast::Receiver<Event>) {
    let stop = app.shutdown.clone();
    let mut backoff = Duration::from_millis(100);
    while !stop.is_cancelled() {
        let wait = match tick(&app).await {
            Ok(wait) => {
                backoff = Duration::from_millis(100);
                wait
            }
            Err(error) => {
                tracing::warn!(error = ?error, "the release scheduler failed; trying again");
                backoff = (backoff * 2).min(MAX_BACKOFF);
                backoff
            }
        };
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(wait) => {}
            () = woken(&mut events) => {}
        }
    }
    tracing::info!("the release scheduler stopped");
}

/// Runs every due release, then answers how long to sleep.
async fn tick(app: &AppState) -> AppResult<Duration> {
    let mut conn = app.conn().await?;
    while !app.shutdown.is_cancelled() {
        let Some(ran) =
            scheduled_releases::run_next_due(&mut conn, app.multi_environment()).await?
        else {
            break;
        };
        match ran.status {
            Status::Failed => tracing::warn!(
                scheduled_release = %ran.id,
                workspace = %ran.workspace_id,
                failure = ran.failure.as_deref().unwrap_or_default(),
                "ran a scheduled release: it failed"
            ),
            _ => tracing::info!(
                scheduled_release = %ran.id,
                workspace = %ran.workspace_id,
                "ran a scheduled release"
            ),
        }
    }
    Ok(match scheduled_releases::next_due_in(&mut conn).await? {
        None => FALLBACK_WAKE,
        Some(due) if due.is_zero() => BUSY_WAKE,
        // A millisecond past, so that the release is due when looked at.
        Some(due) => (due + Duration::from_millis(1)).min(FALLBACK_WAKE),
    })
}

/// Returns when a schedule changed somewhere, or changes may have been missed.
async fn woken(events: &mut broadcast::Receiver<Event>) {
    loop {
        match events.recv().await {
            Ok(Event::Changed(change)) => {
                if matches!(*change, Change::ScheduledReleases { .. }) {
                    return;
                }
            }
            Ok(Event::Resync) | Err(RecvError::Lagged(_)) => return,
            // The server is going away.
            Err(RecvError::Closed) => std::future::pending().await,
        }
    }
}
