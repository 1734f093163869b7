//! The 64-record anti-replay window of RFC 6347 §4.1.2.6.

/// How many records behind the newest one are still tracked.
const WINDOW: u64 = 64;

/// Remembers which recent sequence numbers of one epoch were received: the highest
/// seen so far, and a bitmap of the 64 below it (bit `i` = highest − `i`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayWindow {
    /// Highest sequence number accepted, plus one (0 = nothing yet).
    top: u64,
    bitmap: u64,
}

impl ReplayWindow {
    /// An empty window.
    pub fn new() -> ReplayWindow {
        ReplayWindow::default()
    }

    /// Whether `seq` may be accepted: newer than everything, or inside the window and
    /// not yet seen. Check before, [`mark`](Self::mark) after authentication.
    pub fn is_fresh(&self, seq: u64) -> bool {
        if self.top == 0 || seq >= self.top {
            return true;
        }
        let behind = self.top - 1 - seq;
        behind < WINDOW && self.bitmap & (1 << behind) == 0
    }

    /// Records `seq` as received (only after the record authenticated).
    pub fn mark(&mut self, seq: u64) {
        if self.top == 0 || seq >= self.top {
            let shift = if self.top == 0 {
                WINDOW
            } else {
                seq + 1 - self.top
            };
            self.bitmap = if shift >= WINDOW {
                0
            } else {
                self.bitmap << shift
            };
            self.bitmap |= 1;
            self.top = seq.saturating_add(1);
        } else {
            let behind = self.top - 1 - seq;
            if behind < WINDOW {
                self.bitmap |= 1 << behind;
            }
        }
    }

    /// Forgets everything.
    pub fn reset(&mut self) {
        *self = ReplayWindow::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(w: &mut ReplayWindow, seq: u64) -> bool {
        let fresh = w.is_fresh(seq);
        if fresh {
            w.mark(seq);
        }
        fresh
    }

    #[test]
    fn duplicates_are_rejected_and_unseen_in_window_accepted() {
        let mut w = ReplayWindow::new();
        assert!(accept(&mut w, 0));
        assert!(!accept(&mut w, 0));
        assert!(accept(&mut w, 5));
        assert!(accept(&mut w, 3));
        assert!(!accept(&mut w, 3));
        assert!(accept(&mut w, 1));
        assert!(!accept(&mut w, 5));
    }

    #[test]
    fn left_of_the_window_is_rejected() {
        let mut w = ReplayWindow::new();
        assert!(accept(&mut w, 100));
        assert!(accept(&mut w, 100 - 63));
        assert!(!accept(&mut w, 100 - 64));
        assert!(!accept(&mut w, 0));
    }

    #[test]
    fn big_jumps_clear_the_window() {
        let mut w = ReplayWindow::new();
        assert!(accept(&mut w, 1));
        assert!(accept(&mut w, 1_000));
        assert!(!accept(&mut w, 1));
        assert!(accept(&mut w, 999));
        assert!(!accept(&mut w, 1_000));
    }

    #[test]
    fn works_across_the_32_bit_boundary_and_near_2_pow_48() {
        // NetX regression scenario 12: its window is one machine word.
        for base in [(1u64 << 32) - 3, (1u64 << 48) - 70] {
            let mut w = ReplayWindow::new();
            for seq in base..base + 6 {
                assert!(accept(&mut w, seq), "{seq}");
            }
            for seq in base..base + 6 {
                assert!(!accept(&mut w, seq), "{seq}");
            }
            assert!(accept(&mut w, base + 64));
            assert!(!accept(&mut w, base));
            assert!(accept(&mut w, base + 6));
        }
    }
}
