//! Per-node memo of a score that depends only on the pod's request pair and two per-node
//! integers (e.g. remaining allocatable CPU and memory).
//!
//! Between two decisions only the nodes that received or lost a pod change, so in a full scan
//! almost every node's value can be reused. A node whose inputs differ from the memo is
//! recomputed, which keeps the memo exact whatever changed the inputs. The last [`SETS`]
//! distinct request pairs are kept (least recently used is replaced).

/// Request pairs memoised at once.
pub const SETS: usize = 4;

/// One request pair's memo.
#[derive(Clone, Debug)]
pub struct MemoSet<V> {
    key: (i64, i64),
    used: u64,
    a: Vec<i64>,
    b: Vec<i64>,
    value: Vec<V>,
}

impl<V: Copy> MemoSet<V> {
    /// The memo's columns as slices, for loops (slices keep their bounds in registers).
    #[inline(always)]
    pub fn columns(&mut self) -> MemoCols<'_, V> {
        MemoCols {
            a: &mut self.a,
            b: &mut self.b,
            value: &mut self.value,
        }
    }

    /// The value of node `n` with inputs `(a, b)`, computed by `f` if not memoised.
    #[inline(always)]
    pub fn get(&mut self, n: usize, a: i64, b: i64, f: impl FnOnce(i64, i64) -> V) -> V {
        self.columns().get(n, a, b, f)
    }

    /// The raw columns `(a, b, value)`, for kernels that test whole chunks at once: an entry is
    /// valid for node `n` only while the node's inputs equal `a[n]` and `b[n]`, so a kernel must
    /// compare them before using `value[n]` and store all three when it recomputes.
    #[inline(always)]
    pub fn parts(&mut self) -> (&mut [i64], &mut [i64], &mut [V]) {
        (&mut self.a, &mut self.b, &mut self.value)
    }
}

/// Borrowed columns of a [`MemoSet`].
pub struct MemoCols<'m, V> {
    a: &'m mut [i64],
    b: &'m mut [i64],
    value: &'m mut [V],
}

impl<V: Copy> MemoCols<'_, V> {
    /// The value of node `n` with inputs `(a, b)`, computed by `f` if not memoised.
    #[inline(always)]
    pub fn get(&mut self, n: usize, a: i64, b: i64, f: impl FnOnce(i64, i64) -> V) -> V {
        if self.a[n] == a && self.b[n] == b {
            self.value[n]
        } else {
            let v = f(a, b);
            self.a[n] = a;
            self.b[n] = b;
            self.value[n] = v;
            v
        }
    }
}

/// Memo sets for the last few request pairs, over `n` nodes.
#[derive(Clone, Debug, Default)]
pub struct PairMemo<V> {
    sets: Vec<MemoSet<V>>,
    clock: u64,
}

impl<V: Copy + Default> PairMemo<V> {
    /// The memo of request pair `key` for `n` nodes (created or recycled if needed).
    pub fn set(&mut self, key: (i64, i64), n: usize) -> &mut MemoSet<V> {
        self.clock += 1;
        let i = match self
            .sets
            .iter()
            .position(|s| s.key == key && s.a.len() == n)
        {
            Some(i) => i,
            None if self.sets.len() < SETS => {
                self.sets.push(MemoSet {
                    key,
                    used: 0,
                    a: vec![i64::MIN; n],
                    b: vec![i64::MIN; n],
                    value: vec![V::default(); n],
                });
                self.sets.len() - 1
            }
            None => {
                let i = (0..self.sets.len())
                    .min_by_key(|&i| self.sets[i].used)
                    .expect("sets exist");
                let s = &mut self.sets[i];
                s.key = key;
                s.a.clear();
                s.a.resize(n, i64::MIN);
                s.b.clear();
                s.b.resize(n, i64::MIN);
                s.value.resize(n, V::default());
                i
            }
        };
        let s = &mut self.sets[i];
        s.used = self.clock;
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_recomputes_changed_inputs_and_recycles_the_oldest_set() {
        let mut m: PairMemo<i64> = PairMemo::default();
        let mut calls = 0;
        let mut get = |m: &mut PairMemo<i64>, key, a, b| {
            m.set(key, 2).get(0, a, b, |a, b| {
                calls += 1;
                a * 10 + b + key.0
            })
        };
        assert_eq!(get(&mut m, (1, 0), 2, 3), 24);
        assert_eq!(get(&mut m, (1, 0), 2, 3), 24);
        assert_eq!(get(&mut m, (1, 0), 2, 4), 25);
        for k in 2..=5 {
            get(&mut m, (k, 0), 2, 4);
        }
        // Set (1, 0) was the least recently used and has been recycled.
        assert_eq!(get(&mut m, (1, 0), 2, 4), 25);
        assert_eq!(calls, 7);
    }
}
