//! The client side of the PSK handshake (RFC 6347 §4.2, RFC 4279 §2):
//!
//! ```text
//! ClientHello            -->
//!                        <--  HelloVerifyRequest (cookie)
//! ClientHello (cookie)   -->
//!                        <--  ServerHello, [ServerKeyExchange (hint)], ServerHelloDone
//! ClientKeyExchange (identity), ChangeCipherSpec, Finished -->
//!                        <--  ChangeCipherSpec, Finished
//! ```

use super::{Awaiting, Session};
use crate::crypto::psk_premaster_secret;
use crate::error::Error;
use crate::handshake::{
    ClientHello, Extension, ExtensionType, HandshakeType, HelloVerifyRequest, Message,
    PskClientKeyExchange, PskServerKeyExchange, ServerHello, ServerHelloDone, encode_message,
    find_extension, renegotiation_info_data,
};
use crate::record::DTLS_1_2;
use crate::suite::CipherSuite;
use crate::time::Instant;

impl Session {
    /// Sends the first ClientHello (no cookie).
    pub(super) fn send_client_hello(&mut self, now: Instant) -> Result<(), Error> {
        let mut random = [0u8; 32];
        self.rng.fill(&mut random);
        let hello = ClientHello {
            client_version: DTLS_1_2,
            random,
            session_id: Vec::new(),
            cookie: Vec::new(),
            cipher_suites: self.config.cipher_suites().iter().map(|s| s.id()).collect(),
            compression_methods: vec![0],
            extensions: vec![
                Extension::extended_master_secret(),
                // RFC 5746 §3.4: an empty renegotiation_info on the initial handshake.
                Extension::renegotiation_info(&[]),
            ],
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

    pub(super) fn client_message(&mut self, now: Instant, message: Message) -> Result<(), Error> {
        match (self.awaiting()?, message.msg_type) {
            (Awaiting::ServerHello, HandshakeType::HELLO_VERIFY_REQUEST) => {
                self.on_hello_verify_request(now, &message.body)
            }
            (Awaiting::ServerHello, HandshakeType::SERVER_HELLO) => {
                self.add_to_transcript(&message);
                self.on_server_hello(&message.body)
            }
            (Awaiting::ServerHelloDone, HandshakeType::SERVER_KEY_EXCHANGE) => {
                self.add_to_transcript(&message);
                let ske = PskServerKeyExchange::decode(&message.body)
                    .map_err(|e| Error::IncorrectMessageLength("ServerKeyExchange", e))?;
                if let Some(hs) = self.handshake.as_mut() {
                    hs.psk_hint = ske.identity_hint;
                }
                Ok(())
            }
            (Awaiting::ServerHelloDone, HandshakeType::SERVER_HELLO_DONE) => {
                ServerHelloDone::decode(&message.body)
                    .map_err(|e| Error::IncorrectMessageLength("ServerHelloDone", e))?;
                self.add_to_transcript(&message);
                self.send_client_key_exchange(now)
            }
            (Awaiting::Finished, HandshakeType::FINISHED) => {
                self.check_finished(b"server finished", &message.body)?;
                self.connected();
                Ok(())
            }
            (_, HandshakeType::CERTIFICATE | HandshakeType::CERTIFICATE_REQUEST) => Err(
                Error::HandshakeFailure("certificate handshakes are not implemented yet"),
            ),
            (_, t) if t.name() == "unknown" => Err(Error::UnrecognizedMessageType(t.0)),
            (_, t) => Err(Error::UnexpectedMessage(t.name())),
        }
    }

    pub(super) fn add_to_transcript(&mut self, message: &Message) {
        if let Some(hs) = self.handshake.as_mut() {
            hs.transcript.update(&encode_message(
                message.msg_type,
                message.message_seq,
                &message.body,
            ));
        }
    }

    /// Repeats the ClientHello with the server's cookie.
    fn on_hello_verify_request(&mut self, now: Instant, body: &[u8]) -> Result<(), Error> {
        let hvr = HelloVerifyRequest::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("HelloVerifyRequest", e))?;
        let mut hello = self
            .handshake
            .as_mut()
            .and_then(|h| h.client_hello.take())
            .ok_or(Error::InvalidState(
                "HelloVerifyRequest without a ClientHello",
            ))?;
        hello.cookie = hvr.cookie;
        // A stateless server may number its records from the ClientHello's sequence
        // number again; do not mistake its ServerHello for a replay.
        self.records.reset_epoch0_replay();
        self.send_hello(now, hello)
    }

    fn on_server_hello(&mut self, body: &[u8]) -> Result<(), Error> {
        let sh = ServerHello::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("ServerHello", e))?;
        if sh.server_version != DTLS_1_2 {
            return Err(Error::UnsupportedVersion(sh.server_version));
        }
        let suite = CipherSuite::from_id(sh.cipher_suite)
            .filter(|s| self.config.cipher_suites().contains(s))
            .ok_or(Error::UnknownCiphersuite(sh.cipher_suite))?;
        if sh.compression_method != 0 {
            return Err(Error::BadCompressionMethod);
        }
        for ext in &sh.extensions {
            // RFC 5246 §7.4.1.4: a server may only answer extensions we sent.
            let offered = [
                ExtensionType::EXTENDED_MASTER_SECRET,
                ExtensionType::RENEGOTIATION_INFO,
            ];
            if !offered.contains(&ext.extension_type) {
                return Err(Error::HandshakeFailure(
                    "the server answered an extension the client did not offer",
                ));
            }
        }
        if let Some(ext) = find_extension(&sh.extensions, ExtensionType::RENEGOTIATION_INFO) {
            let data = renegotiation_info_data(ext)
                .map_err(|e| Error::IncorrectMessageLength("renegotiation_info", e))?;
            if !data.is_empty() {
                return Err(Error::RenegotiationExtension);
            }
        }
        let ems = find_extension(&sh.extensions, ExtensionType::EXTENDED_MASTER_SECRET).is_some();
        if !ems && self.config.require_extended_master_secret() {
            return Err(Error::ExtensionNotFound("extended_master_secret"));
        }
        self.suite = Some(suite);
        if let Some(hs) = self.handshake.as_mut() {
            hs.server_random = sh.random;
            hs.suite = Some(suite);
            hs.extended_master_secret = ems;
            hs.step = Awaiting::ServerHelloDone;
            // The server answered: our ClientHello flight needs no more repeats.
            hs.client_hello = None;
        }
        if let Some(f) = self.flight.as_mut() {
            f.disarm();
        }
        Ok(())
    }

    /// Sends ClientKeyExchange, ChangeCipherSpec and Finished.
    fn send_client_key_exchange(&mut self, now: Instant) -> Result<(), Error> {
        let hint = self
            .handshake
            .as_ref()
            .map(|h| h.psk_hint.clone())
            .unwrap_or_default();
        let psk = self
            .config
            .psk_for_hint(&hint)
            .cloned()
            .ok_or(Error::InvalidParameters("no pre-shared key configured"))?;
        self.psk_identity = Some(psk.identity().to_vec());
        let cke = PskClientKeyExchange {
            identity: psk.identity().to_vec(),
        }
        .encode();
        let cke = self.our_message(HandshakeType::CLIENT_KEY_EXCHANGE, cke);
        self.derive_keys(&psk_premaster_secret(psk.key()))?;
        let mut flight = vec![cke];
        flight.extend(self.change_cipher_spec_and_finished(b"client finished")?);
        if let Some(hs) = self.handshake.as_mut() {
            hs.step = Awaiting::Finished;
        }
        self.send_flight(now, flight, true)
    }
}
