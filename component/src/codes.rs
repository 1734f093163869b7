//! The NetX status codes across the boundary: the engine's [`Status`] and the WIT
//! `error-code` enum, one list for both directions.

use wasm_dtls::{Error, Status};

use crate::bindings::exports::wasm_dtls::dtls::types::{Error as WitError, ErrorCode};

macro_rules! codes {
    ($($status:ident => $code:ident,)*) => {
        /// The WIT code of a status. Every status the engine returns is in the list;
        /// the fallback only keeps the match total over a non-exhaustive enum.
        pub fn to_wit(status: Status) -> ErrorCode {
            match status {
                $(Status::$status => ErrorCode::$code,)*
                _ => ErrorCode::NxNotSuccessful,
            }
        }

        /// The status of a WIT code; total, so a WIT case without a status does not
        /// compile.
        pub fn from_wit(code: ErrorCode) -> Status {
            match code {
                $(ErrorCode::$code => Status::$status,)*
            }
        }
    };
}

codes! {
    NoPacket => NxNoPacket,
    AlreadyBound => NxAlreadyBound,
    PortUnavailable => NxPortUnavailable,
    NotConnected => NxNotConnected,
    StillBound => NxStillBound,
    NotSuccessful => NxNotSuccessful,
    InvalidParameters => NxInvalidParameters,
    SessionUninitialized => NxSecureTlsSessionUninitialized,
    UnrecognizedMessageType => NxSecureTlsUnrecognizedMessageType,
    InvalidState => NxSecureTlsInvalidState,
    InvalidPacket => NxSecureTlsInvalidPacket,
    UnknownCiphersuite => NxSecureTlsUnknownCiphersuite,
    HandshakeFailure => NxSecureTlsHandshakeFailure,
    HashMacVerifyFailure => NxSecureTlsHashMacVerifyFailure,
    IncorrectMessageLength => NxSecureTlsIncorrectMessageLength,
    BadCipherspec => NxSecureTlsBadCipherspec,
    NoSupportedCiphers => NxSecureTlsNoSupportedCiphers,
    UnsupportedTlsVersion => NxSecureTlsUnsupportedTlsVersion,
    AllocatePacketFailed => NxSecureTlsAllocatePacketFailed,
    AlertReceived => NxSecureTlsAlertReceived,
    FinishedHashFailure => NxSecureTlsFinishedHashFailure,
    BadCompressionMethod => NxSecureTlsBadCompressionMethod,
    AlreadySuspended => NxAlreadySuspended,
    SendAddressMismatch => NxSecureTlsSendAddressMismatch,
    NoFreeDtlsSessions => NxSecureTlsNoFreeDtlsSessions,
    DtlsSessionNotFound => NxSecureTlsDtlsSessionNotFound,
    NoMorePskSpace => NxSecureTlsNoMorePskSpace,
    NoMatchingPsk => NxSecureTlsNoMatchingPsk,
    CloseNotifyReceived => NxSecureTlsCloseNotifyReceived,
    ProtocolVersionChanged => NxSecureTlsProtocolVersionChanged,
    NoRenegotiationError => NxSecureTlsNoRenegotiationError,
    RenegotiationExtensionError => NxSecureTlsRenegotiationExtensionError,
    PacketBufferTooSmall => NxSecureTlsPacketBufferTooSmall,
    ExtensionNotFound => NxSecureTlsExtensionNotFound,
    UnexpectedMessage => NxSecureTlsUnexpectedMessage,
    RecordOverflow => NxSecureTlsRecordOverflow,
    InvalidServerCert => NxSecureTlsInvalidServerCert,
    UnsupportedPublicCipher => NxSecureTlsUnsupportedPublicCipher,
    UnsupportedCertSignType => NxSecureTlsUnsupportedCertSignType,
    UnsupportedCertSignAlg => NxSecureTlsUnsupportedCertSignAlg,
    InvalidCertificate => NxSecureTlsInvalidCertificate,
    CertificateSigCheckFailed => NxSecureTlsCertificateSigCheckFailed,
    CertificateNotFound => NxSecureTlsCertificateNotFound,
    IssuerCertificateNotFound => NxSecureTlsIssuerCertificateNotFound,
    CertificateVerifyFailure => NxSecureTlsCertificateVerifyFailure,
    EmptyRemoteCertificateReceived => NxSecureTlsEmptyRemoteCertificateReceived,
    CertIdDuplicate => NxSecureTlsCertIdDuplicate,
    EmptyEcGroup => NxSecureTlsEmptyEcGroup,
    UnsupportedEccCurve => NxSecureTlsUnsupportedEccCurve,
    SignatureVerificationError => NxSecureTlsSignatureVerificationError,
    HandshakeTimeout => WasmDtlsHandshakeTimeout,
    IdleTimeout => WasmDtlsIdleTimeout,
    SessionReplaced => WasmDtlsSessionReplaced,
}

/// An engine error as the WIT `error` record: its code and its sentence.
pub fn error(e: &Error) -> WitError {
    WitError {
        code: to_wit(e.status()),
        message: e.sentence().to_string(),
    }
}
