//! The fused scan decides exactly as the generic path: both run side by side on many random
//! clusters, pods and placement histories, and every field of every decision must agree.

use super::super::testutil::{cluster, n, GIB, MIB, N};
use super::*;
use crate::cluster::{Endpoint, ImageCache};
use crate::config::{Labels, PredicateSpec, SchedulerConfig};

/// A small deterministic generator (splitmix64), so the cases are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const ARCHS: &[&str] = &["x86", "arm32", "aarch64", "arm32v7"];

/// A random cluster: mixed architectures and capacities, some edge and storage nodes, a
/// capability label here and there, and 1–3 images with variants for some architectures.
fn random_cluster(r: &mut Rng) -> (Cluster, Vec<Option<f64>>) {
    let count = r.pick(&[1usize, 3, 17, 255, 256, 257, 600]);
    let archs = 1 + r.below(ARCHS.len() as u64) as usize;
    let mut nodes: Vec<N> = Vec::with_capacity(count);
    for i in 0..count {
        // Node names must be unique; the test leaks a few short strings.
        let name: &'static str = Box::leak(format!("n{i}").into_boxed_str());
        let cpu = r.pick(&[0, 500, 1000, 2000, 4000, 8000]);
        let mem = r.pick(&[0, 512 * MIB, GIB, 2 * GIB, 4 * GIB, 3 * GIB + 7]);
        let mut node = n(name, cpu, mem).arch(ARCHS[r.below(archs as u64) as usize]);
        if r.chance(30) {
            node = node.label("locality.skippy.io/type", "edge");
        }
        if r.chance(5) {
            node = node.label("data.skippy.io/storage", "");
        }
        if r.chance(10) {
            node = node.label("capability.skippy.io/nvidia-gpu", "");
        }
        nodes.push(node);
    }
    let sizes = [40_000_000u64, 58_000_000, 123_456_789, 1_000];
    let mut images: Vec<(String, Vec<(&str, u64)>)> = Vec::new();
    for i in 0..1 + r.below(3) {
        let mut variants = Vec::new();
        for &a in &ARCHS[..archs] {
            if r.chance(70) {
                variants.push((a, r.pick(&sizes)));
            }
        }
        if r.chance(10) {
            variants.push(("any", r.pick(&sizes)));
        }
        images.push((format!("img{i}"), variants));
    }
    let image_refs: Vec<(&str, &[(&str, u64)])> = images
        .iter()
        .map(|(name, v)| (name.as_str(), v.as_slice()))
        .collect();
    let mut c = cluster(nodes, &image_refs);
    let storage = (0..count).find(|&i| c.nodes.label(i as u32, "data.skippy.io/storage").is_some());
    if let Some(s) = storage {
        c.storage.add_bucket("b", s as u32);
        c.storage.add_item("b", "i", 50_000_000);
    }
    // Registry bandwidth per node: a handful of values (so a few latency classes), some nodes
    // unreachable.
    let bws = [
        None,
        Some(100.0),
        Some(1000.0),
        Some(12_500_000.0),
        Some(3.0),
    ];
    let reg = (0..count).map(|_| r.pick(&bws)).collect();
    (c, reg)
}

fn random_config(r: &mut Rng) -> SchedulerConfig {
    let mut cfg = SchedulerConfig::default();
    cfg.skippy.percentage_of_nodes_to_score = r.pick(&[100.0, 100.0, 50.0, 0.0, 10.0]);
    match r.below(4) {
        0 => {}
        1 => cfg.skippy.preset = "vanilla".into(),
        _ => {
            let mut preds = vec!["PodFitsResources"];
            for p in [
                "CheckNodeLabelPresence",
                "ImageArchAvailable",
                "RegistryReachable",
            ] {
                if r.chance(60) {
                    preds.insert(r.below(preds.len() as u64 + 1) as usize, p);
                }
            }
            cfg.skippy.predicates = Some(
                preds
                    .into_iter()
                    .map(|p| PredicateSpec::Name(p.into()))
                    .collect(),
            );
            let names = [
                "BalancedResource",
                "LatencyAwareImageLocality",
                "LocalityType",
                "DataLocality",
                "Capability",
            ];
            let weights = [1.0, 1.0, 2.0, 0.5, 0.1, -1.0, 3.7, 0.0, 1e-3];
            let prios = (0..r.below(6))
                .map(|_| (r.pick(&weights), r.pick(&names).to_string()))
                .collect();
            cfg.skippy.priorities = Some(prios);
        }
    }
    cfg
}

fn assert_same(fast: &Decision, slow: &Decision, case: &str) {
    assert_eq!(fast.node, slow.node, "{case}: node");
    assert_eq!(fast.tie_count, slow.tie_count, "{case}: ties");
    assert_eq!(
        fast.total_score.to_bits(),
        slow.total_score.to_bits(),
        "{case}: total {} vs {}",
        fast.total_score,
        slow.total_score
    );
    assert_eq!(fast.scores, slow.scores, "{case}: scores");
    assert_eq!(fast.rejections, slow.rejections, "{case}: rejections");
    assert_eq!(
        (fast.nodes_evaluated, fast.feasible, fast.scored),
        (slow.nodes_evaluated, slow.feasible, slow.scored),
        "{case}: walk"
    );
    assert_eq!(fast.needed_images, slow.needed_images, "{case}: images");
}

#[test]
fn the_fused_scan_decides_exactly_as_the_generic_path_on_random_clusters() {
    let mut r = Rng(11);
    let mut fused_decisions = 0;
    for case in 0..160 {
        let (mut c, reg) = random_cluster(&mut r);
        let oracle = |a: Endpoint, b: Endpoint| match (a, b) {
            (x, y) if x == y => Some(1.25e8),
            (Endpoint::Registry, Endpoint::Node(n)) | (Endpoint::Node(n), Endpoint::Registry) => {
                reg[n as usize]
            }
            _ => Some(1000.0),
        };
        let cfg = random_config(&mut r);
        let facts = NodeFacts::build(&c, &[], &oracle);
        let mut fast = Skippy::new(&cfg, &c, facts.clone(), 1).expect("valid config");
        let mut slow = Skippy::new(&cfg, &c, facts, 1)
            .expect("valid config")
            .without_fused_scan();
        let stock = cfg.skippy.preset != "vanilla";
        assert_eq!(fast.has_fused_scan(), stock, "case {case}: fast path built");
        let cache = ImageCache::new(c.nodes.len(), c.images.len());
        let n_images = c.images.len() as u64;
        let label_sets: Vec<Labels> = vec![
            Labels::new(),
            [("capability.skippy.io/nvidia-gpu".to_string(), String::new())].into(),
            [(
                "data.skippy.io/receives-from-storage/path".to_string(),
                "b/i".to_string(),
            )]
            .into(),
        ];
        let mut placed: Vec<(u32, u32, i64, i64, NodeId)> = Vec::new();
        for step in 0..40u32 {
            if !placed.is_empty() && r.chance(30) {
                let (replica, image, cpu, mem, node) =
                    placed.swap_remove(r.below(placed.len() as u64) as usize);
                let p = Pod::new(replica, 0, image, cpu, mem, &label_sets[0]);
                c.nodes.release(node, cpu, mem);
                let ctx = SchedContext {
                    cluster: &c,
                    cache: &cache,
                };
                fast.on_removed(&p, node, &ctx);
                slow.on_removed(&p, node, &ctx);
                continue;
            }
            let cpu = r.pick(&[0, 100, 250, 1000, 2000, 4000, 9000]);
            let mem = r.pick(&[0, 64 * MIB, 512 * MIB, GIB, 4 * GIB, 3 * GIB + 7]);
            // Mostly registry images, sometimes one outside the registry.
            let outside = u64::from(r.chance(5));
            let image = r.below(n_images + outside) as u32;
            let labels = if r.chance(80) {
                &label_sets[0]
            } else {
                &label_sets[1 + r.below(2) as usize]
            };
            let p = Pod::new(step, 0, image, cpu, mem, labels);
            let start = fast.start_index();
            assert_eq!(start, slow.start_index(), "case {case}: rotation");
            let ctx = SchedContext {
                cluster: &c,
                cache: &cache,
            };
            let (mut df, mut ds) = (Decision::default(), Decision::default());
            fast.schedule(&p, &ctx, &mut df);
            slow.schedule(&p, &ctx, &mut ds);
            assert_same(&df, &ds, &format!("case {case} step {step}"));
            if stock && labels.is_empty() {
                fused_decisions += 1;
            }
            if let Some(node) = df.node {
                c.nodes.reserve(node, cpu, mem);
                let ctx = SchedContext {
                    cluster: &c,
                    cache: &cache,
                };
                fast.on_placed(&p, node, &ctx);
                slow.on_placed(&p, node, &ctx);
                placed.push((step, image, cpu, mem, node));
            }
        }
    }
    assert!(fused_decisions > 2000, "{fused_decisions} fused decisions");
}

/// Decides `pod` with both paths and requires the same decision.
fn decide_both(
    fast: &mut Skippy,
    slow: &mut Skippy,
    c: &Cluster,
    pod: &Pod,
    case: &str,
) -> Decision {
    let cache = ImageCache::new(c.nodes.len(), c.images.len());
    let ctx = SchedContext {
        cluster: c,
        cache: &cache,
    };
    let (mut df, mut ds) = (Decision::default(), Decision::default());
    fast.schedule(pod, &ctx, &mut df);
    slow.schedule(pod, &ctx, &mut ds);
    assert_same(&df, &ds, case);
    df
}

#[test]
fn the_fused_scan_stays_exact_when_more_nodes_changed_than_the_change_log_holds() {
    // The fit memo replays the node table's change log; with more changes than the log keeps
    // since a request pair was last decided, it must start over instead of replaying the tail.
    let mut r = Rng(5);
    let (mut c, _) = random_cluster(&mut r);
    while c.nodes.len() < 200 {
        (c, _) = random_cluster(&mut r);
    }
    let mut cfg = SchedulerConfig::default();
    cfg.skippy.percentage_of_nodes_to_score = 100.0;
    let facts = NodeFacts::build(&c, &[], &|_, _| Some(1000.0));
    let mut fast = Skippy::new(&cfg, &c, facts.clone(), 1).expect("valid config");
    let mut slow = Skippy::new(&cfg, &c, facts, 1)
        .expect("valid config")
        .without_fused_scan();
    assert!(fast.has_fused_scan());
    let none = Labels::new();
    let pod = Pod::new(1, 0, 0, 250, 512 * MIB, &none);
    let n = c.nodes.len() as u32;
    for round in 0..3u32 {
        decide_both(&mut fast, &mut slow, &c, &pod, &format!("round {round}"));
        // Node 0 loses everything first, so only a replay from the start sees it; then more
        // small changes than the log holds, spread over the other nodes.
        let (cpu0, mem0) = (c.nodes.cpu_free()[0], c.nodes.mem_free()[0]);
        c.nodes.reserve(0, cpu0, mem0);
        for i in 0..crate::cluster::change_log::CAPACITY as u32 / 2 + 7 {
            // Two changes, a net 50 millicores and 36 MiB less.
            let node = 1 + (i + round) % (n - 1);
            c.nodes.reserve(node, 150, 100 * MIB);
            c.nodes.release(node, 100, 64 * MIB);
        }
        let d = decide_both(
            &mut fast,
            &mut slow,
            &c,
            &pod,
            &format!("round {round}, after"),
        );
        assert_ne!(d.node, Some(0), "node 0 is full");
        c.nodes.release(0, cpu0, mem0);
    }
}

#[test]
fn sampled_walks_compute_only_what_they_visit_and_stay_exact() {
    // With sampling the walk stops early and leaves later nodes' memo bytes unknown; later
    // decisions (other start positions, changed nodes) must still agree with the generic path.
    let mut r = Rng(23);
    for case in 0..20 {
        let (mut c, _) = random_cluster(&mut r);
        let mut cfg = SchedulerConfig::default();
        cfg.skippy.percentage_of_nodes_to_score = r.pick(&[0.0, 10.0, 50.0]);
        let facts = NodeFacts::build(&c, &[], &|_, _| Some(1000.0));
        let mut fast = Skippy::new(&cfg, &c, facts.clone(), 1).expect("valid config");
        let mut slow = Skippy::new(&cfg, &c, facts, 1)
            .expect("valid config")
            .without_fused_scan();
        let none = Labels::new();
        for step in 0..30u32 {
            let cpu = r.pick(&[100, 1000]);
            let mem = r.pick(&[64 * MIB, GIB]);
            let pod = Pod::new(step, 0, 0, cpu, mem, &none);
            let d = decide_both(
                &mut fast,
                &mut slow,
                &c,
                &pod,
                &format!("case {case} step {step}"),
            );
            if let Some(node) = d.node {
                c.nodes.reserve(node, cpu, mem);
            }
        }
    }
}
