//! Talking to the cluster: connecting and creating the development database.

use anyhow::{Context, anyhow};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};
use tracing::{debug, info};

use super::{CONNECT_TIMEOUT, HOST, POSTGRES_USER};

pub(super) async fn connect(
    port: u16,
    password: Option<&str>,
    database: &str,
) -> anyhow::Result<Client> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(HOST)
        .port(port)
        .user(POSTGRES_USER)
        .dbname(database)
        .connect_timeout(CONNECT_TIMEOUT);
    if let Some(password) = password {
        config.password(password);
    }
    // connect_timeout covers only the TCP connect; something silent on the port could stall the handshake.
    let (client, connection) = tokio::time::timeout(CONNECT_TIMEOUT * 2, config.connect(NoTls))
        .await
        .map_err(|_| anyhow!("timed out connecting to PostgreSQL at {HOST}:{port}"))?
        .with_context(|| {
            format!("could not connect to PostgreSQL at {HOST}:{port} as {POSTGRES_USER}")
        })?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            debug!("PostgreSQL connection closed: {e}");
        }
    });
    Ok(client)
}

pub(super) fn is_auth_failure(error: &anyhow::Error) -> bool {
    let rejected = error
        .downcast_ref::<tokio_postgres::Error>()
        .is_some_and(|e| {
            e.code().is_some_and(|code| {
                *code == SqlState::INVALID_PASSWORD
                    || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            })
        });
    // The server asked for a password we do not have.
    rejected
        || error
            .chain()
            .any(|cause| cause.to_string().contains("password missing"))
}

pub(super) async fn ensure_database(client: &Client, name: &str) -> anyhow::Result<()> {
    if database_exists(client, name).await? {
        return Ok(());
    }
    if let Err(e) = client
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(name)))
        .await
    {
        // Another process may have created it between our check and our CREATE.
        if database_exists(client, name).await? {
            return Ok(());
        }
        return Err(e).with_context(|| format!("could not create database {name}"));
    }
    info!("created database {name}");
    Ok(())
}

pub(super) async fn database_exists(client: &Client, name: &str) -> anyhow::Result<bool> {
    let rows = client
        .query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .with_context(|| format!("could not check whether database {name} exists"))?;
    Ok(!rows.is_empty())
}

pub(super) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
