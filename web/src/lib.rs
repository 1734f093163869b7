//! # wasm-dtls-web
//!
//! The wasm-dtls engine for the browser teaching demo (`www/`): a client and a server
//! engine in one page joined by a simulated link, stepped on a virtual clock with
//! seeded randomness, so the same settings replay the same handshake byte for byte.
//! The page draws the ladder from [`WebDemo::step`]'s reports and the inspector from
//! [`WebDemo::inspect`].
//!
//! Built for `wasm32-unknown-unknown` with wasm-bindgen by `www/build.sh`; the logic
//! lives in plain Rust modules that the unit tests run natively.

mod demo;
mod dissect;
mod explain;
mod keys;
mod settings;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_dtls::Error;
use wasm_dtls::sim::Side;

use crate::demo::Demo;
use crate::settings::Settings;

/// One demo run, as the page sees it. Every method returns plain JS objects (see the
/// `Serialize` types in `demo.rs`); errors are JS `Error`s whose message starts with
/// the NetX status name and code.
#[wasm_bindgen]
pub struct WebDemo {
    demo: Demo,
}

#[wasm_bindgen]
impl WebDemo {
    /// A run with these settings (see `settings.rs`: suite, clientCertificate, mtu,
    /// lossPercent, duplicatePercent, reorderPercent, delayMs, jitterMs, seed).
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue) -> Result<WebDemo, JsError> {
        let settings: Settings = serde_wasm_bindgen::from_value(settings).map_err(|e| {
            JsError::new(&format!(
                "NX_INVALID_PARAMETERS (0x4D): the settings are not valid: {e}"
            ))
        })?;
        Ok(WebDemo {
            demo: Demo::new(&settings).map_err(js_error)?,
        })
    }

    /// Sends the first ClientHello; returns the step report.
    pub fn start(&mut self) -> Result<JsValue, JsError> {
        let report = self.demo.start().map_err(js_error)?;
        to_js(&report)
    }

    /// Advances to the next arrival or timer; returns the step report.
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.demo.step())
    }

    /// Sends a chat message as application data from "client" or "server".
    pub fn send(&mut self, from: &str, text: &str) -> Result<JsValue, JsError> {
        let report = self.demo.send(side(from)?, text).map_err(js_error)?;
        to_js(&report)
    }

    /// Ends "client" or "server" with close_notify.
    pub fn close(&mut self, side_name: &str) -> Result<JsValue, JsError> {
        to_js(&self.demo.close(side(side_name)?))
    }

    /// Takes datagram `id` apart for the inspector (`undefined` for an unknown id).
    pub fn inspect(&self, id: usize) -> Result<JsValue, JsError> {
        to_js(&self.demo.inspect(id))
    }

    /// The next run, resuming this run's session with the abbreviated handshake (on
    /// the same settings, with the next seed); nothing is sent until `start`. Fails
    /// with NX_SECURE_TLS_INVALID_STATE before this run's handshake completed.
    pub fn resume(&self) -> Result<WebDemo, JsError> {
        Ok(WebDemo {
            demo: self.demo.resumed().map_err(js_error)?,
        })
    }

    /// The run's figures and, once derived, its keys.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.demo.summary())
    }
}

fn side(name: &str) -> Result<Side, JsError> {
    match name {
        "client" => Ok(Side::Client),
        "server" => Ok(Side::Server),
        _ => Err(JsError::new(
            "NX_INVALID_PARAMETERS (0x4D): a side is \"client\" or \"server\"",
        )),
    }
}

fn js_error(error: Error) -> JsError {
    JsError::new(&error.to_string())
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // Plain objects (not Maps) and u64 as numbers: virtual times stay far below 2^53.
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}
