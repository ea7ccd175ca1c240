//! The requests in flight: a slab of [`Request`] slots with a free list, so nothing allocates
//! per invocation in steady state and a slot's index can travel in an 8-byte event.
//!
//! A slot is one 64-byte cache line, aligned: tens of thousands of requests are in flight in a
//! large run and they complete in random order, so the slot read at a completion is a cache
//! miss; one line per slot makes it one miss, and the event loop prefetches it while the event
//! is still in the queue (docs/performance.md, "round 4"). The two routing timers, which most
//! runs never arm, live beside the slab ([`WaitTimers`]) to keep the slot within its line.

use crate::engine::{SimTime, TimerId};

/// A request in flight: one cache line.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
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
}

/// The routing timers of a request slot (kept outside [`Request`], see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimers {
    /// The `routing.request_timeout_s` timer, once the request had to wait.
    pub timeout: TimerId,
    /// The pending `routing.cold_start_poll_s` poll of a waiting request.
    pub poll: TimerId,
}

impl WaitTimers {
    /// No timer armed.
    pub const NONE: WaitTimers = WaitTimers {
        timeout: TimerId::NONE,
        poll: TimerId::NONE,
    };
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

    /// Where slot `slot` is (or would be), to prefetch it; never dereferenced here.
    #[inline]
    pub fn slot_ptr(&self, slot: u32) -> *const Request {
        self.slots.as_ptr().wrapping_add(slot as usize)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_slot_is_one_aligned_cache_line() {
        assert_eq!(std::mem::size_of::<Request>(), 64);
        assert_eq!(std::mem::align_of::<Request>(), 64);
    }
}
