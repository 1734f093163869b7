//! The elliptic-curve groups for the ECDHE key exchange: X25519 (RFC 7748, in TLS 1.2
//! by RFC 8422 §5.1.1) and secp256r1 (RFC 7925's mandatory curve). Certificates and
//! signatures stay P-256 whichever group carries the key exchange.

use core::fmt;

/// A named group the ECDHE-ECDSA suites can agree their premaster secret on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NamedGroup {
    /// x25519 (29): Curve25519 Diffie-Hellman, RFC 7748. 32-byte public keys.
    X25519,
    /// secp256r1 (23), also P-256 or prime256v1: RFC 7925's mandatory curve.
    /// 65-byte uncompressed public points.
    Secp256r1,
}

impl NamedGroup {
    /// Every group, in the default preference order: X25519 first, as OpenSSL, GnuTLS,
    /// Mbed TLS and Go offer them (faster, and simpler to use safely), then secp256r1
    /// for the peers that have only it (RFC 7925 devices, tinydtls).
    pub const ALL: [NamedGroup; 2] = [NamedGroup::X25519, NamedGroup::Secp256r1];

    /// The IANA code point in supported_groups and ServerECDHParams.
    pub const fn id(self) -> u16 {
        match self {
            NamedGroup::X25519 => 29,
            NamedGroup::Secp256r1 => 23,
        }
    }

    /// The group with this code point, if we implement it.
    pub fn from_id(id: u16) -> Option<NamedGroup> {
        NamedGroup::ALL.into_iter().find(|g| g.id() == id)
    }

    /// The IANA name: `x25519` or `secp256r1`.
    pub const fn name(self) -> &'static str {
        match self {
            NamedGroup::X25519 => "x25519",
            NamedGroup::Secp256r1 => "secp256r1",
        }
    }

    /// The group with this name, case-insensitive; secp256r1 also answers to its
    /// other names, `P-256`, `p256` and `prime256v1`.
    pub fn from_name(name: &str) -> Option<NamedGroup> {
        let other_names: &[&str] = &["p-256", "p256", "prime256v1"];
        NamedGroup::ALL.into_iter().find(|g| {
            g.name().eq_ignore_ascii_case(name)
                || (*g == NamedGroup::Secp256r1
                    && other_names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        })
    }

    /// The length of an ephemeral public key on the wire (RFC 8422 §5.4: the ECPoint;
    /// §5.11: X25519's is the 32-byte u-coordinate).
    pub const fn public_len(self) -> usize {
        match self {
            NamedGroup::X25519 => 32,
            NamedGroup::Secp256r1 => 65,
        }
    }
}

impl fmt::Display for NamedGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_round_trip() {
        for g in NamedGroup::ALL {
            assert_eq!(NamedGroup::from_id(g.id()), Some(g));
            assert_eq!(NamedGroup::from_name(g.name()), Some(g));
        }
        // RFC 8422 §5.1.1 and the IANA registry.
        assert_eq!(NamedGroup::X25519.id(), 29);
        assert_eq!(NamedGroup::Secp256r1.id(), 23);
        assert_eq!(NamedGroup::from_id(24), None); // secp384r1: not implemented
        assert_eq!(NamedGroup::from_name("P-256"), Some(NamedGroup::Secp256r1));
        assert_eq!(
            NamedGroup::from_name("prime256v1"),
            Some(NamedGroup::Secp256r1)
        );
        assert_eq!(NamedGroup::from_name("X25519"), Some(NamedGroup::X25519));
        assert_eq!(NamedGroup::from_name("x448"), None);
    }
}
