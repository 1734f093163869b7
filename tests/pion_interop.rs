//! Interoperability with pion/dtls v2 (Go; Debian's golang-github-pion-dtls.v2-dev,
//! built from `tests/interop/pion_peer.go` in GOPATH mode, offline) over loopback UDP,
//! both directions, all four suites, data both ways; client certificates with
//! ECDHE-ECDSA; a chain of several kilobytes fragmented to a 500-byte MTU; a lossy
//! link. pion requires the extended master secret here. Our server side is the pool
//! [`wasm_dtls::Server`]. scripts/test.sh installs Go and the package. Bounded by
//! timeouts; never skipped.
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
use wasm_dtls::CipherSuite;

/// The pion peer, built once for this test binary.
fn pion() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| {
        built_peer("pion_peer", &CipherSuite::ALL, |out| {
            let target = format!("{}/target/interop-peers", env!("CARGO_MANIFEST_DIR"));
            let mut go = Command::new("go");
            // Debian installs Go packages as sources under /usr/share/gocode: GOPATH
            // mode builds from them without a module proxy.
            go.env("GO111MODULE", "off")
                .env("GOPATH", "/usr/share/gocode")
                .env("GOCACHE", format!("{target}/go-cache"))
                .env("GOFLAGS", "")
                .args(["build", "-o", out])
                .arg(format!(
                    "{}/tests/interop/pion_peer.go",
                    env!("CARGO_MANIFEST_DIR")
                ));
            go
        })
    })
}

#[test]
fn pion_and_we_talk_both_ways_with_every_suite() {
    pion().talks_both_ways();
}

#[test]
fn pion_and_we_exchange_client_certificates_both_ways() {
    pion().exchanges_client_certificates_both_ways();
}
