//! Interoperability with Mbed TLS 2.28 (through PyPI's python-mbedtls, driven by
//! `tests/interop/mbedtls_peer.py`) over loopback UDP, both directions, all six
//! suites we serve (and ECDHE_RSA from its server with an RSA certificate), data both
//! ways; client certificates with ECDHE-ECDSA. Our server side is the
//! pool [`wasm_dtls::Server`]. scripts/test.sh installs the package into
//! `target/interop-venv` (or set WASM_DTLS_INTEROP_PYTHON). Bounded by timeouts; never
//! skipped. No lossy link: through python-mbedtls, Mbed TLS never resends a flight on
//! its own (as client or as server, in our tries), and an Mbed TLS server does not
//! answer a repeated ClientHello by resending its flight.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::interop_python;
use common::peer::Peer;
use wasm_dtls::{CipherSuite, NamedGroup};

/// The Mbed TLS peer: the script, run by the interop Python.
fn mbedtls() -> Peer {
    Peer {
        program: interop_python(),
        leading: vec![format!(
            "{}/tests/interop/mbedtls_peer.py",
            env!("CARGO_MANIFEST_DIR")
        )],
        suites: &CipherSuite::ALL,
    }
}

#[test]
fn mbedtls_and_we_talk_both_ways_with_every_suite() {
    mbedtls().talks_both_ways();
}

#[test]
fn mbedtls_and_we_agree_on_an_ecdhe_group_both_ways() {
    // Mbed TLS 2.28 lists secp256r1 before X25519, as server and as client.
    mbedtls().agrees_on_groups(NamedGroup::Secp256r1, NamedGroup::Secp256r1);
}

#[test]
fn mbedtls_and_we_exchange_client_certificates_both_ways() {
    mbedtls().exchanges_client_certificates_both_ways();
}

#[test]
fn a_mbedtls_client_with_a_wrong_psk_is_refused_clearly() {
    mbedtls().is_refused_with_a_wrong_psk();
}

#[test]
fn mbedtls_and_we_ignore_repeated_datagrams() {
    mbedtls().ignores_repeated_datagrams();
}
