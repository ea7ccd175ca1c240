//! `RequestLatencies`: the wait, queue, exec and response histograms of one function's
//! completed requests, stored so that a request that never waited costs one record.
//!
//! A request that started the moment it arrived (no wait for a replica, no local queue: most
//! requests of a warm function) has wait = queue = 0 and response = exec. Recording its four
//! values touched four histogram headers and two bucket lines (exec's and response's, the
//! same bucket index in two arrays); it is now one value in the *unwaited* histogram, and the
//! other requests' four values go to their own four histograms. The full histograms are put
//! back together when the run ends ([`RequestLatencies::histograms`]): wait and queue get one
//! value 0 per unwaited request, exec and response are merged with the unwaited histogram.
//! Histogram counts, sums and maxima add exactly, so the result is the very histograms a
//! record of all four values per request would have built (docs/performance.md, "Round 10:
//! cache misses on the request path").

use super::LatencyHistogram;

/// The four latency histograms of a function's completed requests (see the module docs).
///
/// `repr(C)` with the unwaited histogram first: placed on a cache-line boundary (as
/// `FunctionRt` places it), the 48-byte header a waitless completion reads and writes is one
/// line.
#[derive(Clone, Debug, Default)]
#[repr(C)]
pub struct RequestLatencies {
    /// Exec (= response) times of the requests with wait = queue = 0 and exec = response.
    unwaited: LatencyHistogram,
    /// Wait, queue, exec and response of the other requests, in that order.
    waited: [LatencyHistogram; 4],
}

impl RequestLatencies {
    /// Records one completed request's wait, queue, exec and response times.
    ///
    /// Inlined into the completion handler: a call saves and restores callee-saved registers
    /// that cost more than the waitless record itself.
    #[inline(always)]
    pub fn record(&mut self, wait: u64, queue: u64, exec: u64, response: u64) {
        if (wait | queue) == 0 && exec == response {
            self.unwaited.record(exec);
        } else {
            self.record_waited(wait, queue, exec, response);
        }
    }

    /// [`Self::record`] of a request that waited: out of line, so that the waitless record
    /// inlined into the completion handler stays short.
    #[inline(never)]
    fn record_waited(&mut self, wait: u64, queue: u64, exec: u64, response: u64) {
        let [w, q, e, r] = &mut self.waited;
        w.record(wait);
        q.record(queue);
        e.record(exec);
        r.record(response);
    }

    /// The wait, queue, exec and response histograms of all the requests recorded, built
    /// anew (read when a run ends).
    pub fn histograms(&self) -> [LatencyHistogram; 4] {
        let [mut wait, mut queue, mut exec, mut response] = self.waited.clone();
        let unwaited = self.unwaited.count();
        wait.record_zeros(unwaited);
        queue.record_zeros(unwaited);
        exec.merge(&self.unwaited);
        response.merge(&self.unwaited);
        [wait, queue, exec, response]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a histogram's readers see: buckets, count, sum, max, mean and quantiles.
    fn reading(h: &LatencyHistogram) -> impl PartialEq + std::fmt::Debug {
        (
            h.buckets().collect::<Vec<_>>(),
            h.count(),
            h.sum_ns(),
            h.max_ns(),
            h.mean_ns().map(f64::to_bits),
            h.quantiles_ns([(1, 2), (9, 10), (99, 100), (999, 1000)]),
        )
    }

    /// Records `requests` both ways and compares the four histograms.
    fn assert_same_as_four_histograms(requests: &[[u64; 4]]) {
        let mut split = RequestLatencies::default();
        let mut plain: [LatencyHistogram; 4] = Default::default();
        for &[wait, queue, exec, response] in requests {
            split.record(wait, queue, exec, response);
            for (h, v) in plain.iter_mut().zip([wait, queue, exec, response]) {
                h.record(v);
            }
        }
        let built = split.histograms();
        for (metric, (b, p)) in ["wait", "queue", "exec", "response"]
            .iter()
            .zip(built.iter().zip(&plain))
        {
            assert_eq!(reading(b), reading(p), "{metric}");
        }
    }

    #[test]
    fn the_histograms_are_those_of_four_values_recorded_per_request() {
        // A small deterministic generator: a third of the requests wait or queue.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let requests: Vec<[u64; 4]> = (0..20_000)
            .map(|_| {
                let exec = next() >> (20 + next() % 40);
                let (wait, queue) = match next() % 6 {
                    0 => (next() >> 34, 0),
                    1 => (0, next() >> 30),
                    _ => (0, 0),
                };
                [wait, queue, exec, wait + queue + exec]
            })
            .collect();
        assert_same_as_four_histograms(&requests);
    }

    #[test]
    fn only_a_request_with_no_wait_no_queue_and_response_equal_to_exec_is_recorded_once() {
        let mut l = RequestLatencies::default();
        l.record(0, 0, 500, 500);
        l.record(0, 0, 0, 0);
        assert_eq!(l.unwaited.count(), 2);
        assert!(l.waited.iter().all(|h| h.count() == 0));
        // Zero wait and queue but a response other than exec (times that do not add up)
        // keep their four values.
        l.record(0, 0, 500, 700);
        l.record(3, 0, 500, 503);
        l.record(0, 3, 500, 503);
        assert_eq!(l.unwaited.count(), 2);
        assert!(l.waited.iter().all(|h| h.count() == 3));
        assert_same_as_four_histograms(&[
            [0, 0, 500, 500],
            [0, 0, 0, 0],
            [0, 0, 500, 700],
            [3, 0, 500, 503],
            [0, 3, 500, 503],
        ]);
    }

    #[test]
    fn no_requests_build_four_empty_histograms_and_only_unwaited_ones_are_exact_too() {
        assert_same_as_four_histograms(&[]);
        assert_same_as_four_histograms(&[[0, 0, 7, 7], [0, 0, 1 << 40, 1 << 40]]);
        assert_same_as_four_histograms(&[[5, 0, 7, 12]]);
    }

    #[test]
    fn the_unwaited_header_is_the_first_48_bytes() {
        use std::mem::{offset_of, size_of};
        assert_eq!(offset_of!(RequestLatencies, unwaited), 0);
        assert!(size_of::<LatencyHistogram>() <= 64);
    }
}
