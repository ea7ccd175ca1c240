//! Workload sources: where a run's requests come from.
//!
//! [`WorkloadSources`] owns one source per workload of the model and the count of those still
//! generating. Each source keeps exactly one pending arrival: the run asks for the next one
//! ([`WorkloadSources::next_arrival`]) when the previous arrives, and schedules it as an event.
//! A source is a rate profile sampled by an inter-arrival process ([`Source::Rate`]), a
//! recorded-arrivals file ([`Source::Replay`]) or a public trace ([`Source::Azure2019`],
//! [`Source::Azure2021`]), all answering the same question — when is the next request, for which
//! function, and does it carry a recorded duration (`docs/workloads.md`). Files are read as the
//! run advances: a trace source holds one pending request, never the trace.

use crate::engine::{stream_rng, SimRng, SimTime};
use crate::model::{ArrivalKind, OpenedTrace, WorkloadModel, WorkloadStart};
use crate::workload::arrivals::PoissonGap;
use crate::workload::azure::{Azure2019Replay, Azure2021Replay, TraceRequest};
use crate::workload::{RandomWalk, Replay, WorkloadError};
use std::sync::Arc;

/// How one workload produces arrivals.
pub enum Source {
    /// Inter-arrival times drawn from the model's process over its rate profile.
    Rate {
        /// The workload's arrival stream.
        rng: SimRng,
        /// Time of the last arrival generated (the start before the first).
        last: SimTime,
        /// faas-sim's random-walk rate (its state), queried once per arrival.
        walk: Option<RandomWalk>,
        /// The process's gap when it is `poisson` over a constant rate without a walk (the
        /// common case, drawn without consulting the rate curve).
        gap: Option<PoissonGap>,
    },
    /// Recorded arrivals, opened when the workload starts (times are relative to the start).
    Replay(Option<Box<Replay>>),
    /// An Azure 2019 window; times are relative to the start.
    Azure2019 {
        /// The lazy replay (built when the workload starts).
        replay: Option<Box<Azure2019Replay>>,
        /// Function id of each selected function.
        functions: Arc<[u32]>,
    },
    /// An Azure 2021 file; times are relative to the start.
    Azure2021 {
        /// The lazy replay (opened when the workload starts).
        replay: Option<Box<Azure2021Replay>>,
        /// Function id of each selected function.
        functions: Arc<[u32]>,
    },
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Rate { .. } => "Rate",
            Source::Replay(_) => "Replay",
            Source::Azure2019 { .. } => "Azure2019",
            Source::Azure2021 { .. } => "Azure2021",
        })
    }
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
    /// The function of the pending arrival.
    pending_function: u32,
    /// The recorded duration of the pending arrival (`SimTime::NEVER`: none).
    pending_duration: SimTime,
    /// The execution model the pending arrival names (0: the container's `exec`).
    pending_exec_model: u16,
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
    /// The run's master seed (trace synthesis streams derive from it unless a trace fixes one).
    seed: u64,
    /// A file that could not be read further (the run stops with this message).
    error: Option<String>,
}

impl WorkloadSources {
    /// One source per workload, with its stream seeded from `seed`.
    pub fn new(workloads: &[WorkloadModel], seed: u64) -> WorkloadSources {
        let sources: Vec<WorkloadState> = workloads
            .iter()
            .map(|w| {
                let (start, waiting_ready) = match w.start {
                    WorkloadStart::At(t) => (t, false),
                    WorkloadStart::AfterReady | WorkloadStart::AfterAllReady => {
                        (SimTime::NEVER, true)
                    }
                };
                let source = match &w.kind {
                    ArrivalKind::Rate => Source::Rate {
                        rng: stream_rng(seed, &w.stream),
                        last: SimTime::ZERO,
                        walk: w.walk.clone(),
                        gap: match w.walk {
                            Some(_) => None,
                            None => w.process.constant_poisson(),
                        },
                    },
                    ArrivalKind::Replay { .. } => Source::Replay(None),
                    ArrivalKind::Trace(t) => match &t.trace {
                        OpenedTrace::Azure2019(_) => Source::Azure2019 {
                            replay: None,
                            functions: Arc::clone(&t.functions),
                        },
                        OpenedTrace::Azure2021(_) => Source::Azure2021 {
                            replay: None,
                            functions: Arc::clone(&t.functions),
                        },
                    },
                };
                WorkloadState {
                    function: w.function,
                    active: true,
                    waiting_ready,
                    start,
                    end: SimTime::NEVER,
                    remaining: w.max_requests,
                    source,
                    pending_function: w.function,
                    pending_duration: SimTime::NEVER,
                    pending_exec_model: 0,
                }
            })
            .collect();
        WorkloadSources {
            generating: sources.len() as u32,
            sources,
            seed,
            error: None,
        }
    }

    /// True once a file could not be read further: a read-only test the run makes after every
    /// event, before it takes the message ([`WorkloadSources::take_error`]).
    #[inline]
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// The message of a file that could not be read further, once (the run then stops).
    pub fn take_error(&mut self) -> Option<String> {
        self.error.take()
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

    /// Workload `wi`'s pending arrival: its function, its recorded duration
    /// (`SimTime::NEVER`: none) and the execution model it names (0: the container's `exec`).
    #[inline]
    pub fn pending(&self, wi: u32) -> (u32, SimTime, u16) {
        let w = &self.sources[wi as usize];
        (w.pending_function, w.pending_duration, w.pending_exec_model)
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
        let opened = match (&mut w.source, &model.kind) {
            (Source::Rate { last, .. }, _) => {
                *last = start;
                Ok(())
            }
            (
                Source::Replay(r),
                ArrivalKind::Replay {
                    path,
                    function_name,
                },
            ) => Replay::open(path, function_name, start).map(|o| *r = Some(Box::new(o))),
            (Source::Azure2019 { replay, .. }, ArrivalKind::Trace(t)) => match &t.trace {
                OpenedTrace::Azure2019(trace) => {
                    *replay = Some(Box::new(trace.replay(t.seed.unwrap_or(self.seed))));
                    Ok(())
                }
                OpenedTrace::Azure2021(_) => unreachable!("sources follow their model"),
            },
            (Source::Azure2021 { replay, .. }, ArrivalKind::Trace(t)) => match &t.trace {
                OpenedTrace::Azure2021(trace) => {
                    trace.replay().map(|o| *replay = Some(Box::new(o)))
                }
                OpenedTrace::Azure2019(_) => unreachable!("sources follow their model"),
            },
            _ => unreachable!("sources follow their model"),
        };
        if let Err(e) = opened {
            self.error = Some(e.to_string());
            return self.retire(wi);
        }
        let end = model
            .duration
            .map(|d| start.plus(d))
            .unwrap_or(SimTime::NEVER);
        w.end = horizon.map_or(end, |h| end.min(h));
        self.next_arrival(wi, model)
    }

    /// The next arrival of workload `wi`, drawn now (the previous one is arriving). Always
    /// inlined into the arrival's handler, with the short paths of rate sources and of Azure
    /// 2019 requests within a minute; the rest is `next_file_arrival`'s.
    #[inline(always)]
    pub fn next_arrival(&mut self, wi: u32, model: &WorkloadModel) -> NextArrival {
        let w = &mut self.sources[wi as usize];
        if w.remaining == 0 {
            return self.retire(wi);
        }
        let (rng, last, walk, gap) = match &mut w.source {
            Source::Rate {
                rng,
                last,
                walk,
                gap,
            } => (rng, last, walk, gap),
            // The short path of an Azure 2019 request within the current minute; starting a
            // minute, reading a day's file and ending are `next_file_arrival`'s.
            Source::Azure2019 {
                replay: Some(replay),
                functions,
            } => {
                let Some(q) = replay.next_in_minute() else {
                    return self.next_file_arrival(wi);
                };
                let a = trace_arrival(q, w.start, functions);
                return self.pend(wi, a);
            }
            _ => return self.next_file_arrival(wi),
        };
        // Draw order per arrival: the walk's step, then the process's draw.
        let ia = match (gap, walk) {
            (Some(gap), _) => gap.draw(rng),
            (None, Some(walk)) => model.process.ia_for_rate(walk.next_rate(rng), rng),
            (None, None) => model.process.next_ia(last.as_secs_f64(), rng),
        };
        let t = last.plus(SimTime::from_secs_f64(ia));
        if t >= w.end {
            return self.retire(wi);
        }
        *last = t;
        // A rate source's pending function, duration and model never change (set in `new`).
        w.remaining -= 1;
        NextArrival::At(t)
    }

    /// [`WorkloadSources::next_arrival`] of a source that reads a file (a replay or a trace).
    fn next_file_arrival(&mut self, wi: u32) -> NextArrival {
        let w = &mut self.sources[wi as usize];
        let start = w.start;
        let next: Result<Option<PendingArrival>, WorkloadError> = match &mut w.source {
            Source::Rate { .. } => unreachable!("rate sources draw in `next_arrival`"),
            Source::Replay(r) => r
                .as_mut()
                .expect("opened at the start")
                .next_arrival()
                .map(|a| a.map(|(t, d)| (t, w.function, d.unwrap_or(SimTime::NEVER), 0))),
            Source::Azure2019 { replay, functions } => replay
                .as_mut()
                .expect("built at the start")
                .next_request()
                .map(|q| q.map(|q| trace_arrival(q, start, functions))),
            Source::Azure2021 { replay, functions } => replay
                .as_mut()
                .expect("opened at the start")
                .next_request()
                .map(|q| q.map(|q| trace_arrival(q, start, functions))),
        };
        match next {
            Ok(Some(a)) => self.pend(wi, a),
            Ok(None) => self.retire(wi),
            Err(e) => {
                self.error = Some(e.to_string());
                self.retire(wi)
            }
        }
    }

    /// Makes `(time, function, duration, execution model)` workload `wi`'s pending arrival,
    /// unless it lies at or past the workload's end.
    #[inline]
    fn pend(
        &mut self,
        wi: u32,
        (t, function, duration, exec_model): PendingArrival,
    ) -> NextArrival {
        let w = &mut self.sources[wi as usize];
        if t >= w.end {
            return self.retire(wi);
        }
        w.pending_function = function;
        w.pending_duration = duration;
        w.pending_exec_model = exec_model;
        w.remaining -= 1;
        NextArrival::At(t)
    }

    fn retire(&mut self, wi: u32) -> NextArrival {
        // A finished file is closed now, not at the end of the run.
        match &mut self.sources[wi as usize].source {
            Source::Replay(r) => *r = None,
            Source::Azure2019 { replay, .. } => *replay = None,
            Source::Azure2021 { replay, .. } => *replay = None,
            Source::Rate { .. } => {}
        }
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

/// An arrival read from a file: (time since the run's start, function id, recorded duration or
/// `NEVER`, execution model).
type PendingArrival = (SimTime, u32, SimTime, u16);

/// A trace request as a [`PendingArrival`].
#[inline]
fn trace_arrival(q: TraceRequest, start: SimTime, functions: &[u32]) -> PendingArrival {
    (
        start.plus(q.time),
        functions[q.function as usize],
        q.duration.unwrap_or(SimTime::NEVER),
        q.exec_model,
    )
}
