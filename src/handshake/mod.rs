//! Handshake messages (RFC 5246 §7.4, RFC 6347 §4.2, RFC 4279, RFC 5489): the 12-byte DTLS
//! handshake header, message codecs, extensions, fragmentation and reassembly.

mod certificates;
mod ecdhe_psk;
mod extensions;
mod fragment;
mod header;
mod hellos;
mod messages;
mod reassembly;

pub use certificates::{
    CertificateMessage, CertificateRequest, CertificateVerify, ECDSA_SIGN, EcdheClientKeyExchange,
    EcdheServerKeyExchange, RSA_SIGN,
};
pub use ecdhe_psk::{EcdhePskClientKeyExchange, EcdhePskServerKeyExchange};
pub use extensions::{
    Extension, ExtensionBlock, ExtensionType, TLS_EMPTY_RENEGOTIATION_INFO_SCSV, decode_extensions,
    encode_extensions, renegotiation_info_data, u8_list_data, u16_list_data,
};
pub use fragment::{encode_message, fragment_count, fragments, message_header, split};
pub use header::{
    Fragment, Fragments, HANDSHAKE_HEADER_LEN, HandshakeHeader, HandshakeType, parse_fragments,
};
pub use hellos::{ClientHello, ClientHelloView, ServerHello, ServerHelloView};
pub use messages::{
    Finished, HelloVerifyRequest, PskClientKeyExchange, PskServerKeyExchange, ServerHelloDone,
};
pub use reassembly::{Insert, Message, Reassembler, ReassemblyLimits};
