//! `wasm-dtls bench`: the benchmark report, as a table or as JSON.

use wasm_dtls_host::bench::{self, BenchOptions, Counter};
use wasm_dtls_host::{DtlsError, Runtime};

use super::BenchArgs;

/// Runs the benchmarks and prints the report.
pub fn run(runtime: &Runtime, args: BenchArgs, counter: Counter) -> Result<(), DtlsError> {
    let mut options = if args.quick {
        BenchOptions::quick()
    } else {
        BenchOptions::full()
    };
    options.node_package = args.node;
    options.browser_module = args.browser_module;
    if !args.json {
        eprintln!("measuring (about a minute; --quick for a first look)…");
    }
    let report = bench::run(runtime, &options, counter).map_err(DtlsError::host)?;
    if args.json {
        println!("{}", report.to_json());
    } else {
        println!("{report}");
        println!("OpenSSL rows: cargo bench -p wasm-dtls-host (links OpenSSL as a dev-dependency)");
    }
    Ok(())
}
