//! The cipher suites wasm-dtls implements: the RFC 7925 IoT profile's AES-128 suites,
//! their ChaCha20-Poly1305 counterparts (RFC 7905) and AES-256-GCM ones with the SHA-384
//! PRF (RFC 5289, RFC 5487), a pre-shared key with ephemeral ECDH for forward secrecy
//! (RFC 5489, RFC 7905), and for clients the ECDHE_RSA suites most servers with RSA
//! certificates offer (RFC 5289, RFC 7905).

use core::fmt;

/// A cipher suite wasm-dtls can negotiate. All use an AEAD; the `_SHA384` ones the
/// SHA-384 PRF, the others the SHA-256 PRF ([`CipherSuite::prf_hash`]).
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
    /// TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 (0xCCAB, RFC 7905).
    PskChaCha20Poly1305Sha256,
    /// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (0xCCA9, RFC 7905).
    EcdheEcdsaChaCha20Poly1305Sha256,
    /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xC02F, RFC 5289): client side only.
    EcdheRsaAes128GcmSha256,
    /// TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (0xCCA8, RFC 7905): client side only.
    EcdheRsaChaCha20Poly1305Sha256,
    /// TLS_PSK_WITH_AES_256_GCM_SHA384 (0x00A9, RFC 5487).
    PskAes256GcmSha384,
    /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xC02C, RFC 5289).
    EcdheEcdsaAes256GcmSha384,
    /// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xC030, RFC 5289): client side only.
    EcdheRsaAes256GcmSha384,
    /// TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 (0xCCAC, RFC 7905): the only AEAD
    /// ECDHE_PSK suite OpenSSL, GnuTLS and Mbed TLS share.
    EcdhePskChaCha20Poly1305Sha256,
}

/// The hash behind a suite's PRF (RFC 5246 §5), its Finished messages and its extended
/// master secret's session hash (RFC 7627 §3): SHA-256 unless the suite's name ends in
/// `_SHA384` (RFC 5289 §3.2, RFC 5487 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrfHash {
    /// SHA-256: 32-byte output, P_SHA256.
    Sha256,
    /// SHA-384: 48-byte output, P_SHA384.
    Sha384,
}

impl PrfHash {
    /// Length of the hash's output, and so of a session hash.
    pub const fn output_len(self) -> usize {
        match self {
            PrfHash::Sha256 => 32,
            PrfHash::Sha384 => 48,
        }
    }
}

/// The AEAD algorithm protecting records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AeadAlgorithm {
    /// AES-128-CCM with an 8-byte tag (RFC 6655).
    Aes128Ccm8,
    /// AES-128-GCM with a 16-byte tag (RFC 5288).
    Aes128Gcm,
    /// AES-256-GCM with a 16-byte tag (RFC 5288).
    Aes256Gcm,
    /// ChaCha20-Poly1305 with a 16-byte tag (RFC 8439) and no nonce in the record
    /// (RFC 7905 §2).
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// Every algorithm.
    pub const ALL: [AeadAlgorithm; 4] = [
        AeadAlgorithm::Aes128Ccm8,
        AeadAlgorithm::Aes128Gcm,
        AeadAlgorithm::Aes256Gcm,
        AeadAlgorithm::ChaCha20Poly1305,
    ];

    /// Length of the authentication tag.
    pub const fn tag_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Ccm8 => 8,
            AeadAlgorithm::Aes128Gcm
            | AeadAlgorithm::Aes256Gcm
            | AeadAlgorithm::ChaCha20Poly1305 => 16,
        }
    }

    /// Length of the write keys taken from the key block.
    pub const fn key_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Ccm8 | AeadAlgorithm::Aes128Gcm => 16,
            AeadAlgorithm::Aes256Gcm | AeadAlgorithm::ChaCha20Poly1305 => 32,
        }
    }

    /// Length of the write IVs taken from the key block: AES's 4-byte nonce salt
    /// (RFC 5288 §3, RFC 6655 §3), or ChaCha20-Poly1305's whole 12-byte nonce mask
    /// (RFC 7905 §2).
    pub const fn fixed_iv_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Ccm8 | AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => 4,
            AeadAlgorithm::ChaCha20Poly1305 => 12,
        }
    }

    /// Length of the explicit nonce carried in each record: 8 bytes for the AES modes
    /// (RFC 5288 §3, RFC 6655 §3), none for ChaCha20-Poly1305 (RFC 7905 §2), whose
    /// nonce is the record's sequence number masked with the write IV.
    pub const fn explicit_nonce_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Ccm8 | AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => 8,
            AeadAlgorithm::ChaCha20Poly1305 => 0,
        }
    }

    /// Bytes a protected record adds to its plaintext: explicit nonce plus tag.
    pub const fn overhead(self) -> usize {
        self.explicit_nonce_len() + self.tag_len()
    }
}

/// How the premaster secret is agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchange {
    /// Pre-shared key (RFC 4279).
    Psk,
    /// Ephemeral ECDH on X25519 or secp256r1 ([`NamedGroup`](crate::NamedGroup)),
    /// server authenticated by an ECDSA P-256 certificate (RFC 8422).
    EcdheEcdsa,
    /// Ephemeral ECDH as above, server authenticated by an RSA certificate (RFC 8422
    /// §2.3). Only a client negotiates it: a wasm-dtls server has no RSA private key.
    EcdheRsa,
    /// Ephemeral ECDH authenticated by a pre-shared key, which both go into the
    /// premaster secret (RFC 5489 §2): a PSK that leaks later does not open recorded
    /// sessions.
    EcdhePsk,
}

impl KeyExchange {
    /// Whether the server proves itself with a certificate (ECDHE_ECDSA, ECDHE_RSA),
    /// rather than with a pre-shared key.
    pub const fn uses_certificates(self) -> bool {
        matches!(self, KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa)
    }

    /// Whether both sides prove themselves with a pre-shared key (PSK, ECDHE_PSK).
    pub const fn uses_psk(self) -> bool {
        matches!(self, KeyExchange::Psk | KeyExchange::EcdhePsk)
    }

    /// Whether the keys come from an ephemeral ECDH agreement (all but plain PSK), on a
    /// group both sides enable.
    pub const fn uses_ecdhe(self) -> bool {
        !matches!(self, KeyExchange::Psk)
    }

    /// Whether a wasm-dtls server can negotiate it (not ECDHE_RSA).
    pub const fn served(self) -> bool {
        !matches!(self, KeyExchange::EcdheRsa)
    }
}

impl CipherSuite {
    /// Every suite, in the default preference order: RFC 7925's mandatory ones first,
    /// ChaCha20-Poly1305 after AES-128-GCM within each key exchange (as OpenSSL orders
    /// them on machines with AES instructions), AES-256-GCM last (the costlier cipher
    /// and PRF for no gain against a 128-bit ECDHE or PSK), ECDHE_RSA after ECDHE_ECDSA.
    pub const ALL: [CipherSuite; 12] = [
        CipherSuite::EcdheEcdsaAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256,
        CipherSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheRsaAes128GcmSha256,
        CipherSuite::EcdheRsaChaCha20Poly1305Sha256,
        CipherSuite::EcdheRsaAes256GcmSha384,
        CipherSuite::PskAes128Ccm8,
        CipherSuite::PskAes128GcmSha256,
        CipherSuite::PskChaCha20Poly1305Sha256,
        CipherSuite::PskAes256GcmSha384,
        CipherSuite::EcdhePskChaCha20Poly1305Sha256,
    ];

    /// The suites both a wasm-dtls client and a wasm-dtls server negotiate: all but
    /// ECDHE_RSA ([`KeyExchange::served`]), in the order of [`CipherSuite::ALL`].
    pub const SERVED: [CipherSuite; 9] = [
        CipherSuite::EcdheEcdsaAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256,
        CipherSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::PskAes128Ccm8,
        CipherSuite::PskAes128GcmSha256,
        CipherSuite::PskChaCha20Poly1305Sha256,
        CipherSuite::PskAes256GcmSha384,
        CipherSuite::EcdhePskChaCha20Poly1305Sha256,
    ];

    /// The IANA code point.
    pub const fn id(self) -> u16 {
        match self {
            CipherSuite::PskAes128Ccm8 => 0xC0A8,
            CipherSuite::PskAes128GcmSha256 => 0x00A8,
            CipherSuite::EcdheEcdsaAes128Ccm8 => 0xC0AE,
            CipherSuite::EcdheEcdsaAes128GcmSha256 => 0xC02B,
            CipherSuite::PskChaCha20Poly1305Sha256 => 0xCCAB,
            CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256 => 0xCCA9,
            CipherSuite::EcdheRsaAes128GcmSha256 => 0xC02F,
            CipherSuite::EcdheRsaChaCha20Poly1305Sha256 => 0xCCA8,
            CipherSuite::PskAes256GcmSha384 => 0x00A9,
            CipherSuite::EcdheEcdsaAes256GcmSha384 => 0xC02C,
            CipherSuite::EcdheRsaAes256GcmSha384 => 0xC030,
            CipherSuite::EcdhePskChaCha20Poly1305Sha256 => 0xCCAC,
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
            CipherSuite::PskChaCha20Poly1305Sha256 => "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
            CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256 => {
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
            }
            CipherSuite::EcdheRsaAes128GcmSha256 => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            CipherSuite::EcdheRsaChaCha20Poly1305Sha256 => {
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
            }
            CipherSuite::PskAes256GcmSha384 => "TLS_PSK_WITH_AES_256_GCM_SHA384",
            CipherSuite::EcdheEcdsaAes256GcmSha384 => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            CipherSuite::EcdheRsaAes256GcmSha384 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            CipherSuite::EcdhePskChaCha20Poly1305Sha256 => {
                "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"
            }
        }
    }

    /// The short name used by the CLI and the demo: psk-ccm8, psk-gcm, psk-chacha20,
    /// psk-aes256-gcm, ecdhe-psk-chacha20, ecdsa-ccm8, ecdsa-gcm, ecdsa-chacha20,
    /// ecdsa-aes256-gcm, rsa-gcm, rsa-chacha20, rsa-aes256-gcm.
    pub const fn short_name(self) -> &'static str {
        match self {
            CipherSuite::PskAes128Ccm8 => "psk-ccm8",
            CipherSuite::PskAes128GcmSha256 => "psk-gcm",
            CipherSuite::EcdheEcdsaAes128Ccm8 => "ecdsa-ccm8",
            CipherSuite::EcdheEcdsaAes128GcmSha256 => "ecdsa-gcm",
            CipherSuite::PskChaCha20Poly1305Sha256 => "psk-chacha20",
            CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256 => "ecdsa-chacha20",
            CipherSuite::EcdheRsaAes128GcmSha256 => "rsa-gcm",
            CipherSuite::EcdheRsaChaCha20Poly1305Sha256 => "rsa-chacha20",
            CipherSuite::PskAes256GcmSha384 => "psk-aes256-gcm",
            CipherSuite::EcdheEcdsaAes256GcmSha384 => "ecdsa-aes256-gcm",
            CipherSuite::EcdheRsaAes256GcmSha384 => "rsa-aes256-gcm",
            CipherSuite::EcdhePskChaCha20Poly1305Sha256 => "ecdhe-psk-chacha20",
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
            CipherSuite::PskAes128GcmSha256
            | CipherSuite::EcdheEcdsaAes128GcmSha256
            | CipherSuite::EcdheRsaAes128GcmSha256 => AeadAlgorithm::Aes128Gcm,
            CipherSuite::PskAes256GcmSha384
            | CipherSuite::EcdheEcdsaAes256GcmSha384
            | CipherSuite::EcdheRsaAes256GcmSha384 => AeadAlgorithm::Aes256Gcm,
            CipherSuite::PskChaCha20Poly1305Sha256
            | CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256
            | CipherSuite::EcdheRsaChaCha20Poly1305Sha256
            | CipherSuite::EcdhePskChaCha20Poly1305Sha256 => AeadAlgorithm::ChaCha20Poly1305,
        }
    }

    /// The key exchange.
    pub const fn key_exchange(self) -> KeyExchange {
        match self {
            CipherSuite::PskAes128Ccm8
            | CipherSuite::PskAes128GcmSha256
            | CipherSuite::PskChaCha20Poly1305Sha256
            | CipherSuite::PskAes256GcmSha384 => KeyExchange::Psk,
            CipherSuite::EcdheEcdsaAes128Ccm8
            | CipherSuite::EcdheEcdsaAes128GcmSha256
            | CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256
            | CipherSuite::EcdheEcdsaAes256GcmSha384 => KeyExchange::EcdheEcdsa,
            CipherSuite::EcdheRsaAes128GcmSha256
            | CipherSuite::EcdheRsaChaCha20Poly1305Sha256
            | CipherSuite::EcdheRsaAes256GcmSha384 => KeyExchange::EcdheRsa,
            CipherSuite::EcdhePskChaCha20Poly1305Sha256 => KeyExchange::EcdhePsk,
        }
    }

    /// The hash of the PRF: SHA-384 for the AES-256-GCM suites, SHA-256 for the others.
    pub const fn prf_hash(self) -> PrfHash {
        match self.aead() {
            AeadAlgorithm::Aes256Gcm => PrfHash::Sha384,
            AeadAlgorithm::Aes128Ccm8
            | AeadAlgorithm::Aes128Gcm
            | AeadAlgorithm::ChaCha20Poly1305 => PrfHash::Sha256,
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
        // RFC 7905 §2: no explicit nonce, a 16-byte tag.
        assert_eq!(CipherSuite::PskChaCha20Poly1305Sha256.aead().overhead(), 16);
        assert_eq!(
            CipherSuite::from_name("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            Some(CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256)
        );
        assert_eq!(
            CipherSuite::from_id(0xCCAB),
            Some(CipherSuite::PskChaCha20Poly1305Sha256)
        );
        assert_eq!(
            CipherSuite::from_id(0xC02F),
            Some(CipherSuite::EcdheRsaAes128GcmSha256)
        );
        assert_eq!(
            CipherSuite::from_name("rsa-chacha20").map(CipherSuite::id),
            Some(0xCCA8)
        );
        // RFC 5289 §3.2, RFC 5487 §3: the AES-256-GCM suites take SHA-384 for the PRF.
        assert_eq!(
            CipherSuite::from_id(0xC02C).map(CipherSuite::prf_hash),
            Some(PrfHash::Sha384)
        );
        assert_eq!(
            CipherSuite::from_name("TLS_PSK_WITH_AES_256_GCM_SHA384").map(CipherSuite::id),
            Some(0x00A9)
        );
        assert_eq!(CipherSuite::EcdheRsaAes256GcmSha384.id(), 0xC030);
        assert_eq!(CipherSuite::PskAes256GcmSha384.aead().overhead(), 24);
        assert_eq!(CipherSuite::PskAes256GcmSha384.aead().key_len(), 32);
        for s in CipherSuite::ALL {
            let sha384 = s.iana_name().ends_with("_SHA384");
            assert_eq!(s.prf_hash() == PrfHash::Sha384, sha384, "{s}");
        }
    }

    #[test]
    fn served_is_all_but_ecdhe_rsa_in_order() {
        let served: Vec<CipherSuite> = CipherSuite::ALL
            .into_iter()
            .filter(|s| s.key_exchange().served())
            .collect();
        assert_eq!(served, CipherSuite::SERVED);
        assert!(
            CipherSuite::ALL
                .iter()
                .all(|s| s.key_exchange().uses_certificates() != s.key_exchange().uses_psk())
        );
        assert_eq!(
            CipherSuite::from_name("ecdhe-psk-chacha20").map(CipherSuite::id),
            Some(0xCCAC)
        );
    }
}
