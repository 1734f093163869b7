//! Record layer: parsing any datagram, and opening any record under both AEADs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_dtls::AeadAlgorithm;
use wasm_dtls::crypto::RecordCipher;
use wasm_dtls::record::parse_datagram;

fuzz_target!(|data: &[u8]| {
    let ciphers = [
        RecordCipher::new(AeadAlgorithm::Aes128Ccm8, &[7; 16], &[1, 2, 3, 4]),
        RecordCipher::new(AeadAlgorithm::Aes128Gcm, &[7; 16], &[1, 2, 3, 4]),
    ];
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
