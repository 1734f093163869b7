//! Admission of new clients without keeping state (RFC 6347 §4.2.1): a datagram from an
//! unknown address is only worth a pool slot if it is a ClientHello carrying a cookie we
//! made for that address. Everything here works on the datagram alone.

use core::net::SocketAddr;

use crate::alert::{Alert, AlertDescription};
use crate::crypto::CookieJar;
use crate::handshake::{ClientHello, Fragments, HandshakeType};
use crate::record::{ContentType, parse_datagram};
use crate::session::{hello_verify_request_record, plaintext_record};

/// The bytes a cookie is bound to for a peer: address octets and port.
pub(crate) fn peer_key(peer: &SocketAddr) -> Vec<u8> {
    let mut key = match peer {
        SocketAddr::V4(a) => a.ip().octets().to_vec(),
        SocketAddr::V6(a) => a.ip().octets().to_vec(),
    };
    key.extend_from_slice(&peer.port().to_be_bytes());
    key
}

/// A ClientHello that opens a datagram, with its record sequence number.
pub(crate) struct InitialHello {
    pub(crate) record_sequence: u64,
    pub(crate) hello: ClientHello,
}

/// The ClientHello in the first record of `datagram`, if the datagram starts with a
/// whole (unfragmented) one in epoch 0. A fragmented first ClientHello cannot be checked
/// statelessly and is not admitted (the client's retransmission will not change that,
/// but no real ClientHello without a cookie is near an MTU).
pub(crate) fn initial_client_hello(datagram: &[u8]) -> Option<InitialHello> {
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
        hello: ClientHello::decode(first.body).ok()?,
    })
}

/// Whether the hello carries a cookie made by `cookies` for `peer`.
pub(crate) fn cookie_is_valid(cookies: &CookieJar, peer: &SocketAddr, hello: &ClientHello) -> bool {
    cookies.verify(&peer_key(peer), &hello.cookie_input(), &hello.cookie)
}

/// The HelloVerifyRequest datagram for a hello without a valid cookie.
pub(crate) fn hello_verify_request(
    cookies: &CookieJar,
    peer: &SocketAddr,
    initial: &InitialHello,
) -> Vec<u8> {
    hello_verify_request_record(
        cookies,
        &peer_key(peer),
        &initial.hello,
        initial.record_sequence,
    )
}

/// The plaintext fatal internal_error alert NetX sends when its pool is full.
pub(crate) fn pool_full_alert(initial: &InitialHello) -> Vec<u8> {
    let alert = Alert::fatal(AlertDescription::INTERNAL_ERROR).encode();
    plaintext_record(ContentType::ALERT, initial.record_sequence, &[&alert])
}
