//! The future-event list: a radix heap ([`RadixHeap`]) ordered by `(time, insertion sequence)`,
//! with timer handles that can be cancelled or moved.
//!
//! Ties at equal times resolve in insertion order (FIFO), like SimPy's, so an event scheduled for
//! the current time runs after every event already scheduled for that time.
//!
//! Two ways to schedule:
//! - [`EventQueue::push`] posts an event that will certainly fire (arrivals, completions of
//!   fixed-duration work): no bookkeeping beyond the heap entry;
//! - [`EventQueue::schedule`] returns a [`TimerId`] through which the owner can later
//!   [`cancel`](EventQueue::cancel) or [`move`](EventQueue::move_to) the pending event.
//!
//! One staleness rule serves every kind of timer: a timer is a slot holding the sequence number
//! of its one live heap entry. Cancelling or moving a timer changes that number, so the entries
//! it leaves behind are recognised (and skipped) when they reach the top of the heap. A moved
//! timer gets a fresh sequence number, exactly as if it had been pushed at the time of the move.
//! Handles carry a generation, so a handle kept after its timer fired or was cancelled never
//! touches a later timer that reuses the slot.
//!
//! [`EventQueue::stats`] counts the entries pushed, the leftovers skipped and the peak number of
//! entries, so a profile can tell live events from leftovers (docs/performance.md).

use super::radix_heap::{HeapEntry, RadixHeap};
use super::time::SimTime;

/// Bits of an entry's key that hold the timer slot; the sequence number takes the rest.
///
/// Packing both into one `u64` keeps a heap entry at 24 bytes (time, key, an 8-byte event), as
/// small as before timers existed: 2²⁴ − 1 timers can be pending at once and 2⁴⁰ − 1 events
/// (about 10¹²) can be scheduled in one run.
const SLOT_BITS: u32 = 24;
/// "No timer" in the slot bits of a key.
const UNTIMED: u32 = (1 << SLOT_BITS) - 1;
/// Sequence number of a slot with no live entry.
const DEAD: u64 = u64::MAX;

/// A heap entry: `time` is the event time in nanoseconds and `key` is
/// `seq << SLOT_BITS | timer slot`, so ordering by key is ordering by sequence number.
type Entry<E> = HeapEntry<E>;

#[inline]
fn seq_of<E>(e: &Entry<E>) -> u64 {
    e.key >> SLOT_BITS
}

#[inline]
fn timer_of<E>(e: &Entry<E>) -> u32 {
    (e.key & UNTIMED as u64) as u32
}

/// One sequence number in the key's bits.
const ONE_SEQ: u64 = 1 << SLOT_BITS;

/// The panic of [`EventQueue::take_seq_key`] (out of line: it never happens).
#[cold]
#[inline(never)]
fn too_many_events() -> ! {
    panic!("more than 2^40 - 1 events scheduled")
}

/// A pending event that can be cancelled or moved. `Copy`; a handle whose timer already fired
/// or was cancelled is inert (every operation on it is a no-op).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerId {
    slot: u32,
    generation: u32,
}

impl TimerId {
    /// A handle that refers to no timer (use it as "nothing pending").
    pub const NONE: TimerId = TimerId {
        slot: u32::MAX,
        generation: 0,
    };
}

impl Default for TimerId {
    fn default() -> Self {
        TimerId::NONE
    }
}

#[derive(Clone, Copy, Debug)]
struct TimerSlot<E> {
    generation: u32,
    /// Sequence number of the live heap entry ([`DEAD`]: the slot is free).
    seq: u64,
    time: SimTime,
    /// The pending event (kept here so a move need not search the heap).
    event: Option<E>,
}

/// What the queue has done so far: how many entries it held and how many were leftovers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Entries pushed (events posted, timers scheduled and moves).
    pub pushed: u64,
    /// Leftovers of cancelled or moved timers discarded when they reached the top.
    pub stale_skipped: u64,
    /// The most entries held at once, leftovers included.
    pub peak_entries: usize,
}

/// A deterministic priority queue of events with cancellable timers.
pub struct EventQueue<E: Copy> {
    heap: RadixHeap<E>,
    /// The next sequence number, already in its place in a key (`seq << SLOT_BITS`): taking
    /// one is an addition whose carry is the overflow test (docs/performance.md, "Round 9b").
    next_seq_key: u64,
    timers: Vec<TimerSlot<E>>,
    free_timers: Vec<u32>,
    stale_skipped: u64,
    /// Entries in the heap, leftovers included (kept here only: the heap keeps no count).
    entries: usize,
    peak_entries: usize,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::with_capacity(1024)
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue. `cap` is a hint kept for callers sized for a binary heap; the radix
    /// heap's buckets grow as needed.
    pub fn with_capacity(_cap: usize) -> Self {
        EventQueue {
            heap: RadixHeap::new(),
            next_seq_key: 0,
            timers: Vec::new(),
            free_timers: Vec::new(),
            stale_skipped: 0,
            entries: 0,
            peak_entries: 0,
        }
    }

    /// Files an entry in the heap and tracks the peak size.
    #[inline(always)]
    fn file(&mut self, entry: Entry<E>) {
        self.heap.push(entry);
        self.entries += 1;
        self.peak_entries = self.peak_entries.max(self.entries);
    }

    /// Takes the entry at the top of the heap, right after a look at it found it there.
    #[inline(always)]
    fn take_top(&mut self) {
        self.heap.pop_settled();
        self.entries -= 1;
    }

    /// Counts so far (see [`QueueStats`]).
    pub fn stats(&self) -> QueueStats {
        QueueStats {
            pushed: self.next_seq_key >> SLOT_BITS,
            stale_skipped: self.stale_skipped,
            peak_entries: self.peak_entries,
        }
    }

    /// The next sequence number, as a key with the timer bits clear (`seq << SLOT_BITS`).
    ///
    /// The 2⁴⁰ limit is the carry out of the addition: the last sequence number, 2⁴⁰ − 1, would
    /// wrap the counter to 0, so it is refused and 2⁴⁰ − 1 events (0 to 2⁴⁰ − 2) can be
    /// scheduled. A test and branch on the push path fewer than a shift and test of the number.
    #[inline(always)]
    fn take_seq_key(&mut self) -> u64 {
        let seq_key = self.next_seq_key;
        let (next, overflow) = seq_key.overflowing_add(ONE_SEQ);
        if overflow {
            too_many_events();
        }
        self.next_seq_key = next;
        seq_key
    }

    /// Posts `event` at `time`; it cannot be cancelled. Returns its sequence number.
    ///
    /// Inlined into its callers (an arrival and a completion per request): the call's register
    /// saves were a fifth of a push's instructions (docs/performance.md, round 9).
    #[inline(always)]
    pub fn push(&mut self, time: SimTime, event: E) -> u64 {
        let seq_key = self.take_seq_key();
        self.file(Entry {
            time: time.0,
            key: seq_key | UNTIMED as u64,
            event,
        });
        seq_key >> SLOT_BITS
    }

    /// Schedules `event` at `time` and returns a handle to cancel or move it.
    pub fn schedule(&mut self, time: SimTime, event: E) -> TimerId {
        let seq_key = self.take_seq_key();
        let seq = seq_key >> SLOT_BITS;
        let slot = match self.free_timers.pop() {
            Some(s) => s,
            None => {
                assert!(self.timers.len() < UNTIMED as usize, "2^24 timers pending");
                self.timers.push(TimerSlot {
                    generation: 0,
                    seq: DEAD,
                    time: SimTime::NEVER,
                    event: None,
                });
                (self.timers.len() - 1) as u32
            }
        };
        let t = &mut self.timers[slot as usize];
        t.seq = seq;
        t.time = time;
        t.event = Some(event);
        let generation = t.generation;
        self.file(Entry {
            time: time.0,
            key: seq_key | slot as u64,
            event,
        });
        TimerId { slot, generation }
    }

    /// The live slot of `id`, if its timer is still pending.
    #[inline]
    fn live_slot(&self, id: TimerId) -> Option<usize> {
        let s = id.slot as usize;
        let t = self.timers.get(s)?;
        (t.generation == id.generation && t.seq != DEAD).then_some(s)
    }

    /// Frees a slot: its entries become stale and old handles inert.
    #[inline]
    fn release(&mut self, slot: usize) {
        let t = &mut self.timers[slot];
        t.seq = DEAD;
        t.time = SimTime::NEVER;
        t.event = None;
        t.generation = t.generation.wrapping_add(1);
        self.free_timers.push(slot as u32);
    }

    /// When the timer fires, or `None` if it already fired or was cancelled.
    #[inline]
    pub fn time_of(&self, id: TimerId) -> Option<SimTime> {
        self.live_slot(id).map(|s| self.timers[s].time)
    }

    /// Whether the timer is still pending.
    #[inline]
    pub fn is_pending(&self, id: TimerId) -> bool {
        self.live_slot(id).is_some()
    }

    /// Cancels a pending timer; returns whether it was pending.
    pub fn cancel(&mut self, id: TimerId) -> bool {
        match self.live_slot(id) {
            Some(s) => {
                self.release(s);
                true
            }
            None => false,
        }
    }

    /// Moves a pending timer to `time`; it then orders as if it had been scheduled now (a fresh
    /// sequence number). Returns whether it was pending (a fired or cancelled timer stays so).
    pub fn move_to(&mut self, id: TimerId, time: SimTime) -> bool {
        let Some(s) = self.live_slot(id) else {
            return false;
        };
        // The old entry stays in the heap and is skipped: its seq no longer matches the slot.
        let event = self.timers[s].event.expect("a live timer keeps its event");
        let seq_key = self.take_seq_key();
        let t = &mut self.timers[s];
        t.seq = seq_key >> SLOT_BITS;
        t.time = time;
        self.file(Entry {
            time: time.0,
            key: seq_key | s as u64,
            event,
        });
        true
    }

    /// Whether an entry is a cancelled or moved timer's leftover.
    #[inline]
    fn is_stale(&self, e: &Entry<E>) -> bool {
        let timer = timer_of(e);
        timer != UNTIMED && self.timers[timer as usize].seq != seq_of(e)
    }

    /// Discards stale entries at the top of the heap.
    #[inline]
    fn skip_stale(&mut self) {
        while let Some(&top) = self.heap.peek() {
            if !self.is_stale(&top) {
                return;
            }
            self.skip_one_stale();
        }
    }

    /// Removes and returns the earliest live event (a timer that fires is done: its handle
    /// becomes inert).
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.pop_until(SimTime::NEVER)
    }

    /// Removes and returns the earliest live event if it is due at or before `deadline`; an
    /// event after it stays queued. One look at the top instead of `peek_time` then `pop`.
    #[inline]
    pub fn pop_until(&mut self, deadline: SimTime) -> Option<(SimTime, E)> {
        self.pop_until_with(deadline, |_| {})
    }

    /// [`EventQueue::pop_until`] that also shows `on_near` the events the queue has just found
    /// to be among the next few dozen to pop (leftovers of cancelled timers included), so the
    /// caller can prefetch what handling them will read. Each event may be shown more than once
    /// or not at all; the order of events is the same as without it.
    ///
    /// The heap settles its top once per entry looked at: a leftover is dropped and the next
    /// entry looked at; a live entry is taken, or left where it is when it is due after
    /// `deadline`. Inlined into the event loop: an untimed event (arrivals, completions of
    /// fixed-duration work) costs a look at the run's end, one test of its timer bits, the
    /// deadline test and the pop; timers take the out-of-line [`EventQueue::pop_timer`].
    #[inline(always)]
    pub fn pop_until_with(
        &mut self,
        deadline: SimTime,
        mut on_near: impl FnMut(&E),
    ) -> Option<(SimTime, E)> {
        let top = *self.heap.peek_with(&mut on_near)?;
        if timer_of(&top) != UNTIMED {
            return self.pop_timer(deadline, on_near);
        }
        if top.time > deadline.0 {
            return None;
        }
        self.take_top();
        Some((SimTime(top.time), top.event))
    }

    /// [`EventQueue::pop_until_with`] when the top entry belongs to a timer: leftovers of
    /// cancelled or moved timers are dropped until a live entry is at the top; a timer that
    /// fires is done (its handle becomes inert).
    #[inline(never)]
    fn pop_timer(
        &mut self,
        deadline: SimTime,
        mut on_near: impl FnMut(&E),
    ) -> Option<(SimTime, E)> {
        loop {
            let top = *self.heap.peek_with(&mut on_near)?;
            if self.is_stale(&top) {
                self.skip_one_stale();
                continue;
            }
            if top.time > deadline.0 {
                return None;
            }
            self.take_top();
            let timer = timer_of(&top);
            if timer != UNTIMED {
                self.release(timer as usize);
            }
            return Some((SimTime(top.time), top.event));
        }
    }

    /// Drops the leftover at the top (out of line: most runs have none).
    #[inline(never)]
    fn skip_one_stale(&mut self) {
        self.take_top();
        self.stale_skipped += 1;
    }

    /// The time of the earliest live event.
    #[inline]
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.skip_stale();
        self.heap.peek().map(|e| SimTime(e.time))
    }

    /// Number of heap entries, including the leftovers of cancelled or moved timers that have
    /// not reached the top yet.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// True when no live event is pending.
    pub fn is_empty(&mut self) -> bool {
        self.peek_time().is_none()
    }

    /// Drops every pending event and timer.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.entries = 0;
        self.timers.clear();
        self.free_timers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(q: &mut EventQueue<char>) -> Vec<(u64, char)> {
        std::iter::from_fn(|| q.pop().map(|(t, e)| (t.0, e))).collect()
    }

    #[test]
    fn events_at_equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::default();
        q.push(SimTime(5), 'b');
        q.push(SimTime(1), 'a');
        q.schedule(SimTime(5), 'c');
        q.push(SimTime(5), 'd');
        let order: Vec<char> = drain(&mut q).into_iter().map(|(_, e)| e).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
    }

    #[test]
    fn a_cancelled_timer_never_fires() {
        let mut q = EventQueue::default();
        let t = q.schedule(SimTime(3), 'x');
        q.push(SimTime(4), 'y');
        assert!(q.cancel(t));
        assert!(!q.cancel(t), "cancelling twice is a no-op");
        assert_eq!(drain(&mut q), vec![(4, 'y')]);
    }

    #[test]
    fn a_moved_timer_orders_as_if_scheduled_at_the_move() {
        let mut q = EventQueue::default();
        let t = q.schedule(SimTime(9), 'm');
        q.push(SimTime(5), 'a');
        assert!(q.move_to(t, SimTime(5)));
        q.push(SimTime(5), 'b');
        assert_eq!(q.time_of(t), Some(SimTime(5)));
        assert_eq!(drain(&mut q), vec![(5, 'a'), (5, 'm'), (5, 'b')]);
    }

    #[test]
    fn a_handle_is_inert_after_its_timer_fired_even_when_the_slot_is_reused() {
        let mut q = EventQueue::default();
        let old = q.schedule(SimTime(1), 'o');
        assert_eq!(q.pop(), Some((SimTime(1), 'o')));
        assert_eq!(q.time_of(old), None);
        let new = q.schedule(SimTime(2), 'n');
        assert!(!q.cancel(old));
        assert!(!q.move_to(old, SimTime(0)));
        assert!(q.is_pending(new));
        assert_eq!(drain(&mut q), vec![(2, 'n')]);
    }

    #[test]
    fn pop_until_leaves_later_events_queued_and_skips_leftovers() {
        let mut q = EventQueue::default();
        let t = q.schedule(SimTime(2), 'x');
        q.push(SimTime(3), 'a');
        q.push(SimTime(9), 'b');
        q.cancel(t);
        assert_eq!(q.pop_until(SimTime(5)), Some((SimTime(3), 'a')));
        assert_eq!(q.pop_until(SimTime(5)), None);
        assert_eq!(q.pop_until(SimTime(9)), Some((SimTime(9), 'b')));
        assert_eq!(q.pop_until(SimTime::NEVER), None);
    }

    /// The specification of the pop order: a binary heap of `(time, sequence)` where every
    /// push, schedule and move takes the next sequence number, and an entry whose timer was
    /// cancelled or moved since is skipped. Random pushes, schedules, cancels, moves and pops
    /// (with and without a deadline), with many equal times, near and far times, so that the
    /// run, its insertions, small and large drains all take part.
    #[test]
    fn pops_exactly_as_a_binary_heap_of_time_and_sequence_on_random_operations() {
        use std::cmp::Reverse;
        use std::collections::{BinaryHeap, HashMap};
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..30u64 {
            let mut q: EventQueue<u32> = EventQueue::default();
            let mut reference: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
            // Timer events: their live sequence number, `DEAD` once fired or cancelled (so
            // their leftovers are skipped); events posted with `push` are not here.
            let mut live: HashMap<u32, u64> = HashMap::new();
            let mut handles: Vec<(TimerId, u32)> = Vec::new();
            let (mut seq, mut id, mut now) = (0u64, 0u32, 0u64);
            let mut peak = 0;
            // Rounds differ in how far ahead events land: a few ns (equal times, the run)
            // to hours (large drains).
            let spread = 1u64 << (4 + 3 * (round % 12));
            let later = |now: u64, r: u64| match r % 4 {
                0 => now,
                1 => now + r % 16,
                _ => now + r % spread,
            };
            let reference_pop = |reference: &mut BinaryHeap<Reverse<(u64, u64, u32)>>,
                                 live: &mut HashMap<u32, u64>,
                                 deadline: u64| {
                while let Some(&Reverse((t, s, e))) = reference.peek() {
                    if live.get(&e).is_some_and(|&l| l != s) {
                        reference.pop(); // a leftover of a moved, cancelled or fired timer
                        continue;
                    }
                    if t > deadline {
                        return None;
                    }
                    reference.pop();
                    if let Some(l) = live.get_mut(&e) {
                        *l = DEAD;
                    }
                    return Some((t, e));
                }
                None
            };
            for step in 0..10_000u64 {
                let r = next();
                match r % 16 {
                    0..=4 => {
                        let t = later(now, r >> 8);
                        assert_eq!(q.push(SimTime(t), id), seq);
                        reference.push(Reverse((t, seq, id)));
                        (seq, id) = (seq + 1, id + 1);
                    }
                    5..=7 => {
                        let t = later(now, r >> 8);
                        handles.push((q.schedule(SimTime(t), id), id));
                        reference.push(Reverse((t, seq, id)));
                        live.insert(id, seq);
                        (seq, id) = (seq + 1, id + 1);
                    }
                    8 if !handles.is_empty() => {
                        let (h, e) = handles.swap_remove((r >> 8) as usize % handles.len());
                        let l = live.get_mut(&e).expect("a timer");
                        assert_eq!(q.cancel(h), *l != DEAD, "round {round} step {step}");
                        *l = DEAD;
                    }
                    9..=10 if !handles.is_empty() => {
                        let (h, e) = handles[(r >> 8) as usize % handles.len()];
                        let t = later(now, r >> 16);
                        let moved = q.move_to(h, SimTime(t));
                        assert_eq!(moved, live[&e] != DEAD, "round {round} step {step}");
                        if moved {
                            assert_eq!(q.time_of(h), Some(SimTime(t)));
                            reference.push(Reverse((t, seq, e)));
                            live.insert(e, seq);
                            seq += 1;
                        }
                    }
                    _ => {
                        // Half the pops have a deadline that may stop them.
                        let deadline = if r % 2 == 0 {
                            u64::MAX
                        } else {
                            later(now, r >> 24)
                        };
                        let got = q.pop_until(SimTime(deadline)).map(|(t, e)| (t.0, e));
                        let want = reference_pop(&mut reference, &mut live, deadline);
                        assert_eq!(got, want, "round {round} step {step}");
                        if let Some((t, _)) = got {
                            now = t;
                        }
                    }
                }
                // Leftovers are counted until they reach the top, in both.
                assert_eq!(q.entries(), reference.len(), "round {round} step {step}");
                peak = peak.max(reference.len());
                if step % 500 == 0 {
                    q.heap.assert_occupancy_matches_the_buckets();
                    assert_eq!(q.heap.len(), q.entries());
                }
            }
            loop {
                let got = q.pop().map(|(t, e)| (t.0, e));
                assert_eq!(got, reference_pop(&mut reference, &mut live, u64::MAX));
                if got.is_none() {
                    break;
                }
            }
            assert_eq!(q.stats().pushed, seq);
            assert_eq!(q.stats().peak_entries, peak);
            assert_eq!(q.entries(), 0);
        }
    }

    #[test]
    fn sequence_numbers_up_to_two_to_the_forty_minus_two_are_handed_out() {
        let mut q = EventQueue {
            next_seq_key: ((1 << 40) - 2) << SLOT_BITS,
            ..EventQueue::default()
        };
        assert_eq!(q.push(SimTime(1), 'a'), (1 << 40) - 2);
        assert_eq!(q.stats().pushed, (1 << 40) - 1);
        assert_eq!(q.pop(), Some((SimTime(1), 'a')));
    }

    #[test]
    #[should_panic(expected = "more than 2^40 - 1 events scheduled")]
    fn the_sequence_number_two_to_the_forty_minus_one_is_refused() {
        let mut q = EventQueue {
            next_seq_key: ((1 << 40) - 1) << SLOT_BITS,
            ..EventQueue::default()
        };
        q.schedule(SimTime(1), 'a');
    }

    #[test]
    fn the_peak_is_the_most_entries_held_at_once_leftovers_included() {
        let mut q = EventQueue::default();
        let t = q.schedule(SimTime(5), 'x');
        q.push(SimTime(1), 'a');
        q.cancel(t);
        q.push(SimTime(2), 'b');
        assert_eq!(q.pop(), Some((SimTime(1), 'a')));
        assert_eq!(q.pop(), Some((SimTime(2), 'b')));
        q.push(SimTime(3), 'c');
        assert_eq!(q.entries(), 2, "c and the leftover");
        assert_eq!(q.stats().peak_entries, 3);
        q.clear();
        assert_eq!(q.entries(), 0);
        assert_eq!(q.stats().peak_entries, 3, "clearing keeps the peak");
    }

    #[test]
    fn a_heap_entry_stays_24_bytes_with_an_8_byte_event() {
        assert_eq!(std::mem::size_of::<Entry<u64>>(), 24);
    }

    #[test]
    fn leftovers_count_as_entries_until_they_reach_the_top() {
        let mut q = EventQueue::default();
        let t = q.schedule(SimTime(7), 'x');
        q.push(SimTime(1), 'a');
        q.cancel(t);
        assert_eq!(q.entries(), 2);
        assert_eq!(q.pop(), Some((SimTime(1), 'a')));
        assert_eq!(q.entries(), 1);
        assert!(q.is_empty());
        assert_eq!(q.entries(), 0);
    }
}
