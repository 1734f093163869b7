//! The key exchange messages of the ECDHE_PSK suites (RFC 5489 §2): each side's
//! ephemeral point travels with the PSK identity hint or identity, unsigned — the PSK
//! authenticates the handshake through the premaster secret and Finished.

use super::certificates::EcdheServerKeyExchange;
use crate::codec::{DecodeError, Reader, put_vec8, put_vec16};

/// ServerKeyExchange of an ECDHE_PSK suite: the identity hint (possibly empty; the
/// message is always sent), then ServerECDHParams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdhePskServerKeyExchange {
    /// psk_identity_hint<0..2^16-1>.
    pub identity_hint: Vec<u8>,
    /// The named curve.
    pub curve: u16,
    /// The server's ephemeral public key (an uncompressed SEC1 point or an X25519 key).
    pub public: Vec<u8>,
}

impl EcdhePskServerKeyExchange {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.identity_hint.len() + 4 + self.public.len());
        put_vec16(&mut out, |h| h.extend_from_slice(&self.identity_hint));
        out.extend_from_slice(&EcdheServerKeyExchange::params(self.curve, &self.public));
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<EcdhePskServerKeyExchange, DecodeError> {
        let mut r = Reader::new(body);
        let identity_hint = r.vec16()?.to_vec();
        let (curve, public) = EcdheServerKeyExchange::read_params(&mut r)?;
        r.expect_end()?;
        Ok(EcdhePskServerKeyExchange {
            identity_hint,
            curve,
            public,
        })
    }
}

/// ClientKeyExchange of an ECDHE_PSK suite: the identity of the key, then the client's
/// ephemeral public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdhePskClientKeyExchange {
    /// psk_identity<0..2^16-1>.
    pub identity: Vec<u8>,
    /// The client's ephemeral public key.
    pub public: Vec<u8>,
}

impl EcdhePskClientKeyExchange {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.identity.len() + 1 + self.public.len());
        put_vec16(&mut out, |i| i.extend_from_slice(&self.identity));
        put_vec8(&mut out, |p| p.extend_from_slice(&self.public));
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<EcdhePskClientKeyExchange, DecodeError> {
        let mut r = Reader::new(body);
        let identity = r.vec16()?.to_vec();
        let public = r.vec8()?.to_vec();
        r.expect_end()?;
        Ok(EcdhePskClientKeyExchange { identity, public })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_refuse_bad_lengths() {
        let ske = EcdhePskServerKeyExchange {
            identity_hint: b"hint".to_vec(),
            curve: 29,
            public: vec![9; 32],
        };
        let body = ske.encode();
        // RFC 5489 §2: hint, then curve_type named_curve (3), the curve, the point.
        assert_eq!(&body[..8], &[0, 4, b'h', b'i', b'n', b't', 3, 0]);
        assert_eq!(EcdhePskServerKeyExchange::decode(&body).unwrap(), ske);
        for n in 0..body.len() {
            assert!(EcdhePskServerKeyExchange::decode(&body[..n]).is_err());
        }
        let cke = EcdhePskClientKeyExchange {
            identity: b"client-1".to_vec(),
            public: vec![4; 65],
        };
        let body = cke.encode();
        assert_eq!(&body[..3], &[0, 8, b'c']);
        assert_eq!(body[10], 65);
        assert_eq!(EcdhePskClientKeyExchange::decode(&body).unwrap(), cke);
        let mut longer = body.clone();
        longer.push(0);
        assert!(EcdhePskClientKeyExchange::decode(&longer).is_err());
        for n in 0..body.len() {
            assert!(EcdhePskClientKeyExchange::decode(&body[..n]).is_err());
        }
    }
}
