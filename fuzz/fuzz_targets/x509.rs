//! X.509: loading any bytes as certificates or keys, and verifying any chain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_dtls::CryptoProvider;
use wasm_dtls::x509::{Certificate, PrivateKey, Purpose, VerifyOptions, verify_chain};

const CA: &[u8] = include_bytes!("../../tests/fixtures/ca.crt.pem");

fuzz_target!(|data: &[u8]| {
    let _ = PrivateKey::load(data);
    let Ok(chain) = Certificate::load(data) else {
        return;
    };
    let trusted = Certificate::load(CA).unwrap_or_default();
    for purpose in [Purpose::ServerAuth, Purpose::ClientAuth] {
        let _ = verify_chain(
            &chain,
            &VerifyOptions {
                trusted: &trusted,
                unix_time: 1_893_456_000,
                host: Some("localhost"),
                purpose,
                max_chain_len: 8,
                provider: CryptoProvider::RustCrypto,
            },
        );
    }
    for c in &chain {
        let _ = c.common_name();
    }
});
