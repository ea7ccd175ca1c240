//! The requests in flight: a slab of [`Request`] slots with a free list, so nothing allocates
//! per invocation in steady state and a slot's index can travel in an 8-byte event.

use crate::engine::{SimTime, TimerId};

/// A request in flight.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// Run-wide request number (`request_id`).
    pub id: u64,
    /// Number of the request among its function's arrivals.
    pub fn_seq: u64,
    /// Function id.
    pub function: u32,
    /// Replica slot it was dispatched to (`u32::MAX` until dispatched).
    pub replica: u32,
    /// Arrival at the gateway.
    pub arrival: SimTime,
    /// Handed to a replica (`NEVER` until then).
    pub dispatch: SimTime,
    /// A worker began processing it (`NEVER` until then).
    pub start: SimTime,
    /// Execution time recorded for it by a trace or replay file (`NEVER`: none; the container's
    /// `exec` model applies).
    pub duration: SimTime,
    /// Which of the container's execution models it executes with (0: `exec`; a 2019 trace
    /// names its arrival day's).
    pub exec_model: u16,
    /// Found no eligible replica on arrival.
    pub cold: bool,
    /// Reached a final state (only requests still in flight at the end of a run are not).
    pub done: bool,
    /// The `routing.request_timeout_s` timer, once the request had to wait.
    pub timeout: TimerId,
    /// The pending `routing.cold_start_poll_s` poll of a waiting request.
    pub poll: TimerId,
}

/// The slab of requests.
#[derive(Debug, Default)]
pub(super) struct RequestSlab {
    slots: Vec<Request>,
    free: Vec<u32>,
    next_id: u64,
    /// Requests not yet in a final state.
    outstanding: u64,
}

impl RequestSlab {
    /// A new request arriving now; returns its slot.
    pub fn alloc(
        &mut self,
        now: SimTime,
        function: u32,
        fn_seq: u64,
        (duration, exec_model): (SimTime, u16),
    ) -> u32 {
        let req = Request {
            duration,
            exec_model,
            id: self.next_id,
            fn_seq,
            function,
            replica: u32::MAX,
            arrival: now,
            dispatch: SimTime::NEVER,
            start: SimTime::NEVER,
            cold: false,
            done: false,
            timeout: TimerId::NONE,
            poll: TimerId::NONE,
        };
        self.next_id += 1;
        self.outstanding += 1;
        match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = req;
                s
            }
            None => {
                self.slots.push(req);
                (self.slots.len() - 1) as u32
            }
        }
    }

    #[inline]
    pub fn get(&self, slot: u32) -> &Request {
        &self.slots[slot as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, slot: u32) -> &mut Request {
        &mut self.slots[slot as usize]
    }

    /// The request in `slot` reached a final state.
    pub fn free(&mut self, slot: u32) {
        self.free.push(slot);
        self.outstanding -= 1;
    }

    pub fn outstanding(&self) -> u64 {
        self.outstanding
    }

    pub fn drain_unfinished(&mut self) -> Vec<Request> {
        let left: Vec<Request> = self.slots.iter().filter(|r| !r.done).copied().collect();
        self.outstanding -= left.len() as u64;
        self.free.clear();
        self.slots.clear();
        left
    }

    pub fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Request>()
    }
}
