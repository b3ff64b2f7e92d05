//! Testing a data source's connection in one environment: a real connection attempt
//! for every kind, through the egress guard, within [`TIMEOUT`], at most
//! [`rate_limit::PER_MINUTE`] a minute per workspace, with a message that never
//! contains a secret.
//!
//! One result type and one redaction path for every kind; a server that refuses the
//! connection, does not answer or cannot be routed to gets one message, answered when
//! the timeout is over, so neither the message nor its timing maps ports.

mod egress;
mod mongodb;
mod mysql;
mod postgres;
pub mod rate_limit;
mod relay;
mod rest;
mod tls;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::time::Instant;
use tracing::Instrument as _;
use uuid::Uuid;

pub use self::egress::Allow;
use self::rate_limit::RateLimiter;
use crate::db::Conn;
use crate::domain::Caller;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::data_sources::{Decrypted, TestTarget};
use crate::error::AppResult;
use crate::traces;

/// How long a connection attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The outcome shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionTestResult {
    pub ok: bool,
    /// False when the server can't test this data source at all (a setting the test
    /// does not support): `ok` is then false without a failure.
    pub supported: bool,
    pub message: String,
    pub latency_ms: Option<i32>,
}

/// What the server lets connection tests do: where they may go and how often.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Addresses tests may reach despite the egress guard.
    pub allow: Allow,
    limiter: Arc<RateLimiter>,
}

impl Policy {
    /// Tests may reach what `allow` lets through, at the usual rate.
    pub fn new(allow: Allow) -> Self {
        Self {
            allow,
            limiter: Arc::default(),
        }
    }
}

impl Default for Policy {
    /// The development policy: 127.0.0.1 allowed.
    fn default() -> Self {
        Self::new(Allow::development())
    }
}

/// Why a test did not connect; each kind's test answers with one of these.
#[derive(Debug)]
enum Failure {
    /// Refused, unreachable or timed out: one message for all three.
    Unreachable,
    /// The server answered, the settings are wrong or the egress guard refused every
    /// address of the host: the reason in words.
    Failed(String),
    /// A setting the test cannot try from the server.
    Unsupported(String),
}

/// Success: what the test connected to, in words; or why it did not.
type Outcome = Result<String, Failure>;

/// Tries to connect with the decrypted options of a data source, as `policy` allows;
/// no secret text of them is ever in the message.
pub async fn run(
    policy: &Policy,
    workspace_id: Uuid,
    decrypted: &Decrypted,
) -> ConnectionTestResult {
    if let Err(wait) = policy.limiter.admit(workspace_id) {
        return result(
            Err(Failure::Failed(format!(
                "Too many connection tests in this workspace: at most {} a minute. Try again in {} seconds.",
                rate_limit::PER_MINUTE,
                wait.as_secs().max(1)
            ))),
            Duration::ZERO,
            decrypted.kind.display_name,
        );
    }
    let (kind, options, allow) = (decrypted.kind, &decrypted.options, &policy.allow);
    let started = Instant::now();
    let attempt = async {
        match kind.kind {
            "postgresql" => postgres::test(options, allow).await,
            "mysql" => mysql::test(options, allow).await,
            "restapi" => rest::test(options, allow).await,
            "mongodb" => mongodb::test(options, allow).await,
            other => Err(Failure::Unsupported(format!(
                "Testing the connection is not supported for {} ({other}) data sources.",
                kind.display_name
            ))),
        }
    };
    let span = traces::connection_test_span(kind.kind);
    let outcome = tokio::time::timeout(TIMEOUT, attempt)
        .instrument(span.clone())
        .await
        .unwrap_or(Err(Failure::Unreachable));
    span.record("connection_test.ok", outcome.is_ok());
    if matches!(outcome, Err(Failure::Unreachable)) {
        // A refusal answers as late as a timeout does.
        tokio::time::sleep_until(started + TIMEOUT).await;
    }
    let result = result(outcome, started.elapsed(), kind.display_name);
    redact(result, &decrypted.secret_texts)
}

fn result(outcome: Outcome, latency: Duration, kind: &str) -> ConnectionTestResult {
    let failed = |message, supported| ConnectionTestResult {
        ok: false,
        supported,
        message,
        latency_ms: None,
    };
    match outcome {
        Ok(message) => ConnectionTestResult {
            ok: true,
            supported: true,
            message,
            latency_ms: Some(i32::try_from(latency.as_millis()).unwrap_or(i32::MAX)),
        },
        // The one message for a server that refused, did not answer or could not be
        // routed to.
        Err(Failure::Unreachable) => failed(
            format!(
                "Could not reach the {kind} server: the connection was refused, timed out or the host is unreachable."
            ),
            true,
        ),
        Err(Failure::Failed(message)) => failed(message, true),
        Err(Failure::Unsupported(message)) => failed(message, false),
    }
}

/// Writes the audit row of a test that ran: who tested what, and the outcome.
pub async fn record(
    conn: &mut Conn,
    caller: &Caller,
    target: &TestTarget,
    result: &ConnectionTestResult,
) -> AppResult<()> {
    let event = Event::new(AuditAction::ConnectionTested)
        .data_source(target.data_source_id)
        .environment(target.environment_id)
        .details(json!({ "ok": result.ok, "supported": result.supported }));
    audit::record(conn, caller, event).await
}

/// Option `key` as text, empty when unset.
fn text<'a>(options: &'a Map<String, Value>, key: &str) -> &'a str {
    options.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The `port` option, or `default`.
fn port(options: &Map<String, Value>, default: u16) -> u16 {
    options
        .get("port")
        .and_then(Value::as_u64)
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(default)
}

/// Whether an error's sources include an I/O error: the network failed before the
/// server said anything we could show.
fn network_failure(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(e) = source {
        if e.is::<std::io::Error>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Removes every secret text from the message, whatever a driver chose to echo.
fn redact(mut result: ConnectionTestResult, secrets: &[String]) -> ConnectionTestResult {
    for secret in secrets {
        if result.message.contains(secret.as_str()) {
            result.message = result.message.replace(secret.as_str(), "[redacted]");
        }
    }
    result
}
