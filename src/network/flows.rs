//! Flows and their exact max-min fair rates (`docs/network.md`, "Flows").
//!
//! A flow is opened when a transfer is requested, becomes active after its connection set-up and
//! then shares the links of its route with every other active flow. Rates are the max-min fair
//! allocation computed by progressive filling, recomputed only when a flow becomes active or
//! finishes and only over the connected component of flows (linked through shared links) that
//! the change touches. Before rates change, each affected flow's progress is advanced at its old
//! rate; the caller receives the new completion time of every flow whose rate changed and moves
//! that flow's timer.
//!
//! Progressive filling is done with a heap of link headrooms, so one recomputation costs
//! `O((F·h + L) log L)` for a component of `F` flows of `h` hops over `L` links — never a scan of
//! every link per level.

use super::graph::LinkId;
use crate::engine::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Index of a flow slot (reused after the flow finishes).
pub type FlowId = u32;

/// Bytes per second carried by one Mbit/s before the goodput factor.
pub const BYTES_PER_MBIT: f64 = 125_000.0;
/// Default share of a link's rate that is payload (`network.goodput_factor`).
pub const DEFAULT_GOODPUT_FACTOR: f64 = 0.97;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Free,
    SettingUp,
    Active,
}

/// The flow table of one run: flow columns, the active flows of every link, link statistics and
/// the solver's scratch space (reused, so steady-state work does not allocate).
#[derive(Clone, Debug)]
pub struct FlowTable {
    goodput_factor: f64,
    capacity: Vec<f64>,
    link_flows: Vec<Vec<FlowId>>,
    link_bytes: Vec<u64>,
    link_busy_ns: Vec<u64>,
    link_busy_since: Vec<u64>,

    state: Vec<State>,
    hops: Vec<Vec<LinkId>>,
    bytes: Vec<u64>,
    sent: Vec<f64>,
    rate: Vec<f64>,
    last: Vec<SimTime>,
    free: Vec<FlowId>,
    active: usize,

    // scratch of one recomputation
    epoch: u32,
    link_seen: Vec<u32>,
    flow_seen: Vec<u32>,
    frozen: Vec<u32>,
    frozen_sum: Vec<f64>,
    unfrozen: Vec<u32>,
    version: Vec<u32>,
    comp_links: Vec<LinkId>,
    comp_flows: Vec<FlowId>,
    old_rate: Vec<f64>,
    heap: BinaryHeap<Reverse<(u64, LinkId, u32)>>,
    round: Vec<LinkId>,
    dirty: Vec<LinkId>,
    changed: Vec<(FlowId, SimTime)>,
}

/// A non-negative rate as a heap key whose integer order is the numeric order.
#[inline]
fn key(h: f64) -> u64 {
    if h > 0.0 {
        h.to_bits()
    } else {
        0
    }
}

impl FlowTable {
    /// A table for links of the given capacities (Mbit/s, by link id).
    pub fn new(capacity: &[f64], goodput_factor: f64) -> FlowTable {
        let l = capacity.len();
        FlowTable {
            goodput_factor,
            capacity: capacity.to_vec(),
            link_flows: vec![Vec::new(); l],
            link_bytes: vec![0; l],
            link_busy_ns: vec![0; l],
            link_busy_since: vec![0; l],
            state: Vec::new(),
            hops: Vec::new(),
            bytes: Vec::new(),
            sent: Vec::new(),
            rate: Vec::new(),
            last: Vec::new(),
            free: Vec::new(),
            active: 0,
            epoch: 0,
            link_seen: vec![0; l],
            flow_seen: Vec::new(),
            frozen: Vec::new(),
            frozen_sum: vec![0.0; l],
            unfrozen: vec![0; l],
            version: vec![0; l],
            comp_links: Vec::new(),
            comp_flows: Vec::new(),
            old_rate: Vec::new(),
            heap: BinaryHeap::new(),
            round: Vec::new(),
            dirty: Vec::new(),
            changed: Vec::new(),
        }
    }

    /// Opens a flow of `bytes` over `hops` (in its set-up phase: it does not compete yet).
    pub fn open(&mut self, bytes: u64, hops: &[LinkId]) -> FlowId {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.state.push(State::Free);
                self.hops.push(Vec::new());
                self.bytes.push(0);
                self.sent.push(0.0);
                self.rate.push(0.0);
                self.last.push(SimTime::ZERO);
                self.flow_seen.push(0);
                self.frozen.push(0);
                self.old_rate.push(0.0);
                (self.state.len() - 1) as FlowId
            }
        };
        let i = id as usize;
        self.state[i] = State::SettingUp;
        self.hops[i].clear();
        self.hops[i].extend_from_slice(hops);
        self.bytes[i] = bytes;
        self.sent[i] = 0.0;
        self.rate[i] = 0.0;
        self.last[i] = SimTime::ZERO;
        id
    }

    /// Number of active flows (set-up finished, bytes remaining).
    pub fn active_count(&self) -> usize {
        self.active
    }

    /// The current rate of flow `f`, Mbit/s (`+∞` for a flow without hops).
    pub fn rate_mbit(&self, f: FlowId) -> f64 {
        self.rate[f as usize]
    }

    /// Bytes of flow `f`.
    pub fn bytes(&self, f: FlowId) -> u64 {
        self.bytes[f as usize]
    }

    /// Hops of flow `f`.
    pub fn hops(&self, f: FlowId) -> &[LinkId] {
        &self.hops[f as usize]
    }

    /// Payload bytes per second of a rate.
    #[inline]
    fn goodput(&self, rate_mbit: f64) -> f64 {
        rate_mbit * BYTES_PER_MBIT * self.goodput_factor
    }

    /// Flow `f` finishes its set-up at `now` and starts competing. Returns the new completion
    /// time of every flow whose rate changed, `f` included.
    pub fn activate(&mut self, now: SimTime, f: FlowId) -> &[(FlowId, SimTime)] {
        let i = f as usize;
        debug_assert_eq!(self.state[i], State::SettingUp);
        self.state[i] = State::Active;
        self.last[i] = now;
        self.active += 1;
        self.changed.clear();
        if self.hops[i].is_empty() {
            self.rate[i] = f64::INFINITY;
            self.changed.push((f, now));
            return &self.changed;
        }
        self.rate[i] = f64::NAN; // differs from every rate, so `f` is reported
        for h in 0..self.hops[i].len() {
            let l = self.hops[i][h] as usize;
            if self.link_flows[l].is_empty() {
                self.link_busy_since[l] = now.nanos();
            }
            self.link_flows[l].push(f);
        }
        self.recompute(now, f, false);
        &self.changed
    }

    /// Flow `f` has sent all its bytes at `now`: it leaves its links, whose statistics are
    /// updated. Returns the new completion times of the flows whose rate changed.
    pub fn finish(&mut self, now: SimTime, f: FlowId) -> &[(FlowId, SimTime)] {
        let i = f as usize;
        debug_assert_eq!(self.state[i], State::Active);
        self.changed.clear();
        self.state[i] = State::Free;
        self.active -= 1;
        for h in 0..self.hops[i].len() {
            let l = self.hops[i][h] as usize;
            let list = &mut self.link_flows[l];
            if let Some(p) = list.iter().position(|&x| x == f) {
                list.swap_remove(p);
            }
            self.link_bytes[l] += self.bytes[i];
            if list.is_empty() {
                self.link_busy_ns[l] += now.nanos() - self.link_busy_since[l];
            }
        }
        if !self.hops[i].is_empty() {
            self.recompute(now, f, true);
        }
        self.free.push(f);
        &self.changed
    }

    /// Releases a flow that never became active (its transfer was abandoned during set-up).
    pub fn discard(&mut self, f: FlowId) {
        debug_assert_eq!(self.state[f as usize], State::SettingUp);
        self.state[f as usize] = State::Free;
        self.free.push(f);
    }

    /// Bytes carried so far by link `l` (counted when each flow finishes).
    pub fn link_bytes(&self, l: LinkId) -> u64 {
        self.link_bytes[l as usize]
    }

    /// Time link `l` carried at least one active flow, up to `now`.
    pub fn link_busy(&self, l: LinkId, now: SimTime) -> SimTime {
        let l = l as usize;
        let open = if self.link_flows[l].is_empty() {
            0
        } else {
            now.nanos() - self.link_busy_since[l]
        };
        SimTime(self.link_busy_ns[l] + open)
    }

    /// Collects the component reachable from the links of `origin` (excluding `origin` itself
    /// when it has just finished), advances progress, refills rates and reports changes.
    fn recompute(&mut self, now: SimTime, origin: FlowId, origin_left: bool) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.link_seen.iter_mut().for_each(|x| *x = 0);
            self.flow_seen.iter_mut().for_each(|x| *x = 0);
            self.frozen.iter_mut().for_each(|x| *x = 0);
            self.epoch = 1;
        }
        let epoch = self.epoch;
        self.comp_links.clear();
        self.comp_flows.clear();
        for h in 0..self.hops[origin as usize].len() {
            let l = self.hops[origin as usize][h];
            if self.link_seen[l as usize] != epoch {
                self.link_seen[l as usize] = epoch;
                self.comp_links.push(l);
            }
        }
        if origin_left {
            self.flow_seen[origin as usize] = epoch;
        }
        let mut next = 0;
        while next < self.comp_links.len() {
            let l = self.comp_links[next] as usize;
            next += 1;
            for k in 0..self.link_flows[l].len() {
                let f = self.link_flows[l][k];
                if self.flow_seen[f as usize] == epoch {
                    continue;
                }
                self.flow_seen[f as usize] = epoch;
                self.comp_flows.push(f);
                for h in 0..self.hops[f as usize].len() {
                    let l2 = self.hops[f as usize][h];
                    if self.link_seen[l2 as usize] != epoch {
                        self.link_seen[l2 as usize] = epoch;
                        self.comp_links.push(l2);
                    }
                }
            }
        }
        // advance progress at the old rates
        for k in 0..self.comp_flows.len() {
            let f = self.comp_flows[k] as usize;
            let r = self.rate[f];
            if r.is_finite() && r > 0.0 {
                let dt = now.since(self.last[f]).as_secs_f64();
                self.sent[f] += self.goodput(r) * dt;
            }
            self.last[f] = now;
            self.old_rate[f] = r;
        }
        self.fill();
        for k in 0..self.comp_flows.len() {
            let f = self.comp_flows[k];
            let r = self.rate[f as usize];
            if r.to_bits() != self.old_rate[f as usize].to_bits() {
                let done = self.completion(now, f);
                self.changed.push((f, done));
            }
        }
    }

    fn completion(&self, now: SimTime, f: FlowId) -> SimTime {
        let i = f as usize;
        let remaining = self.bytes[i] as f64 - self.sent[i];
        if remaining <= 0.0 {
            return now;
        }
        let g = self.goodput(self.rate[i]);
        if g.is_nan() || g <= 0.0 {
            return SimTime(u64::MAX - 1);
        }
        let ns = (remaining / g * 1e9).ceil();
        if ns >= (u64::MAX - 1 - now.nanos()) as f64 {
            SimTime(u64::MAX - 1)
        } else {
            SimTime(now.nanos() + ns as u64)
        }
    }

    /// Progressive filling over the collected component.
    fn fill(&mut self) {
        let epoch = self.epoch;
        self.heap.clear();
        for k in 0..self.comp_links.len() {
            let l = self.comp_links[k] as usize;
            self.frozen_sum[l] = 0.0;
            self.unfrozen[l] = self.link_flows[l].len() as u32;
            self.version[l] = self.version[l].wrapping_add(1);
            if self.unfrozen[l] > 0 {
                let h = self.capacity[l] / self.unfrozen[l] as f64;
                self.heap
                    .push(Reverse((key(h), l as LinkId, self.version[l])));
            }
        }
        // `frozen[f] == epoch` marks a frozen flow of this recomputation
        while let Some(Reverse((level_key, l, ver))) = self.heap.pop() {
            if ver != self.version[l as usize] || self.unfrozen[l as usize] == 0 {
                continue;
            }
            self.round.clear();
            self.round.push(l);
            while let Some(&Reverse((k2, l2, v2))) = self.heap.peek() {
                if k2 != level_key {
                    break;
                }
                self.heap.pop();
                if v2 == self.version[l2 as usize] && self.unfrozen[l2 as usize] > 0 {
                    self.round.push(l2);
                }
            }
            let level = f64::from_bits(level_key);
            self.dirty.clear();
            for r in 0..self.round.len() {
                let l = self.round[r] as usize;
                for k in 0..self.link_flows[l].len() {
                    let f = self.link_flows[l][k] as usize;
                    if self.frozen[f] == epoch {
                        continue;
                    }
                    self.frozen[f] = epoch;
                    self.rate[f] = level;
                    for h in 0..self.hops[f].len() {
                        let l2 = self.hops[f][h] as usize;
                        self.frozen_sum[l2] += level;
                        self.unfrozen[l2] -= 1;
                        self.dirty.push(l2 as LinkId);
                    }
                }
            }
            for d in 0..self.dirty.len() {
                let l2 = self.dirty[d] as usize;
                self.version[l2] = self.version[l2].wrapping_add(1);
                if self.unfrozen[l2] > 0 {
                    let h = (self.capacity[l2] - self.frozen_sum[l2]) / self.unfrozen[l2] as f64;
                    let v = self.version[l2];
                    self.heap.push(Reverse((key(h), l2 as LinkId, v)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &[(FlowId, SimTime)], f: FlowId) -> SimTime {
        t.iter().find(|(x, _)| *x == f).expect("flow reported").1
    }

    #[test]
    fn two_flows_on_one_link_share_it_equally() {
        let mut t = FlowTable::new(&[100.0], 1.0);
        let a = t.open(1_000_000, &[0]);
        let b = t.open(1_000_000, &[0]);
        t.activate(SimTime::ZERO, a);
        assert_eq!(t.rate_mbit(a), 100.0);
        t.activate(SimTime::ZERO, b);
        assert_eq!(t.rate_mbit(a), 50.0);
        assert_eq!(t.rate_mbit(b), 50.0);
    }

    /// L1 (100) carries f1 and f2; f2 also crosses L2 (20): f2 = 20, f1 = 80.
    #[test]
    fn a_flow_limited_elsewhere_leaves_its_share_to_the_others() {
        let mut t = FlowTable::new(&[100.0, 20.0], 1.0);
        let f1 = t.open(1, &[0]);
        let f2 = t.open(1, &[0, 1]);
        t.activate(SimTime::ZERO, f1);
        t.activate(SimTime::ZERO, f2);
        assert_eq!(t.rate_mbit(f2), 20.0);
        assert_eq!(t.rate_mbit(f1), 80.0);
    }

    /// faas-sim's basic example with `latency = "mode"`: two pulls to `server_0` over two
    /// 1000 Mbit/s links, both active at 0.0045027548 s; B (56 MB) ends at 0.928214 s and A
    /// (58 MB), alone again, at 0.944709 s.
    #[test]
    fn the_basic_example_pulls_end_at_the_reference_times() {
        let mut t = FlowTable::new(&[1000.0, 1000.0], DEFAULT_GOODPUT_FACTOR);
        let a = t.open(58_000_000, &[0, 1]);
        let b = t.open(56_000_000, &[0, 1]);
        let start = SimTime::from_secs_f64(1.5 * 6.0 * 0.500_306_1 / 1000.0);
        t.activate(start, a);
        let c = t.activate(start, b).to_vec();
        let b_end = at(&c, b);
        assert_eq!(format!("{:.6}", b_end.as_secs_f64()), "0.928214");
        let c = t.finish(b_end, b).to_vec();
        let a_end = at(&c, a);
        assert_eq!(format!("{:.6}", a_end.as_secs_f64()), "0.944709");
        t.finish(a_end, a);
        assert_eq!(t.link_bytes(0), 114_000_000);
        assert_eq!(t.link_busy(0, a_end), a_end.since(start));
        assert_eq!(t.active_count(), 0);
    }

    #[test]
    fn disjoint_flows_do_not_disturb_each_other() {
        let mut t = FlowTable::new(&[10.0, 10.0], 1.0);
        let a = t.open(1000, &[0]);
        let b = t.open(1000, &[1]);
        t.activate(SimTime::ZERO, a);
        let changed = t.activate(SimTime(5), b);
        assert_eq!(
            changed.len(),
            1,
            "only the new flow's component is refilled"
        );
        assert_eq!(changed[0].0, b);
    }

    #[test]
    fn a_flow_without_hops_completes_at_once() {
        let mut t = FlowTable::new(&[], 1.0);
        let f = t.open(10, &[]);
        let c = t.activate(SimTime(7), f).to_vec();
        assert_eq!(c, vec![(f, SimTime(7))]);
        t.finish(SimTime(7), f);
    }

    /// Three levels: link 0 (30) with flows a, b, c; link 1 (10) with b; link 2 (4) with c.
    /// c is frozen at 4, b at 10, a takes the rest: 16.
    #[test]
    fn progressive_filling_freezes_level_by_level() {
        let mut t = FlowTable::new(&[30.0, 10.0, 4.0], 1.0);
        let a = t.open(1, &[0]);
        let b = t.open(1, &[0, 1]);
        let c = t.open(1, &[0, 2]);
        for f in [a, b, c] {
            t.activate(SimTime::ZERO, f);
        }
        assert_eq!(
            (t.rate_mbit(a), t.rate_mbit(b), t.rate_mbit(c)),
            (16.0, 10.0, 4.0)
        );
        t.finish(SimTime(1), c);
        assert_eq!((t.rate_mbit(a), t.rate_mbit(b)), (20.0, 10.0));
    }

    #[test]
    fn slots_are_reused_after_a_flow_finishes() {
        let mut t = FlowTable::new(&[10.0], 1.0);
        let a = t.open(1, &[0]);
        t.activate(SimTime::ZERO, a);
        t.finish(SimTime(1), a);
        assert_eq!(t.open(1, &[0]), a);
    }
}
