//! The client's address: the connection's peer, or, when the peer is one of
//! the proxies named by `--trusted-proxies`, the address that proxy says it
//! forwarded for (`X-Forwarded-For`, else `Forwarded`). Login throttling and
//! the security log use it.
//!
//! The chain a header lists is read from the right (the hop nearest to
//! Cairn) and the first address that is not a trusted proxy is the client:
//! whatever a client writes into the header itself is to the left of what
//! its proxy appended, so it is never believed.

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The client's address as Cairn believes it (see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The proxies whose forwarding headers are believed (`--trusted-proxies`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(nets)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain = forwarded_chain(headers);
        let mut client = peer;
        for hop in chain.iter().rev() {
            let Some(address) = hop else {
                // "unknown" or an obfuscated name: nothing further is known.
                break;
            };
            client = *address;
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// One `--trusted-proxies` entry: `10.0.0.0/8`, `::1/128`, or one address.
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is not an address or a CIDR range (10.0.0.0/8, ::1/128)"))
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The addresses the forwarding headers list, left (the first client) to
/// right (the last proxy); `None` for a hop that is not an address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !xff.is_empty() {
        return xff
            .iter()
            .flat_map(|v| v.split(','))
            .map(|hop| node_address(hop.trim()))
            .collect();
    }
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|element| {
            // RFC 7239: `for=192.0.2.60;proto=https;by=...`; an element
            // without `for` names no address.
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, value)| node_address(value.trim().trim_matches('"')))
        })
        .collect()
}

/// An address from a header's node: `192.0.2.60`, `192.0.2.60:4711`,
/// `2001:db8::1`, `[2001:db8::1]:4711`.
fn node_address(node: &str) -> Option<IpAddr> {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok().map(canonical);
    }
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(canonical(address));
    }
    node.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// The connection's peer (0.0.0.0 when served without connection info).
fn peer(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// Middleware: works out the client's address once per request and leaves
/// it for the [`ClientAddress`] extractor.
pub async fn resolve(
    axum::extract::State(state): axum::extract::State<super::AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = state
        .trusted_proxies
        .client(peer(request.extensions()), request.headers());
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        if let Some(address) = parts.extensions.get::<ClientAddress>() {
            return Ok(*address);
        }
        Ok(ClientAddress(canonical(peer(&parts.extensions))))
    }
}

impl ClientAddress {
    /// `who` acting from this address, for the security log.
    pub fn actor(self, who: &str) -> crate::auth::audit::Actor {
        crate::auth::audit::Actor {
            name: who.to_string(),
            address: self.0.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use axum::http::HeaderValue;

    fn proxies(nets: &[&str]) -> TrustedProxies {
        TrustedProxies::new(nets.iter().map(|n| parse_net(n).unwrap()).collect())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let sent = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            trusted.client(ip("198.51.100.4"), &sent),
            ip("198.51.100.4")
        );
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.2"), &sent),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "::1"]);
        // The client forged the first entry; its proxy appended its address.
        let sent = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.7")]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &sent), ip("203.0.113.9"));
        // Two header lines are one list; IPv6 peer, IPv4-mapped forms.
        let sent = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "::ffff:203.0.113.10"),
        ]);
        assert_eq!(trusted.client(ip("::1"), &sent), ip("203.0.113.10"));
        assert_eq!(
            trusted.client(ip("::ffff:10.0.0.2"), &sent),
            ip("203.0.113.10")
        );
        // Every hop trusted: the left-most.
        let sent = headers(&[("x-forwarded-for", "10.1.1.1, 10.0.0.7")]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &sent), ip("10.1.1.1"));
        // No header: the proxy itself.
        assert_eq!(
            trusted.client(ip("10.0.0.2"), &HeaderMap::new()),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let sent = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.9:80",
        )]);
        assert_eq!(
            trusted.client(ip("10.0.0.2"), &sent),
            ip("2001:db8:cafe::17")
        );
        // An obfuscated hop ends what is known: its proxy is the client.
        let sent = headers(&[("forwarded", "for=203.0.113.1, for=_hidden, for=10.0.0.9")]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &sent), ip("10.0.0.9"));
        // Garbage is no address.
        let sent = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(trusted.client(ip("10.0.0.2"), &sent), ip("10.0.0.2"));
    }

    #[test]
    fn entries_parse_as_ranges_or_addresses() {
        assert!(parse_net("10.0.0.0/8").is_ok());
        assert!(parse_net(" 192.168.1.1 ").is_ok());
        assert!(parse_net("::1/128").is_ok());
        assert!(parse_net("10.0.0.0/33").is_err());
        assert!(parse_net("proxy.example.org").is_err());
    }
}
