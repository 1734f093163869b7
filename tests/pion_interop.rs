//! Interoperability with pion/dtls v2 (Go; Debian's golang-github-pion-dtls.v2-dev,
//! built from `tests/interop/pion_peer.go` in GOPATH mode, offline) over loopback UDP,
//! both directions, the four AES-128 suites (pion/dtls 2 has no ChaCha20-Poly1305) and
//! TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, and ECDHE_RSA (AES-128-GCM and AES-256-GCM)
//! from its server with an RSA certificate; data both ways; client
//! certificates with ECDHE-ECDSA; a chain of several kilobytes fragmented to a 500-byte
//! MTU; a lossy link. pion requires the extended master secret here. Our server side is
//! the pool [`wasm_dtls::Server`]. scripts/test.sh installs Go and the package. Bounded
//! by timeouts; never skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::peer::{CLIENT, Peer, built_peer};
use common::udp::REORDERED_FLIGHT;
use common::{AES_SUITES, big_chain, cert_config, suite_config};
use wasm_dtls::{CipherSuite, NamedGroup};

/// The four AES-128 suites, ECDHE-ECDSA with AES-256-GCM, and the ECDHE_RSA ones with
/// AES-GCM (its server with an RSA certificate; our server does not take them). pion has
/// no TLS_PSK_WITH_AES_256_GCM_SHA384.
static PION_SUITES: [CipherSuite; 7] = [
    AES_SUITES[0],
    AES_SUITES[1],
    AES_SUITES[2],
    AES_SUITES[3],
    CipherSuite::EcdheEcdsaAes256GcmSha384,
    CipherSuite::EcdheRsaAes128GcmSha256,
    CipherSuite::EcdheRsaAes256GcmSha384,
];

/// The pion peer, built once for this test binary.
fn pion() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| {
        built_peer("pion_peer", "pion_peer.go", &PION_SUITES, |source, out| {
            let mut go = Command::new("go");
            // Debian installs Go packages as sources under /usr/share/gocode: GOPATH
            // mode builds from them without a module proxy.
            go.env("GO111MODULE", "off")
                .env("GOPATH", "/usr/share/gocode")
                .env(
                    "GOCACHE",
                    Path::new(out).with_file_name("pion_peer.go-cache"),
                )
                .env("GOFLAGS", "")
                .args(["build", "-o", out, source]);
            go
        })
    })
}

#[test]
fn pion_and_we_talk_both_ways_with_every_suite() {
    pion().talks_both_ways();
}

#[test]
fn pion_and_we_agree_on_an_ecdhe_group_both_ways() {
    // pion lists X25519 first as client and takes our first as server.
    pion().agrees_on_groups(NamedGroup::X25519, NamedGroup::X25519);
}

#[test]
fn pion_and_we_exchange_client_certificates_both_ways() {
    pion().exchanges_client_certificates_both_ways();
}

#[test]
fn pion_and_we_complete_handshakes_over_a_lossy_link() {
    pion().completes_handshakes_over_a_lossy_link();
}

/// A chain of several kilobytes in flights fragmented to a 500-byte MTU, both ways, with
/// neighbouring datagrams of the server's flight arriving swapped: pion's fragments
/// reassembled out of order by our client (without asking for the flight again), ours
/// by pion's client.
#[test]
fn a_chain_of_several_kilobytes_crosses_an_mtu_of_500_both_ways_out_of_order() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let (expected, chain_file) = big_chain();
    let server = [
        ("--cert", chain_file.as_str()),
        ("--key", "big.key.pem"),
        ("--mtu", "500"),
    ];
    let mut ours = suite_config(suite, &[]);
    ours.set_mtu(500).unwrap();
    let run = pion().serves_our_client(suite, ours, &server, Some(REORDERED_FLIGHT));
    assert_eq!(run.chain, expected);
    assert_eq!(run.stats.retransmissions, 0, "{:?}", run.stats);

    let mut ours = cert_config(&[suite], &["big", "intermediate"]);
    ours.set_mtu(500).unwrap();
    let client = [CLIENT.as_slice(), &[("--mtu", "500")]].concat();
    let run = pion().is_served_by_us(suite, ours, &client, Some(REORDERED_FLIGHT));
    // Our flight alone needed many datagrams.
    assert!(run.stats.datagrams_sent >= 8, "{:?}", run.stats);
}

#[test]
fn a_pion_client_with_a_wrong_psk_is_refused_clearly() {
    pion().is_refused_with_a_wrong_psk();
}

#[test]
fn pion_and_we_ignore_repeated_datagrams() {
    pion().ignores_repeated_datagrams();
}

#[test]
fn pion_and_we_resume_sessions_both_ways() {
    pion().resumes_sessions_both_ways(CipherSuite::PskAes128Ccm8);
}
