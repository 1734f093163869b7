//! Host-side bindings of the WIT world `wasm-dtls:dtls/dtls` (see `wit/dtls.wit`).
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    world: "dtls",
    path: "../wit",
});

pub use exports::wasm_dtls::dtls::server as server_api;
pub use exports::wasm_dtls::dtls::session as session_api;
pub use exports::wasm_dtls::dtls::types;
