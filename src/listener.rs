//! One dedicated connection per process that `LISTEN`s for the changes every process
//! publishes (see [`crate::domain::changes`]) and hands them to this process's
//! subscribers. When the connection is lost (the database restarted, the backend was
//! terminated) it is opened again, and subscribers are told to re-read: a change
//! committed while nobody listened is never lost silently.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::broadcast;
use tokio_postgres::AsyncMessage;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::db::DatabaseUrl;
use crate::db::replicas::{Lsn, Replicas};
use crate::domain::changes::{CHANNEL, Change, Event};
use crate::metrics::Metrics;

/// How many events a slow subscriber may fall behind before it is told to re-read.
const BACKLOG: usize = 1024;
/// The longest wait between two attempts to open the listening connection.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The `application_name` of the listening connection, as `pg_stat_activity` shows it.
pub const APPLICATION_NAME: &str = "envgate-listener";

/// This process's subscribers to changes, and the listener that feeds them.
pub struct Changes {
    sender: broadcast::Sender<Event>,
    /// Stops the listener when the server goes away (see `Drop`).
    stop: CancellationToken,
}

impl Default for Changes {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            stop: CancellationToken::new(),
        }
    }
}

impl Drop for Changes {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Changes {
    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    /// Starts listening on the database at `url` (with its TLS settings), until this
    /// is dropped. With `replicas`, each change's workspace is remembered with the
    /// primary's WAL position once it is heard: this process's reads in that workspace
    /// then see it.
    pub fn listen(&self, url: &DatabaseUrl, metrics: Metrics, replicas: Option<Arc<Replicas>>) {
        let mut url = url.clone();
        url.set_application_name(APPLICATION_NAME);
        let heard = Heard {
            sender: self.sender.clone(),
            metrics,
            replicas,
        };
        let stop = self.stop.clone();
        tokio::spawn(async move {
            stop.run_until_cancelled(listen(url, heard)).await;
        });
    }
}

/// Where what the listener hears goes.
struct Heard {
    sender: broadcast::Sender<Event>,
    metrics: Metrics,
    replicas: Option<Arc<Replicas>>,
}

/// Listens for as long as the process runs, opening the connection again whenever it is
/// lost.
async fn listen(url: DatabaseUrl, heard: Heard) {
    let mut backoff = Duration::from_millis(50);
    let mut lost = false;
    loop {
        let listened = match url.tls() {
            None => match url.config().connect(tokio_postgres::NoTls).await {
                Ok((client, connection)) => listen_once(client, connection, &heard, lost).await,
                Err(error) => Err(error),
            },
            Some(tls) => match url.config().connect(tls.clone()).await {
                Ok((client, connection)) => listen_once(client, connection, &heard, lost).await,
                Err(error) => Err(error),
            },
        };
        match listened {
            Ok(()) => tracing::warn!("the change listener's database connection closed"),
            Err(error) => tracing::warn!(
                error = url.describe(&error),
                "the change listener lost its database connection; opening it again"
            ),
        }
        lost = true;
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One listening connection: subscribes, tells subscribers to re-read what may have
/// committed unheard (before it, or while a lost one was being replaced), then forwards
/// notifications until the connection ends.
async fn listen_once<T>(
    client: tokio_postgres::Client,
    mut connection: tokio_postgres::Connection<tokio_postgres::Socket, T>,
    heard: &Heard,
    replacing_lost: bool,
) -> Result<(), tokio_postgres::Error>
where
    T: tokio_postgres::tls::TlsStream + Unpin,
{
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {CHANNEL}");
    let listening = client.batch_execute(&statement);
    tokio::pin!(listening);
    // Workspaces whose changes were heard, waiting for the primary's position.
    let mut heard_in = Vec::new();
    // The connection must be driven while LISTEN runs.
    loop {
        tokio::select! {
            result = &mut listening => { result?; break; }
            message = messages.next() => match message {
                Some(Ok(message)) => heard.forward(message, &mut heard_in),
                Some(Err(error)) => return Err(error),
                None => return Ok(()),
            },
        }
    }
    if replacing_lost {
        heard.metrics.listener_reconnects.inc();
        tracing::info!("the change listener is listening again; subscribers re-read");
    }
    // Only after LISTEN: whatever commits from now on is notified, and whatever
    // committed before is read again. The first LISTEN too: the server answers (and
    // subscriptions start) while it is still being opened, and a change committed in
    // that moment is notified to no one.
    let _ = heard.sender.send(Event::Resync);
    let Some(replicas) = &heard.replicas else {
        while let Some(message) = messages.next().await {
            heard.forward(message?, &mut heard_in);
        }
        return Ok(());
    };
    // With replicas: after changes are heard, one query asks the primary's position
    // (past their commits, which came before their notifications), for all of them.
    let mut asking: Vec<Uuid> = Vec::new();
    let mut position = None;
    loop {
        if position.is_none() && !heard_in.is_empty() {
            asking = std::mem::take(&mut heard_in);
            position = Some(Box::pin(client.simple_query(POSITION)));
        }
        tokio::select! {
            message = messages.next() => match message {
                Some(message) => heard.forward(message?, &mut heard_in),
                None => return Ok(()),
            },
            answer = async { position.as_mut().expect("asked").await }, if position.is_some() => {
                position = None;
                let lsn = answer?.iter().find_map(|message| match message {
                    tokio_postgres::SimpleQueryMessage::Row(row) => {
                        row.get(0).and_then(Lsn::parse).map(Lsn::without_page_header)
                    }
                    _ => None,
                });
                for workspace in asking.drain(..) {
                    if let Some(lsn) = lsn {
                        replicas.saw_write(workspace, lsn);
                    }
                }
            }
        }
    }
}

/// The primary's WAL position (see [`Replicas::primary_position`]).
const POSITION: &str = "SELECT pg_current_wal_insert_lsn()::text";

impl Heard {
    /// Hands a notification's change to this process's subscribers, and notes its
    /// workspace in `heard_in` when there are replicas.
    fn forward(&self, message: AsyncMessage, heard_in: &mut Vec<Uuid>) {
        let AsyncMessage::Notification(notification) = message else {
            return;
        };
        self.metrics.notifications.inc();
        match Change::parse(notification.payload()) {
            Some(change) => {
                if self.replicas.is_some() {
                    heard_in.push(change.workspace_id());
                }
                // No subscriber is not an error.
                drop(self.sender.send(Event::Changed(Arc::new(change))));
            }
            None => tracing::debug!("ignored a change notification this version does not know"),
        }
    }
}
