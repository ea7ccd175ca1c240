//! `FunctionRt`: per-function run-time state — deployment status, replica counts and lists,
//! the life-cycle RNG streams, request counters and latency histograms. Routing state (eligible
//! replicas, waiting requests, balancers) is the router's ([`crate::router`]).

use super::replicas::Slot;
use crate::engine::{stream_rng, SimRng, SimTime};
use crate::metrics::{LatencyHistogram, RequestLatencies};

/// Latency metrics kept per function, in `latency_histograms` order.
pub const HIST_METRICS: [&str; 6] = ["wait", "queue", "exec", "response", "cold_wait", "pull"];
/// Index of each metric in [`HIST_METRICS`].
pub mod metric {
    /// dispatch − arrival.
    pub const WAIT: usize = 0;
    /// start − dispatch.
    pub const QUEUE: usize = 1;
    /// end − start.
    pub const EXEC: usize = 2;
    /// end − arrival.
    pub const RESPONSE: usize = 3;
    /// wait of cold requests.
    pub const COLD_WAIT: usize = 4;
    /// deploy-phase duration of replicas.
    pub const PULL: usize = 5;
}

/// Counters of one function's requests.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestCounters {
    /// Arrivals.
    pub requests: u64,
    /// Completed.
    pub completed: u64,
    /// Rejected.
    pub rejected: u64,
    /// Timed out.
    pub timed_out: u64,
    /// Incomplete at the end.
    pub incomplete: u64,
    /// Cold requests.
    pub cold: u64,
}

/// Run-time state of one function (deployed or not); its static description is the
/// [`crate::model::FunctionModel`] with the same id.
///
/// Laid out in declaration order from a cache-line boundary: what an arrival reads and writes
/// (`active`, `removed`, `arrivals`, `counts`) fills the first line, so it is one first-level
/// miss, and the histograms a completion records follow (docs/performance.md, "Round 8"), the
/// one a request that never waited records first, in the second line ("Round 10").
#[derive(Debug)]
#[repr(C, align(64))]
pub struct FunctionRt {
    /// Deployed and not removed.
    pub active: bool,
    /// Removed.
    pub removed: bool,
    /// Arrival counter (`fn_seq`).
    pub arrivals: u64,
    /// Request counters.
    pub counts: RequestCounters,
    /// Wait, queue, exec and response of the completed requests (built into their
    /// histograms when the run ends: [`RequestLatencies::histograms`]).
    pub latencies: RequestLatencies,
    /// Wait of the cold requests.
    pub cold_wait: LatencyHistogram,
    /// Deploy-phase duration of the replicas.
    pub pull: LatencyHistogram,
    /// Live replicas.
    pub live: u32,
    /// Replicas in state Running (a replica entering Teardown leaves this count).
    pub running: u32,
    /// Live replicas (Conceived … Running) in id order.
    pub live_ids: Vec<Slot>,
    /// Live replicas per container.
    pub live_per_container: Vec<u32>,
    /// Pods created (for pod names).
    pub pods_created: u32,
    /// `startup/<f>` stream.
    pub rng_startup: SimRng,
    /// `setup/<f>` stream.
    pub rng_setup: SimRng,
    /// `teardown/<f>` stream.
    pub rng_teardown: SimRng,
    /// ∫ live replicas dt (replica·ns).
    pub live_integral: u128,
    /// ∫ Running replicas dt.
    pub running_integral: u128,
    /// Last time `live`/`running` changed.
    pub last_count_change: SimTime,
    /// Maximum live replicas.
    pub replicas_max: u32,
    /// Scale-up actions.
    pub scale_ups: u32,
    /// Scale-down actions.
    pub scale_downs: u32,
    /// Failed placements.
    pub placements_failed: u32,
}

impl FunctionRt {
    /// The state of function `name` with `containers` ranked containers before it is deployed.
    pub fn new(name: &str, containers: usize, seed: u64) -> FunctionRt {
        FunctionRt {
            active: false,
            removed: false,
            live: 0,
            running: 0,
            live_ids: Vec::new(),
            live_per_container: vec![0; containers],
            pods_created: 0,
            arrivals: 0,
            rng_startup: stream_rng(seed, &format!("startup/{name}")),
            rng_setup: stream_rng(seed, &format!("setup/{name}")),
            rng_teardown: stream_rng(seed, &format!("teardown/{name}")),
            counts: RequestCounters::default(),
            latencies: RequestLatencies::default(),
            cold_wait: LatencyHistogram::new(),
            pull: LatencyHistogram::new(),
            live_integral: 0,
            running_integral: 0,
            last_count_change: SimTime::ZERO,
            replicas_max: 0,
            scale_ups: 0,
            scale_downs: 0,
            placements_failed: 0,
        }
    }

    /// Adds `dt × count` to the replica-count integrals; call before changing a count.
    #[inline]
    pub fn integrate_counts(&mut self, now: SimTime) {
        let dt = now.since(self.last_count_change).0 as u128;
        self.live_integral += dt * self.live as u128;
        self.running_integral += dt * self.running as u128;
        self.last_count_change = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    #[test]
    fn what_an_arrival_touches_is_one_cache_line_and_the_histograms_follow() {
        assert_eq!(align_of::<FunctionRt>(), 64);
        assert_eq!(offset_of!(FunctionRt, active), 0);
        assert!(offset_of!(FunctionRt, removed) < 64);
        assert!(offset_of!(FunctionRt, arrivals) + 8 <= 64);
        assert!(offset_of!(FunctionRt, counts) + size_of::<RequestCounters>() <= 64);
        // The unwaited requests' histogram header, all a waitless completion records, is the
        // second line.
        assert_eq!(offset_of!(FunctionRt, latencies), 64);
    }
}
