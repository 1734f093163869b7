//! The handshake messages of the PSK handshake (RFC 5246 §7.4, RFC 6347 §4.2.1,
//! RFC 4279 §2). Each encodes its body (without the handshake header) and decodes a
//! body strictly: every length checked, no trailing bytes.

use crate::codec::{DecodeError, Reader, put_vec8, put_vec16};

use super::extensions::{Extension, decode_extensions, encode_extensions, extensions_len};

/// The longest session id (RFC 5246 §7.4.1.2).
const MAX_SESSION_ID: usize = 32;

fn session_id(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let id = r.vec8()?;
    if id.len() > MAX_SESSION_ID {
        return Err(DecodeError::Invalid("session id longer than 32 bytes"));
    }
    Ok(id.to_vec())
}

/// ClientHello (RFC 6347 §4.2.1 adds the cookie).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    /// The highest version the client supports.
    pub client_version: u16,
    /// 32 random bytes.
    pub random: [u8; 32],
    /// Session id (empty: no resumption).
    pub session_id: Vec<u8>,
    /// The cookie from a HelloVerifyRequest, or empty.
    pub cookie: Vec<u8>,
    /// Offered suites, most preferred first.
    pub cipher_suites: Vec<u16>,
    /// Offered compression methods (must include 0, null).
    pub compression_methods: Vec<u8>,
    /// Extensions.
    pub extensions: Vec<Extension>,
}

impl ClientHello {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        self.encode_with_cookie(true)
    }

    /// Everything but the cookie: what a server's stateless cookie is bound to, so a
    /// cookie only fits the very ClientHello it was made for.
    pub fn cookie_input(&self) -> Vec<u8> {
        self.encode_with_cookie(false)
    }

    fn encode_with_cookie(&self, with_cookie: bool) -> Vec<u8> {
        // Sized exactly, so the buffer is allocated once: version, random, the four
        // length-prefixed lists, the extensions block.
        let cookie_len = if with_cookie {
            1 + self.cookie.len()
        } else {
            0
        };
        let len = 2
            + 32
            + 1
            + self.session_id.len()
            + cookie_len
            + 2
            + 2 * self.cipher_suites.len()
            + 1
            + self.compression_methods.len()
            + extensions_len(&self.extensions);
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&self.client_version.to_be_bytes());
        out.extend_from_slice(&self.random);
        put_vec8(&mut out, |o| o.extend_from_slice(&self.session_id));
        if with_cookie {
            put_vec8(&mut out, |o| o.extend_from_slice(&self.cookie));
        }
        put_vec16(&mut out, |o| {
            for s in &self.cipher_suites {
                o.extend_from_slice(&s.to_be_bytes());
            }
        });
        put_vec8(&mut out, |o| o.extend_from_slice(&self.compression_methods));
        encode_extensions(&self.extensions, &mut out);
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<ClientHello, DecodeError> {
        let mut r = Reader::new(body);
        let client_version = r.u16()?;
        let random = r.array::<32>()?;
        let session_id = session_id(&mut r)?;
        let cookie = r.vec8()?.to_vec();
        let suites = r.vec16()?;
        if suites.is_empty() || suites.len() % 2 != 0 {
            return Err(DecodeError::Invalid("cipher suite list empty or odd"));
        }
        let cipher_suites = suites
            .chunks_exact(2)
            .map(|c| {
                u16::from_be_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        let compression_methods = r.vec8()?.to_vec();
        if compression_methods.is_empty() {
            return Err(DecodeError::Invalid("no compression method offered"));
        }
        let extensions = decode_extensions(&mut r)?;
        r.expect_end()?;
        Ok(ClientHello {
            client_version,
            random,
            session_id,
            cookie,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }
}

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

/// ServerHello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// The negotiated version.
    pub server_version: u16,
    /// 32 random bytes.
    pub random: [u8; 32],
    /// Session id.
    pub session_id: Vec<u8>,
    /// The chosen suite.
    pub cipher_suite: u16,
    /// The chosen compression method.
    pub compression_method: u8,
    /// Extensions answering the client's.
    pub extensions: Vec<Extension>,
}

impl ServerHello {
    /// The body bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(80);
        out.extend_from_slice(&self.server_version.to_be_bytes());
        out.extend_from_slice(&self.random);
        put_vec8(&mut out, |o| o.extend_from_slice(&self.session_id));
        out.extend_from_slice(&self.cipher_suite.to_be_bytes());
        out.push(self.compression_method);
        encode_extensions(&self.extensions, &mut out);
        out
    }

    /// Reads a body.
    pub fn decode(body: &[u8]) -> Result<ServerHello, DecodeError> {
        let mut r = Reader::new(body);
        let server_version = r.u16()?;
        let random = r.array::<32>()?;
        let session_id = session_id(&mut r)?;
        let cipher_suite = r.u16()?;
        let compression_method = r.u8()?;
        let extensions = decode_extensions(&mut r)?;
        r.expect_end()?;
        Ok(ServerHello {
            server_version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
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
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn hello() -> ClientHello {
        ClientHello {
            client_version: 0xFEFD,
            random: [3; 32],
            session_id: vec![],
            cookie: vec![9; 32],
            cipher_suites: vec![0xC0A8, 0x00A8],
            compression_methods: vec![0],
            extensions: vec![
                Extension::extended_master_secret(),
                Extension::renegotiation_info(&[]),
            ],
        }
    }

    #[test]
    fn every_message_round_trips() {
        let ch = hello();
        assert_eq!(ClientHello::decode(&ch.encode()).unwrap(), ch);
        // Both encodings are sized exactly up front.
        for bytes in [ch.encode(), ch.cookie_input()] {
            assert_eq!(bytes.len(), bytes.capacity());
        }
        let hvr = HelloVerifyRequest {
            server_version: 0xFEFF,
            cookie: vec![1; 32],
        };
        assert_eq!(HelloVerifyRequest::decode(&hvr.encode()).unwrap(), hvr);
        let sh = ServerHello {
            server_version: 0xFEFD,
            random: [4; 32],
            session_id: vec![5; 32],
            cipher_suite: 0xC0A8,
            compression_method: 0,
            extensions: vec![],
        };
        assert_eq!(ServerHello::decode(&sh.encode()).unwrap(), sh);
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
    fn every_truncation_and_any_trailing_byte_is_rejected() {
        let body = hello().encode();
        // A hello may end without extensions: that one prefix is a valid message.
        let mut bare = hello();
        bare.extensions.clear();
        let bare_len = bare.encode().len();
        for n in 0..body.len() {
            assert_eq!(
                ClientHello::decode(&body[..n]).is_ok(),
                n == bare_len,
                "prefix {n}"
            );
        }
        let mut long = body.clone();
        long.push(0);
        assert!(ClientHello::decode(&long).is_err());
        assert!(Finished::decode(&[0; 13]).is_err());
        assert!(PskClientKeyExchange::decode(&[0, 3, 1, 2]).is_err());
    }

    #[test]
    fn the_cookie_input_ignores_only_the_cookie() {
        let a = hello();
        let mut b = hello();
        b.cookie = vec![];
        assert_eq!(a.cookie_input(), b.cookie_input());
        b.random[0] ^= 1;
        assert_ne!(a.cookie_input(), b.cookie_input());
    }

    #[test]
    fn odd_suites_and_missing_compression_are_rejected() {
        let mut h = hello();
        h.compression_methods.clear();
        assert!(ClientHello::decode(&h.encode()).is_err());
        let mut body = hello().encode();
        // session id length 0 at 34, cookie length at 35, cookie, then suites length.
        let suites_len_at = 2 + 32 + 1 + 1 + 32;
        body[suites_len_at + 1] = 3;
        assert!(ClientHello::decode(&body).is_err());
    }
}
