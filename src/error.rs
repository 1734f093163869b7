//! Errors, each with its NetX Secure status code and a sentence a person understands.
//!
//! [`Status`] is the NetX status-code table (names and numbers as NetX Duo defines them,
//! see `netx-dtls-api.md`), plus a few codes of our own in the `0x8000` range for
//! conditions NetX has no code for. [`Error`] is what the engine returns; every variant
//! maps to exactly one [`Status`] through [`Error::status`].

use core::fmt;

use crate::alert::AlertDescription;
use crate::codec::DecodeError;
use crate::x509::CertificateProblem;

macro_rules! statuses {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal => $name:literal, )*) => {
        /// A NetX status code: the numbers and names NetX Secure applications know.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Status {
            $( $(#[$doc])* $variant, )*
        }

        impl Status {
            /// Every status code this crate can return, in numeric order.
            pub const ALL: &'static [Status] = &[$(Status::$variant,)*];

            /// The numeric NetX status code (for example `0x114`).
            pub const fn code(self) -> u32 {
                match self { $( Status::$variant => $code, )* }
            }

            /// The NetX name of the code (for example `"NX_SECURE_TLS_ALERT_RECEIVED"`).
            pub const fn name(self) -> &'static str {
                match self { $( Status::$variant => $name, )* }
            }

            /// The status with this numeric code, if it is one we use.
            pub fn from_code(code: u32) -> Option<Status> {
                Status::ALL.iter().copied().find(|s| s.code() == code)
            }
        }
    };
}

statuses! {
    /// The operation succeeded.
    Success = 0x00 => "NX_SUCCESS",
    /// Nothing was received within the wait (a replayed or dropped record yields nothing).
    NoPacket = 0x01 => "NX_NO_PACKET",
    /// The UDP port is already bound by this server.
    AlreadyBound = 0x22 => "NX_ALREADY_BOUND",
    /// The UDP port is in use by someone else.
    PortUnavailable = 0x23 => "NX_PORT_UNAVAILABLE",
    /// The peer is unreachable or the session is not established.
    NotConnected = 0x38 => "NX_NOT_CONNECTED",
    /// The server is still started.
    StillBound = 0x42 => "NX_STILL_BOUND",
    /// The operation could not complete (for example the record sequence number ran out).
    NotSuccessful = 0x43 => "NX_NOT_SUCCESSFUL",
    /// A parameter is invalid (for example certificate id 0 or a capacity too small).
    InvalidParameters = 0x4D => "NX_INVALID_PARAMETERS",
    /// The session has not been started, or has already ended.
    SessionUninitialized = 0x101 => "NX_SECURE_TLS_SESSION_UNINITIALIZED",
    /// A handshake or record type we do not know.
    UnrecognizedMessageType = 0x102 => "NX_SECURE_TLS_UNRECOGNIZED_MESSAGE_TYPE",
    /// The operation is not valid in the session's current state.
    InvalidState = 0x103 => "NX_SECURE_TLS_INVALID_STATE",
    /// The bytes are not a valid DTLS record or message.
    InvalidPacket = 0x104 => "NX_SECURE_TLS_INVALID_PACKET",
    /// The peer chose a cipher suite we did not offer or do not know.
    UnknownCiphersuite = 0x105 => "NX_SECURE_TLS_UNKNOWN_CIPHERSUITE",
    /// A generic handshake failure.
    HandshakeFailure = 0x107 => "NX_SECURE_TLS_HANDSHAKE_FAILURE",
    /// A record failed authentication.
    HashMacVerifyFailure = 0x108 => "NX_SECURE_TLS_HASH_MAC_VERIFY_FAILURE",
    /// A length field disagrees with the bytes present.
    IncorrectMessageLength = 0x10A => "NX_SECURE_TLS_INCORRECT_MESSAGE_LENGTH",
    /// A malformed ChangeCipherSpec.
    BadCipherspec = 0x10B => "NX_SECURE_TLS_BAD_CIPHERSPEC",
    /// No cipher suite is shared with the peer.
    NoSupportedCiphers = 0x10E => "NX_SECURE_TLS_NO_SUPPORTED_CIPHERS",
    /// The peer speaks a protocol version we do not support.
    UnsupportedTlsVersion = 0x110 => "NX_SECURE_TLS_UNSUPPORTED_TLS_VERSION",
    /// A buffer or capacity bound was reached.
    AllocatePacketFailed = 0x111 => "NX_SECURE_TLS_ALLOCATE_PACKET_FAILED",
    /// The peer sent a fatal alert.
    AlertReceived = 0x114 => "NX_SECURE_TLS_ALERT_RECEIVED",
    /// The Finished message's verify_data did not match.
    FinishedHashFailure = 0x115 => "NX_SECURE_TLS_FINISHED_HASH_FAILURE",
    /// The peer offered only compression methods other than null.
    BadCompressionMethod = 0x118 => "NX_SECURE_TLS_BAD_COMPRESSION_METHOD",
    /// A session or server is already started.
    AlreadySuspended = 0x40 => "NX_ALREADY_SUSPENDED",
    /// Application data was to be sent to an address other than the session's peer.
    SendAddressMismatch = 0x122 => "NX_SECURE_TLS_SEND_ADDRESS_MISMATCH",
    /// The server's session pool is full.
    NoFreeDtlsSessions = 0x123 => "NX_SECURE_TLS_NO_FREE_DTLS_SESSIONS",
    /// No session with that handle: it ended, was reset, or never existed.
    DtlsSessionNotFound = 0x124 => "NX_SECURE_TLS_DTLS_SESSION_NOT_FOUND",
    /// The PSK table is full.
    NoMorePskSpace = 0x125 => "NX_SECURE_TLS_NO_MORE_PSK_SPACE",
    /// No PSK matches the identity (or hint) in the handshake.
    NoMatchingPsk = 0x126 => "NX_SECURE_TLS_NO_MATCHING_PSK",
    /// The peer closed the session with close_notify.
    CloseNotifyReceived = 0x127 => "NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED",
    /// A record's version differs from the negotiated one.
    ProtocolVersionChanged = 0x12E => "NX_SECURE_TLS_PROTOCOL_VERSION_CHANGED",
    /// The peer tried to renegotiate; renegotiation is refused.
    NoRenegotiationError = 0x12F => "NX_SECURE_TLS_NO_RENEGOTIATION_ERROR",
    /// The renegotiation_info extension is wrong (RFC 5746).
    RenegotiationExtensionError = 0x133 => "NX_SECURE_TLS_RENEGOTIATION_EXTENSION_ERROR",
    /// A handshake message is larger than the reassembly bound.
    PacketBufferTooSmall = 0x135 => "NX_SECURE_TLS_PACKET_BUFFER_TOO_SMALL",
    /// A required extension is missing.
    ExtensionNotFound = 0x136 => "NX_SECURE_TLS_EXTENSION_NOT_FOUND",
    /// A message arrived that is not allowed at this point of the handshake.
    UnexpectedMessage = 0x14F => "NX_SECURE_TLS_UNEXPECTED_MESSAGE",
    /// A record is longer than the protocol allows.
    RecordOverflow = 0x151 => "NX_SECURE_TLS_RECORD_OVERFLOW",
    /// The server's certificate cannot identify the server (host name).
    InvalidServerCert = 0x10C => "NX_SECURE_TLS_INVALID_SERVER_CERT",
    /// The certificate's public key type is not supported.
    UnsupportedPublicCipher = 0x10D => "NX_SECURE_TLS_UNSUPPORTED_PUBLIC_CIPHER",
    /// The certificate's key is not of the kind the negotiated suite signs with (an
    /// ECDSA key for ECDHE_RSA, say).
    UnsupportedCertSignType = 0x12B => "NX_SECURE_TLS_UNSUPPORTED_CERT_SIGN_TYPE",
    /// A certificate is signed with an algorithm not supported (SHA-1, say).
    UnsupportedCertSignAlg = 0x12C => "NX_SECURE_TLS_UNSUPPORTED_CERT_SIGN_ALG",
    /// A certificate is invalid (expired, not a CA, wrong usage, malformed, …).
    InvalidCertificate = 0x112 => "NX_SECURE_TLS_INVALID_CERTIFICATE",
    /// A certificate's signature does not verify.
    CertificateSigCheckFailed = 0x117 => "NX_SECURE_TLS_CERTIFICATE_SIG_CHECK_FAILED",
    /// No certificate with that id or common name.
    CertificateNotFound = 0x119 => "NX_SECURE_TLS_CERTIFICATE_NOT_FOUND",
    /// The issuer of a certificate is not trusted.
    IssuerCertificateNotFound = 0x11B => "NX_SECURE_TLS_ISSUER_CERTIFICATE_NOT_FOUND",
    /// The CertificateVerify signature is wrong.
    CertificateVerifyFailure = 0x131 => "NX_SECURE_TLS_CERTIFICATE_VERIFY_FAILURE",
    /// The peer sent an empty certificate list.
    EmptyRemoteCertificateReceived = 0x132 => "NX_SECURE_TLS_EMPTY_REMOTE_CERTIFICATE_RECEIVED",
    /// A certificate id is already in use.
    CertIdDuplicate = 0x139 => "NX_SECURE_TLS_CERT_ID_DUPLICATE",
    /// No elliptic-curve group is enabled for the ECDHE suites.
    EmptyEcGroup = 0x13C => "NX_SECURE_TLS_EMPTY_EC_GROUP",
    /// The elliptic curve is not supported.
    UnsupportedEccCurve = 0x14B => "NX_SECURE_TLS_UNSUPPORTED_ECC_CURVE",
    /// A handshake signature does not verify.
    SignatureVerificationError = 0x14E => "NX_SECURE_TLS_SIGNATURE_VERIFICATION_ERROR",
    /// (wasm-dtls) The handshake ran out of retransmissions without an answer.
    HandshakeTimeout = 0x8001 => "WASM_DTLS_HANDSHAKE_TIMEOUT",
    /// (wasm-dtls) The session was idle longer than the configured idle timeout.
    IdleTimeout = 0x8002 => "WASM_DTLS_IDLE_TIMEOUT",
    /// (wasm-dtls) The client started a new session from the same address (it
    /// rebooted, RFC 6347 §4.2.8) and the new session replaced this one.
    SessionReplaced = 0x8003 => "WASM_DTLS_SESSION_REPLACED",
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:X})", self.name(), self.code())
    }
}

/// Everything that can go wrong in the engine. Each variant has a NetX [`Status`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is not usable; the text says which and why.
    InvalidParameters(&'static str),
    /// The PSK table already holds its capacity of keys.
    NoMorePskSpace {
        /// The table's capacity.
        capacity: usize,
    },
    /// The operation needs a session that has been started and not yet ended.
    SessionUninitialized,
    /// The operation is not valid now; the text says what was attempted.
    InvalidState(&'static str),
    /// Not connected: data sent before the handshake completes, or a pool handle asked
    /// for its client after the session ended.
    NotConnected,
    /// A message could not be decoded; the text names the message.
    IncorrectMessageLength(&'static str, DecodeError),
    /// A handshake message type we do not know.
    UnrecognizedMessageType(u8),
    /// A message arrived that the handshake does not allow at this point.
    UnexpectedMessage(&'static str),
    /// The peer picked a cipher suite we did not offer.
    UnknownCiphersuite(u16),
    /// We share no cipher suite with the peer.
    NoSupportedCiphers {
        /// What the client offered, as a sentence: the suites we know by IANA name,
        /// the others counted (the list comes from the network).
        offered: String,
        /// The suites this server accepts (those it has credentials for).
        accepted: String,
    },
    /// This server has no pre-shared key or certificate for any of its enabled suites
    /// (or only ECDHE_RSA ones, which it never serves), so no client can connect
    /// (NX_SECURE_TLS_NO_SUPPORTED_CIPHERS, 0x10E).
    ServerWithoutCredentials,
    /// The peer offered no null compression.
    BadCompressionMethod,
    /// The peer does not speak DTLS 1.2.
    UnsupportedVersion(u16),
    /// A record carried a version other than the negotiated one.
    ProtocolVersionChanged(u16),
    /// A generic handshake failure; the text says what failed.
    HandshakeFailure(&'static str),
    /// A required extension is missing; the text names it.
    ExtensionNotFound(&'static str),
    /// The record carrying the peer's Finished failed authentication: the two sides
    /// derived different keys (usually a wrong pre-shared key).
    BadRecordMac,
    /// The peer's Finished message did not match the handshake we saw (wrong key or tampering).
    FinishedHashFailure,
    /// No configured PSK matches the identity the peer asked for.
    NoMatchingPsk {
        /// The identity as the peer sent it, printable: quoted, control characters
        /// escaped, at most [`Error::SHOWN_IDENTITY`] characters of it (it comes from
        /// the network and goes into logs).
        identity: String,
    },
    /// The peer sent a fatal alert.
    AlertReceived(AlertDescription),
    /// The peer sent a fatal alert after asking for our certificate, and we had none to
    /// send: most likely it requires one (the same status as [`Error::AlertReceived`]).
    AlertWithoutOurCertificate(AlertDescription),
    /// The peer sent a fatal alert after asking for a certificate of a kind ours is not
    /// (its CertificateRequest lists no ECDSA P-256 with SHA-256), so we sent none (the
    /// same status as [`Error::AlertReceived`]).
    AlertWithCertificateNotTaken(AlertDescription),
    /// The peer closed the session with close_notify.
    CloseNotifyReceived,
    /// The peer tried to renegotiate, which we refuse.
    NoRenegotiation,
    /// The renegotiation_info extension did not verify (RFC 5746).
    RenegotiationExtension,
    /// A handshake message exceeds the reassembly bound.
    MessageTooLarge {
        /// The declared message length.
        length: usize,
        /// The configured bound.
        limit: usize,
    },
    /// A record is longer than the protocol allows.
    RecordOverflow(usize),
    /// A malformed ChangeCipherSpec.
    BadCipherSpec,
    /// A certificate check failed; `index` is the certificate's place in the peer's
    /// chain (0 = the peer's own; the trust anchor is one past the chain).
    BadCertificate {
        /// Which check failed.
        problem: CertificateProblem,
        /// On which certificate.
        index: usize,
        /// What the check saw, where that helps the fix: the names a certificate
        /// holds against the host asked for, its validity against the time given.
        detail: Option<String>,
    },
    /// Certificate bytes handed to the API (not a peer's) are not a well-formed X.509
    /// certificate in PEM or DER; the text says what they are instead.
    UnreadableCertificate(&'static str),
    /// No certificate with that id or common name in the store.
    CertificateNotFound,
    /// A certificate with that id is already in the store.
    CertificateIdDuplicate(u32),
    /// The server's ServerKeyExchange signature does not verify with its certificate.
    SignatureVerification,
    /// The client's CertificateVerify signature does not verify with its certificate.
    CertificateVerifyFailed,
    /// The peer chose an elliptic-curve group we do not enable, or sent an invalid
    /// ECDHE public key (a point off the curve, an X25519 key of small order).
    UnsupportedCurve,
    /// An empty list of ECDHE groups was given (NetX `ecc_initialize` with none).
    EmptyEcGroup,
    /// The handshake got no answer after every retransmission.
    HandshakeTimeout {
        /// How many times the flight was sent in all.
        transmissions: u32,
    },
    /// The session was idle longer than allowed.
    IdleTimeout,
    /// The 48-bit record sequence number space is used up.
    SequenceExhausted,
    /// The send would go to an address other than the session's peer.
    SendAddressMismatch,
    /// Every session of the server's pool is in use.
    NoFreeDtlsSessions {
        /// The pool's capacity.
        capacity: usize,
    },
    /// No session with that handle: it ended, was reset, or never existed.
    SessionNotFound,
    /// The client rebooted and its new session replaced this one (RFC 6347 §4.2.8).
    SessionReplaced,
    /// A message larger than one record can carry was given to `send`.
    RecordTooLarge {
        /// The size given.
        length: usize,
        /// The largest plaintext one record can carry at the configured MTU.
        limit: usize,
    },
}

/// Text from the network made safe for an error message and a log: its first
/// `max_chars` characters quoted with control characters escaped (a line break or an
/// escape sequence cannot forge a log line), and "…" if there was more.
pub(crate) fn quoted(text: &str, max_chars: usize) -> String {
    let shown: String = text.chars().take(max_chars).collect();
    let more = if shown.len() < text.len() { "…" } else { "" };
    format!("{shown:?}{more}")
}

impl Error {
    /// How many characters of a peer's PSK identity an error shows (RFC 4279 allows
    /// 65 535 bytes).
    pub const SHOWN_IDENTITY: usize = 64;

    /// [`Error::BadCertificate`] without a detail.
    pub fn certificate(problem: CertificateProblem, index: usize) -> Error {
        Error::BadCertificate {
            problem,
            index,
            detail: None,
        }
    }

    /// [`Error::NoMatchingPsk`] for the identity a peer sent, made printable: the
    /// operator learns which device has no key without the peer writing into the log.
    pub fn no_matching_psk(identity: &[u8]) -> Error {
        Error::NoMatchingPsk {
            identity: quoted(&String::from_utf8_lossy(identity), Error::SHOWN_IDENTITY),
        }
    }

    /// The NetX status code of this error.
    pub fn status(&self) -> Status {
        match self {
            Error::InvalidParameters(_) => Status::InvalidParameters,
            Error::NoMorePskSpace { .. } => Status::NoMorePskSpace,
            Error::SessionUninitialized => Status::SessionUninitialized,
            Error::InvalidState(_) => Status::InvalidState,
            Error::NotConnected => Status::NotConnected,
            Error::IncorrectMessageLength(..) => Status::IncorrectMessageLength,
            Error::UnrecognizedMessageType(_) => Status::UnrecognizedMessageType,
            Error::UnexpectedMessage(_) => Status::UnexpectedMessage,
            Error::UnknownCiphersuite(_) => Status::UnknownCiphersuite,
            Error::NoSupportedCiphers { .. } | Error::ServerWithoutCredentials => {
                Status::NoSupportedCiphers
            }
            Error::BadCompressionMethod => Status::BadCompressionMethod,
            Error::UnsupportedVersion(_) => Status::UnsupportedTlsVersion,
            Error::ProtocolVersionChanged(_) => Status::ProtocolVersionChanged,
            Error::HandshakeFailure(_) => Status::HandshakeFailure,
            Error::ExtensionNotFound(_) => Status::ExtensionNotFound,
            Error::BadRecordMac => Status::HashMacVerifyFailure,
            Error::FinishedHashFailure => Status::FinishedHashFailure,
            Error::NoMatchingPsk { .. } => Status::NoMatchingPsk,
            Error::AlertReceived(_)
            | Error::AlertWithoutOurCertificate(_)
            | Error::AlertWithCertificateNotTaken(_) => Status::AlertReceived,
            Error::CloseNotifyReceived => Status::CloseNotifyReceived,
            Error::NoRenegotiation => Status::NoRenegotiationError,
            Error::RenegotiationExtension => Status::RenegotiationExtensionError,
            Error::MessageTooLarge { .. } => Status::PacketBufferTooSmall,
            Error::RecordOverflow(_) => Status::RecordOverflow,
            Error::BadCipherSpec => Status::BadCipherspec,
            Error::HandshakeTimeout { .. } => Status::HandshakeTimeout,
            Error::IdleTimeout => Status::IdleTimeout,
            Error::SequenceExhausted => Status::NotSuccessful,
            Error::SendAddressMismatch => Status::SendAddressMismatch,
            Error::RecordTooLarge { .. } => Status::AllocatePacketFailed,
            Error::NoFreeDtlsSessions { .. } => Status::NoFreeDtlsSessions,
            Error::BadCertificate { problem, .. } => problem.status(),
            Error::UnreadableCertificate(_) => Status::InvalidCertificate,
            Error::CertificateNotFound => Status::CertificateNotFound,
            Error::CertificateIdDuplicate(_) => Status::CertIdDuplicate,
            Error::SignatureVerification => Status::SignatureVerificationError,
            Error::CertificateVerifyFailed => Status::CertificateVerifyFailure,
            Error::UnsupportedCurve => Status::UnsupportedEccCurve,
            Error::EmptyEcGroup => Status::EmptyEcGroup,
            Error::SessionNotFound => Status::DtlsSessionNotFound,
            Error::SessionReplaced => Status::SessionReplaced,
        }
    }

    /// The alert we send to the peer when this error ends the handshake, if any.
    ///
    /// Errors caused by the peer's own alert, by a timeout or by local misuse send none.
    pub fn alert_to_send(&self) -> Option<AlertDescription> {
        Some(match self {
            Error::IncorrectMessageLength(..) => AlertDescription::DECODE_ERROR,
            Error::UnrecognizedMessageType(_) | Error::UnexpectedMessage(_) => {
                AlertDescription::UNEXPECTED_MESSAGE
            }
            Error::UnknownCiphersuite(_) => AlertDescription::ILLEGAL_PARAMETER,
            Error::NoSupportedCiphers { .. }
            | Error::ServerWithoutCredentials
            | Error::BadCompressionMethod
            | Error::HandshakeFailure(_)
            | Error::ExtensionNotFound(_)
            | Error::RenegotiationExtension => AlertDescription::HANDSHAKE_FAILURE,
            Error::UnsupportedVersion(_) | Error::ProtocolVersionChanged(_) => {
                AlertDescription::PROTOCOL_VERSION
            }
            Error::FinishedHashFailure => AlertDescription::DECRYPT_ERROR,
            Error::BadRecordMac => AlertDescription::BAD_RECORD_MAC,
            Error::NoMatchingPsk { .. } => AlertDescription::UNKNOWN_PSK_IDENTITY,
            Error::NoRenegotiation => AlertDescription::NO_RENEGOTIATION,
            Error::MessageTooLarge { .. } | Error::RecordOverflow(_) => {
                AlertDescription::RECORD_OVERFLOW
            }
            Error::BadCipherSpec => AlertDescription::UNEXPECTED_MESSAGE,
            Error::NoFreeDtlsSessions { .. } => AlertDescription::INTERNAL_ERROR,
            Error::BadCertificate { problem, .. } => problem.alert(),
            Error::SignatureVerification | Error::CertificateVerifyFailed => {
                AlertDescription::DECRYPT_ERROR
            }
            Error::UnsupportedCurve => AlertDescription::HANDSHAKE_FAILURE,
            _ => return None,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status(), self.sentence())
    }
}

/// The explanation of an [`Error`] without its status code (see [`Error::sentence`]).
#[derive(Debug)]
pub struct Sentence<'a>(&'a Error);

impl Error {
    /// What went wrong, for a person, without the NetX name and number that
    /// `Display` puts in front (for callers that show the code separately).
    pub fn sentence(&self) -> Sentence<'_> {
        Sentence(self)
    }
}

impl fmt::Display for Sentence<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::InvalidParameters(why) => write!(f, "invalid parameter: {why}"),
            Error::NoMorePskSpace { capacity } => {
                write!(f, "the PSK table is full (capacity {capacity})")
            }
            Error::SessionUninitialized => {
                f.write_str("the session has not been started or has already ended")
            }
            Error::InvalidState(what) => write!(f, "not possible in the current state: {what}"),
            Error::NotConnected => {
                f.write_str("not connected: the handshake has not completed, or the session has ended")
            }
            Error::IncorrectMessageLength(what, why) => {
                write!(f, "malformed {what} from the peer: {why}")
            }
            Error::UnrecognizedMessageType(t) => {
                write!(f, "the peer sent a handshake message of unknown type {t}")
            }
            Error::UnexpectedMessage(what) => {
                write!(f, "the peer sent {what}, which is not allowed at this point")
            }
            Error::UnknownCiphersuite(id) => write!(
                f,
                "the server chose cipher suite 0x{id:04X}, which the client did not offer"
            ),
            Error::NoSupportedCiphers { offered, accepted } => write!(
                f,
                "the peers have no cipher suite in common: the client offers {offered}; \
                 this server accepts {accepted}"
            ),
            Error::ServerWithoutCredentials => f.write_str(
                "this server has no pre-shared key (psk_add) or certificate \
                 (local_certificate_add) for any of its enabled suites (ECDHE_RSA ones are for \
                 clients only), so no client can connect",
            ),
            Error::BadCompressionMethod => {
                f.write_str("the peer does not offer the null compression method")
            }
            Error::UnsupportedVersion(v) => write!(
                f,
                "the peer speaks protocol version 0x{v:04X}; only DTLS 1.2 (0xFEFD) is supported"
            ),
            Error::ProtocolVersionChanged(v) => write!(
                f,
                "a record carried version 0x{v:04X} instead of the negotiated DTLS 1.2"
            ),
            Error::HandshakeFailure(why) => write!(f, "handshake failed: {why}"),
            Error::ExtensionNotFound(name) => {
                write!(f, "the peer did not send the required {name} extension")
            }
            Error::BadRecordMac => f.write_str(
                "the peer's Finished could not be decrypted: the two sides derived different keys (wrong PSK?)",
            ),
            Error::FinishedHashFailure => f.write_str(
                "the peer's Finished message does not match: the keys differ (wrong PSK?) or the handshake was tampered with",
            ),
            Error::NoMatchingPsk { identity } => write!(
                f,
                "no configured pre-shared key matches the identity {identity} the peer sent"
            ),
            Error::AlertReceived(alert) => {
                write!(f, "the peer sent a fatal alert: {alert}")?;
                match alert.meaning() {
                    Some(meaning) => write!(f, "; {meaning}"),
                    None => Ok(()),
                }
            }
            Error::AlertWithoutOurCertificate(alert) => write!(
                f,
                "the peer sent a fatal alert: {alert}; it asked for our certificate and none \
                 is configured: it most likely requires one (local_certificate_add)"
            ),
            Error::AlertWithCertificateNotTaken(alert) => write!(
                f,
                "the peer sent a fatal alert: {alert}; it asked for a certificate of a kind \
                 ours is not (it takes no ECDSA P-256 with SHA-256), so none was sent"
            ),
            Error::CloseNotifyReceived => f.write_str("the peer closed the session"),
            Error::NoRenegotiation => {
                f.write_str("the peer tried to renegotiate the session, which is refused")
            }
            Error::RenegotiationExtension => {
                f.write_str("the renegotiation_info extension did not verify")
            }
            Error::MessageTooLarge { length, limit } => write!(
                f,
                "a handshake message of {length} bytes exceeds the reassembly bound of {limit} bytes"
            ),
            Error::RecordOverflow(len) => {
                write!(f, "a record of {len} bytes exceeds the protocol maximum")
            }
            Error::BadCipherSpec => f.write_str("malformed ChangeCipherSpec message"),
            Error::HandshakeTimeout { transmissions } => write!(
                f,
                "no answer from the peer after sending the flight {transmissions} times"
            ),
            Error::IdleTimeout => f.write_str("the session was idle for too long"),
            Error::SequenceExhausted => {
                f.write_str("the record sequence number space of this epoch is used up")
            }
            Error::SendAddressMismatch => {
                f.write_str("data can only be sent to the address the session is connected to")
            }
            Error::NoFreeDtlsSessions { capacity } => write!(
                f,
                "all {capacity} sessions of the server are in use; the new client was turned away"
            ),
            Error::BadCertificate {
                problem,
                index,
                detail,
            } => {
                match index {
                    0 => write!(f, "the peer's certificate {problem}")?,
                    i => write!(f, "certificate {i} of the peer's chain {problem}")?,
                }
                match detail {
                    Some(detail) => write!(f, ": {detail}"),
                    None => Ok(()),
                }
            }
            Error::UnreadableCertificate(what) => write!(f, "the given bytes are {what}"),
            Error::CertificateNotFound => {
                f.write_str("no certificate with that id or common name is in the store")
            }
            Error::CertificateIdDuplicate(id) => {
                write!(f, "a certificate with id {id} is already in the store")
            }
            Error::EmptyEcGroup => f.write_str(
                "at least one elliptic-curve group must be enabled (x25519, secp256r1)",
            ),
            Error::SignatureVerification => f.write_str(
                "the server's key exchange signature does not verify with its certificate",
            ),
            Error::CertificateVerifyFailed => f.write_str(
                "the client's CertificateVerify signature does not verify with its certificate",
            ),
            Error::UnsupportedCurve => f.write_str(
                "the peer chose an elliptic-curve group we do not enable, or sent an invalid ECDHE public key",
            ),
            Error::SessionNotFound => f.write_str(
                "no session with that handle: it ended, was reset, or never existed",
            ),
            Error::SessionReplaced => f.write_str(
                "the client started a new session from the same address, which replaced this one",
            ),
            Error::RecordTooLarge { length, limit } => write!(
                f,
                "{length} bytes do not fit in one record; at most {limit} bytes fit at this MTU"
            ),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_the_netx_numbers() {
        assert_eq!(Status::AlertReceived.code(), 0x114);
        assert_eq!(Status::NoMorePskSpace.code(), 0x125);
        assert_eq!(Status::IncorrectMessageLength.code(), 0x10A);
        assert_eq!(Status::PacketBufferTooSmall.code(), 0x135);
        assert_eq!(Status::NoFreeDtlsSessions.code(), 0x123);
        assert_eq!(
            Status::CloseNotifyReceived.name(),
            "NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED"
        );
        assert_eq!(Status::from_code(0x12F), Some(Status::NoRenegotiationError));
    }

    #[test]
    fn status_codes_are_unique() {
        for (i, a) in Status::ALL.iter().enumerate() {
            for b in Status::ALL.iter().skip(i + 1) {
                assert_ne!(a.code(), b.code(), "{a:?} and {b:?} share a code");
            }
        }
    }

    #[test]
    fn messages_name_the_code_and_explain() {
        let text = Error::NoMorePskSpace { capacity: 4 }.to_string();
        assert!(
            text.starts_with("NX_SECURE_TLS_NO_MORE_PSK_SPACE (0x125): "),
            "{text}"
        );
        assert!(text.contains("capacity 4"), "{text}");
    }

    #[test]
    fn an_unknown_psk_identity_is_named_printably_and_bounded() {
        let text = Error::no_matching_psk(b"device-18").to_string();
        assert!(
            text.ends_with("matches the identity \"device-18\" the peer sent"),
            "{text}"
        );
        // A line break or an escape sequence from the network stays escaped.
        let hostile = Error::no_matching_psk(b"a\nb\x1b[31m").to_string();
        assert!(hostile.contains(r#""a\nb\u{1b}[31m""#), "{hostile}");
        assert!(!hostile.contains('\n') && !hostile.contains('\x1b'));
        let long = Error::no_matching_psk(&[b'x'; 1000]);
        assert_eq!(
            long,
            Error::NoMatchingPsk {
                identity: format!("\"{}\"…", "x".repeat(Error::SHOWN_IDENTITY))
            }
        );
        assert_eq!(long.status().code(), 0x126);
    }

    #[test]
    fn a_received_alert_says_what_it_most_likely_means() {
        // A wrong PSK shows on the client only as the server's bad_record_mac.
        let text = Error::AlertReceived(AlertDescription::BAD_RECORD_MAC).to_string();
        assert_eq!(
            text,
            "NX_SECURE_TLS_ALERT_RECEIVED (0x114): the peer sent a fatal alert: \
             bad_record_mac (20); it could not authenticate our records: the two sides \
             derived different keys (with a PSK: they hold different keys for this identity)"
        );
        let unknown = Error::AlertReceived(AlertDescription(200)).to_string();
        let uncertified = Error::AlertWithoutOurCertificate(AlertDescription::HANDSHAKE_FAILURE);
        assert_eq!(uncertified.status().code(), 0x114);
        assert!(
            uncertified.to_string().ends_with(
                "handshake_failure (40); it asked for our certificate and none is configured: \
                 it most likely requires one (local_certificate_add)"
            ),
            "{uncertified}"
        );
        assert!(
            unknown.ends_with("the peer sent a fatal alert: unknown alert (200)"),
            "{unknown}"
        );
    }
}
