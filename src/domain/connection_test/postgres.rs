//! PostgreSQL: a connection to the checked address and `SELECT 1`, over TLS as
//! `ssl_mode` says.

use serde_json::{Map, Value};
use tokio_postgres::config::SslMode;

use super::egress::{self, Allow};
use super::tls::{self, Mode};
use super::{Failure, Outcome, TIMEOUT, network_failure, port, text};

pub(super) async fn test(options: &Map<String, Value>, allow: &Allow) -> Outcome {
    let (host, database, user) = (
        text(options, "host"),
        text(options, "database"),
        text(options, "username"),
    );
    if host.starts_with('/') {
        return Err(Failure::Unsupported(
            "Unix-socket hosts can't be tested from the server; use a host name or address.".into(),
        ));
    }
    let address = egress::resolve(allow, host, port(options, 5432)).await?;
    let mode = Mode::of(options);
    let mut config = tokio_postgres::Config::new();
    config
        .host(host)
        .hostaddr(address.ip())
        .port(address.port())
        .dbname(database)
        .user(user)
        .application_name("envgate connection test")
        .connect_timeout(TIMEOUT)
        .ssl_mode(match mode {
            Mode::Disable => SslMode::Disable,
            Mode::Prefer => SslMode::Prefer,
            Mode::Require | Mode::VerifyFull { .. } => SslMode::Require,
        });
    if let Some(password) = options.get("password").and_then(Value::as_str) {
        config.password(password);
    }
    let connected = match mode {
        Mode::Disable => select_one(config.connect(tokio_postgres::NoTls).await).await,
        _ => {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls::client_config(mode)?);
            select_one(config.connect(tls).await).await
        }
    };
    let where_ = format!("{host}:{}/{database}", address.port());
    match connected {
        Ok(()) => Ok(format!(
            "Connected to PostgreSQL at {where_} as {user}{}.",
            if mode.encrypted() { " over TLS" } else { "" }
        )),
        Err(e) => Err(tls::failure_in(&e).unwrap_or_else(|| {
            if e.as_db_error().is_none() && network_failure(&e) {
                Failure::Unreachable
            } else {
                Failure::Failed(format!(
                    "Could not connect to PostgreSQL at {where_}: {}",
                    describe(&e)
                ))
            }
        })),
    }
}

/// Runs `SELECT 1` on a fresh connection, then closes it.
async fn select_one<S, T>(
    connected: Result<
        (tokio_postgres::Client, tokio_postgres::Connection<S, T>),
        tokio_postgres::Error,
    >,
) -> Result<(), tokio_postgres::Error>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (client, connection) = connected?;
    let driver = tokio::spawn(connection);
    let answer = client.simple_query("SELECT 1").await;
    drop(client);
    let _ = driver.await;
    answer.map(|_| ())
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
