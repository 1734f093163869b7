//! A flight: the messages one side sends in one go, kept until the peer answers so that
//! it can be sent again (RFC 6347 §4.2.4).

use core::time::Duration;

use crate::config::RetransmitPolicy;
use crate::handshake::HandshakeType;
use crate::time::Instant;

/// The most messages a flight of ours holds: the server's ServerHello, Certificate,
/// ServerKeyExchange, CertificateRequest and ServerHelloDone, or the client's
/// Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec and Finished.
pub(crate) const MAX_FLIGHT_MESSAGES: usize = 5;

/// One message of a flight, kept unencrypted and unfragmented: a retransmission gets
/// fresh record sequence numbers and is fragmented again.
#[derive(Clone, Debug)]
pub(crate) enum FlightMessage {
    /// A handshake message with its message_seq and the epoch it is sent in.
    Handshake {
        msg_type: HandshakeType,
        message_seq: u16,
        epoch: u16,
        body: Vec<u8>,
    },
    /// ChangeCipherSpec, always sent in the epoch before the switch.
    ChangeCipherSpec { epoch: u16 },
}

/// A flight with its retransmission timer.
#[derive(Clone, Debug)]
pub(crate) struct Flight {
    pub(crate) messages: Vec<FlightMessage>,
    /// Sends so far, the first included.
    pub(crate) transmissions: u32,
    timeout: Duration,
    /// When to send it again; `None` for a final flight, which is only sent again when
    /// the peer repeats its own last flight.
    deadline: Option<Instant>,
    armed: bool,
    /// Whether the peer answers this flight with one of its own (false for the last
    /// flight of a handshake), whether or not the timer still runs.
    pub(crate) expects_answer: bool,
    /// The message_seq of the peer's message this flight answers, the last of the
    /// peer's flight (`None` for a first ClientHello): when it comes again, the peer
    /// did not get this flight.
    pub(crate) answers: Option<u16>,
}

impl Flight {
    /// A flight that waits for an answer (`armed`) or a final flight (not armed),
    /// answering the peer's message `answers`.
    pub(crate) fn new(
        messages: Vec<FlightMessage>,
        policy: RetransmitPolicy,
        armed: bool,
        answers: Option<u16>,
    ) -> Flight {
        Flight {
            messages,
            transmissions: 0,
            timeout: policy.initial,
            deadline: None,
            armed,
            expects_answer: armed,
            answers,
        }
    }

    /// Records a transmission at `now` and schedules the next one with the doubled
    /// timeout, capped at `policy.max`.
    pub(crate) fn sent(&mut self, now: Instant, policy: RetransmitPolicy) {
        self.transmissions = self.transmissions.saturating_add(1);
        if self.armed {
            self.deadline = Some(now + self.timeout);
            self.timeout = (self.timeout * 2).min(policy.max);
        }
    }

    /// Stops the timer: the peer answered.
    pub(crate) fn disarm(&mut self) {
        self.armed = false;
        self.deadline = None;
    }

    /// When the flight must be sent again.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_doubles_up_to_the_cap() {
        let policy = RetransmitPolicy {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(4),
            max_transmissions: 10,
        };
        let mut f = Flight::new(Vec::new(), policy, true, None);
        let mut now = Instant::ZERO;
        let mut gaps = Vec::new();
        for _ in 0..5 {
            f.sent(now, policy);
            let next = f.deadline().unwrap_or(now);
            gaps.push((next - now).as_secs());
            now = next;
        }
        assert_eq!(gaps, [1, 2, 4, 4, 4]);
        assert_eq!(f.transmissions, 5);
        f.disarm();
        assert_eq!(f.deadline(), None);
    }

    #[test]
    fn final_flight_has_no_timer() {
        let policy = RetransmitPolicy::default();
        let mut f = Flight::new(Vec::new(), policy, false, None);
        f.sent(Instant::ZERO, policy);
        assert_eq!(f.deadline(), None);
    }
}
