//! The demo's settings, as the page sends them, and the sessions and links they make.

use core::time::Duration;
use std::sync::Arc;

use serde::Deserialize;
use wasm_dtls::sim::LinkConditions;
use wasm_dtls::x509::{Certificate, PrivateKey};
use wasm_dtls::{CipherSuite, Config, Error, KeyExchange, NamedGroup};

/// The demo's PSK identity and key (shown in the inspector's ClientKeyExchange).
const PSK_IDENTITY: &[u8] = b"demo-client";
const PSK_KEY: &[u8] = b"a demo key, 32 bytes long......!";

/// "Now" for certificate checks: 2027-01-01, inside the fixtures' validity (their CA
/// is valid from 2026-11-25 for 20 years). Fixed, so a run repeats byte for byte
/// whatever the date.
const UNIX_TIME: u64 = 1_798_761_600;

/// The test fixtures' CA, server and client certificates (tests/fixtures/generate.sh).
const CA: &[u8] = include_bytes!("../../tests/fixtures/ca.crt.pem");
const SERVER_CERT: &[u8] = include_bytes!("../../tests/fixtures/server.crt.pem");
const SERVER_KEY: &[u8] = include_bytes!("../../tests/fixtures/server.key.pem");
const CLIENT_CERT: &[u8] = include_bytes!("../../tests/fixtures/client.crt.pem");
const CLIENT_KEY: &[u8] = include_bytes!("../../tests/fixtures/client.key.pem");

/// What the page lets a student choose. Percentages are 0 to 100.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Settings {
    /// The suite, by short ("psk-ccm8") or IANA name.
    pub suite: String,
    /// With a certificate suite: the ECDHE group the client prefers (x25519 or
    /// secp256r1); it offers the other after it, and the server takes its first.
    pub group: String,
    /// With a certificate suite: the server asks for a client certificate too.
    pub client_certificate: bool,
    /// The MTU both engines fragment to.
    pub mtu: usize,
    /// Chance that a datagram is lost, in percent.
    pub loss_percent: f64,
    /// Chance that a datagram is delivered twice, in percent.
    pub duplicate_percent: f64,
    /// Chance that a datagram is held back and overtaken, in percent.
    pub reorder_percent: f64,
    /// One-way delay in milliseconds.
    pub delay_ms: u64,
    /// Extra random delay, up to this many milliseconds.
    pub jitter_ms: u64,
    /// The seed of every random choice: keys, randoms, losses.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            suite: CipherSuite::PskAes128Ccm8.short_name().into(),
            group: NamedGroup::X25519.name().into(),
            client_certificate: false,
            mtu: 1400,
            loss_percent: 0.0,
            duplicate_percent: 0.0,
            reorder_percent: 0.0,
            delay_ms: 50,
            jitter_ms: 0,
            seed: 1,
        }
    }
}

impl Settings {
    /// The chosen suite, or NX_INVALID_PARAMETERS naming the problem.
    pub fn suite(&self) -> Result<CipherSuite, Error> {
        let suite = CipherSuite::from_name(&self.suite)
            .ok_or(Error::InvalidParameters("unknown cipher suite name"))?;
        if !suite.key_exchange().served() {
            return Err(Error::InvalidParameters(
                "the demo's server has no RSA certificate: ECDHE_RSA suites are for \
                 clients of other servers",
            ));
        }
        Ok(suite)
    }

    /// The chosen ECDHE group, or NX_INVALID_PARAMETERS naming the problem.
    pub fn group(&self) -> Result<NamedGroup, Error> {
        NamedGroup::from_name(&self.group).ok_or(Error::InvalidParameters(
            "unknown elliptic-curve group name",
        ))
    }

    /// The link conditions of both directions.
    pub fn link(&self) -> Result<LinkConditions, Error> {
        let fraction = |percent: f64| {
            if (0.0..=100.0).contains(&percent) {
                Ok(percent / 100.0)
            } else {
                Err(Error::InvalidParameters(
                    "loss, duplication and reordering are percentages from 0 to 100",
                ))
            }
        };
        if self.delay_ms > 10_000 || self.jitter_ms > 10_000 {
            return Err(Error::InvalidParameters(
                "delay and jitter are at most 10 000 ms",
            ));
        }
        Ok(LinkConditions {
            loss: fraction(self.loss_percent)?,
            duplicate: fraction(self.duplicate_percent)?,
            reorder: fraction(self.reorder_percent)?,
            delay: Duration::from_millis(self.delay_ms),
            jitter: Duration::from_millis(self.jitter_ms),
            ..LinkConditions::PERFECT
        })
    }

    /// The client's and the server's configurations. The client offers the chosen
    /// suite first and the other suites of the same kind after it, and the chosen group
    /// before the other, so the ClientHello shows a real choice; the server accepts
    /// only the chosen suite, and takes the client's first group.
    pub fn configs(&self) -> Result<(Arc<Config>, Arc<Config>), Error> {
        let suite = self.suite()?;
        let group = self.group()?;
        let mut groups = vec![group];
        groups.extend(NamedGroup::ALL.into_iter().filter(|g| *g != group));
        let mut offered = vec![suite];
        offered.extend(
            CipherSuite::ALL
                .into_iter()
                .filter(|s| *s != suite && s.key_exchange() == suite.key_exchange()),
        );
        let mut client = Config::new();
        let mut server = Config::new();
        client.set_cipher_suites(&offered)?;
        client.set_groups(&groups)?;
        server.set_cipher_suites(&[suite])?;
        for config in [&mut client, &mut server] {
            config.set_mtu(self.mtu)?;
            config.set_unix_time(UNIX_TIME);
        }
        // Both sides log the master secret, so the inspector can open encrypted records
        // as they are drawn: in a full handshake the client knows the keys first, in a
        // resumption the server (its Finished goes out with its ServerHello).
        client.set_key_log(true);
        server.set_key_log(true);
        match suite.key_exchange() {
            KeyExchange::Psk | KeyExchange::EcdhePsk => {
                client.psk_add(PSK_KEY, PSK_IDENTITY, b"")?;
                server.psk_add(PSK_KEY, PSK_IDENTITY, b"")?;
            }
            // `suite` refused ECDHE_RSA above; ECDHE_ECDSA is set up here.
            KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
                let ca = || {
                    Certificate::load(CA)?
                        .into_iter()
                        .next()
                        .ok_or(Error::InvalidParameters(
                            "the demo CA file holds no certificate",
                        ))
                };
                server.local_certificate_add(
                    1,
                    Certificate::load(SERVER_CERT)?,
                    PrivateKey::load(SERVER_KEY)?,
                )?;
                client.trusted_certificate_add(1, ca()?)?;
                client.set_server_name(Some("localhost"));
                if self.client_certificate {
                    client.local_certificate_add(
                        1,
                        Certificate::load(CLIENT_CERT)?,
                        PrivateKey::load(CLIENT_KEY)?,
                    )?;
                    server.trusted_certificate_add(1, ca()?)?;
                    server.x509_client_verify_configure(2)?;
                }
            }
        }
        Ok((Arc::new(client), Arc::new(server)))
    }
}
