//! Errors of the host API: a NetX status (from the component, or from the host for
//! sockets and lifecycle) and a sentence.

use core::fmt;

use wasm_dtls::Status;

/// A failure, with its NetX code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DtlsError {
    status: Status,
    message: String,
}

impl DtlsError {
    /// An error with this status and explanation.
    pub fn new(status: Status, message: impl Into<String>) -> DtlsError {
        DtlsError {
            status,
            message: message.into(),
        }
    }

    /// A failure of the host machinery itself (loading or running the component).
    pub fn host(message: impl Into<String>) -> DtlsError {
        DtlsError::new(Status::NotSuccessful, message)
    }

    /// The NetX status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The numeric NetX code (for example `0x114`).
    pub fn code(&self) -> u32 {
        self.status.code()
    }

    /// The NetX name (for example `NX_SECURE_TLS_ALERT_RECEIVED`).
    pub fn name(&self) -> &'static str {
        self.status.name()
    }

    /// The explanation.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DtlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:X}): {}", self.name(), self.code(), self.message)
    }
}

impl std::error::Error for DtlsError {}
