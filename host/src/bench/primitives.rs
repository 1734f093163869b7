//! The cost of the cryptography a handshake cannot avoid, measured primitive by
//! primitive, so the engine's own overhead (parsing, state, buffers, copies) shows as
//! the difference between a whole handshake and the sum of its primitives.

use std::hint::black_box;

use p256::ecdsa::SigningKey;
use p256::pkcs8::DecodePrivateKey;
use serde::Serialize;
use sha2::{Digest, Sha256, Sha384};
use wasm_dtls::crypto::ecdhe::{self, EphemeralKey, PeerShare};
use wasm_dtls::crypto::{CookieSecret, MasterSecret, RecordCipher, SignatureScheme, ec};
use wasm_dtls::x509::{Certificate, Purpose, VerifyOptions, verify_chain};
use wasm_dtls::{
    AeadAlgorithm, CipherSuite, CryptoProvider, KeyExchange, NamedGroup, OsRandom, PrfHash, Random,
    SeededRandom,
};

use super::fixtures::{
    CA_PEM, RSA_CA_PEM, RSA_PSS_SIGNATURE, RSA_SERVER_CERT_PEM, RSA_SIGNED, SERVER_CERT_PEM,
    SERVER_KEY_PEM, UNIX_TIME,
};
use super::timing::Budget;

const RUSTCRYPTO: CryptoProvider = CryptoProvider::RustCrypto;

/// Bytes of handshake messages one side's transcript hash covers, roughly, per suite
/// kind.
const TRANSCRIPT_PSK: usize = 400;
const TRANSCRIPT_ECDSA: usize = 1_400;

/// Digests each side takes of its running transcript: the session hash (extended
/// master secret) and the two Finished messages.
const TRANSCRIPT_DIGESTS: usize = 3;

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

/// One primitive on fixed inputs, ready to call.
struct Call {
    name: &'static str,
    run: Box<dyn FnMut()>,
}

/// Every primitive a handshake performs, each on fixed inputs whose success paths are
/// checked once: timed one by one for the table, and together, in the numbers one
/// handshake of a suite needs ([`recipe`]), as the baseline of the engine's overhead.
pub struct Kit {
    calls: Vec<Call>,
}

impl Kit {
    /// The fixtures and the calls.
    pub fn new() -> Result<Kit, String> {
        let e = |e: wasm_dtls::Error| e.to_string();
        let mut rng = SeededRandom::new(1);
        let chain = Certificate::load(SERVER_CERT_PEM).map_err(e)?;
        let trusted = Certificate::load(CA_PEM).map_err(e)?;
        let pem = core::str::from_utf8(SERVER_KEY_PEM).map_err(|e| e.to_string())?;
        let signing = SigningKey::from_pkcs8_pem(pem).map_err(|e| e.to_string())?;
        let public = p256::PublicKey::from(*signing.verifying_key());
        let message = [7u8; 32 + 32 + 70];
        let signature = ec::sign(&signing, &message);
        let p256_key = ecdhe::p256_secret(&mut rng).map_err(e)?;
        let p256_peer = ec::encode_point(&ecdhe::p256_secret(&mut rng).map_err(e)?.public_key());
        let mut x25519_bytes = [0u8; 32];
        rng.fill(&mut x25519_bytes);
        let x25519_key = x25519_dalek::StaticSecret::from(x25519_bytes);
        rng.fill(&mut x25519_bytes);
        let x25519_peer =
            x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(x25519_bytes))
                .to_bytes();
        let master_for = |prf: PrfHash| MasterSecret::derive_extended(prf, &[1; 48], &[2; 32]);
        let cookie = CookieSecret::from_bytes([3; 32]);
        let rsa_chain = Certificate::load(RSA_SERVER_CERT_PEM).map_err(e)?;
        let rsa_trusted = Certificate::load(RSA_CA_PEM).map_err(e)?;
        // The measured calls must take their success paths.
        verify_chain(&chain, &server_auth(&trusted)).map_err(e)?;
        let rsa_key = verify_chain(&rsa_chain, &server_auth(&rsa_trusted)).map_err(e)?;
        let scheme = SignatureScheme::RsaPssRsaeSha256;
        if !scheme.verify(RUSTCRYPTO, &rsa_key, &RSA_SIGNED, RSA_PSS_SIGNATURE) {
            return Err("the benchmark RSA signature does not verify".into());
        }
        if !ec::verify(&public, &message, &signature) {
            return Err("the benchmark signature does not verify".into());
        }
        let mut calls = vec![
            // A random private key and its public key, as sent in the key exchange.
            call("ecdhe_keygen_x25519", {
                let mut rng = SeededRandom::new(2);
                move || {
                    let key = EphemeralKey::generate(RUSTCRYPTO, NamedGroup::X25519, &mut rng);
                    black_box(key.and_then(|k| k.public_key()).ok());
                }
            }),
            // The peer's public key checked and the shared secret computed (x25519-dalek
            // and p256 directly: the engine's key is used up by its one agreement).
            call("ecdh_agree_x25519", move || {
                let peer = PeerShare::decode(NamedGroup::X25519, &x25519_peer);
                if let Ok(PeerShare::X25519(u)) = peer {
                    let shared = x25519_key.diffie_hellman(&x25519_dalek::PublicKey::from(u));
                    black_box(shared.was_contributory());
                }
            }),
            call("ecdhe_keygen_p256", move || {
                let key = EphemeralKey::generate(RUSTCRYPTO, NamedGroup::Secp256r1, &mut rng);
                black_box(key.and_then(|k| k.public_key()).ok());
            }),
            call("ecdh_agree_p256", move || {
                if let Ok(PeerShare::P256(point)) =
                    PeerShare::decode(NamedGroup::Secp256r1, &p256_peer)
                {
                    black_box(p256_key.diffie_hellman(&point).raw_secret_bytes().to_vec());
                }
            }),
            call("ecdsa_sign", move || {
                black_box(ec::sign(&signing, &message));
            }),
            call("ecdsa_verify", move || {
                black_box(ec::verify(&public, &message, &signature));
            }),
            call("certificate_chain_verify", move || {
                let _ = black_box(verify_chain(&chain, &server_auth(&trusted)));
            }),
            // What a client checks of an RSA server instead (ECDHE_RSA, not in any
            // suite's plan here: a wasm-dtls server does not serve it).
            call("rsa_pss_verify_2048", move || {
                black_box(SignatureScheme::RsaPssRsaeSha256.verify(
                    RUSTCRYPTO,
                    &rsa_key,
                    &RSA_SIGNED,
                    RSA_PSS_SIGNATURE,
                ));
            }),
            call("certificate_chain_verify_rsa", move || {
                let _ = black_box(verify_chain(&rsa_chain, &server_auth(&rsa_trusted)));
            }),
            call("cookie_hmac", move || {
                black_box(cookie.compute(b"127.0.0.1:5684", &[&[6; 80]]));
            }),
            call("random_32", || {
                let mut random = [0u8; 32];
                OsRandom.fill(&mut random);
                black_box(random);
            }),
        ];
        for prf in [PrfHash::Sha256, PrfHash::Sha384] {
            let names = prf_primitives(prf);
            let session_hash = vec![2; prf.output_len()];
            calls.push(call(names.extended_master_secret, move || {
                black_box(MasterSecret::derive_extended(prf, &[1; 48], &session_hash));
            }));
            let master = master_for(prf);
            let handshake_hash = vec![4; prf.output_len()];
            calls.push(call(names.verify_data, move || {
                black_box(master.verify_data(b"client finished", &handshake_hash));
            }));
            calls.push(call(names.transcript_psk, move || {
                transcript(prf, TRANSCRIPT_PSK);
            }));
            calls.push(call(names.transcript_ecdsa, move || {
                transcript(prf, TRANSCRIPT_ECDSA);
            }));
        }
        // Each AEAD with the PRF of the suites that use it.
        let mut aeads: Vec<(AeadAlgorithm, PrfHash)> = Vec::new();
        for suite in CipherSuite::SERVED {
            if aeads.iter().all(|(aead, _)| *aead != suite.aead()) {
                aeads.push((suite.aead(), suite.prf_hash()));
            }
        }
        for (aead, prf) in aeads {
            let names = aead_primitives(aead);
            let master = master_for(prf);
            calls.push(call(names.key_block, move || {
                black_box(master.key_block(aead, &[1; 32], &[2; 32]));
            }));
            calls.push(call(names.record_keys, move || {
                black_box(RecordCipher::new(aead, &[9; 32], &[1; 12]));
            }));
            let cipher = RecordCipher::new(aead, &[9; 32], &[1; 12]);
            let finished = [0x14u8; FINISHED_BYTES];
            let sealed = cipher.seal(1, 0, 22, 0xfefd, &finished);
            if cipher.open(1, 0, 22, 0xfefd, &sealed).is_none() {
                return Err("the benchmark Finished record does not open".into());
            }
            calls.push(call(names.finished_record, move || {
                let sealed = cipher.seal(1, 0, 22, 0xfefd, &finished);
                black_box(cipher.open(1, 0, 22, 0xfefd, &sealed));
            }));
        }
        Ok(Kit { calls })
    }

    /// Times every primitive on its own.
    pub fn measure(&mut self, budget: Budget) -> Primitives {
        let list = self
            .calls
            .iter_mut()
            .map(|c| Primitive {
                name: c.name,
                micros: budget.micros(&mut c.run),
            })
            .collect();
        Primitives { list }
    }

    /// The calls of one full handshake of `suite` (see [`recipe`]), looked up once so
    /// that running them costs nothing but the calls. A name the kit lacks is an error,
    /// not a silently smaller baseline.
    pub fn handshake_plan(&self, suite: CipherSuite) -> Result<Vec<(usize, u32)>, String> {
        recipe(suite)
            .into_iter()
            .map(|(name, times)| {
                let index = self.calls.iter().position(|c| c.name == name);
                index
                    .map(|i| (i, times))
                    .ok_or_else(|| format!("no primitive named {name}"))
            })
            .collect()
    }

    /// Runs a plan from [`Kit::handshake_plan`].
    pub fn run(&mut self, plan: &[(usize, u32)]) {
        for &(index, times) in plan {
            if let Some(c) = self.calls.get_mut(index) {
                for _ in 0..times {
                    (c.run)();
                }
            }
        }
    }
}

/// How a client checks the benchmark server's chain.
fn server_auth(trusted: &[Certificate]) -> VerifyOptions<'_> {
    VerifyOptions {
        trusted,
        unix_time: UNIX_TIME,
        host: Some("localhost"),
        purpose: Purpose::ServerAuth,
        max_chain_len: 4,
        provider: wasm_dtls::CryptoProvider::RustCrypto,
    }
}

fn call(name: &'static str, run: impl FnMut() + 'static) -> Call {
    Call {
        name,
        run: Box::new(run),
    }
}

/// One side's running transcript hash with the suite's PRF hash: the messages hashed
/// once, and a digest taken of a copy of the state at each of the points that need one.
fn transcript(prf: PrfHash, bytes: usize) {
    match prf {
        PrfHash::Sha256 => transcript_with::<Sha256>(bytes),
        PrfHash::Sha384 => transcript_with::<Sha384>(bytes),
    }
}

fn transcript_with<D: Digest + Clone>(bytes: usize) {
    static MESSAGES: [u8; TRANSCRIPT_ECDSA] = [5; TRANSCRIPT_ECDSA];
    let mut hash = D::new();
    hash.update(black_box(MESSAGES.get(..bytes).unwrap_or_default()));
    for _ in 0..TRANSCRIPT_DIGESTS {
        black_box(hash.clone().finalize());
    }
}

/// The primitives one full handshake of `suite` performs, client and server together,
/// with how often. Both sides: master secret, key block, the two verify_data values
/// each computes (its own and the peer's), its transcript, its two record ciphers,
/// sealing its Finished and opening the peer's; the cookie made once and checked once;
/// the client's and the server's random; with ECDHE, a key pair and an agreement each
/// on the group the benchmark's handshakes use (the default, X25519).
fn recipe(suite: CipherSuite) -> Vec<(&'static str, u32)> {
    let names = aead_primitives(suite.aead());
    let prf = prf_primitives(suite.prf_hash());
    let (keygen, agree) = match wasm_dtls::Config::new().groups().first() {
        Some(NamedGroup::Secp256r1) => ("ecdhe_keygen_p256", "ecdh_agree_p256"),
        _ => ("ecdhe_keygen_x25519", "ecdh_agree_x25519"),
    };
    let mut list = vec![
        (prf.extended_master_secret, 2),
        (names.key_block, 2),
        (prf.verify_data, 4),
        ("cookie_hmac", 2),
        (names.record_keys, 4),
        (names.finished_record, 2),
        ("random_32", 2),
    ];
    match suite.key_exchange() {
        KeyExchange::Psk => list.push((prf.transcript_psk, 2)),
        KeyExchange::EcdhePsk => list.extend([(prf.transcript_psk, 2), (keygen, 2), (agree, 2)]),
        // ECDHE_RSA is not benched (CipherSuite::SERVED only); its list would be this one.
        KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => list.extend([
            (prf.transcript_ecdsa, 2),
            (keygen, 2),
            (agree, 2),
            ("ecdsa_sign", 1),
            ("ecdsa_verify", 1),
            ("certificate_chain_verify", 1),
        ]),
    }
    list
}

/// The names of the primitives that depend on the PRF's hash.
struct PrfPrimitives {
    /// The extended master secret from a 48-byte premaster secret.
    extended_master_secret: &'static str,
    /// One Finished message's verify_data.
    verify_data: &'static str,
    /// One side's transcript of a PSK handshake.
    transcript_psk: &'static str,
    /// One side's transcript of an ECDHE-ECDSA handshake.
    transcript_ecdsa: &'static str,
}

/// The names of `prf`'s primitives (SHA-256's without a suffix).
fn prf_primitives(prf: PrfHash) -> PrfPrimitives {
    match prf {
        PrfHash::Sha256 => PrfPrimitives {
            extended_master_secret: "extended_master_secret",
            verify_data: "verify_data",
            transcript_psk: "transcript_psk",
            transcript_ecdsa: "transcript_ecdsa",
        },
        PrfHash::Sha384 => PrfPrimitives {
            extended_master_secret: "extended_master_secret_sha384",
            verify_data: "verify_data_sha384",
            transcript_psk: "transcript_psk_sha384",
            transcript_ecdsa: "transcript_ecdsa_sha384",
        },
    }
}

/// The names of the primitives that depend on the AEAD.
struct AeadPrimitives {
    /// The key block, as long as the algorithm's keys and IVs (88 bytes for
    /// ChaCha20-Poly1305, 72 for AES-256 and 40 for AES-128: three PRF blocks of SHA-256,
    /// two of SHA-384, two of SHA-256).
    key_block: &'static str,
    /// Keying one record cipher (AES key schedule; GCM's hash key).
    record_keys: &'static str,
    /// Sealing and opening one Finished record.
    finished_record: &'static str,
}

/// The names of `aead`'s primitives.
fn aead_primitives(aead: AeadAlgorithm) -> AeadPrimitives {
    let (key_block, record_keys, finished_record) = match aead {
        AeadAlgorithm::Aes128Ccm8 => ("key_block_ccm8", "record_keys_ccm8", "finished_record_ccm8"),
        AeadAlgorithm::Aes128Gcm => ("key_block_gcm", "record_keys_gcm", "finished_record_gcm"),
        AeadAlgorithm::Aes256Gcm => (
            "key_block_aes256_gcm",
            "record_keys_aes256_gcm",
            "finished_record_aes256_gcm",
        ),
        AeadAlgorithm::ChaCha20Poly1305 => (
            "key_block_chacha20",
            "record_keys_chacha20",
            "finished_record_chacha20",
        ),
    };
    AeadPrimitives {
        key_block,
        record_keys,
        finished_record,
    }
}
