//! Resource accounting (`docs/scenario.md`): used CPU and memory of every replica slot and node as
//! piecewise-constant functions of time with exact integrals.
//!
//! A replica uses its container's `memory_usage` (default: the memory request) from Starting
//! until it ends, and `idle_cpu` (default 0) plus `cpu_per_invocation` (default: the CPU request)
//! per executing invocation while Starting, Running or in Teardown. A node uses the sum over its
//! replicas. Under shared CPUs a busy replica's requests use its share of the node instead of
//! `cpu_per_invocation` each ([`Usage::set_contended`]). Each quantity keeps its cumulative integral `I(t)` (millicore·ns, byte·ns) in `u128`,
//! updated only when the value changes and evaluated on demand, so the average over any interval
//! is exact and independent of the order of events at equal times.
//!
//! A node's used CPU is the sum of its replicas', so its integral is not kept as its own
//! [`Integral`]: it is summed when read ([`Usage::node_cpu_at`]) from the integrals of the
//! replicas holding resources there and those of the replicas that stopped there. Integer
//! integrals are exact, so the sum is the very integral an eager node record would hold, and
//! a request's start and completion write one line (its replica's) instead of two
//! (docs/performance.md, "Round 9: one record per replica").
//!
//! Under isolated CPUs the part of a replica's CPU its computing requests use is not kept here
//! either: compute keeps its integral in the replica's compute line, which a start and a
//! completion touch anyway ([`crate::compute::Compute::cpu_integral`]; docs/performance.md,
//! "Round 9b"). So [`Usage::replica_cpu`] holds the idle CPU and, under shared CPUs, the
//! contended share; the readers of a replica's CPU add compute's part, and
//! [`Usage::node_cpu_at`] and [`Usage::stop`] take it as an argument.

use crate::engine::SimTime;

/// A piecewise-constant non-negative quantity and its exact integral since time 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Integral {
    value: u64,
    acc: u128,
    since: SimTime,
}

impl Integral {
    /// The current value.
    #[inline]
    pub fn value(&self) -> u64 {
        self.value
    }

    /// Sets the value from `now` on.
    #[inline]
    pub fn set(&mut self, now: SimTime, v: u64) {
        self.acc += self.value as u128 * now.since(self.since).0 as u128;
        self.value = v;
        self.since = now;
    }

    /// Adds `d` from `now` on.
    #[inline]
    pub fn add(&mut self, now: SimTime, d: u64) {
        self.set(now, self.value + d);
    }

    /// Subtracts `d` from `now` on.
    #[inline]
    pub fn sub(&mut self, now: SimTime, d: u64) {
        debug_assert!(self.value >= d, "usage below zero");
        self.set(now, self.value.saturating_sub(d));
    }

    /// `I(now)`: the integral from 0 to `now` (`now` ≥ the last change).
    #[inline]
    pub fn at(&self, now: SimTime) -> u128 {
        self.acc + self.value as u128 * now.since(self.since).0 as u128
    }
}

/// Average of an integral over `[t0, t1]` (0 for an empty interval).
pub fn average(i1: u128, i0: u128, t1: SimTime, t0: SimTime) -> f64 {
    let dt = t1.since(t0).0;
    if dt == 0 {
        0.0
    } else {
        (i1 - i0.min(i1)) as f64 / dt as f64
    }
}

/// Used CPU (millicores) and memory (bytes) of every replica and node.
#[derive(Clone, Debug, Default)]
pub struct Usage {
    /// Used CPU per replica, except what its computing requests use under isolated CPUs
    /// (compute's part, see the module doc).
    pub replica_cpu: Vec<Integral>,
    /// Used memory per replica.
    pub replica_mem: Vec<Integral>,
    /// `I_cpu` of each replica at the moment it became Running.
    pub cpu_at_running: Vec<u128>,
    /// Per node: the replicas holding resources there (between [`Usage::start`] and
    /// [`Usage::stop`]), whose CPU integrals make up the node's.
    holders: Vec<Vec<u32>>,
    /// Per node: the CPU integrals of the replicas that stopped there, as they were at their
    /// stop (from then on constant).
    node_cpu_stopped: Vec<u128>,
    /// Used memory per node.
    pub node_mem: Vec<Integral>,
    /// Shared CPUs: the part of each replica's used CPU its computing requests account for
    /// (included in `replica_cpu`), millicores.
    contended: Vec<u64>,
    /// Shared CPUs: the replicas of each node with a non-zero `contended` part.
    contended_on: Vec<Vec<u32>>,
}

impl Usage {
    /// Zero usage on `nodes` nodes.
    pub fn new(nodes: usize) -> Usage {
        Usage {
            holders: vec![Vec::new(); nodes],
            node_cpu_stopped: vec![0; nodes],
            node_mem: vec![Integral::default(); nodes],
            contended_on: vec![Vec::new(); nodes],
            ..Default::default()
        }
    }

    /// A new replica with zero usage occupies replica slot `slot` (a new slot or a reused one).
    pub fn reset_replica(&mut self, slot: u32) {
        let i = slot as usize;
        if i >= self.replica_cpu.len() {
            self.replica_cpu.resize(i + 1, Integral::default());
            self.replica_mem.resize(i + 1, Integral::default());
            self.cpu_at_running.resize(i + 1, 0);
            self.contended.resize(i + 1, 0);
        }
        self.contended[i] = 0;
        self.replica_cpu[i] = Integral::default();
        self.replica_mem[i] = Integral::default();
        self.cpu_at_running[i] = 0;
    }

    /// Replica `r` uses `d` more millicores from `now` on (its node's sum follows).
    #[inline]
    pub fn add_cpu(&mut self, now: SimTime, r: u32, d: u64) {
        if d > 0 {
            self.replica_cpu[r as usize].add(now, d);
        }
    }

    /// Replica `r` uses `d` fewer millicores from `now` on (its node's sum follows).
    #[inline]
    pub fn sub_cpu(&mut self, now: SimTime, r: u32, d: u64) {
        if d > 0 {
            self.replica_cpu[r as usize].sub(now, d);
        }
    }

    /// `I_cpu(now)` of node `n`: the sum of the CPU integrals of every replica that held
    /// resources there, each with compute's part `computing(replica)` (`now` ≥ the last
    /// change; O(replicas on the node)).
    pub fn node_cpu_at(&self, n: usize, now: SimTime, computing: impl Fn(u32) -> u128) -> u128 {
        self.holders[n]
            .iter()
            .fold(self.node_cpu_stopped[n], |sum, &r| {
                sum + self.replica_cpu[r as usize].at(now) + computing(r)
            })
    }

    /// The used CPU of node `n` now, millicores (the sum of its replicas', each with compute's
    /// part `computing(replica)`). Only the tests read it: the simulation reads integrals.
    #[cfg(test)]
    pub fn node_cpu_value(&self, n: usize, computing: impl Fn(u32) -> u64) -> u64 {
        self.holders[n]
            .iter()
            .map(|&r| self.replica_cpu[r as usize].value() + computing(r))
            .sum()
    }

    /// Shared CPUs: from `now` on, the busy replicas of `node` use `used` (`(replica,
    /// millicores)`, every busy replica of the node) for their computing requests, and the
    /// node's other replicas nothing for theirs (`docs/workloads.md`, CPU contention).
    pub fn set_contended(&mut self, now: SimTime, node: u32, used: &[(u32, u64)]) {
        let n = node as usize;
        for &r in &self.contended_on[n] {
            let part = std::mem::take(&mut self.contended[r as usize]);
            self.replica_cpu[r as usize].sub(now, part);
        }
        self.contended_on[n].clear();
        for &(r, m) in used {
            if m > 0 {
                self.contended[r as usize] = m;
                self.contended_on[n].push(r);
                self.replica_cpu[r as usize].add(now, m);
            }
        }
    }

    /// Replica `r` on `node` starts using `cpu` millicores and `mem` bytes (entering Starting).
    pub fn start(&mut self, now: SimTime, r: u32, node: u32, cpu: u64, mem: u64) {
        self.holders[node as usize].push(r);
        self.add_cpu(now, r, cpu);
        if mem > 0 {
            self.replica_mem[r as usize].add(now, mem);
            self.node_mem[node as usize].add(now, mem);
        }
    }

    /// Replica `r` on `node` stops using anything (it ended); `computing` is compute's part of
    /// its CPU integral, frozen now ([`crate::compute::Compute::stop_cpu`]).
    pub fn stop(&mut self, now: SimTime, r: u32, node: u32, computing: u128) {
        let ri = r as usize;
        if std::mem::take(&mut self.contended[ri]) > 0 {
            self.contended_on[node as usize].retain(|&o| o != r);
        }
        let (cpu, mem) = (self.replica_cpu[ri].value(), self.replica_mem[ri].value());
        self.sub_cpu(now, r, cpu);
        // From now on the replica's integral is constant: the node keeps it (the slot's next
        // replica starts from zero).
        let n = node as usize;
        self.holders[n].retain(|&o| o != r);
        self.node_cpu_stopped[n] += self.replica_cpu[ri].at(now) + computing;
        if mem > 0 {
            self.replica_mem[ri].sub(now, mem);
            self.node_mem[node as usize].sub(now, mem);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_integral_of_a_step_function_is_exact() {
        let s = SimTime::from_secs_f64;
        let mut i = Integral::default();
        i.set(s(1.0), 500); // 500 m from 1 s
        let at_2 = i.at(s(2.0));
        i.add(s(3.0), 1000); // 1500 m from 3 s
        i.sub(s(4.0), 1500); // 0 from 4 s
                             // 500 × 2 s + 1500 × 1 s = 2500 millicore·s
        assert_eq!(i.at(s(10.0)), 2500 * 1_000_000_000);
        // (500 × 1 s + 1500 × 1 s) / 2 s
        assert_eq!(average(i.at(s(4.0)), at_2, s(4.0), s(2.0)), 1000.0);
    }

    #[test]
    fn a_node_sums_its_replicas() {
        let s = SimTime::from_secs_f64;
        let mut u = Usage::new(1);
        u.reset_replica(0);
        u.reset_replica(1);
        u.start(s(0.0), 0, 0, 100, 10);
        u.start(s(1.0), 1, 0, 0, 20);
        u.add_cpu(s(1.0), 1, 1000);
        assert_eq!(u.node_cpu_value(0, |_| 0), 1100);
        assert_eq!(u.node_mem[0].value(), 30);
        u.stop(s(2.0), 1, 0, 0);
        assert_eq!(
            (u.node_cpu_value(0, |_| 0), u.node_mem[0].value()),
            (100, 10)
        );
        assert_eq!(u.replica_cpu[1].at(s(5.0)), 1000 * 1_000_000_000);
        // 100 m for 5 s from replica 0, 1000 m for 1 s from the stopped replica 1.
        assert_eq!(u.node_cpu_at(0, s(5.0), |_| 0), 1500 * 1_000_000_000);
    }

    #[test]
    fn a_node_adds_compute_s_part_of_each_replica_and_keeps_it_at_their_stop() {
        let s = SimTime::from_secs_f64;
        let g = 1_000_000_000u128;
        let mut u = Usage::new(1);
        for r in 0..2 {
            u.reset_replica(r);
            u.start(s(0.0), r, 0, 10, 0);
        }
        // Compute's part: 3 000 millicore·s for replica 0, 5 000 for replica 1.
        let computing = |r: u32| [3000 * g, 5000 * g][r as usize];
        // And 10 m idle for 2 s on each replica.
        assert_eq!(u.node_cpu_at(0, s(2.0), computing), (40 + 8000) * g);
        assert_eq!(u.node_cpu_value(0, |r| [250, 0][r as usize]), 270);
        u.stop(s(2.0), 1, 0, 5000 * g);
        // Replica 1's frozen part stays; replica 0's is still added when read.
        assert_eq!(u.node_cpu_at(0, s(3.0), |_| 3000 * g), (30 + 20 + 8000) * g);
    }

    /// A deterministic stream of small numbers for the property test below.
    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    #[test]
    fn a_node_s_integral_summed_on_read_equals_one_kept_at_every_change() {
        // The reference: the node's own integral, changed with every replica change (the
        // record this module kept before round 9).
        let mut rng = 7;
        let (nodes, slots) = (3u32, 8u32);
        let mut u = Usage::new(nodes as usize);
        let mut eager = vec![Integral::default(); nodes as usize];
        let mut node_of: Vec<Option<u32>> = vec![None; slots as usize];
        let mut busy = vec![0u64; slots as usize];
        let mut t = SimTime::ZERO;
        for step in 0..4_000 {
            t = t.plus(SimTime(lcg(&mut rng) % 3 * 1_000_003));
            let r = (lcg(&mut rng) % slots as u64) as u32;
            let ri = r as usize;
            match (node_of[ri], lcg(&mut rng) % 4) {
                (None, _) => {
                    let n = (lcg(&mut rng) % nodes as u64) as u32;
                    u.reset_replica(r);
                    let idle = lcg(&mut rng) % 50;
                    u.start(t, r, n, idle, 1);
                    eager[n as usize].add(t, idle);
                    node_of[ri] = Some(n);
                }
                (Some(n), 0) if busy[ri] == 0 => {
                    let v = u.replica_cpu[ri].value();
                    u.stop(t, r, n, 0);
                    eager[n as usize].sub(t, v);
                    node_of[ri] = None;
                }
                (Some(n), 1) if busy[ri] > 0 => {
                    let d = busy[ri];
                    u.sub_cpu(t, r, d);
                    eager[n as usize].sub(t, d);
                    busy[ri] = 0;
                }
                (Some(n), _) => {
                    let d = 1 + lcg(&mut rng) % 1000;
                    u.add_cpu(t, r, d);
                    eager[n as usize].add(t, d);
                    busy[ri] += d;
                }
            }
            if step % 97 == 0 {
                for (n, e) in eager.iter().enumerate() {
                    assert_eq!(
                        u.node_cpu_at(n, t, |_| 0),
                        e.at(t),
                        "node {n} at step {step}"
                    );
                    assert_eq!(u.node_cpu_value(n, |_| 0), e.value());
                }
            }
        }
        let end = t.plus(SimTime(5));
        for (n, e) in eager.iter().enumerate() {
            assert_eq!(u.node_cpu_at(n, end, |_| 0), e.at(end));
        }
    }

    #[test]
    fn contended_cpu_counts_for_the_node_through_its_replicas() {
        let s = SimTime::from_secs_f64;
        let mut u = Usage::new(1);
        for r in 0..2 {
            u.reset_replica(r);
            u.start(s(0.0), r, 0, 0, 0);
        }
        u.set_contended(s(1.0), 0, &[(0, 600), (1, 400)]);
        u.set_contended(s(2.0), 0, &[(1, 1000)]);
        u.set_contended(s(3.0), 0, &[]);
        // 1000 m over [1, 3] s.
        assert_eq!(u.node_cpu_at(0, s(4.0), |_| 0), 2000 * 1_000_000_000);
        assert_eq!(u.replica_cpu[1].at(s(4.0)), 1400 * 1_000_000_000);
    }
}
