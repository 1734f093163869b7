//! Which implementation performs the elliptic-curve operations of the ECDHE-ECDSA
//! suites: RustCrypto's `p256` and x25519-dalek (the default, and the only one in
//! WebAssembly) or, with the cargo feature `ring`, ring's assembly P-256 and X25519 for
//! native builds — the rustls arrangement.
//! Everything else (SHA-256, the PRF, AES-GCM and AES-CCM_8, certificate parsing) is
//! RustCrypto's in both.

/// The elliptic-curve implementation a [`Config`](crate::Config) uses for ephemeral
/// keys, ECDH (X25519 and P-256) and ECDSA (P-256).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CryptoProvider {
    /// RustCrypto's `p256` and x25519-dalek: portable, constant-time, draw their keys
    /// from the session's [`Random`](crate::Random).
    #[default]
    RustCrypto,
    /// ring's P-256 and X25519 (cargo feature `ring`), assembly on x86-64 and AArch64:
    /// about three times as many ECDSA handshakes per second as RustCrypto's on x86-64 with
    /// P-256 key agreement (BENCHMARKS.md). ring draws its ephemeral keys and signature
    /// nonces from the operating system itself, so a seeded [`Random`](crate::Random) does
    /// not make them repeatable. Signing or verifying a transcript digest
    /// (CertificateVerify, client authentication only) stays on RustCrypto: ring signs and
    /// verifies whole messages. Unlike RustCrypto's, ring's key objects are not wiped from
    /// memory when dropped.
    #[cfg(feature = "ring")]
    Ring,
}

impl CryptoProvider {
    /// Every provider this build has, the default first.
    pub const ALL: &'static [CryptoProvider] = &[
        CryptoProvider::RustCrypto,
        #[cfg(feature = "ring")]
        CryptoProvider::Ring,
    ];

    /// A short name for reports: `rustcrypto` or `ring`.
    pub fn name(self) -> &'static str {
        match self {
            CryptoProvider::RustCrypto => "rustcrypto",
            #[cfg(feature = "ring")]
            CryptoProvider::Ring => "ring",
        }
    }
}
