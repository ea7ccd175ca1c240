//! The filtering walk shared by the scoring profiles: visit nodes cyclically from a start
//! position, evaluate the predicates chunk by chunk into a column of first-failure codes, keep
//! the feasible nodes in visit order, and stop once `k` feasible nodes are found.
//!
//! Positions are the indexes of the profile's node columns: node ids, or visit positions for
//! the kubernetes profile over several zones, which keeps its columns in visit order
//! (`super::visit_space`). Either way a chunk is a contiguous run of positions.
//!
//! Predicates are pure functions of the state at the decision, so evaluating the rest of a
//! chunk after the `k`-th feasible node changes nothing: those nodes are neither counted as
//! evaluated nor as rejected.

use super::plugins::predicates::Span;

/// Nodes evaluated per chunk.
pub const CHUNK: usize = 256;

/// The length of the prefix of `codes` (one predicate code per node, 0 = feasible) that holds
/// its first `need` feasible nodes; the caller knows there are at least `need` (> 0) of them.
/// Both the generic walk and skippy's fused scan stop a chunk there.
pub fn cut_after_feasible(codes: &[u8], mut need: usize) -> usize {
    for (j, &c) in codes.iter().enumerate() {
        if c == 0 {
            need -= 1;
            if need == 0 {
                return j + 1;
            }
        }
    }
    codes.len()
}

/// Buffers of the walk, reused across decisions.
#[derive(Clone, Debug, Default)]
pub struct Walk {
    buf: Vec<u32>,
    len: usize,
    codes: Vec<u8>,
    /// Per predicate (index = code − 1), nodes for which it was the first to fail.
    pub rejections: Vec<u32>,
    /// Nodes on which predicates ran.
    pub evaluated: usize,
}

impl Walk {
    /// The feasible nodes in visit order.
    #[inline]
    pub fn feasible(&self) -> &[u32] {
        &self.buf[..self.len]
    }

    /// Walks `n` positions cyclically from `start`, stopping after `k` feasible ones.
    ///
    /// `eval(span, codes)` evaluates the nodes of `span` and writes every entry of `codes`: 0
    /// if every predicate passes, else the 1-based index of the first failing one. There are
    /// `npred` predicates.
    pub fn run(
        &mut self,
        n: usize,
        start: usize,
        k: usize,
        npred: usize,
        mut eval: impl FnMut(Span, &mut [u8]),
    ) {
        if self.buf.len() < n {
            self.buf.resize(n, 0);
        }
        self.codes.resize(CHUNK, 0);
        self.rejections.clear();
        self.rejections.resize(npred + 1, 0);
        self.len = 0;
        self.evaluated = 0;
        if n == 0 || k == 0 {
            self.rejections.truncate(npred);
            return;
        }
        let start = start % n;
        let segments = [(start, n), (0, start)];
        'outer: for (lo, hi) in segments {
            let mut a = lo;
            while a < hi {
                let m = CHUNK.min(hi - a);
                let codes = &mut self.codes[..m];
                let before = self.len;
                // Branch-free compaction into a local slice (room: before + m ≤ n).
                let out = &mut self.buf[before..before + m];
                let mut cnt = 0;
                eval(Span::Range(a), codes);
                if codes.iter().fold(0u8, |acc, &c| acc | c) == 0 {
                    // Every node of the chunk is feasible (the common case): no compaction.
                    for (j, o) in out.iter_mut().enumerate() {
                        *o = (a + j) as u32;
                    }
                    cnt = m;
                } else {
                    for (j, &c) in codes.iter().enumerate() {
                        out[cnt.min(m - 1)] = (a + j) as u32;
                        cnt += (c == 0) as usize;
                    }
                }
                let mut f = before + cnt;
                let mut upto = m;
                if f >= k {
                    // Cut after the (k − before)-th feasible node of this chunk.
                    upto = cut_after_feasible(codes, k - before);
                    f = k;
                }
                if f - before < upto {
                    let rej = &mut self.rejections[..];
                    for &c in &codes[..upto] {
                        rej[c as usize] += 1;
                    }
                }
                self.len = f;
                self.evaluated += upto;
                if f >= k {
                    break 'outer;
                }
                a += m;
            }
        }
        self.rejections.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: usize, start: usize, k: usize, fail: impl Fn(usize) -> u8) -> Walk {
        let mut w = Walk::default();
        w.run(n, start, k, 2, |span, codes| {
            let Span::Range(a) = span;
            for (j, c) in codes.iter_mut().enumerate() {
                *c = fail(a + j);
            }
        });
        w
    }

    #[test]
    fn walk_visits_cyclically_from_the_start_and_stops_at_k_feasible() {
        // Odd nodes fail predicate 1, node 4 fails predicate 2.
        let w = run(10, 7, 3, |i| {
            if i % 2 == 1 {
                1
            } else if i == 4 {
                2
            } else {
                0
            }
        });
        // Visit 7(f1) 8 9(f1) 0 1(f1) 2 → three feasible after 6 nodes.
        assert_eq!(w.feasible(), &[8, 0, 2]);
        assert_eq!(w.evaluated, 6);
        assert_eq!(w.rejections, vec![3, 0]);
    }

    #[test]
    fn walk_without_enough_feasible_nodes_evaluates_all() {
        let w = run(600, 300, 1000, |i| u8::from(i % 3 == 0));
        assert_eq!(w.evaluated, 600);
        assert_eq!(w.feasible().len(), 400);
        assert_eq!(w.feasible()[0], 301);
        assert_eq!(w.rejections, vec![200, 0]);
    }

    #[test]
    fn walk_stops_inside_a_later_chunk() {
        let w = run(1000, 0, 300, |_| 0);
        assert_eq!(w.evaluated, 300);
        assert_eq!(w.feasible().len(), 300);
        assert_eq!(*w.feasible().last().unwrap(), 299);
    }
}
