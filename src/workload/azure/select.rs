//! `Selection`: which functions of a trace are replayed (`docs/workloads.md`).
//!
//! Candidates are (key, invocations in the window) pairs in ascending key order; the result is
//! in ascending key order too, so a function's index does not depend on how it was chosen.

use crate::engine::SimRng;
use crate::workload::WorkloadError;
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// A rule choosing functions from a trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Selection {
    /// Every function with at least one invocation in the window.
    All {},
    /// The `count` functions with most invocations in the window (ties by key, ascending).
    Top {
        /// How many.
        count: usize,
    },
    /// `count` functions drawn without replacement among those with an invocation in the window.
    Sample {
        /// How many.
        count: usize,
    },
    /// Explicit function hashes (`HashFunction` in 2019, `func` in 2021).
    List {
        /// The hashes.
        ids: Vec<String>,
    },
}

/// Applies `sel` to `candidates` (sorted by key); `name` extracts the function hash a `list`
/// matches. Draws from `rng` only for `sample`.
pub fn select<K: Ord + Clone>(
    candidates: &[(K, u64)],
    sel: &Selection,
    name: impl Fn(&K) -> &str,
    rng: &mut SimRng,
) -> Result<Vec<K>, WorkloadError> {
    let active: Vec<&(K, u64)> = candidates.iter().filter(|(_, c)| *c > 0).collect();
    let mut out: Vec<K> = match sel {
        Selection::All {} => active.iter().map(|(k, _)| k.clone()).collect(),
        Selection::Top { count } => {
            let mut by_count = active.clone();
            by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            by_count
                .into_iter()
                .take(*count)
                .map(|(k, _)| k.clone())
                .collect()
        }
        Selection::Sample { count } => {
            // Partial Fisher–Yates over the candidates in key order.
            let mut pool: Vec<&K> = active.iter().map(|(k, _)| k).collect();
            let n = (*count).min(pool.len());
            for i in 0..n {
                let j = rng.random_range(i..pool.len());
                pool.swap(i, j);
            }
            pool[..n].iter().map(|k| (*k).clone()).collect()
        }
        Selection::List { ids } => candidates
            .iter()
            .filter(|(k, _)| ids.iter().any(|id| id == name(k)))
            .map(|(k, _)| k.clone())
            .collect(),
    };
    out.sort();
    if out.is_empty() {
        return Err(WorkloadError::EmptySelection(format!(
            "the function selection {} matches no function with invocations in the window ({} functions in the trace, {} with invocations); widen the window or change the selection",
            describe(sel),
            candidates.len(),
            active.len()
        )));
    }
    Ok(out)
}

fn describe(sel: &Selection) -> String {
    match sel {
        Selection::All {} => "`all`".into(),
        Selection::Top { count } => format!("`top {{ count = {count} }}`"),
        Selection::Sample { count } => format!("`sample {{ count = {count} }}`"),
        Selection::List { ids } => format!("`list {{ ids = {ids:?} }}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream_rng;

    fn cands() -> Vec<(String, u64)> {
        vec![
            ("a".into(), 5),
            ("b".into(), 9),
            ("c".into(), 0),
            ("d".into(), 9),
            ("e".into(), 1),
        ]
    }

    fn run(sel: Selection) -> Result<Vec<String>, WorkloadError> {
        select(
            &cands(),
            &sel,
            |k| k.as_str(),
            &mut stream_rng(1, "trace/select"),
        )
    }

    #[test]
    fn top_takes_the_busiest_breaking_ties_by_key() {
        assert_eq!(run(Selection::Top { count: 2 }).unwrap(), ["b", "d"]);
        assert_eq!(run(Selection::Top { count: 3 }).unwrap(), ["a", "b", "d"]);
    }

    #[test]
    fn a_sample_is_seeded_distinct_and_skips_idle_functions() {
        let s = run(Selection::Sample { count: 3 }).unwrap();
        assert_eq!(s.len(), 3);
        assert!(!s.contains(&"c".to_string()));
        assert_eq!(s, run(Selection::Sample { count: 3 }).unwrap());
        assert_eq!(run(Selection::Sample { count: 99 }).unwrap().len(), 4);
    }

    #[test]
    fn a_selection_matching_nothing_is_an_error() {
        let e = run(Selection::List {
            ids: vec!["zz".into()],
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("matches no function"), "{e}");
    }
}
