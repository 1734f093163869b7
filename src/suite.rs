//! The cipher suites of the RFC 7925 IoT profile that wasm-dtls implements.

use core::fmt;

/// A cipher suite wasm-dtls can negotiate. All use AES-128 AEAD and the SHA-256 PRF.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CipherSuite {
    /// TLS_PSK_WITH_AES_128_CCM_8 (0xC0A8, RFC 6655): the RFC 7925 mandatory PSK suite.
    PskAes128Ccm8,
    /// TLS_PSK_WITH_AES_128_GCM_SHA256 (0x00A8, RFC 5487).
    PskAes128GcmSha256,
    /// TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 (0xC0AE, RFC 7251): the RFC 7925 certificate suite.
    EcdheEcdsaAes128Ccm8,
    /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xC02B, RFC 5289).
    EcdheEcdsaAes128GcmSha256,
}

/// The AEAD algorithm protecting records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AeadAlgorithm {
    /// AES-128-CCM with an 8-byte tag (RFC 6655).
    Aes128Ccm8,
    /// AES-128-GCM with a 16-byte tag (RFC 5288).
    Aes128Gcm,
}

impl AeadAlgorithm {
    /// Length of the authentication tag.
    pub const fn tag_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Ccm8 => 8,
            AeadAlgorithm::Aes128Gcm => 16,
        }
    }

    /// Length of the explicit nonce carried in each record (RFC 5288 §3, RFC 6655 §3).
    pub const EXPLICIT_NONCE_LEN: usize = 8;

    /// Bytes a protected record adds to its plaintext: explicit nonce plus tag.
    pub const fn overhead(self) -> usize {
        Self::EXPLICIT_NONCE_LEN + self.tag_len()
    }
}

/// How the premaster secret is agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchange {
    /// Pre-shared key (RFC 4279).
    Psk,
    /// Ephemeral ECDH on secp256r1, server authenticated by an ECDSA certificate (RFC 8422).
    EcdheEcdsa,
}

impl CipherSuite {
    /// Every suite, in the default preference order (RFC 7925's mandatory ones first).
    pub const ALL: [CipherSuite; 4] = [
        CipherSuite::EcdheEcdsaAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::PskAes128Ccm8,
        CipherSuite::PskAes128GcmSha256,
    ];

    /// The IANA code point.
    pub const fn id(self) -> u16 {
        match self {
            CipherSuite::PskAes128Ccm8 => 0xC0A8,
            CipherSuite::PskAes128GcmSha256 => 0x00A8,
            CipherSuite::EcdheEcdsaAes128Ccm8 => 0xC0AE,
            CipherSuite::EcdheEcdsaAes128GcmSha256 => 0xC02B,
        }
    }

    /// The suite with this IANA code point, if we implement it.
    pub fn from_id(id: u16) -> Option<CipherSuite> {
        CipherSuite::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The IANA name, e.g. `TLS_PSK_WITH_AES_128_CCM_8`.
    pub const fn iana_name(self) -> &'static str {
        match self {
            CipherSuite::PskAes128Ccm8 => "TLS_PSK_WITH_AES_128_CCM_8",
            CipherSuite::PskAes128GcmSha256 => "TLS_PSK_WITH_AES_128_GCM_SHA256",
            CipherSuite::EcdheEcdsaAes128Ccm8 => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
            CipherSuite::EcdheEcdsaAes128GcmSha256 => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        }
    }

    /// The short name used by the CLI and the demo: psk-ccm8, psk-gcm, ecdsa-ccm8, ecdsa-gcm.
    pub const fn short_name(self) -> &'static str {
        match self {
            CipherSuite::PskAes128Ccm8 => "psk-ccm8",
            CipherSuite::PskAes128GcmSha256 => "psk-gcm",
            CipherSuite::EcdheEcdsaAes128Ccm8 => "ecdsa-ccm8",
            CipherSuite::EcdheEcdsaAes128GcmSha256 => "ecdsa-gcm",
        }
    }

    /// The suite with this short or IANA name (case-insensitive).
    pub fn from_name(name: &str) -> Option<CipherSuite> {
        CipherSuite::ALL.into_iter().find(|s| {
            s.short_name().eq_ignore_ascii_case(name) || s.iana_name().eq_ignore_ascii_case(name)
        })
    }

    /// The record protection algorithm.
    pub const fn aead(self) -> AeadAlgorithm {
        match self {
            CipherSuite::PskAes128Ccm8 | CipherSuite::EcdheEcdsaAes128Ccm8 => {
                AeadAlgorithm::Aes128Ccm8
            }
            CipherSuite::PskAes128GcmSha256 | CipherSuite::EcdheEcdsaAes128GcmSha256 => {
                AeadAlgorithm::Aes128Gcm
            }
        }
    }

    /// The key exchange.
    pub const fn key_exchange(self) -> KeyExchange {
        match self {
            CipherSuite::PskAes128Ccm8 | CipherSuite::PskAes128GcmSha256 => KeyExchange::Psk,
            CipherSuite::EcdheEcdsaAes128Ccm8 | CipherSuite::EcdheEcdsaAes128GcmSha256 => {
                KeyExchange::EcdheEcdsa
            }
        }
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.iana_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_round_trip() {
        for s in CipherSuite::ALL {
            assert_eq!(CipherSuite::from_id(s.id()), Some(s));
            assert_eq!(CipherSuite::from_name(s.short_name()), Some(s));
            assert_eq!(CipherSuite::from_name(s.iana_name()), Some(s));
        }
        assert_eq!(CipherSuite::PskAes128Ccm8.id(), 0xC0A8);
        assert_eq!(CipherSuite::from_id(0x1301), None);
        assert_eq!(CipherSuite::PskAes128GcmSha256.aead().overhead(), 24);
        assert_eq!(CipherSuite::PskAes128Ccm8.aead().overhead(), 16);
    }
}
