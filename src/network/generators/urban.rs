//! `urban_sensing`: cells of IoT boxes and an accelerator LAN on a shared link with mobile
//! backhaul, plus a cloudlet of server racks on fiber.

use super::{densities, internal, lan_switch};
use crate::config::TopologyConfig;
use crate::engine::rng::SimRng;
use crate::network::graph::{GraphError, LinkKind, VertexId};
use crate::network::latency::LatencyModel;
use crate::network::topology::{TopologyBuilder, UpDown};

fn need(b: &TopologyBuilder, name: &str, path: &str) -> Result<u32, String> {
    b.type_index(name)
        .ok_or_else(|| format!("{path}: the node type `{name}` is missing from the catalog"))
}

pub(super) fn build(
    b: &mut TopologyBuilder,
    t: &TopologyConfig,
    rng: &mut SimRng,
) -> Result<(), String> {
    let rpi3 = need(b, "rpi3", "topology.generator")?;
    let nuc = need(b, "nuc", "topology.generator")?;
    let tx2 = need(b, "tx2", "topology.generator")?;
    let internet = b.switch("internet").map_err(internal)?;
    let mut lan = 0u32;
    for (k, n) in densities(&t.cell_density, t.cells, rng)
        .into_iter()
        .enumerate()
    {
        let zone = format!("cell_{k}");
        let shared = b
            .topo
            .graph
            .add_link(format!("shared_{k}"), LinkKind::Shared, t.shared_mbit)
            .map_err(internal)?;
        b.up_down(&zone, shared, internet, UpDown::MOBILE)
            .map_err(internal)?;
        for _ in 0..n {
            let sw = lan_switch(b, &mut lan, shared)?;
            b.host(rpi3, &zone, sw).map_err(internal)?;
            b.host(rpi3, &zone, sw).map_err(internal)?;
        }
        let sw = lan_switch(b, &mut lan, shared)?;
        b.host(nuc, &zone, sw).map_err(internal)?;
        for _ in 0..2 * n {
            b.host(tx2, &zone, sw).map_err(internal)?;
        }
    }
    cloudlet(b, t, internet, 0, &mut lan)
}

/// `switch_cloudlet_<k>` with a fiber pair to `internet`, and `racks` LANs of servers.
pub(super) fn cloudlet(
    b: &mut TopologyBuilder,
    t: &TopologyConfig,
    internet: VertexId,
    k: u32,
    lan: &mut u32,
) -> Result<(), String> {
    let c = &t.cloudlet;
    if c.racks == 0 || c.servers_per_rack == 0 {
        return Ok(());
    }
    let server = b.type_index(&c.node_type).ok_or_else(|| {
        format!(
            "topology.cloudlet.type: unknown node type `{}`",
            c.node_type
        )
    })?;
    let sw = b.switch(format!("switch_cloudlet_{k}")).map_err(internal)?;
    b.up_down(&format!("cloudlet_{k}"), sw, internet, UpDown::FIBER)
        .map_err(internal)?;
    racks(
        b,
        sw,
        server,
        c.racks,
        c.servers_per_rack,
        &format!("cloudlet_{k}"),
        lan,
    )
    .map_err(internal)
}

/// `racks` LANs of `per_rack` hosts of type `ty` under switch `parent`.
pub(super) fn racks(
    b: &mut TopologyBuilder,
    parent: VertexId,
    ty: u32,
    racks: u32,
    per_rack: u32,
    zone: &str,
    lan: &mut u32,
) -> Result<(), GraphError> {
    for _ in 0..racks {
        let sw = b.switch(format!("switch_lan_{lan}"))?;
        *lan += 1;
        b.topo.graph.connect(sw, parent, LatencyModel::LAN)?;
        for _ in 0..per_rack {
            b.host(ty, zone, sw)?;
        }
    }
    Ok(())
}
