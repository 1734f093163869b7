//! Typed handles on a session or server resource inside its own component instance:
//! every call returns `Result<_, DtlsError>` (a trap becomes a host error, a WIT
//! `error` keeps its NetX code).

use wasm_dtls::{NamedGroup, Status};
use wasmtime::Store;
use wasmtime::component::ResourceAny;

use crate::bindings::Dtls;
use crate::bindings::server_api::{Output as ServerOutput, SessionId};
use crate::bindings::session_api::Output as SessionOutput;
use crate::bindings::types::{Error as WitError, SessionState, Settings, SocketAddress, Stats};
use crate::error::DtlsError;
use crate::options::engine_group;
use crate::runtime::{HostState, Runtime};

/// One component instance and one resource in it.
struct Handle {
    store: Store<HostState>,
    dtls: Dtls,
    resource: ResourceAny,
}

fn trapped(e: wasmtime::Error) -> DtlsError {
    DtlsError::host(format!("the component trapped: {e:#}"))
}

/// The NetX form of a WIT error, with the number the component gives its code.
fn netx_error(dtls: &Dtls, store: &mut Store<HostState>, e: WitError) -> DtlsError {
    let number = dtls
        .wasm_dtls_dtls_types()
        .call_status_number(store, e.code);
    let status = number
        .ok()
        .and_then(Status::from_code)
        .unwrap_or(Status::NotSuccessful);
    DtlsError::new(status, e.message)
}

fn checked<T>(
    dtls: &Dtls,
    store: &mut Store<HostState>,
    r: wasmtime::Result<Result<T, WitError>>,
) -> Result<T, DtlsError> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(netx_error(dtls, store, e)),
        Err(e) => Err(trapped(e)),
    }
}

impl Handle {
    fn linear_memory_bytes(&self) -> usize {
        self.store.data().linear_memory_bytes()
    }

    fn check<T>(&mut self, r: wasmtime::Result<Result<T, WitError>>) -> Result<T, DtlsError> {
        checked(&self.dtls, &mut self.store, r)
    }
}

/// The NetX credential methods both resources have.
pub trait Credentials {
    /// `psk-add`.
    fn psk_add(&mut self, key: &[u8], identity: &[u8], hint: &[u8]) -> Result<(), DtlsError>;
    /// `local-certificate-add`.
    fn local_certificate_add(&mut self, id: u32, chain: &[u8], key: &[u8])
    -> Result<(), DtlsError>;
    /// `trusted-certificate-add`.
    fn trusted_certificate_add(&mut self, id: u32, certificate: &[u8]) -> Result<(), DtlsError>;
    /// `set-unix-time`.
    fn set_unix_time(&mut self, seconds: u64) -> Result<(), DtlsError>;
}

/// Calls a method of the resource behind a handle: `call!(handle, api, method, args…)`
/// where `api` is `session` or `server`.
macro_rules! call {
    ($h:expr, session, $method:ident $(, $arg:expr)*) => {{
        let h: &mut Handle = $h;
        h.dtls.wasm_dtls_dtls_session().dtls_session().$method(&mut h.store, h.resource $(, $arg)*)
    }};
    ($h:expr, server, $method:ident $(, $arg:expr)*) => {{
        let h: &mut Handle = $h;
        h.dtls.wasm_dtls_dtls_server().dtls_server().$method(&mut h.store, h.resource $(, $arg)*)
    }};
}

/// Implements [`Credentials`] for a handle type whose resource is `$api`.
macro_rules! credentials {
    ($handle:ty, $api:ident) => {
        impl Credentials for $handle {
            fn psk_add(
                &mut self,
                key: &[u8],
                identity: &[u8],
                hint: &[u8],
            ) -> Result<(), DtlsError> {
                let r = call!(&mut self.0, $api, call_psk_add, key, identity, hint);
                self.0.check(r)
            }
            fn local_certificate_add(
                &mut self,
                id: u32,
                chain: &[u8],
                key: &[u8],
            ) -> Result<(), DtlsError> {
                let r = call!(
                    &mut self.0,
                    $api,
                    call_local_certificate_add,
                    id,
                    chain,
                    key
                );
                self.0.check(r)
            }
            fn trusted_certificate_add(
                &mut self,
                id: u32,
                certificate: &[u8],
            ) -> Result<(), DtlsError> {
                let r = call!(
                    &mut self.0,
                    $api,
                    call_trusted_certificate_add,
                    id,
                    certificate
                );
                self.0.check(r)
            }
            fn set_unix_time(&mut self, seconds: u64) -> Result<(), DtlsError> {
                call!(&mut self.0, $api, call_set_unix_time, seconds).map_err(trapped)
            }
        }
    };
}

/// A `dtls-session` resource in its own instance.
pub struct SessionHandle(Handle);

/// A `dtls-server` resource in its own instance.
pub struct ServerHandle(Handle);

credentials!(SessionHandle, session);
credentials!(ServerHandle, server);

impl SessionHandle {
    /// A client session in a fresh instance (NetX `session_create`).
    pub fn client(runtime: &Runtime, settings: &Settings) -> Result<SessionHandle, DtlsError> {
        let mut instance = runtime.instantiate()?;
        let api = instance.dtls.wasm_dtls_dtls_session().dtls_session();
        let r = api.call_client(&mut instance.store, settings);
        let resource = checked(&instance.dtls, &mut instance.store, r)?;
        Ok(SessionHandle(Handle {
            store: instance.store,
            dtls: instance.dtls,
            resource,
        }))
    }

    /// Replaces this session with a fresh client session in the same instance and drops
    /// the old one (benchmarks run many handshakes without paying for an instance each).
    pub fn renew_client(&mut self, settings: &Settings) -> Result<(), DtlsError> {
        let api = self.0.dtls.wasm_dtls_dtls_session().dtls_session();
        let r = api.call_client(&mut self.0.store, settings);
        let fresh = self.0.check(r)?;
        let old = std::mem::replace(&mut self.0.resource, fresh);
        old.resource_drop(&mut self.0.store).map_err(trapped)
    }

    /// `set-saved-session`: `saved` from [`SessionHandle::saved_session`].
    pub fn set_saved_session(&mut self, saved: &[u8]) -> Result<(), DtlsError> {
        let r = call!(&mut self.0, session, call_set_saved_session, saved);
        self.0.check(r)
    }

    /// `saved-session`.
    pub fn saved_session(&mut self) -> Result<Option<Vec<u8>>, DtlsError> {
        call!(&mut self.0, session, call_saved_session).map_err(trapped)
    }

    /// `resumed`.
    pub fn resumed(&mut self) -> Result<bool, DtlsError> {
        call!(&mut self.0, session, call_resumed).map_err(trapped)
    }

    /// `start`.
    pub fn start(&mut self, now: u64) -> Result<(), DtlsError> {
        let r = call!(&mut self.0, session, call_start, now);
        self.0.check(r)
    }

    /// `handle-datagram`.
    pub fn handle_datagram(&mut self, now: u64, datagram: &[u8]) -> Result<(), DtlsError> {
        call!(&mut self.0, session, call_handle_datagram, now, datagram).map_err(trapped)
    }

    /// `handle-timeout`.
    pub fn handle_timeout(&mut self, now: u64) -> Result<(), DtlsError> {
        call!(&mut self.0, session, call_handle_timeout, now).map_err(trapped)
    }

    /// `send`.
    pub fn send(&mut self, data: &[u8]) -> Result<(), DtlsError> {
        let r = call!(&mut self.0, session, call_send, data);
        self.0.check(r)
    }

    /// `end`: close_notify.
    pub fn end(&mut self) -> Result<(), DtlsError> {
        call!(&mut self.0, session, call_end).map_err(trapped)
    }

    /// `poll-output`.
    pub fn poll_output(&mut self) -> Result<SessionOutput, DtlsError> {
        call!(&mut self.0, session, call_poll_output).map_err(trapped)
    }

    /// `state`.
    pub fn state(&mut self) -> Result<SessionState, DtlsError> {
        call!(&mut self.0, session, call_state).map_err(trapped)
    }

    /// `stats`.
    pub fn stats(&mut self) -> Result<Stats, DtlsError> {
        call!(&mut self.0, session, call_stats).map_err(trapped)
    }

    /// `named-group`.
    pub fn named_group(&mut self) -> Result<Option<NamedGroup>, DtlsError> {
        call!(&mut self.0, session, call_named_group)
            .map(|g| g.map(engine_group))
            .map_err(trapped)
    }

    /// `peer-certificates`.
    pub fn peer_certificates(&mut self) -> Result<Vec<Vec<u8>>, DtlsError> {
        call!(&mut self.0, session, call_peer_certificates).map_err(trapped)
    }

    /// The NetX form of an error event.
    pub fn error(&mut self, e: WitError) -> DtlsError {
        netx_error(&self.0.dtls, &mut self.0.store, e)
    }

    /// Bytes of linear memory this resource's instance has (see
    /// [`HostState::linear_memory_bytes`]).
    pub fn linear_memory_bytes(&self) -> usize {
        self.0.linear_memory_bytes()
    }
}

impl ServerHandle {
    /// A server with `capacity` sessions in a fresh instance (NetX `server_create`).
    pub fn create(
        runtime: &Runtime,
        settings: &Settings,
        capacity: u32,
    ) -> Result<ServerHandle, DtlsError> {
        let mut instance = runtime.instantiate()?;
        let api = instance.dtls.wasm_dtls_dtls_server().dtls_server();
        let r = api.call_create(&mut instance.store, settings, capacity);
        let resource = checked(&instance.dtls, &mut instance.store, r)?;
        Ok(ServerHandle(Handle {
            store: instance.store,
            dtls: instance.dtls,
            resource,
        }))
    }

    /// `x509-client-verify-configure`.
    pub fn x509_client_verify_configure(
        &mut self,
        certs_per_session: u32,
    ) -> Result<(), DtlsError> {
        let r = call!(
            &mut self.0,
            server,
            call_x509_client_verify_configure,
            certs_per_session
        );
        self.0.check(r)
    }

    /// `set-session-cache`.
    pub fn set_session_cache(
        &mut self,
        capacity: u32,
        lifetime_seconds: u32,
    ) -> Result<(), DtlsError> {
        let r = call!(
            &mut self.0,
            server,
            call_set_session_cache,
            capacity,
            lifetime_seconds
        );
        self.0.check(r)
    }

    /// `session-resumed`.
    pub fn session_resumed(&mut self, session: SessionId) -> Result<bool, DtlsError> {
        call!(&mut self.0, server, call_session_resumed, session).map_err(trapped)
    }

    /// `handle-datagram`.
    pub fn handle_datagram(
        &mut self,
        now: u64,
        from: SocketAddress,
        datagram: &[u8],
    ) -> Result<(), DtlsError> {
        call!(
            &mut self.0,
            server,
            call_handle_datagram,
            now,
            from,
            datagram
        )
        .map_err(trapped)
    }

    /// `handle-timeout`.
    pub fn handle_timeout(&mut self, now: u64) -> Result<(), DtlsError> {
        call!(&mut self.0, server, call_handle_timeout, now).map_err(trapped)
    }

    /// `poll-output`.
    pub fn poll_output(&mut self) -> Result<ServerOutput, DtlsError> {
        call!(&mut self.0, server, call_poll_output).map_err(trapped)
    }

    /// `session-send`.
    pub fn session_send(&mut self, session: SessionId, data: &[u8]) -> Result<(), DtlsError> {
        let r = call!(&mut self.0, server, call_session_send, session, data);
        self.0.check(r)
    }

    /// `session-end`.
    pub fn session_end(&mut self, session: SessionId) -> Result<(), DtlsError> {
        let r = call!(&mut self.0, server, call_session_end, session);
        self.0.check(r)
    }

    /// `session-reset`.
    pub fn session_reset(&mut self, session: SessionId) -> Result<(), DtlsError> {
        let r = call!(&mut self.0, server, call_session_reset, session);
        self.0.check(r)
    }

    /// `client-info-get`.
    pub fn client_info_get(&mut self, session: SessionId) -> Result<SocketAddress, DtlsError> {
        let r = call!(&mut self.0, server, call_client_info_get, session);
        self.0.check(r)
    }

    /// `session-named-group`.
    pub fn session_named_group(
        &mut self,
        session: SessionId,
    ) -> Result<Option<NamedGroup>, DtlsError> {
        call!(&mut self.0, server, call_session_named_group, session)
            .map(|g| g.map(engine_group))
            .map_err(trapped)
    }

    /// `session-peer-certificates`.
    pub fn session_peer_certificates(
        &mut self,
        session: SessionId,
    ) -> Result<Vec<Vec<u8>>, DtlsError> {
        call!(&mut self.0, server, call_session_peer_certificates, session).map_err(trapped)
    }

    /// `stop`.
    pub fn stop(&mut self) -> Result<(), DtlsError> {
        call!(&mut self.0, server, call_stop).map_err(trapped)
    }

    /// The NetX form of an error event.
    pub fn error(&mut self, e: WitError) -> DtlsError {
        netx_error(&self.0.dtls, &mut self.0.store, e)
    }

    /// Bytes of linear memory this resource's instance has (see
    /// [`HostState::linear_memory_bytes`]).
    pub fn linear_memory_bytes(&self) -> usize {
        self.0.linear_memory_bytes()
    }
}
