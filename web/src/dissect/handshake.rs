//! Handshake fragments: the 12-byte DTLS header (RFC 6347 §4.2.2) and, when a fragment
//! holds a whole message, the message's fields (RFC 5246 §7.4, RFC 6347 §4.2.1,
//! RFC 4279 §2, RFC 8422 §5).

use wasm_dtls::crypto::SignatureScheme;
use wasm_dtls::handshake::{ExtensionType, HandshakeType};
use wasm_dtls::x509::Certificate;
use wasm_dtls::{CipherSuite, KeyExchange, NamedGroup};

use super::walker::{Walker, bytes_value, hex};

/// Walks the handshake fragments of one record's plaintext, one field per fragment
/// named after its message; returns the fragments' titles. `kex` tells how to read the
/// key exchange messages, whose layout depends on the suite.
pub fn fragments(walker: &mut Walker<'_>, kex: KeyExchange) -> Vec<String> {
    let mut titles = Vec::new();
    while walker.remaining() > 0 {
        let mut title = String::new();
        walker.group("fragment", |f| {
            title = fragment(f, kex);
            String::new()
        });
        walker.rename_last(title.clone());
        titles.push(title);
    }
    titles
}

/// The fields of one fragment: its header and its body; returns its title.
fn fragment(f: &mut Walker<'_>, kex: KeyExchange) -> String {
    let mut msg_type = HandshakeType(0);
    let (mut length, mut seq, mut offset, mut frag_len) = (0, 0, 0, 0);
    f.group("handshake header", |h| {
        let number = |v: Option<u64>| v.unwrap_or(0);
        msg_type = HandshakeType(number(h.number("msg_type", 1, |v| {
            format!("{} ({v})", HandshakeType(v as u8).name())
        })) as u8);
        length = number(h.number("length", 3, |v| format!("{v} bytes")));
        seq = number(h.number("message_seq", 2, |v| v.to_string()));
        offset = number(h.number("fragment_offset", 3, |v| v.to_string()));
        frag_len = number(h.number("fragment_length", 3, |v| format!("{v} bytes")));
        format!("{}, message_seq {seq}", msg_type.name())
    });
    let whole = offset == 0 && frag_len == length;
    if frag_len > 0 {
        f.sized(
            "body",
            usize::try_from(frag_len).unwrap_or(usize::MAX),
            |b| {
                if whole {
                    message_body(b, msg_type, kex);
                } else {
                    b.rest("part of the message body");
                }
                format!("{frag_len} bytes")
            },
        );
    }
    let name = msg_type.name();
    if whole {
        format!("{name} (message_seq {seq})")
    } else {
        format!(
            "{name} (message_seq {seq}, bytes {offset}..{} of {length})",
            offset + frag_len
        )
    }
}

/// The fields of one whole message body.
fn message_body(w: &mut Walker<'_>, msg_type: HandshakeType, kex: KeyExchange) {
    match msg_type {
        HandshakeType::CLIENT_HELLO => client_hello(w),
        HandshakeType::SERVER_HELLO => server_hello(w),
        HandshakeType::HELLO_VERIFY_REQUEST => {
            version(w, "server_version");
            w.vector("cookie", 1, |c| bytes_value_of(c));
        }
        HandshakeType::CERTIFICATE => {
            w.vector("certificate_list", 3, |list| {
                let mut n = 0;
                while list.remaining() > 0 {
                    list.vector("certificate", 3, |cert| {
                        let der = cert.take(cert.remaining()).unwrap_or_default();
                        certificate_name(der)
                    });
                    n += 1;
                }
                format!("{n} certificate(s), own certificate first")
            });
        }
        HandshakeType::SERVER_KEY_EXCHANGE => match kex {
            KeyExchange::Psk => {
                w.vector("psk_identity_hint", 2, |h| text_of(h));
            }
            // RFC 5489 §2: the hint, then the parameters, unsigned.
            KeyExchange::EcdhePsk => {
                w.vector("psk_identity_hint", 2, |h| text_of(h));
                ecdh_params(w);
            }
            KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
                ecdh_params(w);
                signature(w);
            }
        },
        HandshakeType::CERTIFICATE_REQUEST => {
            w.vector("certificate_types", 1, |t| {
                list_of(t, 1, |v| match v {
                    1 => "rsa_sign (1)".into(),
                    64 => "ecdsa_sign (64)".into(),
                    v => v.to_string(),
                })
            });
            w.vector("supported_signature_algorithms", 2, |a| {
                list_of(a, 2, signature_name)
            });
            w.vector("certificate_authorities", 2, |c| bytes_value_of(c));
        }
        HandshakeType::CERTIFICATE_VERIFY => signature(w),
        HandshakeType::CLIENT_KEY_EXCHANGE => {
            if kex.uses_psk() {
                w.vector("psk_identity", 2, |i| text_of(i));
            }
            if kex.uses_ecdhe() {
                w.vector("public (ephemeral ECDHE key)", 1, |p| bytes_value_of(p));
            }
        }
        HandshakeType::FINISHED => {
            w.field("verify_data", 12, hex);
        }
        _ => {}
    }
}

/// ServerECDHParams: the named curve and the server's ephemeral key (RFC 8422 §5.4).
fn ecdh_params(w: &mut Walker<'_>) {
    w.number("curve_type", 1, |v| match v {
        3 => "named_curve (3)".into(),
        v => v.to_string(),
    });
    w.number("named_curve", 2, group_name);
    w.vector("public (ephemeral ECDHE key)", 1, |p| bytes_value_of(p));
}

fn client_hello(w: &mut Walker<'_>) {
    version(w, "client_version");
    w.field("random", 32, hex);
    w.vector("session_id", 1, |s| bytes_value_of(s));
    w.vector("cookie", 1, |c| {
        if c.remaining() == 0 {
            "empty: the server has not asked for one yet".into()
        } else {
            bytes_value_of(c)
        }
    });
    w.vector("cipher_suites", 2, |s| list_of(s, 2, suite_name));
    w.vector("compression_methods", 1, |c| {
        list_of(c, 1, |v| match v {
            0 => "null (0)".into(),
            v => v.to_string(),
        })
    });
    if w.remaining() > 0 {
        extensions(w);
    }
}

fn server_hello(w: &mut Walker<'_>) {
    version(w, "server_version");
    w.field("random", 32, hex);
    w.vector("session_id", 1, |s| bytes_value_of(s));
    w.number("cipher_suite", 2, suite_name);
    w.number("compression_method", 1, |v| v.to_string());
    if w.remaining() > 0 {
        extensions(w);
    }
}

fn extensions(w: &mut Walker<'_>) {
    w.vector("extensions", 2, |list| {
        let mut n = 0;
        while list.remaining() > 0 {
            let mut kind = ExtensionType(0);
            list.group("extension", |e| {
                let id = e.number("extension_type", 2, |v| {
                    let kind = ExtensionType(u16::try_from(v).unwrap_or(0));
                    format!("{} ({v})", kind.name())
                });
                kind = ExtensionType(id.and_then(|v| u16::try_from(v).ok()).unwrap_or(0));
                e.vector("extension_data", 2, |d| extension_data(d, kind));
                String::new()
            });
            list.rename_last(kind.name().to_owned());
            n += 1;
        }
        format!("{n} extension(s)")
    });
}

/// The value of an extension's data.
fn extension_data(d: &mut Walker<'_>, kind: ExtensionType) -> String {
    match kind {
        ExtensionType::SUPPORTED_GROUPS => {
            d.vector("named_group_list", 2, |g| list_of(g, 2, group_name));
            "groups".into()
        }
        ExtensionType::SIGNATURE_ALGORITHMS => {
            d.vector("supported_signature_algorithms", 2, |a| {
                list_of(a, 2, signature_name)
            });
            "signature algorithms".into()
        }
        ExtensionType::EC_POINT_FORMATS => {
            d.vector("ec_point_format_list", 1, |f| {
                list_of(f, 1, |v| match v {
                    0 => "uncompressed (0)".into(),
                    v => v.to_string(),
                })
            });
            "point formats".into()
        }
        ExtensionType::SERVER_NAME => {
            d.vector("server_name_list", 2, |l| {
                l.number("name_type", 1, |v| {
                    if v == 0 {
                        "host_name (0)".into()
                    } else {
                        v.to_string()
                    }
                });
                l.vector("host_name", 2, |h| text_of(h));
                "names".into()
            });
            "the host name the client wants".into()
        }
        ExtensionType::RENEGOTIATION_INFO => {
            d.vector("renegotiated_connection", 1, |r| bytes_value_of(r));
            "secure renegotiation (RFC 5746)".into()
        }
        ExtensionType::EXTENDED_MASTER_SECRET => {
            "empty: bind the master secret to the whole handshake (RFC 7627)".into()
        }
        _ => {
            d.rest("data");
            String::new()
        }
    }
}

fn version(w: &mut Walker<'_>, name: &str) {
    w.number(name, 2, |v| match v {
        0xfefd => "DTLS 1.2 (0xfefd)".into(),
        0xfeff => "DTLS 1.0 (0xfeff)".into(),
        v => format!("{v:#06x}"),
    });
}

fn signature(w: &mut Walker<'_>) {
    w.number("signature_algorithm", 2, signature_name);
    w.vector("signature", 2, |s| bytes_value_of(s));
}

/// Reads every item of a list of `size`-byte numbers as a child field.
fn list_of(w: &mut Walker<'_>, size: usize, name: impl Fn(u64) -> String) -> String {
    let mut n = 0;
    while w.remaining() >= size {
        w.number("", size, &name);
        n += 1;
    }
    format!("{n} item(s)")
}

/// A vector's contents as one value: text if printable, else hex.
fn text_of(w: &mut Walker<'_>) -> String {
    let bytes = w.take(w.remaining()).unwrap_or_default();
    match core::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => format!("\"{text}\""),
        _ => bytes_value(bytes),
    }
}

fn bytes_value_of(w: &mut Walker<'_>) -> String {
    bytes_value(w.take(w.remaining()).unwrap_or_default())
}

fn certificate_name(der: &[u8]) -> String {
    match Certificate::from_der(der)
        .ok()
        .and_then(|c| c.common_name())
    {
        Some(cn) => format!("CN={cn}, {} bytes of DER", der.len()),
        None => format!("{} bytes of DER", der.len()),
    }
}

fn suite_name(id: u64) -> String {
    let id = u16::try_from(id).unwrap_or(0);
    match CipherSuite::from_id(id) {
        Some(suite) => format!("{} ({id:#06x})", suite.iana_name()),
        None if id == 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff)".into(),
        None => format!("{id:#06x}"),
    }
}

fn group_name(id: u64) -> String {
    let group = u16::try_from(id).ok().and_then(NamedGroup::from_id);
    match group {
        Some(group) => format!("{group} ({id})"),
        None => id.to_string(),
    }
}

fn signature_name(id: u64) -> String {
    let scheme = u16::try_from(id).ok().and_then(SignatureScheme::from_id);
    match scheme {
        Some(scheme) => format!("{} ({id:#06x})", scheme.name()),
        None => format!("{id:#06x}"),
    }
}
