//! Admission of new clients without keeping state (RFC 6347 §4.2.1): a datagram from an
//! unknown address is only worth a pool slot if it is a ClientHello carrying a cookie we
//! made for that address. Everything here works on the datagram alone.

use core::net::SocketAddr;

use crate::alert::{Alert, AlertDescription};
use crate::crypto::CookieJar;
use crate::handshake::{ClientHelloView, Fragments, HandshakeType};
use crate::record::{ContentType, parse_datagram};
use crate::session::{has_valid_cookie, hello_verify_request_record, plaintext_record};

/// The bytes a cookie is bound to for a peer: address octets and port, on the stack
/// (at most 16 + 2 bytes).
pub(crate) struct PeerKey {
    bytes: [u8; 18],
    len: usize,
}

impl PeerKey {
    /// The address octets followed by the port.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// The bytes a cookie is bound to for `peer`.
pub(crate) fn peer_key(peer: &SocketAddr) -> PeerKey {
    let (v4, v6);
    let address: &[u8] = match peer {
        SocketAddr::V4(a) => {
            v4 = a.ip().octets();
            &v4
        }
        SocketAddr::V6(a) => {
            v6 = a.ip().octets();
            &v6
        }
    };
    let mut key = PeerKey {
        bytes: [0; 18],
        len: 0,
    };
    for (slot, byte) in key
        .bytes
        .iter_mut()
        .zip(address.iter().chain(&peer.port().to_be_bytes()))
    {
        *slot = *byte;
        key.len += 1;
    }
    key
}

/// A ClientHello that opens a datagram, with its record sequence number.
pub(crate) struct InitialHello<'a> {
    pub(crate) record_sequence: u64,
    pub(crate) hello: ClientHelloView<'a>,
}

/// The ClientHello in the first record of `datagram`, if the datagram starts with a
/// whole (unfragmented) one in epoch 0. A fragmented first ClientHello cannot be checked
/// statelessly and is not admitted (the client's retransmission will not change that,
/// but no real ClientHello without a cookie is near an MTU).
pub(crate) fn initial_client_hello(datagram: &[u8]) -> Option<InitialHello<'_>> {
    let record = parse_datagram(datagram).next()?.ok()?;
    let h = record.header;
    if h.content_type != ContentType::HANDSHAKE || h.epoch != 0 {
        return None;
    }
    let first = Fragments::parse(record.fragment).ok()?.next()?;
    let fh = &first.header;
    if fh.msg_type != HandshakeType::CLIENT_HELLO
        || fh.fragment_offset != 0
        || fh.fragment_length != fh.length
    {
        return None;
    }
    Some(InitialHello {
        record_sequence: h.sequence,
        hello: ClientHelloView::read(first.body).ok()?,
    })
}

/// Whether the hello carries a cookie made by `cookies` for `peer`.
pub(crate) fn cookie_is_valid(
    cookies: &CookieJar,
    peer: &SocketAddr,
    hello: &ClientHelloView<'_>,
) -> bool {
    has_valid_cookie(cookies, peer_key(peer).as_bytes(), hello)
}

/// The HelloVerifyRequest datagram for a hello without a valid cookie.
pub(crate) fn hello_verify_request(
    cookies: &CookieJar,
    peer: &SocketAddr,
    initial: &InitialHello<'_>,
) -> Vec<u8> {
    hello_verify_request_record(
        cookies,
        peer_key(peer).as_bytes(),
        &initial.hello,
        initial.record_sequence,
    )
}

/// The plaintext fatal internal_error alert NetX sends when its pool is full.
pub(crate) fn pool_full_alert(initial: &InitialHello<'_>) -> Vec<u8> {
    let alert = Alert::fatal(AlertDescription::INTERNAL_ERROR).encode();
    plaintext_record(ContentType::ALERT, initial.record_sequence, &[&alert])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_key_is_the_address_then_the_port() {
        let v4: SocketAddr = "192.0.2.7:5684"
            .parse()
            .unwrap_or(SocketAddr::from(([0; 4], 0)));
        assert_eq!(peer_key(&v4).as_bytes(), [192, 0, 2, 7, 0x16, 0x34]);
        let v6: SocketAddr = "[2001:db8::1]:443".parse().unwrap_or(v4);
        let mut expected = vec![0x20, 0x01, 0x0d, 0xb8];
        expected.extend([0; 11]);
        expected.extend([1, 0x01, 0xbb]);
        assert_eq!(peer_key(&v6).as_bytes(), expected);
    }
}
