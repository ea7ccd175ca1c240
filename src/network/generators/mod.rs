//! Topology generators: `cluster`, `urban_sensing`, `urban_sensing_hetero`, `cloud_regions`
//! and `explicit` (`docs/network.md`, "Generators"). Each inserts vertices in a documented
//! order (which fixes node ids and names); random choices come from the run's `topology`
//! stream. Errors name the key path (or file and line) of the offending input.

mod cluster;
mod explicit;
mod hetero;
mod regions;
mod urban;

use super::graph::VertexId;
use super::topology::{Topology, TopologyBuilder, TopologyNode};
use crate::config::{CellDensity, Labels, Scenario};
use crate::engine::rng::{stream_rng, SimRng};
use rand_distr::{Distribution, StandardNormal};

/// Builds the topology of `sc` for the run seeded `seed`. `types` and `link_mbit` are the node
/// catalog's names and access-link capacities.
pub fn generate(
    sc: &Scenario,
    types: &[String],
    link_mbit: &[f64],
    seed: u64,
) -> Result<Topology, String> {
    let mut b = TopologyBuilder::new(types, link_mbit);
    let mut rng = stream_rng(seed, "topology");
    let t = &sc.topology;
    match t.generator.as_str() {
        "cluster" => cluster::build(&mut b, t)?,
        "urban_sensing" => urban::build(&mut b, t, &mut rng)?,
        "urban_sensing_hetero" => hetero::build(&mut b, t, &mut rng)?,
        "cloud_regions" => regions::build(&mut b, t)?,
        "explicit" => explicit::build(&mut b, t)?,
        other => return Err(format!("topology.generator: unknown generator `{other}`")),
    }
    if t.generator != "explicit" {
        storage_nodes(&mut b, sc)?;
    }
    if t.generator == "cloud_regions" && sc.network.registry_attach.is_empty() {
        // the registry sits in the first region
        let mut net = sc.network.clone();
        net.registry_attach = vec![format!("internet_{}", t.regions[0].name)];
        return b.finish(&net);
    }
    b.finish(&sc.network)
}

/// True when the topology depends on the seed (drawn densities, shuffles): each run then
/// builds its own.
pub fn is_random(sc: &Scenario) -> bool {
    match sc.topology.generator.as_str() {
        "urban_sensing" => !matches!(sc.topology.cell_density, CellDensity::List(_)),
        "urban_sensing_hetero" => true,
        _ => false,
    }
}

/// Cell densities: the list as given, or `cells` lognormal draws truncated to an integer ≥ 2.
fn densities(d: &CellDensity, cells: u32, rng: &mut SimRng) -> Vec<u32> {
    match d {
        CellDensity::List(l) => l.clone(),
        CellDensity::Lognormal { s, loc, scale } => (0..cells)
            .map(|_| {
                let z: f64 = StandardNormal.sample(rng);
                let x = loc + scale * (s * z).exp();
                (x.clamp(0.0, 10_000.0) as u32).max(2)
            })
            .collect(),
    }
}

/// `topology.storage`: storage nodes with their own access link, attached to `attach` (default
/// `internet`, or the first switch named `internet*`).
fn storage_nodes(b: &mut TopologyBuilder, sc: &Scenario) -> Result<(), String> {
    for (i, s) in sc.topology.storage.iter().enumerate() {
        let path = format!("topology.storage[{i}]");
        let t = b
            .type_index(&s.node_type)
            .ok_or_else(|| format!("{path}.type: unknown node type `{}`", s.node_type))?;
        let parent = match &s.attach {
            Some(name) => b
                .topo
                .graph
                .find(name)
                .ok_or_else(|| format!("{path}.attach: no vertex named `{name}`"))?,
            None => default_backbone(b).ok_or_else(|| {
                format!("{path}.attach: the topology has no `internet` switch; name a vertex")
            })?,
        };
        let mut buckets = Vec::new();
        for (bucket, items) in &s.buckets {
            buckets.push((
                bucket.clone(),
                items.iter().map(|(k, v)| (k.clone(), v.0)).collect(),
            ));
        }
        let mut labels = Labels::new();
        labels.insert("data.skippy.io/storage".into(), String::new());
        b.named_host(
            TopologyNode {
                name: s.name.clone(),
                node_type: t,
                labels,
                zone: String::new(),
                storage: true,
                buckets,
            },
            parent,
        )
        .map_err(|e| format!("{path}.name: {e}"))?;
    }
    Ok(())
}

/// The first switch whose name starts with `internet`.
fn default_backbone(b: &TopologyBuilder) -> Option<VertexId> {
    let g = &b.topo.graph;
    (0..g.vertex_count())
        .find(|&v| {
            g.kind[v] == super::graph::VertexKind::Switch && g.name[v].starts_with("internet")
        })
        .map(|v| v as VertexId)
}

/// A generated step cannot fail for a validated scenario unless names collide; the message
/// names the generator.
fn internal(e: super::graph::GraphError) -> String {
    format!("topology.generator: {e}")
}

/// A new LAN switch (`switch_lan_<lan>`, numbered by the running `lan` counter) attached to
/// `parent` with `lan` latency; the urban generators share it.
fn lan_switch(
    b: &mut TopologyBuilder,
    lan: &mut u32,
    parent: VertexId,
) -> Result<VertexId, String> {
    let sw = b.switch(format!("switch_lan_{lan}")).map_err(internal)?;
    *lan += 1;
    b.topo
        .graph
        .connect(sw, parent, super::latency::LatencyModel::LAN)
        .map_err(internal)?;
    Ok(sw)
}

#[cfg(test)]
mod tests;
