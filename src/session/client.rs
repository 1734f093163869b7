//! The client side of the handshake (RFC 6347 §4.2; PSK: RFC 4279 §2; ECDHE-ECDSA and
//! ECDHE_RSA: RFC 8422 §2.2–2.3 and RFC 5246 §7.4):
//!
//! ```text
//! ClientHello            -->
//!                        <--  HelloVerifyRequest (cookie)
//! ClientHello (cookie)   -->
//!                        <--  ServerHello, [Certificate], [ServerKeyExchange],
//!                             [CertificateRequest], ServerHelloDone
//! [Certificate], ClientKeyExchange, [CertificateVerify],
//! ChangeCipherSpec, Finished -->
//!                        <--  ChangeCipherSpec, Finished
//! ```
//!
//! With PSK the ServerKeyExchange only carries an identity hint; with ECDHE it carries
//! the server's ephemeral key, signed with its certificate's key. A ClientHello that
//! offers a saved session may get the abbreviated handshake instead (see
//! [`crate::resumption`]): the server's ChangeCipherSpec and Finished follow its
//! ServerHello, and ours end the handshake.

use super::flight::MAX_FLIGHT_MESSAGES;
use super::{Awaiting, Role, Session};
use crate::crypto::ecdhe::{EphemeralKey, PeerShare};
use crate::crypto::{SignatureScheme, ec, psk_premaster_secret};
use crate::error::Error;
use crate::group::NamedGroup;
use crate::handshake::{
    CertificateRequest, CertificateVerify, ClientHello, ECDSA_SIGN, EcdheClientKeyExchange,
    EcdhePskClientKeyExchange, EcdhePskServerKeyExchange, EcdheServerKeyExchange, Extension,
    ExtensionType, HandshakeType, HelloVerifyRequest, Message, PskClientKeyExchange,
    PskServerKeyExchange, ServerHelloDone, ServerHelloView, renegotiation_info_data,
};
use crate::record::DTLS_1_2;
use crate::suite::{CipherSuite, KeyExchange};
use crate::time::Instant;
use crate::x509::{CertificateProblem, KeyKind, PublicKey, Purpose};
use zeroize::Zeroizing;

/// How many different cookies a client accepts in one handshake: a cookie secret may
/// rotate between two ClientHellos, but a server that never accepts its own cookie is
/// broken or hostile.
const MAX_HELLO_VERIFY_REQUESTS: u8 = 4;

/// Why a client asked for its certificate sent an empty Certificate message (RFC 5246
/// §7.4.6).
pub(super) enum WhyNoCertificate {
    /// It has none (no local certificate is configured).
    NoneConfigured,
    /// The server's CertificateRequest does not take its kind.
    NotTaken,
}

impl Session {
    /// Why this client sent no certificate when the server asked for one, if it did.
    pub(super) fn certificate_we_did_not_send(&self) -> Option<WhyNoCertificate> {
        let hs = self.handshake.as_deref()?;
        if self.role != Role::Client || !hs.certificate_requested {
            return None;
        }
        if self.config.local_identity().is_none() {
            Some(WhyNoCertificate::NoneConfigured)
        } else if !hs.our_certificate_taken {
            Some(WhyNoCertificate::NotTaken)
        } else {
            None
        }
    }

    /// Sends the first ClientHello (no cookie).
    pub(super) fn send_client_hello(&mut self, now: Instant) -> Result<(), Error> {
        let mut random = [0u8; 32];
        self.rng.fill(&mut random);
        let suites = self.config.usable_suites(false);
        let mut extensions = vec![
            Extension::extended_master_secret(),
            // RFC 5746 §3.4: an empty renegotiation_info on the initial handshake.
            Extension::renegotiation_info(&[]),
        ];
        if suites.iter().any(|s| s.key_exchange().uses_ecdhe()) {
            let groups: Vec<u16> = self.config.groups().iter().map(|g| g.id()).collect();
            extensions.push(Extension::supported_groups(&groups));
            extensions.push(Extension::ec_point_formats_uncompressed());
        }
        if suites.iter().any(|s| s.key_exchange().uses_certificates()) {
            // Every scheme we verify, whatever the suites: it also names the signatures
            // we take on the server's certificates (RFC 5246 §7.4.2).
            let schemes = SignatureScheme::verifiable_ids(&SignatureScheme::ALL);
            extensions.push(Extension::signature_algorithms(&schemes));
        }
        if let Some(name) = self.config.server_name()
            && name.parse::<core::net::IpAddr>().is_err()
        {
            // RFC 6066 §3: literal IP addresses are not sent as server_name.
            extensions.push(Extension::server_name(name));
        }
        // A saved session is offered only where it can be resumed (RFC 6066 §3: the
        // server name must match; RFC 5246 §7.4.1.2: the suite must be offered).
        let server_name = self.config.server_name();
        self.resumption_offer = self
            .resumption_offer
            .take()
            .filter(|s| suites.contains(&s.cipher_suite()) && s.server_name() == server_name);
        let session_id = self
            .resumption_offer
            .as_ref()
            .map(|s| s.id().to_vec())
            .unwrap_or_default();
        let hello = ClientHello {
            client_version: DTLS_1_2,
            random,
            session_id,
            cookie: Vec::new(),
            cipher_suites: suites.iter().map(|s| s.id()).collect(),
            compression_methods: vec![0],
            extensions,
        };
        let hs = self.handshake_mut_or_new();
        hs.step = Awaiting::ServerHello;
        hs.client_random = random;
        self.send_hello(now, hello)
    }

    /// Sends `hello` as a flight of its own. The transcript starts with the ClientHello
    /// that gets an answer, so every ClientHello restarts it (RFC 6347 §4.2.1).
    fn send_hello(&mut self, now: Instant, hello: ClientHello) -> Result<(), Error> {
        let body = hello.encode();
        let hs = self.handshake_mut_or_new();
        hs.transcript = super::Transcript::default();
        hs.client_hello = Some(hello);
        let message = self.our_message(HandshakeType::CLIENT_HELLO, body);
        self.send_flight(now, vec![message], true)
    }

    pub(super) fn client_message(
        &mut self,
        now: Instant,
        message: Message<'_>,
    ) -> Result<(), Error> {
        match (self.awaiting()?, message.msg_type) {
            // A fragmented HelloVerifyRequest (the whole ones are taken on arrival).
            (Awaiting::ServerHello, HandshakeType::HELLO_VERIFY_REQUEST) => {
                self.on_hello_verify_request(now, &message.body)
            }
            (Awaiting::ServerHello, HandshakeType::SERVER_HELLO) => {
                self.add_to_transcript(&message);
                self.on_server_hello(&message.body)
            }
            (Awaiting::ServerHelloDone, HandshakeType::CERTIFICATE)
                if self.key_exchange()?.uses_certificates() =>
            {
                self.add_to_transcript(&message);
                let max = self.config.max_chain_len();
                self.verify_peer_chain(&message.body, Purpose::ServerAuth, max)?;
                self.check_server_key_fits_suite()
            }
            (Awaiting::ServerHelloDone, HandshakeType::SERVER_KEY_EXCHANGE) => {
                self.add_to_transcript(&message);
                match self.key_exchange()? {
                    KeyExchange::Psk => self.on_psk_server_key_exchange(&message.body),
                    KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
                        self.on_ecdhe_server_key_exchange(&message.body)
                    }
                    KeyExchange::EcdhePsk => self.on_ecdhe_psk_server_key_exchange(&message.body),
                }
            }
            (Awaiting::ServerHelloDone, HandshakeType::CERTIFICATE_REQUEST)
                if self.key_exchange()?.uses_certificates() =>
            {
                self.add_to_transcript(&message);
                let request = CertificateRequest::decode(&message.body)
                    .map_err(|e| Error::IncorrectMessageLength("CertificateRequest", e))?;
                // Ours is a P-256 certificate, and we sign with SHA-256 (RFC 5246 §7.4.4).
                let ecdsa = SignatureScheme::EcdsaSecp256r1Sha256.id();
                let taken = request.certificate_types.contains(&ECDSA_SIGN)
                    && request.schemes.contains(&ecdsa);
                if let Some(hs) = self.handshake.as_mut() {
                    hs.certificate_requested = true;
                    hs.our_certificate_taken = taken;
                }
                Ok(())
            }
            (Awaiting::ServerHelloDone, HandshakeType::SERVER_HELLO_DONE) => {
                ServerHelloDone::decode(&message.body)
                    .map_err(|e| Error::IncorrectMessageLength("ServerHelloDone", e))?;
                self.add_to_transcript(&message);
                match self.key_exchange()? {
                    KeyExchange::Psk | KeyExchange::EcdhePsk => self.send_psk_client_flight(now),
                    KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
                        self.send_ecdhe_client_flight(now)
                    }
                }
            }
            (Awaiting::Finished, HandshakeType::FINISHED) => {
                self.check_finished(b"server finished", &message.body)?;
                // In a resumption the server's Finished comes first, and ours ends it.
                if self.resumed {
                    self.send_final_flight(now, &message, b"client finished")?;
                }
                self.connected();
                Ok(())
            }
            (_, t) if t.name() == "unknown" => Err(Error::UnrecognizedMessageType(t.0)),
            (_, t) => Err(Error::UnexpectedMessage(t.name())),
        }
    }

    pub(super) fn add_to_transcript(&mut self, message: &Message<'_>) {
        if let Some(hs) = self.handshake.as_mut() {
            hs.transcript
                .add_message(message.msg_type, message.message_seq, &message.body);
        }
    }

    /// Repeats the ClientHello with the server's cookie. The same cookie again means
    /// the server did not get our second ClientHello: send it again. A server that keeps
    /// changing its cookie is given up on after a few rounds.
    pub(super) fn on_hello_verify_request(
        &mut self,
        now: Instant,
        body: &[u8],
    ) -> Result<(), Error> {
        let hvr = HelloVerifyRequest::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("HelloVerifyRequest", e))?;
        let hs = self.handshake.as_mut().ok_or(Error::InvalidState(
            "HelloVerifyRequest without a handshake",
        ))?;
        let same_cookie = hs
            .client_hello
            .as_ref()
            .is_some_and(|h| !h.cookie.is_empty() && h.cookie == hvr.cookie);
        if same_cookie {
            return self.peer_repeated_flight(now);
        }
        hs.hello_verify_requests += 1;
        if hs.hello_verify_requests > MAX_HELLO_VERIFY_REQUESTS {
            return Err(Error::HandshakeFailure(
                "the server answered every ClientHello with a new HelloVerifyRequest",
            ));
        }
        let mut hello = hs.client_hello.take().ok_or(Error::InvalidState(
            "HelloVerifyRequest without a ClientHello",
        ))?;
        hello.cookie = hvr.cookie;
        self.send_hello(now, hello)
    }

    fn on_server_hello(&mut self, body: &[u8]) -> Result<(), Error> {
        let sh = ServerHelloView::read(body)
            .map_err(|e| Error::IncorrectMessageLength("ServerHello", e))?;
        if sh.server_version != DTLS_1_2 {
            return Err(Error::UnsupportedVersion(sh.server_version));
        }
        let suite = CipherSuite::from_id(sh.cipher_suite)
            .filter(|s| self.config.is_usable(*s, false))
            .ok_or(Error::UnknownCiphersuite(sh.cipher_suite))?;
        if sh.compression_method != 0 {
            return Err(Error::BadCompressionMethod);
        }
        for (extension_type, _) in sh.extensions.iter() {
            // RFC 5246 §7.4.1.4: a server may only answer extensions we sent.
            let offered = [
                ExtensionType::EXTENDED_MASTER_SECRET,
                ExtensionType::RENEGOTIATION_INFO,
                ExtensionType::EC_POINT_FORMATS,
                // RFC 6066 §3: a server may acknowledge server_name with an empty one.
                ExtensionType::SERVER_NAME,
            ];
            if !offered.contains(&extension_type) {
                return Err(Error::HandshakeFailure(
                    "the server answered an extension the client did not offer",
                ));
            }
        }
        if let Some(ext) = sh.extensions.find(ExtensionType::RENEGOTIATION_INFO) {
            let data = renegotiation_info_data(ext)
                .map_err(|e| Error::IncorrectMessageLength("renegotiation_info", e))?;
            if !data.is_empty() {
                return Err(Error::RenegotiationExtension);
            }
        }
        let ems = sh
            .extensions
            .contains(ExtensionType::EXTENDED_MASTER_SECRET);
        if !ems && self.config.require_extended_master_secret() {
            return Err(Error::ExtensionNotFound("extended_master_secret"));
        }
        // The server resumes the session we offered by echoing its ID (RFC 5246
        // §7.4.1.3); any other ID is a new session.
        let offer = self.resumption_offer.take();
        let resumed = offer.filter(|s| !sh.session_id.is_empty() && s.id() == sh.session_id);
        if let Some(saved) = &resumed {
            if saved.cipher_suite() != suite {
                return Err(Error::HandshakeFailure(
                    "the server resumed the session with another cipher suite than it was made with",
                ));
            }
            // RFC 7627 §5.3: the session was made with the extended master secret.
            if !ems {
                return Err(Error::ExtensionNotFound("extended_master_secret"));
            }
        }
        self.suite = Some(suite);
        if let Some(hs) = self.handshake.as_mut() {
            hs.server_random = sh.random;
            hs.suite = Some(suite);
            hs.transcript.settle(suite.prf_hash());
            hs.extended_master_secret = ems;
            hs.session_id = sh.session_id.to_vec();
            hs.step = if resumed.is_some() {
                Awaiting::Finished
            } else {
                Awaiting::ServerHelloDone
            };
            // The server answered: our ClientHello flight needs no more repeats.
            hs.client_hello = None;
        }
        if let Some(f) = self.flight.as_mut() {
            f.disarm();
        }
        match resumed {
            Some(saved) => self.resume(saved),
            None => Ok(()),
        }
    }

    fn on_psk_server_key_exchange(&mut self, body: &[u8]) -> Result<(), Error> {
        let ske = PskServerKeyExchange::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("ServerKeyExchange", e))?;
        if let Some(hs) = self.handshake.as_mut() {
            hs.psk_hint = ske.identity_hint;
        }
        Ok(())
    }

    /// The identity hint and the server's ephemeral key, unsigned: the PSK proves the
    /// server through the premaster secret (RFC 5489 §2).
    fn on_ecdhe_psk_server_key_exchange(&mut self, body: &[u8]) -> Result<(), Error> {
        let ske = EcdhePskServerKeyExchange::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("ServerKeyExchange", e))?;
        let group = self.offered_group(ske.curve)?;
        let share = PeerShare::decode(group, &ske.public)?;
        if let Some(hs) = self.handshake.as_mut() {
            hs.psk_hint = ske.identity_hint;
            hs.peer_ecdh = Some(share);
        }
        self.group = Some(group);
        Ok(())
    }

    /// The group of the server's ephemeral key, which must be one we offered (RFC 8422
    /// §5.4).
    fn offered_group(&self, curve: u16) -> Result<NamedGroup, Error> {
        NamedGroup::from_id(curve)
            .filter(|g| self.config.groups().contains(g))
            .ok_or(Error::UnsupportedCurve)
    }

    /// An ECDHE_ECDSA suite needs a server certificate with a P-256 key, an ECDHE_RSA
    /// one a certificate with an RSA key (RFC 8422 §5.3, RFC 5246 §7.4.2).
    fn check_server_key_fits_suite(&self) -> Result<(), Error> {
        let wanted = match self.key_exchange()? {
            KeyExchange::EcdheRsa => KeyKind::Rsa,
            _ => KeyKind::EcdsaP256,
        };
        let has = self.handshake_ref()?.peer_key.as_ref().map(PublicKey::kind);
        if has == Some(wanted) {
            return Ok(());
        }
        let suite = self.suite.map_or("", CipherSuite::iana_name);
        let has = has.map_or("no key".to_string(), |kind| kind.to_string());
        Err(Error::BadCertificate {
            problem: CertificateProblem::KeyNotForSuite,
            index: 0,
            detail: Some(format!(
                "the server chose {suite}, which needs {wanted}, but its certificate has {has}"
            )),
        })
    }

    /// Checks the server's signature over the randoms and its ephemeral point with the
    /// key of its (already verified) certificate, in one of the schemes we offered.
    fn on_ecdhe_server_key_exchange(&mut self, body: &[u8]) -> Result<(), Error> {
        let ske = EcdheServerKeyExchange::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("ServerKeyExchange", e))?;
        let provider = self.config.crypto_provider();
        let group = self.offered_group(ske.curve)?;
        let hs = self
            .handshake
            .as_mut()
            .ok_or(Error::InvalidState("no handshake in progress"))?;
        let server_key = hs.peer_key.as_ref().ok_or(Error::UnexpectedMessage(
            "ServerKeyExchange before Certificate",
        ))?;
        let scheme = SignatureScheme::from_id(ske.scheme).ok_or(Error::SignatureVerification)?;
        let mut signed = Vec::with_capacity(64 + 4 + ske.public.len());
        signed.extend_from_slice(&hs.client_random);
        signed.extend_from_slice(&hs.server_random);
        signed.extend_from_slice(&EcdheServerKeyExchange::params(ske.curve, &ske.public));
        if !scheme.verify(provider, server_key, &signed, &ske.signature) {
            return Err(Error::SignatureVerification);
        }
        hs.peer_ecdh = Some(PeerShare::decode(group, &ske.public)?);
        self.group = Some(group);
        Ok(())
    }

    /// A new ephemeral key on the group of the server's share: its public half, for
    /// ClientKeyExchange, and the ECDH shared secret.
    fn agree_with_server(&mut self) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
        let server_share = self
            .handshake_ref()?
            .peer_ecdh
            .ok_or(Error::UnexpectedMessage(
                "ServerHelloDone before ServerKeyExchange",
            ))?;
        let key = EphemeralKey::generate(
            self.config.crypto_provider(),
            server_share.group(),
            self.rng.as_mut(),
        )?;
        let public = key.public_key()?;
        Ok((public, key.premaster_secret(&server_share)?))
    }

    /// Sends [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec
    /// and Finished.
    fn send_ecdhe_client_flight(&mut self, now: Instant) -> Result<(), Error> {
        let (public, shared) = self.agree_with_server()?;
        let hs = self.handshake_ref()?;
        let requested = hs.certificate_requested;
        let present = requested && hs.our_certificate_taken;
        let mut flight = Vec::with_capacity(MAX_FLIGHT_MESSAGES);
        if requested {
            flight.push(self.our_certificate(present));
        }
        let cke = EcdheClientKeyExchange { public }.encode();
        flight.push(self.our_message(HandshakeType::CLIENT_KEY_EXCHANGE, cke));
        self.derive_keys(&shared)?;
        if present && let Some(identity) = self.config.local_identity() {
            let digest = self.handshake_ref()?.transcript.sha256();
            let signature = ec::sign_digest(identity.key.signing_key(), &digest)?;
            let cv = CertificateVerify {
                scheme: SignatureScheme::EcdsaSecp256r1Sha256.id(),
                signature,
            }
            .encode();
            flight.push(self.our_message(HandshakeType::CERTIFICATE_VERIFY, cv));
        }
        self.change_cipher_spec_and_finished(b"client finished", &mut flight)?;
        if let Some(hs) = self.handshake.as_mut() {
            hs.step = Awaiting::Finished;
        }
        self.send_flight(now, flight, true)
    }

    /// Sends ClientKeyExchange (the PSK's identity; with ECDHE_PSK our ephemeral key
    /// too), ChangeCipherSpec and Finished.
    fn send_psk_client_flight(&mut self, now: Instant) -> Result<(), Error> {
        let agreed = match self.key_exchange()? {
            KeyExchange::EcdhePsk => Some(self.agree_with_server()?),
            _ => None,
        };
        let hint = self.handshake.as_ref().map_or(&[][..], |h| &h.psk_hint);
        let psk = self
            .config
            .psk_for_hint(hint)
            .ok_or(Error::InvalidParameters("no pre-shared key configured"))?;
        let identity = psk.identity().to_vec();
        let (body, premaster) = match agreed {
            Some((public, shared)) => {
                let cke = EcdhePskClientKeyExchange {
                    identity: identity.clone(),
                    public,
                };
                (cke.encode(), psk_premaster_secret(Some(&shared), psk.key()))
            }
            None => {
                let cke = PskClientKeyExchange {
                    identity: identity.clone(),
                };
                (cke.encode(), psk_premaster_secret(None, psk.key()))
            }
        };
        self.psk_identity = Some(identity);
        let cke = self.our_message(HandshakeType::CLIENT_KEY_EXCHANGE, body);
        self.derive_keys(&premaster)?;
        let mut flight = Vec::with_capacity(MAX_FLIGHT_MESSAGES);
        flight.push(cke);
        self.change_cipher_spec_and_finished(b"client finished", &mut flight)?;
        if let Some(hs) = self.handshake.as_mut() {
            hs.step = Awaiting::Finished;
        }
        self.send_flight(now, flight, true)
    }
}
