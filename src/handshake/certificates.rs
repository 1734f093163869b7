//! The messages of the ECDHE handshakes (RFC 5246 §7.4.2–7.4.8, RFC 8422 §5):
//! Certificate, ECDHE ServerKeyExchange, CertificateRequest, ECDHE ClientKeyExchange and
//! CertificateVerify.

use crate::codec::{DecodeError, Reader, put_vec8, put_vec16, put_vec24};

/// ECCurveType named_curve (RFC 8422 §5.4).
const NAMED_CURVE: u8 = 3;
/// ClientCertificateType ecdsa_sign (RFC 8422 §5.5).
pub const ECDSA_SIGN: u8 = 64;
/// ClientCertificateType rsa_sign (RFC 5246 §7.4.4).
pub const RSA_SIGN: u8 = 1;

/// Certificate: the sender's chain, own certificate first, DER each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateMessage {
    /// The DER certificates.
    pub chain: Vec<Vec<u8>>,
}

impl CertificateMessage {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_vec24(&mut out, |list| {
            for cert in &self.chain {
                put_vec24(list, |c| c.extend_from_slice(cert));
            }
        });
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<CertificateMessage, DecodeError> {
        let mut r = Reader::new(body);
        let mut list = r.sub24()?;
        r.expect_end()?;
        let mut chain = Vec::new();
        while !list.is_empty() {
            let cert = list.vec24()?;
            if cert.is_empty() {
                return Err(DecodeError::Invalid("an empty certificate in the chain"));
            }
            chain.push(cert.to_vec());
        }
        Ok(CertificateMessage { chain })
    }
}

/// ServerKeyExchange of an ECDHE_ECDSA suite: the server's ephemeral point on a named
/// curve, signed with its certificate's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdheServerKeyExchange {
    /// The named curve.
    pub curve: u16,
    /// The ephemeral public point (uncompressed SEC1).
    pub public: Vec<u8>,
    /// SignatureAndHashAlgorithm.
    pub scheme: u16,
    /// DER ECDSA signature over client_random ‖ server_random ‖ params.
    pub signature: Vec<u8>,
}

impl EcdheServerKeyExchange {
    /// ServerECDHParams: what the signature covers after the two randoms.
    pub fn params(curve: u16, public: &[u8]) -> Vec<u8> {
        let mut out = vec![NAMED_CURVE];
        out.extend_from_slice(&curve.to_be_bytes());
        put_vec8(&mut out, |p| p.extend_from_slice(public));
        out
    }

    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = EcdheServerKeyExchange::params(self.curve, &self.public);
        out.extend_from_slice(&self.scheme.to_be_bytes());
        put_vec16(&mut out, |s| s.extend_from_slice(&self.signature));
        out
    }

    /// Reads ServerECDHParams: the named curve and the point.
    pub(crate) fn read_params(r: &mut Reader<'_>) -> Result<(u16, Vec<u8>), DecodeError> {
        if r.u8()? != NAMED_CURVE {
            return Err(DecodeError::Invalid("only named curves are supported"));
        }
        let curve = r.u16()?;
        let public = r.vec8()?.to_vec();
        Ok((curve, public))
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<EcdheServerKeyExchange, DecodeError> {
        let mut r = Reader::new(body);
        let (curve, public) = EcdheServerKeyExchange::read_params(&mut r)?;
        let scheme = r.u16()?;
        let signature = r.vec16()?.to_vec();
        r.expect_end()?;
        Ok(EcdheServerKeyExchange {
            curve,
            public,
            scheme,
            signature,
        })
    }
}

/// CertificateRequest (TLS 1.2 form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest {
    /// ClientCertificateType values.
    pub certificate_types: Vec<u8>,
    /// Acceptable SignatureAndHashAlgorithms.
    pub schemes: Vec<u16>,
    /// DER distinguished names of acceptable CAs (may be empty).
    pub authorities: Vec<Vec<u8>>,
}

impl CertificateRequest {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_vec8(&mut out, |t| t.extend_from_slice(&self.certificate_types));
        put_vec16(&mut out, |s| {
            for scheme in &self.schemes {
                s.extend_from_slice(&scheme.to_be_bytes());
            }
        });
        put_vec16(&mut out, |list| {
            for name in &self.authorities {
                put_vec16(list, |n| n.extend_from_slice(name));
            }
        });
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<CertificateRequest, DecodeError> {
        let mut r = Reader::new(body);
        let certificate_types = r.vec8()?.to_vec();
        let mut schemes_reader = r.sub16()?;
        let mut schemes = Vec::new();
        while !schemes_reader.is_empty() {
            schemes.push(schemes_reader.u16()?);
        }
        let mut names = r.sub16()?;
        let mut authorities = Vec::new();
        while !names.is_empty() {
            authorities.push(names.vec16()?.to_vec());
        }
        r.expect_end()?;
        Ok(CertificateRequest {
            certificate_types,
            schemes,
            authorities,
        })
    }
}

/// ClientKeyExchange of an ECDHE suite: the client's ephemeral point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdheClientKeyExchange {
    /// The point (uncompressed SEC1).
    pub public: Vec<u8>,
}

impl EcdheClientKeyExchange {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.public.len());
        put_vec8(&mut out, |p| p.extend_from_slice(&self.public));
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<EcdheClientKeyExchange, DecodeError> {
        let mut r = Reader::new(body);
        let public = r.vec8()?.to_vec();
        r.expect_end()?;
        Ok(EcdheClientKeyExchange { public })
    }
}

/// CertificateVerify: the client's signature over the handshake so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateVerify {
    /// SignatureAndHashAlgorithm.
    pub scheme: u16,
    /// DER ECDSA signature.
    pub signature: Vec<u8>,
}

impl CertificateVerify {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.scheme.to_be_bytes().to_vec();
        put_vec16(&mut out, |s| s.extend_from_slice(&self.signature));
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<CertificateVerify, DecodeError> {
        let mut r = Reader::new(body);
        let scheme = r.u16()?;
        let signature = r.vec16()?.to_vec();
        r.expect_end()?;
        Ok(CertificateVerify { scheme, signature })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::crypto::SignatureScheme;

    const ECDSA: SignatureScheme = SignatureScheme::EcdsaSecp256r1Sha256;

    #[test]
    fn round_trips_and_truncations() {
        let cert = CertificateMessage {
            chain: vec![vec![1; 300], vec![2; 5]],
        };
        let ske = EcdheServerKeyExchange {
            curve: crate::NamedGroup::Secp256r1.id(),
            public: vec![4; 65],
            scheme: ECDSA.id(),
            signature: vec![0x30; 70],
        };
        let req = CertificateRequest {
            certificate_types: vec![ECDSA_SIGN],
            schemes: vec![ECDSA.id()],
            authorities: vec![vec![0x30, 0]],
        };
        let cke = EcdheClientKeyExchange {
            public: vec![4; 65],
        };
        let cv = CertificateVerify {
            scheme: ECDSA.id(),
            signature: vec![0x30; 71],
        };
        assert_eq!(CertificateMessage::decode(&cert.encode()).unwrap(), cert);
        assert_eq!(EcdheServerKeyExchange::decode(&ske.encode()).unwrap(), ske);
        assert_eq!(CertificateRequest::decode(&req.encode()).unwrap(), req);
        assert_eq!(EcdheClientKeyExchange::decode(&cke.encode()).unwrap(), cke);
        assert_eq!(CertificateVerify::decode(&cv.encode()).unwrap(), cv);
        let body = cert.encode();
        for n in 0..body.len() {
            assert!(CertificateMessage::decode(&body[..n]).is_err());
        }
        let body = ske.encode();
        for n in 0..body.len() {
            assert!(EcdheServerKeyExchange::decode(&body[..n]).is_err());
        }
        assert_eq!(
            CertificateMessage::decode(&[0, 0, 0]).unwrap().chain.len(),
            0,
            "an empty list is a valid (client) Certificate"
        );
    }
}
