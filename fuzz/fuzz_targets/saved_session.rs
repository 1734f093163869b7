//! Saved sessions from any bytes, as hosts read them from files (`--sess-in`) or take
//! them from applications (Node's `connect({ session })`): refused with an error or
//! read back, never a panic. What is read writes back to the same bytes (one encoding
//! per session), and a client offers it in its ClientHello.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_dtls::{Instant, Output, SavedSession, Session};

fuzz_target!(|data: &[u8]| {
    let Ok(saved) = SavedSession::from_bytes(data) else {
        return;
    };
    assert_eq!(
        &saved.to_bytes()[..],
        data,
        "not the bytes it was read from"
    );
    let (client_config, _) = wasm_dtls_fuzz::configs(saved.cipher_suite());
    let mut client = Session::client(client_config);
    if client.set_saved_session(saved).is_ok() && client.start(Instant::ZERO).is_ok() {
        while !matches!(client.poll_output(), Output::Wait(_)) {}
    }
});
