//! `ReplicaTable`: every replica of a run as struct-of-arrays columns, indexed by replica id.
//!
//! Replica ids are dense and never reused within a run (the `replicas` table lists them all), so
//! a stale id cannot alias a newer replica.

use crate::engine::{SimTime, TimerId};
use std::collections::VecDeque;

/// Dense replica index in creation order.
pub type ReplicaId = u32;

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

/// Columns of all replicas.
#[derive(Debug, Default)]
pub struct ReplicaTable {
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
    /// Requests executing now.
    pub executing: Vec<u32>,
    /// Requests waiting in the local FIFO queue (request slots).
    pub local_queue: Vec<VecDeque<u32>>,
    /// Completed invocations.
    pub served: Vec<u64>,
    /// Selected for removal while still starting: tear down as soon as Running.
    pub doomed: Vec<bool>,
    /// The teardown phase has been scheduled.
    pub teardown_started: Vec<bool>,
    /// The teardown phase ended while requests were still in flight (drain = false).
    pub teardown_over: Vec<bool>,
    /// Keep-alive: when an idle replica expires (`NEVER` while busy or without a policy).
    pub idle_until: Vec<SimTime>,
    /// Keep-alive: the replica's pending expiry timer.
    pub ka_timer: Vec<TimerId>,
}

impl ReplicaTable {
    /// Number of replicas ever created.
    pub fn len(&self) -> usize {
        self.function.len()
    }

    /// True before the first replica.
    pub fn is_empty(&self) -> bool {
        self.function.is_empty()
    }

    /// Appends a Conceived replica; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        function: u32,
        container: u32,
        image: u32,
        attempt: u8,
        parent: u32,
        pod_n: u32,
        now: SimTime,
    ) -> ReplicaId {
        let id = self.len() as ReplicaId;
        self.function.push(function);
        self.container.push(container);
        self.image.push(image);
        self.attempt.push(attempt);
        self.parent.push(parent);
        self.pod_n.push(pod_n);
        self.node.push(NONE);
        self.state.push(ReplicaState::Conceived);
        self.t_created.push(now);
        self.t_queued.push(now);
        for col in [
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
        self.executing.push(0);
        self.local_queue.push(VecDeque::new());
        self.served.push(0);
        self.doomed.push(false);
        self.teardown_started.push(false);
        self.teardown_over.push(false);
        self.idle_until.push(SimTime::NEVER);
        self.ka_timer.push(TimerId::NONE);
        id
    }

    /// Requests on the replica: executing plus locally queued.
    #[inline]
    pub fn outstanding(&self, r: ReplicaId) -> u32 {
        self.executing[r as usize] + self.local_queue[r as usize].len() as u32
    }
}
