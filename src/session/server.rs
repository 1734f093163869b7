//! The server side of the PSK handshake, with the stateless cookie exchange of
//! RFC 6347 §4.2.1: nothing is kept for a client until its ClientHello carries a cookie
//! that only we could have made for its address.

use super::record_layer::plaintext_record;
use super::{Awaiting, Session};
use crate::crypto::{CookieJar, psk_premaster_secret};
use crate::error::Error;
use crate::handshake::{
    ClientHello, Extension, ExtensionType, HandshakeType, HelloVerifyRequest, Message,
    PskClientKeyExchange, PskServerKeyExchange, ServerHello, ServerHelloDone,
    TLS_EMPTY_RENEGOTIATION_INFO_SCSV, encode_message, find_extension, renegotiation_info_data,
};
use crate::record::{ContentType, DTLS_1_0, DTLS_1_2};
use crate::time::Instant;

impl Session {
    /// Until a valid ClientHello arrives, every ClientHello starts reassembly afresh at
    /// its own message_seq: clients number their retries 0, 1, … and may repeat any.
    pub(super) fn prepare_for_client_hello(&mut self, message_seq: u16) {
        if self.reassembler.next_seq() != message_seq {
            self.reassembler.clear();
            self.reassembler.set_next_seq(message_seq);
        }
    }

    pub(super) fn server_message(&mut self, now: Instant, message: Message) -> Result<(), Error> {
        match (self.awaiting()?, message.msg_type) {
            (Awaiting::ClientHello, HandshakeType::CLIENT_HELLO) => {
                self.on_client_hello(now, &message)
            }
            (Awaiting::ClientKeyExchange, HandshakeType::CLIENT_KEY_EXCHANGE) => {
                self.add_to_transcript(&message);
                self.on_client_key_exchange(&message.body)
            }
            (Awaiting::Finished, HandshakeType::FINISHED) => {
                self.check_finished(b"client finished", &message.body)?;
                self.add_to_transcript(&message);
                let flight = self.change_cipher_spec_and_finished(b"server finished")?;
                // The final flight has no timer: it is repeated only when the client
                // repeats its own (RFC 6347 §4.2.4).
                self.send_flight(now, flight, false)?;
                self.connected();
                Ok(())
            }
            (_, t) if t.name() == "unknown" => Err(Error::UnrecognizedMessageType(t.0)),
            (_, t) => Err(Error::UnexpectedMessage(t.name())),
        }
    }

    fn on_client_hello(&mut self, now: Instant, message: &Message) -> Result<(), Error> {
        let hello = ClientHello::decode(&message.body)
            .map_err(|e| Error::IncorrectMessageLength("ClientHello", e))?;
        let cookie_ok = self
            .cookies
            .verify(&self.peer, &hello.cookie_input(), &hello.cookie);
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
        let suite = self
            .config
            .cipher_suites()
            .iter()
            .copied()
            .find(|s| hello.cipher_suites.contains(&s.id()))
            .ok_or(Error::NoSupportedCiphers)?;
        let secure_renegotiation =
            match find_extension(&hello.extensions, ExtensionType::RENEGOTIATION_INFO) {
                Some(ext) => {
                    let data = renegotiation_info_data(ext)
                        .map_err(|e| Error::IncorrectMessageLength("renegotiation_info", e))?;
                    if !data.is_empty() {
                        return Err(Error::RenegotiationExtension);
                    }
                    true
                }
                None => hello
                    .cipher_suites
                    .contains(&TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
            };
        let ems =
            find_extension(&hello.extensions, ExtensionType::EXTENDED_MASTER_SECRET).is_some();
        if !ems && self.config.require_extended_master_secret() {
            return Err(Error::ExtensionNotFound("extended_master_secret"));
        }

        let mut server_random = [0u8; 32];
        self.rng.fill(&mut server_random);
        let mut extensions = Vec::new();
        if secure_renegotiation {
            extensions.push(Extension::renegotiation_info(&[]));
        }
        if ems {
            extensions.push(Extension::extended_master_secret());
        }
        self.suite = Some(suite);
        let hs = self.handshake_mut_or_new();
        hs.client_random = hello.random;
        hs.server_random = server_random;
        hs.suite = Some(suite);
        hs.extended_master_secret = ems;
        hs.step = Awaiting::ClientKeyExchange;
        // Our numbering follows the client's: after its HelloVerifyRequest the client
        // expects our next message to carry the ClientHello's message_seq.
        hs.next_send_seq = message.message_seq;
        hs.transcript.update(&encode_message(
            message.msg_type,
            message.message_seq,
            &message.body,
        ));

        let server_hello = ServerHello {
            server_version: DTLS_1_2,
            random: server_random,
            session_id: Vec::new(),
            cipher_suite: suite.id(),
            compression_method: 0,
            extensions,
        }
        .encode();
        let mut flight = vec![self.our_message(HandshakeType::SERVER_HELLO, server_hello)];
        // RFC 4279 §2: ServerKeyExchange only carries the hint, so it is sent only when
        // there is one.
        let hint = self
            .config
            .psks()
            .first()
            .map(|p| p.hint().to_vec())
            .unwrap_or_default();
        if !hint.is_empty() {
            let ske = PskServerKeyExchange {
                identity_hint: hint,
            }
            .encode();
            flight.push(self.our_message(HandshakeType::SERVER_KEY_EXCHANGE, ske));
        }
        let done = ServerHelloDone.encode();
        flight.push(self.our_message(HandshakeType::SERVER_HELLO_DONE, done));
        self.send_flight(now, flight, true)
    }

    /// Answers a ClientHello without a valid cookie. Nothing about the client is kept:
    /// the cookie lets us recognise its next ClientHello.
    fn send_hello_verify_request(&mut self, hello: &ClientHello) {
        let record =
            hello_verify_request_record(&self.cookies, &self.peer, hello, self.record_sequence);
        // Our later epoch-0 records must not reuse the sequence number it echoed.
        self.records.skip_epoch0_sequence_past(self.record_sequence);
        self.queue_datagram(record);
    }

    fn on_client_key_exchange(&mut self, body: &[u8]) -> Result<(), Error> {
        let cke = PskClientKeyExchange::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("ClientKeyExchange", e))?;
        let psk = self
            .config
            .psk_by_identity(&cke.identity)
            .cloned()
            .ok_or(Error::NoMatchingPsk)?;
        self.psk_identity = Some(cke.identity);
        self.derive_keys(&psk_premaster_secret(psk.key()))?;
        if let Some(hs) = self.handshake.as_mut() {
            hs.step = Awaiting::Finished;
        }
        // The client's flight answered ours: stop repeating it.
        if let Some(f) = self.flight.as_mut() {
            f.disarm();
        }
        Ok(())
    }
}

/// A HelloVerifyRequest for `hello` from `peer`, as a complete plaintext record. The
/// record echoes the ClientHello's record sequence number and the message carries
/// DTLS 1.0's version number, as RFC 6347 §4.2.1 asks of a stateless server.
pub(crate) fn hello_verify_request_record(
    cookies: &CookieJar,
    peer: &[u8],
    hello: &ClientHello,
    client_hello_record_sequence: u64,
) -> Vec<u8> {
    let cookie = cookies.compute(peer, &hello.cookie_input());
    let body = HelloVerifyRequest {
        server_version: DTLS_1_0,
        cookie: cookie.to_vec(),
    }
    .encode();
    let message = encode_message(HandshakeType::HELLO_VERIFY_REQUEST, 0, &body);
    plaintext_record(
        ContentType::HANDSHAKE,
        client_hello_record_sequence,
        &message,
    )
}
