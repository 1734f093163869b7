//! The server side of the handshake, with the stateless cookie exchange of RFC 6347 §4.2.1:
//! nothing is kept for a client until its ClientHello carries a cookie that only we could
//! have made for its address. The suite is the first of the client's that we have
//! credentials for, the ECDHE group the first of the client's that we enable; with
//! ECDHE-ECDSA we sign our ephemeral key and, when client verification is on, ask for and
//! check the client's certificate. A ClientHello with the ID of a session the pool's
//! cache still holds gets the abbreviated handshake (see [`crate::resumption`]).

use super::flight::{FlightMessage, MAX_FLIGHT_MESSAGES};
use super::record_layer::plaintext_record;
use super::{Awaiting, Session};
use crate::crypto::ecdhe::{EphemeralKey, PeerShare};
use crate::crypto::{CookieJar, SignatureScheme, ec, psk_premaster_secret};
use crate::error::Error;
use crate::group::NamedGroup;
use crate::handshake::{
    CertificateRequest, CertificateVerify, ClientHelloView, ECDSA_SIGN, EcdheClientKeyExchange,
    EcdhePskClientKeyExchange, EcdhePskServerKeyExchange, EcdheServerKeyExchange, Extension,
    ExtensionBlock, ExtensionType, HandshakeType, HelloVerifyRequest, Message,
    PskClientKeyExchange, PskServerKeyExchange, RSA_SIGN, ServerHello, ServerHelloDone,
    TLS_EMPTY_RENEGOTIATION_INFO_SCSV, message_header, renegotiation_info_data, u8_list_data,
    u16_list_data,
};
use crate::record::{ContentType, DTLS_1_0, DTLS_1_2};
use crate::resumption::{MAX_SESSION_ID_LEN, SavedSession};
use crate::suite::{CipherSuite, KeyExchange};
use crate::time::Instant;
use crate::x509::{CertificateProblem, Purpose};
use zeroize::Zeroizing;

impl Session {
    /// Until a valid ClientHello arrives, every ClientHello starts reassembly afresh at
    /// its own message_seq: clients number their retries 0, 1, … and may repeat any.
    pub(super) fn prepare_for_client_hello(&mut self, message_seq: u16) {
        if self.reassembler.next_seq() != message_seq {
            self.reassembler.clear();
            self.reassembler.set_next_seq(message_seq);
        }
    }

    pub(super) fn server_message(
        &mut self,
        now: Instant,
        message: Message<'_>,
    ) -> Result<(), Error> {
        match (self.awaiting()?, message.msg_type) {
            (Awaiting::ClientHello, HandshakeType::CLIENT_HELLO) => {
                self.on_client_hello(now, &message)
            }
            (Awaiting::ClientCertificate, HandshakeType::CERTIFICATE) => {
                self.add_to_transcript(&message);
                self.on_client_certificate(&message.body)
            }
            (Awaiting::ClientKeyExchange, HandshakeType::CLIENT_KEY_EXCHANGE) => {
                self.add_to_transcript(&message);
                self.on_client_key_exchange(&message.body)
            }
            (Awaiting::CertificateVerify, HandshakeType::CERTIFICATE_VERIFY) => {
                // The signature covers every message before this one.
                self.on_certificate_verify(&message.body)?;
                self.add_to_transcript(&message);
                Ok(())
            }
            (Awaiting::Finished, HandshakeType::FINISHED) => {
                self.check_finished(b"client finished", &message.body)?;
                // In a resumption our Finished went first; the client's ends it.
                if !self.resumed {
                    self.send_final_flight(now, &message, b"server finished")?;
                }
                self.connected();
                Ok(())
            }
            (_, t) if t.name() == "unknown" => Err(Error::UnrecognizedMessageType(t.0)),
            (_, t) => Err(Error::UnexpectedMessage(t.name())),
        }
    }

    fn on_client_hello(&mut self, now: Instant, message: &Message<'_>) -> Result<(), Error> {
        // Every ClientHello moves our epoch-0 numbers past its own, so that nothing we
        // send next repeats a number the client has seen: a HelloVerifyRequest (ours, or
        // the pool's, sent statelessly) echoes its ClientHello's, and a client whose
        // replay window covers epoch 0 drops a repeat — GnuTLS does, and the handshake
        // then waits a second for our retransmission. OpenSSL's server continues from
        // the ClientHello's number too.
        self.records.skip_epoch0_sequence_past(self.record_sequence);
        let hello = ClientHelloView::read(&message.body)
            .map_err(|e| Error::IncorrectMessageLength("ClientHello", e))?;
        // A pool session has no jar: the pool verified this ClientHello's cookie.
        let cookie_ok = self
            .cookies
            .as_ref()
            .is_none_or(|jar| has_valid_cookie(jar, &self.peer, &hello));
        if !cookie_ok {
            self.send_hello_verify_request(&hello);
            return Ok(());
        }
        // DTLS version numbers count down: 0xFEFF is 1.0, 0xFEFD is 1.2.
        if hello.client_version > DTLS_1_2 {
            return Err(Error::UnsupportedVersion(hello.client_version));
        }
        if !hello.compression_methods.contains(&0) {
            return Err(Error::BadCompressionMethod);
        }
        let secure_renegotiation = match hello.extensions.find(ExtensionType::RENEGOTIATION_INFO) {
            Some(ext) => {
                let data = renegotiation_info_data(ext)
                    .map_err(|e| Error::IncorrectMessageLength("renegotiation_info", e))?;
                if !data.is_empty() {
                    return Err(Error::RenegotiationExtension);
                }
                true
            }
            None => hello
                .cipher_suites()
                .any(|s| s == TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
        };
        let ems = hello
            .extensions
            .contains(ExtensionType::EXTENDED_MASTER_SECRET);
        if !ems && self.config.require_extended_master_secret() {
            return Err(Error::ExtensionNotFound("extended_master_secret"));
        }
        let resumable = self.resumable_session(&hello, ems);
        let (suite, group) = match &resumable {
            Some(saved) => (saved.cipher_suite(), saved.group()),
            None => self.choose_suite(&hello)?,
        };

        let mut server_random = [0u8; 32];
        self.rng.fill(&mut server_random);
        let session_id = match &resumable {
            Some(saved) => saved.id().to_vec(),
            // Only sessions with the extended master secret are resumed (see
            // `resumption`), so only they get an ID.
            None if self.issue_session_ids && ems => {
                let mut id = vec![0u8; MAX_SESSION_ID_LEN];
                self.rng.fill(&mut id);
                id
            }
            None => Vec::new(),
        };
        let mut extensions = Vec::new();
        if secure_renegotiation {
            extensions.push(Extension::renegotiation_info(&[]));
        }
        if ems {
            extensions.push(Extension::extended_master_secret());
        }
        let ecdhe = suite.key_exchange().uses_ecdhe();
        // RFC 8422 §5.2: echo ec_point_formats only to a client that sent it.
        if ecdhe && hello.extensions.contains(ExtensionType::EC_POINT_FORMATS) {
            extensions.push(Extension::ec_point_formats_uncompressed());
        }
        let request_certificate = suite.key_exchange().uses_certificates()
            && resumable.is_none()
            && self.config.client_verify().is_some();
        if request_certificate && self.config.trusted_certificates().is_empty() {
            return Err(Error::certificate(
                CertificateProblem::NoTrustedCertificates,
                0,
            ));
        }
        self.suite = Some(suite);
        self.group = group.filter(|_| ecdhe);
        let hs = self.handshake_mut_or_new();
        hs.client_random = hello.random;
        hs.server_random = server_random;
        hs.suite = Some(suite);
        hs.transcript.settle(suite.prf_hash());
        hs.extended_master_secret = ems;
        hs.session_id.clone_from(&session_id);
        // Our numbering follows the client's: after its HelloVerifyRequest the client
        // expects our next message to carry the ClientHello's message_seq.
        hs.next_send_seq = message.message_seq;
        hs.transcript
            .add_message(message.msg_type, message.message_seq, &message.body);

        let server_hello = ServerHello {
            server_version: DTLS_1_2,
            random: server_random,
            session_id,
            cipher_suite: suite.id(),
            compression_method: 0,
            extensions,
        }
        .encode();
        let mut flight = Vec::with_capacity(MAX_FLIGHT_MESSAGES);
        flight.push(self.our_message(HandshakeType::SERVER_HELLO, server_hello));
        if let Some(saved) = resumable {
            // The abbreviated handshake: our Finished follows the ServerHello at once,
            // under keys from the saved master secret and the new randoms.
            self.resume(saved)?;
            self.change_cipher_spec_and_finished(b"server finished", &mut flight)?;
            if let Some(hs) = self.handshake.as_mut() {
                hs.step = Awaiting::Finished;
            }
            return self.send_flight(now, flight, true);
        }
        match (suite.key_exchange(), self.group) {
            (KeyExchange::EcdhePsk, Some(group)) => {
                flight.push(self.ecdhe_psk_server_key_exchange(group)?);
            }
            (_, Some(group)) => {
                flight.extend(self.ecdhe_server_messages(group, request_certificate)?);
            }
            (_, None) => flight.extend(self.psk_server_key_exchange()),
        }
        if let Some(hs) = self.handshake.as_mut() {
            hs.certificate_requested = request_certificate;
            hs.step = if request_certificate {
                Awaiting::ClientCertificate
            } else {
                Awaiting::ClientKeyExchange
            };
        }
        let done = ServerHelloDone.encode();
        flight.push(self.our_message(HandshakeType::SERVER_HELLO_DONE, done));
        self.send_flight(now, flight, true)
    }

    /// The saved session offered for this ClientHello's ID (the pool's cache entry, or
    /// one given to a standalone session), if it can be resumed: the client still
    /// offers its suite, we can still serve it, the extended master secret is on again
    /// (RFC 7627 §5.3), a PSK session's identity still has its key here (a removed key
    /// revokes its sessions too), and a server that now requires client certificates
    /// resumes only sessions whose client presented one.
    fn resumable_session(
        &mut self,
        hello: &ClientHelloView<'_>,
        ems: bool,
    ) -> Option<Box<SavedSession>> {
        let saved = self.resumption_offer.take()?;
        let suite = saved.cipher_suite();
        let usable = !hello.session_id.is_empty()
            && saved.id() == hello.session_id
            && ems
            && hello.cipher_suites().any(|s| s == suite.id())
            && self.config.is_usable(suite, true)
            && saved
                .psk_identity()
                .is_none_or(|id| self.config.psk_by_identity(id).is_some())
            && (suite.key_exchange().uses_psk()
                || self.config.client_verify().is_none()
                || !saved.peer_certificates().is_empty());
        usable.then_some(saved)
    }

    /// The first suite in the client's order that we can serve (the client's
    /// preference wins, as in most TLS servers by default), and the group an ECDHE suite
    /// would use. ECDHE suites also need a group both sides enable and uncompressed
    /// points; ECDHE_ECDSA also secp256r1 in the client's list and ECDSA with SHA-256.
    fn choose_suite(
        &self,
        hello: &ClientHelloView<'_>,
    ) -> Result<(CipherSuite, Option<NamedGroup>), Error> {
        let ours = self.config.usable_suites(true);
        if ours.is_empty() {
            return Err(Error::ServerWithoutCredentials);
        }
        let groups = EcdheGroups::of(&hello.extensions, self.config.groups())?;
        hello
            .cipher_suites()
            .filter_map(CipherSuite::from_id)
            .filter(|s| ours.contains(s))
            .find_map(|s| match s.key_exchange() {
                KeyExchange::Psk => Some((s, None)),
                KeyExchange::EcdhePsk => groups.unsigned.map(|g| (s, Some(g))),
                KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
                    groups.signed.map(|g| (s, Some(g)))
                }
            })
            .ok_or_else(|| no_common_suite(hello, &ours, &groups))
    }

    /// RFC 4279 §2: ServerKeyExchange only carries the hint, so it is sent only when
    /// there is one.
    fn psk_server_key_exchange(&mut self) -> Option<FlightMessage> {
        let hint = self.config.psks().first()?.hint().to_vec();
        if hint.is_empty() {
            return None;
        }
        let ske = PskServerKeyExchange {
            identity_hint: hint,
        }
        .encode();
        Some(self.our_message(HandshakeType::SERVER_KEY_EXCHANGE, ske))
    }

    /// ECDHE_PSK's ServerKeyExchange: our identity hint (possibly empty) and our
    /// ephemeral key, unsigned (RFC 5489 §2).
    fn ecdhe_psk_server_key_exchange(&mut self, group: NamedGroup) -> Result<FlightMessage, Error> {
        let key = EphemeralKey::generate(self.config.crypto_provider(), group, self.rng.as_mut())?;
        let ske = EcdhePskServerKeyExchange {
            identity_hint: self
                .config
                .psks()
                .first()
                .map(|p| p.hint().to_vec())
                .unwrap_or_default(),
            curve: group.id(),
            public: key.public_key()?,
        }
        .encode();
        if let Some(hs) = self.handshake.as_mut() {
            hs.ecdh_key = Some(key);
        }
        Ok(self.our_message(HandshakeType::SERVER_KEY_EXCHANGE, ske))
    }

    /// Certificate, the signed ServerKeyExchange (RFC 8422 §5.4) and, when client
    /// certificates are wanted, CertificateRequest.
    fn ecdhe_server_messages(
        &mut self,
        group: NamedGroup,
        request_certificate: bool,
    ) -> Result<Vec<FlightMessage>, Error> {
        let provider = self.config.crypto_provider();
        let private_key =
            self.config
                .local_identity()
                .map(|id| &id.key)
                .ok_or(Error::InvalidParameters(
                    "the server has no local certificate",
                ))?;
        let ecdh_key = EphemeralKey::generate(provider, group, self.rng.as_mut())?;
        let public = ecdh_key.public_key()?;
        let hs = self.handshake_ref()?;
        let mut signed = Vec::with_capacity(64 + 4 + public.len());
        signed.extend_from_slice(&hs.client_random);
        signed.extend_from_slice(&hs.server_random);
        signed.extend_from_slice(&EcdheServerKeyExchange::params(group.id(), &public));
        let ske = EcdheServerKeyExchange {
            curve: group.id(),
            public,
            scheme: SignatureScheme::EcdsaSecp256r1Sha256.id(),
            signature: ec::sign_with(provider, private_key, &signed)?,
        }
        .encode();
        if let Some(hs) = self.handshake.as_mut() {
            hs.ecdh_key = Some(ecdh_key);
        }
        let mut messages = vec![self.our_certificate(true)];
        messages.push(self.our_message(HandshakeType::SERVER_KEY_EXCHANGE, ske));
        if request_certificate {
            // No certificate_authorities: the client picks its identity itself, as
            // embedded clients usually have exactly one.
            let request = CertificateRequest {
                certificate_types: if cfg!(feature = "rsa") {
                    vec![RSA_SIGN, ECDSA_SIGN]
                } else {
                    vec![ECDSA_SIGN]
                },
                schemes: SignatureScheme::verifiable_ids(&SignatureScheme::transcript(
                    self.negotiated_suite()?.prf_hash(),
                )),
                authorities: Vec::new(),
            }
            .encode();
            messages.push(self.our_message(HandshakeType::CERTIFICATE_REQUEST, request));
        }
        Ok(messages)
    }

    /// Answers a ClientHello without a valid cookie. Nothing about the client is kept:
    /// the cookie lets us recognise its next ClientHello.
    fn send_hello_verify_request(&mut self, hello: &ClientHelloView<'_>) {
        let Some(cookies) = &self.cookies else {
            return;
        };
        let record = hello_verify_request_record(cookies, &self.peer, hello, self.record_sequence);
        self.queue_datagram(record);
    }

    /// The client's chain, verified against our trusted certificates. An empty chain
    /// is refused (by `verify_peer_chain`): we asked for a certificate because we
    /// require one.
    fn on_client_certificate(&mut self, body: &[u8]) -> Result<(), Error> {
        let max = self
            .config
            .client_verify()
            .unwrap_or(self.config.max_chain_len());
        self.verify_peer_chain(body, Purpose::ClientAuth, max)?;
        if let Some(hs) = self.handshake.as_mut() {
            hs.step = Awaiting::ClientKeyExchange;
        }
        Ok(())
    }

    fn on_client_key_exchange(&mut self, body: &[u8]) -> Result<(), Error> {
        let malformed = |e| Error::IncorrectMessageLength("ClientKeyExchange", e);
        let premaster = match self.key_exchange()? {
            KeyExchange::Psk => {
                let cke = PskClientKeyExchange::decode(body).map_err(malformed)?;
                self.psk_premaster(cke.identity, None)?
            }
            KeyExchange::EcdhePsk => {
                let cke = EcdhePskClientKeyExchange::decode(body).map_err(malformed)?;
                let shared = self.agree_with_client(&cke.public)?;
                self.psk_premaster(cke.identity, Some(&shared))?
            }
            // A server negotiates ECDHE_ECDSA only; the ClientKeyExchange is the same.
            KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
                let cke = EcdheClientKeyExchange::decode(body).map_err(malformed)?;
                self.agree_with_client(&cke.public)?
            }
        };
        self.derive_keys(&premaster)?;
        if let Some(hs) = self.handshake.as_mut() {
            // A client that sent a certificate proves it owns it next.
            hs.step = if hs.peer_key.is_some() {
                Awaiting::CertificateVerify
            } else {
                Awaiting::Finished
            };
        }
        // The client's flight answered ours: stop repeating it.
        if let Some(f) = self.flight.as_mut() {
            f.disarm();
        }
        Ok(())
    }

    /// The premaster secret with the key of the client's PSK identity (which the session
    /// keeps), and the ECDH shared secret with ECDHE_PSK.
    fn psk_premaster(
        &mut self,
        identity: Vec<u8>,
        ecdh_shared: Option<&[u8]>,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let psk = self
            .config
            .psk_by_identity(&identity)
            .ok_or_else(|| Error::no_matching_psk(&identity))?;
        let premaster = psk_premaster_secret(ecdh_shared, psk.key());
        self.psk_identity = Some(identity);
        Ok(premaster)
    }

    /// The ECDH shared secret of our ephemeral key and the client's `public` key.
    fn agree_with_client(&mut self, public: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let group = self.group.ok_or(Error::InvalidState(
            "no ECDHE group chosen for this handshake",
        ))?;
        let client_share = PeerShare::decode(group, public)?;
        let our_key = self
            .handshake
            .as_mut()
            .and_then(|h| h.ecdh_key.take())
            .ok_or(Error::InvalidState("no ephemeral key for this handshake"))?;
        our_key.premaster_secret(&client_share)
    }

    /// Checks the client's signature over the transcript so far with the key of its
    /// verified certificate (RFC 5246 §7.4.8).
    fn on_certificate_verify(&mut self, body: &[u8]) -> Result<(), Error> {
        let cv = CertificateVerify::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("CertificateVerify", e))?;
        let hs = self.handshake_ref()?;
        let client_key = hs.peer_key.as_ref().ok_or(Error::UnexpectedMessage(
            "CertificateVerify without a certificate",
        ))?;
        // Only a scheme our CertificateRequest listed (RFC 5246 §7.4.8), the transcript
        // hashed with its hash.
        let scheme = SignatureScheme::transcript(self.negotiated_suite()?.prf_hash())
            .into_iter()
            .find(|s| s.id() == cv.scheme)
            .ok_or(Error::CertificateVerifyFailed)?;
        let hash = scheme
            .transcript_hash()
            .ok_or(Error::CertificateVerifyFailed)?;
        let digest = hs.transcript_hash(hash)?;
        if !scheme.verify_digest(client_key, &digest, &cv.signature) {
            return Err(Error::CertificateVerifyFailed);
        }
        if let Some(hs) = self.handshake.as_mut() {
            hs.step = Awaiting::Finished;
        }
        Ok(())
    }
}

/// The groups the ECDHE suites would use with a ClientHello: the first group in the
/// client's supported_groups that we enable (`ours`), or `None` where its extensions
/// rule those suites out. An absent supported_groups or ec_point_formats means
/// "anything" (RFC 8422 §4) — we then take secp256r1 if we enable it, the curve every
/// ECC client has, else our first.
struct EcdheGroups {
    /// For ECDHE_ECDSA. Before TLS 1.3 supported_groups also names the curves the
    /// client takes certificates on (RFC 4492 §4, RFC 8446 §4.2.7), so it must hold
    /// secp256r1, our certificates' curve, whatever the key exchange uses; and an absent
    /// signature_algorithms means SHA-1 only (RFC 5246 §7.4.1.4.1), which we do not
    /// sign.
    signed: Option<NamedGroup>,
    /// For ECDHE_PSK, which involves no certificate or signature.
    unsigned: Option<NamedGroup>,
}

impl EcdheGroups {
    fn of(extensions: &ExtensionBlock<'_>, ours: &[NamedGroup]) -> Result<EcdheGroups, Error> {
        let malformed = |name| move |e| Error::IncorrectMessageLength(name, e);
        let (group, takes_our_certificate) = match extensions.find(ExtensionType::SUPPORTED_GROUPS)
        {
            Some(ext) => {
                let offered = || u16_list_data(ext).map_err(malformed("supported_groups"));
                let group = offered()?
                    .filter_map(NamedGroup::from_id)
                    .find(|g| ours.contains(g));
                (group, offered()?.any(|g| g == NamedGroup::Secp256r1.id()))
            }
            None => {
                let group = ours
                    .iter()
                    .find(|g| **g == NamedGroup::Secp256r1)
                    .or(ours.first())
                    .copied();
                (group, true)
            }
        };
        let formats_ok = match extensions.find(ExtensionType::EC_POINT_FORMATS) {
            // 0 is "uncompressed" (RFC 8422 §5.1.2).
            Some(ext) => u8_list_data(ext)
                .map_err(malformed("ec_point_formats"))?
                .contains(&0),
            None => true,
        };
        let signatures_ok = match extensions.find(ExtensionType::SIGNATURE_ALGORITHMS) {
            Some(ext) => u16_list_data(ext)
                .map_err(malformed("signature_algorithms"))?
                .any(|s| s == SignatureScheme::EcdsaSecp256r1Sha256.id()),
            None => false,
        };
        let unsigned = group.filter(|_| formats_ok);
        Ok(EcdheGroups {
            signed: unsigned.filter(|_| takes_our_certificate && signatures_ok),
            unsigned,
        })
    }
}

/// Whether `hello` carries the cookie `cookies` makes for it and `peer` (a cookie of
/// another length, as every first ClientHello's, is refused without an HMAC).
pub(crate) fn has_valid_cookie(
    cookies: &CookieJar,
    peer: &[u8],
    hello: &ClientHelloView<'_>,
) -> bool {
    cookies.verify(peer, &hello.cookie_input(), hello.cookie)
}

/// A HelloVerifyRequest for `hello` from `peer`, as a complete plaintext record. The
/// record echoes the ClientHello's record sequence number and the message carries
/// DTLS 1.0's version number, as RFC 6347 §4.2.1 asks of a stateless server.
pub(crate) fn hello_verify_request_record(
    cookies: &CookieJar,
    peer: &[u8],
    hello: &ClientHelloView<'_>,
    client_hello_record_sequence: u64,
) -> Vec<u8> {
    let cookie = cookies.compute(peer, &hello.cookie_input());
    let body = HelloVerifyRequest {
        server_version: DTLS_1_0,
        cookie: cookie.to_vec(),
    }
    .encode();
    let header = message_header(HandshakeType::HELLO_VERIFY_REQUEST, 0, body.len());
    plaintext_record(
        ContentType::HANDSHAKE,
        client_hello_record_sequence,
        &[&header.to_bytes(), &body],
    )
}

/// [`Error::NoSupportedCiphers`] for this ClientHello: what the client offered (the
/// suites this engine knows by name, the others counted, and why its ECDHE ones could
/// not be served if `groups` says so) and what this server accepts, so an operator sees
/// the mismatch without a packet capture.
fn no_common_suite(
    hello: &ClientHelloView<'_>,
    ours: &[CipherSuite],
    groups: &EcdheGroups,
) -> Error {
    // Signalling values are not suites (RFC 5746 §3.3, RFC 7507 §3).
    const SIGNALS: [u16; 2] = [0x00FF, 0x5600];
    let names = |suites: &[CipherSuite]| {
        suites
            .iter()
            .map(|s| s.iana_name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let known: Vec<CipherSuite> = hello
        .cipher_suites()
        .filter_map(CipherSuite::from_id)
        .collect();
    let listed = hello
        .cipher_suites()
        .filter(|id| !SIGNALS.contains(id))
        .count();
    let unimplemented = match listed.saturating_sub(known.len()) {
        0 => None,
        1 => Some("1 suite this engine does not implement".to_string()),
        others => Some(format!("{others} suites this engine does not implement")),
    };
    let mut offered = match (known.is_empty(), unimplemented) {
        (true, None) => "no cipher suite".to_string(),
        (true, Some(unimplemented)) => unimplemented,
        (false, None) => names(&known),
        (false, Some(unimplemented)) => format!("{} and {unimplemented}", names(&known)),
    };
    let offers = |kx| known.iter().any(|s| s.key_exchange() == kx);
    if groups.signed.is_none() && offers(KeyExchange::EcdheEcdsa) {
        offered.push_str(
            " (its ECDHE suites without secp256r1 for our certificate, a group we enable for the key exchange, uncompressed points or ECDSA with SHA-256)",
        );
    }
    if groups.unsigned.is_none() && offers(KeyExchange::EcdhePsk) {
        offered
            .push_str(" (its ECDHE_PSK suites without a group we enable or uncompressed points)");
    }
    Error::NoSupportedCiphers {
        offered,
        accepted: names(ours),
    }
}
