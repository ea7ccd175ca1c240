//! `ChangeLog`: which nodes' free resources changed recently, so a per-node cache of a function of
//! those resources can be brought up to date by revisiting only the changed nodes.
//!
//! [`super::NodeTable::reserve`] and [`super::NodeTable::release`] (and every other method
//! that changes free resources; the columns are private to the table) record their node here. A
//! reader remembers [`ChangeLog::count`] when its cache was last exact and later asks
//! [`ChangeLog::since`] for the nodes changed after that point; the log keeps the last
//! [`CAPACITY`] entries, and when more changes than that happened it answers `None`, so the
//! reader rebuilds its cache from scratch. An answer is never incomplete, so caches kept this
//! way stay exact.

use super::NodeId;

/// Changes the log remembers (a power of two). Between two uses of a cache it is rare that
/// more nodes changed than this; a cache that falls further behind is rebuilt.
pub const CAPACITY: usize = 1 << 13;

/// A ring of the most recently changed node ids and the number of changes ever recorded.
#[derive(Clone, Debug, Default)]
pub struct ChangeLog {
    /// `ring[c % CAPACITY]` is the node of change `c` (allocated on the first change).
    ring: Vec<NodeId>,
    count: u64,
}

impl ChangeLog {
    /// Records that `node`'s free resources changed.
    #[inline]
    pub fn record(&mut self, node: NodeId) {
        if self.ring.is_empty() {
            self.ring = vec![0; CAPACITY];
        }
        self.ring[self.count as usize & (CAPACITY - 1)] = node;
        self.count += 1;
    }

    /// Changes recorded so far.
    #[inline]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The nodes changed after the first `seen` changes, oldest first (a node changed twice
    /// appears twice), or `None` when the log no longer holds all of them (or `seen` is ahead
    /// of the log, which means the reader followed another table).
    pub fn since(&self, seen: u64) -> Option<impl Iterator<Item = NodeId> + '_> {
        let behind = self.count.checked_sub(seen)?;
        if behind > CAPACITY as u64 {
            return None;
        }
        Some((seen..self.count).map(|c| self.ring[c as usize & (CAPACITY - 1)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_lists_the_changes_after_a_point_until_they_are_overwritten() {
        let mut log = ChangeLog::default();
        assert_eq!(log.since(0).map(|c| c.count()), Some(0));
        for n in [3, 1, 3] {
            log.record(n);
        }
        assert_eq!(log.count(), 3);
        assert_eq!(log.since(1).unwrap().collect::<Vec<_>>(), [1, 3]);
        assert!(log.since(4).is_none(), "a reader ahead of the log");
        for n in 0..CAPACITY as u32 {
            log.record(n);
        }
        // 3 + CAPACITY changes: the first three are gone.
        assert!(log.since(2).is_none());
        let tail: Vec<_> = log.since(3).unwrap().collect();
        assert_eq!(tail.len(), CAPACITY);
        assert_eq!(tail[0], 0);
    }
}
