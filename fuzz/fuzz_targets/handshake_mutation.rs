//! Structure-aware: a real recorded handshake replayed into fresh sessions with one
//! datagram replaced by a mutation of itself. Never a panic; a handshake that still
//! completes must carry data both ways (never a bogus success).
#![no_main]

use core::time::Duration;

use libfuzzer_sys::fuzz_target;
use wasm_dtls::sim::Side;

fuzz_target!(|data: &[u8]| {
    let [suite, which, mutation @ ..] = data else {
        return;
    };
    let suite = wasm_dtls_fuzz::suite(*suite);
    let recorded = wasm_dtls_fuzz::recorded_handshake(suite);
    if recorded.is_empty() {
        return;
    }
    let index = usize::from(*which) % recorded.len();
    let (to_server, original) = &recorded[index];
    // The mutation: XOR the datagram with the input (cycled); a longer input also
    // appends its extra bytes, a shorter one with an odd first byte cuts the datagram.
    let mut mutated = original.clone();
    if let Some(&first) = mutation.first() {
        for (i, b) in mutated.iter_mut().enumerate() {
            *b ^= mutation[i % mutation.len()];
        }
        if mutation.len() > original.len() {
            mutated.extend_from_slice(&mutation[original.len()..]);
        } else if first & 1 == 1 {
            mutated.truncate(mutation.len());
        }
    }
    let position = recorded[..index]
        .iter()
        .filter(|(t, _)| t == to_server)
        .count() as u64;
    let mut p = wasm_dtls_fuzz::pair(suite);
    let replacement = mutated.clone();
    let link = if *to_server {
        &mut p.to_server
    } else {
        &mut p.to_client
    };
    link.set_mangler(move |i, bytes| {
        if i == position {
            *bytes = replacement.clone();
        }
    });
    let connected = p.handshake(Duration::from_secs(600));
    if connected {
        let _ = p.send(Side::Client, b"ping");
        p.run_until(Duration::from_secs(5), |p| {
            !p.received(Side::Server).is_empty()
        });
        assert_eq!(p.received(Side::Server), vec![b"ping".to_vec()]);
    }
});
