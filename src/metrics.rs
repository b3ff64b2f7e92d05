//! What `/metrics` reports, with `prometheus-client`: requests by operation type and
//! outcome with a latency histogram, the database pool, open WebSockets and
//! subscriptions, and the change notifications this process received.

use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabelSet, EncodeLabelValue, EncodeMetric as _, LabelValueEncoder,
};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::auth::provider::IdentityProvider;
use crate::db::{PgPool, QueryCounter};

/// The type of a GraphQL operation, as a label.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum Operation {
    Query,
    Mutation,
    Subscription,
    /// A request refused before its operation was known (unparsable, no such
    /// operation, persisted query not found).
    Unknown,
}

impl From<async_graphql::parser::types::OperationType> for Operation {
    fn from(ty: async_graphql::parser::types::OperationType) -> Self {
        use async_graphql::parser::types::OperationType;
        match ty {
            OperationType::Query => Self::Query,
            OperationType::Mutation => Self::Mutation,
            OperationType::Subscription => Self::Subscription,
        }
    }
}

/// How a request ended, as a label.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum Outcome {
    /// Answered without errors.
    Ok,
    /// Answered with errors (in fields, or refused as a whole).
    Error,
}

impl EncodeLabelValue for Operation {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> std::fmt::Result {
        std::fmt::Write::write_str(
            encoder,
            match self {
                Self::Query => "query",
                Self::Mutation => "mutation",
                Self::Subscription => "subscription",
                Self::Unknown => "unknown",
            },
        )
    }
}

impl EncodeLabelValue for Outcome {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> std::fmt::Result {
        std::fmt::Write::write_str(
            encoder,
            match self {
                Self::Ok => "ok",
                Self::Error => "error",
            },
        )
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: Operation,
    outcome: Outcome,
}

/// A read's pool (`primary`, or a replica's `host:port`) and why it went there.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReadLabels {
    pool: String,
    reason: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReplicaLabels {
    replica: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: Operation,
}

/// The process's metrics. Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct Metrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<OperationLabels, Histogram>,
    /// WebSocket connections open now.
    pub websockets: Gauge,
    /// Subscriptions running now.
    pub subscriptions: Gauge,
    /// Change notifications received from PostgreSQL.
    pub notifications: Counter,
    /// Times the listening connection was opened again after it was lost.
    pub listener_reconnects: Counter,
    /// Lists written straight to JSON rather than resolved field by field.
    pub lists_written: Counter,
    /// Queries answered from the response cache.
    pub cache_hits: Counter,
    /// Queries the response cache could have answered but held no current answer for.
    pub cache_misses: Counter,
    /// Queries by the pool they read from and why (with read replicas only).
    replica_reads: Family<ReadLabels, Counter>,
    /// Whether each read replica is used (up and not lagging), as of its last poll.
    replicas_up: Family<ReplicaLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            // 0.5 ms to about 8 s.
            latency: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.000_5, 2.0, 15))
            }),
            websockets: Gauge::default(),
            subscriptions: Gauge::default(),
            notifications: Counter::default(),
            listener_reconnects: Counter::default(),
            lists_written: Counter::default(),
            cache_hits: Counter::default(),
            cache_misses: Counter::default(),
            replica_reads: Family::default(),
            replicas_up: Family::default(),
        }
    }
}

impl Metrics {
    /// Counts one GraphQL request (HTTP, or an operation over a WebSocket).
    pub fn request(&self, operation: Operation, outcome: Outcome, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels { operation, outcome })
            .inc();
        self.latency
            .get_or_create(&OperationLabels { operation })
            .observe(took.as_secs_f64());
    }

    /// Counts a query that read from `pool` (`primary` or a replica) for `reason`:
    /// `caught_up` (a replica that had replayed what the reader must see), or why no
    /// replica would do: `down`, `lagging`, `behind` (not there after the wait),
    /// `failed` (a connection to it failed).
    pub fn replica_read(&self, pool: &str, reason: &'static str) {
        self.replica_reads
            .get_or_create(&ReadLabels {
                pool: pool.to_owned(),
                reason,
            })
            .inc();
    }

    /// Records whether `replica` is used, as its last poll found it.
    pub fn replica_up(&self, replica: &str, up: bool) {
        self.replicas_up
            .get_or_create(&ReplicaLabels {
                replica: replica.to_owned(),
            })
            .set(i64::from(up));
    }

    /// Everything in the OpenMetrics text format, with the pool and statement counts
    /// read as of now.
    pub fn render(
        &self,
        pool: &PgPool,
        queries: &QueryCounter,
        identity_provider: Option<&IdentityProvider>,
    ) -> String {
        let mut registry = Registry::default();
        registry.register(
            "envgate_graphql_requests",
            "GraphQL requests by operation type and outcome",
            self.requests.clone(),
        );
        registry.register(
            "envgate_graphql_request_duration_seconds",
            "Time to answer a GraphQL request, by operation type",
            self.latency.clone(),
        );
        registry.register(
            "envgate_websockets_open",
            "WebSocket connections open now",
            self.websockets.clone(),
        );
        registry.register(
            "envgate_subscriptions_active",
            "GraphQL subscriptions running now",
            self.subscriptions.clone(),
        );
        registry.register(
            "envgate_change_notifications_received",
            "Change notifications received from PostgreSQL",
            self.notifications.clone(),
        );
        registry.register(
            "envgate_change_listener_reconnects",
            "Times the change listener's connection was opened again after it was lost",
            self.listener_reconnects.clone(),
        );
        registry.register(
            "envgate_graphql_lists_written",
            "Lists of a response written straight to JSON rather than resolved field by field",
            self.lists_written.clone(),
        );
        registry.register(
            "envgate_response_cache_hits",
            "Queries answered from the response cache, at the workspace's current generation",
            self.cache_hits.clone(),
        );
        registry.register(
            "envgate_response_cache_misses",
            "Cacheable queries run because the response cache held no answer at the workspace's current generation",
            self.cache_misses.clone(),
        );
        registry.register(
            "envgate_replica_reads",
            "Queries by the pool they read from (primary, or a read replica) and why",
            self.replica_reads.clone(),
        );
        registry.register(
            "envgate_replica_up",
            "Whether each read replica is used (1: answers and does not lag), as of its last poll",
            self.replicas_up.clone(),
        );
        registry.register_collector(Box::new(Database {
            status: pool.status(),
            queries: queries.get(),
        }));
        if let Some(provider) = identity_provider {
            let (keys, fetched, failed) = provider.stats();
            registry.register_collector(Box::new(Keys {
                keys,
                fetched,
                failed,
            }));
        }
        let mut text = String::new();
        // Writing into a String can't fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
        text
    }
}

/// Counts one of something (an open WebSocket, a running subscription) in a gauge for
/// as long as it lives.
pub struct Held(Gauge);

impl Held {
    pub fn new(gauge: &Gauge) -> Self {
        gauge.inc();
        Self(gauge.clone())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The pool and statement counts as of one scrape.
#[derive(Debug)]
struct Database {
    status: deadpool::Status,
    queries: u64,
}

impl Collector for Database {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let queries = ConstCounter::new(self.queries);
        queries.encode(encoder.encode_descriptor(
            "envgate_sql_queries",
            "SQL statements sent to the database",
            None,
            queries.metric_type(),
        )?)?;
        let status = self.status;
        let in_use = status.size.saturating_sub(status.available);
        for (name, help, value) in [
            (
                "envgate_db_pool_max_connections",
                "Largest number of database connections the pool opens",
                status.max_size,
            ),
            (
                "envgate_db_pool_connections",
                "Open database connections",
                status.size,
            ),
            (
                "envgate_db_pool_connections_in_use",
                "Database connections checked out now",
                in_use,
            ),
            (
                "envgate_db_pool_waiting",
                "Requests waiting for a database connection",
                status.waiting,
            ),
        ] {
            let gauge = ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

/// The identity provider's key set as of one scrape.
#[derive(Debug)]
struct Keys {
    keys: usize,
    fetched: u64,
    failed: u64,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FetchLabels {
    outcome: &'static str,
}

impl Collector for Keys {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let keys = ConstGauge::new(i64::try_from(self.keys).unwrap_or(i64::MAX));
        keys.encode(encoder.encode_descriptor(
            "envgate_identity_provider_keys",
            "Keys of the identity provider's current set that verify tokens",
            None,
            keys.metric_type(),
        )?)?;
        let mut fetches = encoder.encode_descriptor(
            "envgate_identity_provider_key_fetches",
            "Fetches of the identity provider's key set, by outcome (failed ones keep the last good set)",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for (outcome, count) in [("ok", self.fetched), ("failed", self.failed)] {
            ConstCounter::new(count).encode(fetches.encode_family(&FetchLabels { outcome })?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_with_a_histogram() {
        let metrics = Metrics::default();
        metrics.request(Operation::Query, Outcome::Ok, Duration::from_millis(3));
        metrics.subscriptions.inc();
        let mut registry = Registry::default();
        registry.register("r", "r", metrics.requests.clone());
        registry.register("l", "l", metrics.latency.clone());
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        assert!(
            text.contains(r#"r_total{operation="query",outcome="ok"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"l_bucket{le="0.004",operation="query"} 1"#),
            "{text}"
        );
    }
}
