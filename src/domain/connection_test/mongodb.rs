//! MongoDB: a `ping` to each host of the connection string in turn, connected directly
//! (no discovery of other members, which the guard has not checked).
//!
//! The driver's options are built from the parsed, allowed fields of the string (see
//! [`crate::domain::connection_string`]), never from the raw string: hosts,
//! credentials, authentication source and mechanism, TLS flags. The driver is given
//! only a loopback relay (see [`super::relay`]) that connects to the address the guard
//! checked and, with TLS, opens the session itself with the host name for SNI and
//! verification: the driver never looks the name up again. `mongodb+srv://` strings
//! are not supported (the build has no SRV resolver, and the records would name hosts
//! the guard has not seen).

use std::sync::Arc;

use mongodb::bson::doc;
use mongodb::error::ErrorKind;
use mongodb::options::{AuthMechanism, ClientOptions, Credential, ServerAddress};
use rustls::pki_types::ServerName;
use serde_json::{Map, Value};

use super::egress::{self, Allow};
use super::relay::{self, Relay};
use super::{Failure, Outcome, TIMEOUT, network_failure, text, tls};
use crate::domain::connection_string::{Mechanism, MongoDbString, Stage};

const DEFAULT_PORT: u16 = 27017;

pub(super) async fn test(options: &Map<String, Value>, allow: &Allow) -> Outcome {
    // Checked when the options were read too; the message never quotes the string.
    let parsed = MongoDbString::parse(text(options, "connection_string"), Stage::Resolved)
        .map_err(Failure::Failed)?;
    if parsed.srv {
        return Err(Failure::Unsupported(
            "mongodb+srv:// connection strings can't be tested from the server; use a mongodb:// string with its hosts.".into(),
        ));
    }
    let tls_config = if parsed.uses_tls() {
        Some(Arc::new(tls::mongodb_config(
            parsed.allow_invalid_certificates,
            parsed.allow_invalid_hostnames,
        )?))
    } else {
        None
    };
    let database = match text(options, "database") {
        "" => parsed.database.clone().unwrap_or_else(|| "admin".into()),
        name => name.to_owned(),
    };
    let credential = credential(&parsed);
    let per_host = TIMEOUT / u32::try_from(parsed.hosts.len().max(1)).unwrap_or(u32::MAX);
    let mut failure = Failure::Unreachable;
    for host in &parsed.hosts {
        let (name, port) = (host.host.as_str(), host.port.unwrap_or(DEFAULT_PORT));
        let checked = egress::resolve(allow, name, port).await?;
        let tls = match &tls_config {
            Some(config) => Some(relay::Tls {
                config: config.clone(),
                server_name: ServerName::try_from(name.to_owned()).map_err(|_| {
                    Failure::Failed(format!(
                        "The host {name} can't be checked against a TLS certificate."
                    ))
                })?,
            }),
            None => None,
        };
        let relay = Relay::start(checked, tls)
            .await
            .map_err(|e| Failure::Failed(format!("The connection test could not start: {e}")))?;
        let local = relay.local_address();
        let client_options = ClientOptions::builder()
            .hosts(vec![ServerAddress::Tcp {
                host: local.ip().to_string(),
                port: Some(local.port()),
            }])
            .credential(credential.clone())
            .app_name("envgate connection test".to_owned())
            .direct_connection(true)
            .server_selection_timeout(per_host)
            .connect_timeout(per_host)
            .build();
        let outcome = tokio::select! {
            pinged = ping(client_options, &database) => {
                pinged.map_err(|e| classify(&e, name, port))
            }
            tls = relay.tls_failed() => Err(Failure::Failed(tls::describe_for_mongodb(&tls))),
        };
        match outcome {
            Ok(()) => {
                return Ok(format!(
                    "Connected to MongoDB at {name}:{port}/{database}{}.",
                    if tls_config.is_some() {
                        " over TLS"
                    } else {
                        ""
                    }
                ));
            }
            Err(e) => failure = e,
        }
    }
    Err(failure)
}

/// The credential of the string: its user, password, `authSource` (by default the
/// string's database, else `admin`, or `$external` for PLAIN) and mechanism.
fn credential(parsed: &MongoDbString) -> Option<Credential> {
    let username = parsed.username.clone()?;
    let mechanism = parsed.auth_mechanism.map(|m| match m {
        Mechanism::ScramSha1 => AuthMechanism::ScramSha1,
        Mechanism::ScramSha256 => AuthMechanism::ScramSha256,
        Mechanism::Plain => AuthMechanism::Plain,
    });
    let default_source = match parsed.auth_mechanism {
        Some(Mechanism::Plain) => "$external",
        _ => "admin",
    };
    let source = parsed
        .auth_source
        .clone()
        .or_else(|| parsed.database.clone())
        .unwrap_or_else(|| default_source.to_owned());
    Some(
        Credential::builder()
            .username(username)
            .password(parsed.password.clone())
            .source(source)
            .mechanism(mechanism)
            .build(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credential_comes_from_the_parsed_fields() {
        let parse = |s| MongoDbString::parse(s, Stage::Resolved).unwrap();
        let c = credential(&parse(
            "mongodb://app:p%3Aw@h/shop?authMechanism=SCRAM-SHA-256",
        ))
        .unwrap();
        assert_eq!(
            (
                c.username.as_deref(),
                c.password.as_deref(),
                c.source.as_deref()
            ),
            (Some("app"), Some("p:w"), Some("shop"))
        );
        assert_eq!(c.mechanism, Some(AuthMechanism::ScramSha256));
        let c = credential(&parse("mongodb://app:pw@h/?authMechanism=PLAIN")).unwrap();
        assert_eq!(c.source.as_deref(), Some("$external"));
        let c = credential(&parse("mongodb://app:pw@h/shop?authSource=admin")).unwrap();
        assert_eq!((c.source.as_deref(), c.mechanism), (Some("admin"), None));
        assert!(credential(&parse("mongodb://h")).is_none());
    }
}
