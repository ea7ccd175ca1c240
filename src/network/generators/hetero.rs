//! `urban_sensing_hetero`: a heterogeneous city from a node-type mix. Edge devices form IoT
//! boxes (rpi3 in LANs of 3, rpi4 in LANs of 2, any other box type alone), shuffled from the
//! `topology` stream and dealt to neighbourhoods whose sizes (in boxes) come from
//! `cell_density`; accelerator boards (tx2, nano, nx, coral) and nucs are dealt round-robin to
//! the neighbourhoods, where the boards share one LAN and each nuc sits in its own. A
//! neighbourhood is a 10 000 Mbit/s shared link with a 250/250 pair of zero latency to
//! `internet`. Cloud-locality types form a cloudlet of racks of 5. Each neighbourhood is built
//! once.

use super::{densities, internal, lan_switch};
use crate::config::{CellDensity, TopologyConfig};
use crate::engine::rng::SimRng;
use crate::network::graph::LinkKind;
use crate::network::latency::LatencyModel;
use crate::network::topology::{TopologyBuilder, UpDown};
use rand::seq::SliceRandom;

const BOARDS: &[&str] = &["tx2", "nano", "nx", "coral"];
const NEIGHBOURHOOD_PAIR: UpDown = UpDown {
    up: 250.0,
    down: 250.0,
    latency: LatencyModel::ZERO,
};

pub(super) fn build(
    b: &mut TopologyBuilder,
    t: &TopologyConfig,
    rng: &mut SimRng,
) -> Result<(), String> {
    let mut boxes: Vec<(u32, u32)> = Vec::new(); // (type, hosts in the box)
    let mut boards: Vec<u32> = Vec::new();
    let mut nucs: Vec<u32> = Vec::new();
    let mut cloud: Vec<u32> = Vec::new();
    for (gi, g) in t.nodes.iter().enumerate() {
        let ty = b.type_index(&g.node_type).ok_or_else(|| {
            format!(
                "topology.nodes[{gi}].type: unknown node type `{}`",
                g.node_type
            )
        })?;
        let name = g.node_type.as_str();
        let per_box = match name {
            "rpi3" => 3,
            "rpi4" => 2,
            _ => 1,
        };
        if BOARDS.contains(&name) {
            boards.extend(std::iter::repeat_n(ty, g.count as usize));
        } else if name == "nuc" {
            nucs.extend(std::iter::repeat_n(ty, g.count as usize));
        } else if is_cloud(name) {
            cloud.extend(std::iter::repeat_n(ty, g.count as usize));
        } else {
            let mut left = g.count;
            while left > 0 {
                let n = left.min(per_box);
                boxes.push((ty, n));
                left -= n;
            }
        }
    }
    boxes.shuffle(rng);
    // neighbourhood sizes in boxes, drawn until every box has a neighbourhood
    let mut sizes: Vec<u32> = Vec::new();
    let mut placed = 0usize;
    while placed < boxes.len() || sizes.is_empty() {
        let more = match &t.cell_density {
            CellDensity::List(l) => l.clone(),
            d => densities(d, 1, rng),
        };
        for s in more {
            sizes.push(s);
            placed += s as usize;
            if placed >= boxes.len() {
                break;
            }
        }
    }
    let internet = b.switch("internet").map_err(internal)?;
    let hoods = sizes.len();
    let mut lan = 0u32;
    let mut next_box = 0usize;
    for (k, size) in sizes.iter().enumerate() {
        let zone = format!("cell_{k}");
        let shared = b
            .topo
            .graph
            .add_link(format!("shared_{k}"), LinkKind::Shared, 10_000.0)
            .map_err(internal)?;
        b.up_down(&zone, shared, internet, NEIGHBOURHOOD_PAIR)
            .map_err(internal)?;
        for _ in 0..*size {
            let Some(&(ty, n)) = boxes.get(next_box) else {
                break;
            };
            next_box += 1;
            let sw = lan_switch(b, &mut lan, shared)?;
            for _ in 0..n {
                b.host(ty, &zone, sw).map_err(internal)?;
            }
        }
        let mine: Vec<u32> = boards.iter().skip(k).step_by(hoods).copied().collect();
        if !mine.is_empty() {
            let sw = lan_switch(b, &mut lan, shared)?;
            for ty in mine {
                b.host(ty, &zone, sw).map_err(internal)?;
            }
        }
        for &ty in nucs.iter().skip(k).step_by(hoods) {
            let sw = lan_switch(b, &mut lan, shared)?;
            b.host(ty, &zone, sw).map_err(internal)?;
        }
    }
    if !cloud.is_empty() {
        let sw = b.switch("switch_cloudlet_0").map_err(internal)?;
        b.up_down("cloudlet_0", sw, internet, UpDown::FIBER)
            .map_err(internal)?;
        // racks of 5, in type-mix order
        for chunk in cloud.chunks(5) {
            let rack = b.switch(format!("switch_lan_{lan}")).map_err(internal)?;
            lan += 1;
            b.topo
                .graph
                .connect(rack, sw, LatencyModel::LAN)
                .map_err(internal)?;
            for &ty in chunk {
                b.host(ty, "cloudlet_0", rack).map_err(internal)?;
            }
        }
    }
    Ok(())
}

fn is_cloud(name: &str) -> bool {
    matches!(name, "xeoncpu" | "xeongpu" | "cloudvm" | "server")
}
