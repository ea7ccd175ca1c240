//! Static per-node facts, precomputed once per run: labels as bit sets, the storage role,
//! locality, accelerator, disk and network speed, bandwidths to the registry and to storage
//! nodes, and the Kubernetes node fields (taints, unschedulable, extended resources, max pods).
//!
//! Node labels never change during a run, so every label question a predicate or priority asks
//! is answered by a bit test on [`NodeFacts::label_bits`] or by a column built here.

use super::visit_space::VisitOrder;
use crate::cluster::zones::HOSTNAME_LABEL;
use crate::cluster::{Accelerator, Cluster, Endpoint, NodeId};
use crate::config::{Scenario, TaintConfig, TaintEffect};
use std::collections::BTreeMap;

/// Label key of storage nodes.
pub const KEY_STORAGE: &str = "data.skippy.io/storage";
/// Label key of the locality type (`edge` / `cloud`).
pub const KEY_LOCALITY: &str = "locality.skippy.io/type";
/// Label key of the accelerator kind.
pub const KEY_ACCELERATOR: &str = "device.edgerun.io/accelerator";
/// Label key of the GPU memory in MB.
pub const KEY_VRAM: &str = "device.edgerun.io/vram";
/// Label key of the disk kind (`NVME`, `SSD`, `HDD`, `FLASH`, `SD`).
pub const KEY_DISK: &str = "device.edgerun.io/disk";
/// Substring of skippy capability label keys.
pub const CAPABILITY: &str = "capability.skippy.io";
/// Substring of device characteristic label keys.
pub const DEVICE: &str = "device.edgerun.io";

/// Accelerator code: none.
pub const ACC_NONE: u8 = 0;
/// Accelerator code: GPU.
pub const ACC_GPU: u8 = 1;
/// Accelerator code: TPU.
pub const ACC_TPU: u8 = 2;
/// Accelerator code: a label value other than NONE, GPU, TPU.
pub const ACC_OTHER: u8 = 3;

/// Default `max_pods` of a node.
pub const DEFAULT_MAX_PODS: u32 = 110;

/// One interned label value of a key.
#[derive(Clone, Debug)]
pub struct ValueEntry {
    /// The value.
    pub value: String,
    /// Bit of the `(key, value)` pair.
    pub bit: u32,
    /// The value parsed as an integer (for `Gt` / `Lt`).
    pub int: Option<i64>,
}

/// One interned label key.
#[derive(Clone, Debug)]
pub struct KeyEntry {
    /// Bit set on every node that has the key.
    pub bit: u32,
    /// Values seen on nodes, in first-seen order.
    pub values: Vec<ValueEntry>,
}

/// Interns the label keys and `(key, value)` pairs of all nodes into one bit space.
#[derive(Clone, Debug, Default)]
pub struct LabelIndex {
    /// Keys by name.
    pub keys: BTreeMap<String, KeyEntry>,
    /// Number of bits used.
    pub bits: u32,
}

impl LabelIndex {
    /// Interns a node's `(key, value)` pair; returns the key's and the pair's bits.
    ///
    /// Hostnames (`kubernetes.io/hostname`) are unique per node, so their pairs would make the
    /// bit space as wide as the cluster: only the key is interned (both bits returned are the
    /// key's), and expressions on hostname values test [`NodeFacts::hostnames`] instead.
    fn intern(&mut self, key: &str, value: &str) -> (u32, u32) {
        if !self.keys.contains_key(key) {
            self.keys.insert(
                key.to_string(),
                KeyEntry {
                    bit: self.bits,
                    values: Vec::new(),
                },
            );
            self.bits += 1;
        }
        let e = self.keys.get_mut(key).expect("inserted");
        if key == HOSTNAME_LABEL {
            return (e.bit, e.bit);
        }
        if let Some(v) = e.values.iter().find(|v| v.value == value) {
            return (e.bit, v.bit);
        }
        e.values.push(ValueEntry {
            value: value.to_string(),
            bit: self.bits,
            int: value.parse().ok(),
        });
        self.bits += 1;
        (e.bit, self.bits - 1)
    }

    /// Bit of `key`, if any node has it.
    pub fn key_bit(&self, key: &str) -> Option<u32> {
        self.keys.get(key).map(|e| e.bit)
    }

    /// Bit of `(key, value)`, if any node has it.
    pub fn pair_bit(&self, key: &str, value: &str) -> Option<u32> {
        self.keys
            .get(key)?
            .values
            .iter()
            .find(|v| v.value == value)
            .map(|v| v.bit)
    }

    /// Values of `key` seen on nodes.
    pub fn values(&self, key: &str) -> &[ValueEntry] {
        self.keys.get(key).map_or(&[], |e| e.values.as_slice())
    }

    /// Words of a mask over this bit space.
    pub fn words(&self) -> usize {
        (self.bits as usize).div_ceil(64).max(1)
    }
}

/// A fixed-width bit set per row (node), stored contiguously.
#[derive(Clone, Debug, Default)]
pub struct BitRows {
    /// Words per row.
    pub words: usize,
    /// `rows × words` words.
    pub data: Vec<u64>,
}

impl BitRows {
    /// `rows` empty rows of `words` words.
    pub fn new(rows: usize, words: usize) -> BitRows {
        BitRows {
            words,
            data: vec![0; rows * words],
        }
    }

    /// Sets `bit` in `row`.
    pub fn set(&mut self, row: usize, bit: u32) {
        self.data[row * self.words + (bit / 64) as usize] |= 1 << (bit % 64);
    }

    /// The words of `row`.
    #[inline]
    pub fn row(&self, row: usize) -> &[u64] {
        &self.data[row * self.words..(row + 1) * self.words]
    }

    /// True if `row` has `bit`.
    #[inline]
    pub fn test(&self, row: usize, bit: u32) -> bool {
        self.data[row * self.words + (bit / 64) as usize] >> (bit % 64) & 1 == 1
    }
}

/// Sets `bit` in a mask.
#[inline]
pub fn mask_set(mask: &mut [u64], bit: u32) {
    mask[(bit / 64) as usize] |= 1 << (bit % 64);
}

/// True if `row` and `mask` share a bit.
#[inline]
pub fn intersects(row: &[u64], mask: &[u64]) -> bool {
    row.iter().zip(mask).fold(0u64, |acc, (a, b)| acc | (a & b)) != 0
}

/// Number of bits `row` and `mask` share.
#[inline]
pub fn count_common(row: &[u64], mask: &[u64]) -> u32 {
    row.iter()
        .zip(mask)
        .map(|(a, b)| (a & b).count_ones())
        .sum()
}

/// Kubernetes fields of one node, resolved from the scenario's node type and group.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeKube {
    /// Taints (type's, then group's).
    pub taints: Vec<TaintConfig>,
    /// Marked unschedulable.
    pub unschedulable: bool,
    /// Extended resource capacities.
    pub extended: BTreeMap<String, u64>,
    /// Pod limit.
    pub max_pods: u32,
}

impl Default for NodeKube {
    fn default() -> Self {
        NodeKube {
            taints: Vec::new(),
            unschedulable: false,
            extended: BTreeMap::new(),
            max_pods: DEFAULT_MAX_PODS,
        }
    }
}

/// Resolves every node's Kubernetes fields: its type's (`topology.node_types.<type>`) overlaid
/// by its group's (`topology.nodes[i]`, `cluster` generator: groups fill node ids in order).
pub fn node_kube_from_scenario(sc: &Scenario, cluster: &Cluster) -> Vec<NodeKube> {
    let n = cluster.nodes.len();
    let mut out = Vec::with_capacity(n);
    for node in 0..n {
        let mut k = NodeKube::default();
        if let Some(t) = sc
            .topology
            .node_types
            .get(cluster.type_name(node as NodeId))
        {
            k.taints.extend(t.taints.iter().cloned());
            k.unschedulable |= t.unschedulable;
            k.extended
                .extend(t.extended_resources.iter().map(|(a, b)| (a.clone(), *b)));
            if let Some(m) = t.max_pods {
                k.max_pods = m;
            }
        }
        out.push(k);
    }
    if sc.topology.generator == "cluster" {
        let mut id = 0usize;
        'groups: for g in &sc.topology.nodes {
            for _ in 0..g.count {
                if id >= n || cluster.type_name(id as NodeId) != g.node_type {
                    break 'groups;
                }
                let k = &mut out[id];
                k.taints.extend(g.taints.iter().cloned());
                k.unschedulable |= g.unschedulable;
                k.extended
                    .extend(g.extended_resources.iter().map(|(a, b)| (a.clone(), *b)));
                if let Some(m) = g.max_pods {
                    k.max_pods = m;
                }
                id += 1;
            }
        }
    }
    out
}

/// Bandwidths between one storage node and every node.
#[derive(Clone, Debug)]
pub struct StorageLinks {
    /// The storage node.
    pub node: NodeId,
    /// `bw(storage, n)` (skippy oracle); `+∞` without route.
    pub from: Vec<f64>,
    /// `bw(n, storage)`; `+∞` without route.
    pub to: Vec<f64>,
}

/// The static per-node columns every profile reads.
#[derive(Clone, Debug, Default)]
pub struct NodeFacts {
    /// Number of nodes N.
    pub n: usize,
    /// Catalog type index per node.
    pub node_type: Vec<u32>,
    /// Catalog type names (index = type id).
    pub type_names: Vec<String>,
    /// Architecture id per node.
    pub arch: Vec<u32>,
    /// Number of interned architectures.
    pub n_archs: usize,
    /// Label keys and pairs.
    pub labels: LabelIndex,
    /// Label bits per node.
    pub label_bits: BitRows,
    /// Node carries `data.skippy.io/storage`.
    pub storage: Vec<bool>,
    /// skippy `LocalityType` map value: 10 for `locality.skippy.io/type = edge`, else 0.
    pub edge10: Vec<f64>,
    /// Accelerator code (`ACC_*`): the label if present, else the catalog's.
    pub accel: Vec<u8>,
    /// GPU memory, MB: the label if present, else the catalog's.
    pub vram_mb: Vec<i64>,
    /// skippy `bw(registry, n)` (0 when unreachable).
    pub bw_reg: Vec<f64>,
    /// A route registry → node exists.
    pub reachable: Vec<bool>,
    /// Per node: its class of (arch, `bw_reg`) for `LatencyAwareImageLocality`, whose map value
    /// depends only on the class (when the node does not hold the image).
    pub lat_class: Vec<u32>,
    /// The classes: (arch, bandwidth from the registry).
    pub lat_classes: Vec<(u32, f64)>,
    /// Bandwidths to and from every storage node that holds a bucket.
    pub storage_links: Vec<StorageLinks>,
    /// Disk speed for `Contention`, bytes/s.
    pub disk_speed: Vec<f64>,
    /// Network speed for `Contention`, bytes/s.
    pub net_speed: Vec<f64>,
    /// Nodes by `kubernetes.io/hostname` value (not in the label bit space, see
    /// [`LabelIndex`]).
    pub hostnames: BTreeMap<String, Vec<u32>>,
    /// Kubernetes: marked unschedulable.
    pub unschedulable: Vec<bool>,
    /// Some node is marked unschedulable.
    pub any_unschedulable: bool,
    /// Kubernetes: pod limit.
    pub max_pods: Vec<u32>,
    /// Distinct taints of all nodes (bit index = position).
    pub taints: Vec<TaintConfig>,
    /// Per node, its taints with effect `NoSchedule` or `NoExecute`.
    pub taint_hard: BitRows,
    /// Per node, its taints with effect `PreferNoSchedule`.
    pub taint_prefer: BitRows,
    /// Extended resource names (index = resource id).
    pub ext_names: Vec<String>,
    /// Extended capacities, `n × ext_names.len()`.
    pub ext_cap: Vec<i64>,
}

fn disk_speed(kind: &str) -> f64 {
    match kind.to_ascii_uppercase().as_str() {
        "NVME" => 2.5e9,
        "SSD" => 5e8,
        "HDD" => 2.5e8,
        "FLASH" => 1.5e8,
        "SD" => 5e7,
        _ => 1.0,
    }
}

fn default_disk(type_name: &str) -> &'static str {
    match type_name {
        "rpi3" | "rpi4" | "rockpi" | "nano" | "tx2" | "nx" => "SD",
        "coral" => "FLASH",
        _ => "SSD",
    }
}

fn accel_code(a: Accelerator) -> u8 {
    match a {
        Accelerator::None => ACC_NONE,
        Accelerator::Gpu => ACC_GPU,
        Accelerator::Tpu => ACC_TPU,
    }
}

/// skippy's bandwidth oracle `bw(a, b)`, in its mixed units (`docs/schedulers.md`, "Formulas").
pub type BwOracle<'a> = &'a dyn Fn(Endpoint, Endpoint) -> Option<f64>;

impl NodeFacts {
    /// Builds the facts of `cluster`'s nodes; `kube[n]` are the Kubernetes fields of node `n`
    /// (missing entries: defaults) and `bw` the bandwidth oracle.
    pub fn build(cluster: &Cluster, kube: &[NodeKube], bw: BwOracle) -> NodeFacts {
        let nodes = &cluster.nodes;
        let n = nodes.len();
        let mut labels = LabelIndex::default();
        let mut pairs: Vec<Vec<(u32, u32)>> = Vec::with_capacity(n);
        for l in &nodes.labels {
            pairs.push(l.iter().map(|(k, v)| labels.intern(k, v)).collect());
        }
        let mut label_bits = BitRows::new(n, labels.words());
        for (i, p) in pairs.iter().enumerate() {
            for &(k, v) in p {
                label_bits.set(i, k);
                label_bits.set(i, v);
            }
        }
        let default_kube = NodeKube::default();
        let kube_of = |i: usize| kube.get(i).unwrap_or(&default_kube);
        let mut taints: Vec<TaintConfig> = Vec::new();
        for i in 0..n {
            for t in &kube_of(i).taints {
                if !taints.contains(t) {
                    taints.push(t.clone());
                }
            }
        }
        let tw = taints.len().div_ceil(64).max(1);
        let mut taint_hard = BitRows::new(n, tw);
        let mut taint_prefer = BitRows::new(n, tw);
        let mut ext_names: Vec<String> = Vec::new();
        for i in 0..n {
            for t in &kube_of(i).taints {
                let b = taints.iter().position(|x| x == t).expect("interned") as u32;
                match t.effect {
                    TaintEffect::PreferNoSchedule => taint_prefer.set(i, b),
                    TaintEffect::NoSchedule | TaintEffect::NoExecute => taint_hard.set(i, b),
                }
            }
            for k in kube_of(i).extended.keys() {
                if !ext_names.contains(k) {
                    ext_names.push(k.clone());
                }
            }
        }
        let r = ext_names.len();
        let mut ext_cap = vec![0i64; n * r];
        for i in 0..n {
            for (k, v) in &kube_of(i).extended {
                let j = ext_names.iter().position(|x| x == k).expect("interned");
                ext_cap[i * r + j] = *v as i64;
            }
        }
        let mut f = NodeFacts {
            n,
            node_type: nodes.node_type.clone(),
            type_names: cluster.types.iter().map(|t| t.name.clone()).collect(),
            arch: nodes.arch.clone(),
            n_archs: cluster.archs.len(),
            labels,
            label_bits,
            taints,
            taint_hard,
            taint_prefer,
            ext_names,
            ext_cap,
            ..NodeFacts::default()
        };
        for i in 0..n {
            let l = &nodes.labels[i];
            let t = &cluster.types[nodes.node_type[i] as usize];
            f.storage.push(l.contains_key(KEY_STORAGE));
            f.edge10
                .push(if l.get(KEY_LOCALITY).map(String::as_str) == Some("edge") {
                    10.0
                } else {
                    0.0
                });
            f.accel.push(match l.get(KEY_ACCELERATOR) {
                Some(v) => Accelerator::parse(v).map_or(ACC_OTHER, accel_code),
                None => accel_code(t.accelerator),
            });
            f.vram_mb.push(
                l.get(KEY_VRAM)
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(t.vram_mb as i64),
            );
            let b = bw(Endpoint::Registry, Endpoint::Node(i as NodeId));
            f.reachable.push(b.is_some());
            f.bw_reg.push(b.unwrap_or(0.0));
            f.disk_speed.push(disk_speed(
                l.get(KEY_DISK)
                    .map_or(default_disk(&t.name), String::as_str),
            ));
            let loc = l
                .get(KEY_LOCALITY)
                .map_or(t.locality.as_str(), String::as_str);
            f.net_speed.push(if loc == "cloud" { 1e9 } else { 1.25e8 });
            if let Some(h) = l.get(HOSTNAME_LABEL) {
                f.hostnames.entry(h.clone()).or_default().push(i as u32);
            }
            let k = kube_of(i);
            f.unschedulable.push(k.unschedulable);
            f.any_unschedulable |= k.unschedulable;
            f.max_pods.push(k.max_pods);
        }
        let mut classes: BTreeMap<(u32, u64), u32> = BTreeMap::new();
        for i in 0..n {
            let key = (f.arch[i], f.bw_reg[i].to_bits());
            let next = f.lat_classes.len() as u32;
            let c = *classes.entry(key).or_insert(next);
            if c == next {
                f.lat_classes.push((f.arch[i], f.bw_reg[i]));
            }
            f.lat_class.push(c);
        }
        let mut holders: Vec<NodeId> = Vec::new();
        for list in cluster.storage.buckets.values() {
            for &s in list {
                if !holders.contains(&s) {
                    holders.push(s);
                }
            }
        }
        holders.sort_unstable();
        for s in holders {
            let mut from = Vec::with_capacity(n);
            let mut to = Vec::with_capacity(n);
            for i in 0..n {
                let node = Endpoint::Node(i as NodeId);
                from.push(bw(Endpoint::Node(s), node).unwrap_or(f64::INFINITY));
                to.push(bw(node, Endpoint::Node(s)).unwrap_or(f64::INFINITY));
            }
            f.storage_links.push(StorageLinks { node: s, from, to });
        }
        f
    }

    /// The same facts with nodes renumbered into `order` (node `order.ids[p]` becomes `p`), for
    /// the kubernetes profile's visit-order columns ([`super::visit_space`]).
    pub fn in_visit_order(self, order: &VisitOrder) -> NodeFacts {
        // Destructured field by field, so that a new per-node column cannot be forgotten here.
        let NodeFacts {
            n,
            node_type,
            type_names,
            arch,
            n_archs,
            labels,
            label_bits,
            storage,
            edge10,
            accel,
            vram_mb,
            bw_reg,
            reachable,
            lat_class,
            lat_classes,
            storage_links,
            disk_speed,
            net_speed,
            hostnames,
            unschedulable,
            any_unschedulable,
            max_pods,
            taints,
            taint_hard,
            taint_prefer,
            ext_names,
            ext_cap,
        } = self;
        assert_eq!(order.ids.len(), n, "the order covers every node");
        NodeFacts {
            n,
            node_type: order.gather(&node_type),
            type_names,
            arch: order.gather(&arch),
            n_archs,
            labels,
            label_bits: order.gather_bits(&label_bits),
            storage: order.gather(&storage),
            edge10: order.gather(&edge10),
            accel: order.gather(&accel),
            vram_mb: order.gather(&vram_mb),
            bw_reg: order.gather(&bw_reg),
            reachable: order.gather(&reachable),
            lat_class: order.gather(&lat_class),
            lat_classes,
            storage_links: storage_links
                .into_iter()
                .map(|l| StorageLinks {
                    node: order.pos(l.node),
                    from: order.gather(&l.from),
                    to: order.gather(&l.to),
                })
                .collect(),
            disk_speed: order.gather(&disk_speed),
            net_speed: order.gather(&net_speed),
            hostnames: hostnames
                .into_iter()
                .map(|(h, ids)| (h, ids.iter().map(|&id| order.pos(id)).collect()))
                .collect(),
            unschedulable: order.gather(&unschedulable),
            any_unschedulable,
            max_pods: order.gather(&max_pods),
            taints,
            taint_hard: order.gather_bits(&taint_hard),
            taint_prefer: order.gather_bits(&taint_prefer),
            ext_cap: order.gather_rows_of(&ext_cap, ext_names.len()),
            ext_names,
        }
    }

    /// The links of storage node `s`.
    pub fn storage_links(&self, s: NodeId) -> Option<&StorageLinks> {
        self.storage_links.iter().find(|l| l.node == s)
    }

    /// Index of an extended resource name.
    pub fn ext_index(&self, name: &str) -> Option<usize> {
        self.ext_names.iter().position(|x| x == name)
    }
}
