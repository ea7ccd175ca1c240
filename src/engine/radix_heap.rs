//! `RadixHeap`: the monotone priority queue under the event queue, keyed by the packed
//! `(time, key)` pair of each entry (docs/performance.md, "The event queue").
//!
//! A discrete-event simulation never schedules into its past: every entry pushed is at least
//! the last entry popped. A radix heap exploits that. It keeps the last popped order `last` and
//! files each entry in a bucket by the *position of the highest digit in which it differs from
//! `last`*; every entry of a lower bucket is smaller than every entry of a higher one. Popping
//! takes the next entry of the *run* (below); when the run is empty it empties the lowest
//! non-empty bucket: its minimum becomes the new `last` and the others drop into lower buckets.
//!
//! Why a radix heap and not a d-ary heap: a heap pop descends log n levels with unpredictable
//! comparisons and a likely cache miss at each; here a push is an append to one of a few
//! hundred vectors, and a pop scans and redistributes one bucket from front to back. Each entry
//! moves at most once per digit of its distance from `now`.
//!
//! The time's digits are 8 bits wide (256 buckets per digit position) but one: bits 24–34 form
//! one 11-bit digit, 2 048 buckets of 16.7 ms covering 34 s ([`TIME_DIGITS`]). Event times are
//! nanoseconds, so an entry scheduled between 16 ms and 34 s ahead (nearly all of them) is filed
//! there once, and its bucket, a few entries, is sorted into the run below when it is reached.
//! With 8 bits there too, an entry that crossed a multiple of 4.29 s (a quarter of them) was
//! filed one position up and re-filed when that bucket was drained; with the 4-bit digits of
//! round 3 an entry moved three to four times (docs/performance.md, "Trace replay" and "Round
//! 10: the event queue's drain"). The key (only compared between entries of equal times, a few
//! per thousand) has 4-bit digits, so that all the buckets fit in 4 096. Within a position,
//! buckets are ordered by the entry's digit there, which is always larger than `last`'s, so the
//! lowest non-empty bucket is found with a bit mask: one word per 64 buckets and a summary word
//! with one bit per non-empty mask word, so finding it takes two trailing-zero counts whatever
//! the number of buckets.
//!
//! Each bucket is a `Bucket` (`engine/bucket.rs`): a growable array whose header is one pointer and two `u32`s
//! (16 bytes, four to a cache line), because a push reads the header of the bucket it files
//! into and the headers of the few hundred buckets near and far events use are the part of the
//! heap every push touches (docs/performance.md, "Trace replay", round 7).
//!
//! A drained bucket of at most [`RUN_MAX`] entries is not re-filed: it is sorted into the *run*,
//! a short vector of the very next entries to pop, smallest last, and `last` becomes the run's
//! largest order (which keeps every other bucket's filing valid: it shares their digits above
//! the drained bucket's position, as the run's minimum does). Near the front of a large heap
//! buckets are small, and one sort of a few entries replaces their descent through the lower
//! buckets one pop at a time. An entry pushed below the run's largest is inserted into it. A
//! larger drained bucket puts its minimum alone in the run, so every pop takes the end of the
//! run, whatever the bucket sizes.
//!
//! The instructions per event are the point (docs/performance.md, "Round 9: the event queue's
//! instructions"): a push whose time is after `last`'s (all but a handful) picks its bucket
//! from the times alone and makes one capacity test; a pop from a non-empty run is a length
//! test and a read, with the drain out of line; the buckets are a fixed-size array indexed
//! without bounds checks; and the run is sorted by insertion as it is filled, with no call.
//!
//! A drain also tells its caller which entries are about to be popped (every entry of a drained
//! bucket of at most [`NEAR_MAX`] entries comes out within that many pops, barring earlier
//! pushes), so the caller can prefetch what handling them will read ([`RadixHeap::peek_with`]).
//!
//! The order is total (no two entries share a key), so every correct priority queue pops the
//! same sequence: this one changes no simulation result (pinned by `tests/digests.rs`). An
//! entry smaller than `last` (only possible after a [`RadixHeap::peek`] followed by a push of
//! an earlier entry) is accepted too: the heap re-files its entries around the new minimum,
//! which costs O(n) once.

use super::bucket::Bucket;

/// Bits per digit of the key half (entries whose time equals `last`'s: a few per thousand).
const KEY_DIGIT_BITS: u32 = 4;
/// Buckets of the key half: 16 positions of 16 buckets, first in the bucket order. Bucket 0
/// holds an entry equal to `last`, which only happens to the entry that re-filing around a new
/// minimum is for ([`RadixHeap::refile_around`]; a digit of 0 above `last`'s digit never occurs,
/// so no other entry is ever filed there).
const KEY_BUCKETS: usize = (64 / KEY_DIGIT_BITS as usize) << KEY_DIGIT_BITS;
/// The digits of the time half, lowest first, as (lowest bit, width): 8 bits, except the
/// position of bits 24–34, 2 048 buckets of 16.7 ms covering 34 s, where nearly every entry is
/// filed (docs/performance.md, "Round 10: the event queue's drain"). With 8 bits there (4.29 s)
/// an entry crossing a multiple of 4.29 s, a quarter of them, was filed one position up and
/// re-filed later.
const TIME_DIGITS: [(u32, u32); 8] = [
    (0, 8),
    (8, 8),
    (16, 8),
    (24, 11),
    (35, 8),
    (43, 8),
    (51, 8),
    (59, 5),
];
/// The wide digit of [`TIME_DIGITS`].
const FAR_DIGIT: usize = 3;
/// Buckets in use: the key half's, then each time digit's.
const USED_BUCKETS: usize = {
    let mut n = KEY_BUCKETS;
    let mut i = 0;
    while i < TIME_DIGITS.len() {
        n += 1 << TIME_DIGITS[i].1;
        i += 1;
    }
    n
};
/// Buckets in all: a power of two, so a masked index needs no bounds check.
const BUCKETS: usize = 4096;
const _: () = assert!(
    USED_BUCKETS <= BUCKETS,
    "every bucket index is below BUCKETS"
);
/// Words of the occupied-bucket mask (one bit each in the summary word).
const MASK_WORDS: usize = BUCKETS / 64;
const _: () = assert!(
    MASK_WORDS <= 64,
    "the summary word has one bit per mask word"
);
/// Largest buffer (in entries) a drained bucket keeps, or gives to the pool of buffers.
const KEPT_CAPACITY: usize = 1024;
/// Largest buffer (in entries) a re-filed bucket keeps for itself; a larger one goes to the
/// pool of buffers ([`RadixHeap::pooled`]).
const OWN_CAPACITY: usize = 64;
/// Most buffers the pool holds; a drained buffer beyond them is freed.
const POOL_MAX: usize = 256;
/// Largest drained bucket that is sorted into the run instead of re-filed.
pub const RUN_MAX: usize = 16;
/// Largest drained bucket whose entries are announced as about to be popped.
pub const NEAR_MAX: usize = 64;

/// One entry: the ordering pair and the payload.
#[derive(Clone, Copy, Debug)]
pub struct HeapEntry<E> {
    /// Primary order (the event time in nanoseconds).
    pub time: u64,
    /// Secondary order, unique per entry (the packed insertion sequence).
    pub key: u64,
    /// The payload.
    pub event: E,
}

impl<E> HeapEntry<E> {
    /// The ordering pair as one integer: comparing these compares `(time, key)`.
    #[inline(always)]
    fn order(&self) -> u128 {
        (self.time as u128) << 64 | self.key as u128
    }
}

/// Where the time digit containing one bit lies: its shift, its mask and its first bucket.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct TimeDigit {
    shift: u32,
    mask: u32,
    first_bucket: u32,
}

/// [`TimeDigit`] by bit (0–63), built from [`TIME_DIGITS`]: the bucket of a later time is one
/// bit scan and one read of this table (1 KB, its used lines stay cached).
const TIME_DIGIT_OF_BIT: [TimeDigit; 64] = {
    let mut table = [TimeDigit {
        shift: 0,
        mask: 0,
        first_bucket: 0,
    }; 64];
    let mut first_bucket = KEY_BUCKETS as u32;
    let mut i = 0;
    let mut covered = 0;
    while i < TIME_DIGITS.len() {
        let (shift, width) = TIME_DIGITS[i];
        assert!(shift == covered, "the time digits tile the 64 bits");
        let mut bit = shift;
        while bit < shift + width {
            table[bit as usize] = TimeDigit {
                shift,
                mask: (1 << width) - 1,
                first_bucket,
            };
            bit += 1;
        }
        first_bucket += 1 << width;
        covered = shift + width;
        i += 1;
    }
    assert!(covered == 64, "the time digits tile the 64 bits");
    table
};

/// The bucket of an entry of order `order` when the last popped order is `last` (`order ≥ last`).
///
/// Computed on the half where the two first differ: the time when the times differ (almost
/// always), else the key. The same bucket as digit arithmetic on the whole 128-bit order, with
/// 64-bit operations only.
#[inline(always)]
fn bucket_of(order: u128, last: u128) -> usize {
    let (time, last_time) = ((order >> 64) as u64, (last >> 64) as u64);
    if time != last_time {
        return bucket_of_later_time(time, last_time);
    }
    let (key, diff) = (order as u64, (order ^ last) as u64);
    if diff == 0 {
        return 0;
    }
    let shift = diff.ilog2() & !(KEY_DIGIT_BITS - 1);
    let digit = (key >> shift) as usize & ((1 << KEY_DIGIT_BITS) - 1);
    ((shift / KEY_DIGIT_BITS) << KEY_DIGIT_BITS) as usize + digit
}

/// [`bucket_of`] when the entry's time is after `last`'s: the digit of the time at the position
/// of the highest bit in which the two times differ.
#[inline(always)]
fn bucket_of_later_time(time: u64, last_time: u64) -> usize {
    debug_assert!(time > last_time);
    // Nearly every entry (16.7 ms to 34 s ahead) differs first in the wide digit: tested on
    // the difference's bits above it, without a bit scan or a table read, and the index then
    // stays below `BUCKETS` where the compiler can see it (docs/performance.md, "Round 10").
    let (far_shift, far_width) = TIME_DIGITS[FAR_DIGIT];
    let above = (time ^ last_time) >> far_shift;
    if above.wrapping_sub(1) < (1 << far_width) - 1 {
        let digit = (time >> far_shift) as usize & ((1 << far_width) - 1);
        return TIME_DIGIT_OF_BIT[far_shift as usize].first_bucket as usize + digit;
    }
    // The highest differing bit: `| 1` changes nothing for a non-zero difference and, the
    // value being known not to be zero, lets it compile to one bit scan.
    let highest = ((time ^ last_time) | 1).ilog2();
    let d = TIME_DIGIT_OF_BIT[highest as usize & 63];
    d.first_bucket as usize + ((time >> d.shift) as usize & d.mask as usize)
}

/// A min-queue on `(time, key)` for monotone use; see the module docs.
#[derive(Clone, Debug)]
pub struct RadixHeap<E: Copy> {
    /// One growable array per bucket, each with a 16-byte header (`engine/bucket.rs`); a fixed
    /// size, so an index masked to `BUCKETS − 1` needs no bounds check.
    buckets: Box<[Bucket<HeapEntry<E>>; BUCKETS]>,
    /// Bit `b` set: bucket `b` is non-empty.
    occupied: [u64; MASK_WORDS],
    /// Bit `w` set: word `w` of `occupied` is not zero.
    summary: u64,
    /// The order every entry is filed against: the last popped (or settled) minimum, or the
    /// largest order of the run while the run is not empty.
    last: u128,
    /// The next entries to pop, sorted by decreasing order; each is smaller than every entry of
    /// the buckets (see the module docs).
    /// A `Bucket` like the others: a drained small bucket becomes the run by swapping buffers.
    run: Bucket<HeapEntry<E>>,
    /// The largest buffer a drained bucket gave up (empty): a bucket that outgrows
    /// [`KEPT_CAPACITY`] moves into it instead of growing by repeated doubling.
    spare: Bucket<HeapEntry<E>>,
    /// Empty buffers of more than [`OWN_CAPACITY`] (and at most [`KEPT_CAPACITY`]) entries that
    /// re-filed buckets gave up, last given first: a bucket that fills up takes the top one
    /// instead of growing. With 2 048 buckets in the wide digit, buckets that kept their own
    /// large buffers held 77 MB on the 10M-invocation trace replay, 30 MB before the wide digit
    /// (docs/performance.md, "Round 10: the event queue's drain"); a pool holds about as many
    /// as there are large buckets at once.
    pooled: Vec<Bucket<HeapEntry<E>>>,
}

impl<E: Copy> Default for RadixHeap<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> RadixHeap<E> {
    /// An empty heap.
    pub fn new() -> Self {
        RadixHeap {
            buckets: (0..BUCKETS)
                .map(|_| Bucket::new())
                .collect::<Box<[_]>>()
                .try_into()
                .unwrap_or_else(|_| unreachable!("BUCKETS buckets were made")),
            occupied: [0; MASK_WORDS],
            summary: 0,
            last: 0,
            run: Bucket::new(),
            spare: Bucket::new(),
            pooled: Vec::new(),
        }
    }

    /// Number of entries, counted bucket by bucket (for tests and checks: the heap keeps no
    /// count, its one user does, docs/performance.md "Round 9b").
    pub fn len(&self) -> usize {
        self.run.len() + self.buckets.iter().map(Bucket::len).sum::<usize>()
    }

    /// True when there are no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.run.len() == 0 && self.summary == 0
    }

    /// Drops every entry (keeping the buckets' allocations).
    pub fn clear(&mut self) {
        for b in self.buckets.iter_mut() {
            b.clear();
        }
        self.occupied = [0; MASK_WORDS];
        self.summary = 0;
        self.last = 0;
        self.run.clear();
    }

    /// Files `entry` in bucket `b`: one capacity test, and the two occupancy bits only if the
    /// bucket was empty. A bucket's bit is set exactly while it holds entries (every drain
    /// empties the bucket whose bit it clears), so a push into a non-empty bucket (most of
    /// them: a far bucket gathers a few entries before it is drained) finds it set already.
    #[inline(always)]
    fn file(&mut self, b: usize, entry: HeapEntry<E>) {
        let b = b & (BUCKETS - 1);
        let bucket = &mut self.buckets[b];
        let was_empty = bucket.len() == 0;
        // The entry is written straight into its slot, field by field: written whole (or handed
        // to a push that may give it back) it was first staged on the stack and then copied in
        // two loads the staging stores could not be forwarded to (docs/performance.md, "Round
        // 9b").
        match bucket.push_slot() {
            Some(slot) => {
                let p = slot.as_mut_ptr();
                // SAFETY: `p` points to the slot, inside the buffer; writing each field of an
                // uninitialised `Copy` struct through `addr_of_mut!` initialises all of it.
                unsafe {
                    std::ptr::addr_of_mut!((*p).time).write(entry.time);
                    std::ptr::addr_of_mut!((*p).key).write(entry.key);
                    std::ptr::addr_of_mut!((*p).event).write(entry.event);
                }
            }
            None => self.file_into_full(b, entry.time, entry.key, entry.event),
        }
        if was_empty {
            self.occupied[b / 64] |= 1 << (b % 64);
            self.summary |= 1 << (b / 64);
        }
    }

    /// [`RadixHeap::file`] into a full bucket. One of at least [`KEPT_CAPACITY`] entries moves
    /// into the spare buffer if that is larger, which saves a reallocation (and the fresh pages)
    /// per doubling: the buckets of the far future fill to thousands of entries again after
    /// each drain. Any other grows.
    ///
    /// The entry comes as its three fields, in registers: an entry argument (24 bytes) is
    /// passed through memory, and the inlined push stored it on the stack on every push in
    /// case it took this path (docs/performance.md, "Round 9b").
    #[cold]
    #[inline(never)]
    fn file_into_full(&mut self, b: usize, time: u64, key: u64, event: E) {
        let entry = HeapEntry { time, key, event };
        let bucket = &mut self.buckets[b];
        if bucket.capacity() >= KEPT_CAPACITY && self.spare.capacity() > bucket.capacity() {
            self.spare.append(bucket);
            std::mem::swap(bucket, &mut self.spare);
        } else if self
            .pooled
            .last()
            .is_some_and(|p| p.capacity() > bucket.capacity())
        {
            let mut pooled = self.pooled.pop().expect("the pool has a top buffer");
            pooled.append(bucket);
            std::mem::swap(bucket, &mut pooled);
        }
        bucket.push(entry);
    }

    /// Adds an entry.
    ///
    /// Inlined into its callers (two per request): an entry whose time is after `last`'s is
    /// filed from the times alone; an equal time or an earlier entry takes the out-of-line path.
    #[inline(always)]
    pub fn push(&mut self, entry: HeapEntry<E>) {
        let last_time = (self.last >> 64) as u64;
        if entry.time > last_time {
            self.file(bucket_of_later_time(entry.time, last_time), entry);
        } else {
            self.push_at_or_before_last_time(entry.time, entry.key, entry.event);
        }
    }

    /// [`RadixHeap::push`] of an entry whose time is not after `last`'s: filed by the whole
    /// order if it is above `last` (or made the run by itself, if it is the next to pop: see
    /// [`RadixHeap::is_below_every_bucket`]); else into the run if there is one (it is among
    /// the next entries to pop), else every entry is filed again around it. The entry comes as
    /// its fields, in registers (see [`RadixHeap::file_into_full`]).
    #[inline(never)]
    fn push_at_or_before_last_time(&mut self, time: u64, key: u64, event: E) {
        let entry = HeapEntry { time, key, event };
        let order = entry.order();
        if order >= self.last {
            let b = bucket_of(order, self.last);
            if self.run.len() < RUN_MAX && self.is_below_every_bucket(b) {
                // Larger than every entry of the run (they are at most `last`) and smaller
                // than every entry of the buckets: an event posted for the current instant (a
                // scheduling pass, a deployment) while the run holds only entries of this
                // instant, or none. It joins the run at its front, and is popped without a
                // drain of a bucket of one (docs/performance.md, "Round 10: the event queue's
                // drain"). `last` moves up to it, which keeps every bucket's filing valid: each
                // occupied bucket is above `b`, so its entries differ from the new `last` at the
                // same digit as from the old one. The run's length bound keeps the shift short.
                self.run.insert(0, entry);
                self.last = order;
            } else {
                self.file(b, entry);
            }
        } else if self.run.len() != 0 {
            let at = self.run.as_slice().partition_point(|e| e.order() > order);
            self.run.insert(at, entry);
        } else {
            self.refile_around(order);
            self.file(bucket_of(order, self.last), entry);
        }
    }

    /// Whether every occupied bucket is above bucket `b`, so an entry filed in `b` would be
    /// smaller than every entry of the buckets (a lower bucket's entries are all smaller than a
    /// higher one's).
    #[inline]
    fn is_below_every_bucket(&self, b: usize) -> bool {
        if self.summary == 0 {
            return true;
        }
        let word = self.summary.trailing_zeros() as usize;
        let lowest = word * 64 + self.occupied[word].trailing_zeros() as usize;
        b < lowest
    }

    /// An entry below `last` arrived: file every entry again against `order`.
    #[cold]
    fn refile_around(&mut self, order: u128) {
        let mut all = Vec::with_capacity(self.len());
        all.extend_from_slice(self.run.as_slice());
        self.run.clear();
        for b in self.buckets.iter_mut() {
            all.extend_from_slice(b.as_slice());
            b.clear();
        }
        self.occupied = [0; MASK_WORDS];
        self.summary = 0;
        self.last = order;
        for e in all {
            let b = bucket_of(e.order(), order);
            self.file(b, e);
        }
    }

    /// Refills the empty run from the lowest non-empty bucket; the heap is not empty (the
    /// caller tested the summary word, so no flag comes back to be tested again). `on_near`
    /// sees the events of a small drained bucket (see the module docs). Out of line: it runs
    /// once per drained bucket, not once per pop; and the large bucket's re-filing is out of
    /// line in turn, so the small bucket's path saves and restores few registers
    /// (docs/performance.md, "Round 10: the event queue's drain").
    #[inline(never)]
    fn drain_lowest(&mut self, on_near: impl FnMut(&E)) {
        debug_assert_ne!(self.summary, 0);
        let word = self.summary.trailing_zeros() as usize;
        let bits = self.occupied[word];
        let lowest = (word * 64 + bits.trailing_zeros() as usize) & (BUCKETS - 1);
        let rest = bits & (bits - 1);
        self.occupied[word] = rest;
        if rest == 0 {
            self.summary &= self.summary - 1;
        }
        if self.buckets[lowest].len() <= RUN_MAX {
            self.sort_into_run(lowest, on_near);
        } else {
            self.refile(lowest, on_near);
        }
    }

    /// Makes the small bucket `b` the run, announcing each entry, and sorts it largest first;
    /// `last` becomes the run's largest. The buffers swap (the bucket keeps the empty run's),
    /// so no entry is copied, and the sort is an insertion sort in place: a drained bucket
    /// holds a few entries (three on average in the azure-like runs), too few for a library
    /// sort's call and set-up to pay.
    #[inline(always)]
    fn sort_into_run(&mut self, b: usize, mut on_near: impl FnMut(&E)) {
        debug_assert_eq!(self.run.len(), 0);
        std::mem::swap(&mut self.run, &mut self.buckets[b]);
        let n = self.run.len();
        debug_assert!(n >= 1, "an occupied bucket is not empty");
        let run = self.run.as_mut_ptr();
        // SAFETY: the run holds `n ≥ 1` initialised entries (an occupied bucket is not empty)
        // and every index below is under `n`: `i < n`, `j ≤ i`, `j − 1` read only when `j > 0`.
        // Raw pointers, because the slice's bounds checks were two tests per entry that the
        // compiler could not drop (docs/performance.md, "Round 10: the event queue's drain").
        unsafe {
            on_near(&(*run).event);
            for i in 1..n {
                let e = run.add(i).read();
                on_near(&e.event);
                let order = e.order();
                if (*run.add(i - 1)).order() > order {
                    continue; // already in place
                }
                let mut j = i;
                while j > 0 && (*run.add(j - 1)).order() < order {
                    run.add(j).write(run.add(j - 1).read());
                    j -= 1;
                }
                run.add(j).write(e);
            }
            self.last = (*run).order();
        }
    }

    /// Empties the large bucket `b`: its minimum goes alone into the empty run and becomes
    /// `last`; every other entry drops into a lower bucket. Out of line (see
    /// [`RadixHeap::drain_lowest`]): a few hundred times in a run of a million events.
    #[inline(never)]
    fn refile(&mut self, b: usize, mut on_near: impl FnMut(&E)) {
        let mut bucket = std::mem::take(&mut self.buckets[b]);
        if bucket.len() <= NEAR_MAX {
            for e in bucket.as_slice() {
                on_near(&e.event);
            }
        }
        let min = bucket
            .as_slice()
            .iter()
            .map(HeapEntry::order)
            .min()
            .expect("an occupied bucket is not empty");
        // Every other entry of the bucket shares `min`'s digits above this position, so it
        // lands in a lower bucket: the loop never writes to the bucket it drains.
        self.last = min;
        for &e in bucket.as_slice() {
            let order = e.order();
            if order == min {
                self.run.push(e);
            } else {
                self.file(bucket_of(order, min), e);
            }
        }
        bucket.clear();
        // A drained bucket keeps a small buffer for the next entries filed there; a larger one
        // goes to the pool, and the largest to the spare: buffers of every bucket that once held
        // hundreds or thousands of entries would add up to several times the heap's peak size.
        if bucket.capacity() <= OWN_CAPACITY {
            self.buckets[b] = bucket;
        } else if bucket.capacity() <= KEPT_CAPACITY {
            if self.pooled.len() < POOL_MAX {
                self.pooled.push(bucket);
            }
        } else if bucket.capacity() > self.spare.capacity() {
            self.spare = bucket;
        }
    }

    /// The smallest entry (may re-file entries, hence `&mut`).
    #[inline]
    pub fn peek(&mut self) -> Option<&HeapEntry<E>> {
        self.peek_with(|_| {})
    }

    /// The smallest entry; `on_near` sees the events that re-filing found to be among the next
    /// few dozen to pop (to prefetch what they will need). Inlined: while the run holds
    /// entries this is a length test and a read.
    #[inline(always)]
    pub fn peek_with(&mut self, on_near: impl FnMut(&E)) -> Option<&HeapEntry<E>> {
        if self.run.len() == 0 {
            if self.summary == 0 {
                return None;
            }
            self.drain_lowest(on_near);
        }
        self.run.last()
    }

    /// Removes and returns the smallest entry.
    #[inline]
    pub fn pop(&mut self) -> Option<HeapEntry<E>> {
        self.peek()?;
        Some(self.pop_settled())
    }

    /// Checks the occupancy bits against the buckets: a bucket's bit is set exactly when it
    /// holds entries, and a summary bit exactly when its word has a bit set.
    #[cfg(test)]
    pub(super) fn assert_occupancy_matches_the_buckets(&self) {
        for (b, bucket) in self.buckets.iter().enumerate() {
            let bit = self.occupied[b / 64] >> (b % 64) & 1 == 1;
            assert_eq!(bit, bucket.len() != 0, "bucket {b}");
        }
        for (w, &word) in self.occupied.iter().enumerate() {
            assert_eq!(self.summary >> w & 1 == 1, word != 0, "word {w}");
        }
    }

    /// Removes and returns the smallest entry right after a [`RadixHeap::peek_with`] (or
    /// [`RadixHeap::peek`]) that found one, with no push in between: the entry is then at the
    /// end of the run, so no bucket needs draining. The event queue looks at the top before it
    /// takes it; this saves a second settling.
    ///
    /// # Panics
    /// If the heap is empty.
    #[inline(always)]
    pub fn pop_settled(&mut self) -> HeapEntry<E> {
        self.run
            .pop()
            .expect("pop_settled follows a peek that found an entry")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic shuffle of `0..n` (multiplicative stride, coprime to `n`).
    fn scrambled(n: u64) -> Vec<u64> {
        (0..n).map(|i| (i * 7919) % n).collect()
    }

    fn entry(time: u64, key: u64) -> HeapEntry<u64> {
        HeapEntry {
            time,
            key,
            event: key,
        }
    }

    #[test]
    fn the_bucket_from_one_half_is_the_bucket_of_the_whole_order() {
        // The reference: the digits of the 128-bit order listed lowest first (the key's 4-bit
        // digits, then the time's from `TIME_DIGITS`), each bucket numbered after the ones of
        // every lower digit; an entry goes to its digit at the highest differing bit.
        fn reference(order: u128, last: u128) -> usize {
            let diff = order ^ last;
            if diff == 0 {
                return 0;
            }
            let digits = (0..16)
                .map(|p| (4 * p, 4))
                .chain(TIME_DIGITS.iter().map(|&(lo, width)| (64 + lo, width)));
            let highest = 127 - diff.leading_zeros();
            let mut first = 0;
            for (lo, width) in digits {
                if highest < lo + width {
                    let digit = (order >> lo) as usize & ((1 << width) - 1);
                    return first + digit;
                }
                first += 1 << width;
            }
            unreachable!("the digits cover 128 bits")
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..100_000u32 {
            let (t, k) = (next() >> (i % 64), next() >> (i % 61));
            let last = (t as u128) << 64 | k as u128;
            // Later times, and equal times with later keys.
            let (dt, dk) = (next() >> (i % 64), next() >> (i % 63));
            for order in [
                last,
                last + dk as u128,
                ((t.saturating_add(dt) as u128) << 64) | (next() as u128),
            ] {
                assert_eq!(
                    bucket_of(order, last),
                    reference(order, last),
                    "{order} {last}"
                );
                let time = (order >> 64) as u64;
                if time > t {
                    assert_eq!(bucket_of_later_time(time, t), reference(order, last));
                }
            }
        }
    }

    #[test]
    fn pops_in_time_then_key_order() {
        let mut h = RadixHeap::new();
        for (time, key) in [(5, 2), (1, 9), (5, 1), (3, 0), (1, 3)] {
            h.push(entry(time, key));
        }
        let order: Vec<(u64, u64)> =
            std::iter::from_fn(|| h.pop().map(|e| (e.time, e.key))).collect();
        assert_eq!(order, vec![(1, 3), (1, 9), (3, 0), (5, 1), (5, 2)]);
        assert!(h.is_empty());
    }

    #[test]
    fn a_simulation_like_sequence_pops_exactly_as_a_sorted_set_does() {
        // The hold model: pop the earliest, push one or two entries at or after it, with keys
        // increasing like insertion sequence numbers and many equal times.
        let mut h = RadixHeap::new();
        let mut reference = std::collections::BTreeSet::new();
        let mut key = 0u64;
        for t in scrambled(1_000) {
            h.push(entry(t * 1_000, key));
            reference.insert((t * 1_000, key));
            key += 1;
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut now = 0;
        for step in 0..50_000u64 {
            let e = h.pop().unwrap();
            assert_eq!(Some((e.time, e.key)), reference.pop_first(), "step {step}");
            now = now.max(e.time);
            for _ in 0..(1 + step % 2) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // A third of the entries land at the same instant.
                let at = if x % 3 == 0 { now } else { now + x % 5_000_000 };
                h.push(entry(at, key));
                reference.insert((at, key));
                key += 1;
            }
            if step % 3 == 0 {
                let (t, k) = reference.pop_first().unwrap();
                let e = h.pop().unwrap();
                assert_eq!((e.time, e.key), (t, k));
                now = t;
            }
            if step % 97 == 0 {
                h.assert_occupancy_matches_the_buckets();
            }
        }
        assert_eq!(h.len(), reference.len());
    }

    #[test]
    fn an_entry_earlier_than_a_peeked_one_still_comes_first() {
        let mut h = RadixHeap::new();
        h.push(entry(10, 0));
        h.push(entry(20, 1));
        h.push(entry(30, 2));
        assert_eq!(h.peek().map(|e| e.time), Some(10));
        h.push(entry(5, 3));
        let times: Vec<u64> = std::iter::from_fn(|| h.pop().map(|e| e.time)).collect();
        assert_eq!(times, vec![5, 10, 20, 30]);
    }

    #[test]
    fn an_entry_pushed_among_the_next_few_pops_takes_its_place_in_order() {
        // Two entries far from the rest: the lowest bucket drained holds both, so they form
        // the run; a push between them and one below both must interleave exactly.
        let mut h = RadixHeap::new();
        for (time, key) in [(1_000, 0), (1_010, 1), (1 << 40, 2)] {
            h.push(entry(time, key));
        }
        assert_eq!(h.pop().map(|e| e.time), Some(1_000));
        h.push(entry(1_005, 3));
        h.push(entry(1_002, 4));
        h.push(entry(1_010, 5));
        let order: Vec<(u64, u64)> =
            std::iter::from_fn(|| h.pop().map(|e| (e.time, e.key))).collect();
        assert_eq!(
            order,
            vec![(1_002, 4), (1_005, 3), (1_010, 1), (1_010, 5), (1 << 40, 2)]
        );
    }

    #[test]
    fn the_entries_announced_as_near_are_the_next_ones_popped() {
        let mut h = RadixHeap::new();
        for t in scrambled(5_000) {
            h.push(entry(t * 7_919, t));
        }
        let mut announced = std::collections::HashSet::new();
        let mut popped_after_announcement = 0;
        for _ in 0..5_000 {
            let top = *h
                .peek_with(|&k| {
                    announced.insert(k);
                })
                .unwrap();
            popped_after_announcement += announced.contains(&top.event) as u32;
            assert_eq!(h.pop().map(|e| e.key), Some(top.key));
        }
        // Every entry passes through a small bucket on its way down (only the very first
        // drains of a 5 000-entry heap are large).
        assert!(
            popped_after_announcement > 4_900,
            "{popped_after_announcement}"
        );
    }

    #[test]
    fn an_entry_at_the_current_instant_joins_the_run_when_it_is_below_every_bucket() {
        let mut h = RadixHeap::new();
        for (time, key) in [(10, 0), (10, 1 << 24), (1 << 30, 7)] {
            h.push(entry(time, key));
        }
        // The drained bucket of time 10 is the run; pushes at time 10 after its largest join
        // it at the front, with no bucket filed.
        assert_eq!(h.pop().map(|e| e.key), Some(0));
        h.push(entry(10, 2 << 24));
        h.push(entry(10, 3 << 24));
        assert_eq!(h.run.len(), 3);
        h.assert_occupancy_matches_the_buckets();
        assert_eq!(h.pop().map(|e| e.key), Some(1 << 24));
        assert_eq!(h.pop().map(|e| e.key), Some(2 << 24));
        assert_eq!(h.pop().map(|e| e.key), Some(3 << 24));
        // The run is empty now: the next push at time 10 becomes the run by itself.
        h.push(entry(10, 4 << 24));
        assert_eq!(h.run.len(), 1);
        assert_eq!(h.pop().map(|e| e.key), Some(4 << 24));
        assert_eq!(h.pop().map(|e| e.time), Some(1 << 30));
        assert!(h.is_empty());
    }

    #[test]
    fn an_entry_at_the_current_instant_above_a_filed_one_waits_in_its_bucket() {
        let mut h = RadixHeap::new();
        for key in 0..RUN_MAX as u64 + 2 {
            h.push(entry(10, key << 24));
        }
        // A drained bucket of 18 entries is re-filed: its minimum is the run, `last`; the
        // other entries of time 10 wait in the key half's buckets.
        assert_eq!(h.pop().map(|e| e.key), Some(0));
        assert_eq!(h.run.len(), 0);
        // Not below every bucket (key 1 is filed lower): filed, and popped after them.
        h.push(entry(10, 100 << 24));
        assert_eq!(h.run.len(), 0);
        let keys: Vec<u64> = std::iter::from_fn(|| h.pop().map(|e| e.key >> 24)).collect();
        let expected: Vec<u64> = (1..RUN_MAX as u64 + 2).chain([100]).collect();
        assert_eq!(keys, expected);
    }

    #[test]
    fn entries_crossing_a_multiple_of_four_seconds_are_filed_once_in_the_wide_digit() {
        // 16.7 ms to 34 s ahead: the wide digit's buckets, whatever the multiples of 2^32 ns
        // in between (docs/performance.md, "Round 10: the event queue's drain").
        let far = KEY_BUCKETS + 3 * 256;
        for (last, time) in [
            (1u64 << 24, 1u64 << 32),
            (5 << 30, 30 << 30),
            (0, (1 << 35) - 1),
        ] {
            let b = bucket_of_later_time(time, last);
            assert!((far..far + 2048).contains(&b), "{last} {time} {b}");
            assert_eq!(b, far + ((time >> 24) & 2047) as usize);
        }
        // Beyond 2^35 ns the next digit; below 2^24 ns the near ones.
        assert_eq!(bucket_of_later_time(1 << 35, 0), far + 2048 + 1);
        assert_eq!(
            bucket_of_later_time((1 << 24) - 1, 0),
            KEY_BUCKETS + 2 * 256 + 255
        );
    }

    #[test]
    fn re_filed_buckets_give_their_buffers_to_the_pool_and_full_buckets_take_them() {
        // Bursts of 300 entries in one far bucket after another: each is re-filed when
        // reached, its 512-entry buffer goes to the pool, and the next bucket to fill takes it.
        let mut h = RadixHeap::new();
        let mut key = 0;
        for burst in 1..=20u64 {
            for i in 0..300u64 {
                h.push(entry(burst << 26 | i, key));
                key += 1;
            }
        }
        let pooled_or_owned = |h: &RadixHeap<u64>| {
            h.pooled.len()
                + h.buckets
                    .iter()
                    .filter(|b| b.capacity() > OWN_CAPACITY)
                    .count()
        };
        assert_eq!(
            pooled_or_owned(&h),
            20,
            "one large buffer per filled bucket"
        );
        for burst in 1..=20u64 {
            for i in 0..300u64 {
                assert_eq!(h.pop().map(|e| e.time), Some(burst << 26 | i));
                // Refill a later bucket as the earlier ones drain: it takes a pooled buffer.
                if i == 0 {
                    for j in 0..300u64 {
                        h.push(entry((100 + burst) << 26 | j, key));
                        key += 1;
                    }
                }
            }
        }
        assert!(pooled_or_owned(&h) <= 22, "{}", pooled_or_owned(&h));
        assert!(h.pooled.iter().all(|p| p.len() == 0));
    }

    #[test]
    fn buckets_that_outgrow_the_kept_capacity_reuse_one_spare_buffer() {
        // Far-future entries fill a bucket past the kept capacity, again and again.
        let mut h = RadixHeap::new();
        let mut key = 0;
        for round in 0..4u64 {
            for i in 0..5_000u64 {
                h.push(entry((round + 1) << 32 | i, key));
                key += 1;
            }
            for i in 0..5_000u64 {
                assert_eq!(h.pop().map(|e| e.time), Some((round + 1) << 32 | i));
            }
        }
        assert!(h.is_empty());
        assert!(h.spare.capacity() >= 5_000);
    }

    #[test]
    fn clear_empties_the_heap() {
        let mut h = RadixHeap::new();
        h.push(entry(7, 0));
        h.push(entry(9, 1));
        h.pop();
        h.clear();
        assert!(h.is_empty());
        assert!(h.pop().is_none());
        h.push(entry(1, 2));
        assert_eq!(h.pop().map(|e| e.time), Some(1));
    }
}
