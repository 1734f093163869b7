//! The handshake messages of the PSK handshake other than the hellos (RFC 5246 §7.4,
//! RFC 6347 §4.2.1, RFC 4279 §2). Each encodes its body (without the handshake header) and decodes a
//! body strictly: every length checked, no trailing bytes.

use crate::codec::{DecodeError, Reader, put_vec8, put_vec16};

/// HelloVerifyRequest (RFC 6347 §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloVerifyRequest {
    /// 0xFEFF in practice (RFC 6347 §4.2.1).
    pub server_version: u16,
    /// The cookie to repeat (at most 255 bytes).
    pub cookie: Vec<u8>,
}

impl HelloVerifyRequest {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + 1 + self.cookie.len());
        out.extend_from_slice(&self.server_version.to_be_bytes());
        put_vec8(&mut out, |o| o.extend_from_slice(&self.cookie));
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<HelloVerifyRequest, DecodeError> {
        let mut r = Reader::new(body);
        let server_version = r.u16()?;
        let cookie = r.vec8()?.to_vec();
        r.expect_end()?;
        Ok(HelloVerifyRequest {
            server_version,
            cookie,
        })
    }
}

/// Encodes and decodes a message whose body is one opaque<0..2^16-1> field.
macro_rules! opaque16_message {
    ($(#[$doc:meta])* $name:ident, $field:ident, $field_doc:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name {
            #[doc = $field_doc]
            pub $field: Vec<u8>,
        }

        impl $name {
            /// The body bytes.
            pub fn encode(&self) -> Vec<u8> {
                let mut out = Vec::with_capacity(2 + self.$field.len());
                put_vec16(&mut out, |o| o.extend_from_slice(&self.$field));
                out
            }

            /// Reads a body.
            pub fn decode(body: &[u8]) -> Result<$name, DecodeError> {
                let mut r = Reader::new(body);
                let $field = r.vec16()?.to_vec();
                r.expect_end()?;
                Ok($name { $field })
            }
        }
    };
}

opaque16_message!(
    /// ServerKeyExchange of a plain PSK suite: only the identity hint (RFC 4279 §2).
    PskServerKeyExchange,
    identity_hint,
    "psk_identity_hint<0..2^16-1>."
);

opaque16_message!(
    /// ClientKeyExchange of a plain PSK suite: the identity of the key (RFC 4279 §2).
    PskClientKeyExchange,
    identity,
    "psk_identity<0..2^16-1>."
);

/// ServerHelloDone: an empty body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerHelloDone;

impl ServerHelloDone {
    /// The (empty) body.
    pub fn encode(&self) -> Vec<u8> {
        Vec::new()
    }

    /// Checks that the body is empty.
    pub fn decode(body: &[u8]) -> Result<ServerHelloDone, DecodeError> {
        Reader::new(body).expect_end()?;
        Ok(ServerHelloDone)
    }
}

/// Finished: 12 bytes of verify_data (RFC 5246 §7.4.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finished {
    /// PRF(master_secret, finished_label, Hash(handshake_messages))[0..11].
    pub verify_data: [u8; 12],
}

impl Finished {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.verify_data.to_vec()
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<Finished, DecodeError> {
        let mut r = Reader::new(body);
        let verify_data = r.array::<12>()?;
        r.expect_end()?;
        Ok(Finished { verify_data })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_message_round_trips() {
        let hvr = HelloVerifyRequest {
            server_version: 0xFEFF,
            cookie: vec![1; 32],
        };
        assert_eq!(HelloVerifyRequest::decode(&hvr.encode()).unwrap(), hvr);
        let ske = PskServerKeyExchange {
            identity_hint: b"hint".to_vec(),
        };
        assert_eq!(PskServerKeyExchange::decode(&ske.encode()).unwrap(), ske);
        let cke = PskClientKeyExchange {
            identity: b"id".to_vec(),
        };
        assert_eq!(cke.encode(), [0, 2, b'i', b'd']);
        assert_eq!(PskClientKeyExchange::decode(&cke.encode()).unwrap(), cke);
        assert!(ServerHelloDone::decode(&[]).is_ok());
        assert!(ServerHelloDone::decode(&[0]).is_err());
        let fin = Finished {
            verify_data: [6; 12],
        };
        assert_eq!(Finished::decode(&fin.encode()).unwrap(), fin);
    }

    #[test]
    fn a_wrong_length_is_rejected() {
        assert!(Finished::decode(&[0; 13]).is_err());
        assert!(Finished::decode(&[0; 11]).is_err());
        assert!(PskClientKeyExchange::decode(&[0, 3, 1, 2]).is_err());
        assert!(HelloVerifyRequest::decode(&[0xFE, 0xFF, 2, 1]).is_err());
    }
}
