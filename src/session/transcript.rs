//! The running hash of the handshake messages (RFC 5246 §7.4.9, RFC 6347 §4.2.6).

use sha2::{Digest, Sha256};

/// SHA-256 over every handshake message of the current handshake, each encoded as one
/// unfragmented message (RFC 6347 §4.2.6), so fragmentation never changes the hash.
/// The first ClientHello and the HelloVerifyRequest are left out (RFC 6347 §4.2.1).
#[derive(Clone, Default)]
pub(crate) struct Transcript {
    hash: Sha256,
}

impl Transcript {
    /// Adds one encoded handshake message.
    pub(crate) fn update(&mut self, encoded_message: &[u8]) {
        self.hash.update(encoded_message);
    }

    /// The hash of everything added so far; the transcript goes on.
    pub(crate) fn current(&self) -> [u8; 32] {
        self.hash.clone().finalize().into()
    }
}
