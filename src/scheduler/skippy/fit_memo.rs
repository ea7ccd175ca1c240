//! `FitMemo`: per node and request pair, one byte holding what the fused scan's kernel needs
//! from the node's free resources: whether the pod fits (`PodFitsResources`) and its
//! `BalancedResource` value.
//!
//! Both depend only on the request pair and the node's free CPU and memory, which change on few
//! nodes between decisions. Instead of comparing every node's free resources with a copy (16
//! bytes per node and decision), the memo follows the node table's change log
//! ([`crate::cluster::ChangeLog`]): it recomputes the nodes changed since it was last brought
//! up to date, or marks every node [`UNKNOWN`] when the log no longer reaches back that far (or
//! the request pair is new). An unknown byte reads as "does not fit", so the kernel sends its
//! chunk down the slow path, which fills the chunk's unknown bytes ([`fill_unknown`]) and runs
//! the kernel again; a sampled walk thus computes only the nodes it visits. The kernel reads one
//! byte per node, which is exact because the free columns change only through `NodeTable`
//! methods that record the change (the columns are private to the table; debug builds also
//! check the bytes against a recomputation).
//! The last [`SETS`] distinct request pairs are kept (least recently used is replaced).

use super::scan_kernel::BALANCED_MASK;
use crate::cluster::NodeTable;
use crate::scheduler::plugins::priorities::balanced;

/// Request pairs memoised at once.
pub const SETS: usize = 4;

/// The byte's flag of a node the pod does not fit on.
pub const NO_FIT: u8 = 0x80;

/// The byte of a node not computed yet: it carries [`NO_FIT`], so the kernel never takes it for
/// a feasible node.
pub const UNKNOWN: u8 = NO_FIT | 0x40;

/// The memo byte of a pod requesting `cpu` millicores and `mem` bytes on a node with `free_cpu`
/// and `free_mem` left: [`NO_FIT`] if the requests do not fit, else the `BalancedResource`
/// value (the low four bits; it is 0..=10).
#[inline]
pub fn fit_byte(cpu: i64, mem: i64, free_cpu: i64, free_mem: i64) -> u8 {
    // Both differences are ≥ 0 iff their OR is (as `PodFitsResources`).
    if ((free_mem - mem) | (free_cpu - cpu)) >= 0 {
        balanced(cpu as f64, mem as f64, free_cpu, free_mem) as u8 & BALANCED_MASK as u8
    } else {
        NO_FIT
    }
}

/// One request pair's bytes.
#[derive(Clone, Debug)]
struct MemoSet {
    pair: (i64, i64),
    used: u64,
    /// The change-log count at which `bytes` were exact (`None`: never).
    seen: Option<u64>,
    bytes: Vec<u8>,
}

/// Memo bytes for the last few request pairs.
#[derive(Clone, Debug, Default)]
pub struct FitMemo {
    sets: Vec<MemoSet>,
    clock: u64,
}

impl FitMemo {
    /// The memo bytes ([`fit_byte`]) of every node of `nodes` for a pod requesting `cpu`
    /// millicores and `mem` bytes, exact for the nodes' current free resources where not
    /// [`UNKNOWN`].
    pub fn column(&mut self, cpu: i64, mem: i64, nodes: &NodeTable) -> &mut [u8] {
        self.clock += 1;
        let n = nodes.len();
        let pair = (cpu, mem);
        let i = match self.sets.iter().position(|s| s.pair == pair) {
            Some(i) => i,
            None if self.sets.len() < SETS => {
                self.sets.push(MemoSet {
                    pair,
                    used: 0,
                    seen: None,
                    bytes: Vec::new(),
                });
                self.sets.len() - 1
            }
            None => {
                let i = (0..self.sets.len())
                    .min_by_key(|&i| self.sets[i].used)
                    .expect("sets exist");
                self.sets[i].pair = pair;
                self.sets[i].seen = None;
                i
            }
        };
        let s = &mut self.sets[i];
        s.used = self.clock;
        let log = nodes.changes();
        let (fc, fm) = (&nodes.cpu_free()[..n], &nodes.mem_free()[..n]);
        let changed = s
            .seen
            .filter(|_| s.bytes.len() == n)
            .and_then(|seen| log.since(seen));
        match changed {
            Some(changed) => {
                for node in changed {
                    let j = node as usize;
                    s.bytes[j] = fit_byte(cpu, mem, fc[j], fm[j]);
                }
            }
            None => {
                s.bytes.clear();
                s.bytes.resize(n, UNKNOWN);
            }
        }
        s.seen = Some(log.count());
        debug_assert!(
            s.bytes
                .iter()
                .zip(fc.iter().zip(fm))
                .all(|(&b, (&c, &m))| b == UNKNOWN || b == fit_byte(cpu, mem, c, m)),
            "free resources changed outside NodeTable::reserve/release"
        );
        &mut s.bytes
    }
}

/// Computes the [`UNKNOWN`] entries of `bytes`, the memo bytes of the nodes whose free resources
/// are `free_cpu` and `free_mem`, for a pod requesting `cpu` and `mem`; returns whether there
/// was one.
pub fn fill_unknown(
    bytes: &mut [u8],
    cpu: i64,
    mem: i64,
    free_cpu: &[i64],
    free_mem: &[i64],
) -> bool {
    let mut any = false;
    for ((b, &c), &m) in bytes.iter_mut().zip(free_cpu).zip(free_mem) {
        if *b == UNKNOWN {
            *b = fit_byte(cpu, mem, c, m);
            any = true;
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(free: &[(i64, i64)]) -> NodeTable {
        let mut t = NodeTable::default();
        for (i, &(c, m)) in free.iter().enumerate() {
            t.push(format!("n{i}"), 0, 0, c, m, Default::default(), 1.0);
        }
        t
    }

    #[test]
    fn the_byte_flags_a_misfit_and_carries_the_balanced_value_otherwise() {
        assert_eq!(fit_byte(1000, 1 << 30, 999, 4 << 30), NO_FIT);
        assert_eq!(fit_byte(1000, 1 << 30, 4000, 1 << 29), NO_FIT);
        // cpu share 0.25, memory share 0.25: (1 − 0) × 10.
        assert_eq!(fit_byte(1000, 1 << 30, 4000, 4 << 30), 10);
        // cpu share 0.5, memory share 0.25: trunc(0.75 × 10).
        assert_eq!(fit_byte(1000, 1 << 30, 2000, 4 << 30), 7);
    }

    /// The memo's column with its unknown entries filled, as the scan does.
    fn known(memo: &mut FitMemo, cpu: i64, mem: i64, t: &NodeTable) -> Vec<u8> {
        let bytes = memo.column(cpu, mem, t);
        fill_unknown(bytes, cpu, mem, t.cpu_free(), t.mem_free());
        bytes.to_vec()
    }

    #[test]
    fn the_memo_follows_reserve_and_release_and_rebuilds_when_the_log_is_overrun() {
        let mut t = table(&[(4000, 4 << 30), (2000, 4 << 30), (1000, 1 << 30)]);
        let mut memo = FitMemo::default();
        let (cpu, mem) = (1000, 1 << 30);
        assert_eq!(memo.column(cpu, mem, &t), [UNKNOWN; 3], "computed lazily");
        assert_eq!(known(&mut memo, cpu, mem, &t), [10, 7, 0]);
        t.reserve(0, 2000, 0);
        assert_eq!(known(&mut memo, cpu, mem, &t), [7, 7, 0]);
        t.reserve(2, 1, 0);
        assert_eq!(known(&mut memo, cpu, mem, &t)[2], NO_FIT);
        // Other request pairs have their own bytes; more than `SETS` recycle the oldest.
        for c in 1..=SETS as i64 {
            assert_eq!(known(&mut memo, c, 0, &t).len(), 3);
        }
        assert_eq!(memo.column(cpu, mem, &t), [UNKNOWN; 3], "recycled");
        assert_eq!(known(&mut memo, cpu, mem, &t), [7, 7, NO_FIT]);
        // Node 0 changes, then more changes than the log holds: node 0's is no longer listed,
        // so the memo must rebuild rather than replay the log's tail.
        t.release(0, 2000, 0);
        for _ in 0..crate::cluster::change_log::CAPACITY {
            t.reserve(1, 0, 0);
        }
        assert_eq!(memo.column(cpu, mem, &t), [UNKNOWN; 3], "rebuilt");
        assert_eq!(known(&mut memo, cpu, mem, &t), [10, 7, NO_FIT]);
    }
}
