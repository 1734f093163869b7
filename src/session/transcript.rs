//! The running hash of the handshake messages (RFC 5246 §7.4.9, RFC 6347 §4.2.6).

use sha2::{Digest, Sha256};

use crate::handshake::{HandshakeType, message_header};

/// SHA-256 over every handshake message of the current handshake, each encoded as one
/// unfragmented message (RFC 6347 §4.2.6), so fragmentation never changes the hash.
/// The first ClientHello and the HelloVerifyRequest are left out (RFC 6347 §4.2.1).
#[derive(Clone, Default)]
pub(crate) struct Transcript {
    hash: Sha256,
}

impl Transcript {
    /// Adds one handshake message: its unfragmented header, then its body.
    pub(crate) fn add_message(&mut self, msg_type: HandshakeType, message_seq: u16, body: &[u8]) {
        self.hash
            .update(message_header(msg_type, message_seq, body.len()).to_bytes());
        self.hash.update(body);
    }

    /// The hash of everything added so far; the transcript goes on.
    pub(crate) fn current(&self) -> [u8; 32] {
        self.hash.clone().finalize().into()
    }
}
