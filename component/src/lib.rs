//! The wasm-dtls engine as a WebAssembly component: the WIT world `wasm-dtls:dtls/dtls`
//! (see `wit/dtls.wit`) implemented over the engine crate, which stays unchanged.
//! Randomness comes from WASI (`wasi:random`); there are no sockets and no clocks.
//! Every failure crosses the boundary as a `result` with an `error-code`.
//!
//! Built for `wasm32-wasip2` only; on other targets this crate is empty so that
//! workspace-wide builds and tests still pass.
#![cfg(target_os = "wasi")]
// The only unsafe code is the glue wit-bindgen generates (here and in `export!`).

mod codes;
mod convert;
mod server;
mod session;

mod bindings {
    #![allow(missing_docs)]
    wit_bindgen::generate!({
        world: "dtls",
        path: "../wit",
    });
}

use bindings::exports::wasm_dtls::dtls::{server as server_api, session as session_api, types};

/// The component's implementation of the exported interfaces.
struct Component;

impl types::Guest for Component {
    fn status_number(code: types::ErrorCode) -> u32 {
        codes::from_wit(code).code()
    }

    fn status_name(code: types::ErrorCode) -> String {
        codes::from_wit(code).name().to_string()
    }
}

impl session_api::Guest for Component {
    type DtlsSession = session::SessionResource;
}

impl server_api::Guest for Component {
    type DtlsServer = server::ServerResource;
}

bindings::export!(Component with_types_in bindings);
