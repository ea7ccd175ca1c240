//! Workloads: start times (including `after_ready`), arrival scheduling and retirement, which
//! closes the horizon of runs without a configured one.

use super::{Event, Simulation};
use crate::engine::SimTime;

impl Simulation<'_> {
    /// Starts generating a workload's arrivals at `max(now, start)`.
    pub(super) fn start_workload(&mut self, wi: u32) {
        let w = &mut self.workloads[wi as usize];
        let start = if w.start == SimTime::NEVER {
            self.now
        } else {
            w.start
        };
        w.start = start;
        w.waiting_ready = false;
        w.last = start;
        let end = self.model.workloads[wi as usize]
            .duration
            .map(|d| start.plus(d))
            .unwrap_or(SimTime::NEVER);
        w.end = match self.horizon {
            Some(h) if self.model.run.horizon.is_some() => end.min(h),
            _ => end,
        };
        self.schedule_next_arrival(wi);
    }

    /// Schedules a workload's next arrival, or retires the workload.
    pub(super) fn schedule_next_arrival(&mut self, wi: u32) {
        let w = &mut self.workloads[wi as usize];
        if w.remaining == 0 {
            self.retire_workload(wi);
            return;
        }
        let process = &self.model.workloads[wi as usize].process;
        let ia = process.next_ia(w.last.as_secs_f64(), &mut w.rng);
        let t = w.last.plus(SimTime::from_secs_f64(ia));
        if t >= w.end {
            self.retire_workload(wi);
            return;
        }
        w.last = t;
        w.remaining -= 1;
        self.queue.push(t, Event::Arrival { workload: wi });
    }

    fn retire_workload(&mut self, wi: u32) {
        let w = &mut self.workloads[wi as usize];
        if w.active {
            w.active = false;
            self.generating -= 1;
            if self.generating == 0 {
                self.close_horizon();
            }
        }
    }

    /// Starts `after_ready` workloads whose deployments all have a Running replica.
    pub(super) fn check_ready_workloads(&mut self) {
        for wi in 0..self.workloads.len() {
            let w = &self.workloads[wi];
            if w.waiting_ready
                && self.model.workloads[wi]
                    .ready_for
                    .iter()
                    .all(|&f| self.functions[f as usize].running > 0)
            {
                self.start_workload(wi as u32);
            }
        }
    }
}
