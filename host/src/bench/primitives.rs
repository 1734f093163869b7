//! The cost of the cryptography a handshake cannot avoid, measured primitive by
//! primitive, so the engine's own overhead (parsing, state, buffers, copies) shows as
//! the difference between a whole handshake and the sum of its primitives.

use std::hint::black_box;

use p256::ecdsa::SigningKey;
use p256::pkcs8::DecodePrivateKey;
use serde::Serialize;
use sha2::{Digest, Sha256};
use wasm_dtls::crypto::{CookieSecret, MasterSecret, RecordCipher, ec};
use wasm_dtls::x509::{Certificate, Purpose, VerifyOptions, verify_chain};
use wasm_dtls::{AeadAlgorithm, CipherSuite, KeyExchange, OsRandom, Random, SeededRandom};

use super::fixtures::{CA_PEM, SERVER_CERT_PEM, SERVER_KEY_PEM, UNIX_TIME};
use super::timing::Budget;

/// Bytes of handshake messages hashed per transcript hash, roughly, per suite kind.
const TRANSCRIPT_PSK: usize = 400;
const TRANSCRIPT_ECDSA: usize = 1_400;

/// A Finished message as a record carries it: 12-byte handshake header, 12 bytes of
/// verify_data.
const FINISHED_BYTES: usize = 24;

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
        let mut list = vec![
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
            Primitive {
                name: "random_32",
                micros: budget.micros(|| {
                    let mut random = [0u8; 32];
                    OsRandom.fill(&mut random);
                    black_box(random);
                }),
            },
        ];
        for aead in [AeadAlgorithm::Aes128Ccm8, AeadAlgorithm::Aes128Gcm] {
            let (record_keys, finished_record) = aead_primitives(aead);
            list.push(Primitive {
                name: record_keys,
                micros: budget.micros(|| {
                    black_box(RecordCipher::new(aead, &[9; 16], &[1, 2, 3, 4]));
                }),
            });
            let cipher = RecordCipher::new(aead, &[9; 16], &[1, 2, 3, 4]);
            let finished = [0x14u8; FINISHED_BYTES];
            let sealed = cipher.seal(1, 0, 22, 0xfefd, &finished);
            // The measured open must take its success path.
            if cipher.open(1, 0, 22, 0xfefd, &sealed).is_none() {
                return Err("the benchmark Finished record does not open".into());
            }
            list.push(Primitive {
                name: finished_record,
                micros: budget.micros(|| {
                    let sealed = cipher.seal(1, 0, 22, 0xfefd, &finished);
                    black_box(cipher.open(1, 0, 22, 0xfefd, &sealed));
                }),
            });
        }
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
        // computes (its own and the peer's); the cookie is made once and checked once;
        // each side keys its two record ciphers, seals its Finished and opens the
        // peer's; the client and the server random.
        let (record_keys, finished_record) = aead_primitives(suite.aead());
        let common = 2.0 * self.micros("extended_master_secret")
            + 2.0 * self.micros("key_block")
            + 4.0 * self.micros("verify_data")
            + 2.0 * self.micros("cookie_hmac")
            + 4.0 * self.micros(record_keys)
            + 2.0 * self.micros(finished_record)
            + 2.0 * self.micros("random_32");
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

/// The names of `aead`'s two primitives: keying one record cipher (AES key schedule;
/// GCM's hash key), and sealing and opening one Finished record.
fn aead_primitives(aead: AeadAlgorithm) -> (&'static str, &'static str) {
    match aead {
        AeadAlgorithm::Aes128Ccm8 => ("record_keys_ccm8", "finished_record_ccm8"),
        AeadAlgorithm::Aes128Gcm => ("record_keys_gcm", "finished_record_gcm"),
    }
}
