//! The schema as the transports run it. What every request needs around execution is
//! done here, once per request, rather than in async-graphql extensions: with any
//! extension registered, async-graphql wraps every field and list item it resolves in
//! the extension chain (a registry lookup, a boxed future per extension, a type name
//! allocated per list item), which was a large share of a builder read's CPU.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response, Schema, ServerError};
use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;
use tracing::Instrument as _;

use super::cache::{Lookup, ResponseCache};
use super::documents::Documents;
use super::limits::WebSocketPlaces;
use super::plan::{Prepared, RequestPlan, Types};
use super::{
    Authentication, Mutation, Query, ReadAfter, Reference, RequestId, Splice, Subscription,
    extensions, loaders,
};
use crate::app::{AppState, Reads};
use crate::db::replicas::{CONSISTENCY_HEADER, Lsn, ReadFrom, Replicas};
use crate::traces;
use axum::http::HeaderValue;
use uuid::Uuid;

/// The envgate schema: async-graphql's, with the caller and fresh loaders attached to
/// every request, fields put in the order they were asked for, and every error given
/// an `extensions.code`.
#[derive(Clone)]
pub struct EnvgateSchema {
    schema: Schema<Query, Mutation, Subscription>,
    app: AppState,
    documents: Arc<Documents>,
    cache: Arc<ResponseCache>,
}

impl EnvgateSchema {
    pub(super) fn new(schema: Schema<Query, Mutation, Subscription>, app: AppState) -> Self {
        let cache = ResponseCache::new(app.settings.response_cache, app.metrics.clone());
        Self {
            schema,
            app,
            documents: Arc::new(Documents::new(Types::of::<Query, Mutation, Subscription>())),
            cache: Arc::new(cache),
        }
    }

    /// Runs one request (HTTP: its authentication is in the request's data).
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        let request = request.into();
        match self.parse(&request, None) {
            Ok(document) => self.execute_parsed(request, document).await,
            Err(error) => refused(error),
        }
    }

    /// Gives the request its parsed document and plan (remembered by query text for
    /// callers with a valid token) and returns them, once its variables, text and document are
    /// within the [`Limits`](super::Limits); or the error that refuses it (a parse
    /// failure, or a limit passed). HTTP parses first to check the operation, then
    /// runs [`Self::execute_parsed`].
    pub fn parse(
        &self,
        request: &Request,
        connection: Option<&Data>,
    ) -> Result<Arc<Prepared>, ServerError> {
        let limits = &self.app.settings.limits;
        limits.check_variables(&request.variables)?;
        let may_store = loaders::session(&request.data, connection).is_some();
        self.documents.parse(&request.query, limits, may_store)
    }

    /// Runs a request [`Self::parse`] gave its `prepared` document. A mutation's answer names
    /// its writes' position in `x-envgate-consistency`; with read replicas, a query
    /// reads from one that has replayed what it must see (waiting a moment for one). A
    /// query whose answer the response cache holds at the workspace's current
    /// generation is answered from it.
    pub async fn execute_parsed(&self, request: Request, prepared: Arc<Prepared>) -> Response {
        let plan = RequestPlan::new(&prepared, request.operation_name.as_deref());
        let ty = plan.as_ref().map(|plan| plan.operation().ty());
        let span = traces::operation_span(ty, request.operation_name.as_deref());
        let reads = match self.app.replicas() {
            Some(replicas) if ty == Some(OperationType::Query) => {
                let needed = self.needed(replicas, &request.data, None);
                Some(self.reads(replicas.read_from(needed).await))
            }
            _ => None,
        };
        let lookup = match self.cached(&request, plan.as_ref(), reads.as_ref()).await {
            Some(Ok(kept)) => return kept,
            Some(Err(lookup)) => Some(lookup),
            None => None,
        };
        let wrote_in = self.wrote_in(ty, &request.data, None, true);
        let retry = reads
            .as_ref()
            .and_then(Reads::replica_index)
            .map(|index| (index, Retry::of(&request)));
        let request = self.prepare(request, &prepared, plan.as_ref(), None, reads);
        let mut response = self.schema.execute(request).instrument(span.clone()).await;
        if let Some((index, retry)) = retry
            && failed_inside(&response)
            && let Some(replicas) = self.app.replicas()
        {
            // A replica that went away mid-read (stopped, restarted, cut off): the query
            // reads nothing it would not read again, so it runs once more on the primary.
            replicas.failed(index);
            let request = self.prepare(retry.request(), &prepared, plan.as_ref(), None, None);
            response = self.schema.execute(request).instrument(span).await;
        }
        // A mutation refused before it ran (validation, limits) wrote nothing, and its
        // answer carries no header: no position is read for it.
        let wrote_in = wrote_in.filter(|_| !refused_before_running(&response));
        if let Some(lsn) = self.written(wrote_in).await {
            match HeaderValue::from_str(&lsn.to_string()) {
                Ok(value) => drop(response.http_headers.insert(CONSISTENCY_HEADER, value)),
                Err(error) => tracing::error!(%error, "a WAL position as a header"),
            }
        }
        let response = finish(response, plan.as_ref());
        match lookup {
            Some(lookup) => self.cache.keep(lookup, response),
            None => response,
        }
    }

    /// The kept answer of an HTTP query, or the lookup to keep its answer with; `None`
    /// when its answer is not to be kept (see [`super::cache`]). The workspace's
    /// generation is read through `reads` (the primary when `None`), where the query
    /// would read its rows.
    async fn cached(
        &self,
        request: &Request,
        plan: Option<&RequestPlan>,
        reads: Option<&Reads>,
    ) -> Option<Result<Response, Lookup>> {
        // Kept answers are JSON, which only a transport writing with `response_json`
        // takes; the reference answer is always computed.
        loaders::find::<Splice>(&request.data, None)?;
        if loaders::find::<Reference>(&request.data, None).is_some() {
            return None;
        }
        let session = loaders::session(&request.data, None)?;
        session.check_expiry(chrono::Utc::now()).ok()?;
        let key = self
            .cache
            .key(request, plan?.operation(), session, self.app.edition())?;
        let conn = async {
            match reads {
                Some(reads) => reads.conn().await,
                None => self.app.conn().await,
            }
        };
        self.cache.get(key, conn).await
    }

    /// Gives the request its copy of the `prepared` document (execution edits it:
    /// skipped fields go) and its `plan`, and attaches the caller and the loaders
    /// (caching ones for a query), reading through `reads` (the primary when `None`).
    /// A request answered from the response cache never gets this far, nor pays for
    /// the copy. Without a plan (the request names no operation of its document), it
    /// fails before running.
    fn prepare(
        &self,
        mut request: Request,
        prepared: &Prepared,
        plan: Option<&RequestPlan>,
        connection: Option<&Data>,
        reads: Option<Reads>,
    ) -> Request {
        request.set_parsed_query(prepared.document().clone());
        let ty = plan.map(|plan| plan.operation().ty());
        if let Some(plan) = plan {
            request = request.data(plan.clone());
        }
        // A mutation reads what it wrote; each event of a subscription reads afresh.
        let uncached = ty.is_some_and(|ty| ty != OperationType::Query);
        loaders::attach(request, &self.app, connection, uncached, reads)
    }

    /// What a query must see: the write the client sent back, and the last one this
    /// process has seen in the caller's workspace.
    fn needed(&self, replicas: &Replicas, request: &Data, connection: Option<&Data>) -> Lsn {
        let sent = loaders::find::<ReadAfter>(request, connection).map(|r| r.0);
        let seen = loaders::session(request, connection)
            .and_then(|session| replicas.last_write(session.workspace_id));
        sent.max(seen).unwrap_or_default()
    }

    /// The reads of a query routed to `from`.
    fn reads(&self, from: ReadFrom) -> Reads {
        match from {
            ReadFrom::Replica(index, pool) => Reads::replica(&self.app, index, pool),
            ReadFrom::Primary(_) => Reads::primary(&self.app),
        }
    }

    /// The workspace a mutation writes in (`Some(None)` without a caller), when its
    /// position is wanted: for its answer's header (`for_header`, HTTP) or, with
    /// replicas, to remember as the workspace's last write.
    fn wrote_in(
        &self,
        ty: Option<OperationType>,
        request: &Data,
        connection: Option<&Data>,
        for_header: bool,
    ) -> Option<Option<Uuid>> {
        let wanted = for_header || self.app.replicas().is_some();
        (wanted && ty == Some(OperationType::Mutation))
            .then(|| loaders::session(request, connection).map(|s| s.workspace_id))
    }

    /// After a mutation (`wrote_in` from [`Self::wrote_in`]): the primary's position,
    /// past every commit it made (one statement), remembered as the workspace's last
    /// write when there are replicas.
    async fn written(&self, wrote_in: Option<Option<Uuid>>) -> Option<Lsn> {
        let wrote_in = wrote_in?;
        let lsn = Replicas::primary_position(&self.app.pool).await?;
        if let (Some(workspace), Some(replicas)) = (wrote_in, self.app.replicas()) {
            replicas.saw_write(workspace, lsn);
        }
        Some(lsn)
    }
}

/// A query's request as the transport made it, to run it again on the primary when
/// its replica failed under it. Its extensions are not kept: no async-graphql
/// extension is registered, and persisted queries are resolved before.
struct Retry {
    query: String,
    operation_name: Option<String>,
    variables: async_graphql::Variables,
    authentication: Option<Authentication>,
    request_id: Option<RequestId>,
    splice: bool,
    reference: bool,
    read_after: Option<ReadAfter>,
}

impl Retry {
    fn of(request: &Request) -> Self {
        let data = &request.data;
        Self {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: request.variables.clone(),
            authentication: loaders::find::<Authentication>(data, None).cloned(),
            request_id: loaders::find::<RequestId>(data, None).cloned(),
            splice: loaders::find::<Splice>(data, None).is_some(),
            reference: loaders::find::<Reference>(data, None).is_some(),
            read_after: loaders::find::<ReadAfter>(data, None).copied(),
        }
    }

    /// The same request again, with the transport's data.
    fn request(self) -> Request {
        let mut request = Request::new(self.query).variables(self.variables);
        request.operation_name = self.operation_name;
        if let Some(authentication) = self.authentication {
            request = request.data(authentication);
        }
        if let Some(request_id) = self.request_id {
            request = request.data(request_id);
        }
        if self.splice {
            request = request.data(Splice);
        }
        if self.reference {
            request = request.data(Reference);
        }
        if let Some(read_after) = self.read_after {
            request = request.data(read_after);
        }
        request
    }
}

/// Whether a response is a request refused before anything ran (parse, validation,
/// limits): no data, and only errors outside any field (as HTTP answers it).
fn refused_before_running(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && response.is_err()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// Whether a response holds an error from inside the server (a database failure).
fn failed_inside(response: &Response) -> bool {
    response.errors.iter().any(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .is_some_and(|code| *code == async_graphql::Value::from("INTERNAL_SERVER_ERROR"))
    })
}

/// Orders the response's fields after the plan and codes its errors.
fn finish(mut response: Response, plan: Option<&RequestPlan>) -> Response {
    if let Some(plan) = plan {
        plan.operation().root.reorder(&mut response.data);
    }
    extensions::with_codes(response, true)
}

/// The answer to a request refused before execution: its one error, coded (one
/// without a code is a parse failure).
pub fn refused(error: ServerError) -> Response {
    extensions::with_codes(Response::from_errors(vec![error]), false)
}

impl Executor for EnvgateSchema {
    async fn execute(&self, request: Request) -> Response {
        EnvgateSchema::execute(self, request).await
    }

    /// A WebSocket operation: its authentication is in the connection's data, and it
    /// holds one of the connection's operations (and, a subscription, one of its
    /// token's) while it runs.
    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let refuse = |error| futures_util::stream::once(async { refused(error) }).boxed();
        let prepared = match self.parse(&request, session_data.as_deref()) {
            Ok(prepared) => prepared,
            Err(error) => return refuse(error),
        };
        let plan = RequestPlan::new(&prepared, request.operation_name.as_deref());
        let ty = plan.as_ref().map(|plan| plan.operation().ty());
        let places = loaders::find::<WebSocketPlaces>(&request.data, session_data.as_deref())
            .map(|connection| {
                let subscription = ty == Some(OperationType::Subscription);
                self.app
                    .settings
                    .limits
                    .admit(connection, &self.app.subscriptions, subscription)
            })
            .transpose();
        let places = match places {
            Ok(places) => places,
            Err(error) => return refuse(error),
        };
        let span = traces::operation_span(ty, request.operation_name.as_deref());
        // A query over a WebSocket reads from a replica that has replayed what it must
        // see already, else from the primary (no wait: nothing is awaited here).
        let reads = match self.app.replicas() {
            Some(replicas) if ty == Some(OperationType::Query) => {
                let needed = self.needed(replicas, &request.data, session_data.as_deref());
                Some(self.reads(replicas.read_now(needed)))
            }
            _ => None,
        };
        // No header over a WebSocket: the position is read only to remember it.
        let wrote_in = self.wrote_in(ty, &request.data, session_data.as_deref(), false);
        let request = self.prepare(
            request,
            &prepared,
            plan.as_ref(),
            session_data.as_deref(),
            reads,
        );
        let responses = self
            .schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default());
        let responses = match wrote_in {
            None => responses.boxed(),
            Some(wrote_in) => {
                let this = self.clone();
                responses
                    .then(move |response| {
                        let this = this.clone();
                        async move {
                            // The caller's next reads through this process see the write.
                            this.written(Some(wrote_in)).await;
                            response
                        }
                    })
                    .boxed()
            }
        };
        traces::stream_in(responses, span)
            .map(move |response| {
                // Given back when the operation ends (its stream is dropped).
                let _held = &places;
                finish(response, plan.as_ref())
            })
            .boxed()
    }
}
