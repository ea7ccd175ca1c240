//! Workload sources: where a run's requests come from.
//!
//! [`WorkloadSources`] owns one source per workload of the model and the count of those still
//! generating. Each source keeps exactly one pending arrival: the run asks for the next one
//! ([`WorkloadSources::next_arrival`]) when the previous arrives, and schedules it as an event.
//! Today every source is [`Source::Rate`], a rate profile sampled by an inter-arrival process
//! (`docs/scenario.md`, `workloads`); a trace reader or another arrival process is a new variant
//! of [`Source`] answering the same question — when is the next request, if any.

use crate::engine::{stream_rng, SimRng, SimTime};
use crate::model::{WorkloadModel, WorkloadStart};
use crate::workload::RandomWalk;

/// How one workload produces arrivals.
#[derive(Debug)]
pub enum Source {
    /// Inter-arrival times drawn from the model's process over its rate profile.
    Rate {
        /// The workload's arrival stream.
        rng: SimRng,
        /// Time of the last arrival generated (the start before the first).
        last: SimTime,
        /// faas-sim's random-walk rate (its state), queried once per arrival.
        walk: Option<RandomWalk>,
    },
}

/// Run-time state of one workload (its description is the model's [`WorkloadModel`]).
#[derive(Debug)]
struct WorkloadState {
    function: u32,
    /// Still producing arrivals (or waiting to start).
    active: bool,
    /// Waiting for `after_ready`.
    waiting_ready: bool,
    start: SimTime,
    end: SimTime,
    remaining: u64,
    source: Source,
}

/// What a source does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextArrival {
    /// Its next request arrives at this time.
    At(SimTime),
    /// It has stopped generating; `last` is true if it was the last source still generating.
    Retired {
        /// No source generates any more.
        last: bool,
    },
    /// It had already stopped.
    Done,
}

/// The workload sources of a run.
#[derive(Debug)]
pub struct WorkloadSources {
    sources: Vec<WorkloadState>,
    generating: u32,
}

impl WorkloadSources {
    /// One source per workload, with its stream seeded from `seed`.
    pub fn new(workloads: &[WorkloadModel], seed: u64) -> WorkloadSources {
        let sources: Vec<WorkloadState> = workloads
            .iter()
            .map(|w| {
                let (start, waiting_ready) = match w.start {
                    WorkloadStart::At(t) => (t, false),
                    WorkloadStart::AfterReady => (SimTime::NEVER, true),
                };
                WorkloadState {
                    function: w.function,
                    active: true,
                    waiting_ready,
                    start,
                    end: SimTime::NEVER,
                    remaining: w.max_requests,
                    source: Source::Rate {
                        rng: stream_rng(seed, &w.stream),
                        last: SimTime::ZERO,
                        walk: w.walk.clone(),
                    },
                }
            })
            .collect();
        WorkloadSources {
            generating: sources.len() as u32,
            sources,
        }
    }

    /// Number of workloads.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// True without workloads.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Sources still generating (or waiting to start).
    pub fn generating(&self) -> u32 {
        self.generating
    }

    /// The function workload `wi` sends requests to.
    #[inline]
    pub fn function(&self, wi: u32) -> u32 {
        self.sources[wi as usize].function
    }

    /// Workload `wi` waits for its functions to have a Running replica (`after_ready`).
    pub fn waiting_ready(&self, wi: u32) -> bool {
        self.sources[wi as usize].waiting_ready
    }

    /// Starts workload `wi` now (or at its configured start): generation stops `duration` after
    /// the start, and never after a configured `horizon`. Returns its first arrival.
    pub fn start(
        &mut self,
        wi: u32,
        model: &WorkloadModel,
        now: SimTime,
        horizon: Option<SimTime>,
    ) -> NextArrival {
        let w = &mut self.sources[wi as usize];
        let start = if w.start == SimTime::NEVER {
            now
        } else {
            w.start
        };
        w.start = start;
        w.waiting_ready = false;
        match &mut w.source {
            Source::Rate { last, .. } => *last = start,
        }
        let end = model
            .duration
            .map(|d| start.plus(d))
            .unwrap_or(SimTime::NEVER);
        w.end = horizon.map_or(end, |h| end.min(h));
        self.next_arrival(wi, model)
    }

    /// The next arrival of workload `wi`, drawn now (the previous one is arriving).
    pub fn next_arrival(&mut self, wi: u32, model: &WorkloadModel) -> NextArrival {
        let w = &mut self.sources[wi as usize];
        if w.remaining == 0 {
            return self.retire(wi);
        }
        let t = match &mut w.source {
            Source::Rate { rng, last, walk } => {
                // Draw order per arrival: the walk's step, then the process's draw.
                let ia = match walk {
                    Some(w) => model.process.ia_for_rate(w.next_rate(rng), rng),
                    None => model.process.next_ia(last.as_secs_f64(), rng),
                };
                last.plus(SimTime::from_secs_f64(ia))
            }
        };
        if t >= w.end {
            return self.retire(wi);
        }
        match &mut w.source {
            Source::Rate { last, .. } => *last = t,
        }
        w.remaining -= 1;
        NextArrival::At(t)
    }

    fn retire(&mut self, wi: u32) -> NextArrival {
        let w = &mut self.sources[wi as usize];
        if !w.active {
            return NextArrival::Done;
        }
        w.active = false;
        self.generating -= 1;
        NextArrival::Retired {
            last: self.generating == 0,
        }
    }
}
