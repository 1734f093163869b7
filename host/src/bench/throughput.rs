//! Application-data throughput with 1 200-byte records, seal and open: through two
//! established engine sessions, natively and in the component (wasmtime; Node's figure
//! comes from the npm package's script), through the engine's record cipher alone, and
//! through the AEAD crates alone.

use std::hint::black_box;

use aes::{Aes128Enc, Aes256Enc};
use aes_gcm::AesGcm;
use aes_gcm::aead::{AeadInOut, KeyInit, Nonce};
use ccm::Ccm;
use ccm::consts::{U8, U12};
use chacha20poly1305::ChaCha20Poly1305;
use serde::Serialize;
use wasm_dtls::crypto::RecordCipher;
use wasm_dtls::sim::{LinkConditions, Pair};
use wasm_dtls::{AeadAlgorithm, CipherSuite, Event, Output};

use super::fixtures::engine_configs;
use super::timing::Budget;
use super::wasm::WasmBench;

/// The record payload measured: a typical CoAP-over-DTLS datagram stays under the MTU.
pub const RECORD_BYTES: usize = 1_200;

/// The record measured.
static PAYLOAD: [u8; RECORD_BYTES] = [0x42; RECORD_BYTES];

/// Throughput of one suite's AEAD, in MB/s of plaintext (seal and open both counted
/// once per record).
#[derive(Clone, Debug, Serialize)]
pub struct Throughput {
    /// The suite.
    pub suite: &'static str,
    /// Two engine sessions: `send` on one, `handle_datagram` and the data event on the
    /// other.
    pub engine_mb_s: f64,
    /// The same through the component in wasmtime: `send` on a client instance, the
    /// datagram into a server instance, its `receive` event out.
    pub wasmtime_mb_s: f64,
    /// The same through the npm package in Node, if measured.
    pub node_mb_s: Option<f64>,
    /// The engine's `RecordCipher` seal + open alone.
    pub record_cipher_mb_s: f64,
    /// The AEAD crate (aes-gcm, ccm or chacha20poly1305) encrypt + decrypt alone.
    pub aead_crate_mb_s: f64,
    /// OpenSSL (filled in by `cargo bench`, which links it).
    pub openssl_mb_s: Option<f64>,
}

impl Throughput {
    /// Measures `suite`; `wasm` must have kept its latest handshake's server session
    /// (`WasmBench::handshake_and_keep`).
    pub fn measure(
        suite: CipherSuite,
        budget: Budget,
        wasm: &mut WasmBench,
    ) -> Result<Throughput, String> {
        let mb_s = |seconds: f64| RECORD_BYTES as f64 / seconds / 1e6;
        let mut pair = connected_pair(suite)?;
        let payload = &PAYLOAD;
        let aad = [0u8; 13];
        let mut raw: Box<dyn FnMut() -> Result<(), String>> = match suite.aead() {
            AeadAlgorithm::Aes128Gcm => {
                let c = AesGcm::<Aes128Enc, U12>::new(&[9u8; 16].into());
                Box::new(move || seal_open(&c, &[0u8; 12].into(), &aad, payload))
            }
            AeadAlgorithm::Aes256Gcm => {
                let c = AesGcm::<Aes256Enc, U12>::new(&[9u8; 32].into());
                Box::new(move || seal_open(&c, &[0u8; 12].into(), &aad, payload))
            }
            AeadAlgorithm::Aes128Ccm8 => {
                let c = Ccm::<Aes128Enc, U8, U12>::new(&[9u8; 16].into());
                Box::new(move || seal_open(&c, &[0u8; 12].into(), &aad, payload))
            }
            AeadAlgorithm::ChaCha20Poly1305 => {
                let c = ChaCha20Poly1305::new(&[9u8; 32].into());
                Box::new(move || seal_open(&c, &[0u8; 12].into(), &aad, payload))
            }
        };
        // The per-record overhead and the wasmtime/native ratio are ratios of these, so
        // the three share the machine.
        let [engine, raw, wasmtime] = budget.seconds_per_run_interleaved([
            &mut || one_record(&mut pair, payload),
            &mut raw,
            &mut || wasm.record(payload),
        ])?;

        let cipher = RecordCipher::new(suite.aead(), &[9; 32], &[1; 12]);
        let mut sequence = 0u64;
        let record_cipher = budget.seconds_per_run(|| {
            sequence += 1;
            let sealed = cipher.seal(1, sequence, 23, 0xfefd, payload);
            match cipher.open(1, sequence, 23, 0xfefd, &sealed) {
                Some(_) => Ok(()),
                None => Err("a sealed record did not open".to_string()),
            }
        })?;

        Ok(Throughput {
            suite: suite.short_name(),
            engine_mb_s: mb_s(engine),
            wasmtime_mb_s: mb_s(wasmtime),
            node_mb_s: None,
            record_cipher_mb_s: mb_s(record_cipher),
            aead_crate_mb_s: mb_s(raw),
            openssl_mb_s: None,
        })
    }
}

/// Encrypts and decrypts one record with an AEAD crate directly, as the engine does:
/// each in place in a buffer of its own, with a detached tag.
fn seal_open<C: AeadInOut>(c: &C, nonce: &Nonce<C>, aad: &[u8], msg: &[u8]) -> Result<(), String> {
    let mut sealed = msg.to_vec();
    let tag = c
        .encrypt_inout_detached(nonce, aad, sealed.as_mut_slice().into())
        .map_err(|_| "encryption failed".to_string())?;
    let mut opened = sealed.clone();
    c.decrypt_inout_detached(nonce, aad, opened.as_mut_slice().into(), &tag)
        .map_err(|_| "decryption failed".to_string())?;
    black_box(opened);
    Ok(())
}

/// A client and a server session of `suite`, connected over a perfect simulated link.
fn connected_pair(suite: CipherSuite) -> Result<Pair, String> {
    let (client, server) = engine_configs(suite)?;
    let mut pair = Pair::seeded(client, server, LinkConditions::PERFECT, 1);
    pair.start().map_err(|e| e.to_string())?;
    if !pair.handshake(core::time::Duration::from_secs(10)) {
        return Err("the throughput pair did not connect".into());
    }
    // The pair keeps what it saw; from here on records go hand to hand.
    Ok(pair)
}

/// One record from client to server, straight through both sessions (not the links).
fn one_record(pair: &mut Pair, payload: &[u8]) -> Result<(), String> {
    let now = pair.now();
    pair.client.send(payload).map_err(|e| e.to_string())?;
    let Output::Transmit(datagram) = pair.client.poll_output() else {
        return Err("send produced no datagram".into());
    };
    pair.server.handle_datagram(now, &datagram);
    loop {
        match pair.server.poll_output() {
            Output::Event(Event::Data(data)) if data.len() == payload.len() => return Ok(()),
            Output::Wait(_) => return Err("the record was not delivered".into()),
            _ => {}
        }
    }
}
