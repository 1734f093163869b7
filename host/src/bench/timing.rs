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
    /// Seconds per run of `f`. After one warm-up run the budget is spent in `SLICES`
    /// (five) equal slices (at least one run each) and the fastest slice counts: on a
    /// shared machine a slow slice means another job had the CPU, not that `f` got
    /// slower, and a figure taken over one stretch swung by ±30 % between runs.
    pub fn seconds_per_run<E>(self, mut f: impl FnMut() -> Result<(), E>) -> Result<f64, E> {
        f()?;
        let mut fastest = f64::INFINITY;
        for _ in 0..SLICES {
            fastest = fastest.min(slice(self.0 / SLICES, &mut f)?);
        }
        Ok(fastest)
    }

    /// Seconds per run of `a` and of `b`, for a ratio of the two (see
    /// [`Budget::seconds_per_run_interleaved`]).
    pub fn seconds_per_run_side_by_side<E>(
        self,
        mut a: impl FnMut() -> Result<(), E>,
        mut b: impl FnMut() -> Result<(), E>,
    ) -> Result<(f64, f64), E> {
        let [a, b] = self.seconds_per_run_interleaved([&mut a, &mut b])?;
        Ok((a, b))
    }

    /// Seconds per run of each closure, for ratios between them: the budget is spent in
    /// rounds of one slice each, in turn, and the fastest slice of each counts. All see
    /// the same stretches of a shared machine, whose speed drifts by ±50 % over
    /// minutes, so the ratios hold where figures taken one after another would not.
    pub fn seconds_per_run_interleaved<E, const N: usize>(
        self,
        mut runs: [&mut dyn FnMut() -> Result<(), E>; N],
    ) -> Result<[f64; N], E> {
        for run in runs.iter_mut() {
            run()?;
        }
        let each = self.0 / (SLICES * u32::try_from(N).unwrap_or(u32::MAX).max(1));
        let mut fastest = [f64::INFINITY; N];
        for _ in 0..SLICES {
            for (run, best) in runs.iter_mut().zip(&mut fastest) {
                *best = best.min(slice(each, run)?);
            }
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

/// Runs `f` for `length` (at least once) and returns the seconds per run.
fn slice<E>(length: Duration, f: &mut impl FnMut() -> Result<(), E>) -> Result<f64, E> {
    let start = Instant::now();
    let mut runs = 0u64;
    while runs < 1 || start.elapsed() < length {
        f()?;
        runs += 1;
    }
    Ok(start.elapsed().as_secs_f64() / runs as f64)
}
