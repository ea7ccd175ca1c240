//! What one run hands to the output layer: its rows of every table ([`RunOutput`]) and which
//! optional tables it enabled.
//!
//! The row structs themselves are defined with their columns, one file per table, in
//! [`crate::output::tables`]; they are re-exported from [`crate::metrics`]. Names (functions,
//! nodes, images) are stored as dense ids and resolved through [`Names`] when the tables are
//! written; `SimTime::NEVER` marks a null time.

use super::names::Names;
use crate::output::tables::{
    FlowRow, HistogramRow, InvocationRow, LinkRow, NodeRow, PlacementRow, ReplicaCountRow,
    ReplicaRow, RunRow, RunStatus, ScalingRow, SummaryRow, UtilizationRow,
};

/// Which optional tables a run writes.
#[derive(Clone, Copy, Debug)]
pub struct EnabledTables {
    /// `invocations`.
    pub invocations: bool,
    /// `placements`.
    pub placements: bool,
    /// `scaling`.
    pub scaling: bool,
    /// `replicas`.
    pub replicas: bool,
    /// `replica_counts`.
    pub replica_counts: bool,
    /// `utilization`.
    pub utilization: bool,
    /// `latency_histograms`.
    pub latency_histograms: bool,
    /// `flows`.
    pub flows: bool,
    /// `links`.
    pub links: bool,
    /// `nodes`.
    pub nodes: bool,
}

impl EnabledTables {
    /// Every optional table off.
    pub const NONE: EnabledTables = EnabledTables {
        invocations: false,
        placements: false,
        scaling: false,
        replicas: false,
        replica_counts: false,
        utilization: false,
        latency_histograms: false,
        flows: false,
        links: false,
        nodes: false,
    };
}

/// Everything one run produced, ready for the writer.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The `runs` row.
    pub run: RunRow,
    /// Dictionary of names.
    pub names: Names,
    /// Which optional tables were enabled.
    pub enabled: EnabledTables,
    /// `invocations` rows in `request_id` order.
    pub invocations: Vec<InvocationRow>,
    /// `placements` rows in decision order.
    pub placements: Vec<PlacementRow>,
    /// `scaling` rows in record order.
    pub scaling: Vec<ScalingRow>,
    /// `replicas` rows in `replica_id` order.
    pub replicas: Vec<ReplicaRow>,
    /// `replica_counts` rows in time order.
    pub replica_counts: Vec<ReplicaCountRow>,
    /// `utilization` rows: tick time, node rows (node id) then replica rows (node, replica id).
    pub utilization: Vec<UtilizationRow>,
    /// `summary` rows: per function in id order, then the total row.
    pub summary: Vec<SummaryRow>,
    /// `latency_histograms` rows: function (None last), then metric.
    pub histograms: Vec<HistogramRow>,
    /// `flows` rows in completion order.
    pub flows: Vec<FlowRow>,
    /// `links` rows in link-id order.
    pub links: Vec<LinkRow>,
    /// `nodes` rows in node-id order.
    pub nodes: Vec<NodeRow>,
}

impl RunOutput {
    /// The output of a run that failed before producing anything but its `runs` row.
    pub fn failed(mut run: RunRow, status: RunStatus, error: String) -> RunOutput {
        run.status = status;
        run.error = Some(error);
        RunOutput {
            run,
            names: Names::default(),
            enabled: EnabledTables::NONE,
            invocations: Vec::new(),
            placements: Vec::new(),
            scaling: Vec::new(),
            replicas: Vec::new(),
            replica_counts: Vec::new(),
            utilization: Vec::new(),
            summary: Vec::new(),
            histograms: Vec::new(),
            flows: Vec::new(),
            links: Vec::new(),
            nodes: Vec::new(),
        }
    }
}
