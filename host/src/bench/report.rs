//! The benchmark report: the figures, the ratios between them, the machine, and the
//! two ways to print it (a table for people, one JSON object for scripts).

use std::fmt;

use serde::Serialize;
use wasm_dtls::CipherSuite;

use super::linear_memory::LinearMemory;
use super::loss::LossTiming;
use super::memory::{Crowd, Memory};
use super::primitives::Primitives;
use super::sizes::Size;
use super::throughput::Throughput;

/// Where the figures were measured.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    /// The CPU model (from /proc/cpuinfo).
    pub cpu: String,
    /// Logical CPUs available.
    pub cpus: usize,
    /// The OS (from /proc/version).
    pub os: String,
    /// Seconds since 1970 when the run started.
    pub unix_time: u64,
}

impl Machine {
    /// This machine.
    pub fn this() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown".into(), |(_, v)| v.trim().to_string());
        let os = std::fs::read_to_string("/proc/version")
            .ok()
            .and_then(|v| v.split_whitespace().take(3).last().map(str::to_string))
            .map_or_else(|| std::env::consts::OS.into(), |v| format!("Linux {v}"));
        Machine {
            cpu,
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            os,
            unix_time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

/// Full handshakes per second for one suite, client and server in one thread.
#[derive(Clone, Debug, Serialize)]
pub struct HandshakeRate {
    /// The suite.
    pub suite: &'static str,
    /// The engine compiled natively.
    pub native_per_s: f64,
    /// The component in wasmtime.
    pub wasmtime_per_s: f64,
    /// The npm package in Node, if measured.
    pub node_per_s: Option<f64>,
    /// OpenSSL, if measured (`cargo bench`).
    pub openssl_per_s: Option<f64>,
    /// Native handshakes per OpenSSL handshake, both measured side by side (so not
    /// `native_per_s / openssl_per_s`, which were measured minutes apart).
    pub native_vs_openssl: Option<f64>,
    /// The handshake's cryptographic primitives alone, µs.
    pub primitives_us: f64,
    /// One native handshake, µs.
    pub native_us: f64,
    /// What the engine adds to its primitives, percent of the primitives.
    pub engine_overhead_percent: f64,
}

impl HandshakeRate {
    /// The rates from seconds per handshake.
    pub fn new(
        suite: CipherSuite,
        native_s: f64,
        wasmtime_s: f64,
        node_per_s: Option<f64>,
        primitives_us: f64,
    ) -> HandshakeRate {
        let native_us = native_s * 1e6;
        HandshakeRate {
            suite: suite.short_name(),
            native_per_s: 1.0 / native_s,
            wasmtime_per_s: 1.0 / wasmtime_s,
            node_per_s,
            openssl_per_s: None,
            native_vs_openssl: None,
            primitives_us,
            native_us,
            engine_overhead_percent: (native_us - primitives_us) / primitives_us * 100.0,
        }
    }
}

/// Abbreviated handshakes (resuming a cached session, RFC 5246 §7.3) per second for one
/// suite, timed side by side with full ones.
#[derive(Clone, Debug, Serialize)]
pub struct ResumptionRate {
    /// The suite.
    pub suite: &'static str,
    /// Full handshakes, native, in the same interleaved run.
    pub full_native_per_s: f64,
    /// Abbreviated handshakes, native.
    pub native_per_s: f64,
    /// Abbreviated handshakes, the component in wasmtime.
    pub wasmtime_per_s: f64,
}

/// What `cargo bench` measures of OpenSSL for one suite.
#[derive(Clone, Copy, Debug)]
pub struct OpensslFigures {
    /// Its handshakes per second.
    pub handshakes_per_s: f64,
    /// The engine's native handshakes per OpenSSL handshake, measured side by side.
    pub native_vs_openssl: f64,
    /// Its record throughput, MB/s.
    pub mb_s: f64,
}

/// Native ECDSA handshakes with another elliptic-curve provider (the engine's cargo
/// feature `ring`), timed side by side with the default RustCrypto one.
#[derive(Clone, Debug, Serialize)]
pub struct ProviderRate {
    /// The suite's short name.
    pub suite: String,
    /// The provider's name.
    pub provider: String,
    /// Handshakes per second with RustCrypto (p256, x25519-dalek).
    pub rustcrypto_per_s: f64,
    /// Handshakes per second with this provider.
    pub per_s: f64,
    /// This provider's handshakes per OpenSSL handshake, timed side by side (`cargo
    /// bench` only).
    pub vs_openssl: Option<f64>,
}

/// Everything one run measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// Time per timed measurement, ms.
    pub budget_ms: u64,
    /// Handshake rates per suite.
    pub handshakes: Vec<HandshakeRate>,
    /// Abbreviated (resumed) handshake rates per suite.
    pub resumptions: Vec<ResumptionRate>,
    /// Native ECDSA handshake rates with each other elliptic-curve provider the build has.
    pub providers: Vec<ProviderRate>,
    /// The primitives' costs.
    pub primitives: Primitives,
    /// Record throughput per suite.
    pub throughput: Vec<Throughput>,
    /// Heap per session per suite.
    pub memory: Vec<Memory>,
    /// A server with many established sessions.
    pub crowd: Crowd,
    /// The component's linear memory in wasmtime, the crowd's sessions in one server.
    pub linear_memory: LinearMemory,
    /// Module sizes.
    pub sizes: Vec<Size>,
    /// Handshake time under loss.
    pub loss: Vec<LossTiming>,
}

impl Report {
    /// Adds OpenSSL's handshake rate and record throughput for `suite`.
    pub fn add_openssl(&mut self, suite: CipherSuite, openssl: OpensslFigures) {
        let name = suite.short_name();
        for h in self.handshakes.iter_mut().filter(|h| h.suite == name) {
            h.openssl_per_s = Some(openssl.handshakes_per_s);
            h.native_vs_openssl = Some(openssl.native_vs_openssl);
        }
        for t in self.throughput.iter_mut().filter(|t| t.suite == name) {
            t.openssl_mb_s = Some(openssl.mb_s);
        }
    }

    /// Adds `provider`'s native handshakes per OpenSSL handshake for `suite`.
    pub fn add_openssl_provider(&mut self, suite: CipherSuite, provider: &str, vs_openssl: f64) {
        let name = suite.short_name();
        for p in self
            .providers
            .iter_mut()
            .filter(|p| p.suite == name && p.provider == provider)
        {
            p.vs_openssl = Some(vs_openssl);
        }
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// "12.3" or "—" for a figure not measured.
fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.digits$}"))
}

/// "0.52×" or "—".
fn ratio(a: Option<f64>, b: f64) -> String {
    times(a.map(|a| a / b))
}

/// Bytes in MiB.
fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// "1.23×" or "—" for a ratio not measured.
fn times(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.2}×"))
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.machine;
        writeln!(f, "machine: {} ({} CPUs), {}", m.cpu, m.cpus, m.os)?;
        writeln!(f, "budget per measurement: {} ms\n", self.budget_ms)?;

        writeln!(
            f,
            "Full handshakes per second (client + server, one thread, in memory)"
        )?;
        writeln!(
            f,
            "{:<18} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9} {:>11} {:>10} {:>10}",
            "suite",
            "native",
            "wasmtime",
            "node",
            "openssl",
            "wasm/nat",
            "node/nat",
            "nat/openssl",
            "crypto µs",
            "overhead"
        )?;
        for h in &self.handshakes {
            writeln!(
                f,
                "{:<18} {:>9.0} {:>9.0} {:>9} {:>9} {:>10} {:>9} {:>11} {:>10.0} {:>9.0}%",
                h.suite,
                h.native_per_s,
                h.wasmtime_per_s,
                opt(h.node_per_s, 0),
                opt(h.openssl_per_s, 0),
                ratio(Some(h.wasmtime_per_s), h.native_per_s),
                ratio(h.node_per_s, h.native_per_s),
                times(h.native_vs_openssl),
                h.primitives_us,
                h.engine_overhead_percent,
            )?;
        }

        writeln!(
            f,
            "\nAbbreviated handshakes per second (resuming a cached session, side by side with full ones)"
        )?;
        writeln!(
            f,
            "{:<18} {:>9} {:>9} {:>10} {:>11} {:>14}",
            "suite", "full nat", "native", "wasmtime", "wasm/nat", "resumed/full"
        )?;
        for r in &self.resumptions {
            writeln!(
                f,
                "{:<18} {:>9.0} {:>9.0} {:>10.0} {:>11} {:>14}",
                r.suite,
                r.full_native_per_s,
                r.native_per_s,
                r.wasmtime_per_s,
                ratio(Some(r.wasmtime_per_s), r.native_per_s),
                ratio(Some(r.native_per_s), r.full_native_per_s),
            )?;
        }

        if !self.providers.is_empty() {
            writeln!(
                f,
                "\nNative handshakes per second by elliptic-curve provider (side by side)"
            )?;
            writeln!(
                f,
                "{:<18} {:<9} {:>11} {:>14} {:>14} {:>11}",
                "suite", "provider", "rustcrypto", "with provider", "provider/rc", "vs openssl"
            )?;
            for p in &self.providers {
                writeln!(
                    f,
                    "{:<18} {:<9} {:>11.0} {:>14.0} {:>14} {:>11}",
                    p.suite,
                    p.provider,
                    p.rustcrypto_per_s,
                    p.per_s,
                    ratio(Some(p.per_s), p.rustcrypto_per_s),
                    times(p.vs_openssl),
                )?;
            }
        }

        writeln!(f, "\nCryptographic primitives (µs per call)")?;
        for p in &self.primitives.list {
            writeln!(f, "  {:<30} {:>9.2}", p.name, p.micros)?;
        }

        writeln!(
            f,
            "\nRecord throughput, {}-byte records, seal + open (MB/s of plaintext)",
            super::RECORD_BYTES
        )?;
        writeln!(
            f,
            "{:<18} {:>9} {:>13} {:>10} {:>9} {:>16}",
            "suite", "engine", "RecordCipher", "AEAD crate", "openssl", "engine/crate"
        )?;
        for t in &self.throughput {
            writeln!(
                f,
                "{:<18} {:>9.1} {:>13.1} {:>10.1} {:>9} {:>16}",
                t.suite,
                t.engine_mb_s,
                t.record_cipher_mb_s,
                t.aead_crate_mb_s,
                opt(t.openssl_mb_s, 1),
                ratio(Some(t.engine_mb_s), t.aead_crate_mb_s),
            )?;
        }

        writeln!(
            f,
            "\nRecord throughput by host, {}-byte records, client send to server receive (MB/s)",
            super::RECORD_BYTES
        )?;
        writeln!(
            f,
            "{:<18} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "suite", "native", "wasmtime", "node", "wasm/nat", "node/nat"
        )?;
        for t in &self.throughput {
            writeln!(
                f,
                "{:<18} {:>9.1} {:>9.1} {:>9} {:>9} {:>9}",
                t.suite,
                t.engine_mb_s,
                t.wasmtime_mb_s,
                opt(t.node_mb_s, 1),
                ratio(Some(t.wasmtime_mb_s), t.engine_mb_s),
                ratio(t.node_mb_s, t.engine_mb_s),
            )?;
        }

        writeln!(f, "\nHeap per session (bytes)")?;
        writeln!(
            f,
            "{:<18} {:>18} {:>18} {:>18}",
            "suite", "client established", "server handshaking", "server established"
        )?;
        for mem in &self.memory {
            writeln!(
                f,
                "{:<18} {:>18} {:>18} {:>18}",
                mem.suite, mem.client_established, mem.server_handshaking, mem.server_established
            )?;
        }
        let c = &self.crowd;
        writeln!(
            f,
            "server with {} established {} sessions: {:.1} MiB ({} bytes per session)",
            c.sessions,
            c.suite,
            mib(c.bytes),
            c.bytes / c.sessions.max(1)
        )?;

        let m = &self.linear_memory;
        writeln!(
            f,
            "\nLinear memory in wasmtime (64 KiB pages; the component's 128 KiB stack included)"
        )?;
        let rows = [
            (
                format!("client instance, {} session established", m.suite),
                m.client_established,
                String::new(),
            ),
            (
                "server instance, no session yet".to_string(),
                m.server_empty,
                String::new(),
            ),
            (
                format!(
                    "server instance, {} established {} sessions",
                    m.sessions, m.suite
                ),
                m.server_with_sessions,
                format!(" ({} bytes per session)", m.per_session()),
            ),
        ];
        for (label, bytes, note) in rows {
            // KiB: whole pages, and a client instance is well under a MiB.
            writeln!(f, "  {label:<52} {:>7} KiB{note}", bytes / 1024)?;
        }

        writeln!(f, "\nSizes")?;
        for s in &self.sizes {
            writeln!(
                f,
                "  {:<42} {:>8} bytes, {:>8} gzip",
                s.name,
                s.bytes,
                s.gzip_bytes.map_or_else(|| "—".into(), |g| g.to_string())
            )?;
        }

        writeln!(
            f,
            "\nHandshake time under loss (virtual time, 20 ms one-way delay; timer 1 s doubling)"
        )?;
        writeln!(
            f,
            "{:<18} {:>5} {:>10} {:>10} {:>9} {:>9} {:>13}",
            "suite", "loss", "completed", "median ms", "p90 ms", "max ms", "resends/hs"
        )?;
        for l in &self.loss {
            writeln!(
                f,
                "{:<18} {:>4}% {:>5}/{:<4} {:>10} {:>9} {:>9} {:>13.2}",
                l.suite,
                l.loss_percent,
                l.completed,
                l.runs,
                l.median_ms,
                l.p90_ms,
                l.max_ms,
                l.mean_retransmissions
            )?;
        }
        Ok(())
    }
}
