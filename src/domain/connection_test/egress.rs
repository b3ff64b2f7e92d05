//! The egress guard: a connection test reaches only addresses the server may reach.
//! The host is resolved once, every address is checked, and every kind's test connects
//! to a checked address (never to a second lookup a rebinding DNS server could
//! answer), the name used only for TLS verification: PostgreSQL through `hostaddr`,
//! MySQL with the address and a TLS host-name override, REST through reqwest's
//! `resolve`, MongoDB through a loopback relay (see `relay.rs`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::{IpNet, Ipv6Net};

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
/// (cloud metadata at 169.254.169.254 among them), the other cloud metadata addresses,
/// the unspecified address, broadcast and multicast; and IPv6 addresses that carry an
/// IPv4 address a translator or tunnel would deliver to (NAT64, IPv4-compatible, 6to4),
/// judged by the IPv4 address they carry.
///
/// Private networks (10/8, 172.16/12, 192.168/16, fc00::/7) and carrier-grade NAT
/// (100.64/10, where some clouds and overlay networks such as Tailscale put real
/// hosts) are reachable: databases live there. Only the metadata addresses inside them
/// are refused.
fn forbidden(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unicast_link_local()
                || v6.is_unspecified()
                || v6.is_multicast()
                || AWS_SERVICES_V6.contains(&v6)
                || embedded_v4(v6).into_iter().any(forbidden_v4)
        }
    }
}

/// Alibaba Cloud's metadata service (inside 100.64.0.0/10).
const ALIBABA_METADATA: Ipv4Addr = Ipv4Addr::new(100, 100, 100, 200);
/// Azure's WireServer (a public address each VM reaches its host through).
const AZURE_WIRESERVER: Ipv4Addr = Ipv4Addr::new(168, 63, 129, 16);

/// AWS's IPv6 services (metadata at fd00:ec2::254, DNS, time): fd00:ec2::/32, a
/// corner of the unique-local range the rest of which is private LAN.
const AWS_SERVICES_V6: Ipv6Net =
    Ipv6Net::new_assert(Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0), 32);

fn forbidden_v4(v4: Ipv4Addr) -> bool {
    v4.is_loopback()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4 == ALIBABA_METADATA
        || v4 == AZURE_WIRESERVER
}

/// The IPv4 addresses an IPv6 address may deliver to through a translator or a
/// tunnel: NAT64 (64:ff9b::/96; the local-use 64:ff9b:1::/48, at every position RFC
/// 6052 allows within it), IPv4-compatible (::/96, not :: and ::1 themselves) and
/// 6to4 (2002::/16). IPv4-mapped addresses are made IPv4 by `to_canonical` first.
fn embedded_v4(v6: Ipv6Addr) -> Vec<Ipv4Addr> {
    let b = v6.octets();
    let v4 = |o: [u8; 4]| Ipv4Addr::from(o);
    let s = v6.segments();
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return vec![v4([b[12], b[13], b[14], b[15]])];
    }
    if s[..3] == [0x64, 0xff9b, 1] {
        // RFC 6052 prefix lengths /48, /56, /64 and /96 (bits 64..72 are the zero "u"
        // octet); the operator's choice is not known here, so every reading is
        // checked. A reading of all zeros is what the other layouts leave: not an
        // address.
        return [
            v4([b[6], b[7], b[9], b[10]]),
            v4([b[7], b[9], b[10], b[11]]),
            v4([b[9], b[10], b[11], b[12]]),
            v4([b[12], b[13], b[14], b[15]]),
        ]
        .into_iter()
        .filter(|a| !a.is_unspecified())
        .collect();
    }
    if s[..6] == [0; 6] && !v6.is_unspecified() && !v6.is_loopback() {
        return vec![v4([b[12], b[13], b[14], b[15]])];
    }
    if s[0] == 0x2002 {
        return vec![v4([b[2], b[3], b[4], b[5]])];
    }
    Vec::new()
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
        "Connection tests may not reach {host} ({}): loopback, link-local, cloud metadata \
         and unspecified addresses are refused unless ENVGATE_CONNECTION_TEST_ALLOW \
         allows them.",
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

    #[test]
    fn the_guard_refuses_cloud_metadata_but_not_private_networks() {
        for ip in [
            // AWS IMDS over IPv6, and its other services in fd00:ec2::/32.
            "fd00:ec2::254",
            "fd00:ec2::253",
            "fd00:ec2:1::1",
            // Alibaba Cloud, Azure's WireServer.
            "100.100.100.200",
            "168.63.129.16",
            "::ffff:100.100.100.200",
        ] {
            assert!(forbidden(ip.parse().unwrap()), "{ip}");
        }
        // Unique-local (fc00::/7) and carrier-grade NAT are private networks, allowed
        // like 10/8.
        for ip in [
            "fd00::1",
            "fd00:ec3::254",
            "fc00::1",
            "100.64.0.1",
            "100.100.100.201",
        ] {
            assert!(!forbidden(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn addresses_that_carry_ipv4_are_judged_by_it() {
        for ip in [
            // NAT64, well-known prefix.
            "64:ff9b::169.254.169.254",
            "64:ff9b::127.0.0.1",
            "64:ff9b::100.100.100.200",
            "64:ff9b::0.0.0.0",
            // NAT64, local-use prefix: /96, /64 and /48 layouts.
            "64:ff9b:1::169.254.169.254",
            "64:ff9b:1:0:a9:fea9:fe00:0",
            "64:ff9b:1:a9fe:a9:fe00::",
            // IPv4-compatible.
            "::127.0.0.1",
            "::169.254.169.254",
            // 6to4.
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "64:ff9b::8.8.8.8",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::10.0.0.1",
            "64:ff9b:1:808:8:800::",
            "::8.8.8.8",
            "2002:808:808::1",
        ] {
            assert!(!forbidden(ip.parse().unwrap()), "{ip}");
        }
    }
}
