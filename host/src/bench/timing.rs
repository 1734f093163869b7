//! Timing a closure: run it until a time budget is spent and report the time per run.
//! Never used in tests (machines here are shared and noisy): only the bench command and
//! `cargo bench` print these figures.

use std::time::{Duration, Instant};

/// How long each measurement runs.
#[derive(Clone, Copy, Debug)]
pub struct Budget(pub Duration);

impl Budget {
    /// Seconds per run of `f`, after one warm-up run; at least 3 runs.
    pub fn seconds_per_run<E>(self, mut f: impl FnMut() -> Result<(), E>) -> Result<f64, E> {
        f()?;
        let start = Instant::now();
        let mut runs = 0u64;
        while runs < 3 || start.elapsed() < self.0 {
            f()?;
            runs += 1;
        }
        Ok(start.elapsed().as_secs_f64() / runs as f64)
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
