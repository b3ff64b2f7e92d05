//! Testing a data source's connection in one environment: a real connection attempt
//! for kinds the server can reach, with a short timeout and a message that never
//! contains a secret.

use std::time::{Duration, Instant};

use diesel_async::AsyncPgConnection;
use serde_json::{Map, Value, json};

use crate::domain::Caller;
use crate::domain::audit::{self, AuditAction, Event};
use crate::domain::data_sources::{Decrypted, TestTarget};
use crate::error::AppResult;

/// How long a connection attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The outcome shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionTestResult {
    pub ok: bool,
    /// False when the server can't test this data source at all (its kind, or a
    /// setting the test does not support): `ok` is then false without a failure.
    pub supported: bool,
    pub message: String,
    pub latency_ms: Option<i32>,
}

impl ConnectionTestResult {
    fn connected(message: String, latency: std::time::Duration) -> Self {
        let latency_ms = Some(i32::try_from(latency.as_millis()).unwrap_or(i32::MAX));
        Self {
            ok: true,
            supported: true,
            message,
            latency_ms,
        }
    }

    fn failed(message: String) -> Self {
        Self {
            ok: false,
            supported: true,
            message,
            latency_ms: None,
        }
    }

    fn unsupported(message: String) -> Self {
        Self {
            ok: false,
            supported: false,
            message,
            latency_ms: None,
        }
    }
}

/// Tries to connect with the decrypted options of a data source; no secret text of
/// them is ever in the message.
pub async fn run(decrypted: &Decrypted) -> ConnectionTestResult {
    let (kind, options) = (decrypted.kind, &decrypted.options);
    let result = match kind.kind {
        "postgresql" => postgresql(options).await,
        other => ConnectionTestResult::unsupported(format!(
            "Testing the connection is not supported for {} ({other}) data sources.",
            kind.display_name
        )),
    };
    redact(result, &decrypted.secret_texts)
}

/// Writes the audit row of a test that ran: who tested what, and the outcome.
pub async fn record(
    conn: &mut AsyncPgConnection,
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

async fn postgresql(options: &Map<String, Value>) -> ConnectionTestResult {
    let text = |key: &str| options.get(key).and_then(Value::as_str).unwrap_or_default();
    let port = options
        .get("port")
        .and_then(Value::as_u64)
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(5432);
    let mut config = tokio_postgres::Config::new();
    config
        .host(text("host"))
        .port(port)
        .dbname(text("database"))
        .user(text("username"))
        .application_name("envgate connection test")
        .connect_timeout(TIMEOUT);
    if let Some(password) = options.get("password").and_then(Value::as_str) {
        config.password(password);
    }
    if text("host").starts_with('/') {
        return ConnectionTestResult::unsupported(
            "Unix-socket hosts can't be tested from the server; use a host name or address.".into(),
        );
    }
    if text("ssl_mode") == "require" {
        return ConnectionTestResult::unsupported(
            "The connection test does not speak TLS yet; set ssl_mode to prefer or disable to test this server.".into(),
        );
    }
    let started = Instant::now();
    let attempt = async {
        let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
        let driver = tokio::spawn(connection);
        let answer = client.simple_query("SELECT 1").await;
        drop(client);
        let _ = driver.await;
        answer.map(|_| ())
    };
    let where_ = format!("{}:{port}/{}", text("host"), text("database"));
    match tokio::time::timeout(TIMEOUT, attempt).await {
        Ok(Ok(())) => ConnectionTestResult::connected(
            format!(
                "Connected to PostgreSQL at {where_} as {}.",
                text("username")
            ),
            started.elapsed(),
        ),
        Ok(Err(e)) => ConnectionTestResult::failed(format!(
            "Could not connect to PostgreSQL at {where_}: {}",
            describe(&e)
        )),
        Err(_) => ConnectionTestResult::failed(format!(
            "Connecting to PostgreSQL at {where_} timed out after {} seconds.",
            TIMEOUT.as_secs()
        )),
    }
}

fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => match std::error::Error::source(error) {
            Some(source) => format!("{error}: {source}"),
            None => error.to_string(),
        },
    }
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
