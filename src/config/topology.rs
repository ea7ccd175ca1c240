//! Parameters of the topology generators other than `cluster` and of explicit topologies
//! (`docs/scenario.md`, "topology"; `docs/network.md`, "Generators").

use super::quantity::Size;
use super::scenario::Labels;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Densities of urban-sensing cells: a list, or a lognormal `{ s, loc, scale }` drawn per cell
/// from the run's `topology` stream and truncated to an integer ≥ 2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CellDensity {
    /// One density per cell (the list's length overrides `cells`).
    List(Vec<u32>),
    /// A lognormal draw per cell.
    Lognormal {
        /// Shape.
        s: f64,
        /// Shift.
        loc: f64,
        /// Scale.
        scale: f64,
    },
}

impl Default for CellDensity {
    fn default() -> Self {
        CellDensity::Lognormal {
            s: 0.82,
            loc: 2.02,
            scale: 1.0,
        }
    }
}

/// A cloudlet: racks of servers behind one switch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudletConfig {
    /// Servers per rack (one LAN each).
    #[serde(default = "default_servers_per_rack")]
    pub servers_per_rack: u32,
    /// Number of racks.
    #[serde(default = "default_racks")]
    pub racks: u32,
    /// Node type of the servers.
    #[serde(rename = "type", default = "default_server_type")]
    pub node_type: String,
}

fn default_servers_per_rack() -> u32 {
    5
}
fn default_racks() -> u32 {
    2
}
fn default_server_type() -> String {
    "server".to_string()
}

impl Default for CloudletConfig {
    fn default() -> Self {
        CloudletConfig {
            servers_per_rack: default_servers_per_rack(),
            racks: default_racks(),
            node_type: default_server_type(),
        }
    }
}

/// One region of `cloud_regions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionConfig {
    /// Region name (switch `internet_<name>`).
    pub name: String,
    /// Servers per rack.
    #[serde(default = "default_servers_per_rack")]
    pub servers_per_rack: u32,
    /// Racks in the region's cloudlet.
    #[serde(default = "default_racks")]
    pub racks: u32,
    /// Node type of the servers.
    #[serde(rename = "type", default = "default_server_type")]
    pub node_type: String,
}

/// One row of a latency matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyRow {
    /// Source region.
    pub src: String,
    /// Destination region.
    pub dst: String,
    /// Latency, ms (round trip or one way, see `matrix_kind`).
    pub latency_ms: f64,
}

/// The inter-region latency matrix: a CSV file `src,dst,latency_ms` or inline rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LatencyMatrix {
    /// Path of a CSV file (relative to the scenario file).
    File(String),
    /// Rows in the scenario.
    Rows(Vec<LatencyRow>),
}

/// Latency of an edge: milliseconds, a preset name, or a lognormal in ms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LatencySpec {
    /// A constant, ms.
    Ms(f64),
    /// `lan`, `wlan`, `business_isp` or `mobile_isp`.
    Preset(String),
    /// `loc + scale·exp(s·Z)`, ms.
    Lognormal {
        /// Shape.
        s: f64,
        /// Shift, ms.
        loc: f64,
        /// Scale, ms.
        scale: f64,
    },
}

impl Default for LatencySpec {
    fn default() -> Self {
        LatencySpec::Ms(0.0)
    }
}

/// A vertex of an explicit topology.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VertexConfig {
    /// `node`, `link` or `switch`.
    pub kind: String,
    /// Unique vertex name (a node's name as written to outputs).
    pub name: String,
    /// Node type (nodes).
    #[serde(rename = "type", default)]
    pub node_type: Option<String>,
    /// Capacity, Mbit/s (links).
    #[serde(default)]
    pub capacity_mbit: Option<f64>,
    /// Link role tag: `node`, `shared`, `uplink` or `downlink` (links; default `shared`).
    #[serde(default)]
    pub link_kind: Option<String>,
    /// Extra node labels.
    #[serde(default)]
    pub labels: Labels,
    /// Zone of the node (the node's LAN, cell or region).
    #[serde(default)]
    pub zone: Option<String>,
    /// Buckets held by the node: `bucket → item → size`.
    #[serde(default)]
    pub buckets: BTreeMap<String, BTreeMap<String, Size>>,
    /// Marks the node as a storage node (label `data.skippy.io/storage`, not used for pods);
    /// default: true when it holds buckets.
    #[serde(default)]
    pub storage: Option<bool>,
}

/// An edge of an explicit topology.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeConfig {
    /// Tail vertex name.
    pub from: String,
    /// Head vertex name.
    pub to: String,
    /// One-way latency.
    #[serde(default)]
    pub latency: LatencySpec,
    /// Only `from → to` (default: both directions).
    #[serde(default)]
    pub directed: bool,
}

/// Vertices and edges of an explicit topology kept in a separate TOML file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplicitFile {
    /// Vertices in insertion order.
    #[serde(default)]
    pub vertices: Vec<VertexConfig>,
    /// Edges in insertion order.
    #[serde(default)]
    pub edges: Vec<EdgeConfig>,
}
