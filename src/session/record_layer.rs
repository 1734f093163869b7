//! The record layer of one session: epochs, sequence numbers, protection and replay
//! detection (RFC 6347 §4.1).

use std::borrow::Cow;
use std::collections::VecDeque;

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
pub(crate) enum Opened<'a> {
    /// Authenticated (or plaintext in epoch 0) and new: here is its plaintext,
    /// decrypted into a buffer of its own or, in epoch 0, borrowed from the datagram.
    Accepted(Cow<'a, [u8]>),
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

    /// Appends one record of `epoch`, with the next sequence number of that epoch, to
    /// `out`; its plaintext is `parts` one after another. Returns the record's header.
    pub(crate) fn seal_into(
        &mut self,
        epoch: u16,
        content_type: ContentType,
        parts: &[&[u8]],
        out: &mut Vec<u8>,
    ) -> Result<RecordHeader, Error> {
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
            parts,
            out,
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
    pub(crate) fn open<'a>(&mut self, record: &Record<'a>, handshake_done: bool) -> Opened<'a> {
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
            None => Cow::Borrowed(record.fragment),
            Some(c) => match c.open(
                h.epoch,
                h.sequence,
                h.content_type.0,
                h.version,
                record.fragment,
            ) {
                Some(p) => Cow::Owned(p),
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
    parts: &[&[u8]],
) -> Vec<u8> {
    // `build_record` reserves the record's exact size.
    let mut out = Vec::new();
    build_record(None, 0, sequence, content_type, parts, &mut out);
    out
}

/// Appends header and (protected) fragment of one record to `out`; the plaintext is
/// `parts` one after another, copied once.
fn build_record(
    cipher: Option<&RecordCipher>,
    epoch: u16,
    sequence: u64,
    content_type: ContentType,
    parts: &[&[u8]],
    out: &mut Vec<u8>,
) -> RecordHeader {
    let payload_len: usize = parts.iter().map(|p| p.len()).sum();
    let fragment_len = payload_len + cipher.map_or(0, RecordCipher::overhead);
    let header = RecordHeader {
        content_type,
        version: DTLS_1_2,
        epoch,
        sequence,
        // Fragments are bounded by the MTU (at most 65 507 bytes) plus overhead.
        length: u16::try_from(fragment_len).unwrap_or(u16::MAX),
    };
    out.reserve(RECORD_HEADER_LEN + fragment_len);
    header.encode(out);
    match cipher {
        Some(c) => c.seal_into(epoch, sequence, content_type.0, DTLS_1_2, parts, out),
        None => parts.iter().for_each(|p| out.extend_from_slice(p)),
    }
    header
}

/// Packs records into datagrams of at most `mtu` bytes (RFC 6347 §4.1.1: several
/// records may share a datagram; a record never spans two). Records are written
/// straight into the datagram they are sent in.
pub(crate) struct DatagramPacker {
    mtu: usize,
    /// Bytes of the flight not packed yet: a new datagram is given room for the rest
    /// of the flight, up to the MTU, so it is never reallocated.
    remaining: usize,
    current: Vec<u8>,
    done: VecDeque<Vec<u8>>,
}

impl DatagramPacker {
    /// A packer for `total` bytes of records that appends its datagrams to `queue`.
    pub(crate) fn new(mtu: usize, total: usize, queue: VecDeque<Vec<u8>>) -> DatagramPacker {
        DatagramPacker {
            mtu,
            remaining: total,
            current: Vec::new(),
            done: queue,
        }
    }

    /// The datagram the next record, of `record_len` bytes, is to be appended to:
    /// the current one, or a new one when the record does not fit.
    pub(crate) fn buffer_for(&mut self, record_len: usize) -> &mut Vec<u8> {
        if !self.current.is_empty() && self.current.len() + record_len > self.mtu {
            self.done.push_back(core::mem::take(&mut self.current));
        }
        if self.current.is_empty() {
            self.current = Vec::with_capacity(self.remaining.min(self.mtu).max(record_len));
        }
        self.remaining = self.remaining.saturating_sub(record_len);
        &mut self.current
    }

    /// The queue with the datagrams appended, in order.
    pub(crate) fn finish(mut self) -> VecDeque<Vec<u8>> {
        if !self.current.is_empty() {
            self.done.push_back(self.current);
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packer_never_exceeds_the_mtu() {
        let lens = [40, 40, 40, 100, 10];
        let mut p = DatagramPacker::new(100, lens.iter().sum(), VecDeque::from([vec![7]]));
        for len in lens {
            let buffer = p.buffer_for(len);
            buffer.resize(buffer.len() + len, 0);
        }
        let datagrams = p.finish();
        let sizes: Vec<usize> = datagrams.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1, 80, 40, 100, 10]);
        // Each datagram was given the room it needed up front.
        let capacities: Vec<usize> = datagrams.iter().skip(1).map(Vec::capacity).collect();
        assert_eq!(capacities, [100, 100, 100, 10]);
    }
}
