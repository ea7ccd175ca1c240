//! A decision's rejection counts and score breakdown as shared slices, for the `placements`
//! rows: a long run places thousands of replicas but their lists take few distinct values (the
//! same predicates reject nothing, the chosen node's breakdown has a handful of forms), so a
//! row holds a reference-counted copy shared with earlier rows of equal content instead of two
//! fresh heap lists (`docs/performance.md`, "Round 9: replica churn, output and page faults of
//! long runs").
//!
//! Equality here is exact: names by identity (they are `&'static` plugin names; a different
//! pointer to the same text only misses the cache) and numbers by their bits, so a shared list
//! is always indistinguishable from a copy.

use std::sync::Arc;

use super::ScoreEntry;

/// How many recent distinct lists of each kind are remembered.
pub const RECENT: usize = 16;

/// The most recent distinct lists handed out, to be handed out again while equal.
#[derive(Clone, Debug, Default)]
pub struct SharedLists {
    rejections: Recent<(&'static str, u32)>,
    scores: Recent<ScoreEntry>,
}

impl SharedLists {
    /// `list` as a shared slice: a remembered one if equal, else a new one (then remembered).
    pub fn rejections(&mut self, list: &[(&'static str, u32)]) -> Arc<[(&'static str, u32)]> {
        self.rejections
            .get(list, |a, b| same_name(a.0, b.0) && a.1 == b.1)
    }

    /// `list` as a shared slice: a remembered one if equal, else a new one (then remembered).
    pub fn scores(&mut self, list: &[ScoreEntry]) -> Arc<[ScoreEntry]> {
        self.scores.get(list, |a, b| {
            same_name(a.name, b.name)
                && a.raw.to_bits() == b.raw.to_bits()
                && a.normalized.to_bits() == b.normalized.to_bits()
                && a.weight.to_bits() == b.weight.to_bits()
                && a.weighted.to_bits() == b.weighted.to_bits()
        })
    }
}

/// The same static name: same address and length (no text comparison).
fn same_name(a: &'static str, b: &'static str) -> bool {
    std::ptr::eq(a, b)
}

/// Up to [`RECENT`] lists, replaced round-robin.
#[derive(Clone, Debug)]
struct Recent<T> {
    lists: Vec<Arc<[T]>>,
    next: usize,
}

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Recent {
            lists: Vec::new(),
            next: 0,
        }
    }
}

impl<T: Clone> Recent<T> {
    fn get(&mut self, list: &[T], eq: impl Fn(&T, &T) -> bool) -> Arc<[T]> {
        let equal = |kept: &Arc<[T]>| {
            kept.len() == list.len() && kept.iter().zip(list).all(|(a, b)| eq(a, b))
        };
        if let Some(kept) = self.lists.iter().find(|kept| equal(kept)) {
            return Arc::clone(kept);
        }
        let fresh: Arc<[T]> = list.into();
        if self.lists.len() < RECENT {
            self.lists.push(Arc::clone(&fresh));
        } else {
            self.lists[self.next] = Arc::clone(&fresh);
            self.next = (self.next + 1) % RECENT;
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Statics, so that every use is the same address (the cache compares names by identity).
    static BALANCED: &str = "Balanced";
    static LATENCY: &str = "Latency";
    static FITS: &str = "PodFitsResources";
    static ARCH: &str = "ImageArch";

    fn entry(name: &'static str, raw: f64) -> ScoreEntry {
        ScoreEntry {
            name,
            raw,
            normalized: raw,
            weight: 1.0,
            weighted: raw,
        }
    }

    #[test]
    fn equal_lists_share_one_allocation_and_keep_their_content() {
        let mut s = SharedLists::default();
        let a = s.scores(&[entry(BALANCED, 3.0), entry(LATENCY, 10.0)]);
        let b = s.scores(&[entry(BALANCED, 3.0), entry(LATENCY, 10.0)]);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*b, &[entry(BALANCED, 3.0), entry(LATENCY, 10.0)]);
        let r = s.rejections(&[(FITS, 0), (ARCH, 0)]);
        let q = s.rejections(&[(FITS, 0), (ARCH, 0)]);
        assert!(Arc::ptr_eq(&r, &q));
        assert_eq!(&*q, &[(FITS, 0), (ARCH, 0)]);
    }

    #[test]
    fn any_difference_gives_a_list_of_its_own() {
        let mut s = SharedLists::default();
        let a = s.scores(&[entry(BALANCED, 3.0)]);
        let other_value = s.scores(&[entry(BALANCED, 4.0)]);
        let signed_zero = s.scores(&[entry(BALANCED, -0.0)]);
        let zero = s.scores(&[entry(BALANCED, 0.0)]);
        let longer = s.scores(&[entry(BALANCED, 3.0), entry(LATENCY, 0.0)]);
        for (x, y) in [(&a, &other_value), (&signed_zero, &zero), (&a, &longer)] {
            assert!(!Arc::ptr_eq(x, y));
        }
        assert_eq!(zero[0].raw.to_bits(), 0.0f64.to_bits());
        assert_eq!(signed_zero[0].raw.to_bits(), (-0.0f64).to_bits());
        let r = s.rejections(&[(FITS, 1)]);
        let q = s.rejections(&[(FITS, 2)]);
        assert_eq!((r[0].1, q[0].1), (1, 2));
    }

    #[test]
    fn an_empty_list_is_shared_too() {
        let mut s = SharedLists::default();
        let a = s.scores(&[]);
        let b = s.scores(&[]);
        assert!(a.is_empty() && Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn only_the_most_recent_distinct_lists_are_remembered() {
        let mut s = SharedLists::default();
        let first = s.rejections(&[(FITS, 0)]);
        for i in 1..=RECENT as u32 {
            s.rejections(&[(FITS, i)]);
        }
        // The first was replaced by the (RECENT + 1)-th distinct list: a new copy, equal.
        let again = s.rejections(&[(FITS, 0)]);
        assert!(!Arc::ptr_eq(&first, &again));
        assert_eq!(&*first, &*again);
        // The last one is still remembered.
        let last = s.rejections(&[(FITS, RECENT as u32)]);
        assert!(Arc::ptr_eq(&last, &s.rejections(&[(FITS, RECENT as u32)])));
    }
}
