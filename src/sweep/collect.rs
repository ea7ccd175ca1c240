//! Gathering finished runs into their batches: the worker that hands in a batch's last run gets
//! the whole batch back, in `run_index` order, and encodes it at once (docs/sweeps.md,
//! "Streaming and memory"). Also counts what ran for the sweep's summary and progress.
//!
//! Runs finish in any order; the batch a run belongs to and its place in it follow from its
//! `run_index` alone, so the batches, and so the dataset, are the same whatever the order.

use std::collections::BTreeMap;

use super::plan::Sweep;
use super::progress::Progress;
use crate::metrics::{RunOutput, RunStatus};

/// Counts of the runs handed in.
#[derive(Debug, Default, PartialEq)]
pub(super) struct RunCounts {
    /// Runs handed in.
    pub executed: u64,
    /// Of those, status `error` or `timeout`.
    pub failed: u64,
    /// The failed run with the smallest `run_index`, with its error.
    pub first_failure: Option<(u32, String)>,
}

/// The runs of each incomplete batch and the counts so far.
pub(super) struct Collector<'a> {
    sweep: &'a Sweep,
    /// Per batch: its runs by position (`None` until handed in) and how many are in.
    slots: BTreeMap<u32, (Vec<Option<RunOutput>>, usize)>,
    counts: RunCounts,
    progress: Progress,
}

impl<'a> Collector<'a> {
    /// An empty collector for the batches of `sweep`.
    pub fn new(sweep: &'a Sweep, progress: Progress) -> Collector<'a> {
        Collector {
            sweep,
            slots: BTreeMap::new(),
            counts: RunCounts::default(),
            progress,
        }
    }

    /// Hands in a finished run; returns its batch's number and runs (in `run_index` order) if
    /// this was the batch's last missing run.
    pub fn add(&mut self, out: RunOutput) -> Option<(u32, Vec<RunOutput>)> {
        let i = out.run.id.run_index;
        let ok = out.run.status == RunStatus::Ok;
        self.progress.record(ok);
        self.counts.executed += 1;
        if !ok {
            self.counts.failed += 1;
            if self
                .counts
                .first_failure
                .as_ref()
                .is_none_or(|(j, _)| i < *j)
            {
                let msg = out.run.error.clone().unwrap_or_default();
                self.counts.first_failure = Some((i, msg));
            }
        }
        let b = i / self.sweep.runs_per_batch;
        let range = self.sweep.batch_runs(b);
        let (slot, filled) = self
            .slots
            .entry(b)
            .or_insert_with(|| ((0..range.len()).map(|_| None).collect(), 0));
        slot[(i - range.start) as usize] = Some(out);
        *filled += 1;
        if *filled < slot.len() {
            return None;
        }
        let (slot, _) = self.slots.remove(&b).expect("the batch is present");
        Some((b, slot.into_iter().map(|r| r.expect("complete")).collect()))
    }

    /// Whether no batch is partly handed in.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Ends the progress display and returns the counts.
    pub fn finish(mut self) -> RunCounts {
        self.progress.finish();
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{RunIdentity, RunRow};

    fn run(i: u32, status: RunStatus) -> RunOutput {
        let id = RunIdentity {
            run_index: i,
            ..Default::default()
        };
        RunOutput::failed(RunRow::new(id), status, format!("run {i}"))
    }

    #[test]
    fn a_batch_comes_back_complete_and_in_run_index_order_when_its_last_run_is_handed_in() {
        let sweep = Sweep::load(std::path::Path::new(
            "experiments/bench/sweep-short-1000.toml",
        ))
        .unwrap();
        let rpb = sweep.runs_per_batch;
        let mut c = Collector::new(&sweep, Progress::new(0, false));
        // The second batch's runs, last first; one run of the first batch in between.
        for i in (rpb + 1..2 * rpb).rev() {
            assert!(c.add(run(i, RunStatus::Ok)).is_none());
        }
        assert!(c.add(run(0, RunStatus::Error)).is_none());
        let (b, runs) = c.add(run(rpb, RunStatus::Timeout)).unwrap();
        assert_eq!(b, 1);
        let order: Vec<u32> = runs.iter().map(|r| r.run.id.run_index).collect();
        assert_eq!(order, (rpb..2 * rpb).collect::<Vec<_>>());
        assert!(!c.is_empty(), "batch 0 is still missing runs");
        let counts = c.finish();
        assert_eq!(counts.executed, u64::from(rpb) + 1);
        assert_eq!(counts.failed, 2);
        assert_eq!(counts.first_failure, Some((0, "run 0".to_string())));
    }
}
