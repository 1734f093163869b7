//! The NetX server fed arbitrary datagrams from arbitrary addresses: no panic, and
//! what it holds stays bounded.
#![no_main]

use core::net::{Ipv4Addr, SocketAddr};
use core::time::Duration;

use libfuzzer_sys::fuzz_target;
use wasm_dtls::{Instant, SeededRandom, Server, ServerOutput};

fuzz_target!(|data: &[u8]| {
    let (_, config) =
        wasm_dtls_fuzz::configs(wasm_dtls_fuzz::suite(data.first().copied().unwrap_or(0)));
    let mut counter = 10;
    let Ok(mut server) = Server::with_rng(
        config,
        4,
        Box::new(SeededRandom::new(5)),
        Box::new(move || {
            counter += 1;
            Box::new(SeededRandom::new(counter)) as Box<dyn wasm_dtls::Random>
        }),
    ) else {
        return;
    };
    let mut now = Instant::ZERO;
    for datagram in wasm_dtls_fuzz::datagrams(data) {
        // The first byte picks one of a few addresses, so sessions get reused.
        let host = datagram.first().copied().unwrap_or(0) % 4;
        let from = SocketAddr::from((Ipv4Addr::new(192, 0, 2, host), 5000 + u16::from(host)));
        now = now + Duration::from_millis(200);
        server.handle_datagram(now, from, datagram);
        server.handle_timeout(now);
        while !matches!(server.poll_output(), ServerOutput::Wait(_)) {}
        assert!(
            server.held_bytes() < 4 * 1024 * 1024,
            "server holds {} bytes",
            server.held_bytes()
        );
    }
});
