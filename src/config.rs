//! What a session is allowed to do: its keys, suites, MTU, timers and bounds.
//!
//! One `Config` is shared (behind an `Arc`) by every session made from it, the way NetX
//! replicates `server_psk_add` into every session of a server's pool.

use core::time::Duration;

use crate::crypto::CryptoProvider;
use crate::error::Error;
use crate::group::NamedGroup;
use crate::handshake::ReassemblyLimits;
use crate::psk::PskTable;
pub use crate::psk::{MAX_PSK_IDENTITY_LEN, MAX_PSK_LEN, Psk};
use crate::suite::{CipherSuite, KeyExchange};
use crate::x509::{Certificate, CertificateStore, KeyKind, LocalIdentity, PrivateKey, PublicKey};

/// The smallest MTU we can fragment a handshake to and still make progress.
pub const MIN_MTU: usize = 128;
/// The largest UDP payload over IPv4.
pub const MAX_MTU: usize = 65_507;

/// The handshake retransmission timer of RFC 6347 §4.2.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetransmitPolicy {
    /// The first timeout after a flight is sent (RFC 6347: 1 s).
    pub initial: Duration,
    /// The timeout doubles after each retransmission up to this cap (RFC 6347: 60 s).
    pub max: Duration,
    /// How many times a flight is sent in all before the handshake fails (NetX: 11).
    pub max_transmissions: u32,
}

impl Default for RetransmitPolicy {
    fn default() -> Self {
        RetransmitPolicy {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
            max_transmissions: 11,
        }
    }
}

/// The configuration of a session or of a server's pool of sessions.
#[derive(Clone, Debug)]
pub struct Config {
    psks: PskTable,
    cipher_suites: Vec<CipherSuite>,
    groups: Vec<NamedGroup>,
    mtu: usize,
    retransmit: RetransmitPolicy,
    reassembly: ReassemblyLimits,
    require_extended_master_secret: bool,
    idle_timeout: Option<Duration>,
    key_log: bool,
    local_certificates: CertificateStore<LocalIdentity>,
    trusted_certificates: CertificateStore<Certificate>,
    server_name: Option<String>,
    client_verify: Option<usize>,
    unix_time: Option<u64>,
    max_chain_len: usize,
    crypto_provider: CryptoProvider,
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}

impl Config {
    /// The default PSK table capacity.
    pub const DEFAULT_PSK_CAPACITY: usize = 8;
    /// The default MTU: bytes of UDP payload per datagram, safe on almost any path.
    pub const DEFAULT_MTU: usize = 1200;

    /// The default limit on the peer's certificate chain (NetX `certs_number`).
    pub const DEFAULT_MAX_CHAIN_LEN: usize = 8;

    /// A configuration with no keys or certificates, all eight suites (ECDHE-ECDSA
    /// first, as RFC 7925 prefers; ECDHE_RSA for clients only), MTU 1200 and the RFC
    /// 6347 timers. A session offers or accepts only the suites its credentials allow.
    pub fn new() -> Config {
        Config {
            psks: PskTable::new(Self::DEFAULT_PSK_CAPACITY),
            cipher_suites: CipherSuite::ALL.to_vec(),
            groups: NamedGroup::ALL.to_vec(),
            mtu: Self::DEFAULT_MTU,
            retransmit: RetransmitPolicy::default(),
            reassembly: ReassemblyLimits::default(),
            require_extended_master_secret: false,
            idle_timeout: None,
            key_log: false,
            local_certificates: CertificateStore::default(),
            trusted_certificates: CertificateStore::default(),
            server_name: None,
            client_verify: None,
            unix_time: None,
            max_chain_len: Self::DEFAULT_MAX_CHAIN_LEN,
            crypto_provider: CryptoProvider::RustCrypto,
        }
    }

    /// Adds a pre-shared key (NetX `psk_add`). The server looks keys up by `identity`;
    /// the client uses the key whose `hint` matches the server's, or the first one.
    ///
    /// Fails with NX_SECURE_TLS_NO_MORE_PSK_SPACE (0x125) when the table is full and
    /// NX_INVALID_PARAMETERS (0x4D) for an empty or oversized key or identity.
    pub fn psk_add(&mut self, key: &[u8], identity: &[u8], hint: &[u8]) -> Result<(), Error> {
        self.psks.add(key, identity, hint)
    }

    /// Removes the key with this identity; returns whether one was there.
    pub fn psk_remove(&mut self, identity: &[u8]) -> bool {
        self.psks.remove(identity)
    }

    /// Sets how many keys the PSK table holds (NetX sizes it at compile time; default 8).
    pub fn set_psk_capacity(&mut self, capacity: usize) -> Result<(), Error> {
        self.psks.set_capacity(capacity)
    }

    /// The configured pre-shared keys.
    pub fn psks(&self) -> &[Psk] {
        self.psks.all()
    }

    /// The key a server uses for a client that names `identity`.
    pub fn psk_by_identity(&self, identity: &[u8]) -> Option<&Psk> {
        self.psks.by_identity(identity)
    }

    /// The key a client uses after the server sent `hint` (empty when it sent none).
    pub fn psk_for_hint(&self, hint: &[u8]) -> Option<&Psk> {
        self.psks.for_hint(hint)
    }

    /// Enables exactly these suites, in this order of preference.
    pub fn set_cipher_suites(&mut self, suites: &[CipherSuite]) -> Result<(), Error> {
        if suites.is_empty() {
            return Err(Error::InvalidParameters(
                "at least one cipher suite must be enabled",
            ));
        }
        self.cipher_suites = first_of_each(suites);
        Ok(())
    }

    /// The enabled suites, most preferred first.
    pub fn cipher_suites(&self) -> &[CipherSuite] {
        &self.cipher_suites
    }

    /// Enables exactly these groups for the ECDHE key exchange, in this order of
    /// preference (NetX `ecc_initialize`): a client offers them in supported_groups, a
    /// server takes the first of the client's that is among them. Certificates stay
    /// P-256 either way, and before TLS 1.3 the client's list also names the curves
    /// it takes certificates on (RFC 4492 §4): servers — OpenSSL's, Mbed TLS's, ours —
    /// serve the ECDSA suites only to clients that list secp256r1, so a client that
    /// enables X25519 alone is left with its PSK suites.
    pub fn set_groups(&mut self, groups: &[NamedGroup]) -> Result<(), Error> {
        if groups.is_empty() {
            return Err(Error::EmptyEcGroup);
        }
        self.groups = first_of_each(groups);
        Ok(())
    }

    /// The enabled ECDHE groups, most preferred first (default: X25519, secp256r1).
    pub fn groups(&self) -> &[NamedGroup] {
        &self.groups
    }

    /// The enabled suites this side has credentials for: PSK suites need a key; a
    /// client's ECDHE suites need a trusted certificate, a server's ECDHE-ECDSA suites a
    /// local one. A server never negotiates ECDHE_RSA (it has no RSA key), nor a client
    /// built without the cargo feature `rsa`.
    pub fn usable_suites(&self, server: bool) -> Vec<CipherSuite> {
        self.cipher_suites
            .iter()
            .copied()
            .filter(|s| self.is_usable(*s, server))
            .collect()
    }

    /// Whether `suite` is enabled and this side has credentials for it (see
    /// [`Config::usable_suites`]).
    pub fn is_usable(&self, suite: CipherSuite, server: bool) -> bool {
        let have_credentials = match suite.key_exchange() {
            KeyExchange::Psk | KeyExchange::EcdhePsk => !self.psks.all().is_empty(),
            KeyExchange::EcdheEcdsa if server => !self.local_certificates.is_empty(),
            KeyExchange::EcdheRsa if server || !cfg!(feature = "rsa") => false,
            KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
                !self.trusted_certificates.is_empty()
            }
        };
        have_credentials && self.cipher_suites.contains(&suite)
    }

    /// Adds this side's certificate chain (own certificate first) and its private key
    /// under `id` (NetX `local_certificate_add`): 0x4D for id 0 or a key that does not
    /// match the certificate, 0x139 for an id in use.
    pub fn local_certificate_add(
        &mut self,
        id: u32,
        chain: Vec<Certificate>,
        key: PrivateKey,
    ) -> Result<(), Error> {
        let leaf = chain.first().ok_or(Error::InvalidParameters(
            "a local certificate chain needs at least one certificate",
        ))?;
        if leaf.public_key().is_ok_and(|k| k.kind() == KeyKind::Rsa) {
            return Err(Error::InvalidParameters(
                "an RSA certificate can only be verified here, not used as our own: \
                 give an ECDSA P-256 certificate and key",
            ));
        }
        if leaf.public_key().ok() != Some(PublicKey::P256(key.public_key())) {
            return Err(Error::InvalidParameters(
                "the private key does not belong to the certificate",
            ));
        }
        self.local_certificates
            .add(id, LocalIdentity { chain, key })
    }

    /// Removes a local certificate by id, or by common name when `id` is 0 (NetX
    /// rule); 0x119 when none matches.
    pub fn local_certificate_remove(
        &mut self,
        common_name: Option<&str>,
        id: u32,
    ) -> Result<(), Error> {
        self.local_certificates.remove(common_name, id)
    }

    /// Adds a trusted (CA) certificate under `id` (NetX `trusted_certificate_add`).
    pub fn trusted_certificate_add(
        &mut self,
        id: u32,
        certificate: Certificate,
    ) -> Result<(), Error> {
        self.trusted_certificates.add(id, certificate)
    }

    /// Removes a trusted certificate by id, or by common name when `id` is 0.
    pub fn trusted_certificate_remove(
        &mut self,
        common_name: Option<&str>,
        id: u32,
    ) -> Result<(), Error> {
        self.trusted_certificates.remove(common_name, id)
    }

    /// The identity this side presents (the first local certificate added).
    pub fn local_identity(&self) -> Option<&LocalIdentity> {
        self.local_certificates.iter().next()
    }

    /// The trusted certificates.
    pub fn trusted_certificates(&self) -> Vec<Certificate> {
        self.trusted_certificates.iter().cloned().collect()
    }

    /// Server: request and verify client certificates, accepting chains of at most
    /// `certs_per_session` certificates (NetX `x509_client_verify_configure`).
    pub fn x509_client_verify_configure(&mut self, certs_per_session: usize) -> Result<(), Error> {
        if certs_per_session == 0 {
            return Err(Error::InvalidParameters(
                "client verification needs room for at least one certificate per session",
            ));
        }
        self.client_verify = Some(certs_per_session);
        Ok(())
    }

    /// Server: stop requesting client certificates (NetX `x509_client_verify_disable`).
    pub fn x509_client_verify_disable(&mut self) {
        self.client_verify = None;
    }

    /// The client chain length limit when client certificates are requested.
    pub fn client_verify(&self) -> Option<usize> {
        self.client_verify
    }

    /// Client: the host name to send (server_name) and to check the server's
    /// certificate against. Without one, the chain is verified but not the names in
    /// it, as NetX and OpenSSL do when no host is set.
    pub fn set_server_name(&mut self, name: Option<&str>) {
        self.server_name = name.map(str::to_owned);
    }

    /// The host name the client expects, if any.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }

    /// The wall-clock time (seconds since 1970) certificates are checked against. The
    /// engine reads no clock; hosts set this. Without it certificates cannot be
    /// verified.
    pub fn set_unix_time(&mut self, seconds: u64) {
        self.unix_time = Some(seconds);
    }

    /// The wall-clock time for certificate checks, if set.
    pub fn unix_time(&self) -> Option<u64> {
        self.unix_time
    }

    /// The most certificates accepted in a server's chain (NetX `certs_number`).
    pub fn set_max_chain_len(&mut self, len: usize) -> Result<(), Error> {
        if len == 0 {
            return Err(Error::InvalidParameters(
                "the chain length limit must be at least 1",
            ));
        }
        self.max_chain_len = len;
        Ok(())
    }

    /// The limit on the server's chain length.
    pub fn max_chain_len(&self) -> usize {
        self.max_chain_len
    }

    /// Chooses the elliptic-curve implementation for ephemeral keys, ECDH (X25519 and
    /// P-256) and ECDSA ([`CryptoProvider::RustCrypto`] unless set). Both ends of a
    /// connection may use either: the wire format is the same.
    pub fn set_crypto_provider(&mut self, provider: CryptoProvider) {
        self.crypto_provider = provider;
    }

    /// The elliptic-curve implementation in use.
    pub fn crypto_provider(&self) -> CryptoProvider {
        self.crypto_provider
    }

    /// Sets the largest UDP payload the session sends (handshake messages are
    /// fragmented to fit; application data larger than one record is refused).
    pub fn set_mtu(&mut self, mtu: usize) -> Result<(), Error> {
        if !(MIN_MTU..=MAX_MTU).contains(&mtu) {
            return Err(Error::InvalidParameters(
                "the MTU must be between 128 and 65507 bytes",
            ));
        }
        self.mtu = mtu;
        Ok(())
    }

    /// The largest UDP payload the session sends.
    pub fn mtu(&self) -> usize {
        self.mtu
    }

    /// Sets the handshake retransmission timer.
    pub fn set_retransmit(&mut self, policy: RetransmitPolicy) -> Result<(), Error> {
        if policy.initial.is_zero() || policy.max < policy.initial || policy.max_transmissions == 0
        {
            return Err(Error::InvalidParameters(
                "retransmission needs 0 < initial <= max and at least one transmission",
            ));
        }
        self.retransmit = policy;
        Ok(())
    }

    /// The handshake retransmission timer.
    pub fn retransmit(&self) -> RetransmitPolicy {
        self.retransmit
    }

    /// Sets the bounds on handshake reassembly (largest message, most buffered bytes).
    pub fn set_reassembly_limits(&mut self, limits: ReassemblyLimits) -> Result<(), Error> {
        if limits.max_message_len < 256 || limits.max_buffered_bytes < limits.max_message_len {
            return Err(Error::InvalidParameters(
                "reassembly needs max_message_len >= 256 and max_buffered_bytes >= max_message_len",
            ));
        }
        self.reassembly = limits;
        Ok(())
    }

    /// The bounds on handshake reassembly.
    pub fn reassembly_limits(&self) -> ReassemblyLimits {
        self.reassembly
    }

    /// Refuse peers that do not support the extended master secret (RFC 7627 §5.2,
    /// §5.3). It is always offered and used when both sides support it; by default
    /// legacy peers without it are still accepted.
    pub fn set_require_extended_master_secret(&mut self, require: bool) {
        self.require_extended_master_secret = require;
    }

    /// Whether peers without the extended master secret are refused.
    pub fn require_extended_master_secret(&self) -> bool {
        self.require_extended_master_secret
    }

    /// Ends an established session after this long without a record from the peer
    /// (NetX has no idle timeout; `None`, the default, disables it).
    pub fn set_idle_timeout(&mut self, timeout: Option<Duration>) {
        self.idle_timeout = timeout.filter(|t| !t.is_zero());
    }

    /// Emit NSS key log lines (`Event::KeyLog`) so captures can be decrypted. Off by
    /// default: the lines contain the session secrets.
    pub fn set_key_log(&mut self, enabled: bool) {
        self.key_log = enabled;
    }

    /// Whether key log lines are emitted.
    pub fn key_log(&self) -> bool {
        self.key_log
    }

    /// The idle timeout, if any.
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.idle_timeout
    }
}

/// `items` in order with repeats left out: a preference list names each choice once.
fn first_of_each<T: Copy + PartialEq>(items: &[T]) -> Vec<T> {
    let mut unique = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(item) {
            unique.push(*item);
        }
    }
    unique
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn psk_table_full_is_0x125() {
        let mut c = Config::new();
        c.set_psk_capacity(2).unwrap_or_default();
        assert!(c.psk_add(b"k1", b"id1", b"").is_ok());
        assert!(c.psk_add(b"k2", b"id2", b"").is_ok());
        let err = c.psk_add(b"k3", b"id3", b"").err();
        assert_eq!(err.map(|e| e.status().code()), Some(0x125));
        assert!(c.psk_remove(b"id1"));
        assert!(c.psk_add(b"k3", b"id3", b"").is_ok());
        assert_eq!(c.psk_by_identity(b"id3").map(|p| p.key()), Some(&b"k3"[..]));
    }

    #[test]
    fn bad_parameters_are_0x4d() {
        let mut c = Config::new();
        let errors = [
            c.psk_add(b"", b"id", b""),
            c.psk_add(&[0; 65], b"id", b""),
            c.psk_add(b"k", b"", b""),
            c.set_mtu(100),
            c.set_cipher_suites(&[]),
            c.set_psk_capacity(0),
        ];
        for e in errors {
            assert_eq!(e.err().map(|e| e.status()), Some(Status::InvalidParameters));
        }
    }

    #[test]
    fn client_picks_the_key_matching_the_hint() {
        let mut c = Config::new();
        assert!(c.psk_add(b"k1", b"id1", b"h1").is_ok());
        assert!(c.psk_add(b"k2", b"id2", b"h2").is_ok());
        assert_eq!(
            c.psk_for_hint(b"h2").map(|p| p.identity()),
            Some(&b"id2"[..])
        );
        assert_eq!(c.psk_for_hint(b"").map(|p| p.identity()), Some(&b"id1"[..]));
        assert_eq!(
            c.psk_for_hint(b"zz").map(|p| p.identity()),
            Some(&b"id1"[..])
        );
    }

    #[test]
    fn debug_never_prints_the_key() {
        let mut c = Config::new();
        assert!(c.psk_add(b"secretkey", b"id", b"").is_ok());
        assert!(!format!("{c:?}").contains("secretkey"));
    }
}
