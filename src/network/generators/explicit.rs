//! `explicit`: vertices and edges as the user lists them — in the scenario
//! (`topology.vertices`, `topology.edges`) or in a separate file (`topology.file`, TOML with the
//! same two arrays, or CSV) — inserted in the order given, so node names, types, labels and ids
//! are exactly the user's. Edges are undirected unless `directed = true`.
//!
//! CSV rows (`#` comments and a header line starting with `kind` are skipped):
//! `node,<name>,<type>` · `link,<name>,<capacity_mbit>[,<link_kind>]` · `switch,<name>` ·
//! `registry,<name>` · `edge,<from>,<to>[,<latency>]` (both directions) ·
//! `arc,<from>,<to>[,<latency>]` (one direction). A latency is milliseconds or a preset name.

use crate::config::{
    parse_toml_as, EdgeConfig, ExplicitFile, LatencySpec, TopologyConfig, VertexConfig,
};
use crate::network::graph::{GraphError, LinkKind};
use crate::network::latency::LatencyModel;
use crate::network::topology::{TopologyBuilder, TopologyNode};
use std::collections::BTreeMap;

pub(super) fn build(b: &mut TopologyBuilder, t: &TopologyConfig) -> Result<(), String> {
    let Some(file) = &t.file else {
        let at = |what: &str, i: usize| format!("topology.{what}[{i}]");
        return insert(b, &t.vertices, &t.edges, &at);
    };
    let full = t.resolve(file);
    let shown = full.display().to_string();
    let text = std::fs::read_to_string(&full)
        .map_err(|e| format!("topology.file: cannot read `{shown}`: {e}"))?;
    if shown.ends_with(".csv") {
        return csv(b, &text, &shown);
    }
    let parsed: ExplicitFile =
        parse_toml_as(&text, &shown).map_err(|e| format!("topology.file: {e}"))?;
    let at = |what: &str, i: usize| format!("topology.file ({shown}: {what}[{i}])");
    insert(b, &parsed.vertices, &parsed.edges, &at)
}

fn latency(spec: &LatencySpec) -> Result<LatencyModel, String> {
    match spec {
        LatencySpec::Ms(ms) if ms.is_finite() && *ms >= 0.0 => {
            Ok(LatencyModel::Constant { ms: *ms })
        }
        LatencySpec::Ms(ms) => Err(format!("latency must be a finite number >= 0, got {ms}")),
        LatencySpec::Preset(name) => LatencyModel::preset(name).ok_or_else(|| {
            format!("unknown latency preset `{name}` (lan, wlan, business_isp, mobile_isp)")
        }),
        LatencySpec::Lognormal { s, loc, scale }
            if s.is_finite()
                && loc.is_finite()
                && scale.is_finite()
                && *s >= 0.0
                && *scale > 0.0 =>
        {
            Ok(LatencyModel::Lognormal {
                s: *s,
                loc: *loc,
                scale: *scale,
            })
        }
        LatencySpec::Lognormal { .. } => {
            Err("a lognormal latency needs finite s >= 0, loc and scale > 0".to_string())
        }
    }
}

fn insert(
    b: &mut TopologyBuilder,
    vertices: &[VertexConfig],
    edges: &[EdgeConfig],
    at: &dyn Fn(&str, usize) -> String,
) -> Result<(), String> {
    for (i, v) in vertices.iter().enumerate() {
        let path = at("vertices", i);
        let r: Result<(), GraphError> = match v.kind.as_str() {
            "node" => {
                let ty_name = v.node_type.as_deref().unwrap_or("server");
                let ty = b
                    .type_index(ty_name)
                    .ok_or_else(|| format!("{path}.type: unknown node type `{ty_name}`"))?;
                let storage = v.storage.unwrap_or(!v.buckets.is_empty());
                let mut labels = v.labels.clone();
                if storage {
                    labels.insert("data.skippy.io/storage".into(), String::new());
                }
                let buckets = v
                    .buckets
                    .iter()
                    .map(|(k, items)| {
                        (
                            k.clone(),
                            items.iter().map(|(n, s)| (n.clone(), s.0)).collect(),
                        )
                    })
                    .collect();
                b.node(TopologyNode {
                    name: v.name.clone(),
                    node_type: ty,
                    labels,
                    zone: v.zone.clone().unwrap_or_default(),
                    storage,
                    buckets,
                })
                .map(|_| ())
            }
            "link" => {
                let kind = match v.link_kind.as_deref() {
                    None => LinkKind::Shared,
                    Some(k) => LinkKind::parse(k).ok_or_else(|| {
                        format!(
                            "{path}.link_kind: expected `node`, `shared`, `uplink` or `downlink`, got `{k}`"
                        )
                    })?,
                };
                let cap = v
                    .capacity_mbit
                    .ok_or_else(|| format!("{path}.capacity_mbit: a link needs a capacity"))?;
                b.topo.graph.add_link(v.name.clone(), kind, cap).map(|_| ())
            }
            "switch" => b.switch(v.name.clone()).map(|_| ()),
            "registry" => b.topo.graph.add_registry(v.name.clone()).map(|_| ()),
            other => {
                return Err(format!(
                    "{path}.kind: expected `node`, `link`, `switch` or `registry`, got `{other}`"
                ))
            }
        };
        r.map_err(|e| format!("{path}: {e}"))?;
    }
    for (i, e) in edges.iter().enumerate() {
        let path = at("edges", i);
        let lat = latency(&e.latency).map_err(|m| format!("{path}.latency: {m}"))?;
        let g = &mut b.topo.graph;
        g.edge_by_name(&e.from, &e.to, lat)
            .map_err(|err| format!("{path}: {err}"))?;
        if !e.directed {
            g.edge_by_name(&e.to, &e.from, lat)
                .map_err(|err| format!("{path}: {err}"))?;
        }
    }
    Ok(())
}

fn csv(b: &mut TopologyBuilder, text: &str, file: &str) -> Result<(), String> {
    let mut vertices = Vec::new();
    let mut edges = Vec::new();
    let mut lines: BTreeMap<(bool, usize), usize> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("kind") {
            continue;
        }
        let at = format!("topology.file ({file} line {})", n + 1);
        let c: Vec<&str> = line.split(',').map(str::trim).collect();
        let arg = |i: usize| c.get(i).copied().filter(|s| !s.is_empty());
        let name = arg(1).ok_or_else(|| format!("{at}: missing name"))?;
        let vertex = |kind: &str| VertexConfig {
            kind: kind.to_string(),
            name: name.to_string(),
            node_type: None,
            capacity_mbit: None,
            link_kind: None,
            labels: Default::default(),
            zone: None,
            buckets: Default::default(),
            storage: None,
        };
        match c[0] {
            "node" => {
                let mut v = vertex("node");
                v.node_type = arg(2).map(str::to_string);
                lines.insert((false, vertices.len()), n + 1);
                vertices.push(v);
            }
            "link" => {
                let mut v = vertex("link");
                v.capacity_mbit = match arg(2) {
                    Some(s) => Some(
                        s.parse()
                            .map_err(|_| format!("{at}: capacity `{s}` is not a number"))?,
                    ),
                    None => None,
                };
                v.link_kind = arg(3).map(str::to_string);
                lines.insert((false, vertices.len()), n + 1);
                vertices.push(v);
            }
            "switch" | "registry" => {
                lines.insert((false, vertices.len()), n + 1);
                vertices.push(vertex(c[0]));
            }
            "edge" | "arc" => {
                let to = arg(2).ok_or_else(|| format!("{at}: missing destination"))?;
                let latency = match arg(3) {
                    None => LatencySpec::Ms(0.0),
                    Some(s) => match s.parse::<f64>() {
                        Ok(ms) => LatencySpec::Ms(ms),
                        Err(_) => LatencySpec::Preset(s.to_string()),
                    },
                };
                lines.insert((true, edges.len()), n + 1);
                edges.push(EdgeConfig {
                    from: name.to_string(),
                    to: to.to_string(),
                    latency,
                    directed: c[0] == "arc",
                });
            }
            other => {
                return Err(format!(
                    "{at}: unknown row kind `{other}` (node, link, switch, registry, edge, arc)"
                ))
            }
        }
    }
    let at = |what: &str, i: usize| {
        let line = lines.get(&(what == "edges", i)).copied().unwrap_or(0);
        format!("topology.file ({file} line {line})")
    };
    insert(b, &vertices, &edges, &at)
}
