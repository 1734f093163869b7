//! Every handshake message codec: decoding never panics, and what decodes re-encodes
//! to something that decodes to the same value. A ClientHello's cookie input, read in
//! place, is exactly its body without the cookie field and the extensions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_dtls::handshake::*;

macro_rules! round_trip {
    ($t:ty, $body:expr) => {
        if let Ok(v) = <$t>::decode($body) {
            assert_eq!(<$t>::decode(&v.encode()).ok(), Some(v));
        }
    };
}

fuzz_target!(|data: &[u8]| {
    if let Ok(fragments) = parse_fragments(data) {
        for f in fragments {
            round_trip!(ClientHello, f.body);
        }
    }
    round_trip!(ClientHello, data);
    if let Ok(view) = ClientHelloView::read(data) {
        // The cookie field (length byte, then the cookie) follows version, random and
        // session id; the suites and compression methods follow it.
        let at = 2 + 32 + 1 + view.session_id.len();
        let after_cookie = at + 1 + view.cookie.len();
        let suites = 2 + 2 * view.cipher_suites().count();
        let before_extensions = after_cookie + suites + 1 + view.compression_methods.len();
        let expected = [&data[..at], &data[after_cookie..before_extensions]].concat();
        assert_eq!(view.cookie_input().concat(), expected);
    }
    round_trip!(ServerHello, data);
    round_trip!(HelloVerifyRequest, data);
    round_trip!(PskServerKeyExchange, data);
    round_trip!(PskClientKeyExchange, data);
    round_trip!(EcdheServerKeyExchange, data);
    round_trip!(EcdheClientKeyExchange, data);
    round_trip!(CertificateMessage, data);
    round_trip!(CertificateRequest, data);
    round_trip!(CertificateVerify, data);
    round_trip!(Finished, data);
    let _ = decode_extensions(&mut wasm_dtls::codec::Reader::new(data));
});
