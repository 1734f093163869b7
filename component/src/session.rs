//! The `session` interface: one engine [`Session`] behind a WIT resource.

use core::cell::RefCell;

use wasm_dtls::{Event as EngineEvent, Instant, Output as EngineOutput, SavedSession, Session};

use crate::bindings::exports::wasm_dtls::dtls::session::{
    CipherSuite, DtlsSession, Error, Event, GuestDtlsSession, NamedGroup, Output, SessionState,
    Settings, Stats,
};
use crate::{codes, convert};

/// A session resource; WIT methods take `&self`, so the session sits in a `RefCell`
/// (a component instance is single-threaded).
pub struct SessionResource {
    session: RefCell<Session>,
}

impl SessionResource {
    fn resource(mut session: Session, settings: &Settings) -> DtlsSession {
        session.set_trace(settings.trace);
        DtlsSession::new(SessionResource {
            session: RefCell::new(session),
        })
    }

    fn with<T>(&self, act: impl FnOnce(&mut Session) -> T) -> T {
        act(&mut self.session.borrow_mut())
    }
}

/// The WIT form of a session event.
pub fn event(e: EngineEvent) -> Event {
    match e {
        EngineEvent::Connected { suite } => Event::Connected(convert::suite(suite)),
        EngineEvent::Data(data) => Event::Data(data),
        EngineEvent::Closed => Event::Closed,
        EngineEvent::Error(e) => Event::Error(codes::error(&e)),
        EngineEvent::KeyLog(line) => Event::KeyLog(line),
    }
}

impl GuestDtlsSession for SessionResource {
    fn client(settings: Settings) -> Result<DtlsSession, Error> {
        let config = convert::config(&settings)?;
        Ok(SessionResource::resource(
            Session::client(config),
            &settings,
        ))
    }

    fn server(settings: Settings, peer: Vec<u8>) -> Result<DtlsSession, Error> {
        let config = convert::config(&settings)?;
        Ok(SessionResource::resource(
            Session::server(config, &peer),
            &settings,
        ))
    }

    fn psk_add(&self, key: Vec<u8>, identity: Vec<u8>, hint: Vec<u8>) -> Result<(), Error> {
        convert::result(self.with(|s| s.config_mut().psk_add(&key, &identity, &hint)))
    }

    fn local_certificate_add(&self, id: u32, chain: Vec<u8>, key: Vec<u8>) -> Result<(), Error> {
        self.with(|s| convert::local_certificate_add(s.config_mut(), id, &chain, &key))
    }

    fn local_certificate_remove(&self, common_name: Option<String>, id: u32) -> Result<(), Error> {
        let name = common_name.as_deref();
        convert::result(self.with(|s| s.config_mut().local_certificate_remove(name, id)))
    }

    fn trusted_certificate_add(&self, id: u32, certificate: Vec<u8>) -> Result<(), Error> {
        self.with(|s| convert::trusted_certificate_add(s.config_mut(), id, &certificate))
    }

    fn trusted_certificate_remove(
        &self,
        common_name: Option<String>,
        id: u32,
    ) -> Result<(), Error> {
        let name = common_name.as_deref();
        convert::result(self.with(|s| s.config_mut().trusted_certificate_remove(name, id)))
    }

    fn set_unix_time(&self, seconds: u64) {
        self.with(|s| s.config_mut().set_unix_time(seconds));
    }

    fn set_saved_session(&self, saved: Vec<u8>) -> Result<(), Error> {
        let saved = SavedSession::from_bytes(&saved).map_err(|e| codes::error(&e))?;
        convert::result(self.with(|s| s.set_saved_session(saved)))
    }

    fn start(&self, now: u64) -> Result<(), Error> {
        convert::result(self.with(|s| s.start(Instant::from_millis(now))))
    }

    fn handle_datagram(&self, now: u64, datagram: Vec<u8>) {
        self.with(|s| s.handle_datagram(Instant::from_millis(now), &datagram));
    }

    fn handle_timeout(&self, now: u64) {
        self.with(|s| s.handle_timeout(Instant::from_millis(now)));
    }

    fn send(&self, data: Vec<u8>) -> Result<(), Error> {
        convert::result(self.with(|s| s.send(&data)))
    }

    fn end(&self) {
        self.with(Session::close);
    }

    fn reset(&self) {
        self.with(Session::reset);
    }

    fn poll_output(&self) -> Output {
        match self.with(Session::poll_output) {
            EngineOutput::Transmit(datagram) => Output::Transmit(datagram),
            EngineOutput::Event(e) => Output::Event(event(e)),
            EngineOutput::Trace(t) => Output::Trace(convert::trace(&t)),
            EngineOutput::Wait(deadline) => Output::Wait(deadline.map(Instant::as_millis)),
        }
    }

    fn state(&self) -> SessionState {
        convert::state(self.with(|s| s.state()))
    }

    fn cipher_suite(&self) -> Option<CipherSuite> {
        self.with(|s| s.cipher_suite()).map(convert::suite)
    }

    fn named_group(&self) -> Option<NamedGroup> {
        self.with(|s| s.group()).map(convert::group)
    }

    fn peer_certificates(&self) -> Vec<Vec<u8>> {
        self.with(|s| s.peer_certificates().to_vec())
    }

    fn psk_identity(&self) -> Option<Vec<u8>> {
        self.with(|s| s.psk_identity().map(<[u8]>::to_vec))
    }

    fn saved_session(&self) -> Option<Vec<u8>> {
        self.with(|s| s.saved_session().map(|saved| saved.to_bytes().to_vec()))
    }

    fn resumed(&self) -> bool {
        self.with(|s| s.is_resumed())
    }

    fn stats(&self) -> Stats {
        convert::stats(self.with(|s| s.stats()))
    }

    fn max_send_length(&self) -> u32 {
        u32::try_from(self.with(|s| s.max_send_len())).unwrap_or(u32::MAX)
    }
}
