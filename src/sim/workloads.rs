//! Workloads: start times (including `after_ready`) and arrival scheduling; the sources
//! themselves ([`crate::workload::WorkloadSources`]) decide when the next request comes, and the
//! retirement of the last one closes the horizon of runs without a configured one.

use super::{Event, Simulation};
use crate::model::WorkloadStart;
use crate::workload::NextArrival;

impl Simulation<'_> {
    pub(super) fn start_workload(&mut self, wi: u32) {
        let model = &self.model.workloads[wi as usize];
        let next = self
            .workloads
            .start(wi, model, self.now, self.model.run.horizon);
        self.on_next_arrival(wi, next);
    }

    pub(super) fn schedule_next_arrival(&mut self, wi: u32) {
        let next = self
            .workloads
            .next_arrival(wi, &self.model.workloads[wi as usize]);
        self.on_next_arrival(wi, next);
    }

    #[inline(always)] // into the arrival path, with the queue's push (docs/performance.md, round 9)
    fn on_next_arrival(&mut self, wi: u32, next: NextArrival) {
        match next {
            NextArrival::At(t) => {
                self.queue.push(t, Event::Arrival { workload: wi });
            }
            NextArrival::Retired { last: true } => self.close_horizon(),
            NextArrival::Retired { last: false } | NextArrival::Done => {}
        }
    }

    /// Starts every waiting workload whose deployments are ready: one Running replica each for
    /// `after_ready`, `max(1, scale_min)` each for `after_all_ready`.
    pub(super) fn check_ready_workloads(&mut self) {
        for wi in 0..self.workloads.len() as u32 {
            if !self.workloads.waiting_ready(wi) {
                continue;
            }
            let w = &self.model.workloads[wi as usize];
            let all = w.start == WorkloadStart::AfterAllReady;
            let ready = w.ready_for.iter().all(|&f| {
                let needed = if all {
                    self.model.functions[f as usize].scaling.scale_min.max(1)
                } else {
                    1
                };
                self.functions[f as usize].running >= needed
            });
            if ready {
                self.start_workload(wi);
            }
        }
    }
}
