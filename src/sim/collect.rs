//! Collects a run's output: turns the final state into its rows: `runs`, `summary`,
//! `latency_histograms`, `replicas`, plus the rows recorded during the run.

use super::Simulation;
use crate::engine::SimTime;
use crate::metrics::{
    EnabledTables, HistogramRow, InvocationRow, LatencyHistogram, MetricStats, Names, ReplicaRow,
    RunOutput, RunRow, SummaryRow,
};
use crate::output::HistogramPrecision;
use crate::platform::functions::{metric, HIST_METRICS};

fn stats(h: &LatencyHistogram) -> MetricStats {
    let s = |ns: Option<u64>| ns.map(|v| SimTime(v).as_secs_f64());
    let [p50, p90, p99, p999] = h.quantiles_ns([(1, 2), (9, 10), (99, 100), (999, 1000)]);
    MetricStats {
        mean: h.mean_ns().map(|m| m / 1e9),
        p50: s(p50),
        p90: s(p90),
        p99: s(p99),
        p999: s(p999),
        max: s(h.max_ns()),
    }
}

impl Simulation<'_> {
    /// Builds the run's output.
    pub(super) fn collect_output(mut self, mut run: RunRow) -> RunOutput {
        let end = self.last_event;
        self.finalize_requests();
        for f in &mut self.functions {
            f.integrate_counts(end);
        }
        let horizon_s = self
            .horizon
            .map(|h| h.as_secs_f64())
            .unwrap_or(end.as_secs_f64());
        let span = end.0.max(1) as f64;

        let mut summary = Vec::with_capacity(self.functions.len() + 1);
        let mut total = SummaryRow::default();
        let mut total_hist: [LatencyHistogram; 6] = Default::default();
        let mut histograms = Vec::new();
        let precision = self.model.outputs.histogram_precision;
        // Without the table, its rows are not built (the summary still reads the histograms);
        // nor are the per-function rows of metrics `outputs.histogram_function_metrics` leaves
        // out, which would only be re-binned to be dropped (docs/outputs.md,
        // `latency_histograms`).
        let histogram_rows = self.model.outputs.latency_histograms;
        let function_metrics = self.model.outputs.histogram_function_metrics;
        for (fi, f) in self.functions.iter().enumerate() {
            let c = f.counts;
            // In `HIST_METRICS` order; only the four built from the split records are new,
            // the other two are read in place (no copy of their buckets per run).
            let [wait, queue, exec, response] = f.latencies.histograms();
            let hist = [&wait, &queue, &exec, &response, &f.cold_wait, &f.pull];
            let row = SummaryRow {
                function: Some(fi as u32),
                requests: c.requests,
                completed: c.completed,
                incomplete: c.incomplete,
                rejected: c.rejected,
                timed_out: c.timed_out,
                cold_starts: c.cold,
                stats: [
                    stats(hist[metric::WAIT]),
                    stats(hist[metric::QUEUE]),
                    stats(hist[metric::EXEC]),
                    stats(hist[metric::RESPONSE]),
                ],
                replicas_max: f.replicas_max,
                replicas_mean: f.live_integral as f64 / span,
                running_mean: f.running_integral as f64 / span,
                scale_ups: f.scale_ups,
                scale_downs: f.scale_downs,
                placements_failed: f.placements_failed,
                throughput_rps: if horizon_s > 0.0 {
                    c.completed as f64 / horizon_s
                } else {
                    0.0
                },
            };
            total.requests += row.requests;
            total.completed += row.completed;
            total.incomplete += row.incomplete;
            total.rejected += row.rejected;
            total.timed_out += row.timed_out;
            total.cold_starts += row.cold_starts;
            total.replicas_max += row.replicas_max;
            total.replicas_mean += row.replicas_mean;
            total.running_mean += row.running_mean;
            total.scale_ups += row.scale_ups;
            total.scale_downs += row.scale_downs;
            total.placements_failed += row.placements_failed;
            summary.push(row);
            for (mi, h) in hist.into_iter().enumerate() {
                total_hist[mi].merge(h);
                if histogram_rows && function_metrics.contains(HIST_METRICS[mi]) {
                    push_buckets(
                        &mut histograms,
                        Some(fi as u32),
                        HIST_METRICS[mi],
                        h,
                        precision,
                    );
                }
            }
        }
        total.stats = [
            stats(&total_hist[metric::WAIT]),
            stats(&total_hist[metric::QUEUE]),
            stats(&total_hist[metric::EXEC]),
            stats(&total_hist[metric::RESPONSE]),
        ];
        total.throughput_rps = if horizon_s > 0.0 {
            total.completed as f64 / horizon_s
        } else {
            0.0
        };
        if histogram_rows {
            for (mi, h) in total_hist.iter().enumerate() {
                push_buckets(&mut histograms, None, HIST_METRICS[mi], h, precision);
            }
        }

        run.sim_end = end;
        run.events_processed = self.events;
        run.requests = total.requests;
        run.completed = total.completed;
        run.incomplete = total.incomplete;
        run.rejected = total.rejected;
        run.timed_out = total.timed_out;
        run.cold_starts = total.cold_starts;
        run.replicas_created = self.replicas.created();
        run.replicas_failed = self.replicas_failed;
        run.placements = self.decisions;
        run.placements_failed = total.placements_failed;
        run.scale_actions = self.scale_actions;
        run.flows = self.network.transfers.count;
        run.flow_bytes = self.network.transfers.bytes;
        run.low_bandwidth_flows = self.network.transfers.low_bandwidth;
        run.warnings = self.model.trace_warnings.min(u32::MAX as u64) as u32;
        summary.push(total);

        let out = &self.model.outputs;
        let replicas = if out.replicas {
            self.all_replica_rows()
        } else {
            Vec::new()
        };
        let mut invocations: Vec<InvocationRow> = std::mem::take(&mut self.inv_rows);
        invocations.sort_by_key(|r| r.request_id);
        let names = Names {
            functions: self
                .model
                .functions
                .iter()
                .map(|f| f.name.clone())
                .collect(),
            nodes: self.cluster.nodes.name.clone(),
            images: self.cluster.images.names.clone(),
        };
        RunOutput {
            run,
            names,
            enabled: EnabledTables {
                invocations: self.model.invocation_sample.is_some(),
                placements: out.placements,
                scaling: out.scaling.enabled,
                replicas: out.replicas,
                replica_counts: out.replica_counts,
                utilization: out.utilization.enabled,
                latency_histograms: out.latency_histograms,
                flows: out.flows,
                links: out.links,
                nodes: out.nodes,
            },
            invocations,
            placements: std::mem::take(&mut self.placement_rows),
            scaling: std::mem::take(&mut self.scaling_rows),
            replicas,
            replica_counts: std::mem::take(&mut self.count_rows),
            utilization: std::mem::take(&mut self.util_rows),
            summary,
            histograms,
            flows: self.network.transfers.take_rows(),
            links: if out.links {
                self.network.transfers.link_rows(&self.cluster.links, end)
            } else {
                Vec::new()
            },
            nodes: if out.nodes {
                self.cluster.node_rows()
            } else {
                Vec::new()
            },
        }
    }

    /// The rows of every replica of the run in creation order: those that ended were written
    /// when they ended, the live ones are written now.
    fn all_replica_rows(&mut self) -> Vec<ReplicaRow> {
        let mut rows = std::mem::take(&mut self.replica_rows);
        for slot in 0..self.replicas.slots() as u32 {
            if !self.replicas.state[slot as usize].is_terminal() {
                rows.push(self.replica_row(slot));
            }
        }
        rows.sort_unstable_by_key(|r| r.replica_id);
        rows
    }

    /// The `replicas` row of the replica in `slot`, as it stands now.
    pub(super) fn replica_row(&self, slot: u32) -> ReplicaRow {
        let t = &self.replicas;
        let i = slot as usize;
        let fi = t.function[i] as usize;
        let f = &self.model.functions[fi];
        let c = &f.containers[t.container[i] as usize];
        let deployed = t.pull_kind[i] != 0;
        let state = t.state[i];
        ReplicaRow {
            replica_id: t.id[i],
            function: t.function[i],
            image: t.image[i],
            pod_n: t.pod_n[i],
            attempt: t.attempt[i],
            parent_replica_id: (t.parent[i] != u32::MAX).then_some(t.parent[i]),
            node: (t.node[i] != u32::MAX).then_some(t.node[i]),
            cpu_request_m: c.cpu as u32,
            memory_request_bytes: c.mem as u64,
            created: t.t_created[i],
            scheduled: t.t_scheduled[i],
            deploying: t.t_deploying[i],
            starting: t.t_starting[i],
            setup_start: t.t_setup[i],
            running: t.t_running[i],
            teardown: t.t_teardown[i],
            ended: t.t_ended[i],
            final_state: state.as_str(),
            end_reason: if state.is_terminal() {
                t.end_reason[i]
            } else {
                None
            },
            pull_bytes: deployed.then_some(t.pull_bytes[i]),
            pull: if t.t_starting[i].is_set() {
                t.t_starting[i].since(t.t_deploying[i])
            } else {
                SimTime::NEVER
            },
            pull_cached: deployed.then_some(t.pull_kind[i] == 2),
            pull_joined: deployed.then_some(t.pull_kind[i] == 3),
            requests_served: self.compute.served(i as u32),
        }
    }
}

fn push_buckets(
    out: &mut Vec<HistogramRow>,
    function: Option<u32>,
    metric: &'static str,
    h: &LatencyHistogram,
    precision: HistogramPrecision,
) {
    out.extend(HistogramRow::of(function, metric, h, precision));
}
