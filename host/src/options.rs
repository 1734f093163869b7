//! What a session or server is set up with: the component's settings plus the
//! credentials, applied through the NetX methods, and where keys and traces go.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasm_dtls::{CipherSuite, NamedGroup, SavedSession};

use crate::bindings::types::{CipherSuite as WitSuite, NamedGroup as WitGroup, Settings};
use crate::error::DtlsError;
use crate::instance::Credentials;

/// A pre-shared key with its identity and (server) identity hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskEntry {
    /// The identity the client names.
    pub identity: Vec<u8>,
    /// The key.
    pub key: Vec<u8>,
    /// The hint a server sends (may be empty).
    pub hint: Vec<u8>,
}

/// Receives NSS key log lines.
pub type KeyLogSink = Arc<dyn Fn(&str) + Send + Sync>;
/// Receives trace lines: milliseconds since the session or server began, and the text.
pub type TraceSink = Arc<dyn Fn(u64, &str) + Send + Sync>;

/// How a [`crate::DtlsSession`] or [`crate::DtlsServer`] is set up. Start from
/// `Options::default()` and fill in what you need.
#[derive(Clone, Default)]
pub struct Options {
    /// Suites to offer or accept, most preferred first (empty: all six).
    pub suites: Vec<CipherSuite>,
    /// ECDHE groups, most preferred first (empty: X25519, then secp256r1). A server
    /// serves the ECDSA suites only to clients that list secp256r1, its certificate's
    /// curve (RFC 4492 §4).
    pub groups: Vec<NamedGroup>,
    /// Pre-shared keys (NetX `psk_add`), as many as needed (a key per device, say).
    pub psks: Vec<PskEntry>,
    /// This side's certificate chain (PEM or DER) and private key (NetX
    /// `local_certificate_add`).
    pub certificate: Option<(Vec<u8>, Vec<u8>)>,
    /// Trusted (CA) certificates, PEM or DER (NetX `trusted_certificate_add`); every
    /// certificate of a PEM bundle is trusted, each under its own id.
    pub trusted: Vec<Vec<u8>>,
    /// Server: require client certificates, chains of at most this many (NetX
    /// `x509_client_verify_configure`).
    pub verify_client: Option<u32>,
    /// Client: the host name for server_name and the certificate check. `None` checks
    /// the chain but not the names in it (as NetX and OpenSSL without a host set do);
    /// the CLI and the Node package default it to the host connected to.
    pub server_name: Option<String>,
    /// The largest datagram to send, 128 to 65507 bytes (default 1200).
    pub mtu: Option<u32>,
    /// The first retransmission timeout (RFC 6347: 1 s); it doubles after each
    /// retransmission.
    pub retransmit_initial: Option<Duration>,
    /// The cap of the doubling retransmission timeout (RFC 6347: 60 s).
    pub retransmit_max: Option<Duration>,
    /// How many times a flight is sent in all before the handshake fails with
    /// WASM_DTLS_HANDSHAKE_TIMEOUT (NetX: 11).
    pub max_transmissions: Option<u32>,
    /// End sessions that are silent this long.
    pub idle_timeout: Option<Duration>,
    /// Refuse peers that do not use the extended master secret (RFC 7627), with
    /// NX_SECURE_TLS_EXTENSION_NOT_FOUND (0x136). Off by default: it is always offered
    /// and used when the peer has it, but some small stacks (tinydtls) do not.
    pub require_extended_master_secret: bool,
    /// The certificate validity time, seconds since 1970 (default: the system clock).
    pub unix_time: Option<u64>,
    /// Client: a session saved from an earlier connection to the same server
    /// ([`crate::DtlsSession::saved_session`]), offered for resumption: a server that
    /// still holds it answers with the abbreviated handshake (RFC 5246 §7.3), one that
    /// does not with a full handshake.
    pub saved_session: Option<SavedSession>,
    /// Server: the session cache for resumption, as (capacity, lifetime); `None` keeps
    /// the default of 1024 sessions for two hours, a capacity of 0 turns resumption
    /// off. Lifetimes are counted in whole seconds.
    pub session_cache: Option<(u32, Duration)>,
    /// Where NSS key log lines go, if anywhere.
    pub key_log: Option<KeyLogSink>,
    /// Where trace lines go, if anywhere.
    pub trace: Option<TraceSink>,
}

impl core::fmt::Debug for Options {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Options")
            .field("suites", &self.suites)
            .field("groups", &self.groups)
            .field("psks", &self.psks.len())
            .field("certificate", &self.certificate.is_some())
            .field("trusted", &self.trusted.len())
            .field("verify_client", &self.verify_client)
            .field("server_name", &self.server_name)
            .field("mtu", &self.mtu)
            .field("retransmit_initial", &self.retransmit_initial)
            .field("retransmit_max", &self.retransmit_max)
            .field("max_transmissions", &self.max_transmissions)
            .field("idle_timeout", &self.idle_timeout)
            .field(
                "require_extended_master_secret",
                &self.require_extended_master_secret,
            )
            .field("unix_time", &self.unix_time)
            .field("saved_session", &self.saved_session)
            .field("session_cache", &self.session_cache)
            .finish_non_exhaustive()
    }
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

impl Options {
    /// The component's settings record.
    pub(crate) fn settings(&self) -> Settings {
        Settings {
            suites: self.suites.iter().map(|&s| wit_suite(s)).collect(),
            groups: self.groups.iter().map(|&g| wit_group(g)).collect(),
            mtu: self.mtu,
            retransmit_initial_ms: self.retransmit_initial.map(millis),
            retransmit_max_ms: self.retransmit_max.map(millis),
            max_transmissions: self.max_transmissions,
            idle_timeout_ms: self.idle_timeout.map(millis),
            // Room for every key given (the engine's table holds 8 unless told
            // otherwise); keys are added only from these options.
            psk_capacity: (!self.psks.is_empty())
                .then(|| u32::try_from(self.psks.len()).unwrap_or(u32::MAX)),
            require_extended_master_secret: self.require_extended_master_secret,
            server_name: self.server_name.clone(),
            key_log: self.key_log.is_some(),
            trace: self.trace.is_some(),
        }
    }

    /// The certificate validity time to give the engine.
    pub(crate) fn unix_time(&self) -> u64 {
        self.unix_time.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
    }

    /// Adds the credentials through the NetX methods of a session or server.
    pub(crate) fn apply(&self, target: &mut impl Credentials) -> Result<(), DtlsError> {
        for psk in &self.psks {
            target.psk_add(&psk.key, &psk.identity, &psk.hint)?;
        }
        if let Some((chain, key)) = &self.certificate {
            target.local_certificate_add(1, chain, key)?;
        }
        let trusted = self
            .trusted
            .iter()
            .flat_map(|bytes| each_certificate(bytes));
        for (i, certificate) in trusted.enumerate() {
            let id = u32::try_from(i + 1).unwrap_or(u32::MAX);
            target.trusted_certificate_add(id, certificate)?;
        }
        target.set_unix_time(self.unix_time())
    }
}

/// The certificates of one trusted entry: each block of a PEM bundle, as `openssl
/// -CAfile` trusts every certificate of its file (the component takes one per id);
/// anything else as it is, for the component to accept or to say what is wrong with it.
fn each_certificate(bytes: &[u8]) -> Vec<&[u8]> {
    match wasm_dtls::x509::certificate_pems(bytes) {
        Some(blocks) if blocks.len() > 1 => blocks,
        // One certificate, DER, or a block cut short: the component refuses the whole
        // entry when it is wrong, and says why.
        _ => vec![bytes],
    }
}

/// The WIT suite of an engine suite.
pub(crate) fn wit_suite(suite: CipherSuite) -> WitSuite {
    match suite {
        CipherSuite::PskAes128Ccm8 => WitSuite::PskAes128Ccm8,
        CipherSuite::PskAes128GcmSha256 => WitSuite::PskAes128GcmSha256,
        CipherSuite::EcdheEcdsaAes128Ccm8 => WitSuite::EcdheEcdsaAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256 => WitSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::PskChaCha20Poly1305Sha256 => WitSuite::PskChacha20Poly1305Sha256,
        CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256 => WitSuite::EcdheEcdsaChacha20Poly1305Sha256,
        CipherSuite::EcdheRsaAes128GcmSha256 => WitSuite::EcdheRsaAes128GcmSha256,
        CipherSuite::EcdheRsaChaCha20Poly1305Sha256 => WitSuite::EcdheRsaChacha20Poly1305Sha256,
        CipherSuite::PskAes256GcmSha384 => WitSuite::PskAes256GcmSha384,
        CipherSuite::EcdheEcdsaAes256GcmSha384 => WitSuite::EcdheEcdsaAes256GcmSha384,
        CipherSuite::EcdheRsaAes256GcmSha384 => WitSuite::EcdheRsaAes256GcmSha384,
        CipherSuite::EcdhePskChaCha20Poly1305Sha256 => WitSuite::EcdhePskChacha20Poly1305Sha256,
    }
}

/// The WIT group of an engine group.
pub(crate) fn wit_group(group: NamedGroup) -> WitGroup {
    match group {
        NamedGroup::X25519 => WitGroup::X25519,
        NamedGroup::Secp256r1 => WitGroup::Secp256r1,
    }
}

/// The engine group (names, code points) of a WIT group.
pub(crate) fn engine_group(group: WitGroup) -> NamedGroup {
    match group {
        WitGroup::X25519 => NamedGroup::X25519,
        WitGroup::Secp256r1 => NamedGroup::Secp256r1,
    }
}

/// The engine suite (names, code points) of a WIT suite.
pub(crate) fn engine_suite(suite: WitSuite) -> CipherSuite {
    match suite {
        WitSuite::PskAes128Ccm8 => CipherSuite::PskAes128Ccm8,
        WitSuite::PskAes128GcmSha256 => CipherSuite::PskAes128GcmSha256,
        WitSuite::EcdheEcdsaAes128Ccm8 => CipherSuite::EcdheEcdsaAes128Ccm8,
        WitSuite::EcdheEcdsaAes128GcmSha256 => CipherSuite::EcdheEcdsaAes128GcmSha256,
        WitSuite::PskChacha20Poly1305Sha256 => CipherSuite::PskChaCha20Poly1305Sha256,
        WitSuite::EcdheEcdsaChacha20Poly1305Sha256 => CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256,
        WitSuite::EcdheRsaAes128GcmSha256 => CipherSuite::EcdheRsaAes128GcmSha256,
        WitSuite::EcdheRsaChacha20Poly1305Sha256 => CipherSuite::EcdheRsaChaCha20Poly1305Sha256,
        WitSuite::PskAes256GcmSha384 => CipherSuite::PskAes256GcmSha384,
        WitSuite::EcdheEcdsaAes256GcmSha384 => CipherSuite::EcdheEcdsaAes256GcmSha384,
        WitSuite::EcdheRsaAes256GcmSha384 => CipherSuite::EcdheRsaAes256GcmSha384,
        WitSuite::EcdhePskChacha20Poly1305Sha256 => CipherSuite::EcdhePskChaCha20Poly1305Sha256,
    }
}
