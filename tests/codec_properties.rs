//! Property tests of every wire codec: decode(encode(x)) == x for any well-formed x,
//! and decoding arbitrary bytes never panics (it returns a value or a DecodeError).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::collection::vec;
use proptest::prelude::*;
use wasm_dtls::codec::Reader;
use wasm_dtls::handshake::{
    CertificateMessage, CertificateRequest, CertificateVerify, ClientHello, EcdheClientKeyExchange,
    EcdheServerKeyExchange, Extension, ExtensionType, Finished, HandshakeHeader, HandshakeType,
    HelloVerifyRequest, PskClientKeyExchange, PskServerKeyExchange, ServerHello, decode_extensions,
    encode_extensions, parse_fragments,
};
use wasm_dtls::record::{ContentType, RecordHeader, parse_datagram};
use wasm_dtls::{Alert, AlertDescription, AlertLevel};

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max)
}

fn nonempty(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 1..=max)
}

/// Extensions with distinct types (a hello may not repeat one).
fn extensions() -> impl Strategy<Value = Vec<Extension>> {
    vec((any::<u16>(), bytes(40)), 0..6).prop_map(|list| {
        let mut seen = Vec::new();
        list.into_iter()
            .filter(|(t, _)| {
                let fresh = !seen.contains(t);
                seen.push(*t);
                fresh
            })
            .map(|(t, data)| Extension {
                extension_type: ExtensionType(t),
                data,
            })
            .collect()
    })
}

fn client_hello() -> impl Strategy<Value = ClientHello> {
    (
        any::<u16>(),
        any::<[u8; 32]>(),
        bytes(32),
        bytes(255),
        vec(any::<u16>(), 1..20),
        nonempty(4),
        extensions(),
    )
        .prop_map(
            |(v, random, session_id, cookie, suites, compression, extensions)| ClientHello {
                client_version: v,
                random,
                session_id,
                cookie,
                cipher_suites: suites,
                compression_methods: compression,
                extensions,
            },
        )
}

fn server_hello() -> impl Strategy<Value = ServerHello> {
    (
        any::<u16>(),
        any::<[u8; 32]>(),
        bytes(32),
        any::<u16>(),
        any::<u8>(),
        extensions(),
    )
        .prop_map(
            |(v, random, session_id, suite, compression, extensions)| ServerHello {
                server_version: v,
                random,
                session_id,
                cipher_suite: suite,
                compression_method: compression,
                extensions,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // Integration tests have no lib.rs to keep regressions beside.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn record_headers_round_trip(ct in any::<u8>(), version in any::<u16>(), epoch in any::<u16>(),
                                 sequence in 0u64..(1 << 48), length in any::<u16>()) {
        let h = RecordHeader { content_type: ContentType(ct), version, epoch, sequence, length };
        let mut out = Vec::new();
        h.encode(&mut out);
        prop_assert_eq!(out.len(), 13);
        prop_assert_eq!(RecordHeader::decode(&mut Reader::new(&out)).unwrap(), h);
    }

    #[test]
    fn handshake_headers_round_trip(t in any::<u8>(), length in 0u32..(1 << 24), seq in any::<u16>(),
                                    offset in 0u32..(1 << 24), frag in 0u32..(1 << 24)) {
        let h = HandshakeHeader { msg_type: HandshakeType(t), length, message_seq: seq,
                                  fragment_offset: offset, fragment_length: frag };
        let mut out = Vec::new();
        h.encode(&mut out);
        prop_assert_eq!(HandshakeHeader::decode(&mut Reader::new(&out)).unwrap(), h);
    }

    #[test]
    fn hellos_round_trip(ch in client_hello(), sh in server_hello(),
                         version in any::<u16>(), cookie in bytes(255)) {
        prop_assert_eq!(ClientHello::decode(&ch.encode()).unwrap(), ch);
        prop_assert_eq!(ServerHello::decode(&sh.encode()).unwrap(), sh);
        let hvr = HelloVerifyRequest { server_version: version, cookie };
        prop_assert_eq!(HelloVerifyRequest::decode(&hvr.encode()).unwrap(), hvr);
    }

    #[test]
    fn key_exchange_messages_round_trip(hint in bytes(100), identity in bytes(100),
                                        curve in any::<u16>(), point in nonempty(100),
                                        scheme in any::<u16>(), signature in bytes(80),
                                        verify_data in any::<[u8; 12]>()) {
        let ske = PskServerKeyExchange { identity_hint: hint };
        prop_assert_eq!(PskServerKeyExchange::decode(&ske.encode()).unwrap(), ske);
        let cke = PskClientKeyExchange { identity: identity.clone() };
        prop_assert_eq!(PskClientKeyExchange::decode(&cke.encode()).unwrap(), cke);
        let ecdhe = EcdheServerKeyExchange { curve, public: point.clone(), scheme, signature: signature.clone() };
        prop_assert_eq!(EcdheServerKeyExchange::decode(&ecdhe.encode()).unwrap(), ecdhe);
        let client = EcdheClientKeyExchange { public: point };
        prop_assert_eq!(EcdheClientKeyExchange::decode(&client.encode()).unwrap(), client);
        let cv = CertificateVerify { scheme, signature };
        prop_assert_eq!(CertificateVerify::decode(&cv.encode()).unwrap(), cv);
        let finished = Finished { verify_data };
        prop_assert_eq!(Finished::decode(&finished.encode()).unwrap(), finished);
    }

    #[test]
    fn certificate_messages_round_trip(chain in vec(nonempty(300), 0..5), types in bytes(5),
                                       schemes in vec(any::<u16>(), 0..8),
                                       authorities in vec(bytes(40), 0..4)) {
        let message = CertificateMessage { chain };
        prop_assert_eq!(CertificateMessage::decode(&message.encode()).unwrap(), message);
        let request = CertificateRequest { certificate_types: types, schemes, authorities };
        prop_assert_eq!(CertificateRequest::decode(&request.encode()).unwrap(), request);
    }

    #[test]
    fn extensions_and_alerts_round_trip(exts in extensions(), level in any::<u8>(), description in any::<u8>()) {
        let mut out = Vec::new();
        encode_extensions(&exts, &mut out);
        prop_assert_eq!(decode_extensions(&mut Reader::new(&out)).unwrap(), exts);
        let alert = Alert { level: AlertLevel(level), description: AlertDescription(description) };
        prop_assert_eq!(Alert::decode(&alert.encode()).unwrap(), alert);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(data in bytes(600)) {
        // Each decoder either returns a value or a DecodeError; the test is that we get here.
        let _ = RecordHeader::decode(&mut Reader::new(&data));
        let _ = parse_datagram(&data).count();
        let _ = HandshakeHeader::decode(&mut Reader::new(&data));
        let _ = parse_fragments(&data);
        let _ = ClientHello::decode(&data);
        let _ = ServerHello::decode(&data);
        let _ = HelloVerifyRequest::decode(&data);
        let _ = PskServerKeyExchange::decode(&data);
        let _ = PskClientKeyExchange::decode(&data);
        let _ = EcdheServerKeyExchange::decode(&data);
        let _ = EcdheClientKeyExchange::decode(&data);
        let _ = CertificateMessage::decode(&data);
        let _ = CertificateRequest::decode(&data);
        let _ = CertificateVerify::decode(&data);
        let _ = Finished::decode(&data);
        let _ = Alert::decode(&data);
        let _ = decode_extensions(&mut Reader::new(&data));
        let _ = wasm_dtls::x509::Certificate::load(&data);
        let _ = wasm_dtls::x509::PrivateKey::load(&data);
    }

    #[test]
    fn truncating_a_valid_message_is_an_error_not_a_panic(ch in client_hello(), cut in any::<prop::sample::Index>()) {
        let encoded = ch.encode();
        let at = cut.index(encoded.len());
        match ClientHello::decode(&encoded[..at]) {
            Err(_) => {}
            // The only valid prefix: cut exactly before the extensions block, which a
            // hello may omit.
            Ok(shorter) => {
                prop_assert!(!ch.extensions.is_empty());
                prop_assert_eq!(shorter, ClientHello { extensions: Vec::new(), ..ch });
            }
        }
    }
}
