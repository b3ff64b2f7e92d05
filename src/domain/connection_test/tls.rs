//! TLS for connection tests (rustls with the `ring` provider): libpq's `ssl_mode`
//! meanings. `prefer` and `require` encrypt without checking the certificate;
//! `verify-full` checks it against `ssl_ca` (or the public web roots) and the host name.

use rustls::ClientConfig;

use super::Failure;
use crate::tls::{Check, pem_roots, web_roots};

/// What a test does about TLS, from the `ssl_mode` and `ssl_ca` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode<'a> {
    Disable,
    /// TLS when the server offers it, unverified.
    Prefer,
    /// TLS or fail, unverified.
    Require,
    /// TLS, the certificate checked against this CA (or the web roots) and the host.
    VerifyFull {
        ca_pem: Option<&'a str>,
    },
}

impl<'a> Mode<'a> {
    /// The mode of a data source's options (`prefer` when unset).
    pub(super) fn of(options: &'a serde_json::Map<String, serde_json::Value>) -> Self {
        let text = |key| {
            options
                .get(key)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
        };
        match text("ssl_mode").unwrap_or("prefer") {
            "disable" => Self::Disable,
            "require" => Self::Require,
            "verify-full" => Self::VerifyFull {
                ca_pem: text("ssl_ca"),
            },
            _ => Self::Prefer,
        }
    }

    /// Whether a successful connection was certainly encrypted.
    pub(super) fn encrypted(self) -> bool {
        matches!(self, Self::Require | Self::VerifyFull { .. })
    }
}

/// The client configuration for `mode` (not `Disable`); a bad `ssl_ca` fails here.
pub(super) fn client_config(mode: Mode<'_>) -> Result<ClientConfig, Failure> {
    let (check, roots) = match mode {
        Mode::VerifyFull { ca_pem } => (Check::ChainAndName, roots(ca_pem)?),
        _ => (Check::Nothing, web_roots()),
    };
    crate::tls::client_config(check, roots)
        .map_err(|e| Failure::Failed(format!("TLS setup failed: {e}")))
}

/// The client configuration of a MongoDB test's relay (see [`super::relay`]), from the
/// connection string's flags: the public web roots and the host name checked, unless
/// `tlsAllowInvalidCertificates` (nothing checked) or `tlsAllowInvalidHostnames` (the
/// certificate checked, not the name in it). No CA file: the string can't name one.
pub(super) fn mongodb_config(
    allow_invalid_certificates: bool,
    allow_invalid_hostnames: bool,
) -> Result<ClientConfig, Failure> {
    let check = match (allow_invalid_certificates, allow_invalid_hostnames) {
        (true, _) => Check::Nothing,
        (false, true) => Check::Chain,
        (false, false) => Check::ChainAndName,
    };
    crate::tls::client_config(check, web_roots())
        .map_err(|e| Failure::Failed(format!("TLS setup failed: {e}")))
}

/// A MongoDB TLS failure in words, with what to do about an unverifiable certificate.
pub(super) fn describe_for_mongodb(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(reason) => format!(
            "The server's TLS certificate could not be verified ({reason:?}): it must be \
             signed by a public CA for the host name; tlsAllowInvalidCertificates=true in \
             the connection string skips the check."
        ),
        other => format!("The TLS handshake failed: {other}."),
    }
}

/// The certificates of `ssl_ca`, or the public web roots without one.
fn roots(ca_pem: Option<&str>) -> Result<rustls::RootCertStore, Failure> {
    match ca_pem {
        None => Ok(web_roots()),
        Some(pem) => pem_roots(pem.as_bytes())
            .ok_or_else(|| Failure::Failed("ssl_ca is not a PEM certificate.".into())),
    }
}

/// The message of a TLS failure found in an error's sources, if there is one.
pub(super) fn failure_in(error: &(dyn std::error::Error + 'static)) -> Option<Failure> {
    crate::tls::failure_in(error).map(|tls| Failure::Failed(describe(tls)))
}

/// A TLS failure in words, with what to do about an unverifiable certificate.
fn describe(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(reason) => format!(
            "The server's TLS certificate could not be verified ({reason:?}): with ssl_mode \
             verify-full, set ssl_ca to the certificate of the CA that signed it."
        ),
        other => format!("The TLS handshake failed: {other}."),
    }
}
