//! Who encodes completed batches: with one worker, that worker, right after the run that
//! completes the batch; with more, a few dedicated encoder threads (one per
//! [`WORKERS_PER_ENCODER`] workers) that take batches from an [`EncodeQueue`] in the order they
//! were completed (docs/sweeps.md, "Streaming and memory").
//!
//! Encoding a batch (Arrow arrays, a Parquet writer per table with a ZSTD context per column,
//! the page buffers) is the largest short-lived allocation of a sweep, and the allocators keep
//! what a thread used for it: mimalloc in that thread's heap, the C library (which ZSTD
//! allocates from) in that thread's arena. When whichever worker completed a batch encoded it,
//! every worker's heap and arena came to hold an encoder's working set sooner or later, so a long
//! sweep ended up with one per worker where a short one (a few batches, often all encoded by the
//! same worker) had one: the resident set grew with the number of runs, by ~1.2 MB per extra
//! arena at `--jobs 2` (docs/performance.md, "Sweep memory", round 8). Encoder threads keep that
//! working set in a fixed number of threads whatever the number of runs, and a worker never
//! stops simulating to encode. One encoder per four workers leaves encoding (a tenth of a short
//! run's CPU) twice the capacity it needs; with one worker, a thread of its own would make
//! `--jobs 1` use more than one core, so the worker encodes.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

/// Workers per encoder thread: encoding is 10–15 % of the CPU of a sweep of short runs (0.3 ms
/// per run of 2.5–2.9 ms), so one encoder per four workers leaves it twice the capacity it
/// needs.
pub const WORKERS_PER_ENCODER: usize = 4;

/// The encoder threads a sweep with `jobs` workers starts: none with one worker (it encodes
/// itself), else one per [`WORKERS_PER_ENCODER`] workers.
pub fn encoder_threads(jobs: usize) -> usize {
    if jobs <= 1 {
        0
    } else {
        jobs.div_ceil(WORKERS_PER_ENCODER)
    }
}

/// Gives the C heap's free pages back to the kernel; called after each batch is encoded.
///
/// ZSTD, inside the Parquet writer, allocates a compression and a decompression context per
/// column chunk from the C library, which the binary tells to keep freed memory
/// (`keep_c_heap` in `src/main.rs`). The contexts are large but only a few of their pages are
/// ever written, and each batch's land at slightly different offsets of the heap than the
/// previous batch's, so the pages written once accumulate: through a 10 000-run sweep the one
/// encoder's arena grew from 1.2 to 2.3 MB resident while holding nothing between batches
/// (docs/performance.md, "Sweep memory", round 8). Returning the free pages after each batch
/// costs the next batch a few hundred page faults.
pub fn release_c_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free memory of the C heap to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Completed batches waiting for an encoder thread, oldest first, until the queue is closed.
pub struct EncodeQueue<T> {
    state: Mutex<QueueState<T>>,
    changed: Condvar,
}

struct QueueState<T> {
    waiting: VecDeque<T>,
    closed: bool,
}

impl<T> Default for EncodeQueue<T> {
    fn default() -> Self {
        EncodeQueue {
            state: Mutex::new(QueueState {
                waiting: VecDeque::new(),
                closed: false,
            }),
            changed: Condvar::new(),
        }
    }
}

impl<T> EncodeQueue<T> {
    /// Hands in a completed batch; returns at once.
    pub fn submit(&self, item: T) {
        self.state
            .lock()
            .expect("encode queue lock")
            .waiting
            .push_back(item);
        self.changed.notify_one();
    }

    /// No batch comes any more: [`EncodeQueue::next`] returns `None` once the queue is empty.
    pub fn close(&self) {
        self.state.lock().expect("encode queue lock").closed = true;
        self.changed.notify_all();
    }

    /// The oldest waiting batch, waiting for one; `None` once the queue is closed and empty.
    pub fn next(&self) -> Option<T> {
        let mut s = self.state.lock().expect("encode queue lock");
        loop {
            if let Some(item) = s.waiting.pop_front() {
                return Some(item);
            }
            if s.closed {
                return None;
            }
            s = self.changed.wait(s).expect("encode queue lock");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_worker_encodes_itself_and_more_get_one_encoder_thread_per_four() {
        assert_eq!(encoder_threads(0), 0);
        assert_eq!(encoder_threads(1), 0);
        assert_eq!(encoder_threads(2), 1);
        assert_eq!(encoder_threads(4), 1);
        assert_eq!(encoder_threads(5), 2);
        assert_eq!(encoder_threads(64), 16);
    }

    #[test]
    fn batches_come_out_in_the_order_they_were_handed_in_then_none_once_closed() {
        let queue = EncodeQueue::default();
        for b in [3, 1, 2] {
            queue.submit(b);
        }
        queue.close();
        assert_eq!(queue.next(), Some(3));
        assert_eq!(queue.next(), Some(1));
        assert_eq!(queue.next(), Some(2));
        assert_eq!(queue.next(), None);
    }

    #[test]
    fn an_encoder_waits_for_batches_and_every_batch_is_encoded_exactly_once() {
        let queue = EncodeQueue::default();
        let encoded = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    while let Some(b) = queue.next() {
                        encoded.lock().unwrap().push(b);
                    }
                });
            }
            // Handed in while the encoders may already wait, from several threads.
            std::thread::scope(|producers| {
                for t in 0..4 {
                    let queue = &queue;
                    producers.spawn(move || (0..50).for_each(|i| queue.submit(t * 100 + i)));
                }
            });
            queue.close();
        });
        let mut encoded = encoded.into_inner().unwrap();
        encoded.sort_unstable();
        let mut expected: Vec<i32> = (0..4)
            .flat_map(|t| (0..50).map(move |i| t * 100 + i))
            .collect();
        expected.sort_unstable();
        assert_eq!(encoded, expected);
    }
}
