//! Loading the component once and instantiating it per session or server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, ResourceLimiter, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::bindings::Dtls;
use crate::error::DtlsError;

/// Where the component comes from when nobody says: `WASM_DTLS_COMPONENT`, else the
/// one the build script built.
pub const COMPONENT_ENV: &str = "WASM_DTLS_COMPONENT";

/// What a store holds: the WASI context (only `wasi:random` and friends are used; no
/// files, no sockets, no environment are granted) and the meter of its linear memory.
pub struct HostState {
    ctx: WasiCtx,
    table: ResourceTable,
    memory: MemoryMeter,
}

impl HostState {
    /// Bytes of linear memory the instance in this store has now (its stack, data and
    /// heap: what wasmtime reserves for it, not what the OS has paged in).
    pub fn linear_memory_bytes(&self) -> usize {
        self.memory.bytes
    }
}

/// Counts the linear memory of a store's instance as wasmtime creates and grows it
/// (wasmtime asks a store's limiter before either). It permits every request: the
/// engine bounds its own buffers, so this only measures.
#[derive(Default)]
struct MemoryMeter {
    bytes: usize,
    /// The last growth permitted, taken back if it then failed.
    last_growth: usize,
}

impl ResourceLimiter for MemoryMeter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // A new memory comes with `current` 0; summing the growth of each covers a
        // component with more than one memory too.
        self.bytes += desired.saturating_sub(current);
        self.last_growth = desired.saturating_sub(current);
        Ok(true)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.bytes = self.bytes.saturating_sub(self.last_growth);
        Ok(())
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// The compiled component, ready to instantiate; cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    component: Component,
    linker: Linker<HostState>,
    path: PathBuf,
}

/// One instance of the component with its store.
pub struct Instance {
    /// The store the instance lives in.
    pub store: Store<HostState>,
    /// The component's exports.
    pub dtls: Dtls,
}

impl Runtime {
    /// Loads and compiles the component at `path`.
    pub fn load(path: &Path) -> Result<Runtime, DtlsError> {
        let mut config = Config::new();
        // The component built with this crate multiplies with wide-arithmetic's
        // `i64.mul_wide_u` (host/build.rs); a portable build loads just the same.
        config.wasm_wide_arithmetic(true);
        let engine = Engine::new(&config)
            .map_err(|e| DtlsError::host(format!("cannot configure wasmtime: {e:#}")))?;
        let component = Component::from_file(&engine, path).map_err(|e| {
            DtlsError::host(format!(
                "cannot load the wasm-dtls component from {}: {e:#}",
                path.display()
            ))
        })?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| DtlsError::host(format!("cannot link WASI: {e:#}")))?;
        Ok(Runtime {
            inner: Arc::new(Inner {
                engine,
                component,
                linker,
                path: path.to_path_buf(),
            }),
        })
    }

    /// Loads the component named by `WASM_DTLS_COMPONENT`, or else the one built with
    /// this crate.
    pub fn from_env() -> Result<Runtime, DtlsError> {
        Runtime::load(&default_component_path())
    }

    /// The file the component was loaded from.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// A fresh instance in its own store.
    pub fn instantiate(&self) -> Result<Instance, DtlsError> {
        let state = HostState {
            ctx: WasiCtxBuilder::new().build(),
            table: ResourceTable::new(),
            memory: MemoryMeter::default(),
        };
        let mut store = Store::new(&self.inner.engine, state);
        store.limiter(|state| &mut state.memory);
        let dtls = Dtls::instantiate(&mut store, &self.inner.component, &self.inner.linker)
            .map_err(|e| DtlsError::host(format!("cannot instantiate the component: {e:#}")))?;
        Ok(Instance { store, dtls })
    }
}

/// `WASM_DTLS_COMPONENT` if set, else the component the build script produced.
pub fn default_component_path() -> PathBuf {
    std::env::var_os(COMPONENT_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("WASM_DTLS_COMPONENT_BUILT")))
}
