//! The cost of the cryptography a handshake cannot avoid, measured primitive by
//! primitive, so the engine's own overhead (parsing, state, buffers, copies) shows as
//! the difference between a whole handshake and the sum of its primitives.

use std::hint::black_box;

use p256::ecdsa::SigningKey;
use p256::pkcs8::DecodePrivateKey;
use serde::Serialize;
use sha2::{Digest, Sha256};
use wasm_dtls::crypto::{CookieSecret, MasterSecret, ec};
use wasm_dtls::x509::{Certificate, Purpose, VerifyOptions, verify_chain};
use wasm_dtls::{CipherSuite, KeyExchange, SeededRandom};

use super::fixtures::{CA_PEM, SERVER_CERT_PEM, SERVER_KEY_PEM, UNIX_TIME};
use super::timing::Budget;

/// Bytes of handshake messages hashed per transcript hash, roughly, per suite kind.
const TRANSCRIPT_PSK: usize = 400;
const TRANSCRIPT_ECDSA: usize = 1_400;

/// One primitive's cost.
#[derive(Clone, Debug, Serialize)]
pub struct Primitive {
    /// What it is.
    pub name: &'static str,
    /// Microseconds per call.
    pub micros: f64,
}

/// The primitives measured once, reused for every suite.
#[derive(Clone, Debug, Serialize)]
pub struct Primitives {
    /// Each primitive.
    pub list: Vec<Primitive>,
}

impl Primitives {
    /// Measures every primitive.
    pub fn measure(budget: Budget) -> Result<Primitives, String> {
        let e = |e: wasm_dtls::Error| e.to_string();
        let mut rng = SeededRandom::new(1);
        let chain = Certificate::load(SERVER_CERT_PEM).map_err(e)?;
        let trusted = Certificate::load(CA_PEM).map_err(e)?;
        let pem = core::str::from_utf8(SERVER_KEY_PEM).map_err(|e| e.to_string())?;
        let signing = SigningKey::from_pkcs8_pem(pem).map_err(|e| e.to_string())?;
        let public = p256::PublicKey::from(*signing.verifying_key());
        let message = [7u8; 32 + 32 + 70];
        let signature = ec::sign(&signing, &message);
        let peer_key = ec::ephemeral_key(&mut rng).map_err(e)?;
        let peer_point = ec::encode_point(&peer_key.public_key());
        let master = MasterSecret::derive_extended(&[1; 48], &[2; 32]);
        let cookie = CookieSecret::from_bytes([3; 32]);
        let opts = VerifyOptions {
            trusted: &trusted,
            unix_time: UNIX_TIME,
            host: Some("localhost"),
            purpose: Purpose::ServerAuth,
            max_chain_len: 4,
        };
        // The measured calls must take their success paths.
        verify_chain(&chain, &opts).map_err(e)?;
        if !ec::verify(&public, &message, &signature) {
            return Err("the benchmark signature does not verify".into());
        }
        let transcript_psk = vec![5u8; TRANSCRIPT_PSK];
        let transcript_ecdsa = vec![5u8; TRANSCRIPT_ECDSA];
        let list = vec![
            Primitive {
                name: "ecdhe_keygen",
                micros: budget.micros(|| {
                    // A random scalar and its public point, as sent in the key exchange.
                    if let Ok(key) = ec::ephemeral_key(&mut rng) {
                        black_box(ec::encode_point(&key.public_key()));
                    }
                }),
            },
            Primitive {
                name: "ecdh_agree",
                micros: budget.micros(|| {
                    if let Ok(point) = ec::decode_point(&peer_point) {
                        black_box(ec::premaster_secret(&peer_key, &point));
                    }
                }),
            },
            Primitive {
                name: "ecdsa_sign",
                micros: budget.micros(|| {
                    black_box(ec::sign(&signing, &message));
                }),
            },
            Primitive {
                name: "ecdsa_verify",
                micros: budget.micros(|| {
                    black_box(ec::verify(&public, &message, &signature));
                }),
            },
            Primitive {
                name: "certificate_chain_verify",
                micros: budget.micros(|| {
                    let _ = black_box(verify_chain(&chain, &opts));
                }),
            },
            Primitive {
                name: "extended_master_secret",
                micros: budget.micros(|| {
                    black_box(MasterSecret::derive_extended(&[1; 48], &[2; 32]));
                }),
            },
            Primitive {
                name: "key_block",
                micros: budget.micros(|| {
                    black_box(master.key_block(&[1; 32], &[2; 32]));
                }),
            },
            Primitive {
                name: "verify_data",
                micros: budget.micros(|| {
                    black_box(master.verify_data(b"client finished", &[4; 32]));
                }),
            },
            Primitive {
                name: "cookie_hmac",
                micros: budget.micros(|| {
                    black_box(cookie.compute(b"127.0.0.1:5684", &[6; 80]));
                }),
            },
            Primitive {
                name: "transcript_hash_psk",
                micros: budget.micros(|| {
                    black_box(Sha256::digest(&transcript_psk));
                }),
            },
            Primitive {
                name: "transcript_hash_ecdsa",
                micros: budget.micros(|| {
                    black_box(Sha256::digest(&transcript_ecdsa));
                }),
            },
        ];
        Ok(Primitives { list })
    }

    fn micros(&self, name: &str) -> f64 {
        self.list
            .iter()
            .find(|p| p.name == name)
            .map_or(0.0, |p| p.micros)
    }

    /// The primitives one full handshake of `suite` performs, client and server
    /// together, in microseconds.
    pub fn per_handshake(&self, suite: CipherSuite) -> f64 {
        // Both sides: master secret, key block, and the two verify_data values each
        // computes (its own and the peer's); the cookie is made once and checked once.
        let common = 2.0 * self.micros("extended_master_secret")
            + 2.0 * self.micros("key_block")
            + 4.0 * self.micros("verify_data")
            + 2.0 * self.micros("cookie_hmac");
        match suite.key_exchange() {
            // Each side hashes the transcript for the session hash and both Finished.
            KeyExchange::Psk => common + 6.0 * self.micros("transcript_hash_psk"),
            KeyExchange::EcdheEcdsa => {
                common
                    + 6.0 * self.micros("transcript_hash_ecdsa")
                    + 2.0 * self.micros("ecdhe_keygen")
                    + 2.0 * self.micros("ecdh_agree")
                    + self.micros("ecdsa_sign")
                    + self.micros("ecdsa_verify")
                    + self.micros("certificate_chain_verify")
            }
        }
    }
}
