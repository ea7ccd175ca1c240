//! Topology labels of nodes: the zone each node is in (`topology.kubernetes.io/zone`) and its
//! hostname (`kubernetes.io/hostname`), as a Kubernetes cloud provider and kubelet set them.
//!
//! Every topology generator calls [`assign`] once its nodes exist, telling it which zone a node
//! is in; the kubernetes profile spreads replicas over zones and visits nodes zone by zone
//! (`docs/schedulers.md`, `kubernetes`). Labels the user set on a node (node group or node type
//! `labels`) win over the generated ones. Which unit is a zone is the generator's choice
//! (`docs/scenario.md`, `topology`): for `cluster` it is a LAN of `lan_size` nodes, for
//! `urban_sensing` a cell or the cloudlet, for `cloud_regions` a region.

use super::nodes::NodeTable;

/// Label key of a node's zone.
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// Label key of a node's region (read, with the zone, by the node-tree order; never generated).
pub const REGION_LABEL: &str = "topology.kubernetes.io/region";
/// Label key of a node's hostname.
pub const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";

/// Sets `topology.kubernetes.io/zone` to `zone_of(id)` and `kubernetes.io/hostname` to the
/// node's name on every node that does not carry them yet.
pub fn assign(nodes: &mut NodeTable, zone_of: impl Fn(usize) -> String) {
    for (id, (labels, name)) in nodes.labels.iter_mut().zip(&nodes.name).enumerate() {
        if !labels.contains_key(ZONE_LABEL) {
            labels.insert(ZONE_LABEL.to_string(), zone_of(id));
        }
        if !labels.contains_key(HOSTNAME_LABEL) {
            labels.insert(HOSTNAME_LABEL.to_string(), name.clone());
        }
    }
}

/// The zone of the `cluster` generator's node `id`: its LAN, `lan-<id div lan_size>` (nodes are
/// cabled to LAN switches in build order).
pub fn lan_zone(id: usize, lan_size: u32) -> String {
    format!("lan-{}", id / lan_size.max(1) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Labels;

    fn table(n: usize) -> NodeTable {
        let mut t = NodeTable::default();
        for i in 0..n {
            let mut l = Labels::new();
            if i == 2 {
                l.insert(ZONE_LABEL.into(), "user-zone".into());
            }
            t.push(format!("node_{i}"), 0, 0, 1000, 1 << 30, l, 1000.0);
        }
        t
    }

    #[test]
    fn every_node_gets_a_zone_and_its_name_as_hostname_unless_the_user_set_them() {
        let mut t = table(5);
        assign(&mut t, |id| lan_zone(id, 2));
        let zones: Vec<&str> = (0..5).map(|i| t.labels[i][ZONE_LABEL].as_str()).collect();
        assert_eq!(zones, ["lan-0", "lan-0", "user-zone", "lan-1", "lan-2"]);
        assert_eq!(t.labels[4][HOSTNAME_LABEL], "node_4");
    }
}
