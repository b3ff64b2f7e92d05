//! MySQL and MariaDB: a handshake with the checked address and `SELECT VERSION()`, over TLS as
//! `ssl_mode` says (the certificate checked against the configured host name).

use mysql_async::prelude::Queryable as _;
use mysql_async::{DriverError, OptsBuilder, SslOpts};
use serde_json::{Map, Value};

use super::egress::{self, Allow};
use super::tls::{self, Mode};
use super::{Failure, Outcome, network_failure, port, text};

pub(super) async fn test(options: &Map<String, Value>, allow: &Allow) -> Outcome {
    let (host, database, user) = (
        text(options, "host"),
        text(options, "database"),
        text(options, "username"),
    );
    let address = egress::resolve(allow, host, port(options, 3306)).await?;
    let mode = Mode::of(options);
    let opts = OptsBuilder::default()
        // The checked address, never the name again: the driver does no lookup.
        .ip_or_hostname(address.ip().to_string())
        .tcp_port(address.port())
        .user(Some(user))
        .pass(options.get("password").and_then(Value::as_str))
        .db_name(Some(database))
        .prefer_socket(false);
    let unverified = || {
        SslOpts::default()
            .with_danger_accept_invalid_certs(true)
            .with_danger_skip_domain_validation(true)
    };
    let connected = match mode {
        Mode::Disable => select_one(opts).await,
        Mode::Require => select_one(opts.ssl_opts(unverified())).await,
        Mode::Prefer => match select_one(opts.clone().ssl_opts(unverified())).await {
            Err(mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer)) => {
                select_one(opts).await
            }
            other => other,
        },
        Mode::VerifyFull { ca_pem } => {
            let mut ssl =
                SslOpts::default().with_danger_tls_hostname_override(Some(host.to_owned()));
            if let Some(pem) = ca_pem {
                ssl = ssl
                    .with_root_certs(vec![pem.as_bytes().to_vec().into()])
                    .with_disable_built_in_roots(true);
            }
            select_one(opts.ssl_opts(ssl)).await
        }
    };
    let where_ = format!("{host}:{}/{database}", address.port());
    match connected {
        Ok(version) => Ok(format!(
            "Connected to MySQL {version} at {where_} as {user}{}.",
            if mode.encrypted() { " over TLS" } else { "" }
        )),
        Err(mysql_async::Error::Server(e)) => Err(Failure::Failed(format!(
            "Could not connect to MySQL at {where_}: {}",
            e.message
        ))),
        Err(e) => Err(tls::failure_in(&e).unwrap_or_else(|| {
            if network_failure(&e) {
                Failure::Unreachable
            } else {
                Failure::Failed(format!("Could not connect to MySQL at {where_}: {e}"))
            }
        })),
    }
}

/// Connects, runs `SELECT 1`, disconnects; answers the server's version string.
async fn select_one(opts: OptsBuilder) -> Result<String, mysql_async::Error> {
    let mut conn = mysql_async::Conn::new(opts).await?;
    let version: Option<String> = conn.query_first("SELECT VERSION()").await?;
    conn.disconnect().await?;
    Ok(version.unwrap_or_default())
}
