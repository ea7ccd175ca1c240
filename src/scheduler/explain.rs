//! Selection helpers shared by the scoring profiles: the first maximum with its tie count, and
//! the best `k` candidates for `scheduler.explain_top_k`.

use std::cmp::Ordering;

/// Position of the first maximum of `x` (visit order) and the number of entries equal to it.
/// `x` must not be empty.
#[inline]
pub fn first_max<T: PartialOrd + Copy>(x: &[T]) -> (usize, u32) {
    // Branch-free passes: the maximum with four accumulators, then the first position and the
    // count of entries equal to it.
    let mut acc = [x[0]; 4];
    let chunks = x.chunks_exact(4);
    for &v in chunks.remainder() {
        acc[0] = if v > acc[0] { v } else { acc[0] };
    }
    for c in chunks {
        for j in 0..4 {
            acc[j] = if c[j] > acc[j] { c[j] } else { acc[j] };
        }
    }
    let mut m = acc[0];
    for &a in &acc[1..] {
        m = if a > m { a } else { m };
    }
    let first = x.iter().position(|&v| v == m).unwrap_or(0);
    let ties = x[first..].iter().map(|&v| u32::from(v == m)).sum();
    (first, ties)
}

/// Position of the `j`-th (from 0) entry of `x` equal to `v`, searching from `from` (the first
/// such entry): the tie the kubernetes profile's draw selects. Whole blocks of entries are
/// counted without branches and skipped until the block holding it.
///
/// Panics if there are not `j + 1` such entries.
pub fn nth_equal<T: PartialEq + Copy>(x: &[T], from: usize, v: T, j: u32) -> usize {
    const BLOCK: usize = 64;
    let mut left = j;
    let mut a = from;
    while a < x.len() {
        let b = (a + BLOCK).min(x.len());
        let here: u32 = x[a..b].iter().map(|&y| u32::from(y == v)).sum();
        if here > left {
            let mut k = left;
            for (i, &y) in x[a..b].iter().enumerate() {
                if y == v {
                    if k == 0 {
                        return a + i;
                    }
                    k -= 1;
                }
            }
        }
        left -= here;
        a = b;
    }
    panic!("fewer than {} entries equal the value", j + 1)
}

/// Fills `idx` with the positions of the best `k` entries of `totals`, best first; equal totals
/// keep visit order. Reuses `idx`'s allocation.
pub fn top_indices<T: PartialOrd + Copy>(totals: &[T], k: usize, idx: &mut Vec<u32>) {
    idx.clear();
    idx.extend(0..totals.len() as u32);
    let k = k.min(totals.len());
    if k == 0 {
        idx.clear();
        return;
    }
    let cmp = |a: &u32, b: &u32| {
        totals[*b as usize]
            .partial_cmp(&totals[*a as usize])
            .unwrap_or(Ordering::Equal)
            .then(a.cmp(b))
    };
    if k < idx.len() {
        idx.select_nth_unstable_by(k - 1, cmp);
        idx.truncate(k);
    }
    idx.sort_unstable_by(cmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_max_keeps_the_earliest_and_counts_ties() {
        assert_eq!(first_max(&[1.0, 3.0, 2.0, 3.0]), (1, 2));
        assert_eq!(first_max(&[5i64]), (0, 1));
    }

    #[test]
    fn nth_equal_finds_the_jth_tie_across_blocks() {
        let mut x = vec![0i64; 300];
        let ties = [3usize, 64, 65, 130, 299];
        for &i in &ties {
            x[i] = 9;
        }
        for (j, &i) in ties.iter().enumerate() {
            assert_eq!(nth_equal(&x, 3, 9, j as u32), i);
        }
    }

    #[test]
    fn top_indices_orders_by_total_then_visit_order() {
        let mut idx = Vec::new();
        top_indices(&[2.0, 7.0, 7.0, 1.0, 9.0], 3, &mut idx);
        assert_eq!(idx, vec![4, 1, 2]);
        top_indices(&[2.0, 7.0], 5, &mut idx);
        assert_eq!(idx, vec![1, 0]);
        top_indices(&[2.0, 7.0], 0, &mut idx);
        assert!(idx.is_empty());
    }
}
