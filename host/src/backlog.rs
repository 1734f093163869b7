//! The bound on application data waiting for the application: the drivers read their
//! sockets whether or not the application takes what arrives, so a peer that sends
//! faster than it is read from must not grow memory without limit. Beyond the bound,
//! records are dropped and counted, as NetX drops packets when its pool is empty.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Records that may wait for `receive` or `next_event` at once (1 024 records of at
/// most one MTU each: ~1.2 MiB at the default MTU).
pub const MAX_WAITING_RECORDS: usize = 1024;

/// The count of records waiting and of those dropped, shared by a driver and its
/// owner.
#[derive(Clone, Debug, Default)]
pub(crate) struct Backlog {
    waiting: Arc<AtomicUsize>,
    dropped: Arc<AtomicU64>,
}

impl Backlog {
    /// Whether one more record may wait (it is then counted as waiting); if not, it is
    /// counted as dropped.
    pub(crate) fn admit(&self) -> bool {
        let admitted = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_WAITING_RECORDS).then_some(n + 1)
            })
            .is_ok();
        if !admitted {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        admitted
    }

    /// The application took a waiting record.
    pub(crate) fn taken(&self) {
        let _ = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// Records waiting now.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// Records dropped so far because too many were waiting.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
