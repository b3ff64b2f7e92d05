use async_graphql::SimpleObject;

use crate::domain::connection_test;

/// The outcome of a connection test.
#[derive(Debug, Clone, SimpleObject)]
pub struct ConnectionTestResult {
    /// Whether the server could connect with the stored options.
    pub ok: bool,
    /// Whether the server can test this data source at all; when false, `ok` is false
    /// without the connection having failed, and `message` says why.
    pub supported: bool,
    /// What happened, for the user; never contains a secret.
    pub message: String,
    /// How long a successful connection took, in milliseconds.
    pub latency_ms: Option<i32>,
}

impl From<connection_test::ConnectionTestResult> for ConnectionTestResult {
    fn from(r: connection_test::ConnectionTestResult) -> Self {
        Self {
            ok: r.ok,
            supported: r.supported,
            message: r.message,
            latency_ms: r.latency_ms,
        }
    }
}
