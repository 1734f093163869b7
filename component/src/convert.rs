//! Conversions between the engine's Rust types and the WIT types.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use core::time::Duration;

use wasm_dtls::trace::{Direction as EngineDirection, DropReason};
use wasm_dtls::x509::{Certificate, PrivateKey};
use wasm_dtls::{
    CipherSuite as EngineSuite, Config, Error, NamedGroup as EngineGroup, RetransmitPolicy,
    SessionState as EngineState,
};

use crate::bindings::exports::wasm_dtls::dtls::types::{
    CipherSuite, Direction, Error as WitError, IpAddress, MessageTrace, NamedGroup, RecordTrace,
    SessionState, Settings, SocketAddress, StateChange, Stats, Trace,
};
use crate::codes;

/// A configuration from WIT settings; absent fields keep the engine's defaults.
pub fn config(settings: &Settings) -> Result<Config, WitError> {
    build_config(settings).map_err(|e| codes::error(&e))
}

fn build_config(s: &Settings) -> Result<Config, Error> {
    let mut config = Config::new();
    if !s.suites.is_empty() {
        let suites: Vec<EngineSuite> = s.suites.iter().map(|&c| suite_from_wit(c)).collect();
        config.set_cipher_suites(&suites)?;
    }
    if !s.groups.is_empty() {
        let groups: Vec<EngineGroup> = s.groups.iter().map(|&g| group_from_wit(g)).collect();
        config.set_groups(&groups)?;
    }
    if let Some(mtu) = s.mtu {
        config.set_mtu(mtu as usize)?;
    }
    let mut policy = RetransmitPolicy::default();
    if let Some(ms) = s.retransmit_initial_ms {
        policy.initial = Duration::from_millis(ms.into());
    }
    if let Some(ms) = s.retransmit_max_ms {
        policy.max = Duration::from_millis(ms.into());
    }
    if let Some(n) = s.max_transmissions {
        policy.max_transmissions = n;
    }
    config.set_retransmit(policy)?;
    config.set_idle_timeout(s.idle_timeout_ms.map(|ms| Duration::from_millis(ms.into())));
    if let Some(capacity) = s.psk_capacity {
        config.set_psk_capacity(capacity as usize)?;
    }
    config.set_require_extended_master_secret(s.require_extended_master_secret);
    config.set_server_name(s.server_name.as_deref());
    config.set_key_log(s.key_log);
    Ok(config)
}

/// Adds a local identity given as bytes: a chain (PEM or DER) and a key.
pub fn local_certificate_add(
    config: &mut Config,
    id: u32,
    chain: &[u8],
    key: &[u8],
) -> Result<(), WitError> {
    let added = Certificate::load(chain).and_then(|chain| {
        let key = PrivateKey::load(key)?;
        config.local_certificate_add(id, chain, key)
    });
    added.map_err(|e| codes::error(&e))
}

/// Adds a trusted certificate given as bytes (PEM or DER). Bytes holding several
/// certificates are refused, not trusted in part: NetX gives each its own id, and the
/// hosts split bundles before they get here.
pub fn trusted_certificate_add(config: &mut Config, id: u32, bytes: &[u8]) -> Result<(), WitError> {
    let added =
        Certificate::load(bytes).and_then(|certs| match <[Certificate; 1]>::try_from(certs) {
            Ok([certificate]) => config.trusted_certificate_add(id, certificate),
            Err(_) => Err(Error::InvalidParameters(
                "the bytes hold several certificates: add each under its own id",
            )),
        });
    added.map_err(|e| codes::error(&e))
}

/// Maps an engine result to a WIT result.
pub fn result(r: Result<(), Error>) -> Result<(), WitError> {
    r.map_err(|e| codes::error(&e))
}

/// The engine suite of a WIT suite.
pub fn suite_from_wit(suite: CipherSuite) -> EngineSuite {
    match suite {
        CipherSuite::PskAes128Ccm8 => EngineSuite::PskAes128Ccm8,
        CipherSuite::PskAes128GcmSha256 => EngineSuite::PskAes128GcmSha256,
        CipherSuite::EcdheEcdsaAes128Ccm8 => EngineSuite::EcdheEcdsaAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256 => EngineSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::PskChacha20Poly1305Sha256 => EngineSuite::PskChaCha20Poly1305Sha256,
        CipherSuite::EcdheEcdsaChacha20Poly1305Sha256 => {
            EngineSuite::EcdheEcdsaChaCha20Poly1305Sha256
        }
        CipherSuite::EcdheRsaAes128GcmSha256 => EngineSuite::EcdheRsaAes128GcmSha256,
        CipherSuite::EcdheRsaChacha20Poly1305Sha256 => EngineSuite::EcdheRsaChaCha20Poly1305Sha256,
        CipherSuite::PskAes256GcmSha384 => EngineSuite::PskAes256GcmSha384,
        CipherSuite::EcdheEcdsaAes256GcmSha384 => EngineSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheRsaAes256GcmSha384 => EngineSuite::EcdheRsaAes256GcmSha384,
        CipherSuite::EcdhePskChacha20Poly1305Sha256 => EngineSuite::EcdhePskChaCha20Poly1305Sha256,
    }
}

/// The WIT suite of an engine suite.
pub fn suite(suite: EngineSuite) -> CipherSuite {
    match suite {
        EngineSuite::PskAes128Ccm8 => CipherSuite::PskAes128Ccm8,
        EngineSuite::PskAes128GcmSha256 => CipherSuite::PskAes128GcmSha256,
        EngineSuite::EcdheEcdsaAes128Ccm8 => CipherSuite::EcdheEcdsaAes128Ccm8,
        EngineSuite::EcdheEcdsaAes128GcmSha256 => CipherSuite::EcdheEcdsaAes128GcmSha256,
        EngineSuite::PskChaCha20Poly1305Sha256 => CipherSuite::PskChacha20Poly1305Sha256,
        EngineSuite::EcdheEcdsaChaCha20Poly1305Sha256 => {
            CipherSuite::EcdheEcdsaChacha20Poly1305Sha256
        }
        EngineSuite::EcdheRsaAes128GcmSha256 => CipherSuite::EcdheRsaAes128GcmSha256,
        EngineSuite::EcdheRsaChaCha20Poly1305Sha256 => CipherSuite::EcdheRsaChacha20Poly1305Sha256,
        EngineSuite::PskAes256GcmSha384 => CipherSuite::PskAes256GcmSha384,
        EngineSuite::EcdheEcdsaAes256GcmSha384 => CipherSuite::EcdheEcdsaAes256GcmSha384,
        EngineSuite::EcdheRsaAes256GcmSha384 => CipherSuite::EcdheRsaAes256GcmSha384,
        EngineSuite::EcdhePskChaCha20Poly1305Sha256 => CipherSuite::EcdhePskChacha20Poly1305Sha256,
    }
}

/// The engine group of a WIT group.
pub fn group_from_wit(group: NamedGroup) -> EngineGroup {
    match group {
        NamedGroup::X25519 => EngineGroup::X25519,
        NamedGroup::Secp256r1 => EngineGroup::Secp256r1,
    }
}

/// The WIT group of an engine group.
pub fn group(group: EngineGroup) -> NamedGroup {
    match group {
        EngineGroup::X25519 => NamedGroup::X25519,
        EngineGroup::Secp256r1 => NamedGroup::Secp256r1,
    }
}

/// The WIT state of an engine state.
pub fn state(state: EngineState) -> SessionState {
    match state {
        EngineState::Idle => SessionState::Idle,
        EngineState::Handshaking => SessionState::Handshaking,
        EngineState::Connected => SessionState::Connected,
        EngineState::Closed => SessionState::Closed,
        EngineState::Failed => SessionState::Failed,
    }
}

/// The WIT form of a socket address.
pub fn address(addr: SocketAddr) -> SocketAddress {
    let address = match addr.ip() {
        IpAddr::V4(ip) => {
            let [a, b, c, d] = ip.octets();
            IpAddress::Ipv4((a, b, c, d))
        }
        IpAddr::V6(ip) => {
            let [a, b, c, d, e, f, g, h] = ip.segments();
            IpAddress::Ipv6((a, b, c, d, e, f, g, h))
        }
    };
    SocketAddress {
        address,
        port: addr.port(),
    }
}

/// The Rust form of a WIT socket address.
pub fn socket_addr(addr: &SocketAddress) -> SocketAddr {
    let ip = match addr.address {
        IpAddress::Ipv4((a, b, c, d)) => IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => {
            IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h))
        }
    };
    SocketAddr::new(ip, addr.port)
}

/// The WIT form of an engine trace event.
pub fn trace(t: &wasm_dtls::trace::Trace) -> Trace {
    use wasm_dtls::trace::Trace as T;
    match t {
        T::Record {
            direction,
            content_type,
            epoch,
            sequence,
            length,
        } => Trace::Record(RecordTrace {
            direction: direction_of(*direction),
            content_type: content_type.0,
            epoch: *epoch,
            sequence: *sequence,
            length: u32::try_from(*length).unwrap_or(u32::MAX),
        }),
        T::Message {
            direction,
            msg_type,
            message_seq,
            fragment_offset,
            fragment_length,
            length,
        } => Trace::Message(MessageTrace {
            direction: direction_of(*direction),
            name: msg_type.name().to_string(),
            message_seq: *message_seq,
            fragment_offset: *fragment_offset,
            fragment_length: *fragment_length,
            length: *length,
        }),
        T::Retransmit { transmissions } => Trace::Retransmit(*transmissions),
        T::Dropped { reason } => Trace::Dropped(drop_reason(*reason).to_string()),
        T::State { from, to } => Trace::State(StateChange {
            from: state(*from),
            to: state(*to),
        }),
        T::Timer { deadline } => Trace::Timer(deadline.map(|d| d.as_millis())),
    }
}

fn direction_of(d: EngineDirection) -> Direction {
    match d {
        EngineDirection::Sent => Direction::Sent,
        EngineDirection::Received => Direction::Received,
    }
}

fn drop_reason(reason: DropReason) -> &'static str {
    match reason {
        DropReason::BadMac => "bad-mac",
        DropReason::Replayed => "replayed",
        DropReason::Malformed => "malformed",
        DropReason::Unexpected => "unexpected",
        DropReason::ReassemblyFull => "reassembly-full",
        DropReason::BadCookie => "bad-cookie",
        DropReason::PoolFull => "pool-full",
        DropReason::UnknownPeer => "unknown-peer",
    }
}

/// The WIT form of a session's counters.
pub fn stats(s: wasm_dtls::Stats) -> Stats {
    Stats {
        datagrams_received: s.datagrams_received,
        datagrams_sent: s.datagrams_sent,
        records_accepted: s.records_accepted,
        retransmissions: s.retransmissions,
        dropped_bad_mac: s.dropped_bad_mac,
        dropped_replayed: s.dropped_replayed,
        dropped_malformed: s.dropped_malformed,
        dropped_unexpected: s.dropped_unexpected,
        dropped_reassembly: s.dropped_reassembly,
        renegotiations_refused: s.renegotiations_refused,
    }
}
