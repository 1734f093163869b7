//! X.509: loading any bytes as certificates or keys (P-256 or RSA), and verifying any
//! chain against the P-256 and the RSA test CAs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_dtls::CryptoProvider;
use wasm_dtls::x509::{Certificate, PrivateKey, Purpose, VerifyOptions, verify_chain};

const CA: &[u8] = include_bytes!("../../tests/fixtures/ca.crt.pem");
/// The RSA CA: chains under it reach the RSA signature checks.
const RSA_CA: &[u8] = include_bytes!("../../tests/fixtures/rsa-ca.crt.pem");

fuzz_target!(|data: &[u8]| {
    let _ = PrivateKey::load(data);
    let Ok(chain) = Certificate::load(data) else {
        return;
    };
    let mut trusted = Certificate::load(CA).unwrap_or_default();
    trusted.extend(Certificate::load(RSA_CA).unwrap_or_default());
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
        let _ = c.public_key();
    }
});
