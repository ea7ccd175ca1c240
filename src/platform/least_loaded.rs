//! `LeastLoaded`: the index behind the least-outstanding balancer (`docs/model.md`, routing):
//! which position of a function's eligible list holds the replica with the fewest outstanding
//! requests, the first such position on a tie.
//!
//! Scanning the eligible list costs O(replicas) per request (1.8 µs at 2,000 replicas). This is
//! a tournament tree over the positions instead: each leaf holds `load << 32 | position`, each
//! inner node the smaller of its two children, so the root *is* the answer (the smallest load,
//! and among equal loads the smallest position: the scan's tie-break exactly). The list itself
//! changes only when a replica becomes Running or leaves, and then the tree is rebuilt,
//! O(replicas).
//!
//! **The idle set.** Most load changes flip a replica between 0 and 1 outstanding requests (one
//! request per replica, or any light load), and while some replica is idle the answer is simply
//! the first idle position. So a load change only updates two bits of one word — the position
//! is idle or not, and its leaf is stale — and the tree's paths are brought up to date only when
//! no replica is idle and the tree has to answer, from the loads the caller keeps. A load
//! change used to walk its leaf's path (two or three cache lines, twice per request); it now
//! writes one entry, kept in place for the first 64 positions, so in a list of up to 64
//! replicas a change touches no line beyond the index's own header (docs/performance.md,
//! "Round 8: cache misses of many-function runs"). The work
//! deferred is the same per change, O(log replicas), and is done only when needed. While the
//! tree answers (no replica idle, as with forking replicas under load), changes update their
//! paths at once again. Where loads seldom return to 0 (forking replicas), keeping the idle
//! bits costs more instructions than the lines it saves, so an index can be built without the
//! idle set ([`LeastLoaded::new`]): then it is the tree alone, updated at every change.

/// A leaf past the end of the list: never the minimum.
const EMPTY: u64 = u64::MAX;

/// The state bits of 64 consecutive positions, side by side so that a load change writes one
/// cache line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bits {
    /// Bit `p % 64` set: position `p` has no outstanding request.
    idle: u64,
    /// Bit `p % 64` set: the tree's leaf of position `p` (and its path) is out of date.
    stale: u64,
}

/// The idle set and tournament tree over one function's eligible positions.
///
/// `repr(C)`: what a pick and a load change read in a list of up to 64 replicas (`first`,
/// `idle_summary`, `len`, `any_stale`, `eager`, `idle_set`) comes first, in 31 bytes, so that a caller can
/// keep it in one cache line with its own per-function fields (the router's `FunctionRoute`):
/// then only the tree, when it answers, is another line.
#[derive(Clone, Debug, Default)]
#[repr(C)]
pub struct LeastLoaded {
    /// Idle and stale bits of positions 0 to 63, in place.
    first: Bits,
    /// Bit `w` set: entry `w` of the bits (`first`, then `more`) has an idle position, for the
    /// first 64 entries (4 096 positions; a longer list scans its further entries).
    idle_summary: u64,
    /// Length of the list.
    len: u32,
    /// Some position is stale.
    any_stale: bool,
    /// The last answer came from the tree (no position was idle): load changes update their
    /// paths at once, as the tree will likely answer again, instead of piling up as stale.
    eager: bool,
    /// The idle set is kept (else every change updates its path at once and the tree always
    /// answers, as before the idle set: the cheaper choice where loads seldom return to 0,
    /// e.g. forking replicas).
    idle_set: bool,
    /// Idle and stale bits of positions 64 on, 64 per entry.
    more: Vec<Bits>,
    /// Leaves (a power of two, at least the list's length).
    leaves: usize,
    /// `tree[1]` is the root, `tree[i]`'s children are `tree[2i]` and `tree[2i + 1]`, and the
    /// leaves are `tree[leaves..2 * leaves]`; exact for every position that is not stale.
    tree: Vec<u64>,
}

/// Entries of the bits (64 positions each) the summary word covers.
const SUMMARY: usize = 64;

#[inline(always)]
fn leaf(load: u32, position: usize) -> u64 {
    (load as u64) << 32 | position as u64
}

impl LeastLoaded {
    /// An empty index; `idle_set`: keep the idle set (for lists whose loads mostly flip
    /// between 0 and 1, such as replicas that take one request at a time).
    pub fn new(idle_set: bool) -> LeastLoaded {
        LeastLoaded {
            idle_set,
            ..LeastLoaded::default()
        }
    }

    /// Rebuilds the index for a list whose loads, in list order, are `loads`.
    pub fn rebuild(&mut self, loads: impl ExactSizeIterator<Item = u32>) {
        let len = loads.len();
        self.len = u32::try_from(len).expect("fewer than 2^32 eligible replicas");
        self.leaves = len.next_power_of_two().max(1);
        self.tree.clear();
        self.tree.resize(2 * self.leaves, EMPTY);
        self.first = Bits::default();
        self.more.clear();
        self.more
            .resize(len.div_ceil(64).saturating_sub(1), Bits::default());
        self.idle_summary = 0;
        self.any_stale = false;
        self.eager = false;
        for (position, load) in loads.enumerate() {
            self.tree[self.leaves + position] = leaf(load, position);
            if load == 0 {
                let w = position / 64;
                self.bits(w).idle |= 1 << (position % 64);
                if w < SUMMARY {
                    self.idle_summary |= 1 << w;
                }
            }
        }
        for i in (1..self.leaves).rev() {
            self.tree[i] = self.tree[2 * i].min(self.tree[2 * i + 1]);
        }
    }

    /// The replica at `position` now has `load` outstanding requests: its idle bit follows,
    /// and its leaf is marked stale until the tree is next needed (or, while the tree is
    /// answering, updated at once).
    #[inline(always)]
    pub fn set(&mut self, position: usize, load: u32) {
        debug_assert!(position < self.len());
        if !self.idle_set {
            self.update_path(position, load);
            return;
        }
        let (w, bit) = (position / 64, 1u64 << (position % 64));
        let eager = self.eager;
        let b = self.bits(w);
        let was = b.idle;
        b.idle = if load == 0 { was | bit } else { was & !bit };
        let flipped = (was == 0) != (b.idle == 0);
        if !eager {
            b.stale |= bit;
            self.any_stale = true;
        } else {
            self.update_path(position, load);
        }
        if flipped {
            self.flip_summary(w);
        }
    }

    /// Entry `w` of the bits (positions `64 w` to `64 w + 63`).
    #[inline(always)]
    fn bits(&mut self, w: usize) -> &mut Bits {
        if w == 0 {
            &mut self.first
        } else {
            &mut self.more[w - 1]
        }
    }

    /// Entry `w` of the bits went from no idle position to some or back.
    #[inline]
    fn flip_summary(&mut self, w: usize) {
        if w < SUMMARY {
            self.idle_summary ^= 1 << w;
        }
    }

    /// The first position with the fewest outstanding requests (`None` for an empty list);
    /// `load(p)` is position `p`'s load as last given to [`LeastLoaded::set`] (read only for
    /// the stale positions, when no position is idle).
    #[inline]
    pub fn least(&mut self, load: impl Fn(usize) -> u32) -> Option<usize> {
        if self.len <= 1 {
            // A one-position list answers 0 whatever its load (the router does not even
            // report that load).
            return (self.len == 1).then_some(0);
        }
        if !self.idle_set {
            return Some((self.tree[1] & u32::MAX as u64) as usize);
        }
        if let Some(p) = self.first_idle() {
            self.eager = false;
            return Some(p);
        }
        if self.any_stale {
            self.refresh(load);
        }
        self.eager = true;
        Some((self.tree[1] & u32::MAX as u64) as usize)
    }

    /// The first idle position, if any.
    #[inline]
    fn first_idle(&self) -> Option<usize> {
        let at = |w: usize, idle: u64| w * 64 + idle.trailing_zeros() as usize;
        if self.idle_summary != 0 {
            let w = self.idle_summary.trailing_zeros() as usize;
            let idle = if w == 0 {
                self.first.idle
            } else {
                self.more[w - 1].idle
            };
            return Some(at(w, idle));
        }
        if self.more.len() < SUMMARY {
            return None;
        }
        self.first_idle_beyond_summary(at)
    }

    /// The first idle position among the entries the summary does not cover (lists of more
    /// than 4 096 replicas).
    #[cold]
    fn first_idle_beyond_summary(&self, at: impl Fn(usize, u64) -> usize) -> Option<usize> {
        self.more
            .iter()
            .enumerate()
            .skip(SUMMARY - 1)
            .find(|(_, b)| b.idle != 0)
            .map(|(k, b)| at(k + 1, b.idle))
    }

    /// Brings the leaves and paths of the stale positions up to date.
    #[cold]
    fn refresh(&mut self, load: impl Fn(usize) -> u32) {
        for w in 0..=self.more.len() {
            let mut stale = std::mem::take(&mut self.bits(w).stale);
            while stale != 0 {
                let position = w * 64 + stale.trailing_zeros() as usize;
                self.update_path(position, load(position));
                stale &= stale - 1;
            }
        }
        self.any_stale = false;
    }

    /// Writes position `position`'s leaf and the minimum up its path.
    #[inline]
    fn update_path(&mut self, position: usize, load: u32) {
        let mut i = self.leaves + position;
        let mut m = leaf(load, position);
        self.tree[i] = m;
        // Walk up carrying the subtree's minimum: each level reads only the sibling and the
        // parent (the node just written is `m`), two loads instead of three.
        while i > 1 {
            m = m.min(self.tree[i ^ 1]);
            i /= 2;
            if self.tree[i] == m {
                break; // nothing above changes
            }
            self.tree[i] = m;
        }
    }

    /// Length of the list the index covers.
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when the list is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan the index replaces: the first position of the smallest load.
    fn scan(loads: &[u32]) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, &l) in loads.iter().enumerate() {
            if best.is_none_or(|b| l < loads[b]) {
                best = Some(i);
            }
        }
        best
    }

    fn indexed(loads: &[u32]) -> LeastLoaded {
        indexed_with(loads, true)
    }

    fn indexed_with(loads: &[u32], idle_set: bool) -> LeastLoaded {
        let mut t = LeastLoaded::new(idle_set);
        t.rebuild(loads.iter().copied());
        t
    }

    #[test]
    fn ties_go_to_the_first_position_like_the_scan() {
        let mut loads = vec![2, 1, 3, 1];
        let mut t = indexed(&loads);
        assert_eq!(t.least(|p| loads[p]), Some(1));
        loads[1] = 4;
        t.set(1, 4);
        assert_eq!(t.least(|p| loads[p]), Some(3));
        loads[0] = 1;
        t.set(0, 1);
        assert_eq!(t.least(|p| loads[p]), Some(0));
    }

    #[test]
    fn the_first_idle_position_wins_without_consulting_the_loads() {
        let mut t = indexed(&[1, 0, 2, 0]);
        let unread = |_: usize| -> u32 { panic!("an idle position answers alone") };
        assert_eq!(t.least(unread), Some(1));
        t.set(1, 1);
        assert_eq!(t.least(unread), Some(3));
        t.set(0, 0);
        assert_eq!(t.least(unread), Some(0));
    }

    #[test]
    fn with_no_idle_position_the_tree_catches_up_on_the_changes_it_missed() {
        let mut loads = vec![0, 0, 0, 0, 0];
        let mut t = indexed(&loads);
        for (p, l) in [(0, 3), (1, 2), (2, 5), (3, 2), (4, 1)] {
            loads[p] = l;
            t.set(p, l);
        }
        assert_eq!(t.least(|p| loads[p]), Some(4));
        loads[4] = 7;
        t.set(4, 7);
        assert_eq!(
            t.least(|p| loads[p]),
            Some(1),
            "2 at positions 1 and 3: the first"
        );
    }

    #[test]
    fn while_the_tree_answers_changes_go_straight_into_it() {
        let loads = [2, 1, 3];
        let mut t = indexed(&loads);
        assert_eq!(
            t.least(|p| loads[p]),
            Some(1),
            "no idle position: the tree answers"
        );
        t.set(1, 4);
        let unread = |_: usize| -> u32 { panic!("nothing is stale") };
        assert_eq!(t.least(unread), Some(0));
        t.set(2, 0);
        assert_eq!(t.least(unread), Some(2), "idle again: the idle set answers");
    }

    #[test]
    fn without_the_idle_set_the_tree_answers_at_once() {
        let mut t = indexed_with(&[0, 1, 0], false);
        let unread = |_: usize| -> u32 { panic!("the tree is always up to date") };
        assert_eq!(t.least(unread), Some(0));
        t.set(0, 2);
        assert_eq!(t.least(unread), Some(2));
    }

    #[test]
    fn a_one_position_list_answers_it_whatever_its_load() {
        let mut t = indexed(&[5]);
        assert_eq!(t.least(|_| 5), Some(0));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn an_empty_list_has_no_least_position() {
        let mut t = LeastLoaded::new(true);
        t.rebuild(std::iter::empty());
        assert_eq!(t.least(|_| 0), None);
        assert!(t.is_empty());
    }

    #[test]
    fn a_load_change_writes_one_entry_of_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Bits>(), 16);
    }

    #[test]
    fn what_a_pick_reads_in_a_list_of_up_to_64_is_the_first_31_bytes() {
        use std::mem::offset_of;
        assert_eq!(offset_of!(LeastLoaded, first), 0);
        assert_eq!(offset_of!(LeastLoaded, idle_summary), 16);
        assert_eq!(offset_of!(LeastLoaded, len), 24);
        assert_eq!(offset_of!(LeastLoaded, any_stale), 28);
        assert_eq!(offset_of!(LeastLoaded, eager), 29);
        assert_eq!(offset_of!(LeastLoaded, idle_set), 30);
    }

    #[test]
    fn an_idle_position_beyond_the_summary_is_found() {
        let mut loads = vec![1u32; 5_000];
        loads[4_500] = 0;
        let mut t = indexed(&loads);
        assert_eq!(t.least(|q| loads[q]), Some(4_500));
        loads[4_500] = 1;
        t.set(4_500, 1);
        loads[4_999] = 0;
        t.set(4_999, 0);
        assert_eq!(t.least(|q| loads[q]), Some(4_999));
        loads[3] = 0;
        t.set(3, 0);
        assert_eq!(t.least(|q| loads[q]), Some(3));
    }

    /// Random load changes, with loads drawn from `0..spread` (mostly 0 and 1 for the
    /// one-request-per-replica regime, wider for forking replicas), with and without the idle
    /// set, agree with the scan at
    /// every size, across the 64-position words and the 4 096-position summary words.
    #[test]
    fn random_load_changes_agree_with_the_scan_at_every_size() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in [1usize, 2, 3, 7, 20, 63, 64, 65, 130, 2_000, 4_097, 4_200] {
            for (spread, idle_set) in [(2u64, true), (3, true), (6, true), (2, false), (6, false)] {
                let mut loads: Vec<u32> = (0..len).map(|i| (i as u32 * 7919) % 5).collect();
                let mut t = indexed_with(&loads, idle_set);
                assert_eq!(t.len(), len);
                for step in 0..5_000 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let p = (x % len as u64) as usize;
                    loads[p] = ((x >> 32) % spread) as u32;
                    t.set(p, loads[p]);
                    // Ask only now and then, so that stale leaves pile up between answers.
                    if step % 7 == 0 || len < 8 {
                        let want = if len == 1 { Some(0) } else { scan(&loads) };
                        assert_eq!(t.least(|q| loads[q]), want, "len {len}, spread {spread}");
                    }
                }
            }
        }
    }

    /// Long runs where no position is ever idle: every answer comes from the tree.
    #[test]
    fn a_busy_list_answers_from_the_tree_like_the_scan() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in [2usize, 5, 64, 300] {
            let mut loads: Vec<u32> = vec![1; len];
            let mut t = indexed(&loads);
            for _ in 0..3_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let p = (x % len as u64) as usize;
                loads[p] = 1 + ((x >> 32) % 4) as u32;
                t.set(p, loads[p]);
                assert_eq!(t.least(|q| loads[q]), scan(&loads), "len {len}");
            }
        }
    }
}
