//! Socket addresses between Rust and the WIT record.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::bindings::types::{IpAddress, SocketAddress};

/// The WIT form of an address.
pub fn wit_address(addr: SocketAddr) -> SocketAddress {
    let address = match addr.ip() {
        IpAddr::V4(ip) => {
            let [a, b, c, d] = ip.octets();
            IpAddress::Ipv4((a, b, c, d))
        }
        IpAddr::V6(ip) => {
            let [a, b, c, d, e, f, g, h] = ip.segments();
            IpAddress::Ipv6((a, b, c, d, e, f, g, h))
        }
    };
    SocketAddress {
        address,
        port: addr.port(),
    }
}

/// The Rust form of a WIT address.
pub fn socket_addr(addr: &SocketAddress) -> SocketAddr {
    let ip = match addr.address {
        IpAddress::Ipv4((a, b, c, d)) => IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => {
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h))
        }
    };
    SocketAddr::new(ip, addr.port)
}
