//! Short explanations of what each record and handshake message is for, shown by the
//! record inspector next to the bytes.

use wasm_dtls::AeadAlgorithm;
use wasm_dtls::record::ContentType;

/// What a handshake message does, in a sentence or two (RFC 5246 §7.4, RFC 6347 §4.2).
pub fn message(name: &str) -> &'static str {
    match name {
        "ClientHello" => {
            "The client opens the handshake: the protocol version, 32 random bytes, the \
             cipher suites it accepts in its order of preference and its extensions. In \
             DTLS the second ClientHello repeats the first with the server's cookie."
        }
        "HelloVerifyRequest" => {
            "The server's stateless cookie exchange (RFC 6347 §4.2.1): before it keeps any \
             state or does any expensive work, the server makes the client prove it can \
             receive at its claimed address by echoing this cookie. This stops spoofed \
             floods and amplification."
        }
        "ServerHello" => {
            "The server picks the cipher suite and sends its own random. Both randoms go \
             into the key derivation, so neither side alone chooses the keys."
        }
        "Certificate" => {
            "A certificate chain, own certificate first. The peer checks the signatures up \
             to a certificate it trusts, the validity dates and the host name."
        }
        "ServerKeyExchange" => {
            "With ECDHE: the server's ephemeral public key on the group it chose from the \
             client's list (X25519: 32 bytes; P-256: a 65-byte point), signed with its \
             certificate's key so the client knows it comes from the server. With PSK: an \
             optional hint telling the client which key to use. With ECDHE_PSK: both, \
             unsigned — only a holder of the pre-shared key can finish the handshake."
        }
        "CertificateRequest" => {
            "The server asks the client to authenticate with a certificate too (mutual \
             authentication), naming the certificate types and signature algorithms it \
             accepts."
        }
        "ServerHelloDone" => "The server's flight is complete; the client's turn.",
        "ClientKeyExchange" => {
            "With ECDHE: the client's ephemeral public key; both sides now compute the same \
             shared secret. With PSK: the identity of the pre-shared key to use. With \
             ECDHE_PSK: both, and the premaster secret holds the shared secret and the key, \
             so a key that leaks later does not open recorded sessions. Either way both \
             sides can now derive the master secret and the record keys."
        }
        "CertificateVerify" => {
            "The client signs the handshake so far with its certificate's key, proving it \
             holds the private key of the certificate it sent."
        }
        "Finished" => {
            "The first message under the new keys: a 12-byte MAC over the whole handshake. \
             If anyone changed any message on the way, the verify_data does not match and \
             the handshake fails."
        }
        "HelloRequest" => {
            "The server asks for a new handshake (renegotiation); this engine refuses it."
        }
        _ => "",
    }
}

/// The explanation of a record in the clear; `titles` are its messages' titles.
pub fn clear_record(content_type: ContentType, titles: &[String]) -> String {
    match content_type {
        ContentType::HANDSHAKE => {
            let mut seen: Vec<&str> = Vec::new();
            for title in titles {
                let name = title.split(' ').next().unwrap_or_default();
                if !seen.contains(&name) {
                    seen.push(name);
                }
            }
            let fragmented = titles.iter().any(|t| t.contains(" of "));
            let mut text = seen
                .iter()
                .map(|name| message(name))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if fragmented {
                text.push_str(
                    " This record carries only part of the message: DTLS splits handshake \
                     messages to fit the path MTU, and the receiver puts the fragments \
                     together by fragment_offset.",
                );
            }
            text
        }
        ContentType::CHANGE_CIPHER_SPEC => "ChangeCipherSpec: from the next record on, this \
             side encrypts with the new keys. The epoch goes from 0 to 1 and the record \
             sequence numbers start again at 0."
            .into(),
        ContentType::ALERT => "An alert in the clear: an error before the keys exist (or a \
             forged one, which an established session ignores)."
            .into(),
        _ => String::new(),
    }
}

/// The explanation of a protected (epoch ≥ 1) record under `aead`.
pub fn protected_record(content_type: ContentType, aead: AeadAlgorithm, opened: bool) -> String {
    let what = match content_type {
        ContentType::HANDSHAKE => message("Finished"),
        ContentType::APPLICATION_DATA => {
            "Application data, encrypted and authenticated with the session's AEAD cipher; \
             the header's type, version, epoch, sequence and length are authenticated too."
        }
        ContentType::ALERT => "An encrypted alert, e.g. close_notify when a side ends the session.",
        _ => "",
    };
    let nonce = match aead {
        AeadAlgorithm::Aes128Ccm8 | AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => {
            " The nonce is the 4-byte write IV followed by the 8-byte explicit nonce the \
             record carries (epoch and sequence number)."
        }
        AeadAlgorithm::ChaCha20Poly1305 => {
            " ChaCha20-Poly1305 sends no nonce: each side computes it from the record's \
             epoch and sequence number, mixed (XOR) into the 12-byte write IV (RFC 7905)."
        }
    };
    let how = if opened {
        " Shown decrypted below with the keys derived from the session's master secret."
    } else {
        " The keys are not known yet, so it cannot be opened here."
    };
    format!("{what}{nonce}{how}")
}

/// A record's title from its content type.
pub fn content_title(content_type: ContentType) -> &'static str {
    match content_type {
        ContentType::HANDSHAKE => "Handshake",
        ContentType::CHANGE_CIPHER_SPEC => "ChangeCipherSpec",
        ContentType::ALERT => "Alert",
        ContentType::APPLICATION_DATA => "ApplicationData",
        _ => "Unknown record",
    }
}
