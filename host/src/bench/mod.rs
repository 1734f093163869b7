//! Benchmarks: handshake rates (native engine, the component in wasmtime, the npm
//! package in Node, OpenSSL), the cost of the handshake's cryptography alone,
//! record throughput, heap per session (and the component's linear memory in
//! wasmtime), module sizes and handshake time under loss.
//!
//! `wasm-dtls bench` prints every figure it can measure in-process; `cargo bench -p
//! wasm-dtls-host` prints the same report with the OpenSSL rows added (the `openssl`
//! crate is a dev-dependency only). Figures are reported as ratios against baselines
//! measured in the same run, never checked against thresholds in tests.

mod fixtures;
mod linear_memory;
mod loss;
mod memory;
mod native;
mod node;
mod primitives;
mod report;
mod sizes;
mod throughput;
mod timing;
mod wasm;

use std::path::PathBuf;
use std::time::Duration;

use wasm_dtls::{CipherSuite, CryptoProvider, KeyExchange};

pub use fixtures::{CA_PEM, MTU, PSK_IDENTITY, PSK_KEY, SERVER_CERT_PEM, SERVER_KEY_PEM};
pub use linear_memory::LinearMemory;
pub use loss::LossTiming;
pub use memory::{Counter, Crowd, Memory};
pub use native::Lab;
pub use primitives::{Primitive, Primitives};
pub use report::{HandshakeRate, Machine, OpensslFigures, ProviderRate, Report, ResumptionRate};
pub use sizes::Size;
pub use throughput::{RECORD_BYTES, Throughput};
pub use timing::Budget;

use crate::Runtime;
use primitives::Kit;

/// What to measure and how long.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Time spent on each timed measurement.
    pub budget: Duration,
    /// Seeds per suite and loss rate for the lossy-link timings.
    pub loss_runs: usize,
    /// Established sessions for the server memory figure.
    pub crowd: usize,
    /// The npm package's folder (with `generated/` built) for the Node figures, if any.
    pub node_package: Option<PathBuf>,
    /// The browser module, if built (www/pkg/wasm_dtls_web_bg.wasm).
    pub browser_module: Option<PathBuf>,
}

impl BenchOptions {
    /// The full run: one second per measurement, 200 seeds, 10 000 sessions.
    pub fn full() -> BenchOptions {
        BenchOptions {
            budget: Duration::from_secs(1),
            loss_runs: 200,
            crowd: 10_000,
            node_package: None,
            browser_module: None,
        }
    }

    /// A quick run for a first look (noisier figures).
    pub fn quick() -> BenchOptions {
        BenchOptions {
            budget: Duration::from_millis(200),
            loss_runs: 40,
            crowd: 1_000,
            ..BenchOptions::full()
        }
    }
}

/// The elliptic-curve providers besides the default that `suite` can be measured with:
/// all the build has for the ECDSA suites, none for the PSK ones (ECDHE_PSK's single
/// agreement would show the provider's difference in one primitive only).
pub fn other_providers(suite: CipherSuite) -> &'static [CryptoProvider] {
    match suite.key_exchange() {
        KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
            CryptoProvider::ALL.get(1..).unwrap_or_default()
        }
        KeyExchange::Psk | KeyExchange::EcdhePsk => &[],
    }
}

/// Native handshakes for `suite` with `provider` and with RustCrypto, side by side.
fn provider_rate(
    suite: CipherSuite,
    provider: CryptoProvider,
    budget: Budget,
) -> Result<ProviderRate, String> {
    let mut default = native::Lab::new(suite, 1)?;
    let mut other = native::Lab::with_provider(suite, 1, provider)?;
    let [rustcrypto, seconds] = budget
        .seconds_per_run_interleaved([&mut || default.handshake_and_free(), &mut || {
            other.handshake_and_free()
        }])?;
    Ok(ProviderRate {
        suite: suite.short_name().into(),
        provider: provider.name().into(),
        rustcrypto_per_s: 1.0 / rustcrypto,
        per_s: 1.0 / seconds,
        vs_openssl: None,
    })
}

/// Abbreviated handshakes for `suite`, native and in wasmtime, resuming one cached
/// session again and again, interleaved with full native ones.
fn resumption_rate(
    suite: CipherSuite,
    lab: &mut native::Lab,
    wasm: &mut wasm::WasmBench,
    budget: Budget,
) -> Result<ResumptionRate, String> {
    // A server of its own, whose cache holds the session (the closures each need
    // their lab to themselves).
    let mut resuming = native::Lab::new(suite, 1)?;
    let saved = resuming.saved_session()?;
    let saved_in_wasm = wasm.saved_session()?;
    let [full, native, wasmtime] = budget.seconds_per_run_interleaved([
        &mut || lab.handshake_and_free(),
        &mut || resuming.resumed_handshake_and_free(&saved),
        &mut || wasm.resumed_handshake(&saved_in_wasm),
    ])?;
    Ok(ResumptionRate {
        suite: suite.short_name(),
        full_native_per_s: 1.0 / full,
        native_per_s: 1.0 / native,
        wasmtime_per_s: 1.0 / wasmtime,
    })
}

/// Measures everything except OpenSSL (see [`Report::add_openssl`]). `counter` is the
/// binary's global allocator (`#[global_allocator] static A: &StatsAlloc<System> =
/// &stats_alloc::INSTRUMENTED_SYSTEM;`), which the heap figures read.
pub fn run(runtime: &Runtime, options: &BenchOptions, counter: Counter) -> Result<Report, String> {
    let budget = Budget(options.budget);
    let mut kit = Kit::new()?;
    let primitives = kit.measure(budget);
    let node = match &options.node_package {
        Some(dir) => node::figures(dir, options.budget)?,
        None => Vec::new(),
    };
    let mut handshakes = Vec::new();
    let mut resumptions = Vec::new();
    let mut providers = Vec::new();
    let mut throughput = Vec::new();
    let mut memory = Vec::new();
    let mut loss = Vec::new();
    // Client and server in one process: the suites a wasm-dtls server takes.
    for suite in CipherSuite::SERVED {
        let in_node = node.iter().find(|n| n.suite == suite);
        let mut lab = native::Lab::new(suite, 1)?;
        let plan = kit.handshake_plan(suite)?;
        let mut wasm = wasm::WasmBench::new(runtime, suite)?;
        // The engine's overhead and the wasmtime/native ratio are ratios of these, so
        // the three share the machine.
        let [native, crypto, wasmtime] = budget.seconds_per_run_interleaved([
            &mut || lab.handshake_and_free(),
            &mut || {
                kit.run(&plan);
                Ok(())
            },
            &mut || wasm.handshake(),
        ])?;
        handshakes.push(HandshakeRate::new(
            suite,
            native,
            wasmtime,
            in_node.map(|n| n.handshakes_per_s),
            crypto * 1e6,
        ));
        resumptions.push(resumption_rate(suite, &mut lab, &mut wasm, budget)?);
        for &provider in other_providers(suite) {
            providers.push(provider_rate(suite, provider, budget)?);
        }
        wasm.handshake_and_keep()?;
        let mut records = Throughput::measure(suite, budget, &mut wasm)?;
        records.node_mb_s = in_node.map(|n| n.record_mb_s);
        throughput.push(records);
        memory.push(Memory::measure(counter, suite)?);
        for percent in [10, 30] {
            loss.push(LossTiming::measure(suite, percent, options.loss_runs)?);
        }
    }
    let crowd = Crowd::measure(counter, CipherSuite::PskAes128Ccm8, options.crowd)?;
    let linear_memory = LinearMemory::measure(runtime, CipherSuite::PskAes128Ccm8, options.crowd)?;
    let mut sizes: Vec<Size> = Size::of("component (wasm32-wasip2, for wasmtime)", runtime.path())
        .into_iter()
        .collect();
    if let Some(package) = &options.node_package {
        // The portable build (no wide arithmetic), as jco splits it out of the component.
        let core = package.join("generated").join("wasm_dtls.core.wasm");
        sizes.extend(Size::of("npm package core module (portable)", &core));
    }
    if let Some(path) = &options.browser_module {
        sizes.extend(Size::of("browser module (wasm32-unknown-unknown)", path));
    }
    Ok(Report {
        machine: Machine::this(),
        budget_ms: options.budget.as_millis() as u64,
        handshakes,
        resumptions,
        providers,
        primitives,
        throughput,
        memory,
        crowd,
        linear_memory,
        sizes,
        loss,
    })
}
