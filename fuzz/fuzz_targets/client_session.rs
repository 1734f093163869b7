//! A client session at each point of a real handshake — full, or from 128 on the
//! abbreviated one resuming a saved session (chosen by the first byte) — fed arbitrary
//! datagrams and timer expiries: no panic, no unbounded output.
#![no_main]

use core::time::Duration;

use libfuzzer_sys::fuzz_target;
use wasm_dtls::Output;

fuzz_target!(|data: &[u8]| {
    let [suite, steps, rest @ ..] = data else {
        return;
    };
    let mut p = wasm_dtls_fuzz::selected_pair(*suite);
    for _ in 0..(steps % 12) {
        p.step();
    }
    let mut now = p.now();
    for datagram in wasm_dtls_fuzz::datagrams(rest) {
        now = now + Duration::from_millis(300);
        p.client.handle_datagram(now, datagram);
        p.client.handle_timeout(now);
        let mut outputs = 0;
        while !matches!(p.client.poll_output(), Output::Wait(_)) {
            outputs += 1;
            assert!(outputs < 1000, "unbounded output");
        }
    }
});
