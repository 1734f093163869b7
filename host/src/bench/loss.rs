//! How long a handshake takes on a lossy link, in virtual time on the simulated
//! network, against the RFC 6347 §4.2.4.1 timer schedule (1 s, doubling, up to 60 s).

use core::time::Duration;

use serde::Serialize;
use wasm_dtls::CipherSuite;
use wasm_dtls::sim::{LinkConditions, Pair};

use super::fixtures::engine_configs;

/// One-way delay of the simulated link.
const DELAY_MS: u64 = 20;
/// Give up on a handshake after this much virtual time (the retransmission budget is
/// about two minutes).
const LIMIT: Duration = Duration::from_secs(300);

/// Handshake completion times for one suite at one loss rate.
#[derive(Clone, Debug, Serialize)]
pub struct LossTiming {
    /// The suite.
    pub suite: &'static str,
    /// Loss in each direction, percent.
    pub loss_percent: u32,
    /// Seeds run.
    pub runs: usize,
    /// Handshakes that completed.
    pub completed: usize,
    /// Median virtual time to complete, ms.
    pub median_ms: u64,
    /// 90th percentile, ms.
    pub p90_ms: u64,
    /// Slowest, ms.
    pub max_ms: u64,
    /// Mean retransmitted flights per handshake (both sides).
    pub mean_retransmissions: f64,
}

impl LossTiming {
    /// Runs `runs` seeded handshakes of `suite` with `loss_percent` loss both ways.
    pub fn measure(
        suite: CipherSuite,
        loss_percent: u32,
        runs: usize,
    ) -> Result<LossTiming, String> {
        let (client_config, server_config) = engine_configs(suite)?;
        let link = LinkConditions {
            loss: f64::from(loss_percent) / 100.0,
            delay: Duration::from_millis(DELAY_MS),
            ..LinkConditions::PERFECT
        };
        let mut times = Vec::new();
        let mut retransmissions = 0u64;
        for seed in 0..runs as u64 {
            let mut pair = Pair::seeded(client_config.clone(), server_config.clone(), link, seed);
            pair.start().map_err(|e| e.to_string())?;
            if pair.handshake(LIMIT) {
                times.push(pair.now().as_millis());
            }
            retransmissions +=
                pair.client.stats().retransmissions + pair.server.stats().retransmissions;
        }
        times.sort_unstable();
        let at = |q: f64| {
            let index = ((times.len() as f64 - 1.0) * q).round() as usize;
            times.get(index).copied().unwrap_or(0)
        };
        Ok(LossTiming {
            suite: suite.short_name(),
            loss_percent,
            runs,
            completed: times.len(),
            median_ms: at(0.5),
            p90_ms: at(0.9),
            max_ms: times.last().copied().unwrap_or(0),
            mean_retransmissions: retransmissions as f64 / runs.max(1) as f64,
        })
    }
}
