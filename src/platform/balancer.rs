//! Load balancers: choose one of a function's eligible replicas (`docs/model.md` §7).

use super::replicas::Slot;
use crate::config::BalancerKind;
use crate::engine::SimRng;
use rand::RngExt;

/// Per-function balancer state.
#[derive(Clone, Debug)]
pub struct LoadBalancer {
    kind: BalancerKind,
    counter: usize,
}

impl LoadBalancer {
    /// A balancer of the given kind with its counter at 0.
    pub fn new(kind: BalancerKind) -> LoadBalancer {
        LoadBalancer { kind, counter: 0 }
    }

    /// The balancer's kind.
    #[inline]
    pub fn kind(&self) -> BalancerKind {
        self.kind
    }

    /// Picks from `eligible` (Running, non-draining replicas in `replica_id` order, non-empty);
    /// `load` is a replica's outstanding requests (executing plus locally queued).
    #[inline]
    pub fn pick(
        &mut self,
        eligible: &[Slot],
        load: impl Fn(Slot) -> u32,
        rng: &mut SimRng,
    ) -> Slot {
        let m = eligible.len();
        debug_assert!(m > 0);
        match self.kind {
            BalancerKind::RoundRobin => {
                if m == 1 {
                    return eligible[0];
                }
                let i = self.counter % m;
                self.counter = (i + 1) % m;
                eligible[i]
            }
            BalancerKind::LeastOutstanding => {
                let mut best = eligible[0];
                let mut best_load = load(best);
                for &r in &eligible[1..] {
                    let l = load(r);
                    if l < best_load {
                        best = r;
                        best_load = l;
                    }
                }
                best
            }
            BalancerKind::Random => eligible[rng.random_range(0..m)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream_rng;

    #[test]
    fn round_robin_follows_the_spec_example() {
        let t = |_: Slot| 0;
        let mut rng = stream_rng(0, "lb/f");
        let mut lb = LoadBalancer::new(BalancerKind::RoundRobin);
        let picks: Vec<u32> = (0..4).map(|_| lb.pick(&[0, 1, 2], t, &mut rng)).collect();
        assert_eq!(picks, vec![0, 1, 2, 0]);
        // r1 removed: [r0, r2], i = 1 mod 2 -> r2, then r0.
        assert_eq!(lb.pick(&[0, 2], t, &mut rng), 2);
        assert_eq!(lb.pick(&[0, 2], t, &mut rng), 0);
    }
}
