//! A loopback relay for a driver that would look the host name up itself (MongoDB's):
//! the driver is given a listener on 127.0.0.1 that lives as long as one test, in
//! plain TCP; every connection it opens there is relayed to the address the egress
//! guard checked, and with TLS the relay opens the TLS session itself (rustls, the host
//! name for SNI and verification). So the driver never resolves the name again (a
//! rebinding DNS server can't send it elsewhere) and never reaches anything but the
//! relay. The driver's connection to the relay is envgate-internal and not checked;
//! the relay's outbound connection is the checked one.
//!
//! Every task is aborted when the relay is dropped, and none outlives
//! [`super::TIMEOUT`] anyway.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsConnector;

use super::TIMEOUT;

/// TLS as the relay opens it: the configuration and the name the certificate must
/// carry (also sent as SNI).
pub(super) struct Tls {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
}

/// A running relay; dropping it stops it.
pub(super) struct Relay {
    local: SocketAddr,
    /// The first TLS failure of a relayed connection, if there was one.
    tls_failure: watch::Receiver<Option<rustls::Error>>,
    _tasks: JoinSet<()>,
}

impl Relay {
    /// Listens on 127.0.0.1 (a port the system picks) and relays every connection to
    /// `target`, through TLS when `tls` is given.
    pub(super) async fn start(target: SocketAddr, tls: Option<Tls>) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let local = listener.local_addr()?;
        let (failed, tls_failure) = watch::channel(None);
        let tls = tls.map(|tls| (TlsConnector::from(tls.config), tls.server_name));
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            // Dropped with the accept loop: every connection's task is aborted with it.
            let mut connections = JoinSet::new();
            while let Ok((inbound, _)) = listener.accept().await {
                let tls = tls.clone();
                let failed = failed.clone();
                connections.spawn(async move {
                    let relayed = relay(inbound, target, tls, &failed);
                    let _ = tokio::time::timeout(TIMEOUT, relayed).await;
                });
                // Finished connections are reaped as new ones come.
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(Self {
            local,
            tls_failure,
            _tasks: tasks,
        })
    }

    /// Where the driver connects: 127.0.0.1 and the relay's port.
    pub(super) fn local_address(&self) -> SocketAddr {
        self.local
    }

    /// Waits until a relayed connection fails its TLS handshake, and answers why; never
    /// answers otherwise.
    pub(super) async fn tls_failed(&self) -> rustls::Error {
        let mut failure = self.tls_failure.clone();
        let found = failure
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|error| error.clone());
        match found {
            Some(error) => error,
            // The relay stopped: no failure will come.
            None => std::future::pending().await,
        }
    }
}

/// Relays one connection to `target`, opening TLS first when asked.
async fn relay(
    mut inbound: TcpStream,
    target: SocketAddr,
    tls: Option<(TlsConnector, ServerName<'static>)>,
    failed: &watch::Sender<Option<rustls::Error>>,
) -> std::io::Result<()> {
    let upstream = TcpStream::connect(target).await?;
    upstream.set_nodelay(true)?;
    inbound.set_nodelay(true)?;
    match tls {
        None => {
            let mut upstream = upstream;
            tokio::io::copy_bidirectional(&mut inbound, &mut upstream).await?;
        }
        Some((connector, name)) => {
            let mut upstream = match connector.connect(name, upstream).await {
                Ok(stream) => stream,
                Err(error) => {
                    if let Some(tls) = error
                        .get_ref()
                        .and_then(|e| e.downcast_ref::<rustls::Error>())
                    {
                        failed.send_if_modified(|first| {
                            let unset = first.is_none();
                            if unset {
                                *first = Some(tls.clone());
                            }
                            unset
                        });
                    }
                    return Err(error);
                }
            };
            tokio::io::copy_bidirectional(&mut inbound, &mut upstream).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[tokio::test]
    async fn the_relay_reaches_the_checked_address_and_never_a_name() {
        // The target: an echo server. The relay has only its address; no name is
        // looked up (TLS below names a host under .invalid, which never resolves).
        let target = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let target_address = target.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = target.accept().await {
                tokio::spawn(async move {
                    let (mut read, mut write) = socket.split();
                    let _ = tokio::io::copy(&mut read, &mut write).await;
                });
            }
        });
        let relay = Relay::start(target_address, None).await.unwrap();
        assert!(relay.local_address().ip().is_loopback());
        assert_ne!(relay.local_address(), target_address);
        for _ in 0..2 {
            let mut client = TcpStream::connect(relay.local_address()).await.unwrap();
            client.write_all(b"hello").await.unwrap();
            let mut answer = [0; 5];
            tokio::time::timeout(TIMEOUT, client.read_exact(&mut answer))
                .await
                .expect("answered in time")
                .unwrap();
            assert_eq!(&answer, b"hello");
        }

        // With TLS the relay opens the session: an echo server is no TLS server, so the
        // handshake fails and the relay says so.
        let config = super::super::tls::client_config(super::super::tls::Mode::Require)
            .ok()
            .unwrap();
        let tls = Tls {
            config: Arc::new(config),
            server_name: ServerName::try_from("mongo.envgate-test.invalid").unwrap(),
        };
        let relay = Relay::start(target_address, Some(tls)).await.unwrap();
        let mut client = TcpStream::connect(relay.local_address()).await.unwrap();
        client.write_all(b"x").await.unwrap();
        let failure = tokio::time::timeout(TIMEOUT, relay.tls_failed())
            .await
            .expect("the handshake failed in time");
        assert!(!failure.to_string().is_empty());
        let local = relay.local_address();
        drop(relay);
        // Dropped, the relay stops listening.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(TcpStream::connect(local).await.is_err());
    }
}
