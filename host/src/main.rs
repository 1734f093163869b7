//! `wasm-dtls`: a DTLS 1.2 client, server and demo running the wasm-dtls component in
//! wasmtime. `wasm-dtls --help` lists everything.

mod cli;

use std::alloc::System;
use std::process::ExitCode;

use clap::Parser;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

/// The system allocator, counting what it hands out so `wasm-dtls bench` can report
/// heap bytes per session (a few atomic additions per allocation).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(cli::run(args, GLOBAL));
    // Without waiting for the runtime's blocking threads: the interactive client's stdin
    // read cannot be cancelled, and would keep a client whose server closed the session
    // running until the next line of input.
    runtime.shutdown_background();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
