//! The record inspector: a datagram taken apart into records, headers and message
//! fields with their byte ranges, and encrypted records opened with the session keys.

mod handshake;
mod walker;

use serde::Serialize;
use wasm_dtls::alert::AlertDescription;
use wasm_dtls::crypto::RecordCipher;
use wasm_dtls::record::ContentType;
use wasm_dtls::{CipherSuite, KeyExchange};

pub use walker::{Field, hex};
use walker::{Walker, bytes_value};

use crate::explain;

/// Bytes of a DTLS record header (RFC 6347 §4.1).
const RECORD_HEADER_LEN: usize = 13;

/// One record of a datagram, taken apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordView {
    /// A one-line title ("ClientHello (message_seq 0)", "ApplicationData (encrypted)").
    pub title: String,
    /// First byte of the record in the datagram.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// The record's epoch: 0 in the clear, 1 after ChangeCipherSpec.
    pub epoch: u16,
    /// The record header and the fragment's fields, offsets into the datagram.
    pub fields: Vec<Field>,
    /// What this record is for, in a few sentences.
    pub explanation: String,
    /// For an encrypted record opened with the session keys: the plaintext.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<Plaintext>,
}

/// The decrypted contents of a protected record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plaintext {
    /// The plaintext bytes in hex.
    pub hex: String,
    /// The plaintext as text, when it is printable UTF-8 (application data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Its fields, offsets into the plaintext.
    pub fields: Vec<Field>,
}

/// What the inspector needs besides the bytes: the suite (how its key exchange
/// messages look, how long its tags are) and the sender's record cipher once the keys
/// are known.
pub struct Context<'a> {
    /// The negotiated (or offered) suite.
    pub suite: CipherSuite,
    /// The cipher protecting the sender's epoch-1 records, if the keys are known.
    pub cipher: Option<&'a RecordCipher>,
}

/// Takes a datagram apart, record by record. Never fails: what cannot be parsed is
/// shown as a "truncated" or "unparsed" field.
pub fn dissect_datagram(datagram: &[u8], context: &Context<'_>) -> Vec<RecordView> {
    let mut walker = Walker::new(datagram, 0);
    let mut records = Vec::new();
    while walker.remaining() > 0 {
        let mut view = record(&mut walker, context);
        view.end = walker.offset();
        view.fields = walker.take_fields();
        records.push(view);
    }
    records
}

/// One record: header, then the fragment in the clear or protected.
fn record(r: &mut Walker<'_>, context: &Context<'_>) -> RecordView {
    let start = r.offset();
    let mut content_type = ContentType(0);
    let (mut version, mut epoch, mut sequence, mut length) = (0, 0, 0, 0);
    r.sized("record header", RECORD_HEADER_LEN, |h| {
        let number = |v: Option<u64>| v.unwrap_or(0);
        content_type = ContentType(number(h.number("type", 1, |v| {
            format!("{} ({v})", ContentType(v as u8).name())
        })) as u8);
        version = number(h.number("version", 2, |v| match v {
            0xfefd => "DTLS 1.2 (0xfefd)".into(),
            v => format!("{v:#06x}"),
        }));
        epoch = number(h.number("epoch", 2, |v| v.to_string()));
        sequence = number(h.number("sequence_number", 6, |v| v.to_string()));
        length = number(h.number("length", 2, |v| format!("{v} bytes")));
        format!(
            "{}, epoch {epoch}, sequence {sequence}",
            content_type.name()
        )
    });
    let epoch = u16::try_from(epoch).unwrap_or(u16::MAX);
    let length = usize::try_from(length).unwrap_or(usize::MAX);
    let mut view = RecordView {
        title: String::new(),
        start,
        end: start,
        epoch,
        fields: Vec::new(),
        explanation: String::new(),
        plaintext: None,
    };
    if epoch == 0 {
        let mut titles = Vec::new();
        r.sized("fragment", length, |f| {
            titles = clear_fragment(f, content_type, context.suite.key_exchange());
            format!("{length} bytes in the clear")
        });
        view.title = titles.join(" + ");
        view.explanation = explain::clear_record(content_type, &titles);
    } else {
        let mut fragment = &[][..];
        r.sized("protected fragment", length, |f| {
            fragment = protected_fields(f, context);
            format!("{length} bytes, encrypted and authenticated")
        });
        let opened = context.cipher.and_then(|cipher| {
            cipher.open(
                epoch,
                sequence,
                content_type.0,
                u16::try_from(version).unwrap_or(0),
                fragment,
            )
        });
        let opened =
            opened.map(|plain| plaintext(&plain, content_type, context.suite.key_exchange()));
        view.title = match &opened {
            Some((_, inside)) => format!("{inside} (encrypted)"),
            None => format!("{} (encrypted)", explain::content_title(content_type)),
        };
        view.plaintext = opened.map(|(plain, _)| plain);
        view.explanation =
            explain::protected_record(content_type, context.suite.aead(), view.plaintext.is_some());
    }
    view
}

/// The fields of a plaintext fragment; returns a title per message inside.
fn clear_fragment(f: &mut Walker<'_>, content_type: ContentType, kex: KeyExchange) -> Vec<String> {
    match content_type {
        ContentType::HANDSHAKE => handshake::fragments(f, kex),
        ContentType::CHANGE_CIPHER_SPEC => {
            f.number("type", 1, |v| format!("change_cipher_spec ({v})"));
            vec!["ChangeCipherSpec".into()]
        }
        ContentType::ALERT => vec![alert(f)],
        other => {
            f.rest("data");
            vec![explain::content_title(other).into()]
        }
    }
}

/// An alert's level and description; returns "Alert: description".
fn alert(f: &mut Walker<'_>) -> String {
    f.number("level", 1, |v| match v {
        1 => "warning (1)".into(),
        2 => "fatal (2)".into(),
        v => v.to_string(),
    });
    let description = f.number("description", 1, |v| {
        let name = AlertDescription(v as u8).name().unwrap_or("unknown");
        format!("{name} ({v})")
    });
    let name = description
        .and_then(|v| AlertDescription(v as u8).name())
        .unwrap_or("unknown");
    format!("Alert: {name}")
}

/// The explicit nonce (AES: RFC 5288 §3, RFC 6655 §3; ChaCha20-Poly1305 has none, RFC
/// 7905 §2), ciphertext and tag of an AEAD record; returns the whole fragment.
fn protected_fields<'a>(f: &mut Walker<'a>, context: &Context<'_>) -> &'a [u8] {
    let fragment = f.bytes();
    let aead = context.suite.aead();
    let tag = aead.tag_len();
    if aead.explicit_nonce_len() > 0 {
        f.field(
            "explicit nonce (epoch ‖ sequence)",
            aead.explicit_nonce_len(),
            hex,
        );
    }
    f.field("ciphertext", f.remaining().saturating_sub(tag), bytes_value);
    f.field("authentication tag", tag, hex);
    fragment
}

/// The decrypted plaintext, taken apart like a clear fragment, and its title.
fn plaintext(plain: &[u8], content_type: ContentType, kex: KeyExchange) -> (Plaintext, String) {
    let mut w = Walker::new(plain, 0);
    let title = clear_fragment(&mut w, content_type, kex).join(" + ");
    let text = (content_type == ContentType::APPLICATION_DATA)
        .then(|| core::str::from_utf8(plain).ok().map(str::to_owned))
        .flatten();
    let plaintext = Plaintext {
        hex: hex(plain),
        text,
        fields: w.finish(),
    };
    (plaintext, title)
}
