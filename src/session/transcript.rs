//! The running hashes of the handshake messages (RFC 5246 §7.4.9, RFC 6347 §4.2.6).

use sha2::{Digest, Sha256, Sha384};

use crate::handshake::{HandshakeType, message_header};
use crate::suite::PrfHash;

/// The hashes over every handshake message of the current handshake, each encoded as
/// one unfragmented message (RFC 6347 §4.2.6), so fragmentation never changes them. The
/// first ClientHello and the HelloVerifyRequest are left out (RFC 6347 §4.2.1).
///
/// SHA-256 always runs: Finished and the session hash of most suites use it, and so
/// does CertificateVerify (ecdsa_secp256r1_sha256 and the SHA-256 RSA schemes). SHA-384
/// runs too until the suite is known ([`Transcript::settle`]), because a client hashes
/// its ClientHello before the server has chosen.
#[derive(Clone)]
pub(crate) struct Transcript {
    sha256: Sha256,
    /// Dropped once the suite turns out to use the SHA-256 PRF.
    sha384: Option<Box<Sha384>>,
}

impl Default for Transcript {
    fn default() -> Transcript {
        Transcript {
            sha256: Sha256::new(),
            sha384: Some(Box::default()),
        }
    }
}

/// A transcript hash: 32 bytes (SHA-256) or 48 (SHA-384).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TranscriptHash {
    bytes: [u8; 48],
    len: usize,
}

impl core::ops::Deref for TranscriptHash {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&self.bytes)
    }
}

impl Transcript {
    /// Adds one handshake message: its unfragmented header, then its body.
    pub(crate) fn add_message(&mut self, msg_type: HandshakeType, message_seq: u16, body: &[u8]) {
        let header = message_header(msg_type, message_seq, body.len()).to_bytes();
        self.sha256.update(header);
        self.sha256.update(body);
        if let Some(sha384) = self.sha384.as_mut() {
            sha384.update(header);
            sha384.update(body);
        }
    }

    /// Keeps only the hashes the negotiated suite needs from now on.
    pub(crate) fn settle(&mut self, prf: PrfHash) {
        if prf == PrfHash::Sha256 {
            self.sha384 = None;
        }
    }

    /// The SHA-256 of everything added so far (CertificateVerify); the transcript goes on.
    pub(crate) fn sha256(&self) -> [u8; 32] {
        self.sha256.clone().finalize().into()
    }

    /// The hash of everything added so far with the suite's PRF hash (Finished, the
    /// extended master secret's session hash); the transcript goes on. `None` if that
    /// hash was dropped by [`Transcript::settle`].
    pub(crate) fn current(&self, prf: PrfHash) -> Option<TranscriptHash> {
        let mut bytes = [0u8; 48];
        match prf {
            PrfHash::Sha256 => {
                if let Some(front) = bytes.first_chunk_mut::<32>() {
                    *front = self.sha256();
                }
            }
            PrfHash::Sha384 => bytes = self.sha384.as_ref()?.as_ref().clone().finalize().into(),
        }
        Some(TranscriptHash {
            bytes,
            len: prf.output_len(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn both_hashes_run_until_the_suite_settles_them() {
        let mut t = Transcript::default();
        t.add_message(HandshakeType::CLIENT_HELLO, 1, b"hello");
        let mut expected = Sha384::new();
        expected.update(message_header(HandshakeType::CLIENT_HELLO, 1, 5).to_bytes());
        expected.update(b"hello");
        let expected: [u8; 48] = expected.finalize().into();
        assert_eq!(&*t.current(PrfHash::Sha384).unwrap(), &expected[..]);
        assert_eq!(&*t.current(PrfHash::Sha256).unwrap(), &t.sha256()[..]);

        let mut sha384_suite = t.clone();
        sha384_suite.settle(PrfHash::Sha384);
        assert_eq!(sha384_suite.current(PrfHash::Sha384).unwrap().len(), 48);
        t.settle(PrfHash::Sha256);
        assert_eq!(t.current(PrfHash::Sha384), None);
        assert_eq!(t.current(PrfHash::Sha256).unwrap().len(), 32);
    }
}
