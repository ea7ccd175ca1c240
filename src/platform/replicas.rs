//! `ReplicaTable`: the live replicas of a run as struct-of-arrays columns, indexed by *slot*.
//!
//! A slot is reused once its replica has ended, so the table's memory is bounded by the peak
//! number of replicas alive at once, not by how many a run creates (heavy keep-alive churn
//! creates millions). Two numbers name a replica:
//!
//! - its [`ReplicaId`], the creation-order number written to every output table (`replica_id`,
//!   `parent_replica_id`, …) and used wherever an order between replicas matters (the eligible
//!   list, victim order, the resident list), so results do not depend on slot reuse;
//! - its [`ReplicaRef`], the slot plus the slot's *generation*, carried by events and queues that
//!   may outlive the replica. [`ReplicaTable::resolve`] turns a reference whose replica has
//!   ended (and whose slot may already hold another replica) into `None`.

use super::idle_clock::IdleClock;
use crate::engine::SimTime;

/// A replica's creation-order number (`replica_id` in the output tables).
pub type ReplicaId = u32;

/// Index of a slot of the [`ReplicaTable`]; valid while its replica lives.
pub type Slot = u32;

/// A slot and its generation: names one replica even after the slot is reused.
///
/// Stored as three `u16` so that an [`crate::sim::Event`] carrying it stays 8 bytes (alignment
/// 2 fits beside the enum's tag). The generation wraps after 65 536 reuses of one slot; a stale
/// reference lives at most as long as a scheduling latency or a keep-alive window, far less than
/// that many replica lifetimes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReplicaRef([u16; 3]);

impl ReplicaRef {
    /// The reference to `slot` at `generation`.
    #[inline]
    pub fn new(slot: Slot, generation: u16) -> ReplicaRef {
        ReplicaRef([slot as u16, (slot >> 16) as u16, generation])
    }

    /// The slot.
    #[inline]
    pub fn slot(self) -> Slot {
        self.0[0] as u32 | (self.0[1] as u32) << 16
    }

    /// The slot's generation when the reference was taken.
    #[inline]
    pub fn generation(self) -> u16 {
        self.0[2]
    }
}

/// "No value" for u32 id columns.
pub const NONE: u32 = u32::MAX;

/// Replica states (`docs/model.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// Created, waiting in the scheduling queue.
    Conceived,
    /// Placed; resources reserved.
    Scheduled,
    /// Pulling its image.
    Deploying,
    /// Startup and setup phases.
    Starting,
    /// Serving requests.
    Running,
    /// Draining, then the teardown phase.
    Teardown,
    /// Terminal: removed by scale-down, suspend, idler or keep-alive.
    Suspended,
    /// Terminal: deployment removed or cancelled while Conceived.
    Removed,
    /// Terminal: unschedulable or unpullable.
    Failed,
}

impl ReplicaState {
    /// Column value of `replicas.final_state`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::Conceived => "conceived",
            ReplicaState::Scheduled => "scheduled",
            ReplicaState::Deploying => "deploying",
            ReplicaState::Starting => "starting",
            ReplicaState::Running => "running",
            ReplicaState::Teardown => "teardown",
            ReplicaState::Suspended => "suspended",
            ReplicaState::Removed => "removed",
            ReplicaState::Failed => "failed",
        }
    }

    /// Conceived … Running.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            ReplicaState::Conceived
                | ReplicaState::Scheduled
                | ReplicaState::Deploying
                | ReplicaState::Starting
                | ReplicaState::Running
        )
    }

    /// Live but not Running.
    pub fn is_pending(self) -> bool {
        self.is_live() && self != ReplicaState::Running
    }

    /// Suspended, Removed or Failed.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            ReplicaState::Suspended | ReplicaState::Removed | ReplicaState::Failed
        )
    }

    /// Holds node resources (Scheduled … Teardown).
    pub fn holds_resources(self) -> bool {
        matches!(
            self,
            ReplicaState::Scheduled
                | ReplicaState::Deploying
                | ReplicaState::Starting
                | ReplicaState::Running
                | ReplicaState::Teardown
        )
    }
}

/// Columns of the replicas, one entry per slot.
#[derive(Debug, Default)]
pub struct ReplicaTable {
    /// Creation-order number of the slot's replica.
    pub id: Vec<ReplicaId>,
    /// Bumped each time the slot's replica is released.
    pub generation: Vec<u16>,
    /// Released slots, reused last-in first-out.
    free: Vec<Slot>,
    /// Replicas ever created (the next [`ReplicaId`]).
    created: u32,
    /// Function id.
    pub function: Vec<u32>,
    /// Container index within the deployment.
    pub container: Vec<u32>,
    /// Image id.
    pub image: Vec<u32>,
    /// Fallback attempt.
    pub attempt: Vec<u8>,
    /// Parent replica (NONE for first attempts).
    pub parent: Vec<u32>,
    /// Per-function pod counter (`pod-<function>-<n>`).
    pub pod_n: Vec<u32>,
    /// Node (NONE until placed).
    pub node: Vec<u32>,
    /// Current state.
    pub state: Vec<ReplicaState>,
    /// Entered Conceived.
    pub t_created: Vec<SimTime>,
    /// Entered the scheduling queue (fallbacks: when appended).
    pub t_queued: Vec<SimTime>,
    /// Entered Scheduled.
    pub t_scheduled: Vec<SimTime>,
    /// Entered Deploying.
    pub t_deploying: Vec<SimTime>,
    /// Entered Starting.
    pub t_starting: Vec<SimTime>,
    /// Setup phase began.
    pub t_setup: Vec<SimTime>,
    /// Entered Running.
    pub t_running: Vec<SimTime>,
    /// Entered Teardown.
    pub t_teardown: Vec<SimTime>,
    /// Became terminal.
    pub t_ended: Vec<SimTime>,
    /// Why it ended.
    pub end_reason: Vec<Option<&'static str>>,
    /// Terminal state to enter when teardown finishes.
    pub end_state: Vec<ReplicaState>,
    /// Bytes pulled.
    pub pull_bytes: Vec<u64>,
    /// 0 = not deployed, 1 = transferred, 2 = cached, 3 = joined.
    pub pull_kind: Vec<u8>,
    /// Selected for removal while still starting: tear down as soon as Running.
    pub doomed: Vec<bool>,
    /// The teardown phase has been scheduled.
    pub teardown_started: Vec<bool>,
    /// The teardown phase ended while requests were still in flight (drain = false).
    pub teardown_over: Vec<bool>,
    /// Keep-alive: when the replica's last idle period expires (`keepalive[slot]`, `NEVER`
    /// without one; a dispatch leaves it, see [`IdleClock`]) and its pending expiry timer,
    /// side by side per slot.
    pub keepalive: IdleClock,
}

impl ReplicaTable {
    /// Slots allocated (live replicas plus released slots awaiting reuse): the table's size.
    pub fn slots(&self) -> usize {
        self.function.len()
    }

    /// Slots holding a replica that has not ended.
    pub fn occupied(&self) -> usize {
        self.slots() - self.free.len()
    }

    /// Replicas ever created.
    pub fn created(&self) -> u32 {
        self.created
    }

    /// True before the first replica.
    pub fn is_empty(&self) -> bool {
        self.created == 0
    }

    /// The reference to the replica now in `slot`.
    #[inline]
    pub fn reference(&self, slot: Slot) -> ReplicaRef {
        ReplicaRef::new(slot, self.generation[slot as usize])
    }

    /// The slot of `r` if that replica has not been released.
    #[inline]
    pub fn resolve(&self, r: ReplicaRef) -> Option<Slot> {
        let s = r.slot();
        (self.generation.get(s as usize) == Some(&r.generation())).then_some(s)
    }

    /// Creates a Conceived replica in a free slot (or a new one); returns the slot.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        function: u32,
        container: u32,
        image: u32,
        attempt: u8,
        parent: ReplicaId,
        pod_n: u32,
        now: SimTime,
    ) -> Slot {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.grow();
                (self.slots() - 1) as Slot
            }
        };
        let i = slot as usize;
        self.id[i] = self.created;
        self.created += 1;
        self.function[i] = function;
        self.container[i] = container;
        self.image[i] = image;
        self.attempt[i] = attempt;
        self.parent[i] = parent;
        self.pod_n[i] = pod_n;
        self.node[i] = NONE;
        self.state[i] = ReplicaState::Conceived;
        self.t_created[i] = now;
        self.t_queued[i] = now;
        for col in [
            &mut self.t_scheduled,
            &mut self.t_deploying,
            &mut self.t_starting,
            &mut self.t_setup,
            &mut self.t_running,
            &mut self.t_teardown,
            &mut self.t_ended,
        ] {
            col[i] = SimTime::NEVER;
        }
        self.end_reason[i] = None;
        self.end_state[i] = ReplicaState::Suspended;
        self.pull_bytes[i] = 0;
        self.pull_kind[i] = 0;
        self.doomed[i] = false;
        self.teardown_started[i] = false;
        self.teardown_over[i] = false;
        self.keepalive.reset(i);
        slot
    }

    /// Appends one slot to every column (values are overwritten by [`ReplicaTable::push`]).
    fn grow(&mut self) {
        self.id.push(0);
        self.generation.push(0);
        self.function.push(0);
        self.container.push(0);
        self.image.push(0);
        self.attempt.push(0);
        self.parent.push(NONE);
        self.pod_n.push(0);
        self.node.push(NONE);
        self.state.push(ReplicaState::Conceived);
        for col in [
            &mut self.t_created,
            &mut self.t_queued,
            &mut self.t_scheduled,
            &mut self.t_deploying,
            &mut self.t_starting,
            &mut self.t_setup,
            &mut self.t_running,
            &mut self.t_teardown,
            &mut self.t_ended,
        ] {
            col.push(SimTime::NEVER);
        }
        self.end_reason.push(None);
        self.end_state.push(ReplicaState::Suspended);
        self.pull_bytes.push(0);
        self.pull_kind.push(0);
        self.doomed.push(false);
        self.teardown_started.push(false);
        self.teardown_over.push(false);
        self.keepalive.push();
    }

    /// The replica in `slot` has ended and nothing refers to its slot any more: the slot is
    /// free for the next replica, and every [`ReplicaRef`] to it is now stale.
    pub fn release(&mut self, slot: Slot) {
        let i = slot as usize;
        debug_assert!(self.state[i].is_terminal());
        self.generation[i] = self.generation[i].wrapping_add(1);
        self.free.push(slot);
    }

    /// Inserts `slot` into `list`, which is kept in creation order.
    #[inline]
    pub fn insert_ordered(&self, list: &mut Vec<Slot>, slot: Slot) {
        let id = self.id[slot as usize];
        let pos = list.partition_point(|&x| self.id[x as usize] < id);
        list.insert(pos, slot);
    }

    /// Removes `slot` from `list`, which is kept in creation order.
    #[inline]
    pub fn remove_ordered(&self, list: &mut Vec<Slot>, slot: Slot) {
        let id = self.id[slot as usize];
        if let Ok(pos) = list.binary_search_by_key(&id, |&x| self.id[x as usize]) {
            list.remove(pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conceive(t: &mut ReplicaTable) -> Slot {
        t.push(0, 0, 0, 0, NONE, 0, SimTime::ZERO)
    }

    fn end(t: &mut ReplicaTable, s: Slot) {
        t.state[s as usize] = ReplicaState::Suspended;
        t.release(s);
    }

    #[test]
    fn a_released_slot_is_reused_and_keeps_creation_order_ids() {
        let mut t = ReplicaTable::default();
        let a = conceive(&mut t);
        let b = conceive(&mut t);
        end(&mut t, a);
        let c = conceive(&mut t);
        assert_eq!(c, a, "the freed slot is reused");
        assert_eq!((t.id[b as usize], t.id[c as usize]), (1, 2));
        assert_eq!((t.slots(), t.created()), (2, 3));
    }

    #[test]
    fn a_reference_to_an_ended_replica_resolves_to_nothing() {
        let mut t = ReplicaTable::default();
        let a = conceive(&mut t);
        let old = t.reference(a);
        assert_eq!(t.resolve(old), Some(a));
        end(&mut t, a);
        let b = conceive(&mut t);
        assert_eq!(b, a);
        assert_eq!(t.resolve(old), None, "the slot now holds another replica");
        assert_eq!(t.resolve(t.reference(b)), Some(b));
    }

    #[test]
    fn ordered_lists_follow_creation_order_not_slots() {
        let mut t = ReplicaTable::default();
        let a = conceive(&mut t);
        let b = conceive(&mut t);
        end(&mut t, a);
        let c = conceive(&mut t); // slot 0, created last
        let mut list = Vec::new();
        t.insert_ordered(&mut list, c);
        t.insert_ordered(&mut list, b);
        assert_eq!(list, vec![b, c]);
        t.remove_ordered(&mut list, b);
        assert_eq!(list, vec![c]);
    }

    #[test]
    fn a_reference_packs_a_32_bit_slot() {
        let r = ReplicaRef::new(0x0012_3456, 7);
        assert_eq!((r.slot(), r.generation()), (0x0012_3456, 7));
        assert_eq!(std::mem::size_of::<ReplicaRef>(), 6);
    }
}
