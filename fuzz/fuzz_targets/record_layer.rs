//! Record layer: parsing any datagram, and opening any record under every AEAD.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_dtls::AeadAlgorithm;
use wasm_dtls::crypto::RecordCipher;
use wasm_dtls::record::parse_datagram;

fuzz_target!(|data: &[u8]| {
    let ciphers =
        AeadAlgorithm::ALL.map(|algorithm| RecordCipher::new(algorithm, &[7; 32], &[1; 12]));
    for record in parse_datagram(data).flatten() {
        let h = record.header;
        for c in &ciphers {
            let _ = c.open(
                h.epoch,
                h.sequence,
                h.content_type.0,
                h.version,
                record.fragment,
            );
        }
    }
});
