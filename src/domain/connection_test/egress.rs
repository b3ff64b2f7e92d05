//! The egress guard: a connection test reaches only addresses the server may reach.
//! The host is resolved once, every address is checked, and the test connects to a
//! checked address (never to a second lookup a rebinding DNS server could answer).

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

use super::Failure;

/// Addresses connection tests may reach although the guard refuses them by default:
/// `ENVGATE_CONNECTION_TEST_ALLOW`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allow {
    networks: Vec<IpNet>,
    /// `host:port` entries, the host lowercased: a name or an address.
    endpoints: Vec<(String, u16)>,
}

impl Allow {
    /// What a development server allows without configuration: 127.0.0.1, so the demo
    /// data source tests OK.
    pub fn development() -> Self {
        Self {
            networks: vec![IpNet::from(IpAddr::from([127, 0, 0, 1]))],
            endpoints: Vec::new(),
        }
    }

    /// Parses a comma-separated list of CIDRs (`10.0.0.0/8`), addresses (`127.0.0.1`)
    /// and `host:port` entries (`db.internal:5432`, `[::1]:5432`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut allow = Self::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let network = entry.parse::<IpNet>().ok();
            let network = network.or_else(|| entry.parse::<IpAddr>().ok().map(IpNet::from));
            let endpoint = || {
                let (host, port) = entry.rsplit_once(':')?;
                let host = host.trim_start_matches('[').trim_end_matches(']');
                let port = port.parse::<u16>().ok()?;
                (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
            };
            match (network, endpoint()) {
                (Some(network), _) => allow.networks.push(network),
                (None, Some(endpoint)) => allow.endpoints.push(endpoint),
                (None, None) => {
                    return Err(format!(
                        "`{entry}` is neither a CIDR, an address nor host:port"
                    ));
                }
            }
        }
        Ok(allow)
    }

    fn allows(&self, host: &str, address: SocketAddr) -> bool {
        let ip = address.ip().to_canonical();
        self.networks.iter().any(|n| n.contains(&ip))
            || self.endpoints.iter().any(|(h, port)| {
                *port == address.port()
                    && (h.eq_ignore_ascii_case(host) || h.parse::<IpAddr>() == Ok(ip))
            })
    }
}

/// Addresses a connection test never reaches unless allowed: this machine, the link
/// (cloud metadata at 169.254.169.254 among them) and the unspecified address.
fn forbidden(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unicast_link_local()
                || v6.is_unspecified()
                || v6.is_multicast()
        }
    }
}

/// Resolves `host` once and returns the first address the guard lets through:
/// a failure saying so when there is none.
pub(super) async fn resolve(allow: &Allow, host: &str, port: u16) -> Result<SocketAddr, Failure> {
    let addresses = lookup(host, port).await?;
    match addresses.iter().find(|a| permitted(allow, host, **a)) {
        Some(address) => Ok(*address),
        None => Err(refused(host, addresses[0])),
    }
}

/// Resolves `host` once and checks every address: for drivers that must be given the
/// name (TLS with a certificate for it), so no answer of a later lookup can be one the
/// guard refuses.
pub(super) async fn resolve_all(allow: &Allow, host: &str, port: u16) -> Result<(), Failure> {
    let addresses = lookup(host, port).await?;
    match addresses.iter().find(|a| !permitted(allow, host, **a)) {
        Some(address) => Err(refused(host, *address)),
        None => Ok(()),
    }
}

fn permitted(allow: &Allow, host: &str, address: SocketAddr) -> bool {
    !forbidden(address.ip()) || allow.allows(host, address)
}

async fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, Failure> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<_> = match tokio::net::lookup_host((host, port)).await {
        Ok(found) => found.collect(),
        Err(_) => Vec::new(),
    };
    if addresses.is_empty() {
        return Err(Failure::Failed(format!(
            "The host name {host} could not be resolved."
        )));
    }
    Ok(addresses)
}

fn refused(host: &str, address: SocketAddr) -> Failure {
    Failure::Failed(format!(
        "Connection tests may not reach {host} ({}): loopback, link-local and unspecified \
         addresses are refused unless ENVGATE_CONNECTION_TEST_ALLOW allows them.",
        address.ip()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_takes_cidrs_addresses_and_endpoints() {
        let allow = Allow::parse("10.0.0.0/8, 127.0.0.1,db.internal:5432,[::1]:6543").unwrap();
        let at = |ip: &str, port| SocketAddr::new(ip.parse().unwrap(), port);
        assert!(allow.allows("x", at("10.1.2.3", 1)));
        assert!(allow.allows("x", at("127.0.0.1", 9)));
        assert!(allow.allows("DB.internal", at("127.0.0.2", 5432)));
        assert!(!allow.allows("db.internal", at("127.0.0.2", 5433)));
        assert!(allow.allows("x", at("::1", 6543)));
        assert!(!allow.allows("x", at("::1", 6544)));
        assert!(Allow::parse("not an entry").is_err());
        assert_eq!(Allow::parse("").unwrap(), Allow::default());
    }

    #[test]
    fn the_guard_refuses_this_machine_and_the_link() {
        for ip in [
            "127.0.0.1",
            "169.254.169.254",
            "::1",
            "fe80::1",
            "0.0.0.0",
            "::",
            "::ffff:127.0.0.1",
        ] {
            assert!(forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["10.0.0.1", "192.168.1.1", "8.8.8.8", "2001:db8::1"] {
            assert!(!forbidden(ip.parse().unwrap()), "{ip}");
        }
    }
}
