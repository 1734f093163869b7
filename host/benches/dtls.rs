//! `cargo bench -p wasm-dtls-host`: the whole benchmark report (see `wasm_dtls_host::
//! bench`) with OpenSSL measured in the same run as the baseline — full DTLS 1.2
//! handshakes between an OpenSSL client and server over in-memory datagram pipes, the
//! same suites, groups and credentials, and its record seal/open throughput.
//!
//! `WASM_DTLS_BENCH_QUICK=1` for a short run; `--json` (after `--`) for JSON. The Node
//! row needs `js/generated` (`cd js && npm run build`), the browser module's size
//! `www/pkg` (`bash www/build.sh`); both are measured when present.

use std::alloc::System;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::path::Path;
use std::rc::Rc;

use openssl::pkey::PKey;
use openssl::ssl::{
    ErrorCode, Ssl, SslContext, SslContextBuilder, SslMethod, SslOptions, SslStream, SslVerifyMode,
    SslVersion,
};
use openssl::x509::X509;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use wasm_dtls::{CipherSuite, CryptoProvider, KeyExchange, NamedGroup};
use wasm_dtls_host::Runtime;
use wasm_dtls_host::bench::{
    self, BenchOptions, Budget, CA_PEM, Lab, MTU, OpensslFigures, PSK_IDENTITY, PSK_KEY,
    RECORD_BYTES, SERVER_CERT_PEM, SERVER_KEY_PEM,
};

/// The system allocator, counting, for the heap figures.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

type Queue = Rc<RefCell<VecDeque<Vec<u8>>>>;

/// One end of an in-memory datagram link: each write is one datagram, each read takes
/// one (OpenSSL's DTLS reads and writes whole datagrams).
struct Pipe {
    inbox: Queue,
    outbox: Queue,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(datagram) = self.inbox.borrow_mut().pop_front() else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let n = datagram.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), datagram.get(..n)) {
            to.copy_from_slice(from);
        }
        Ok(n)
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outbox.borrow_mut().push_back(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn pipes() -> (Pipe, Pipe) {
    let (a, b): (Queue, Queue) = Default::default();
    (
        Pipe {
            inbox: a.clone(),
            outbox: b.clone(),
        },
        Pipe {
            inbox: b,
            outbox: a,
        },
    )
}

/// OpenSSL's name for our suite.
fn openssl_cipher(suite: CipherSuite) -> &'static str {
    match suite {
        CipherSuite::PskAes128Ccm8 => "PSK-AES128-CCM8",
        CipherSuite::PskAes128GcmSha256 => "PSK-AES128-GCM-SHA256",
        CipherSuite::EcdheEcdsaAes128Ccm8 => "ECDHE-ECDSA-AES128-CCM8",
        CipherSuite::EcdheEcdsaAes128GcmSha256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::PskChaCha20Poly1305Sha256 => "PSK-CHACHA20-POLY1305",
        CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        CipherSuite::EcdheRsaAes128GcmSha256 => "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::EcdheRsaChaCha20Poly1305Sha256 => "ECDHE-RSA-CHACHA20-POLY1305",
        CipherSuite::PskAes256GcmSha384 => "PSK-AES256-GCM-SHA384",
        CipherSuite::EcdheEcdsaAes256GcmSha384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::EcdheRsaAes256GcmSha384 => "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::EcdhePskChaCha20Poly1305Sha256 => "ECDHE-PSK-CHACHA20-POLY1305",
    }
}

type Failure = Box<dyn std::error::Error>;

fn context(suite: CipherSuite) -> Result<SslContextBuilder, Failure> {
    let mut b = SslContext::builder(SslMethod::dtls())?;
    b.set_min_proto_version(Some(SslVersion::DTLS1_2))?;
    b.set_max_proto_version(Some(SslVersion::DTLS1_2))?;
    b.set_cipher_list(openssl_cipher(suite))?;
    // Our engine's ECDHE groups in its order (X25519 first, as OpenSSL's own default).
    let groups: Vec<&str> = wasm_dtls::Config::new()
        .groups()
        .iter()
        .map(|g| match g {
            NamedGroup::X25519 => "X25519",
            NamedGroup::Secp256r1 => "P-256",
        })
        .collect();
    b.set_groups_list(&groups.join(":"))?;
    // As our engine: no tickets, no MTU probing (the pipes have no MTU).
    b.set_options(SslOptions::NO_TICKET | SslOptions::NO_QUERY_MTU);
    Ok(b)
}

/// A client and a server context that can only agree on `suite`, with our fixtures.
fn contexts(suite: CipherSuite) -> Result<(SslContext, SslContext), Failure> {
    let mut client = context(suite)?;
    let mut server = context(suite)?;
    // The server makes clients prove their address with a cookie, as ours does.
    server.set_options(SslOptions::COOKIE_EXCHANGE);
    server.set_cookie_generate_cb(|_, out| {
        let cookie = out
            .get_mut(..32)
            .ok_or_else(openssl::error::ErrorStack::get)?;
        cookie.copy_from_slice(&[0x5a; 32]);
        Ok(32)
    });
    server.set_cookie_verify_cb(|_, cookie| cookie == [0x5a; 32]);
    match suite.key_exchange() {
        KeyExchange::Psk | KeyExchange::EcdhePsk => {
            client.set_psk_client_callback(|_, _hint, identity, psk| {
                let id = identity
                    .get_mut(..=PSK_IDENTITY.len())
                    .ok_or_else(openssl::error::ErrorStack::get)?;
                id.copy_from_slice(&[PSK_IDENTITY, b"\0"].concat());
                psk.get_mut(..PSK_KEY.len())
                    .ok_or_else(openssl::error::ErrorStack::get)?
                    .copy_from_slice(PSK_KEY);
                Ok(PSK_KEY.len())
            });
            server.set_psk_server_callback(|_, _identity, psk| {
                psk.get_mut(..PSK_KEY.len())
                    .ok_or_else(openssl::error::ErrorStack::get)?
                    .copy_from_slice(PSK_KEY);
                Ok(PSK_KEY.len())
            });
        }
        // Only the suites a wasm-dtls server takes are benched (not ECDHE_RSA).
        KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
            let certificate = X509::from_pem(SERVER_CERT_PEM)?;
            let key = PKey::private_key_from_pem(SERVER_KEY_PEM)?;
            server.set_certificate(&certificate)?;
            server.set_private_key(&key)?;
            client.cert_store_mut().add_cert(X509::from_pem(CA_PEM)?)?;
            client.set_verify(SslVerifyMode::PEER);
            client.verify_param_mut().set_host("localhost")?;
        }
    }
    Ok((client.build(), server.build()))
}

/// A handshake-driving step: done, or waiting for the peer.
fn progressed(r: Result<(), openssl::ssl::Error>) -> Result<bool, Failure> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if e.code() == ErrorCode::WANT_READ => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// One full handshake; returns both streams, connected.
fn handshake(
    client: &SslContext,
    server: &SslContext,
) -> Result<(SslStream<Pipe>, SslStream<Pipe>), Failure> {
    let (a, b) = pipes();
    let ssl = |context: &SslContext| -> Result<Ssl, Failure> {
        let mut ssl = Ssl::new(context)?;
        ssl.set_mtu(u32::from(MTU))?;
        Ok(ssl)
    };
    let mut c = SslStream::new(ssl(client)?, a)?;
    let mut s = SslStream::new(ssl(server)?, b)?;
    let (mut c_done, mut s_done) = (false, false);
    for _ in 0..32 {
        if !c_done {
            c_done = progressed(c.connect())?;
        }
        if !s_done {
            s_done = progressed(s.accept())?;
        }
        if c_done && s_done {
            return Ok((c, s));
        }
    }
    Err("the OpenSSL handshake did not complete".into())
}

/// OpenSSL's handshakes per second (timed side by side with the engine's native
/// handshakes, for their ratio) and record MB/s for `suite`.
fn openssl_figures(suite: CipherSuite, budget: Budget) -> Result<OpensslFigures, Failure> {
    let (native, per_handshake) = native_and_openssl(suite, CryptoProvider::default(), budget)?;
    let (client, server) = contexts(suite)?;
    let (mut c, mut s) = handshake(&client, &server)?;
    let payload = vec![0x42u8; RECORD_BYTES];
    let mut buf = vec![0u8; 2 * RECORD_BYTES];
    let per_record = budget.seconds_per_run(|| -> Result<(), Failure> {
        c.ssl_write(&payload)?;
        let n = s.ssl_read(&mut buf)?;
        if n == RECORD_BYTES {
            Ok(())
        } else {
            Err("short record".into())
        }
    })?;
    Ok(OpensslFigures {
        handshakes_per_s: 1.0 / per_handshake,
        native_vs_openssl: per_handshake / native,
        mb_s: RECORD_BYTES as f64 / per_record / 1e6,
    })
}

/// Seconds per native handshake (with `provider`'s P-256) and per OpenSSL handshake for
/// `suite`, timed side by side.
fn native_and_openssl(
    suite: CipherSuite,
    provider: CryptoProvider,
    budget: Budget,
) -> Result<(f64, f64), Failure> {
    let (client, server) = contexts(suite)?;
    let mut lab = Lab::with_provider(suite, 1, provider)?;
    budget.seconds_per_run_side_by_side(
        || lab.handshake_and_free().map_err(Failure::from),
        || handshake(&client, &server).map(drop),
    )
}

fn main() -> Result<(), Failure> {
    let json = std::env::args().any(|a| a == "--json");
    let mut options = if std::env::var_os("WASM_DTLS_BENCH_QUICK").is_some() {
        BenchOptions::quick()
    } else {
        BenchOptions::full()
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if root.join("js/generated/wasm_dtls.js").exists() {
        options.node_package = Some(root.join("js"));
    }
    let module = root.join("www/pkg/wasm_dtls_web_bg.wasm");
    if module.exists() {
        options.browser_module = Some(module);
    }
    let runtime = Runtime::from_env()?;
    let mut report = bench::run(&runtime, &options, GLOBAL)?;
    for suite in CipherSuite::SERVED {
        report.add_openssl(suite, openssl_figures(suite, Budget(options.budget))?);
        for &provider in bench::other_providers(suite) {
            let (native, openssl) = native_and_openssl(suite, provider, Budget(options.budget))?;
            report.add_openssl_provider(suite, provider.name(), openssl / native);
        }
    }
    if json {
        println!("{}", report.to_json());
    } else {
        println!("{report}");
    }
    Ok(())
}
