//! Traces: OpenTelemetry spans sent over OTLP/HTTP (protobuf) to the collector the
//! standard `OTEL_*` variables name, off unless an endpoint is set. A request's W3C
//! `traceparent` (and `tracestate`) becomes the parent of its span; under it are the
//! GraphQL operation, the resolver batches (loaders), every SQL statement and
//! connection tests.
//!
//! The spans made for traces alone have the target [`TARGET`], which the log lines
//! never show; without an exporter no layer wants them, so each is a disabled span
//! (one cached check at its call site, nothing allocated). The request span is the
//! log lines' own `http` span.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use async_graphql::parser::types::OperationType;
use axum::http::HeaderMap;
use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::{Instrument as _, Span};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::config::LogFormat;

/// The target of the spans made for traces only (operation, loader, SQL, connection
/// test): the log filter turns it off.
pub const TARGET: &str = "envgate_traces";

/// Whether this process exports traces (set once, when the layer is made).
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// How long one export may take (connecting and sending), unless
/// `OTEL_EXPORTER_OTLP_TIMEOUT` says (the exporter leaves it to its HTTP client).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// The exporter of a process that sends traces; [`Traces::shutdown`] sends what is
/// left.
pub struct Traces {
    provider: SdkTracerProvider,
}

/// A variable's value, when it is set to something other than blanks.
fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The traces-specific variable, else the general one (the OTLP exporter's order).
fn otlp_var(setting: &str) -> Option<(String, String)> {
    [
        format!("OTEL_EXPORTER_OTLP_TRACES_{setting}"),
        format!("OTEL_EXPORTER_OTLP_{setting}"),
    ]
    .into_iter()
    .find_map(|name| var(&name).map(|value| (name, value)))
}

impl Traces {
    /// The exporter the environment configures: `None` unless
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` is set (and
    /// neither `OTEL_SDK_DISABLED=true` nor `OTEL_TRACES_EXPORTER=none`). The exporter
    /// reads the endpoint, `_HEADERS` and `_COMPRESSION` itself, the SDK
    /// `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER(_ARG)` and
    /// `OTEL_BSP_*`; `_TIMEOUT` and `_CERTIFICATE` shape its HTTP client here. Call it
    /// off the async runtime (its HTTP client blocks).
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        if var("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Ok(None);
        }
        match var("OTEL_TRACES_EXPORTER").as_deref() {
            None | Some("otlp") => {}
            Some("none") => return Ok(None),
            Some(other) => bail!(
                "OTEL_TRACES_EXPORTER={other}: envgate exports traces over OTLP only (otlp, or none)"
            ),
        }
        if otlp_var("ENDPOINT").is_none() {
            return Ok(None);
        }
        if let Some((name, protocol)) = otlp_var("PROTOCOL")
            && protocol != "http/protobuf"
        {
            bail!(
                "{name}={protocol}: envgate sends traces over OTLP/HTTP with protobuf (http/protobuf); point the endpoint at the collector's OTLP/HTTP port (4318)"
            );
        }
        let roots = match otlp_var("CERTIFICATE") {
            None => crate::tls::web_roots(),
            Some((name, path)) => {
                let pem = std::fs::read(&path).with_context(|| format!("reading {name}"))?;
                crate::tls::pem_roots(&pem)
                    .with_context(|| format!("{name}: no valid PEM certificate in {path}"))?
            }
        };
        let timeout = match otlp_var("TIMEOUT") {
            None => EXPORT_TIMEOUT,
            Some((name, millis)) => Duration::from_millis(
                millis
                    .parse()
                    .with_context(|| format!("{name}={millis}: a number of milliseconds"))?,
            ),
        };
        let tls = crate::tls::client_config(crate::tls::Check::ChainAndName, roots)?;
        let client = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(timeout)
            .timeout(timeout)
            .build()
            .context("building the traces exporter's HTTP client")?;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_http_client(client)
            .build()
            .context("configuring the traces exporter (OTEL_EXPORTER_OTLP_*)")?;
        let mut resource = Resource::builder().with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ));
        let named = var("OTEL_SERVICE_NAME").is_some()
            || var("OTEL_RESOURCE_ATTRIBUTES").is_some_and(|a| a.contains("service.name="));
        if !named {
            resource = resource.with_service_name("envgate");
        }
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build();
        Ok(Some(Self { provider }))
    }

    /// The layer that turns envgate's spans (and its log events in them) into
    /// OpenTelemetry spans; from here on requests continue their `traceparent`.
    pub fn layer<S>(&self) -> impl Layer<S> + use<S>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    {
        EXPORTING.store(true, Ordering::Relaxed);
        let targets = Targets::new()
            .with_target("envgate", tracing::Level::INFO)
            .with_target(TARGET, tracing::Level::INFO);
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer("envgate"))
            .with_filter(targets)
    }

    /// Sends the spans not sent yet and stops the exporter. Blocks: call it off the
    /// async runtime.
    pub fn shutdown(self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::warn!(%error, "sending the last traces");
        }
    }
}

/// The log lines' filter: `RUST_LOG` (else `info`), never the spans made for traces
/// alone.
pub fn log_filter() -> anyhow::Result<EnvFilter> {
    Ok(EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .add_directive(format!("{TARGET}=off").parse()?))
}

/// Makes this process's subscriber: log lines to stderr in `format` (filtered by
/// [`log_filter`]), and spans to `traces` when it exports them.
pub fn install(format: LogFormat, traces: Option<&Traces>) -> anyhow::Result<()> {
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = match format {
        LogFormat::Pretty => logs.with_ansi(std::io::stderr().is_terminal()).boxed(),
        LogFormat::Json => logs
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    let subscriber = tracing_subscriber::registry().with(logs.with_filter(log_filter()?));
    match traces {
        Some(traces) => subscriber.with(traces.layer()).init(),
        None => subscriber.init(),
    }
    Ok(())
}

/// Whether this process exports traces.
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// Makes the W3C trace context of `headers` (`traceparent`, `tracestate`) the parent of
/// `span`, which must not have been entered yet. Nothing when traces are off.
pub fn continue_from(span: &Span, headers: &HeaderMap) {
    if !exporting() || !headers.contains_key("traceparent") {
        return;
    }
    let parent =
        TraceContextPropagator::new().extract(&opentelemetry_http::HeaderExtractor(headers));
    if let Err(error) = span.set_parent(parent) {
        tracing::debug!(%error, "continuing the request's trace");
    }
}

/// The span of one resolver batch of loader `L` (its type's name, without the path).
pub fn loader_span<L>() -> Span {
    tracing::info_span!(
        target: TARGET,
        "loader",
        graphql.loader = std::any::type_name::<L>().rsplit("::").next().unwrap_or_default()
    )
}

/// The span of one GraphQL operation: its type and name (never its text or variables),
/// titled `query Name` as OpenTelemetry's GraphQL conventions say.
pub fn operation_span(ty: Option<OperationType>, name: Option<&str>) -> Span {
    let ty = match ty {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "unknown",
    };
    tracing::info_span!(
        target: TARGET,
        "graphql",
        otel.name = %Title(ty, name),
        graphql.operation.type = ty,
        graphql.operation.name = name,
    )
}

/// `type name`, or `type` for an unnamed operation.
struct Title<'a>(&'a str, Option<&'a str>);

impl std::fmt::Display for Title<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(name) => write!(f, "{} {name}", self.0),
            None => f.write_str(self.0),
        }
    }
}

/// The span of one SQL statement (or `BEGIN`, `COMMIT`…) sent by a pool connection, with
/// its text as diesel writes it: placeholders (`$1`), never the values bound to them.
/// `text` is only called when the span is recorded. Only within a trace: the
/// background work's statements (the scheduler's polls) would each be a trace of one.
pub fn statement_span(text: impl FnOnce() -> Option<String>) -> Span {
    if !exporting() || Span::current().is_none() {
        return Span::none();
    }
    let span = tracing::info_span!(
        target: TARGET,
        "sql",
        otel.name = tracing::field::Empty,
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        db.system.name = "postgresql",
        db.query.text = tracing::field::Empty,
    );
    if !span.is_disabled()
        && let Some(text) = text()
    {
        // Titled by its first word: `SELECT`, `INSERT`, `BEGIN`…
        let verb = text.split_whitespace().next().unwrap_or("SQL");
        span.record("otel.name", verb.to_ascii_uppercase().as_str());
        span.record("db.query.text", text.as_str());
    }
    span
}

/// Marks `span` failed when `result` is an error (its message is not recorded: a
/// database's message may quote a value).
pub fn record_outcome<T, E>(span: &Span, result: &Result<T, E>) {
    if result.is_err() {
        span.record("otel.status_code", "ERROR");
    }
}

/// The span of one connection test: the data source's kind, never its options.
pub fn connection_test_span(kind: &str) -> Span {
    tracing::info_span!(
        target: TARGET,
        "connection_test",
        data_source.kind = kind,
        connection_test.ok = tracing::field::Empty,
    )
}

/// `stream`, each of its items made in `span` (a subscription's events, under its
/// operation).
pub fn stream_in<S>(stream: S, span: Span) -> impl futures_util::Stream<Item = S::Item>
where
    S: futures_util::Stream + Unpin,
{
    futures_util::stream::unfold((stream, span), |(mut stream, span)| async move {
        let item = futures_util::StreamExt::next(&mut stream)
            .instrument(span.clone())
            .await?;
        Some((item, (stream, span)))
    })
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    #[test]
    fn without_an_exporter_the_spans_made_for_traces_are_disabled_and_the_log_spans_are_not() {
        let logs = tracing_subscriber::fmt::layer()
            .with_writer(std::io::sink)
            .with_filter(log_filter().unwrap());
        let subscriber = tracing_subscriber::registry().with(logs);
        tracing::subscriber::with_default(subscriber, || {
            assert!(operation_span(Some(OperationType::Query), Some("Apps")).is_disabled());
            assert!(loader_span::<u8>().is_disabled());
            assert!(connection_test_span("postgresql").is_disabled());
            assert!(statement_span(|| panic!("no text is made")).is_disabled());
            // The log lines' spans are still there (at any `RUST_LOG` but `off`).
            assert!(!tracing::error_span!("http").is_disabled());
        });
    }
}
