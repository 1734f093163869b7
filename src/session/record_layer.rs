//! The record layer of one session: epochs, sequence numbers, protection and replay
//! detection (RFC 6347 §4.1).

use crate::crypto::RecordCipher;
use crate::error::Error;
use crate::record::{
    ContentType, DTLS_1_0, DTLS_1_2, MAX_SEQUENCE, RECORD_HEADER_LEN, Record, RecordHeader,
    ReplayWindow,
};

/// The epochs of a session without renegotiation: 0 in the clear, 1 after
/// ChangeCipherSpec.
const EPOCHS: usize = 2;

/// Sending state of one epoch.
#[derive(Default)]
struct WriteEpoch {
    cipher: Option<RecordCipher>,
    next_sequence: u64,
}

/// What became of a received record.
pub(crate) enum Opened {
    /// Authenticated (or plaintext in epoch 0) and new: here is its plaintext.
    Accepted(Vec<u8>),
    /// A record of the next epoch arrived before the ChangeCipherSpec that opens it.
    FutureEpoch,
    /// Already seen, or older than the replay window.
    Replayed,
    /// Failed authentication.
    AuthFailed,
    /// An epoch we have no keys for, or a version we do not speak.
    Unexpected,
}

/// Epochs, ciphers, sequence numbers and replay windows of one session.
#[derive(Default)]
pub(crate) struct RecordLayer {
    write: [WriteEpoch; EPOCHS],
    write_epoch: u16,
    read_epoch: u16,
    read_cipher: Option<RecordCipher>,
    pending_read_cipher: Option<RecordCipher>,
    replay: [ReplayWindow; EPOCHS],
}

impl RecordLayer {
    /// Installs the keys of epoch 1: the write side is used from our ChangeCipherSpec
    /// on, the read side from the peer's.
    pub(crate) fn install_keys(&mut self, write: RecordCipher, read: RecordCipher) {
        if let Some(epoch) = self.write.get_mut(1) {
            epoch.cipher = Some(write);
            epoch.next_sequence = 0;
        }
        self.pending_read_cipher = Some(read);
    }

    /// Our ChangeCipherSpec was sent: later records go out in epoch 1.
    pub(crate) fn switch_write_epoch(&mut self) {
        self.write_epoch = 1;
    }

    /// The peer's ChangeCipherSpec arrived. Returns false when it came before we had
    /// the keys (then it is ignored and the peer's retransmission will bring it again).
    pub(crate) fn switch_read_epoch(&mut self) -> bool {
        match self.pending_read_cipher.take() {
            Some(cipher) => {
                self.read_cipher = Some(cipher);
                self.read_epoch = 1;
                true
            }
            None => false,
        }
    }

    /// Whether keys for the peer's next epoch are waiting for its ChangeCipherSpec.
    pub(crate) fn awaiting_change_cipher_spec(&self) -> bool {
        self.pending_read_cipher.is_some()
    }

    /// The epoch our new records go out in.
    pub(crate) fn write_epoch(&self) -> u16 {
        self.write_epoch
    }

    /// Bytes protection adds to a record of `epoch`, header included.
    pub(crate) fn overhead(&self, epoch: u16) -> usize {
        let cipher = self
            .write
            .get(usize::from(epoch))
            .and_then(|w| w.cipher.as_ref());
        RECORD_HEADER_LEN + cipher.map_or(0, RecordCipher::overhead)
    }

    /// Builds one record of `epoch` with the next sequence number of that epoch.
    pub(crate) fn seal(
        &mut self,
        epoch: u16,
        content_type: ContentType,
        payload: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let state = self
            .write
            .get_mut(usize::from(epoch))
            .ok_or(Error::InvalidState(
                "sending in an epoch that does not exist",
            ))?;
        let sequence = state.next_sequence;
        if sequence > MAX_SEQUENCE {
            return Err(Error::SequenceExhausted);
        }
        state.next_sequence += 1;
        Ok(build_record(
            state.cipher.as_ref(),
            epoch,
            sequence,
            content_type,
            payload,
        ))
    }

    /// Makes our next epoch-0 record number larger than `sequence` (used after a
    /// stateless HelloVerifyRequest echoed the client's number).
    pub(crate) fn skip_epoch0_sequence_past(&mut self, sequence: u64) {
        if let Some(w) = self.write.first_mut() {
            w.next_sequence = w.next_sequence.max(sequence.saturating_add(1));
        }
    }

    /// Checks, authenticates and decrypts one received record.
    pub(crate) fn open(&mut self, record: &Record<'_>, handshake_done: bool) -> Opened {
        let h = &record.header;
        // DTLS 1.0's number is allowed in epoch 0 only: some clients put it on their
        // first ClientHello (TOOLCHAIN.md).
        let version_ok = h.version == DTLS_1_2 || (h.epoch == 0 && h.version == DTLS_1_0);
        if !version_ok {
            return Opened::Unexpected;
        }
        let Some(window) = self.replay.get(usize::from(h.epoch)) else {
            return Opened::Unexpected;
        };
        let cipher = match (h.epoch, self.read_epoch) {
            (0, 0) => None,
            // Epoch-0 records after the switch: the peer repeating its last plaintext
            // messages, or an alert. Only useful while the handshake is going on.
            (0, _) if !handshake_done => None,
            (1, 1) => self.read_cipher.as_ref(),
            (1, 0) => return Opened::FutureEpoch,
            _ => return Opened::Unexpected,
        };
        // Epoch-0 sequence numbers are not authenticated: a forged or corrupted one
        // must not move the window, or one flipped bit would make every later record
        // look old. Repeated plaintext handshake messages are caught by message_seq.
        let protected = cipher.is_some();
        if protected && !window.is_fresh(h.sequence) {
            return Opened::Replayed;
        }
        let plaintext = match cipher {
            None => record.fragment.to_vec(),
            Some(c) => match c.open(
                h.epoch,
                h.sequence,
                h.content_type.0,
                h.version,
                record.fragment,
            ) {
                Some(p) => p,
                None => return Opened::AuthFailed,
            },
        };
        if protected && let Some(w) = self.replay.get_mut(usize::from(h.epoch)) {
            w.mark(h.sequence);
        }
        Opened::Accepted(plaintext)
    }
}

/// An epoch-0 (plaintext) record with the given sequence number, built without any
/// session state: stateless HelloVerifyRequests and pool-full alerts.
pub(crate) fn plaintext_record(
    content_type: ContentType,
    sequence: u64,
    payload: &[u8],
) -> Vec<u8> {
    build_record(None, 0, sequence, content_type, payload)
}

/// Encodes header and (protected) fragment of one record into one buffer.
fn build_record(
    cipher: Option<&RecordCipher>,
    epoch: u16,
    sequence: u64,
    content_type: ContentType,
    payload: &[u8],
) -> Vec<u8> {
    let fragment_len = payload.len() + cipher.map_or(0, RecordCipher::overhead);
    let header = RecordHeader {
        content_type,
        version: DTLS_1_2,
        epoch,
        sequence,
        // Fragments are bounded by the MTU (at most 65 507 bytes) plus overhead.
        length: u16::try_from(fragment_len).unwrap_or(u16::MAX),
    };
    let mut out = Vec::with_capacity(RECORD_HEADER_LEN + fragment_len);
    header.encode(&mut out);
    match cipher {
        Some(c) => c.seal_into(epoch, sequence, content_type.0, DTLS_1_2, payload, &mut out),
        None => out.extend_from_slice(payload),
    }
    out
}

/// Packs records into datagrams of at most `mtu` bytes (RFC 6347 §4.1.1: several
/// records may share a datagram; a record never spans two).
pub(crate) struct DatagramPacker {
    mtu: usize,
    current: Vec<u8>,
    done: Vec<Vec<u8>>,
}

impl DatagramPacker {
    /// An empty packer.
    pub(crate) fn new(mtu: usize) -> DatagramPacker {
        DatagramPacker {
            mtu,
            current: Vec::new(),
            done: Vec::new(),
        }
    }

    /// Adds one record, starting a new datagram when it does not fit.
    pub(crate) fn push(&mut self, record: Vec<u8>) {
        if !self.current.is_empty() && self.current.len() + record.len() > self.mtu {
            self.done.push(core::mem::take(&mut self.current));
        }
        if self.current.is_empty() {
            self.current = record;
        } else {
            self.current.extend_from_slice(&record);
        }
    }

    /// The datagrams, in order.
    pub(crate) fn finish(mut self) -> Vec<Vec<u8>> {
        if !self.current.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packer_never_exceeds_the_mtu() {
        let mut p = DatagramPacker::new(100);
        for len in [40, 40, 40, 100, 10] {
            p.push(vec![0; len]);
        }
        let sizes: Vec<usize> = p.finish().iter().map(Vec::len).collect();
        assert_eq!(sizes, [80, 40, 100, 10]);
    }
}
