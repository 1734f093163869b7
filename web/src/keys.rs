//! The session keys, derived the way a capture tool does it: from the client's NSS key
//! log line (client random and master secret) and the server random of the
//! ServerHello, so the inspector can open encrypted records (RFC 5246 §6.3).

use serde::Serialize;
use wasm_dtls::CipherSuite;
use wasm_dtls::crypto::{MasterSecret, RecordCipher};
use wasm_dtls::handshake::{HandshakeType, parse_fragments};
use wasm_dtls::record::{ContentType, parse_datagram};
use wasm_dtls::sim::Side;

use crate::dissect::hex;

/// Both directions' record ciphers, and the secrets in hex for the summary.
pub struct SessionKeys {
    client: RecordCipher,
    server: RecordCipher,
    shown: KeysView,
}

/// The secrets as the summary shows them (hidden until the student asks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeysView {
    /// The 48-byte master secret.
    pub master_secret: String,
    /// client_write_key.
    pub client_write_key: String,
    /// server_write_key.
    pub server_write_key: String,
    /// client_write_IV (the AES nonce salt, or the ChaCha20-Poly1305 nonce mask).
    pub client_write_iv: String,
    /// server_write_IV.
    pub server_write_iv: String,
}

impl SessionKeys {
    /// The keys from a key log line `CLIENT_RANDOM <client random> <master secret>` and
    /// the server random; `None` if the line is not one.
    pub fn derive(
        suite: CipherSuite,
        key_log_line: &str,
        server_random: &[u8; 32],
    ) -> Option<SessionKeys> {
        let mut parts = key_log_line.split(' ');
        if parts.next() != Some("CLIENT_RANDOM") {
            return None;
        }
        let client_random: [u8; 32] = unhex(parts.next()?)?.try_into().ok()?;
        let master: [u8; 48] = unhex(parts.next()?)?.try_into().ok()?;
        let master = MasterSecret::from_bytes(suite.prf_hash(), master);
        let aead = suite.aead();
        let block = master.key_block(aead, &client_random, server_random);
        // The block's fields are as long as the longest algorithm's; show this one's.
        let shown = |field: &[u8], len: usize| hex(field.get(..len).unwrap_or(field));
        let (key_len, iv_len) = (aead.key_len(), aead.fixed_iv_len());
        Some(SessionKeys {
            client: RecordCipher::new(aead, &block.client_key, &block.client_iv),
            server: RecordCipher::new(aead, &block.server_key, &block.server_iv),
            shown: KeysView {
                master_secret: hex(master.as_bytes()),
                client_write_key: shown(&block.client_key, key_len),
                server_write_key: shown(&block.server_key, key_len),
                client_write_iv: shown(&block.client_iv, iv_len),
                server_write_iv: shown(&block.server_iv, iv_len),
            },
        })
    }

    /// The cipher protecting what `sender` sends.
    pub fn cipher(&self, sender: Side) -> &RecordCipher {
        match sender {
            Side::Client => &self.client,
            Side::Server => &self.server,
        }
    }

    /// The secrets in hex.
    pub fn view(&self) -> &KeysView {
        &self.shown
    }
}

/// The server random of a datagram holding the start of a ServerHello.
pub fn server_random(datagram: &[u8]) -> Option<[u8; 32]> {
    parse_datagram(datagram)
        .filter_map(Result::ok)
        .filter(|r| r.header.content_type == ContentType::HANDSHAKE && r.header.epoch == 0)
        .flat_map(|r| parse_fragments(r.fragment).unwrap_or_default())
        .filter(|f| {
            f.header.msg_type == HandshakeType::SERVER_HELLO && f.header.fragment_offset == 0
        })
        // server_version (2 bytes), then the 32-byte random.
        .find_map(|f| f.body.get(2..34)?.try_into().ok())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
