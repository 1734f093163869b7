//! Alert messages (RFC 5246 §7.2, RFC 4279 §2, RFC 5746): level and description.

use core::fmt;

use crate::codec::{DecodeError, Reader};

/// Alert level: warning (1) or fatal (2). Unknown levels pass through as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AlertLevel(pub u8);

impl AlertLevel {
    /// A warning; only close_notify and no_renegotiation are sent at this level.
    pub const WARNING: AlertLevel = AlertLevel(1);
    /// A fatal alert: the session ends.
    pub const FATAL: AlertLevel = AlertLevel(2);
}

macro_rules! descriptions {
    ($( $(#[$doc:meta])* $name:ident = $value:literal, )*) => {
        /// An alert description. Values we do not know are kept as numbers.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct AlertDescription(pub u8);

        impl AlertDescription {
            $( $(#[$doc])* pub const $name: AlertDescription = AlertDescription($value); )*

            /// The RFC name in lower case (`"handshake_failure"`), if the value is known.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($name)), )*
                    _ => None,
                }
            }
        }
    };
}

descriptions! {
    /// The sender will send nothing more on this session.
    CLOSE_NOTIFY = 0,
    /// An inappropriate message was received.
    UNEXPECTED_MESSAGE = 10,
    /// A record failed authentication.
    BAD_RECORD_MAC = 20,
    /// A record was longer than allowed.
    RECORD_OVERFLOW = 22,
    /// No acceptable set of security parameters.
    HANDSHAKE_FAILURE = 40,
    /// A certificate was corrupt.
    BAD_CERTIFICATE = 42,
    /// A certificate is of an unsupported type.
    UNSUPPORTED_CERTIFICATE = 43,
    /// A certificate was revoked.
    CERTIFICATE_REVOKED = 44,
    /// A certificate has expired.
    CERTIFICATE_EXPIRED = 45,
    /// Some other certificate problem.
    CERTIFICATE_UNKNOWN = 46,
    /// A field was out of range or inconsistent.
    ILLEGAL_PARAMETER = 47,
    /// The CA certificate is not trusted.
    UNKNOWN_CA = 48,
    /// Access denied.
    ACCESS_DENIED = 49,
    /// A message could not be decoded.
    DECODE_ERROR = 50,
    /// A cryptographic check (such as Finished) failed.
    DECRYPT_ERROR = 51,
    /// The protocol version is not supported.
    PROTOCOL_VERSION = 70,
    /// The server requires stronger ciphers.
    INSUFFICIENT_SECURITY = 71,
    /// An internal error unrelated to the peer (NetX also sends it when the pool is full).
    INTERNAL_ERROR = 80,
    /// The user cancelled the handshake.
    USER_CANCELED = 90,
    /// Renegotiation is refused.
    NO_RENEGOTIATION = 100,
    /// An extension was not expected.
    UNSUPPORTED_EXTENSION = 110,
    /// The PSK identity is unknown (RFC 4279).
    UNKNOWN_PSK_IDENTITY = 115,
}

impl AlertDescription {
    /// Lower-case RFC name of `name()` as it is in the RFCs (`"close_notify"`).
    pub fn rfc_name(self) -> Option<String> {
        self.name().map(str::to_ascii_lowercase)
    }

    /// What a peer sending this fatal alert during a handshake most likely means, for
    /// the alerts a misconfiguration draws (the RFC name alone does not say that
    /// `bad_record_mac` is how a wrong PSK shows). None for the others.
    pub fn meaning(self) -> Option<&'static str> {
        Some(match self {
            AlertDescription::BAD_RECORD_MAC => {
                "it could not authenticate our records: the two sides derived different \
                 keys (with a PSK: they hold different keys for this identity)"
            }
            AlertDescription::HANDSHAKE_FAILURE => {
                "it accepts none of the cipher suites offered, or has no credentials for them"
            }
            AlertDescription::UNKNOWN_PSK_IDENTITY => {
                "it has no pre-shared key for the identity we sent"
            }
            AlertDescription::DECRYPT_ERROR => {
                "a signature or the Finished message did not verify on its side"
            }
            AlertDescription::UNKNOWN_CA => "it does not trust the CA that issued our certificate",
            AlertDescription::BAD_CERTIFICATE
            | AlertDescription::CERTIFICATE_UNKNOWN
            | AlertDescription::UNSUPPORTED_CERTIFICATE => "it refused our certificate",
            AlertDescription::CERTIFICATE_EXPIRED => {
                "our certificate is expired, or not yet valid, by its clock"
            }
            AlertDescription::PROTOCOL_VERSION => "it does not speak DTLS 1.2",
            AlertDescription::INTERNAL_ERROR => {
                "it failed on its own side (a server with no free session, for one)"
            }
            _ => return None,
        })
    }
}

impl fmt::Display for AlertDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rfc_name() {
            Some(name) => write!(f, "{name} ({})", self.0),
            None => write!(f, "unknown alert ({})", self.0),
        }
    }
}

/// One alert message: exactly two bytes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Warning or fatal.
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl Alert {
    /// A fatal alert with this description.
    pub fn fatal(description: AlertDescription) -> Alert {
        Alert {
            level: AlertLevel::FATAL,
            description,
        }
    }

    /// The close_notify alert (sent at warning level, as every implementation does).
    pub fn close_notify() -> Alert {
        Alert {
            level: AlertLevel::WARNING,
            description: AlertDescription::CLOSE_NOTIFY,
        }
    }

    /// Decodes an alert record's plaintext (exactly two bytes).
    pub fn decode(bytes: &[u8]) -> Result<Alert, DecodeError> {
        let mut r = Reader::new(bytes);
        let alert = Alert {
            level: AlertLevel(r.u8()?),
            description: AlertDescription(r.u8()?),
        };
        r.expect_end()?;
        Ok(alert)
    }

    /// The two bytes of the alert.
    pub fn encode(self) -> [u8; 2] {
        [self.level.0, self.description.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_names() {
        let a = Alert::fatal(AlertDescription::UNKNOWN_PSK_IDENTITY);
        assert_eq!(a.encode(), [2, 115]);
        assert_eq!(Alert::decode(&[2, 115]), Ok(a));
        assert_eq!(a.description.to_string(), "unknown_psk_identity (115)");
        assert_eq!(AlertDescription(200).to_string(), "unknown alert (200)");
        assert_eq!(Alert::decode(&[2]), Err(DecodeError::Truncated));
        assert_eq!(Alert::decode(&[2, 0, 0]), Err(DecodeError::TrailingBytes));
    }
}
