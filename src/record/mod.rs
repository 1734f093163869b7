//! The DTLS 1.2 record layer's wire format (RFC 6347 §4.1) and replay window.

mod header;
mod replay;

pub use header::{ContentType, Record, RecordHeader, Records, parse_datagram};
pub use replay::ReplayWindow;

/// DTLS 1.2 on the wire (the one's complement of 1.2).
pub const DTLS_1_2: u16 = 0xFEFD;
/// DTLS 1.0 on the wire; accepted only on an initial ClientHello's record and used in
/// HelloVerifyRequest (RFC 6347 §4.2.1).
pub const DTLS_1_0: u16 = 0xFEFF;
/// Bytes of a record header: type, version, epoch, 48-bit sequence number, length.
pub const RECORD_HEADER_LEN: usize = 13;
/// The largest record sequence number (48 bits).
pub const MAX_SEQUENCE: u64 = (1 << 48) - 1;
/// The largest plaintext in one record (RFC 5246 §6.2.1).
pub const MAX_PLAINTEXT_LEN: usize = 16_384;
/// The largest protected fragment in one record (RFC 5246 §6.2.3).
pub const MAX_CIPHERTEXT_LEN: usize = 16_384 + 2_048;
