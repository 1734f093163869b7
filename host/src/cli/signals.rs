//! Ctrl-C and SIGTERM, answered politely (close_notify to the peers) rather than by the
//! default of ending the process on the spot.

#[cfg(unix)]
use tokio::signal::unix::{Signal, SignalKind, signal};

/// Ctrl-C (SIGINT) and SIGTERM — as service managers and `kill` send it — listened for
/// from the moment this is made: tokio's `ctrl_c()` registers its handler only when
/// first polled, and a signal before that ends the process. Make it before printing a
/// line that invites one.
pub struct Stop {
    #[cfg(unix)]
    interrupt: Option<Signal>,
    #[cfg(unix)]
    terminate: Option<Signal>,
}

impl Stop {
    /// Starts listening.
    pub fn listen() -> Stop {
        Stop {
            #[cfg(unix)]
            interrupt: signal(SignalKind::interrupt()).ok(),
            #[cfg(unix)]
            terminate: signal(SignalKind::terminate()).ok(),
        }
    }

    /// Waits for either signal.
    pub async fn requested(&mut self) {
        #[cfg(unix)]
        if self.interrupt.is_some() || self.terminate.is_some() {
            tokio::select! {
                () = next(&mut self.interrupt) => {}
                () = next(&mut self.terminate) => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The next delivery of `signal`; never, without one.
#[cfg(unix)]
async fn next(signal: &mut Option<Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}
