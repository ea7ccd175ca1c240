//! The order in which the kubernetes profile visits nodes: upstream's node tree, which groups
//! nodes by zone and lists them one zone at a time, round robin (`docs/schedulers.md`,
//! "Sampling"). With percentage-of-nodes-to-score sampling this makes a decision look at every
//! zone, not only at the zone whose nodes come first.

use crate::cluster::zones::{REGION_LABEL, ZONE_LABEL};
use crate::config::Labels;

/// A node's zone key as upstream forms it: region and zone together; a node with neither is in
/// the zone `("", "")`.
fn zone_key(labels: &Labels) -> (&str, &str) {
    let get = |k: &str| labels.get(k).map_or("", String::as_str);
    (get(REGION_LABEL), get(ZONE_LABEL))
}

/// The visit order (position → node id) of nodes with these labels, or `None` when every node
/// is in one zone (then the order is node-id order).
///
/// Zones come in the order of their first node (by id) and nodes within a zone in id order; the
/// list takes each zone's first node, then each zone's second node, and so on, skipping zones
/// that ran out.
pub fn visit_order(labels: &[Labels]) -> Option<Vec<u32>> {
    let mut zones: Vec<(&str, &str)> = Vec::new();
    let mut members: Vec<Vec<u32>> = Vec::new();
    for (id, l) in labels.iter().enumerate() {
        let key = zone_key(l);
        // Linear search: zones are few next to nodes, and the order is built once per run.
        let z = match zones.iter().rposition(|&k| k == key) {
            Some(z) => z,
            None => {
                zones.push(key);
                members.push(Vec::new());
                zones.len() - 1
            }
        };
        members[z].push(id as u32);
    }
    if zones.len() <= 1 {
        return None;
    }
    let mut order = Vec::with_capacity(labels.len());
    let deepest = members.iter().map(Vec::len).max().unwrap_or(0);
    for depth in 0..deepest {
        for m in &members {
            if let Some(&id) = m.get(depth) {
                order.push(id);
            }
        }
    }
    Some(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zoned(zones: &[&str]) -> Vec<Labels> {
        zones
            .iter()
            .map(|z| {
                let mut l = Labels::new();
                if !z.is_empty() {
                    l.insert(ZONE_LABEL.into(), z.to_string());
                }
                l
            })
            .collect()
    }

    #[test]
    fn one_zone_keeps_id_order() {
        assert_eq!(visit_order(&zoned(&["a", "a", "a"])), None);
        assert_eq!(visit_order(&zoned(&["", ""])), None);
    }

    #[test]
    fn zones_are_interleaved_in_order_of_their_first_node_skipping_exhausted_ones() {
        // Nodes: 0 a, 1 a, 2 b, 3 a, 4 (no zone), 5 b, 6 a.
        let order = visit_order(&zoned(&["a", "a", "b", "a", "", "b", "a"])).unwrap();
        // a: 0 1 3 6; b: 2 5; "": 4.
        assert_eq!(order, [0, 2, 4, 1, 5, 3, 6]);
    }

    #[test]
    fn region_and_zone_together_name_a_zone() {
        let mut l = zoned(&["a", "a"]);
        l[1].insert(REGION_LABEL.into(), "eu".into());
        assert_eq!(visit_order(&l), Some(vec![0, 1]));
        let l2 = vec![l[1].clone(), l[0].clone(), l[1].clone()];
        assert_eq!(visit_order(&l2), Some(vec![0, 1, 2]));
    }
}
