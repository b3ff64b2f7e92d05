//! The root subscription type: each field is a stream of changes as they commit.

use std::collections::VecDeque;

use async_graphql::{Context, ID, Subscription as GraphQLSubscription};
use futures_util::{Stream, StreamExt as _};
use tokio::sync::broadcast::{self, error::RecvError};

use super::ContextExt as _;
use super::types::data_source_options::DataSourceOptions;
use super::types::promotion::PromotionRequest;
use crate::app::AppState;
use crate::auth::Session;
use crate::domain::Caller;
use crate::domain::changes::Event;
use crate::domain::ids::DataSourceId;
use crate::domain::subscriptions::{DeletionWatch, OptionsWatch, PromotionRequestWatch, Watch};
use crate::error::AppError;
use crate::metrics::Held;

pub struct Subscription;

/// Changes as they commit, made through any envgate process sharing the database.
#[GraphQLSubscription]
impl Subscription {
    /// changes to any data source's options in the caller's workspace, or to one data source
    async fn data_source_options_changed(
        &self,
        ctx: &Context<'_>,
        data_source_id: Option<DataSourceId>,
    ) -> async_graphql::Result<impl Stream<Item = DataSourceOptions> + use<>> {
        let events = Subscriber::new(ctx)?;
        let mut conn = ctx.conn().await?;
        let watch = OptionsWatch::start(&mut conn, ctx.caller()?, data_source_id).await?;
        drop(conn);
        Ok(events.stream(watch).map(|(kind, row)| DataSourceOptions {
            kind,
            row: row.into(),
        }))
    }

    /// ids of data sources deleted in the caller's workspace
    async fn data_source_deleted(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = ID> + use<>> {
        let events = Subscriber::new(ctx)?;
        let mut conn = ctx.conn().await?;
        let watch = DeletionWatch::start(&mut conn, ctx.caller()?).await?;
        drop(conn);
        Ok(events.stream(watch).map(|id| ID(id.to_string())))
    }

    /// promotion requests created, reviewed, decided or gone stale in the caller's workspace
    async fn promotion_request_changed(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = PromotionRequest> + use<>> {
        let events = Subscriber::new(ctx)?;
        let watch = PromotionRequestWatch::start(ctx.caller()?)?;
        Ok(events.stream(watch).map(PromotionRequest))
    }
}

/// One subscription's events, from the moment it starts, until its token expires.
struct Subscriber {
    app: AppState,
    session: Session,
    request_id: Option<String>,
    receiver: broadcast::Receiver<Event>,
}

impl Subscriber {
    /// Subscribes before the watch reads its starting state, so that nothing committed
    /// in between is missed.
    fn new(ctx: &Context<'_>) -> async_graphql::Result<Self> {
        let caller = ctx.caller()?;
        let app = ctx.app().clone();
        let receiver = app.changes.subscribe();
        Ok(Self {
            session: ctx.session()?.clone(),
            request_id: caller.request_id.clone(),
            receiver,
            app,
        })
    }

    /// What `watch` sends for each event; ends when the token expires.
    fn stream<W: Watch>(self, watch: W) -> impl Stream<Item = W::Item> + use<W> {
        let expiry = self.session.expires_at.map(|at| {
            let left = (at - chrono::Utc::now()).to_std().unwrap_or_default();
            tokio::time::sleep(left)
        });
        let expired = async move {
            match expiry {
                Some(sleep) => sleep.await,
                None => std::future::pending().await,
            }
        };
        let active = Held::new(&self.app.metrics.subscriptions);
        let state = State {
            subscriber: self,
            watch,
            queue: VecDeque::new(),
            missed: false,
            _active: active,
        };
        futures_util::stream::unfold(state, State::next).take_until(expired)
    }
}

struct State<W: Watch> {
    subscriber: Subscriber,
    watch: W,
    queue: VecDeque<W::Item>,
    /// An event could not be read (the database was unreachable): the next one
    /// re-reads everything.
    missed: bool,
    _active: Held,
}

impl<W: Watch> State<W> {
    async fn next(mut self) -> Option<(W::Item, Self)> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some((item, self));
            }
            let event = match self.subscriber.receiver.recv().await {
                Ok(_) if self.missed => Event::Resync,
                Ok(event) => event,
                Err(RecvError::Lagged(_)) => Event::Resync,
                Err(RecvError::Closed) => return None,
            };
            let subscriber = &self.subscriber;
            // The edition as of this event: a lapsed license stops sending the
            // environments it unlocked.
            let caller = Caller::new(
                &subscriber.session,
                subscriber.app.multi_environment(),
                subscriber.request_id.clone(),
            );
            match self.watch.on(&subscriber.app.pool, &caller, &event).await {
                Ok(items) => {
                    self.missed = false;
                    self.queue.extend(items);
                }
                Err(error) => {
                    if let AppError::Internal(detail) = &error {
                        tracing::error!(
                            error = format!("{detail:#}"),
                            "reading a change for a subscriber"
                        );
                    }
                    self.missed = true;
                }
            }
        }
    }
}
