//! ClientHello and ServerHello (RFC 5246 §7.4.1.2–3; RFC 6347 §4.2.1 adds the cookie),
//! each in two forms: an owned message that encodes (what a peer sends and tests
//! build), and a view read in place from a received body, checked as strictly as the
//! owned decode (every length, no trailing bytes, no extension twice) but copying
//! nothing — a server reads every ClientHello twice, statelessly and then in its
//! session, and neither read allocates.

use crate::codec::{DecodeError, Reader, put_vec8, put_vec16, u16_values};

use super::extensions::{Extension, ExtensionBlock, encode_extensions, extensions_len};

/// The longest session id (RFC 5246 §7.4.1.2).
const MAX_SESSION_ID: usize = 32;

fn session_id<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    let id = r.vec8()?;
    if id.len() > MAX_SESSION_ID {
        return Err(DecodeError::Invalid("session id longer than 32 bytes"));
    }
    Ok(id)
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
    /// The body bytes, sized exactly so the buffer is allocated once.
    pub fn encode(&self) -> Vec<u8> {
        let len = 2
            + 32
            + 1
            + self.session_id.len()
            + 1
            + self.cookie.len()
            + 2
            + 2 * self.cipher_suites.len()
            + 1
            + self.compression_methods.len()
            + extensions_len(&self.extensions);
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&self.client_version.to_be_bytes());
        out.extend_from_slice(&self.random);
        put_vec8(&mut out, |o| o.extend_from_slice(&self.session_id));
        put_vec8(&mut out, |o| o.extend_from_slice(&self.cookie));
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
        ClientHelloView::read(body).map(ClientHello::from)
    }
}

/// A received ClientHello, read in place (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientHelloView<'a> {
    /// The highest version the client supports.
    pub client_version: u16,
    /// 32 random bytes.
    pub random: [u8; 32],
    /// Session id (empty: no resumption).
    pub session_id: &'a [u8],
    /// The cookie from a HelloVerifyRequest, or empty.
    pub cookie: &'a [u8],
    /// The offered suites as sent: two bytes each, at least one ([`Self::cipher_suites`]).
    suites: &'a [u8],
    /// Offered compression methods (at least one).
    pub compression_methods: &'a [u8],
    /// Extensions.
    pub extensions: ExtensionBlock<'a>,
    /// The body before the cookie's length byte, and from the cipher suites to the
    /// extensions.
    around_cookie: [&'a [u8]; 2],
}

impl<'a> ClientHelloView<'a> {
    /// Reads a body.
    pub fn read(body: &'a [u8]) -> Result<ClientHelloView<'a>, DecodeError> {
        let mut r = Reader::new(body);
        let client_version = r.u16()?;
        let random = r.array::<32>()?;
        let session_id = session_id(&mut r)?;
        let before_cookie = body.len() - r.len();
        let cookie = r.vec8()?;
        let after_cookie = body.len() - r.len();
        let suites = r.vec16()?;
        if suites.is_empty() || suites.len() % 2 != 0 {
            return Err(DecodeError::Invalid("cipher suite list empty or odd"));
        }
        let compression_methods = r.vec8()?;
        if compression_methods.is_empty() {
            return Err(DecodeError::Invalid("no compression method offered"));
        }
        let before_extensions = body.len() - r.len();
        let extensions = ExtensionBlock::read(&mut r)?;
        r.expect_end()?;
        Ok(ClientHelloView {
            client_version,
            random,
            session_id,
            cookie,
            suites,
            compression_methods,
            extensions,
            around_cookie: [
                body.get(..before_cookie).unwrap_or_default(),
                body.get(after_cookie..before_extensions)
                    .unwrap_or_default(),
            ],
        })
    }

    /// The offered suites, most preferred first.
    pub fn cipher_suites(&self) -> impl Iterator<Item = u16> + use<'a> {
        u16_values(self.suites)
    }

    /// What a server's stateless cookie is bound to, in two pieces: the fields a client
    /// must repeat after a HelloVerifyRequest (version, random, session_id,
    /// cipher_suites, compression_methods; RFC 6347 §4.2.1), so a cookie only fits the
    /// ClientHello it was made for. Not the extensions: a client may change them — pion
    /// adds the elliptic-curve extensions to its second ClientHello even for PSK.
    pub fn cookie_input(&self) -> [&'a [u8]; 2] {
        self.around_cookie
    }
}

impl From<ClientHelloView<'_>> for ClientHello {
    fn from(view: ClientHelloView<'_>) -> ClientHello {
        ClientHello {
            client_version: view.client_version,
            random: view.random,
            session_id: view.session_id.to_vec(),
            cookie: view.cookie.to_vec(),
            cipher_suites: view.cipher_suites().collect(),
            compression_methods: view.compression_methods.to_vec(),
            extensions: view.extensions.to_vec(),
        }
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
    /// The body bytes, sized exactly.
    pub fn encode(&self) -> Vec<u8> {
        let len = 2 + 32 + 1 + self.session_id.len() + 2 + 1 + extensions_len(&self.extensions);
        let mut out = Vec::with_capacity(len);
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
        ServerHelloView::read(body).map(ServerHello::from)
    }
}

/// A received ServerHello, read in place (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerHelloView<'a> {
    /// The negotiated version.
    pub server_version: u16,
    /// 32 random bytes.
    pub random: [u8; 32],
    /// Session id.
    pub session_id: &'a [u8],
    /// The chosen suite.
    pub cipher_suite: u16,
    /// The chosen compression method.
    pub compression_method: u8,
    /// Extensions answering the client's.
    pub extensions: ExtensionBlock<'a>,
}

impl<'a> ServerHelloView<'a> {
    /// Reads a body.
    pub fn read(body: &'a [u8]) -> Result<ServerHelloView<'a>, DecodeError> {
        let mut r = Reader::new(body);
        let server_version = r.u16()?;
        let random = r.array::<32>()?;
        let session_id = session_id(&mut r)?;
        let cipher_suite = r.u16()?;
        let compression_method = r.u8()?;
        let extensions = ExtensionBlock::read(&mut r)?;
        r.expect_end()?;
        Ok(ServerHelloView {
            server_version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
        })
    }
}

impl From<ServerHelloView<'_>> for ServerHello {
    fn from(view: ServerHelloView<'_>) -> ServerHello {
        ServerHello {
            server_version: view.server_version,
            random: view.random,
            session_id: view.session_id.to_vec(),
            cipher_suite: view.cipher_suite,
            compression_method: view.compression_method,
            extensions: view.extensions.to_vec(),
        }
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

    fn server_hello() -> ServerHello {
        ServerHello {
            server_version: 0xFEFD,
            random: [4; 32],
            session_id: vec![5; 32],
            cipher_suite: 0xC0A8,
            compression_method: 0,
            extensions: vec![Extension::extended_master_secret()],
        }
    }

    #[test]
    fn both_hellos_round_trip_through_their_views() {
        let ch = hello();
        let body = ch.encode();
        assert_eq!(body.len(), body.capacity(), "sized exactly");
        let view = ClientHelloView::read(&body).unwrap();
        assert_eq!(view.cipher_suites().collect::<Vec<_>>(), [0xC0A8, 0x00A8]);
        assert_eq!(view.cookie, [9; 32]);
        assert_eq!(ClientHello::decode(&body).unwrap(), ch);

        let sh = server_hello();
        let body = sh.encode();
        assert_eq!(body.len(), body.capacity(), "sized exactly");
        assert_eq!(ServerHello::decode(&body).unwrap(), sh);
        let view = ServerHelloView::read(&body).unwrap();
        assert_eq!(view.session_id, [5; 32]);
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
                ClientHelloView::read(&body[..n]).is_ok(),
                n == bare_len,
                "prefix {n}"
            );
        }
        let mut long = body.clone();
        long.push(0);
        assert!(ClientHelloView::read(&long).is_err());

        let body = server_hello().encode();
        let bare_len = body.len() - 2 - 4;
        for n in 0..body.len() {
            assert_eq!(ServerHelloView::read(&body[..n]).is_ok(), n == bare_len);
        }
    }

    #[test]
    fn the_cookie_input_is_the_fields_a_client_must_repeat() {
        let a = hello();
        let input = |h: &ClientHello| {
            ClientHelloView::read(&h.encode())
                .unwrap()
                .cookie_input()
                .concat()
        };
        // Version, random, session_id, cipher_suites, compression_methods.
        let expected = [
            &[0xFE, 0xFD][..],
            &[3; 32],
            &[0],
            &[0, 4, 0xC0, 0xA8, 0x00, 0xA8],
            &[1, 0],
        ]
        .concat();
        assert_eq!(input(&a), expected);
        // The cookie and the extensions may change (RFC 6347 §4.2.1 lists only these
        // fields; pion adds extensions to its second ClientHello)...
        let mut b = hello();
        b.cookie = vec![];
        b.extensions.push(Extension::supported_groups(&[23]));
        b.extensions
            .push(Extension::ec_point_formats_uncompressed());
        assert_eq!(input(&b), input(&a));
        // ...each of the fields may not.
        let edits: [fn(&mut ClientHello); 5] = [
            |h| h.client_version = 0xFEFF,
            |h| h.random[0] ^= 1,
            |h| h.session_id = vec![1],
            |h| h.cipher_suites.reverse(),
            |h| h.compression_methods = vec![0, 1],
        ];
        for edit in edits {
            let mut c = hello();
            edit(&mut c);
            assert_ne!(input(&c), input(&a));
        }
    }

    #[test]
    fn odd_suites_and_missing_compression_are_rejected() {
        let mut h = hello();
        h.compression_methods.clear();
        assert!(ClientHelloView::read(&h.encode()).is_err());
        let mut body = hello().encode();
        // session id length 0 at 34, cookie length at 35, cookie, then suites length.
        let suites_len_at = 2 + 32 + 1 + 1 + 32;
        body[suites_len_at + 1] = 3;
        assert!(ClientHelloView::read(&body).is_err());
    }
}
