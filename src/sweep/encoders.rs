//! How many batches are encoded at once: completed batches wait in a queue, and at most a few
//! workers encode at a time, each draining the queue before it goes back to simulating
//! (docs/sweeps.md, "Streaming and memory").
//!
//! Encoding a batch (Arrow arrays, a Parquet writer per table with a ZSTD context per column,
//! the page buffers) is the largest short-lived allocation of a sweep. When every worker that
//! completed a batch encoded it at once, two workers sometimes encoded together and the
//! resident set met the sum of both; a long sweep met that moment more often than a short one,
//! so its peak was higher. With a limit, a worker that completes a batch while the encoders are
//! busy hands it over and goes on simulating, which costs no CPU and keeps the other workers
//! busy. The limit grows with the number of workers (one encoder per [`WORKERS_PER_ENCODER`]),
//! since encoding is about a tenth of a short run's CPU and must not become a serial stage on
//! many cores (docs/performance.md, "A model of sweep scaling").

use std::collections::VecDeque;
use std::sync::Mutex;

/// Workers per encoder allowed at once: encoding is 10–15 % of the CPU of a sweep of short runs
/// (0.3 ms per run of 2.5–2.9 ms), so one encoder per four workers leaves it twice the
/// capacity it needs.
pub const WORKERS_PER_ENCODER: usize = 4;

/// The most batches encoded at once with `jobs` workers.
pub fn encoders_for(jobs: usize) -> usize {
    jobs.div_ceil(WORKERS_PER_ENCODER).max(1)
}

/// Completed batches waiting to be encoded, and how many workers encode now.
pub struct EncodeQueue<T> {
    state: Mutex<QueueState<T>>,
    limit: usize,
}

struct QueueState<T> {
    waiting: VecDeque<T>,
    encoding: usize,
}

impl<T> EncodeQueue<T> {
    /// An empty queue that lets at most `limit` (at least one) callers encode at once.
    pub fn new(limit: usize) -> EncodeQueue<T> {
        EncodeQueue {
            state: Mutex::new(QueueState {
                waiting: VecDeque::new(),
                encoding: 0,
            }),
            limit: limit.max(1),
        }
    }

    /// Hands in a completed batch. If fewer than the limit are encoding, the caller becomes an
    /// encoder: `encode` runs on this thread for this batch and then for every batch handed in
    /// meanwhile, oldest first, until the queue is empty. Otherwise the batch waits for a busy
    /// encoder and this returns at once.
    pub fn submit(&self, item: T, mut encode: impl FnMut(T)) {
        {
            let mut s = self.state.lock().expect("encode queue lock");
            s.waiting.push_back(item);
            if s.encoding >= self.limit {
                return;
            }
            s.encoding += 1;
        }
        loop {
            let next = {
                let mut s = self.state.lock().expect("encode queue lock");
                match s.waiting.pop_front() {
                    Some(next) => next,
                    None => {
                        s.encoding -= 1;
                        return;
                    }
                }
            };
            encode(next);
        }
    }

    /// Whether no batch waits and nobody encodes.
    #[cfg(test)]
    pub fn is_idle(&self) -> bool {
        let s = self.state.lock().expect("encode queue lock");
        s.waiting.is_empty() && s.encoding == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Barrier;

    #[test]
    fn one_encoder_per_four_workers_and_never_none() {
        assert_eq!(encoders_for(1), 1);
        assert_eq!(encoders_for(2), 1);
        assert_eq!(encoders_for(4), 1);
        assert_eq!(encoders_for(5), 2);
        assert_eq!(encoders_for(64), 16);
    }

    #[test]
    fn a_batch_handed_in_while_the_encoder_is_busy_is_encoded_by_that_encoder_in_order() {
        let queue = EncodeQueue::new(1);
        let started = Barrier::new(2);
        let release = Barrier::new(2);
        let order = Mutex::new(Vec::new());
        let encoder_thread = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            s.spawn(|| {
                queue.submit(1, |b| {
                    if b == 1 {
                        started.wait();
                        release.wait();
                    }
                    order.lock().unwrap().push(b);
                    encoder_thread
                        .lock()
                        .unwrap()
                        .push(std::thread::current().id());
                });
            });
            started.wait();
            // The encoder is busy with batch 1: these return at once, unencoded.
            queue.submit(2, |_| panic!("only one encoder at a time"));
            queue.submit(3, |_| panic!("only one encoder at a time"));
            release.wait();
        });
        assert_eq!(*order.lock().unwrap(), vec![1, 2, 3]);
        let threads = encoder_thread.into_inner().unwrap();
        assert!(threads.iter().all(|t| *t == threads[0]));
        assert!(queue.is_idle());
    }

    #[test]
    fn never_more_encoders_at_once_than_the_limit() {
        let queue = EncodeQueue::new(2);
        let (now, most, done) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        std::thread::scope(|s| {
            for t in 0..8 {
                let (queue, now, most, done) = (&queue, &now, &most, &done);
                s.spawn(move || {
                    for i in 0..50 {
                        queue.submit(t * 100 + i, |_| {
                            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(n, Ordering::SeqCst);
                            std::thread::yield_now();
                            now.fetch_sub(1, Ordering::SeqCst);
                            done.fetch_add(1, Ordering::SeqCst);
                        });
                    }
                });
            }
        });
        assert_eq!(done.into_inner(), 400);
        assert!(most.into_inner() <= 2);
        assert!(queue.is_idle());
    }
}
