//! Interoperability with wolfSSL 5.5 (Debian's libwolfssl, driven by
//! `tests/interop/wolfssl_peer.c`, which the test compiles with cc) over loopback UDP,
//! both directions, the three ECDHE-ECDSA suites, data both ways, client certificates
//! both ways; the two ECDHE_RSA suites from its server with an RSA certificate. Debian
//! builds wolfSSL without static-PSK suites, so there are no PSK tests here. Our server
//! side is the pool [`wasm_dtls::Server`]. scripts/test.sh installs libwolfssl-dev.
//! Bounded by timeouts; never skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::Command;
use std::sync::OnceLock;

use common::peer::{Peer, built_peer};
use common::{ECDSA_SUITES, RSA_SUITES};
use wasm_dtls::{CipherSuite, NamedGroup};

/// The suites of Debian's wolfSSL that we speak.
static WOLFSSL_SUITES: [CipherSuite; 7] = [
    ECDSA_SUITES[0],
    ECDSA_SUITES[1],
    ECDSA_SUITES[2],
    ECDSA_SUITES[3],
    RSA_SUITES[0],
    RSA_SUITES[1],
    RSA_SUITES[2],
];

/// The wolfSSL peer, built once for this test binary.
fn wolfssl() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| {
        built_peer(
            "wolfssl_peer",
            "wolfssl_peer.c",
            &WOLFSSL_SUITES,
            |source, out| {
                let mut cc = Command::new("cc");
                cc.args([
                    "-std=c11",
                    "-D_DEFAULT_SOURCE",
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                ])
                .args(["-o", out, source, "-lwolfssl"]);
                cc
            },
        )
    })
}

#[test]
fn wolfssl_and_we_talk_both_ways_with_every_suite_it_has() {
    wolfssl().talks_both_ways();
}

#[test]
fn wolfssl_and_we_agree_on_an_ecdhe_group_both_ways() {
    // wolfSSL's server takes our first (X25519); its client lists secp256r1 first.
    wolfssl().agrees_on_groups(NamedGroup::X25519, NamedGroup::Secp256r1);
}

#[test]
fn wolfssl_and_we_exchange_client_certificates_both_ways() {
    wolfssl().exchanges_client_certificates_both_ways();
}

#[test]
fn wolfssl_and_we_complete_handshakes_over_a_lossy_link() {
    wolfssl().completes_handshakes_over_a_lossy_link();
}

#[test]
fn wolfssl_and_we_ignore_repeated_datagrams() {
    wolfssl().ignores_repeated_datagrams();
}

#[test]
fn wolfssl_and_we_resume_sessions_both_ways() {
    wolfssl().resumes_sessions_both_ways(ECDSA_SUITES[1]);
}
