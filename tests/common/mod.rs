//! Shared helpers of the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod udp;

use std::sync::Arc;

use wasm_dtls::sim::{LinkConditions, Pair};
use wasm_dtls::{CipherSuite, Config, Role, SeededRandom, Session};

/// The key both sides share in most tests.
pub const KEY: &[u8] = b"0123456789abcdef";
/// Its identity.
pub const IDENTITY: &[u8] = b"client-1";

/// A configuration with one PSK and only `suite` enabled.
pub fn psk_config(suite: CipherSuite, key: &[u8]) -> Config {
    let mut c = Config::new();
    c.psk_add(key, IDENTITY, b"hint").unwrap();
    c.set_cipher_suites(&[suite]).unwrap();
    c
}

/// A seeded client and server with these configurations, joined by links with these
/// conditions.
pub fn pair_with(client: Config, server: Config, link: LinkConditions, seed: u64) -> Pair {
    let client = Session::with_rng(
        Role::Client,
        Arc::new(client),
        &[],
        Box::new(SeededRandom::new(seed)),
    );
    let server = Session::with_rng(
        Role::Server,
        Arc::new(server),
        b"192.0.2.1:5684",
        Box::new(SeededRandom::new(seed.wrapping_add(1000))),
    );
    Pair::new(client, server, link, link, seed)
}

/// A client and server sharing `KEY` with `suite`.
pub fn pair(suite: CipherSuite, link: LinkConditions, seed: u64) -> Pair {
    pair_with(psk_config(suite, KEY), psk_config(suite, KEY), link, seed)
}

/// Both PSK suites.
pub const PSK_SUITES: [CipherSuite; 2] =
    [CipherSuite::PskAes128Ccm8, CipherSuite::PskAes128GcmSha256];
