//! TLS for connection tests (rustls with the `ring` provider): libpq's `ssl_mode`
//! meanings. `prefer` and `require` encrypt without checking the certificate;
//! `verify-full` checks it against `ssl_ca` (or the public web roots) and the host name.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::Failure;

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

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The client configuration for `mode` (not `Disable`); a bad `ssl_ca` fails here.
pub(super) fn client_config(mode: Mode<'_>) -> Result<ClientConfig, Failure> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::Failed(format!("TLS setup failed: {e}")))?;
    let config = match mode {
        Mode::VerifyFull { ca_pem } => builder
            .with_root_certificates(roots(ca_pem)?)
            .with_no_client_auth(),
        _ => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
            .with_no_client_auth(),
    };
    Ok(config)
}

/// The client configuration of a MongoDB test's relay (see [`super::relay`]), from the
/// connection string's flags: the public web roots and the host name checked, unless
/// `tlsAllowInvalidCertificates` (nothing checked) or `tlsAllowInvalidHostnames` (the
/// certificate checked, not the name in it). No CA file: the string can't name one.
pub(super) fn mongodb_config(
    allow_invalid_certificates: bool,
    allow_invalid_hostnames: bool,
) -> Result<ClientConfig, Failure> {
    if allow_invalid_certificates {
        return client_config(Mode::Require);
    }
    if !allow_invalid_hostnames {
        return client_config(Mode::VerifyFull { ca_pem: None });
    }
    let provider = provider();
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots(None)?), provider.clone())
            .build()
            .map_err(|e| Failure::Failed(format!("TLS setup failed: {e}")))?;
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::Failed(format!("TLS setup failed: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyName(verifier)))
        .with_no_client_auth())
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
fn roots(ca_pem: Option<&str>) -> Result<RootCertStore, Failure> {
    let Some(pem) = ca_pem else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let invalid = || Failure::Failed("ssl_ca is not a PEM certificate.".into());
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots
            .add(cert.map_err(|_| invalid())?)
            .map_err(|_| invalid())?;
    }
    if roots.is_empty() {
        return Err(invalid());
    }
    Ok(roots)
}

/// The message of a TLS failure found in an error's sources, if there is one.
pub(super) fn failure_in(error: &(dyn std::error::Error + 'static)) -> Option<Failure> {
    let mut source = Some(error);
    while let Some(e) = source {
        let tls = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(tls) = tls {
            return Some(Failure::Failed(describe(tls)));
        }
        source = e.source();
    }
    None
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

/// The certificate checked against the roots, the name in it not: MongoDB's
/// `tlsAllowInvalidHostnames`.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Encryption without verification: what libpq's `prefer` and `require` do. The
/// handshake's signatures are still checked.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
