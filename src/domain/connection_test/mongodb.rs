//! MongoDB: a `ping` to each host of the connection string in turn, connected directly
//! (no discovery of other members, which the guard has not checked).
//!
//! Without TLS the driver is given the checked address in place of the host name; with
//! TLS it needs the name for the certificate, so every address the name resolves to
//! is checked instead. `mongodb+srv://` strings are not supported (the build has no
//! SRV resolver, and the records would name hosts the guard has not seen).

use mongodb::bson::doc;
use mongodb::error::ErrorKind;
use mongodb::options::{ClientOptions, ServerAddress, Tls};
use serde_json::{Map, Value};

use super::egress::{self, Allow};
use super::{Failure, Outcome, TIMEOUT, network_failure, text};

const DEFAULT_PORT: u16 = 27017;

pub(super) async fn test(options: &Map<String, Value>, allow: &Allow) -> Outcome {
    let connection_string = text(options, "connection_string");
    if connection_string.starts_with("mongodb+srv://") {
        return Err(Failure::Unsupported(
            "mongodb+srv:// connection strings can't be tested from the server; use a mongodb:// string with its hosts.".into(),
        ));
    }
    // The driver's own words could quote the string, password and all.
    let mut client_options = ClientOptions::parse(connection_string).await.map_err(|_| {
        Failure::Failed(
            "The connection string is not a valid MongoDB connection string (mongodb://user:password@host:port/database).".into(),
        )
    })?;
    let hosts = std::mem::take(&mut client_options.hosts);
    let tls = matches!(client_options.tls, Some(Tls::Enabled(_)));
    client_options.direct_connection = Some(true);
    client_options.app_name = Some("envgate connection test".into());
    let per_host = TIMEOUT / u32::try_from(hosts.len().max(1)).unwrap_or(u32::MAX);
    client_options.server_selection_timeout = Some(per_host);
    client_options.connect_timeout = Some(per_host);
    let database = match text(options, "database") {
        "" => client_options
            .default_database
            .clone()
            .unwrap_or_else(|| "admin".into()),
        name => name.to_owned(),
    };
    let mut failure = Failure::Unreachable;
    for host in hosts {
        let ServerAddress::Tcp { host, port } = host else {
            return Err(Failure::Unsupported(
                "Unix-socket hosts can't be tested from the server; use a host name or address."
                    .into(),
            ));
        };
        let port = port.unwrap_or(DEFAULT_PORT);
        let checked = if tls {
            egress::resolve_all(allow, &host, port).await?;
            host.clone()
        } else {
            egress::resolve(allow, &host, port).await?.ip().to_string()
        };
        let mut one = client_options.clone();
        one.hosts = vec![ServerAddress::Tcp {
            host: checked,
            port: Some(port),
        }];
        match ping(one, &database).await {
            Ok(()) => {
                return Ok(format!(
                    "Connected to MongoDB at {host}:{port}/{database}{}.",
                    if tls { " over TLS" } else { "" }
                ));
            }
            Err(e) => failure = classify(&e, &host, port),
        }
    }
    Err(failure)
}

async fn ping(options: ClientOptions, database: &str) -> mongodb::error::Result<()> {
    let client = mongodb::Client::with_options(options)?;
    client
        .database(database)
        .run_command(doc! { "ping": 1 })
        .await?;
    Ok(())
}

fn classify(error: &mongodb::error::Error, host: &str, port: u16) -> Failure {
    match error.kind.as_ref() {
        ErrorKind::Authentication { message, .. } => Failure::Failed(format!(
            "Could not connect to MongoDB at {host}:{port}: authentication failed ({message})."
        )),
        ErrorKind::Command(command) => Failure::Failed(format!(
            "MongoDB at {host}:{port} refused the ping: {}",
            command.message
        )),
        ErrorKind::ServerSelection { .. } => Failure::Unreachable,
        _ if network_failure(error) => Failure::Unreachable,
        _ => Failure::Failed(format!("Could not connect to MongoDB at {host}:{port}.")),
    }
}
