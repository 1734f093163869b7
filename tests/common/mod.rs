//! Shared helpers of the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod peer;
pub mod process;
pub mod udp;

use wasm_dtls::handshake::{HandshakeType, encode_message, parse_fragments};
use wasm_dtls::record::{ContentType, RecordHeader, parse_datagram};
use wasm_dtls::sim::{LinkConditions, Pair};
use wasm_dtls::x509::{Certificate, PrivateKey};
use wasm_dtls::{CipherSuite, Config, KeyExchange, SeededRandom, Server};

/// The key both sides share in most tests.
pub const KEY: &[u8] = b"0123456789abcdef";
/// Its identity.
pub const IDENTITY: &[u8] = b"client-1";

/// A configuration with one PSK and only `suite` enabled.
pub fn psk_config(suite: CipherSuite, key: &[u8]) -> Config {
    let mut c = Config::new();
    c.psk_add(key, IDENTITY, b"hint").unwrap();
    c.set_cipher_suites(&[suite]).unwrap();
    c
}

/// A pool server of `capacity` with `config`, its randomness seeded from `seed` (each
/// session's from the next number up), so that runs repeat.
pub fn seeded_server(config: Config, capacity: usize, seed: u64) -> Server {
    let mut counter = seed;
    Server::with_rng(
        config,
        capacity,
        Box::new(SeededRandom::new(seed)),
        Box::new(move || {
            counter += 1;
            Box::new(SeededRandom::new(counter)) as Box<dyn wasm_dtls::Random>
        }),
    )
    .unwrap()
}

/// A seeded client and server with these configurations, joined by links with these
/// conditions.
pub fn pair_with(client: Config, server: Config, link: LinkConditions, seed: u64) -> Pair {
    Pair::seeded(client, server, link, seed)
}

/// A client and server sharing `KEY` with `suite`.
pub fn pair(suite: CipherSuite, link: LinkConditions, seed: u64) -> Pair {
    pair_with(psk_config(suite, KEY), psk_config(suite, KEY), link, seed)
}

/// The PSK suites, ECDHE_PSK among them.
pub const PSK_SUITES: [CipherSuite; 5] = [
    CipherSuite::PskAes128Ccm8,
    CipherSuite::PskAes128GcmSha256,
    CipherSuite::PskChaCha20Poly1305Sha256,
    CipherSuite::PskAes256GcmSha384,
    CipherSuite::EcdhePskChaCha20Poly1305Sha256,
];

/// The ECDHE-ECDSA suites.
pub const ECDSA_SUITES: [CipherSuite; 4] = [
    CipherSuite::EcdheEcdsaAes128Ccm8,
    CipherSuite::EcdheEcdsaAes128GcmSha256,
    CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256,
    CipherSuite::EcdheEcdsaAes256GcmSha384,
];

/// The ECDHE_RSA suites (our client side only).
pub const RSA_SUITES: [CipherSuite; 3] = [
    CipherSuite::EcdheRsaAes128GcmSha256,
    CipherSuite::EcdheRsaChaCha20Poly1305Sha256,
    CipherSuite::EcdheRsaAes256GcmSha384,
];

/// The AES suites, for peers without ChaCha20-Poly1305 in DTLS (pion/dtls 2).
pub const AES_SUITES: [CipherSuite; 4] = [
    CipherSuite::EcdheEcdsaAes128Ccm8,
    CipherSuite::EcdheEcdsaAes128GcmSha256,
    CipherSuite::PskAes128Ccm8,
    CipherSuite::PskAes128GcmSha256,
];

/// 2030-01-01T00:00:00Z: inside every good fixture's validity.
pub const NOW: u64 = 1_893_456_000;

/// The path of a file made by tests/fixtures/generate.sh (for other programs to read).
pub fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The bytes of a file made by tests/fixtures/generate.sh.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Python with the interop peers' packages (DTLSSocket for tinydtls, python-mbedtls
/// for Mbed TLS): WASM_DTLS_INTEROP_PYTHON, or the virtual environment scripts/test.sh
/// makes in target/interop-venv.
pub fn interop_python() -> String {
    std::env::var("WASM_DTLS_INTEROP_PYTHON").unwrap_or_else(|_| {
        format!(
            "{}/target/interop-venv/bin/python",
            env!("CARGO_MANIFEST_DIR")
        )
    })
}

/// Lower-case hex, as other programs take keys on their command lines.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A chain of several kilobytes: the certificate "big" (many names) and its
/// intermediate, as DER, and written as one PEM file in the temporary directory for
/// other programs (its path; one file per test process).
pub fn big_chain() -> (Vec<Vec<u8>>, String) {
    let pem = |name: &str| String::from_utf8(fixture(name)).unwrap();
    let path = std::env::temp_dir().join(format!("wasm-dtls-big-chain-{}.pem", std::process::id()));
    std::fs::write(&path, pem("big.crt.pem") + &pem("intermediate.crt.pem")).unwrap();
    let der = vec![
        cert("big").der().to_vec(),
        cert("intermediate").der().to_vec(),
    ];
    assert!(der.iter().map(Vec::len).sum::<usize>() > 2_000);
    (der, path.display().to_string())
}

/// The certificate `{name}.crt.pem` (or the first of a file named in full).
pub fn cert(name: &str) -> Certificate {
    let file = if name.contains('.') {
        name.to_string()
    } else {
        format!("{name}.crt.pem")
    };
    Certificate::load(&fixture(&file)).unwrap().remove(0)
}

/// The PKCS#8 key `{name}.key.pem`.
pub fn key(name: &str) -> PrivateKey {
    PrivateKey::load(&fixture(&format!("{name}.key.pem"))).unwrap()
}

/// A configuration with these suites that trusts the test CA, knows the time and, when
/// `identity` names a chain (own certificate first), presents it with the first one's
/// key.
pub fn cert_config(suites: &[CipherSuite], identity: &[&str]) -> Config {
    let mut c = Config::new();
    c.set_cipher_suites(suites).unwrap();
    c.trusted_certificate_add(1, cert("ca")).unwrap();
    c.set_unix_time(NOW);
    c.set_server_name(Some("localhost"));
    if let Some(leaf) = identity.first() {
        let chain = identity.iter().map(|n| cert(n)).collect();
        c.local_certificate_add(1, chain, key(leaf)).unwrap();
    }
    c
}

/// Our configuration for `suite` in the interop tests: the PSK, or the test CA (and
/// the RSA one for ECDHE_RSA) with (for a non-empty `identity`) our certificate chain.
pub fn suite_config(suite: CipherSuite, identity: &[&str]) -> Config {
    match suite.key_exchange() {
        KeyExchange::Psk | KeyExchange::EcdhePsk => psk_config(suite, KEY),
        KeyExchange::EcdheEcdsa => cert_config(&[suite], identity),
        KeyExchange::EcdheRsa => rsa_client_config(&[suite], identity),
    }
}

/// A client configuration for `suites` that trusts the RSA test CA (and the P-256 one),
/// with `identity` as its own chain: what our client needs against an RSA server.
pub fn rsa_client_config(suites: &[CipherSuite], identity: &[&str]) -> Config {
    let mut config = cert_config(suites, identity);
    config.trusted_certificate_add(2, cert("rsa-ca")).unwrap();
    config
}

/// Rewrites the first epoch-0 handshake message of type `target` in a datagram with
/// `edit`, re-encoding its record (the message must be unfragmented).
pub fn rewrite(datagram: &mut Vec<u8>, target: HandshakeType, edit: &dyn Fn(&mut Vec<u8>)) {
    let mut out = Vec::new();
    for record in parse_datagram(datagram) {
        let record = record.unwrap();
        let mut fragment = record.fragment.to_vec();
        if record.header.content_type == ContentType::HANDSHAKE && record.header.epoch == 0 {
            let frags = parse_fragments(record.fragment).unwrap();
            if frags.len() == 1 && frags[0].header.msg_type == target {
                let mut body = frags[0].body.to_vec();
                edit(&mut body);
                fragment = encode_message(target, frags[0].header.message_seq, &body);
            }
        }
        let header = RecordHeader {
            length: fragment.len() as u16,
            ..record.header
        };
        header.encode(&mut out);
        out.extend_from_slice(&fragment);
    }
    *datagram = out;
}
