//! Randomness, injectable so that tests and the demo's replay mode are deterministic.

use core::cell::RefCell;

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// A source of random bytes for the handshake (randoms, cookie secrets, ephemeral keys).
pub trait Random: Send {
    /// Fills `dest` with random bytes.
    fn fill(&mut self, dest: &mut [u8]);
}

/// The operating system's randomness: the default, and the only safe choice for real
/// use.
///
/// The OS seeds a ChaCha20 generator per thread (RFC 8439, the `chacha20` crate) that
/// serves the draws, as OpenSSL's and mbedTLS's DRBGs do: in WebAssembly every OS draw
/// is a call out of the sandbox for each 8 bytes (WASI `get-random-u64`), which cost a
/// tenth of a PSK handshake in Node. The generator replaces its own key after every draw
/// (fast key erasure), so its state never reveals what it produced before, and goes back
/// to the OS for a new seed every [`RESEED_AFTER`] bytes and, on Unix, in a forked child.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandom;

/// Bytes a thread's generator produces before the OS seeds it again.
pub const RESEED_AFTER: usize = 64 * 1024;

thread_local! {
    static GENERATOR: RefCell<Option<Generator>> = const { RefCell::new(None) };
}

impl Random for OsRandom {
    fn fill(&mut self, dest: &mut [u8]) {
        let served = GENERATOR.try_with(|cell| {
            let mut slot = cell.borrow_mut();
            let generator = match &mut *slot {
                Some(generator) if !generator.needs_reseed() => generator,
                slot => slot.insert(Generator::new(os_seed())),
            };
            generator.fill(dest);
        });
        // The thread is being torn down and its generator is gone (a session used
        // from another thread-local's destructor): straight from the OS, then.
        if served.is_err() {
            from_os(dest);
        }
    }
}

/// 32 bytes from the operating system.
fn os_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    from_os(&mut seed);
    seed
}

/// Fills `dest` from the operating system.
fn from_os(dest: &mut [u8]) {
    // A platform without randomness cannot run DTLS safely; there is no sensible
    // fallback, so this is one of the few places where we stop.
    #[allow(clippy::expect_used)]
    getrandom::fill(dest).expect("the platform has no source of randomness");
}

/// One thread's generator: ChaCha20 with fast key erasure.
struct Generator {
    rng: ChaCha20Rng,
    drawn: usize,
    /// The process it was seeded in: a forked child must not repeat its parent's draws.
    #[cfg(unix)]
    pid: u32,
}

impl Generator {
    fn new(mut seed: [u8; 32]) -> Generator {
        let rng = ChaCha20Rng::from_seed(seed);
        seed.zeroize();
        Generator {
            rng,
            drawn: 0,
            #[cfg(unix)]
            pid: std::process::id(),
        }
    }

    fn needs_reseed(&self) -> bool {
        #[cfg(unix)]
        if self.pid != std::process::id() {
            return true;
        }
        self.drawn >= RESEED_AFTER
    }

    /// Fills `dest`, then keys the generator with the next 32 bytes of its own stream:
    /// the key that produced `dest` is gone once this returns.
    fn fill(&mut self, dest: &mut [u8]) {
        self.rng.fill_bytes(dest);
        let mut key = [0u8; 32];
        self.rng.fill_bytes(&mut key);
        self.rng = ChaCha20Rng::from_seed(key);
        key.zeroize();
        self.drawn = self.drawn.saturating_add(dest.len());
    }
}

/// A deterministic generator for tests and replayable demos: SHA-256 in counter mode
/// over a 32-byte seed. Never use it for real sessions.
#[derive(Clone, Debug)]
pub struct SeededRandom {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeededRandom {
    /// A generator whose output is fixed by `seed`.
    pub fn new(seed: u64) -> SeededRandom {
        let seed: [u8; 32] = Sha256::digest(seed.to_be_bytes()).into();
        SeededRandom {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }
}

impl Random for SeededRandom {
    fn fill(&mut self, dest: &mut [u8]) {
        for byte in dest {
            if self.used == self.block.len() {
                let mut h = Sha256::new();
                h.update(self.seed);
                h.update(self.counter.to_be_bytes());
                self.block = h.finalize().into();
                self.counter = self.counter.wrapping_add(1);
                self.used = 0;
            }
            *byte = self.block.get(self.used).copied().unwrap_or_default();
            self.used += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_random_never_repeats_a_draw() {
        let mut draws: Vec<[u8; 32]> = Vec::new();
        for _ in 0..64 {
            let mut d = [0u8; 32];
            OsRandom.fill(&mut d);
            assert!(!draws.contains(&d), "a draw repeated");
            draws.push(d);
        }
    }

    #[test]
    fn threads_draw_different_streams() {
        let draw = || {
            let mut d = [0u8; 32];
            OsRandom.fill(&mut d);
            d
        };
        let here = draw();
        let there = std::thread::spawn(draw).join().unwrap_or_default();
        assert_ne!(here, there);
        assert_ne!(there, [0u8; 32]);
    }

    /// Draws in its destructor, which runs after the generator's own: on Linux,
    /// thread-locals are destroyed in the reverse order of their first use.
    struct DrawsWhenDropped(std::sync::mpsc::Sender<[u8; 32]>);

    impl Drop for DrawsWhenDropped {
        fn drop(&mut self) {
            let mut d = [0u8; 32];
            OsRandom.fill(&mut d);
            let _ = self.0.send(d);
        }
    }

    thread_local! {
        static LATE: RefCell<Option<DrawsWhenDropped>> = const { RefCell::new(None) };
    }

    #[test]
    fn a_draw_after_the_generator_is_gone_comes_from_the_os() {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            LATE.with_borrow_mut(|late| *late = Some(DrawsWhenDropped(tx)));
            // Now the generator exists too, used after LATE: it is destroyed first.
            OsRandom.fill(&mut [0u8; 8]);
        });
        assert!(thread.join().is_ok(), "the thread must not panic at exit");
        let late = rx.recv().unwrap_or_default();
        assert_ne!(late, [0u8; 32]);
    }

    #[test]
    fn generator_rekeys_after_every_draw_and_asks_for_a_seed_in_time() {
        // Same seed, same first draw: the stream is ChaCha20's, nothing else.
        let (mut a, mut b) = (Generator::new([9; 32]), Generator::new([9; 32]));
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        // The second draw comes from a key taken from the stream, not from the next
        // bytes under the old key: a plain ChaCha20Rng continuing would give `plain`.
        let mut plain = ChaCha20Rng::from_seed([9; 32]);
        let mut skipped = [0u8; 32];
        plain.fill_bytes(&mut skipped);
        assert_eq!(skipped, x);
        let mut key = [0u8; 32];
        plain.fill_bytes(&mut key);
        let mut rekeyed = ChaCha20Rng::from_seed(key);
        let (mut expected, mut second) = ([0u8; 32], [0u8; 32]);
        rekeyed.fill_bytes(&mut expected);
        a.fill(&mut second);
        assert_eq!(second, expected);
        assert_ne!(second, x);

        let mut g = Generator::new([1; 32]);
        let mut block = vec![0u8; 1000];
        while g.drawn + block.len() < RESEED_AFTER {
            g.fill(&mut block);
            assert!(!g.needs_reseed());
        }
        g.fill(&mut block);
        assert!(g.needs_reseed());
    }

    #[test]
    fn seeded_is_deterministic_and_seed_dependent() {
        let (mut a, mut b, mut c) = (
            SeededRandom::new(7),
            SeededRandom::new(7),
            SeededRandom::new(8),
        );
        let (mut x, mut y, mut z) = ([0u8; 70], [0u8; 70], [0u8; 70]);
        a.fill(&mut x);
        b.fill(&mut y);
        c.fill(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert_ne!(x[..32], x[32..64]);
    }

    #[test]
    fn os_random_fills() {
        let mut x = [0u8; 32];
        OsRandom.fill(&mut x);
        assert_ne!(x, [0u8; 32]);
    }
}
