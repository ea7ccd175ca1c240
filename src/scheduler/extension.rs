//! The accelerator and capability extension (`docs/schedulers.md`, "Accelerators and
//! capabilities"), usable from both scoring profiles: the resource characterisation table,
//! per-node-type pod tables for `CanRun`, `HasEnoughRam` and `ExecutionTime`, the
//! `CapabilityMatching` requirement columns, and the sampler of `ExecutionTime`'s `sample` mode.
//!
//! The predicates and priorities themselves are plugins, one file each, under
//! [`super::plugins`].

use super::facts::{NodeFacts, DEVICE};
use super::plugins::Needs;
use super::podinfo::PodScratch;
use super::Pod;
use crate::cluster::{Cluster, ImageId};
use crate::config::{CharacterisationConfig, TimeModel};
use crate::engine::SimRng;
use std::collections::BTreeMap;

/// What one replica of an image uses on a node type.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CharRow {
    /// CPU fraction.
    pub cpu: f64,
    /// GPU fraction.
    pub gpu: f64,
    /// Memory fraction.
    pub ram: f64,
    /// Block I/O, bytes/s.
    pub blkio: f64,
    /// Network I/O, bytes/s.
    pub net: f64,
}

impl CharRow {
    /// `Contention` usage on a node with the given disk and network speeds:
    /// `blkio/disk + net/net_speed + cpu + gpu`.
    #[inline]
    pub fn usage(&self, disk_speed: f64, net_speed: f64) -> f64 {
        self.blkio / disk_speed + self.net / net_speed + self.cpu + self.gpu
    }
}

/// The image name without its tag (`a/b:1` → `a/b`).
pub fn strip_tag(name: &str) -> &str {
    match (name.rfind(':'), name.rfind('/')) {
        (Some(c), Some(s)) if c > s => &name[..c],
        (Some(c), None) => &name[..c],
        _ => name,
    }
}

/// The resource characterisation table, dense over (node type, registry image).
#[derive(Clone, Debug, Default)]
pub struct Characterisation {
    n_images: usize,
    rows: Vec<Option<CharRow>>,
    /// The scenario configures at least one row.
    pub configured: bool,
}

impl Characterisation {
    /// Resolves `scheduler.characterisation` against the cluster's node types and images.
    pub fn build(
        cfg: &[CharacterisationConfig],
        cluster: &Cluster,
    ) -> Result<Characterisation, String> {
        let n_images = cluster.images.len();
        let mut c = Characterisation {
            n_images,
            rows: vec![None; cluster.types.len() * n_images],
            configured: !cfg.is_empty(),
        };
        for (i, r) in cfg.iter().enumerate() {
            let t = cluster
                .types
                .iter()
                .position(|t| t.name == r.node_type)
                .ok_or_else(|| {
                    format!(
                        "scheduler.characterisation[{i}].node_type: unknown node type `{}`",
                        r.node_type
                    )
                })?;
            let base = strip_tag(&r.image);
            let mut found = false;
            for (img, name) in cluster.images.names.iter().enumerate() {
                if strip_tag(name) == base {
                    found = true;
                    c.rows[t * n_images + img] = Some(CharRow {
                        cpu: r.cpu,
                        gpu: r.gpu,
                        ram: r.ram,
                        blkio: r.blkio,
                        net: r.net,
                    });
                }
            }
            if !found {
                return Err(format!(
                    "scheduler.characterisation[{i}].image: unknown image `{}`",
                    r.image
                ));
            }
        }
        Ok(c)
    }

    /// The row of (node type, image).
    #[inline]
    pub fn get(&self, node_type: u32, image: ImageId) -> Option<&CharRow> {
        if (image as usize) >= self.n_images {
            return None;
        }
        self.rows
            .get(node_type as usize * self.n_images + image as usize)?
            .as_ref()
    }
}

/// Fills the per-node-type tables of `scratch` for `pod`.
pub fn fill_type_tables(
    scratch: &mut PodScratch,
    needs: Needs,
    pod: &Pod,
    facts: &NodeFacts,
    chars: &Characterisation,
) {
    let t_count = facts.type_names.len();
    scratch.type_can_run.clear();
    scratch.type_ram.clear();
    scratch.type_est.clear();
    for t in 0..t_count {
        let model = pod.exec.and_then(|e| e.for_node_type(&facts.type_names[t]));
        let row = chars.get(t as u32, pod.image);
        if needs.can_run {
            let exec_ok = pod.exec.is_none() || model.is_some();
            scratch
                .type_can_run
                .push(exec_ok && (!chars.configured || row.is_some()));
        }
        if needs.ram {
            scratch.type_ram.push(row.map_or(0.0, |r| r.ram));
        }
        if needs.est {
            scratch.type_est.push(model.map_or(0.0, |m| -m.mean()));
        }
    }
}

/// `CapabilityMatching` map columns, one per distinct requirements string, built on first use.
#[derive(Clone, Debug, Default)]
pub struct RequirementColumns {
    index: BTreeMap<String, usize>,
    cols: Vec<Vec<f64>>,
    /// Position → node id when columns are kept in a visit order; empty: id order.
    order: Vec<u32>,
}

impl RequirementColumns {
    /// Columns indexed by visit position (`order[p]` is the node at position `p`) rather than
    /// node id, for the kubernetes profile's visit-order columns.
    pub fn in_visit_order(order: Vec<u32>) -> RequirementColumns {
        RequirementColumns {
            order,
            ..RequirementColumns::default()
        }
    }

    /// The map column (per node id, or per position in the visit order) of the requirements
    /// JSON `json`: Σ weights of the node's `device.edgerun.io` labels whose value is listed.
    /// Unparseable JSON scores 0.
    pub fn column(&mut self, json: &str, cluster: &Cluster) -> &[f64] {
        if let Some(&i) = self.index.get(json) {
            return &self.cols[i];
        }
        let parsed: Option<serde_json::Value> = serde_json::from_str(json).ok();
        let mut col = Vec::with_capacity(cluster.nodes.len());
        for labels in &cluster.nodes.labels {
            let mut sum = 0.0;
            if let Some(req) = parsed.as_ref().and_then(|p| p.as_object()) {
                for (k, v) in labels {
                    if k.contains(DEVICE) {
                        if let Some(w) = req
                            .get(k)
                            .and_then(|m| m.get(v))
                            .and_then(serde_json::Value::as_f64)
                        {
                            sum += w;
                        }
                    }
                }
            }
            col.push(sum);
        }
        if !self.order.is_empty() {
            col = self.order.iter().map(|&id| col[id as usize]).collect();
        }
        self.index.insert(json.to_string(), self.cols.len());
        self.cols.push(col);
        self.cols.last().expect("just pushed")
    }
}

/// One draw of `m` (`docs/execution.md`), with the execution module's sampler: truncated by
/// rejection, negative values clamped to 0. Used only by `ExecutionTime` in `sample` mode, which
/// is an explicit opt-in, so compiling the model per draw is acceptable there.
pub fn sample_model(m: &TimeModel, rng: &mut SimRng) -> f64 {
    crate::execution::DurationSampler::new(m).sample_secs(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags_are_stripped_only_after_the_last_slash() {
        assert_eq!(strip_tag("a/b:1"), "a/b");
        assert_eq!(strip_tag("host:5000/a"), "host:5000/a");
        assert_eq!(strip_tag("pi:latest"), "pi");
    }

    #[test]
    fn sampled_models_respect_their_bounds() {
        let mut rng = crate::engine::stream_rng(1, "sched");
        let m = TimeModel::Lognormal {
            s: 1.0,
            loc: 0.0,
            scale: 1.0,
            bounds: Some([0.5, 2.0]),
        };
        for _ in 0..100 {
            let x = sample_model(&m, &mut rng);
            assert!((0.5..=2.0).contains(&x));
        }
        assert_eq!(
            sample_model(&TimeModel::Constant { value: 3.0 }, &mut rng),
            3.0
        );
    }
}
