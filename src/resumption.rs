//! Session resumption by session ID (RFC 5246 §7.3, §7.4.1.2; in DTLS, RFC 6347 §4.2):
//! what a full handshake leaves behind so that a later connection can skip the key
//! exchange and the certificates, and agree new keys from the same master secret in
//! one round trip:
//!
//! ```text
//! ClientHello (session_id)   -->
//!                            <--  HelloVerifyRequest (cookie)
//! ClientHello (cookie)       -->
//!                            <--  ServerHello (same session_id), ChangeCipherSpec,
//!                                 Finished
//! ChangeCipherSpec, Finished -->
//! ```
//!
//! RFC 7925 §10 asks constrained clients to implement it: no ECDHE, no signatures, no
//! certificate chain, and the client may send after one round trip past the cookie
//! exchange instead of two.
//!
//! Only sessions whose master secret was made with the extended master secret (RFC
//! 7627) are saved and resumed: a resumption then proves that both sides saw the same
//! original handshake, which closes the triple-handshake attack (RFC 7627 §5.3)
//! without the special cases for sessions without it.

use core::fmt;

use zeroize::Zeroizing;

use crate::codec::{Reader, put_vec8, put_vec16, put_vec24};
use crate::crypto::MasterSecret;
use crate::error::Error;
use crate::group::NamedGroup;
use crate::suite::CipherSuite;

/// The longest session ID (RFC 5246 §7.4.1.2: `opaque SessionID<0..32>`).
pub const MAX_SESSION_ID_LEN: usize = 32;

/// The first byte of [`SavedSession::to_bytes`]: the layout's version.
const FORMAT_VERSION: u8 = 1;

/// Refused by [`SavedSession::from_bytes`].
const NOT_A_SAVED_SESSION: &str = "the bytes are not a saved session written by this engine (damaged, cut short, or of another version)";

/// A session that can be resumed: its ID, master secret, suite and what the full
/// handshake established about the peer.
///
/// A client gets one from [`Session::saved_session`](crate::Session::saved_session)
/// after a full handshake with a server that gave the session an ID, and offers it
/// with [`Session::set_saved_session`](crate::Session::set_saved_session) before the
/// next `start`. A [`Server`](crate::Server) keeps its own in a bounded cache
/// ([`Server::set_session_cache`](crate::Server::set_session_cache)).
///
/// It holds the master secret: keep it as you would a key. It is wiped from memory
/// when dropped, and [`SavedSession::to_bytes`] returns wiping bytes.
#[derive(Clone)]
pub struct SavedSession {
    id: Vec<u8>,
    master: Zeroizing<[u8; 48]>,
    suite: CipherSuite,
    group: Option<NamedGroup>,
    server_name: Option<String>,
    psk_identity: Option<Vec<u8>>,
    peer_certificates: Vec<Vec<u8>>,
}

/// Equal when every field is; the master secret is compared in constant time.
impl PartialEq for SavedSession {
    fn eq(&self, other: &SavedSession) -> bool {
        let same_master: bool =
            subtle::ConstantTimeEq::ct_eq(&self.master[..], &other.master[..]).into();
        same_master
            && self.id == other.id
            && self.suite == other.suite
            && self.group == other.group
            && self.server_name == other.server_name
            && self.psk_identity == other.psk_identity
            && self.peer_certificates == other.peer_certificates
    }
}

impl Eq for SavedSession {}

impl fmt::Debug for SavedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the master secret.
        f.debug_struct("SavedSession")
            .field("id", &crate::session::hex(&self.id))
            .field("suite", &self.suite)
            .field("group", &self.group)
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// What a session keeps to be saved: its ID and master secret. The rest of a
/// [`SavedSession`] (suite, group, identities, certificates) it keeps anyway, so a
/// saved session is put together only when asked for — an established session then
/// holds ~80 bytes for it, not a second copy of the peer's certificates.
pub(crate) struct SessionSecret {
    id: Vec<u8>,
    master: Zeroizing<[u8; 48]>,
}

impl SessionSecret {
    /// The secret of a full handshake that gave the session `id`; `None` when the
    /// session cannot be resumed (no ID, or one longer than RFC 5246 allows).
    pub(crate) fn new(id: &[u8], master: &MasterSecret) -> Option<SessionSecret> {
        if id.is_empty() || id.len() > MAX_SESSION_ID_LEN {
            return None;
        }
        Some(SessionSecret {
            id: id.to_vec(),
            master: Zeroizing::new(*master.as_bytes()),
        })
    }

    /// The session ID alone (the master secret is wiped as the rest drops).
    pub(crate) fn into_id(self) -> Vec<u8> {
        self.id
    }

    /// The secret of a resumed session.
    pub(crate) fn of(saved: &SavedSession) -> SessionSecret {
        SessionSecret {
            id: saved.id.clone(),
            master: saved.master.clone(),
        }
    }
}

/// What a completed handshake knows, to make a [`SavedSession`] of.
pub(crate) struct Established<'a> {
    pub(crate) secret: &'a SessionSecret,
    pub(crate) suite: CipherSuite,
    pub(crate) group: Option<NamedGroup>,
    pub(crate) server_name: Option<&'a str>,
    pub(crate) psk_identity: Option<&'a [u8]>,
    pub(crate) peer_certificates: &'a [Vec<u8>],
}

impl SavedSession {
    /// The session of a completed handshake.
    pub(crate) fn new(established: Established<'_>) -> SavedSession {
        SavedSession {
            id: established.secret.id.clone(),
            master: established.secret.master.clone(),
            suite: established.suite,
            group: established.group,
            server_name: established.server_name.map(str::to_string),
            psk_identity: established.psk_identity.map(<[u8]>::to_vec),
            peer_certificates: established.peer_certificates.to_vec(),
        }
    }

    /// The session ID the server gave (1 to 32 bytes).
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The suite the session was made with; a resumption uses it again.
    pub fn cipher_suite(&self) -> CipherSuite {
        self.suite
    }

    /// The ECDHE group of the original key exchange (`None` for PSK).
    pub fn group(&self) -> Option<NamedGroup> {
        self.group
    }

    /// The server name the client checked the server's certificate against, if any. A
    /// client offers the session only while its configuration names the same server.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// The PSK identity of the original handshake (PSK suites).
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.psk_identity.as_deref()
    }

    /// The peer's certificate chain as the original handshake verified it (DER, own
    /// certificate first; empty with PSK or without client certificates).
    pub fn peer_certificates(&self) -> &[Vec<u8>] {
        &self.peer_certificates
    }

    /// The master secret, ready for a key block.
    pub(crate) fn master_secret(&self) -> MasterSecret {
        MasterSecret::from_bytes(self.suite.prf_hash(), *self.master)
    }

    /// Bytes in memory beyond the struct itself (for the server's accounting).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.id.len()
            + self.server_name.as_ref().map_or(0, String::len)
            + self.psk_identity.as_ref().map_or(0, Vec::len)
            + self
                .peer_certificates
                .iter()
                .map(|c| c.len() + core::mem::size_of::<Vec<u8>>())
                .sum::<usize>()
    }

    /// The session as bytes, to keep across connections or processes: a version byte,
    /// the suite and group, the ID, the master secret, the server name, the PSK
    /// identity and the peer's certificates, in TLS's own length-prefixed encoding. The
    /// bytes hold the master secret; they are wiped when dropped.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let certificates: usize = self.peer_certificates.iter().map(|c| 3 + c.len()).sum();
        let mut out = Zeroizing::new(Vec::with_capacity(
            64 + self.id.len() + 48 + self.heap_bytes() + certificates,
        ));
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&self.suite.id().to_be_bytes());
        out.extend_from_slice(&self.group.map_or(0, NamedGroup::id).to_be_bytes());
        put_vec8(&mut out, |o| o.extend_from_slice(&self.id));
        out.extend_from_slice(self.master.as_slice());
        let name = self.server_name.as_deref().unwrap_or_default();
        put_vec8(&mut out, |o| o.extend_from_slice(name.as_bytes()));
        out.push(u8::from(self.psk_identity.is_some()));
        let identity = self.psk_identity.as_deref().unwrap_or_default();
        put_vec16(&mut out, |o| o.extend_from_slice(identity));
        put_vec24(&mut out, |o| {
            for certificate in &self.peer_certificates {
                put_vec24(o, |o| o.extend_from_slice(certificate));
            }
        });
        out
    }

    /// A session saved by [`SavedSession::to_bytes`]. Fails with NX_INVALID_PARAMETERS
    /// (0x4D) for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Result<SavedSession, Error> {
        SavedSession::decode(bytes).ok_or(Error::InvalidParameters(NOT_A_SAVED_SESSION))
    }

    fn decode(bytes: &[u8]) -> Option<SavedSession> {
        let mut r = Reader::new(bytes);
        if r.u8().ok()? != FORMAT_VERSION {
            return None;
        }
        let suite = CipherSuite::from_id(r.u16().ok()?)?;
        let group = match r.u16().ok()? {
            0 => None,
            id => Some(NamedGroup::from_id(id)?),
        };
        let id = r.vec8().ok()?.to_vec();
        if id.is_empty() || id.len() > MAX_SESSION_ID_LEN {
            return None;
        }
        let master = Zeroizing::new(r.array::<48>().ok()?);
        let name = core::str::from_utf8(r.vec8().ok()?).ok()?;
        let server_name = (!name.is_empty()).then(|| name.to_string());
        let has_identity = match r.u8().ok()? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let identity = r.vec16().ok()?;
        // One encoding per session: no identity is written as an empty one.
        if !has_identity && !identity.is_empty() {
            return None;
        }
        let psk_identity = has_identity.then(|| identity.to_vec());
        let mut chain = r.sub24().ok()?;
        let mut peer_certificates = Vec::new();
        while !chain.is_empty() {
            peer_certificates.push(chain.vec24().ok()?.to_vec());
        }
        r.expect_end().ok()?;
        Some(SavedSession {
            id,
            master,
            suite,
            group,
            server_name,
            psk_identity,
            peer_certificates,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// A secret with this ID and master secret bytes.
    fn secret(id: &[u8], master: u8) -> SessionSecret {
        SessionSecret::new(
            id,
            &MasterSecret::from_bytes(crate::PrfHash::Sha256, [master; 48]),
        )
        .unwrap()
    }

    fn saved() -> SavedSession {
        SavedSession::new(Established {
            secret: &secret(&[1; 32], 7),
            suite: CipherSuite::EcdheEcdsaAes128Ccm8,
            group: Some(NamedGroup::X25519),
            server_name: Some("device.example"),
            psk_identity: None,
            peer_certificates: &[vec![0x30, 1, 2], vec![0x30, 3]],
        })
    }

    #[test]
    fn a_saved_session_survives_its_bytes() {
        let session = saved();
        let bytes = session.to_bytes();
        assert_eq!(bytes[0], FORMAT_VERSION);
        let back = SavedSession::from_bytes(&bytes).unwrap();
        assert_eq!(back, session);
        // Another master secret alone makes another session.
        let mut other = session.clone();
        other.master = Zeroizing::new([8; 48]);
        assert_ne!(other, session);
        assert_eq!(back.master_secret().as_bytes(), &[7; 48]);
        assert_eq!(back.server_name(), Some("device.example"));
        assert_eq!(back.peer_certificates().len(), 2);

        let psk = SavedSession::new(Established {
            secret: &secret(&[9], 3),
            suite: CipherSuite::PskAes128Ccm8,
            group: None,
            server_name: None,
            psk_identity: Some(b""),
            peer_certificates: &[],
        });
        let back = SavedSession::from_bytes(&psk.to_bytes()).unwrap();
        // An empty identity is still an identity.
        assert_eq!(back.psk_identity(), Some(&b""[..]));
        assert_eq!(back, psk);
    }

    #[test]
    fn anything_but_a_saved_session_is_refused_with_invalid_parameters() {
        let bytes = saved().to_bytes();
        for cut in 0..bytes.len() {
            let error = SavedSession::from_bytes(&bytes[..cut]).unwrap_err();
            assert_eq!(error.status().code(), 0x4D, "cut at {cut}");
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!(SavedSession::from_bytes(&longer).is_err());
        let mut other_version = bytes.to_vec();
        other_version[0] = 2;
        assert!(SavedSession::from_bytes(&other_version).is_err());
        let mut unknown_suite = bytes.to_vec();
        unknown_suite[1..3].copy_from_slice(&0x0035u16.to_be_bytes());
        assert!(SavedSession::from_bytes(&unknown_suite).is_err());
        // No identity, but identity bytes: a second encoding of the same session.
        let no_identity = SavedSession::new(Established {
            secret: &secret(&[2], 1),
            suite: CipherSuite::PskAes128Ccm8,
            group: None,
            server_name: None,
            psk_identity: None,
            peer_certificates: &[],
        })
        .to_bytes();
        let flag = no_identity.len() - 6;
        assert_eq!(no_identity[flag..], [0, 0, 0, 0, 0, 0]);
        let mut smuggled = no_identity[..flag + 1].to_vec();
        smuggled.extend_from_slice(&[0, 1, b'x', 0, 0, 0]);
        assert!(SavedSession::from_bytes(&smuggled).is_err());
        assert!(SavedSession::from_bytes(&no_identity).is_ok());
        assert!(
            SavedSession::from_bytes(&[])
                .unwrap_err()
                .to_string()
                .contains("not a saved session")
        );
    }

    #[test]
    fn sessions_without_an_id_or_with_a_long_one_are_not_saved() {
        let master = MasterSecret::from_bytes(crate::PrfHash::Sha256, [7; 48]);
        assert!(SessionSecret::new(&[], &master).is_none());
        assert!(SessionSecret::new(&[0; 33], &master).is_none());
        assert!(SessionSecret::new(&[0; 32], &master).is_some());
    }

    #[test]
    fn debug_output_never_shows_the_master_secret() {
        let text = format!("{:?}", saved());
        assert!(text.contains("0101"));
        assert!(!text.contains("0707"), "{text}");
    }
}
