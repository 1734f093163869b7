//! Randomness, injectable so that tests and the demo's replay mode are deterministic.

use core::cell::RefCell;

use chacha20::cipher::{KeyIvInit, StreamCipherCore};
use chacha20::{ChaCha20LegacyCore, LegacyNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

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
/// tenth of a PSK handshake in Node. The generator replaces its own key on every draw
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

/// One thread's generator: ChaCha20 with fast key erasure (D. J. Bernstein,
/// "Fast-key-erasure random-number generators", 2017): each draw runs ChaCha20 under
/// the current key, takes the stream's first 32 bytes as the next key and hands out the
/// bytes after them. A draw of up to 32 bytes — every draw of a handshake — costs one
/// 64-byte block. (A `ChaCha20Rng` rebuilt after each draw computed four blocks a
/// draw, ~2 µs each time in WebAssembly, where ChaCha20 has no SIMD backend: 8 % of a
/// PSK handshake in wasmtime.)
struct Generator {
    /// The key of the next draw.
    key: Zeroizing<[u8; 32]>,
    drawn: usize,
    /// The process it was seeded in: a forked child must not repeat its parent's draws.
    #[cfg(unix)]
    pid: u32,
}

impl Generator {
    fn new(seed: [u8; 32]) -> Generator {
        Generator {
            key: Zeroizing::new(seed),
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

    /// Fills `dest` and replaces the key: the key that produced `dest` is gone once this
    /// returns.
    fn fill(&mut self, dest: &mut [u8]) {
        // Each key produces exactly one stream, so a fixed nonce is safe; the legacy
        // variant's 64-bit block counter has no length limit a draw could reach. The
        // blocks go through a buffer of ours, wiped on return, as the next key passes
        // through it.
        let mut stream = ChaCha20LegacyCore::new((&*self.key).into(), &LegacyNonce::default());
        let mut block = Zeroizing::new([0u8; 64]);
        stream.write_keystream_block((&mut *block).into());
        let (next_key, first) = block.split_at(32);
        self.key.copy_from_slice(next_key);
        let (head, rest) = dest.split_at_mut(dest.len().min(first.len()));
        copy_prefix(head, first);
        for chunk in rest.chunks_mut(64) {
            stream.write_keystream_block((&mut *block).into());
            copy_prefix(chunk, block.as_ref());
        }
        self.drawn = self.drawn.saturating_add(dest.len());
    }
}

/// Fills `dest` from the start of `source`, which is at least as long.
fn copy_prefix(dest: &mut [u8], source: &[u8]) {
    for (d, s) in dest.iter_mut().zip(source) {
        *d = *s;
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

    /// ChaCha20's keystream for the all-zero key and nonce, blocks 0 and 1: RFC 8439
    /// §A.1, test vectors #1 and #2 (with a zero nonce the legacy and IETF variants
    /// agree).
    const ZERO_KEY_STREAM: [&str; 3] = [
        "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7",
        "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586",
        "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed",
    ];

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn a_draw_is_the_stream_after_the_next_key() {
        // 32 bytes: the second half of block 0; the first half is the next key.
        let mut g = Generator::new([0; 32]);
        let mut draw = [0u8; 32];
        g.fill(&mut draw);
        assert_eq!(hex(&draw), ZERO_KEY_STREAM[1]);
        assert_eq!(hex(g.key.as_ref()), ZERO_KEY_STREAM[0]);
        // A longer draw runs on into block 1.
        let mut g = Generator::new([0; 32]);
        let mut draw = [0u8; 64];
        g.fill(&mut draw);
        assert_eq!(
            hex(&draw),
            format!("{}{}", ZERO_KEY_STREAM[1], ZERO_KEY_STREAM[2])
        );
        // A short draw takes the start of what follows the key.
        let mut g = Generator::new([0; 32]);
        let mut draw = [0u8; 5];
        g.fill(&mut draw);
        assert_eq!(hex(&draw), ZERO_KEY_STREAM[1][..10]);
    }

    #[test]
    fn generator_rekeys_after_every_draw_and_asks_for_a_seed_in_time() {
        // The second draw comes from the key the first one left, not from the stream
        // under the first key running on.
        let mut g = Generator::new([0; 32]);
        let (mut first, mut second) = ([0u8; 32], [0u8; 32]);
        g.fill(&mut first);
        let mut from_left_key = Generator::new(*g.key);
        g.fill(&mut second);
        let mut expected = [0u8; 32];
        from_left_key.fill(&mut expected);
        assert_eq!(second, expected);
        assert_ne!(hex(&second), ZERO_KEY_STREAM[2]);
        assert_ne!(second, first);

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
