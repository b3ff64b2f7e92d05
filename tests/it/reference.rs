//! The equivalence test over the whole suite. Every GraphQL query a test POSTs through
//! [`TestApp::request`] (so every [`TestApp::gql`] query too) is answered a second time,
//! right after the first answer, by an app beside the tested one (the same database,
//! master key, licensing and settings) asking for the [`Reference`] answer: every object
//! through its type's ordinary async-graphql resolver, nothing resolved in place or
//! written ahead as JSON. The two bodies must be the same bytes, or the test that sent
//! the query fails, showing both.
//!
//! What a test observes does not change: the reference app has a pool, statement
//! counter and metrics of its own, the session comes from the tested app's verifier
//! (which, for envgate's own tokens, fetches nothing), and the documents that would
//! write (`resolveDataSource` writes an audit row) are not run again. What is not
//! compared, and why, is in [`Skip`]. `ENVGATE_TEST_REFERENCE_LOG=<file>` appends one
//! line per request to that file: compared, or why not.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use axum::body::Bytes;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use serde_json::{Map, Value};

use envgate::app::AppState;
use envgate::db::replicas::{CONSISTENCY_HEADER, Lsn};
use envgate::graphql::{
    Authentication, EnvgateSchema, ReadAfter, Reference, RequestId, Splice, refused, response_json,
};

use crate::common::{TestApp, TestResponse};

/// The longest a reference answer may take: past it the test fails rather than hangs.
const BOUND: Duration = Duration::from_secs(30);

/// Queries compared over the whole run of the suite.
static COMPARED: AtomicU64 = AtomicU64::new(0);

/// What runs against one test database (every [`TestApp`] over it shares this), so that
/// a query is compared only when nothing else could have changed what it reads between
/// its answer and its reference answer: no other request through any of those apps,
/// no lock held by the test, no `serve` process the test started over it.
#[derive(Default)]
pub struct Activity {
    /// Bumped by every request started and every lock taken.
    events: AtomicU64,
    /// Requests running now.
    running: AtomicUsize,
    /// Locks the test holds and processes it runs over the database now.
    held: Arc<AtomicUsize>,
}

impl Activity {
    /// A request starts; it is done when the value is dropped.
    pub fn start(&self) -> Running<'_> {
        let event = self.events.fetch_add(1, Ordering::SeqCst);
        let others = self.running.fetch_add(1, Ordering::SeqCst);
        Running {
            activity: self,
            event,
            alone_at_start: others == 0 && self.held.load(Ordering::SeqCst) == 0,
        }
    }

    /// The test takes a lock (a transaction of its own); it lets go when the value is
    /// dropped.
    pub fn hold(&self) -> Holding {
        self.events.fetch_add(1, Ordering::SeqCst);
        self.held.fetch_add(1, Ordering::SeqCst);
        Holding(self.held.clone())
    }
}

/// A request running through a [`TestApp`].
pub struct Running<'a> {
    activity: &'a Activity,
    /// Its place among the database's events.
    event: u64,
    alone_at_start: bool,
}

impl Running<'_> {
    /// Whether nothing else ran against the database since the request started: no
    /// other request was running or started, no lock was held or taken.
    fn alone(&self) -> bool {
        self.alone_at_start
            && self.activity.events.load(Ordering::SeqCst) == self.event + 1
            && self.activity.held.load(Ordering::SeqCst) == 0
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.activity.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A lock the test holds (see [`Activity::hold`]), or a process it started that may
/// write to the database (see [`process_over`]).
pub struct Holding(Arc<AtomicUsize>);

impl Drop for Holding {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The activity of every test database alive, by name.
static DATABASES: Mutex<BTreeMap<String, Weak<Activity>>> = Mutex::new(BTreeMap::new());

/// Makes a test database's activity findable by its name (see [`process_over`]).
pub fn register(name: &str, activity: &Arc<Activity>) {
    let mut databases = DATABASES.lock().unwrap_or_else(|p| p.into_inner());
    databases.insert(name.to_owned(), Arc::downgrade(activity));
}

/// Forgets a test database that is dropped.
pub fn unregister(name: &str) {
    let mut databases = DATABASES.lock().unwrap_or_else(|p| p.into_inner());
    databases.remove(name);
}

/// A process the test starts over the database at `url` (a `serve`, whose scheduler
/// writes when it likes): held as a lock for as long as it runs, when that database is
/// a test database.
pub fn process_over(url: &str) -> Option<Holding> {
    let path = url.split('?').next()?;
    let (_, name) = path.rsplit_once('/')?;
    let databases = DATABASES.lock().unwrap_or_else(|p| p.into_inner());
    let activity = databases.get(name)?.upgrade()?;
    Some(activity.hold())
}

/// The app that answers the reference way, made once per [`TestApp`] on first use.
pub type Lazy = tokio::sync::OnceCell<ReferenceApp>;

/// An app beside the tested one whose requests all carry [`Reference`].
pub struct ReferenceApp {
    /// Its own pool, statement counter and metrics; no verifier (the tested app's
    /// verifies), no listener.
    pub app: AppState,
    schema: EnvgateSchema,
    /// Queries compared with its answers.
    compared: AtomicUsize,
}

impl ReferenceApp {
    /// The reference app over `app`.
    pub fn new(app: AppState) -> Self {
        Self {
            schema: envgate::schema(app.clone()),
            app,
            compared: AtomicUsize::new(0),
        }
    }

    /// How many queries were compared with their reference answer so far.
    pub fn compared(&self) -> usize {
        self.compared.load(Ordering::SeqCst)
    }

    /// The body of the reference answer to `query`, as HTTP writes it: the session the
    /// tested app's verifier gives its token (admitted into this app), the transport's
    /// data, and [`Reference`].
    async fn answer(&self, tested: &AppState, query: &Query) -> String {
        let session = match tested
            .tokens
            .authenticate(query.authorization.as_deref())
            .await
        {
            Ok(session) => self.app.admit(session).await,
            Err(error) => Err(error),
        };
        let mut request = async_graphql::Request::new(&query.text).variables(
            async_graphql::Variables::from_json(Value::Object(query.variables.clone())),
        );
        if let Some(name) = &query.operation_name {
            request = request.operation_name(name);
        }
        for (name, value) in &query.extensions {
            let value = async_graphql::Value::from_json(value.clone()).unwrap();
            request.extensions.0.insert(name.clone(), value);
        }
        let mut request = Authentication::new(session)
            .attach(request)
            .data(Splice)
            .data(Reference);
        if let Some(id) = &query.request_id {
            request = request.data(RequestId(id.clone()));
        }
        if let Some(lsn) = query.read_after {
            request = request.data(ReadAfter(lsn));
        }
        let response = match self.schema.parse(&request, None) {
            Ok(document) => self.schema.execute_parsed(request, document).await,
            Err(error) => refused(error),
        };
        String::from_utf8(response_json(&response).unwrap()).unwrap()
    }
}

/// Why a request's answer is not compared with a reference answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// Not a POST of JSON to `/graphql` (GET queries, health, metrics, the playground),
    /// or one whose body streams (a test of a stalled body).
    NotAGraphQlPost,
    /// Not answered 200 with JSON: refused by the transport.
    NotAnswered,
    /// Named by its hash only (a persisted query): the reference app keeps none.
    NoQueryText,
    /// Refused before it ran (parse, validation, a missing variable): no resolver ran.
    Refused,
    /// The operation it runs is a mutation or a subscription: running it again would
    /// write again.
    NotAQuery,
    /// The document asks `resolveDataSource`, which writes an audit row.
    WritesAnAuditRow,
    /// A token of the identity provider: verifying it again may fetch the provider's
    /// keys, which tests count.
    ProviderToken,
    /// Something else ran against the database meanwhile (another request, a lock the
    /// test holds): the reference could read another state.
    Overlapped,
}

/// A query request to answer again.
struct Query {
    text: String,
    operation_name: Option<String>,
    variables: Map<String, Value>,
    extensions: Map<String, Value>,
    authorization: Option<String>,
    request_id: Option<String>,
    read_after: Option<Lsn>,
}

impl Query {
    /// The query request `parts` and `sent` make, answered with `response`; or why it
    /// is not compared.
    fn of(
        tested: &TestApp,
        parts: &Parts,
        sent: Option<&Bytes>,
        response: &TestResponse,
        running: &Running<'_>,
    ) -> Result<Self, Skip> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let json_body = header(header::CONTENT_TYPE.as_str()).is_some_and(|t| {
            t.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
        let graphql_post = parts.method == Method::POST && parts.uri.path() == "/graphql";
        let (true, true, Some(sent)) = (graphql_post, json_body, sent) else {
            return Err(Skip::NotAGraphQlPost);
        };
        let answered_json = ["application/json", "application/graphql-response+json"]
            .iter()
            .any(|t| response.content_type().starts_with(t));
        if response.status != StatusCode::OK || !answered_json {
            return Err(Skip::NotAnswered);
        }
        let Ok(Value::Object(mut body)) = serde_json::from_slice::<Value>(sent) else {
            return Err(Skip::NotAnswered);
        };
        let Some(Value::String(text)) = body.remove("query") else {
            return Err(Skip::NoQueryText);
        };
        // An answer the schema gave (not the transport's refusal) starts with `data`.
        if !response.body.starts_with(r#"{"data":"#) {
            return Err(Skip::Refused);
        }
        let operation_name = match body.remove("operationName") {
            Some(Value::String(name)) => Some(name),
            _ => None,
        };
        let object = |value: Option<Value>| match value {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let document = async_graphql::parser::parse_query(&text).map_err(|_| Skip::Refused)?;
        match operation_type(&document, operation_name.as_deref()) {
            Some(OperationType::Query) => {}
            Some(_) => return Err(Skip::NotAQuery),
            None => return Err(Skip::Refused),
        }
        if asks(&document, "resolveDataSource") {
            return Err(Skip::WritesAnAuditRow);
        }
        let authorization = header(header::AUTHORIZATION.as_str());
        if tested.app.tokens.identity_provider().is_some()
            && provider_signed(authorization.as_deref())
        {
            return Err(Skip::ProviderToken);
        }
        if !running.alone() {
            return Err(Skip::Overlapped);
        }
        Ok(Self {
            text,
            operation_name,
            variables: object(body.remove("variables")),
            extensions: object(body.remove("extensions")),
            authorization,
            // The id the router gave the request, as the audit log would record it.
            request_id: response
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            read_after: header(CONSISTENCY_HEADER).as_deref().and_then(Lsn::parse),
        })
    }
}

/// The type of the operation a request runs, chosen as HTTP chooses it (by name, or the
/// only one); `None` when it names none.
pub fn operation_type(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        _ => None,
    };
    operation.map(|operation| operation.node.ty)
}

/// Whether any selection of `document` (its operations and fragments) asks `field`.
pub fn asks(document: &ExecutableDocument, field: &str) -> bool {
    fn in_set(set: &SelectionSet, field: &str) -> bool {
        set.items.iter().any(|selection| match &selection.node {
            Selection::Field(f) => {
                f.node.name.node == field || in_set(&f.node.selection_set.node, field)
            }
            Selection::FragmentSpread(_) => false,
            Selection::InlineFragment(inline) => in_set(&inline.node.selection_set.node, field),
        })
    }
    document
        .operations
        .iter()
        .any(|(_, operation)| in_set(&operation.node.selection_set.node, field))
        || document
            .fragments
            .values()
            .any(|fragment| in_set(&fragment.node.selection_set.node, field))
}

/// Whether the bearer token of `authorization` is signed with a key pair (the identity
/// provider's) rather than a shared secret.
fn provider_signed(authorization: Option<&str>) -> bool {
    authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .and_then(|token| jsonwebtoken::decode_header(token.trim()).ok())
        .is_some_and(|header| {
            !matches!(
                header.alg,
                jsonwebtoken::Algorithm::HS256
                    | jsonwebtoken::Algorithm::HS384
                    | jsonwebtoken::Algorithm::HS512
            )
        })
}

/// Answers again, the reference way, the query request that `parts` and `sent` made and
/// `response` answered, and fails unless both bodies are the same bytes. `running` is
/// the request, still counted as running until this returns.
pub async fn check(
    tested: &TestApp,
    parts: &Parts,
    sent: Option<&Bytes>,
    response: &TestResponse,
    running: Running<'_>,
) {
    let query = match Query::of(tested, parts, sent, response, &running) {
        Ok(query) => query,
        Err(skip) => return log(&format!("{skip:?}")),
    };
    let reference = tested.reference().await;
    let Ok(answer) = tokio::time::timeout(BOUND, reference.answer(&tested.app, &query)).await
    else {
        panic!(
            "the reference answer to this query took more than {BOUND:?}: {}",
            query.text
        );
    };
    if !running.alone() {
        return log(&format!("{:?}", Skip::Overlapped));
    }
    assert_same_answer(
        &query.text,
        &Value::Object(query.variables),
        &response.body,
        &answer,
    );
    reference.compared.fetch_add(1, Ordering::SeqCst);
    let total = COMPARED.fetch_add(1, Ordering::SeqCst) + 1;
    log(&format!("compared ({total} so far)"));
}

/// Fails, showing the query and both bodies, unless `answered` and `reference` are the
/// same bytes.
pub fn assert_same_answer(query: &str, variables: &Value, answered: &str, reference: &str) {
    assert!(
        answered == reference,
        "the answer to a query differs from its reference answer (every object through its \
         ordinary resolver)\nquery: {query}\nvariables: {variables}\nanswered:  {answered}\n\
         reference: {reference}"
    );
}

/// Appends `line` to `ENVGATE_TEST_REFERENCE_LOG`, when it is set.
fn log(line: &str) {
    let Some(path) = std::env::var_os("ENVGATE_TEST_REFERENCE_LOG") else {
        return;
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut file) = file {
        // One write per line: lines of tests running at once do not interleave.
        let _ = file.write_all(format!("{line}\n").as_bytes());
    }
}
