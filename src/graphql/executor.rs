//! The schema as the transports run it. What every request needs around execution is
//! done here, once per request, rather than in async-graphql extensions: with any
//! extension registered, async-graphql wraps every field and list item it resolves in
//! the extension chain (a registry lookup, a boxed future per extension, a type name
//! allocated per list item), which was a large share of a builder read's CPU.

use std::sync::Arc;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
};
use async_graphql::{Data, Executor, Positioned, Request, Response, Schema};
use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;

use super::{Mutation, Query, Subscription, extensions, field_order, loaders};
use crate::app::AppState;

/// The envgate schema: async-graphql's, with the caller and fresh loaders attached to
/// every request, fields put in the order they were asked for, and every error given
/// an `extensions.code`.
#[derive(Clone)]
pub struct EnvgateSchema {
    schema: Schema<Query, Mutation, Subscription>,
    app: AppState,
}

impl EnvgateSchema {
    pub(super) fn new(schema: Schema<Query, Mutation, Subscription>, app: AppState) -> Self {
        Self { schema, app }
    }

    /// Runs one request (HTTP: its authentication is in the request's data).
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        let (request, document) = self.prepare(request.into(), None);
        let operation_name = request.operation_name.clone();
        let response = self.schema.execute(request).await;
        finish(response, document.as_ref(), operation_name.as_deref())
    }

    /// Parses the request once (the schema reuses the parsed document) and attaches
    /// the caller and the loaders; returns the document to order the response by.
    fn prepare(
        &self,
        mut request: Request,
        connection: Option<&Data>,
    ) -> (Request, Option<ExecutableDocument>) {
        let document = request.parsed_query().ok().cloned();
        // A mutation reads what it wrote; each event of a subscription reads afresh.
        let uncached = document
            .as_ref()
            .and_then(|d| operation(d, request.operation_name.as_deref()))
            .is_some_and(|o| o.node.ty != OperationType::Query);
        let request = loaders::attach(request, &self.app, connection, uncached);
        (request, document)
    }
}

/// The operation of `document` that runs for `operation_name`.
pub(super) fn operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) => operations.values().next(),
    }
}

/// Orders the response's fields and codes its errors. `document` is `None` when the
/// request did not parse.
fn finish(
    mut response: Response,
    document: Option<&ExecutableDocument>,
    operation_name: Option<&str>,
) -> Response {
    if let Some(document) = document {
        field_order::reorder(&mut response.data, document, operation_name);
    }
    extensions::with_codes(response, document.is_some())
}

impl Executor for EnvgateSchema {
    async fn execute(&self, request: Request) -> Response {
        EnvgateSchema::execute(self, request).await
    }

    /// A WebSocket operation: its authentication is in the connection's data.
    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let (request, document) = self.prepare(request, session_data.as_deref());
        let operation_name = request.operation_name.clone();
        self.schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(move |response| finish(response, document.as_ref(), operation_name.as_deref()))
            .boxed()
    }
}
