//! The router: where a request waits and which replica it goes to (`docs/model.md`, routing).
//!
//! Owns the requests in flight (a slab of [`Request`] slots with a free list), each function's
//! *eligible* replicas (Running and not draining, in creation order), its queue of requests
//! waiting for a replica (the cold queue), its load balancer and `lb/<function>` stream, and the
//! two per-request timers of `routing`: the request timeout and the cold-start poll.
//!
//! The router decides and remembers; it never starts work or creates replicas. Its calls return
//! what should happen next (dispatch this request to that replica, the request must wait) and
//! the `Simulation` carries that out through compute and the scaling operations.
//!
//! Two modes (`routing.mode`): in *push* mode a request is handed to a replica (chosen by the
//! balancer) when it arrives or when a replica becomes Running, and a busy replica queues it
//! locally; in *pull* mode requests wait in the function's queue until a replica has a free
//! worker, so the queue holds every waiting request and `per_request` scaling sees it.
//!
//! The least-outstanding balancer picks through a [`LeastLoaded`] index per function, kept up
//! to date by [`Router::set_load`], so a push-mode pick costs the same at 1 and 2,000 replicas
//! (docs/performance.md); the choice is the scan's, first replica in creation order on a tie.
//! The index answers from its idle set while some replica is idle and otherwise from its tree,
//! which catches up from the loads recorded here (`ReplicaLoad::load`).

mod requests;

pub use requests::{Request, WaitTimers};

use crate::config::{BalancerKind, RoutingMode};
use crate::engine::{stream_rng, EventQueue, SimRng, SimTime, TimerId};
use crate::model::Model;
use crate::platform::{LeastLoaded, LoadBalancer, ReplicaTable, Slot};
use crate::sim::Event;
use requests::RequestSlab;
use std::collections::VecDeque;

/// One function's routing state.
///
/// `repr(C)` from a cache-line boundary: the eligible list's header and the part of the
/// least-outstanding index a pick and a load change read share the first line
/// (docs/performance.md, "Round 8: cache misses of many-function runs").
#[derive(Debug)]
#[repr(C, align(64))]
struct FunctionRoute {
    /// Running, non-draining replicas in creation order.
    eligible: Vec<Slot>,
    /// Least-outstanding balancer: the eligible position with the fewest outstanding requests.
    least: LeastLoaded,
    /// Requests waiting for a replica (request slots, FIFO).
    waiting: VecDeque<u32>,
    lb: LoadBalancer,
    /// The `lb/<function>` stream.
    rng: SimRng,
}

/// What the router keeps per replica slot: its outstanding requests and, when the
/// least-outstanding index has to follow them, where in which index.
#[derive(Clone, Copy, Debug)]
struct ReplicaLoad {
    /// Outstanding requests, as last reported by [`Router::set_load`].
    load: u32,
    /// Function whose index holds the replica (meaningful only with a `leaf`).
    function: u32,
    /// Position of the replica in its function's eligible list and index, or [`NOT_INDEXED`]
    /// when no index needs its load: it is not eligible, the balancer is not
    /// least-outstanding, or it is its function's only eligible replica (a one-leaf index
    /// answers position 0 whatever the load; the index is rebuilt from `load` when the list
    /// changes, so skipping its updates meanwhile loses nothing).
    leaf: u32,
}

/// [`ReplicaLoad::leaf`] of a replica whose load no index follows.
const NOT_INDEXED: u32 = u32::MAX;

impl ReplicaLoad {
    const IDLE: ReplicaLoad = ReplicaLoad {
        load: 0,
        function: u32::MAX,
        leaf: NOT_INDEXED,
    };
}

/// Requests in flight and where they go.
#[derive(Debug)]
pub struct Router {
    /// `routing.request_timeout_s`.
    timeout: Option<SimTime>,
    /// `routing.cold_start_poll_s` (None: waiting requests are dispatched when a replica
    /// becomes Running).
    poll: Option<SimTime>,
    /// `routing.mode`.
    mode: RoutingMode,
    requests: RequestSlab,
    /// The routing timers of each request slot (empty unless a timeout or polling is
    /// configured: only then can a timer be armed).
    timers: Vec<WaitTimers>,
    functions: Vec<FunctionRoute>,
    /// Scratch: eligible replicas with a free worker (pull mode).
    free: Vec<Slot>,
    /// Per replica slot: its load and its leaf in the least-outstanding index.
    loads: Vec<ReplicaLoad>,
    /// The balancer is `least_outstanding` (the [`LeastLoaded`] indexes are maintained).
    indexed: bool,
}

impl Router {
    /// The router of a run of `model` with master seed `seed`.
    pub fn new(model: &Model, seed: u64) -> Router {
        Router {
            timeout: model.routing.timeout,
            poll: model.routing.poll,
            mode: model.routing.mode,
            free: Vec::new(),
            loads: Vec::new(),
            indexed: model.routing.balancer == BalancerKind::LeastOutstanding,
            requests: RequestSlab::default(),
            timers: Vec::new(),
            functions: model
                .functions
                .iter()
                .map(|f| FunctionRoute {
                    eligible: Vec::new(),
                    waiting: VecDeque::new(),
                    lb: LoadBalancer::new(model.routing.balancer),
                    rng: stream_rng(seed, &format!("lb/{}", f.name)),
                    // The idle set pays where loads flip between 0 and 1: every container
                    // of the function takes one request at a time.
                    least: LeastLoaded::new(
                        f.containers.iter().all(|c| c.concurrency.workers == 1),
                    ),
                })
                .collect(),
        }
    }

    /// `routing.mode`.
    #[inline]
    pub fn mode(&self) -> RoutingMode {
        self.mode
    }

    /// Pull mode: chooses, by the balancer, one of the eligible replicas of `function` that has
    /// a free worker (`free`), if any.
    pub fn pick_free(
        &mut self,
        function: u32,
        free: impl Fn(Slot) -> bool,
        load: impl Fn(Slot) -> u32,
    ) -> Option<Slot> {
        let f = &mut self.functions[function as usize];
        self.free.clear();
        self.free
            .extend(f.eligible.iter().copied().filter(|&r| free(r)));
        if self.free.is_empty() {
            return None;
        }
        Some(f.lb.pick(&self.free, load, &mut f.rng))
    }

    /// A request of `function` (its `fn_seq`-th) arrives now; returns its slot.
    pub fn admit(
        &mut self,
        now: SimTime,
        function: u32,
        fn_seq: u64,
        recorded: (SimTime, u16),
    ) -> u32 {
        self.requests.alloc(now, function, fn_seq, recorded)
    }

    /// The request in `slot`.
    #[inline]
    pub fn request(&self, slot: u32) -> &Request {
        self.requests.get(slot)
    }

    /// Asks the CPU to bring request `slot`'s cache line in, ahead of its use (a hint: it
    /// changes nothing, and a slot beyond the slab is never touched).
    #[inline]
    pub fn prefetch_request(&self, slot: u32) {
        crate::engine::prefetch(self.requests.slot_ptr(slot));
    }

    /// The routing timers of `slot` (only called when a timeout or polling is configured).
    #[inline]
    fn timers_mut(&mut self, slot: u32) -> &mut WaitTimers {
        let i = slot as usize;
        if i >= self.timers.len() {
            self.timers.resize(i + 1, WaitTimers::NONE);
        }
        &mut self.timers[i]
    }

    /// The routing timers armed for `slot` (none unless a timeout or polling is configured).
    #[inline]
    fn timers(&self, slot: u32) -> WaitTimers {
        self.timers
            .get(slot as usize)
            .copied()
            .unwrap_or(WaitTimers::NONE)
    }

    /// Requests not yet in a final state.
    #[inline]
    pub fn outstanding(&self) -> u64 {
        self.requests.outstanding()
    }

    /// Chooses a replica for a request of `function` now, if one is eligible; `load` is a
    /// replica's outstanding requests (for the least-outstanding balancer).
    #[inline]
    pub fn pick(&mut self, function: u32, load: impl Fn(Slot) -> u32) -> Option<Slot> {
        let indexed = self.indexed;
        let f = &mut self.functions[function as usize];
        if f.eligible.is_empty() {
            return None;
        }
        Some(Self::pick_eligible(indexed, f, &self.loads, load))
    }

    /// The balancer's choice among `f`'s eligible replicas (non-empty): through the index for
    /// least-outstanding, which makes the scan's choice (checked in debug builds). The index
    /// reads the loads `set_load` recorded (`loads`) for the changes it has not applied yet.
    #[inline]
    fn pick_eligible(
        indexed: bool,
        f: &mut FunctionRoute,
        loads: &[ReplicaLoad],
        load: impl Fn(Slot) -> u32,
    ) -> Slot {
        if indexed {
            let eligible = &f.eligible;
            let p = f
                .least
                .least(|p| loads[eligible[p] as usize].load)
                .expect("the eligible list is not empty");
            let r = f.eligible[p];
            debug_assert_eq!(r, f.lb.pick(&f.eligible, load, &mut f.rng));
            return r;
        }
        f.lb.pick(&f.eligible, load, &mut f.rng)
    }

    /// Replica `r` now has `load` outstanding requests (executing plus locally queued); call
    /// after every change, so the least-outstanding index stays exact.
    ///
    /// Called at every dispatch, start and completion: one table entry is read, and the index
    /// is touched only when it has a choice to make (see [`ReplicaLoad::leaf`]).
    #[inline(always)]
    pub fn set_load(&mut self, r: Slot, load: u32) {
        let i = r as usize;
        // The entry is taken in the branch that knows `i` is in range, so that the common
        // case checks the bound once, not again after a possible growth
        // (docs/performance.md, "Round 9c").
        let at = if i < self.loads.len() {
            &mut self.loads[i]
        } else {
            self.grow_loads(i)
        };
        at.load = load;
        if at.leaf != NOT_INDEXED {
            let (function, leaf) = (at.function as usize, at.leaf as usize);
            self.functions[function].least.set(leaf, load);
        }
    }

    /// Makes room for replica slot `i` in the per-replica table; returns its (idle) entry.
    #[cold]
    fn grow_loads(&mut self, i: usize) -> &mut ReplicaLoad {
        self.loads.resize(i + 1, ReplicaLoad::IDLE);
        &mut self.loads[i]
    }

    /// `function`'s eligible list changed: re-record positions and rebuild its index.
    fn reindex(&mut self, function: u32) {
        let f = &mut self.functions[function as usize];
        // A single eligible replica needs no index updates (see `ReplicaLoad::leaf`).
        let follow = self.indexed && f.eligible.len() > 1;
        for (p, &r) in f.eligible.iter().enumerate() {
            let i = r as usize;
            if i >= self.loads.len() {
                self.loads.resize(i + 1, ReplicaLoad::IDLE);
            }
            let at = &mut self.loads[i];
            at.function = function;
            at.leaf = if follow { p as u32 } else { NOT_INDEXED };
        }
        if self.indexed {
            let loads = &self.loads;
            f.least
                .rebuild(f.eligible.iter().map(|&r| loads[r as usize].load));
        }
    }

    /// The request waits in its function's queue (its timeout and, with polling, its first
    /// poll are armed); `cold`: it found no eligible replica (in pull mode a request may also
    /// wait because every replica is busy).
    pub fn wait(&mut self, queue: &mut EventQueue<Event>, now: SimTime, slot: u32, cold: bool) {
        let function = {
            let req = self.requests.get_mut(slot);
            req.cold = cold;
            req.function
        };
        self.functions[function as usize].waiting.push_back(slot);
        self.arm_timeout(queue, slot);
        if let Some(p) = self.poll {
            self.timers_mut(slot).poll = queue.schedule(now.plus(p), Event::ColdPoll { slot });
        }
    }

    /// Requests of `function` waiting for a replica.
    #[inline]
    pub fn waiting(&self, function: u32) -> usize {
        self.functions[function as usize].waiting.len()
    }

    /// The request is handed to replica `r` now: it no longer polls.
    pub fn dispatched(&mut self, queue: &mut EventQueue<Event>, now: SimTime, slot: u32, r: Slot) {
        let req = self.requests.get_mut(slot);
        req.dispatch = now;
        req.replica = r;
        if self.poll.is_some() {
            queue.cancel(self.timers(slot).poll);
        }
    }

    /// Arms the request's timeout once it has to wait (no event for requests that start at
    /// once).
    pub fn arm_timeout(&mut self, queue: &mut EventQueue<Event>, slot: u32) {
        let Some(t) = self.timeout else {
            return;
        };
        let arrival = self.requests.get(slot).arrival;
        let timers = self.timers_mut(slot);
        if timers.timeout == TimerId::NONE {
            let at = arrival.plus(t);
            timers.timeout = queue.schedule(at, Event::RequestTimeout { slot });
        }
    }

    /// The request starts executing now: it can no longer time out.
    pub fn started(&mut self, queue: &mut EventQueue<Event>, now: SimTime, slot: u32) {
        self.requests.get_mut(slot).start = now;
        if self.timeout.is_some() {
            queue.cancel(self.timers(slot).timeout);
        }
    }

    /// The request's timeout fired before it started: it leaves the cold queue if it waited
    /// there. Returns the request as it was (`replica != NONE`: it waited in that replica's
    /// local queue, which compute owns).
    pub fn timed_out(&mut self, slot: u32) -> Request {
        let req = *self.requests.get(slot);
        if req.replica == u32::MAX {
            let q = &mut self.functions[req.function as usize].waiting;
            if let Some(pos) = q.iter().position(|&s| s == slot) {
                q.remove(pos);
            }
        }
        req
    }

    /// `routing.cold_start_poll_s`: a waiting request checks for an eligible replica. Returns
    /// the replica to dispatch it to, or re-arms the poll.
    pub fn poll(
        &mut self,
        queue: &mut EventQueue<Event>,
        now: SimTime,
        slot: u32,
        load: impl Fn(Slot) -> u32,
    ) -> Option<Slot> {
        let function = self.requests.get(slot).function;
        let f = &mut self.functions[function as usize];
        if f.eligible.is_empty() {
            let p = self.poll.expect("polling is configured");
            self.timers_mut(slot).poll = queue.schedule(now.plus(p), Event::ColdPoll { slot });
            return None;
        }
        if let Some(pos) = f.waiting.iter().position(|&s| s == slot) {
            f.waiting.remove(pos);
        }
        Some(Self::pick_eligible(self.indexed, f, &self.loads, load))
    }

    /// The next waiting request of `function` and the replica it goes to (call after a replica
    /// became eligible, until it returns `None`; dispatch between calls, as loads change).
    pub fn next_waiting(
        &mut self,
        function: u32,
        load: impl Fn(Slot) -> u32,
    ) -> Option<(u32, Slot)> {
        let indexed = self.indexed;
        let f = &mut self.functions[function as usize];
        let slot = f.waiting.pop_front()?;
        Some((slot, Self::pick_eligible(indexed, f, &self.loads, load)))
    }

    /// Takes the next waiting request of `function` out of its queue without a replica (the
    /// deployment was removed).
    pub fn take_waiting(&mut self, function: u32) -> Option<u32> {
        self.functions[function as usize].waiting.pop_front()
    }

    /// Replica `r` of `function` became Running. Returns whether the waiting requests are to
    /// be dispatched now (push mode without polling; with polling each request finds it at its
    /// next poll).
    pub fn replica_running(&mut self, function: u32, r: Slot, replicas: &ReplicaTable) -> bool {
        replicas.insert_ordered(&mut self.functions[function as usize].eligible, r);
        self.reindex(function);
        self.poll.is_none()
    }

    /// Replica `r` of `function` no longer takes requests (draining or ended).
    pub fn replica_leaves(&mut self, function: u32, r: Slot, replicas: &ReplicaTable) {
        replicas.remove_ordered(&mut self.functions[function as usize].eligible, r);
        if let Some(at) = self.loads.get_mut(r as usize) {
            at.function = u32::MAX;
            at.leaf = NOT_INDEXED;
        }
        self.reindex(function);
    }

    /// The eligible replicas of `function`, in creation order.
    #[inline]
    pub fn eligible(&self, function: u32) -> &[Slot] {
        &self.functions[function as usize].eligible
    }

    /// The request reached a final state: its timers are cancelled and its slot is free.
    #[inline(always)]
    pub fn release(&mut self, queue: &mut EventQueue<Event>, slot: u32) {
        self.requests.get_mut(slot).done = true;
        if self.timeout.is_some() || self.poll.is_some() {
            self.cancel_wait_timers(queue, slot);
        }
        self.requests.free(slot);
    }

    /// Cancels the routing timers of `slot` (only with a timeout or polling configured).
    fn cancel_wait_timers(&mut self, queue: &mut EventQueue<Event>, slot: u32) {
        let timers = std::mem::replace(self.timers_mut(slot), WaitTimers::NONE);
        queue.cancel(timers.timeout);
        queue.cancel(timers.poll);
    }

    /// At the end of the run: every request not in a final state, in slot order; the slab is
    /// emptied.
    pub fn drain_unfinished(&mut self) -> Vec<Request> {
        self.requests.drain_unfinished()
    }

    /// Bytes held by the request slots (for the memory guard).
    pub fn bytes(&self) -> usize {
        self.requests.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic_router() -> Router {
        let text = include_str!("../../experiments/basic.toml");
        let sc = crate::config::parse_scenario(text, "basic.toml").expect("basic.toml parses");
        Router::new(&Model::compile(&sc).expect("basic.toml compiles"), 1)
    }

    #[test]
    fn a_load_past_the_table_grows_it_with_idle_unindexed_entries() {
        let mut router = basic_router();
        router.set_load(2, 5);
        assert_eq!(router.loads.len(), 3);
        assert_eq!(router.loads[2].load, 5);
        assert_eq!(router.loads[2].leaf, NOT_INDEXED);
        for i in 0..2 {
            assert_eq!(router.loads[i].load, ReplicaLoad::IDLE.load);
            assert_eq!(router.loads[i].leaf, NOT_INDEXED);
        }
        // Within the table: the entry is overwritten, the table keeps its length.
        router.set_load(0, 3);
        router.set_load(2, 0);
        assert_eq!(router.loads.len(), 3);
        assert_eq!((router.loads[0].load, router.loads[2].load), (3, 0));
    }

    #[test]
    fn a_pick_reads_the_first_line_of_its_function_s_route() {
        use std::mem::{align_of, offset_of};
        assert_eq!(align_of::<FunctionRoute>(), 64);
        assert_eq!(offset_of!(FunctionRoute, eligible), 0);
        // The index's hot part is its first 31 bytes (`LeastLoaded`'s own layout test).
        assert!(offset_of!(FunctionRoute, least) + 31 <= 64);
    }
}
