//! `cluster`: node groups in order, grouped into LANs of `lan_size` nodes; each LAN switch
//! `switch_lan_<k>` reaches the `internet` switch through a fiber up/down pair.

use super::internal;
use crate::config::TopologyConfig;
use crate::network::topology::{TopologyBuilder, UpDown};

pub(super) fn build(b: &mut TopologyBuilder, t: &TopologyConfig) -> Result<(), String> {
    let internet = b.switch("internet").map_err(internal)?;
    let lan_size = t.lan_size.max(1);
    let mut in_lan = lan_size;
    let mut lan = 0u32;
    let mut switch = internet;
    for (gi, g) in t.nodes.iter().enumerate() {
        let ty = b.type_index(&g.node_type).ok_or_else(|| {
            format!(
                "topology.nodes[{gi}].type: unknown node type `{}`",
                g.node_type
            )
        })?;
        for _ in 0..g.count {
            if in_lan == lan_size {
                switch = b.switch(format!("switch_lan_{lan}")).map_err(internal)?;
                b.up_down(&format!("lan_{lan}"), switch, internet, UpDown::FIBER)
                    .map_err(internal)?;
                lan += 1;
                in_lan = 0;
            }
            // the zone label the kubernetes profile spreads over (`cluster::zones`)
            let zone = format!("lan-{}", lan - 1);
            let v = b.host(ty, &zone, switch).map_err(internal)?;
            let node = b.topo.graph.kind[v as usize];
            if let crate::network::VertexKind::Node(i) = node {
                b.topo.nodes[i as usize].labels = g.labels.clone();
            }
            in_lan += 1;
        }
    }
    Ok(())
}
