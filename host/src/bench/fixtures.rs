//! The credentials every benchmark uses: one PSK, and the test fixtures' CA and server
//! certificate (tests/fixtures/generate.sh), so each implementation does the same work.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use wasm_dtls::x509::{Certificate, PrivateKey};
use wasm_dtls::{CipherSuite, Config, KeyExchange};

/// The PSK identity and key.
pub const PSK_IDENTITY: &[u8] = b"bench-client";
/// 16 bytes, as IoT PSKs usually are.
pub const PSK_KEY: &[u8] = b"0123456789abcdef";
/// The CA that signed the server certificate (PEM).
pub const CA_PEM: &[u8] = include_bytes!("../../../tests/fixtures/ca.crt.pem");
/// The server certificate, CN=localhost (PEM).
pub const SERVER_CERT_PEM: &[u8] = include_bytes!("../../../tests/fixtures/server.crt.pem");
/// Its P-256 key (PKCS#8 PEM).
pub const SERVER_KEY_PEM: &[u8] = include_bytes!("../../../tests/fixtures/server.key.pem");
/// An RSA CA (3 072 bits) and the 2 048-bit server certificate it signed with SHA-384,
/// for what a client pays to verify an RSA server (ECDHE_RSA).
pub const RSA_CA_PEM: &[u8] = include_bytes!("../../../tests/fixtures/rsa-ca.crt.pem");
/// See [`RSA_CA_PEM`].
pub const RSA_SERVER_CERT_PEM: &[u8] = include_bytes!("../../../tests/fixtures/rsa-server.crt.pem");
/// The RSA server's rsa_pss_rsae_sha256 signature of [`RSA_SIGNED`].
pub const RSA_PSS_SIGNATURE: &[u8] =
    include_bytes!("../../../tests/fixtures/rsa-server.pss-sha256.sig");
/// What [`RSA_PSS_SIGNATURE`] signs: 134 bytes, as a ServerKeyExchange's randoms and
/// ECDH parameters.
pub const RSA_SIGNED: [u8; 134] = [7; 134];
/// The MTU on every side (OpenSSL's too): a 1 200-byte record fits.
pub const MTU: u16 = 1400;
/// "Now" for certificate checks: 2027-01-01, inside the fixtures' validity.
pub const UNIX_TIME: u64 = 1_798_761_600;

/// The engine configurations of a client and a server that can only agree on `suite`.
pub fn engine_configs(suite: CipherSuite) -> Result<(Arc<Config>, Arc<Config>), String> {
    let mut client = Config::new();
    let mut server = Config::new();
    let e = |e: wasm_dtls::Error| e.to_string();
    for config in [&mut client, &mut server] {
        config.set_cipher_suites(&[suite]).map_err(e)?;
        config.set_unix_time(UNIX_TIME);
        config.set_mtu(usize::from(MTU)).map_err(e)?;
    }
    match suite.key_exchange() {
        KeyExchange::Psk | KeyExchange::EcdhePsk => {
            client.psk_add(PSK_KEY, PSK_IDENTITY, b"").map_err(e)?;
            server.psk_add(PSK_KEY, PSK_IDENTITY, b"").map_err(e)?;
        }
        KeyExchange::EcdheEcdsa => {
            let chain = Certificate::load(SERVER_CERT_PEM).map_err(e)?;
            let key = PrivateKey::load(SERVER_KEY_PEM).map_err(e)?;
            server.local_certificate_add(1, chain, key).map_err(e)?;
            let ca = Certificate::load(CA_PEM)
                .map_err(e)?
                .into_iter()
                .next()
                .ok_or("the CA fixture holds no certificate")?;
            client.trusted_certificate_add(1, ca).map_err(e)?;
            client.set_server_name(Some("localhost"));
        }
        KeyExchange::EcdheRsa => {
            return Err(format!(
                "{suite} is client side only: no server here to bench it"
            ));
        }
    }
    Ok((Arc::new(client), Arc::new(server)))
}

/// The address of the `n`th client (from 1), one of its own for each, in 127/8.
pub fn client_address(n: u32) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::from(0x7f00_0000 | (n >> 16)), (n & 0xffff) as u16))
}
