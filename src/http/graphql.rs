//! GraphQL over HTTP, as the GraphQL-over-HTTP spec and the graphql-http audit want it:
//! `application/graphql-response+json` when the client accepts it (400 for requests
//! that can't run), `application/json` otherwise (and when `Accept` is missing),
//! queries over GET, mutations over POST only.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::HttpState;
use super::persisted::Refusal;
use crate::db::replicas::{CONSISTENCY_HEADER, Lsn};
use crate::graphql::{
    Authentication, Prepared, ReadAfter, RequestId, Splice, refused, response_json,
};
use crate::metrics::{Operation, Outcome};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type the response is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphQLResponseJson,
    Json,
}

impl MediaType {
    /// The type the `Accept` header asks for; `None` when it accepts neither.
    fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
            return Some(Self::Json);
        };
        let ranges: Vec<&str> = accept
            .split(',')
            .map(|r| r.split(';').next().unwrap_or_default().trim())
            .collect();
        if ranges
            .iter()
            .any(|r| r.eq_ignore_ascii_case(GRAPHQL_RESPONSE_JSON))
        {
            Some(Self::GraphQLResponseJson)
        } else if ranges.iter().any(|r| {
            r.eq_ignore_ascii_case(JSON)
                || *r == "*/*"
                || r.eq_ignore_ascii_case("application/*")
                || r.is_empty()
        }) {
            Some(Self::Json)
        } else {
            None
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphQLResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// A GraphQL-shaped error response for a request that never reached execution.
fn request_error(media: MediaType, status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        body.to_string(),
    )
        .into_response()
}

fn not_acceptable() -> Response {
    request_error(
        MediaType::Json,
        StatusCode::NOT_ACCEPTABLE,
        "BAD_REQUEST",
        "Accept application/graphql-response+json or application/json.",
    )
}

/// Any path that is not served.
pub async fn not_found() -> Response {
    request_error(
        MediaType::Json,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "Nothing is served here: GraphQL is at /graphql.",
    )
}

/// A method a route does not take.
pub async fn method_not_allowed() -> Response {
    request_error(
        MediaType::Json,
        StatusCode::METHOD_NOT_ALLOWED,
        "BAD_REQUEST",
        "Use GET or POST.",
    )
}

/// `POST /graphql` with a JSON body.
pub async fn post(
    State(state): State<Arc<HttpState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(media) = MediaType::negotiate(&headers) else {
        return not_acceptable();
    };
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            return request_error(
                media,
                rejection.status(),
                "BAD_REQUEST",
                &rejection.body_text(),
            );
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case(JSON) {
        let message = if content_type.is_empty() {
            "Send the request with `Content-Type: application/json`."
        } else {
            "Unsupported Content-Type: send application/json."
        };
        return request_error(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_REQUEST",
            message,
        );
    }
    let params = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(params)) => params,
        Ok(_) => return bad_request(media, "The request body must be a JSON object."),
        Err(_) => return bad_request(media, "The request body is not valid JSON."),
    };
    match Params::from_json(params) {
        Ok(params) => execute(&state, &headers, media, params, Method::POST).await,
        Err(message) => bad_request(media, &message),
    }
}

/// `GET /graphql`: a WebSocket upgrade, the playground for a browser, or a query.
pub async fn get(State(state): State<Arc<HttpState>>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    if parts
        .headers
        .get(header::UPGRADE)
        .is_some_and(|u| u.as_bytes().eq_ignore_ascii_case(b"websocket"))
    {
        return super::websocket::upgrade(&state, &mut parts).await;
    }
    let query = parts.uri.query().unwrap_or_default();
    let accepts_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if accepts_html && !query.contains("query=") {
        return super::playground::page(State(state), parts.headers).await;
    }
    let Some(media) = MediaType::negotiate(&parts.headers) else {
        return not_acceptable();
    };
    let pairs: Vec<(String, String)> = match serde_urlencoded_pairs(query) {
        Some(pairs) => pairs,
        None => return bad_request(media, "The query string is malformed."),
    };
    match Params::from_query_string(pairs) {
        Ok(params) => execute(&state, &parts.headers, media, params, Method::GET).await,
        Err(message) => bad_request(media, &message),
    }
}

fn serde_urlencoded_pairs(query: &str) -> Option<Vec<(String, String)>> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&format!("/?{query}").parse().ok()?)
        .ok()
        .map(|q| q.0)
}

/// A request that can't run is 400 for clients that understand
/// graphql-response+json, and 200 (with errors) for plain JSON clients.
fn request_error_status(media: MediaType) -> StatusCode {
    match media {
        MediaType::GraphQLResponseJson => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    }
}

fn bad_request(media: MediaType, message: &str) -> Response {
    request_error(media, StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

/// The parameters of a GraphQL request, checked for shape.
struct Params {
    /// Missing when the request names a persisted query by its hash.
    query: Option<String>,
    operation_name: Option<String>,
    variables: Map<String, Value>,
    extensions: Map<String, Value>,
}

impl Params {
    fn from_json(mut body: Map<String, Value>) -> Result<Self, String> {
        let query = match body.remove("query") {
            Some(Value::String(q)) => Some(q),
            None | Some(Value::Null) => None,
            Some(_) => return Err("The `query` parameter must be a string.".into()),
        };
        let operation_name = match body.remove("operationName") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name),
            Some(_) => return Err("The `operationName` parameter must be a string.".into()),
        };
        Ok(Self {
            query,
            operation_name,
            variables: object_param(body.remove("variables"), "variables")?,
            extensions: object_param(body.remove("extensions"), "extensions")?,
        })
    }

    /// The GraphQL request of these parameters, running `query`; `None` when an
    /// extension's value is not one GraphQL can hold.
    fn into_request(self, query: &str) -> Option<async_graphql::Request> {
        let mut request = async_graphql::Request::new(query).variables(
            async_graphql::Variables::from_json(Value::Object(self.variables)),
        );
        if let Some(name) = self.operation_name {
            request = request.operation_name(name);
        }
        for (name, value) in self.extensions {
            let value = async_graphql::Value::from_json(value).ok()?;
            request.extensions.0.insert(name, value);
        }
        Some(request)
    }

    fn from_query_string(pairs: Vec<(String, String)>) -> Result<Self, String> {
        let mut body = Map::new();
        for (key, value) in pairs {
            let value = match key.as_str() {
                "query" | "operationName" => Value::String(value),
                "variables" | "extensions" => serde_json::from_str(&value)
                    .map_err(|_| format!("The `{key}` parameter must be a JSON-encoded object."))?,
                _ => continue,
            };
            body.insert(key, value);
        }
        Self::from_json(body)
    }
}

fn object_param(value: Option<Value>, name: &str) -> Result<Map<String, Value>, String> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(format!("The `{name}` parameter must be an object.")),
    }
}

/// Checks the operation a request selects before it runs: subscriptions need a
/// WebSocket, GET may not run a mutation (405), and every required variable must be
/// given (a request error, not a field error halfway through). A document that names
/// no runnable operation is left for validation to report.
fn precheck(
    request: &async_graphql::Request,
    prepared: &Prepared,
    method: &Method,
    media: MediaType,
) -> Result<Option<OperationType>, Box<Response>> {
    let variables = &request.variables;
    let plan = prepared.plan();
    let Some(operation) = plan.operation(request.operation_name.as_deref()) else {
        return Ok(None);
    };
    let operation = &operation.definition.node;
    if operation.ty == OperationType::Subscription {
        return Err(Box::new(request_error(
            media,
            request_error_status(media),
            "BAD_REQUEST",
            "Subscriptions run over a WebSocket at /graphql (graphql-transport-ws or graphql-ws), not over HTTP.",
        )));
    }
    if *method == Method::GET && operation.ty != OperationType::Query {
        let mut response = request_error(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_REQUEST",
            "Mutations must be sent with POST.",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return Err(Box::new(response));
    }
    let Some(missing) = operation
        .variable_definitions
        .iter()
        .map(|d| &d.node)
        .find(|d| {
            !d.var_type.node.nullable
                && d.default_value.is_none()
                && variables
                    .get(&d.name.node)
                    .is_none_or(|v| *v == async_graphql::Value::Null)
        })
    else {
        return Ok(Some(operation.ty));
    };
    let message = format!(
        "Variable `${}` of type `{}` is required, but no value was given.",
        missing.name.node, missing.var_type.node
    );
    Err(Box::new(request_error(
        media,
        request_error_status(media),
        "GRAPHQL_VALIDATION_FAILED",
        &message,
    )))
}

async fn execute(
    state: &HttpState,
    headers: &HeaderMap,
    media: MediaType,
    params: Params,
    method: Method,
) -> Response {
    let started = std::time::Instant::now();
    let mut recorded = Recorded {
        operation: Operation::Unknown,
        outcome: Outcome::Error,
    };
    let response = run(state, headers, media, params, method, &mut recorded).await;
    state
        .app
        .metrics
        .request(recorded.operation, recorded.outcome, started.elapsed());
    response
}

/// What `/metrics` learns of a request.
struct Recorded {
    operation: Operation,
    outcome: Outcome,
}

async fn run(
    state: &HttpState,
    headers: &HeaderMap,
    media: MediaType,
    mut params: Params,
    method: Method,
    recorded: &mut Recorded,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let session = state.app.authenticate(authorization).await;
    // Only a caller with a valid token may add to the persisted queries.
    let persisted =
        state
            .persisted
            .resolve(params.query.take(), &params.extensions, session.is_ok());
    let query = match persisted {
        Ok(query) => query,
        Err(Refusal::NotFound) => {
            return request_error(
                media,
                request_error_status(media),
                "PERSISTED_QUERY_NOT_FOUND",
                "PersistedQueryNotFound",
            );
        }
        Err(Refusal::BadRequest(message)) => return bad_request(media, message),
    };
    let Some(request) = params.into_request(&query) else {
        return bad_request(media, "The request parameters are malformed.");
    };
    // The response is written by `response_json`, so lists may be written ahead.
    let mut request = Authentication::new(session)
        .attach(request)
        .data(request_id(headers))
        .data(Splice);
    if let Some(lsn) = headers
        .get(CONSISTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(Lsn::parse)
    {
        request = request.data(ReadAfter(lsn));
    }
    let prepared = match state.schema.parse(&request, None) {
        Ok(prepared) => prepared,
        Err(error) => return failed_request(media, &refused(error)),
    };
    match precheck(&request, &prepared, &method, media) {
        Ok(Some(operation)) => recorded.operation = operation.into(),
        Ok(None) => {}
        Err(refused) => return *refused,
    }

    let Ok(response) = tokio::time::timeout(
        super::EXECUTION_TIMEOUT,
        state.schema.execute_parsed(request, prepared),
    )
    .await
    else {
        tracing::warn!(
            "a GraphQL request ran past {:?} and was stopped",
            super::EXECUTION_TIMEOUT
        );
        return request_error(
            media,
            StatusCode::SERVICE_UNAVAILABLE,
            "INTERNAL_SERVER_ERROR",
            "The request took too long and was stopped; nothing it had not finished was saved.",
        );
    };
    if response.is_ok() {
        recorded.outcome = Outcome::Ok;
    }

    // A request that failed before execution (parse, validation, no operation) has
    // errors outside any field.
    let request_failed = response.data == async_graphql::Value::Null
        && response.is_err()
        && response.errors.iter().all(|e| e.path.is_empty());
    if request_failed {
        return failed_request(media, &response);
    }
    match response_json(&response) {
        Ok(body) => (
            StatusCode::OK,
            response.http_headers,
            [(header::CONTENT_TYPE, media.content_type())],
            body,
        )
            .into_response(),
        Err(e) => serialization_failed(media, &e),
    }
}

/// The answer to a request that failed before execution: no `data` entry, and 400
/// when the client understands graphql-response+json.
fn failed_request(media: MediaType, response: &async_graphql::Response) -> Response {
    match serde_json::to_vec(&json!({ "errors": response.errors })) {
        Ok(body) => (
            request_error_status(media),
            [(header::CONTENT_TYPE, media.content_type())],
            body,
        )
            .into_response(),
        Err(e) => serialization_failed(media, &e),
    }
}

fn serialization_failed(media: MediaType, error: &serde_json::Error) -> Response {
    tracing::error!(error = %error, "serializing a GraphQL response");
    request_error(
        media,
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
        crate::error::INTERNAL_MESSAGE,
    )
}

/// The request's `x-request-id`, as the router assigned it (see `assign_request_id`).
pub(super) fn request_id(headers: &HeaderMap) -> RequestId {
    let id = headers.get("x-request-id").and_then(|v| v.to_str().ok());
    RequestId(id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned))
}
