//! [`DatabaseUrl`]: a URL of envgate's own database with libpq's TLS settings,
//! `sslmode` (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`) and
//! `sslrootcert`, as the pool, the change listener, `migrate` and `keys` connect.
//!
//! tokio-postgres knows `disable`, `prefer` and `require` only, and no `sslrootcert`:
//! those are taken out of the URL here, and the rustls configuration decides what is
//! checked. Without `sslmode` a connection to this machine (a loopback address or a
//! Unix socket) stays plaintext, as before, and any other is `prefer`.

use anyhow::Context as _;
use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::tls::Check;

/// libpq's `sslmode`, as envgate honours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// No `sslmode`, to this machine: plaintext.
    Local,
    Disable,
    /// TLS when the server offers it, the certificate not checked.
    Prefer,
    /// TLS or fail, the certificate not checked (checked as `verify-ca` with
    /// `sslrootcert`, as libpq does).
    Require,
    /// TLS, the certificate checked up to `sslrootcert` (or the public web roots).
    VerifyCa,
    /// As `verify-ca`, and the certificate must name the host of the URL.
    VerifyFull,
}

impl TlsMode {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "disable" => Self::Disable,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Local => "unset (plaintext to this machine)",
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        }
    }
}

/// A database URL ready to connect with: its tokio-postgres configuration and TLS.
/// Its text is never shown (it may hold a password): errors name the setting.
#[derive(Clone)]
pub struct DatabaseUrl {
    config: tokio_postgres::Config,
    mode: TlsMode,
    /// `None`: no TLS (`disable`, or plaintext to this machine).
    tls: Option<MakeRustlsConnect>,
    /// The setting the URL comes from, for messages.
    setting: &'static str,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("setting", &self.setting)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// The TLS settings taken out of a URL: `sslmode` and `sslrootcert`.
#[derive(Debug, Default, PartialEq, Eq)]
struct TlsParams {
    mode: Option<String>,
    root_cert: Option<String>,
}

/// Takes `sslmode` and `sslrootcert` out of a `postgres://` URL's query; the rest of
/// the URL is kept as it is. A `key=value` connection string is left whole.
fn split_tls_params(url: &str) -> (String, TlsParams) {
    let mut params = TlsParams::default();
    let is_url = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let Some((base, query)) = url.split_once('?').filter(|_| is_url) else {
        return (url.to_owned(), params);
    };
    let mut kept = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = || {
            percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned()
        };
        match key {
            "sslmode" => params.mode = Some(decoded()),
            "sslrootcert" => params.root_cert = Some(decoded()),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, params)
}

/// Whether every host of `config` is this machine.
fn local(config: &tokio_postgres::Config) -> bool {
    let hosts_local = config.get_hosts().iter().all(|host| match host {
        Host::Tcp(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Host::Unix(_) => true,
    });
    hosts_local && config.get_hostaddrs().iter().all(|ip| ip.is_loopback())
}

impl DatabaseUrl {
    /// Parses `url`, the value of `setting`; a bad `sslmode`, or an `sslrootcert` that
    /// can't be read, fails here, naming the setting (never the URL).
    pub fn parse(url: &str, setting: &'static str) -> anyhow::Result<Self> {
        let (rest, params) = split_tls_params(url);
        let mut config: tokio_postgres::Config = rest.parse().map_err(|e| {
            let hint = if rest.contains("verify-") || rest.contains("sslrootcert") {
                " (sslmode verify-ca and verify-full, and sslrootcert, need the postgres:// URL form)"
            } else {
                ""
            };
            anyhow::anyhow!("{setting} is not a valid PostgreSQL URL: {e}{hint}")
        })?;
        let mode = match &params.mode {
            Some(name) => TlsMode::named(name).with_context(|| {
                format!(
                    "{setting}: sslmode={name} is not one of disable, prefer, require, verify-ca, verify-full"
                )
            })?,
            // A `key=value` string's own sslmode (tokio-postgres parsed it).
            None if rest.contains("sslmode") => match config.get_ssl_mode() {
                SslMode::Disable => TlsMode::Disable,
                SslMode::Require => TlsMode::Require,
                _ => TlsMode::Prefer,
            },
            None if local(&config) => TlsMode::Local,
            None => TlsMode::Prefer,
        };
        let roots = match params.root_cert.as_deref() {
            None | Some("system") => None,
            Some(path) => {
                let pem = std::fs::read(path)
                    .with_context(|| format!("{setting}: reading sslrootcert {path}"))?;
                Some(crate::tls::pem_roots(&pem).with_context(|| {
                    format!("{setting}: sslrootcert {path} holds no PEM certificate")
                })?)
            }
        };
        let check = match mode {
            TlsMode::Local | TlsMode::Disable => None,
            TlsMode::Prefer => Some(Check::Nothing),
            TlsMode::Require if roots.is_none() => Some(Check::Nothing),
            TlsMode::Require | TlsMode::VerifyCa => Some(Check::Chain),
            TlsMode::VerifyFull => Some(Check::ChainAndName),
        };
        config.ssl_mode(match mode {
            TlsMode::Local | TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            _ => SslMode::Require,
        });
        let tls = match check {
            None => None,
            Some(check) => {
                let roots = roots.unwrap_or_else(crate::tls::web_roots);
                let config = crate::tls::client_config(check, roots)
                    .with_context(|| format!("{setting}: setting up TLS"))?;
                Some(MakeRustlsConnect::new(config))
            }
        };
        Ok(Self {
            config,
            mode,
            tls,
            setting,
        })
    }

    /// The connection settings (host, port, database, user, password).
    pub fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// Names the connections in `pg_stat_activity`.
    pub fn set_application_name(&mut self, name: &str) {
        self.config.application_name(name);
    }

    /// The setting the URL comes from.
    pub fn setting(&self) -> &'static str {
        self.setting
    }

    /// The TLS the connections use: `None` for plaintext.
    pub fn tls(&self) -> Option<&MakeRustlsConnect> {
        self.tls.as_ref()
    }

    /// A failure to connect, in words: the setting, and for a certificate that could
    /// not be checked, what to set. No part of the URL.
    pub fn describe(&self, error: &tokio_postgres::Error) -> String {
        let setting = self.setting;
        if let Some(tls) = crate::tls::failure_in(error) {
            let mode = self.mode.name();
            return match tls {
                rustls::Error::InvalidCertificate(
                    rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. },
                ) => format!(
                    "{setting}: the database server's TLS certificate does not name the host in the URL (sslmode={mode} checks it; connect by the name the certificate holds, or use sslmode=verify-ca)"
                ),
                rustls::Error::InvalidCertificate(reason) => format!(
                    "{setting}: the database server's TLS certificate could not be verified ({reason:?}): with sslmode={mode}, set sslrootcert to the certificate of the CA that signed it"
                ),
                other => format!("{setting}: the TLS handshake with the database failed: {other}"),
            };
        }
        match std::error::Error::source(error) {
            Some(source) => format!("{setting}: {error}: {source}"),
            None => format!("{setting}: {error}"),
        }
    }

    /// Opens a connection for diesel-async.
    pub async fn establish(&self) -> diesel::ConnectionResult<AsyncPgConnection> {
        let failed = |e: tokio_postgres::Error| ConnectionError::BadConnection(self.describe(&e));
        match &self.tls {
            None => {
                let (client, connection) = self
                    .config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(failed)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await
            }
            Some(tls) => {
                let (client, connection) =
                    self.config.connect(tls.clone()).await.map_err(failed)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_settings_are_taken_out_of_the_url_and_the_rest_kept() {
        let (url, params) = split_tls_params(
            "postgres://u:p%3Fw@db.example.com:6432/app?application_name=x&sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=5",
        );
        assert_eq!(
            url,
            "postgres://u:p%3Fw@db.example.com:6432/app?application_name=x&connect_timeout=5"
        );
        assert_eq!(params.mode.as_deref(), Some("verify-full"));
        assert_eq!(params.root_cert.as_deref(), Some("/etc/ca.pem"));
        let (url, params) = split_tls_params("postgres://db/app?sslmode=require");
        assert_eq!(
            (url.as_str(), params.mode.as_deref()),
            ("postgres://db/app", Some("require"))
        );
    }

    #[test]
    fn without_sslmode_this_machine_is_plaintext_and_others_prefer_tls() {
        let mode = |url| DatabaseUrl::parse(url, "DATABASE_URL").unwrap().mode;
        assert_eq!(
            mode("postgres://postgres@127.0.0.1:5432/envgate"),
            TlsMode::Local
        );
        assert_eq!(
            mode("postgres://postgres@localhost/envgate"),
            TlsMode::Local
        );
        assert_eq!(
            mode("postgres://postgres@%2Frun%2Fpostgresql/envgate"),
            TlsMode::Local
        );
        assert_eq!(
            mode("postgres://postgres@db.example.com/envgate"),
            TlsMode::Prefer
        );
        assert_eq!(
            mode("postgres://postgres@127.0.0.1/envgate?sslmode=prefer"),
            TlsMode::Prefer
        );
        assert_eq!(
            mode("host=db.example.com sslmode=require"),
            TlsMode::Require
        );
        assert_eq!(mode("host=127.0.0.1 user=postgres"), TlsMode::Local);
    }

    #[test]
    fn bad_settings_are_refused_naming_the_setting_and_never_the_url() {
        for (url, expected) in [
            (
                "postgres://u:hunter2@db/app?sslmode=verify-everything",
                "sslmode=verify-everything",
            ),
            (
                "postgres://u:hunter2@db/app?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
                "/nonexistent/ca.pem",
            ),
            (
                "postgres://u:hunter2@db/app?sslmode=verify-full&sslrootcert=/dev/null",
                "no PEM certificate",
            ),
            ("host=db password=hunter2 sslmode=verify-full", "URL form"),
        ] {
            let error = format!("{:#}", DatabaseUrl::parse(url, "DATABASE_URL").unwrap_err());
            assert!(
                error.contains("DATABASE_URL") && error.contains(expected),
                "{error}"
            );
            assert!(!error.contains("hunter2"), "{error}");
        }
    }
}
