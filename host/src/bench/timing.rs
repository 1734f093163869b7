//! Timing a closure: run it until a time budget is spent and report the time per run.
//! Never used in tests (machines here are shared and noisy): only the bench command and
//! `cargo bench` print these figures.

use std::time::{Duration, Instant};

/// The slices a measurement's budget is cut into; the fastest one is reported.
const SLICES: u32 = 5;

/// How long each measurement runs.
#[derive(Clone, Copy, Debug)]
pub struct Budget(pub Duration);

impl Budget {
    /// Seconds per run of `f`. After one warm-up run the budget is spent in [`SLICES`]
    /// equal slices (at least one run each) and the fastest slice counts: on a shared
    /// machine a slow slice means another job had the CPU, not that `f` got slower, and
    /// a figure taken over one stretch swung by ±30 % between runs.
    pub fn seconds_per_run<E>(self, mut f: impl FnMut() -> Result<(), E>) -> Result<f64, E> {
        f()?;
        let slice = self.0 / SLICES;
        let mut fastest = f64::INFINITY;
        for _ in 0..SLICES {
            let start = Instant::now();
            let mut runs = 0u64;
            while runs < 1 || start.elapsed() < slice {
                f()?;
                runs += 1;
            }
            fastest = fastest.min(start.elapsed().as_secs_f64() / runs as f64);
        }
        Ok(fastest)
    }

    /// Microseconds per run of an infallible `f`.
    pub fn micros(self, mut f: impl FnMut()) -> f64 {
        let seconds = self.seconds_per_run(|| {
            f();
            Ok::<(), ()>(())
        });
        seconds.unwrap_or(f64::NAN) * 1e6
    }
}
