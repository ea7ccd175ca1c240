//! `SharedCpu`: processor sharing of one node's cores among the requests computing on it
//! (`docs/workloads.md`, "CPU contention").
//!
//! A request's execution sample is its *work*: seconds it would take alone. A replica `r` with
//! `k_r` requests computing is *busy*; `L` is the sum of the CPU shares `s_r` of the busy
//! replicas and `C` the node's cores. Each computing request of `r` progresses at
//!
//! ```text
//! rate = 1 / (k_r × max(1, L / C))
//! ```
//!
//! work-seconds per second (a degradation by co-location, [`super::Degradation`], has already
//! scaled the work). Rates change only when a request starts or finishes computing on the node; then every
//! remaining work is advanced at the old rates and every completion time recomputed, and the
//! caller moves the matching timers (`EventQueue::move_to`). Nothing here allocates per request
//! in steady state: jobs live in a slab with a free list.

use crate::engine::SimTime;

/// A handle on one computing request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(pub u32);

#[derive(Clone, Copy, Debug)]
struct Job {
    /// Index into `replicas`.
    slot: u32,
    /// Work left at `since`, seconds.
    remaining: f64,
    /// When `remaining` was last brought up to date.
    since: SimTime,
    /// Current predicted completion.
    completion: SimTime,
    /// When it started (for its slowdown).
    started: SimTime,
    /// Its total work, seconds.
    work: f64,
    live: bool,
}

/// A busy replica on the node: its share and its computing requests.
#[derive(Clone, Copy, Debug)]
struct Busy {
    replica: u32,
    share: f64,
    computing: u32,
}

/// The processor-sharing state of one node.
#[derive(Clone, Debug)]
pub struct SharedCpu {
    cores: f64,
    jobs: Vec<Job>,
    free: Vec<u32>,
    busy: Vec<Busy>,
    /// Σ shares of busy replicas.
    load: f64,
}

impl SharedCpu {
    /// A node with `cores` cores (> 0).
    pub fn new(cores: f64) -> SharedCpu {
        SharedCpu {
            cores,
            jobs: Vec::new(),
            free: Vec::new(),
            busy: Vec::new(),
            load: 0.0,
        }
    }

    /// The time multiplier every computing request currently has, before `k_r`.
    #[inline]
    fn stretch(&self) -> f64 {
        (self.load / self.cores).max(1.0)
    }

    /// Work-seconds per second of a request of `slot`.
    #[inline]
    fn rate(&self, slot: u32) -> f64 {
        1.0 / (self.busy[slot as usize].computing as f64 * self.stretch())
    }

    /// Brings every job's remaining work up to `now` at the current rates.
    fn advance(&mut self, now: SimTime) {
        for i in 0..self.jobs.len() {
            let j = self.jobs[i];
            if j.live {
                let dt = now.since(j.since).as_secs_f64();
                let rate = self.rate(j.slot);
                let job = &mut self.jobs[i];
                job.remaining = (j.remaining - dt * rate).max(0.0);
                job.since = now;
            }
        }
    }

    /// Recomputes every completion time; pushes the jobs whose time changed onto `moved`.
    fn retime(&mut self, now: SimTime, moved: &mut Vec<(JobId, SimTime)>) {
        for i in 0..self.jobs.len() {
            let j = self.jobs[i];
            if j.live {
                let t = now.plus(SimTime::from_secs_f64(j.remaining / self.rate(j.slot)));
                if t != j.completion {
                    self.jobs[i].completion = t;
                    moved.push((JobId(i as u32), t));
                }
            }
        }
    }

    /// A request of `replica` (CPU share `share`) starts `work` seconds of computing at `now`.
    /// Returns its handle and predicted completion; `moved` receives the other jobs whose
    /// completion changed.
    pub fn start(
        &mut self,
        now: SimTime,
        replica: u32,
        share: f64,
        work: f64,
        moved: &mut Vec<(JobId, SimTime)>,
    ) -> (JobId, SimTime) {
        self.advance(now);
        let slot = match self.busy.iter().position(|b| b.replica == replica) {
            Some(s) => {
                self.busy[s].computing += 1;
                s
            }
            None => {
                self.busy.push(Busy {
                    replica,
                    share,
                    computing: 1,
                });
                self.load += share;
                self.busy.len() - 1
            }
        } as u32;
        let job = Job {
            slot,
            remaining: work,
            since: now,
            completion: SimTime::NEVER,
            started: now,
            work,
            live: true,
        };
        let id = match self.free.pop() {
            Some(i) => {
                self.jobs[i as usize] = job;
                i
            }
            None => {
                self.jobs.push(job);
                self.jobs.len() as u32 - 1
            }
        };
        self.retime(now, moved);
        // The new job is not "moved": it had no timer yet.
        if let Some(p) = moved.iter().position(|(j, _)| j.0 == id) {
            moved.swap_remove(p);
        }
        (JobId(id), self.jobs[id as usize].completion)
    }

    /// The request `job` finishes at `now` (its completion event fired, or it was cancelled).
    /// Returns its slowdown, elapsed time over work (1 when the work was 0); `moved` receives the
    /// jobs whose completion changed.
    pub fn finish(&mut self, now: SimTime, job: JobId, moved: &mut Vec<(JobId, SimTime)>) -> f64 {
        self.advance(now);
        let j = self.jobs[job.0 as usize];
        debug_assert!(j.live, "finishing a job that is not computing");
        self.jobs[job.0 as usize].live = false;
        self.free.push(job.0);
        let s = j.slot as usize;
        self.busy[s].computing -= 1;
        if self.busy[s].computing == 0 {
            self.load -= self.busy[s].share;
            let last = self.busy.len() - 1;
            self.busy.swap_remove(s);
            if s != last {
                // The replica that moved into slot `s` keeps its jobs pointing at it.
                for k in self
                    .jobs
                    .iter_mut()
                    .filter(|k| k.live && k.slot as usize == last)
                {
                    k.slot = s as u32;
                }
            }
            if self.busy.is_empty() {
                self.load = 0.0; // no drift from repeated float subtraction
            }
        }
        self.retime(now, moved);
        let elapsed = now.since(j.started).as_secs_f64();
        if j.work > 0.0 {
            elapsed / j.work
        } else {
            1.0
        }
    }

    /// The predicted completion of a computing request.
    pub fn completion(&self, job: JobId) -> SimTime {
        self.jobs[job.0 as usize].completion
    }

    /// Used CPU of `replica` in millicores: `1000 × s_r × min(1, C / L)` while busy, else 0; the
    /// node's total never exceeds its capacity.
    pub fn used_millis(&self, replica: u32) -> f64 {
        self.busy
            .iter()
            .find(|b| b.replica == replica)
            .map_or(0.0, |b| {
                1000.0 * b.share * (self.cores / self.load).min(1.0)
            })
    }

    /// Used CPU of every busy replica, whole millicores, into `out` as `(replica, millicores)`:
    /// `1000 × s_r × min(1, C / L)` apportioned so that the node's total is exactly
    /// `min(L, C)` (each part is the difference of the rounded-down cumulative shares, within one
    /// millicore of its exact value). Integer parts keep the usage integrals exact.
    pub fn used_millis_by_replica(&self, out: &mut Vec<(u32, u64)>) {
        out.clear();
        let cap = (self.cores * 1000.0).round() as u128;
        let millis = |b: &Busy| (b.share * 1000.0).round() as u128;
        let load: u128 = self.busy.iter().map(millis).sum();
        if load <= cap {
            out.extend(self.busy.iter().map(|b| (b.replica, millis(b) as u64)));
            return;
        }
        let (mut cum, mut given) = (0u128, 0u128);
        for b in &self.busy {
            cum += millis(b);
            let upto = cap * cum / load;
            out.push((b.replica, (upto - given) as u64));
            given = upto;
        }
    }

    /// Requests computing on the node.
    pub fn computing(&self) -> u32 {
        self.busy.iter().map(|b| b.computing).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: f64) -> SimTime {
        SimTime::from_secs_f64(s)
    }

    /// Runs jobs `(start, replica, share, work)` to completion, firing completions in time
    /// order; returns each job's end time in seconds and slowdown.
    fn run(cores: f64, jobs: &[(f64, u32, f64, f64)]) -> Vec<(f64, f64)> {
        let mut cpu = SharedCpu::new(cores);
        let mut moved = Vec::new();
        let mut ids: Vec<Option<JobId>> = vec![None; jobs.len()];
        let mut out = vec![(f64::NAN, f64::NAN); jobs.len()];
        let mut next_start = 0;
        loop {
            // Earliest pending completion.
            let done = ids
                .iter()
                .enumerate()
                .filter_map(|(i, id)| id.map(|id| (cpu.completion(id), i)))
                .min();
            let start = jobs.get(next_start).map(|j| t(j.0));
            match (done, start) {
                (Some((tc, i)), s) if s.is_none_or(|s| tc <= s) => {
                    let slow = cpu.finish(tc, ids[i].take().unwrap(), &mut moved);
                    out[i] = (tc.as_secs_f64(), slow);
                }
                (_, Some(ts)) => {
                    let (s, r, sh, w) = jobs[next_start];
                    let _ = s;
                    ids[next_start] = Some(cpu.start(ts, r, sh, w, &mut moved).0);
                    next_start += 1;
                }
                _ => break,
            }
            moved.clear();
        }
        out
    }

    #[test]
    fn two_replicas_on_one_core_share_it_equally() {
        // A (work 2) and B (work 1) at t = 0 each progress at 1/2: B ends at 2; A, with 1 left,
        // then runs alone and ends at 3.
        let out = run(1.0, &[(0.0, 0, 1.0, 2.0), (0.0, 1, 1.0, 1.0)]);
        assert_eq!(out[1], (2.0, 2.0));
        assert_eq!(out[0], (3.0, 1.5));
    }

    #[test]
    fn three_overlapping_requests_on_two_cores() {
        // [0, 1): A alone, L = 1 ≤ 2, rate 1 → A has 2 left at t = 1.
        // [1, 2.5): A, B, C busy, L = 3 > 2, rates 2/3 → C (work 1) ends at 2.5; A and B have
        // 1 left each.
        // [2.5, 3.5): L = 2, rates 1 → A and B end at 3.5.
        let out = run(
            2.0,
            &[(0.0, 0, 1.0, 3.0), (1.0, 1, 1.0, 2.0), (1.0, 2, 1.0, 1.0)],
        );
        assert_eq!(out[2].0, 2.5);
        assert_eq!(out[0].0, 3.5);
        assert_eq!(out[1].0, 3.5);
        assert!((out[1].1 - 1.25).abs() < 1e-12);
    }

    #[test]
    fn requests_of_one_replica_split_its_share() {
        // One replica, two requests: k = 2, each at 1/2 although the node has spare cores.
        let out = run(4.0, &[(0.0, 7, 1.0, 1.0), (0.0, 7, 1.0, 1.0)]);
        assert_eq!(out, [(2.0, 2.0), (2.0, 2.0)]);
    }

    #[test]
    fn an_undersubscribed_node_runs_requests_at_full_speed() {
        let out = run(4.0, &[(0.0, 0, 1.0, 1.0), (0.5, 1, 2.0, 1.0)]);
        assert_eq!(out, [(1.0, 1.0), (1.5, 1.0)]);
    }

    #[test]
    fn used_cpu_never_exceeds_the_node() {
        let mut cpu = SharedCpu::new(1.0);
        let mut moved = Vec::new();
        cpu.start(t(0.0), 0, 1.0, 1.0, &mut moved);
        let (b, _) = cpu.start(t(0.0), 1, 1.0, 1.0, &mut moved);
        assert_eq!(moved.len(), 1); // A's completion moved from 1 s to 2 s
        assert_eq!(moved[0].1, t(2.0));
        assert_eq!(cpu.used_millis(0) + cpu.used_millis(1), 1000.0);
        assert_eq!(cpu.completion(b), t(2.0));
        assert_eq!(cpu.computing(), 2);
    }

    #[test]
    fn whole_millicore_use_of_an_oversubscribed_node_adds_up_to_its_capacity() {
        // Three replicas of one core each on one core: 1000/3 each, apportioned 333 + 333 + 334.
        let mut cpu = SharedCpu::new(1.0);
        let mut moved = Vec::new();
        for r in 0..3 {
            cpu.start(t(0.0), r, 1.0, 1.0, &mut moved);
        }
        let mut used = Vec::new();
        cpu.used_millis_by_replica(&mut used);
        assert_eq!(used, [(0, 333), (1, 333), (2, 334)]);
        // Under capacity every busy replica uses its whole share.
        let mut cpu = SharedCpu::new(4.0);
        cpu.start(t(0.0), 5, 0.25, 1.0, &mut moved);
        cpu.start(t(0.0), 6, 1.5, 1.0, &mut moved);
        cpu.used_millis_by_replica(&mut used);
        assert_eq!(used, [(5, 250), (6, 1500)]);
    }
}
