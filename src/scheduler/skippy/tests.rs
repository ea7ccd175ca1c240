//! The skippy profile against hand-computed worked examples (S1–S4, each test spelling out its
//! arithmetic; the formulas are in `docs/schedulers.md`, "Formulas") and more cases.

use super::super::facts::NodeKube;
use super::super::testutil::*;
use super::*;
use crate::cluster::ImageCache;
use crate::config::Labels;
use crate::config::{PredicateArgs, PredicateSpec, SchedulerConfig};

fn skippy(cfg: &SchedulerConfig, cluster: &Cluster, bw: &Bw) -> Skippy {
    Skippy::new(cfg, cluster, facts(cluster, &[], bw), 1).expect("valid config")
}

fn explain_all() -> SchedulerConfig {
    SchedulerConfig {
        explain_top_k: 100,
        ..SchedulerConfig::default()
    }
}

/// Per candidate node (in node-id order): the reduced score of each priority.
fn reduced_by_node(d: &Decision) -> Vec<(u32, Vec<f64>)> {
    let mut v: Vec<(u32, Vec<f64>)> = d
        .top
        .iter()
        .map(|c| (c.node, c.scores.iter().map(|e| e.normalized).collect()))
        .collect();
    v.sort_by_key(|x| x.0);
    v
}

fn mark_image_everywhere(s: &mut Skippy, cluster: &Cluster, cache: &ImageCache, image: u32) {
    let none = Labels::new();
    for node in 0..cluster.nodes.len() as u32 {
        let p = Pod::new(9999, 0, image, 0, 0, &none);
        s.on_placed(&p, node, &SchedContext { cluster, cache });
    }
}

#[test]
fn nodes_to_find_follows_the_skippy_table() {
    let table = [
        (3, 50.0, 3),
        (5, 50.0, 100),
        (1000, 50.0, 500),
        (1370, 50.0, 685),
        (1370, 10.0, 137),
        (1000, 0.0, 420),
        (1370, 0.0, 534),
        (10000, 0.0, 500),
        (200, 100.0, 200),
    ];
    for (n, p, k) in table {
        assert_eq!(nodes_to_find(n, p), k, "N = {n}, p = {p}");
    }
}

#[test]
fn s1_first_placement_ties_to_the_first_node_and_the_image_makes_it_sticky() {
    let mut c = cluster(
        vec![n("A", 4000, 4 * GIB), n("B", 4000, 4 * GIB)],
        &[("img", &[("x86", 100_000_000)])],
    );
    let cache = ImageCache::new(2, 1);
    let mut s = skippy(&explain_all(), &c, &Bw::uniform(125.0));
    let none = Labels::new();
    let p1 = pod(0, 1000, GIB, &none);

    let d1 = schedule_and_place(&mut s, &mut c, &cache, &p1);
    assert_eq!(d1.node, Some(0));
    assert_eq!(d1.tie_count, 2);
    assert_eq!(d1.total_score, 20.0);
    assert_eq!(
        score_triples(&d1),
        vec![
            ("BalancedResource", 10.0, 10.0),
            ("LatencyAwareImageLocality", 800_000.0, 10.0),
            ("LocalityType", 0.0, 0.0),
            ("DataLocality", 0.0, 0.0),
            ("Capability", 0.0, 0.0),
        ]
    );
    assert_eq!(d1.needed_images, vec![0]);
    assert_eq!(s.start_index(), 0, "(1 + 1) mod 2");
    assert_eq!((d1.feasible, d1.scored, d1.nodes_evaluated), (2, 2, 2));
    assert_eq!(
        d1.rejections,
        vec![
            ("PodFitsResources", 0),
            ("CheckNodeLabelPresence", 0),
            ("ImageArchAvailable", 0),
            ("RegistryReachable", 0)
        ]
    );

    let p2 = pod(1, 1000, GIB, &none);
    let d2 = schedule_and_place(&mut s, &mut c, &cache, &p2);
    assert_eq!(d2.node, Some(0));
    assert_eq!(
        reduced_by_node(&d2),
        vec![
            (0, vec![10.0, 10.0, 0.0, 0.0, 0.0]),
            (1, vec![10.0, 0.0, 0.0, 0.0, 0.0])
        ]
    );
    assert_eq!(d2.total_score, 20.0);
    assert_eq!(d2.tie_count, 1);
    assert!(
        d2.needed_images.is_empty(),
        "the view already holds the image on A"
    );
}

#[test]
fn s2_balanced_truncates_exact_fit_scores_zero_and_edge_wins() {
    let c = cluster(
        vec![
            n("C", 2000, 8 * GIB).label("locality.skippy.io/type", "edge"),
            n("D", 1000, GIB).label("locality.skippy.io/type", "cloud"),
            n("E", 500, 4 * GIB),
        ],
        &[("img", &[("x86", 50_000_000)])],
    );
    let cache = ImageCache::new(3, 1);
    let mut s = skippy(&explain_all(), &c, &Bw::uniform(1000.0));
    mark_image_everywhere(&mut s, &c, &cache, 0);
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &pod(0, 500, 512 * MIB, &none));
    assert_eq!(d.node, Some(0));
    assert_eq!(d.feasible, 3);
    assert_eq!(d.total_score, 18.0);
    assert_eq!(
        reduced_by_node(&d),
        vec![
            (0, vec![8.0, 0.0, 10.0, 0.0, 0.0]),
            (1, vec![10.0, 0.0, 0.0, 0.0, 0.0]),
            (2, vec![0.0, 0.0, 0.0, 0.0, 0.0]),
        ]
    );
}

fn s3_cluster() -> (Cluster, Bw) {
    let mut c = cluster(
        vec![
            n("N0", 4000, 4 * GIB).label("data.skippy.io/storage", ""),
            n("N1", 4000, 4 * GIB),
            n("N2", 4000, 4 * GIB)
                .label("capability.skippy.io/nvidia-gpu", "")
                .label("capability.skippy.io/nvidia-cuda", "10"),
            n("N3", 4000, 4 * GIB),
        ],
        &[("img", &[("x86", 10_000_000)])],
    );
    c.storage.add_bucket("b", 0);
    c.storage.add_item("b", "i", 50_000_000);
    let bw = Bw::uniform(1000.0)
        .pair(0, 1, 1000.0)
        .pair(0, 2, 100.0)
        .pair(0, 3, 250.0);
    (c, bw)
}

#[test]
fn s3_data_locality_capability_and_rotation() {
    let (c, bw) = s3_cluster();
    let cache = ImageCache::new(4, 1);
    let mut s = skippy(&explain_all(), &c, &bw);
    mark_image_everywhere(&mut s, &c, &cache, 0);
    let l = labels(&[
        ("data.skippy.io/receives-from-storage/path", "b/i"),
        ("capability.skippy.io/nvidia-gpu", ""),
    ]);
    let p = pod(0, 1000, GIB, &l);

    let d = decide(&mut s, &c, &cache, &p);
    assert_eq!(d.rejections[1], ("CheckNodeLabelPresence", 1));
    assert_eq!(d.feasible, 3);
    assert_eq!(
        reduced_by_node(&d),
        vec![
            (1, vec![10.0, 0.0, 0.0, 10.0, 0.0]),
            (2, vec![10.0, 0.0, 0.0, 0.0, 10.0]),
            (3, vec![10.0, 0.0, 0.0, 6.0, 0.0]),
        ]
    );
    let raw_data: Vec<f64> = {
        let mut v: Vec<(u32, f64)> = d.top.iter().map(|c| (c.node, c.scores[3].raw)).collect();
        v.sort_by_key(|x| x.0);
        v.into_iter().map(|x| x.1).collect()
    };
    assert_eq!(raw_data, vec![50_000.0, 500_000.0, 200_000.0]);
    assert_eq!((d.node, d.total_score, d.tie_count), (Some(1), 20.0, 2));
    assert_eq!(s.start_index(), 0, "(3 + 1) mod 4");

    s.set_start_index(2);
    let d = decide(&mut s, &c, &cache, &p);
    assert_eq!(d.start_index, 2);
    assert_eq!(
        d.node,
        Some(2),
        "visit order N2, N3, N0, N1: N2 is the first maximum"
    );
    assert_eq!(s.start_index(), 2, "last feasible N1 at position 1");
}

#[test]
fn s4_vanilla_image_locality_scales_by_the_share_of_nodes() {
    let c = cluster(
        vec![
            n("n0", 4000, 4 * GIB),
            n("n1", 4000, 4 * GIB),
            n("n2", 4000, 4 * GIB),
            n("n3", 4000, 4 * GIB),
        ],
        &[("img", &[("x86", 500_000_000)])],
    );
    let cache = ImageCache::new(4, 1);
    let cfg = SchedulerConfig {
        explain_top_k: 10,
        skippy: crate::config::SkippyConfig {
            preset: "vanilla".into(),
            ..Default::default()
        },
        ..SchedulerConfig::default()
    };
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    assert_eq!(
        s.predicate_names(),
        vec![
            "PodFitsResources",
            "CheckNodeLabelPresence",
            "CanRun",
            "NodeHasAccelerator",
            "NodeHasFreeGpu",
            "NodeHasFreeTpu",
            "RegistryReachable"
        ]
    );
    let none = Labels::new();
    for node in [0, 1] {
        s.on_placed(
            &pod(90 + node, 0, 0, &none),
            node,
            &SchedContext {
                cluster: &c,
                cache: &cache,
            },
        );
    }
    assert_eq!(s.view().num_nodes, vec![2]);
    let d = decide(&mut s, &c, &cache, &pod(0, 1000, GIB, &none));
    assert_eq!(
        reduced_by_node(&d),
        vec![
            (0, vec![10.0, 2.0]),
            (1, vec![10.0, 2.0]),
            (2, vec![10.0, 0.0]),
            (3, vec![10.0, 0.0]),
        ]
    );
    assert_eq!((d.node, d.total_score, d.tie_count), (Some(0), 12.0, 2));
}

#[test]
fn percentage_sampling_stops_at_k_feasible_and_rotates_from_the_last_one() {
    // 200 nodes, every fifth one full: p = 50 → k = 100.
    let nodes = (0..200)
        .map(|i| {
            n(
                Box::leak(format!("n{i}").into_boxed_str()),
                if i % 5 == 4 { 0 } else { 4000 },
                4 * GIB,
            )
        })
        .collect();
    let c = cluster(nodes, &[("img", &[("x86", 1_000_000)])]);
    let cache = ImageCache::new(200, 1);
    let cfg = SchedulerConfig {
        skippy: crate::config::SkippyConfig {
            percentage_of_nodes_to_score: 50.0,
            ..Default::default()
        },
        ..SchedulerConfig::default()
    };
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    let none = Labels::new();
    let p = pod(0, 1000, GIB, &none);
    let d = decide(&mut s, &c, &cache, &p);
    // 4 of every 5 nodes are feasible: the 100th is node 123, after 124 visited nodes.
    assert_eq!(
        (d.nodes_to_find, d.feasible, d.nodes_evaluated),
        (100, 100, 124)
    );
    assert_eq!(d.rejections[0], ("PodFitsResources", 24));
    assert_eq!(d.node, Some(0));
    assert_eq!(s.start_index(), 124);
    let d = decide(&mut s, &c, &cache, &p);
    assert_eq!(d.start_index, 124);
    // From 124: 76 nodes to the end hold 60 feasible, then 0..49 give 40 more (node 48 is the
    // 100th), so the walk visits 76 + 49 = 125 nodes.
    assert_eq!((d.feasible, d.nodes_evaluated), (100, 125));
    assert_eq!(d.rejections[0], ("PodFitsResources", 25));
    assert_eq!(s.start_index(), 49);
    assert_eq!(
        d.node,
        Some(125),
        "all equal: the first visited feasible node"
    );
}

#[test]
fn latency_aware_falls_back_to_the_first_variant_then_prefers_any() {
    let c = cluster(
        vec![n("X", 4000, 4 * GIB), n("R", 4000, 4 * GIB).arch("arm32")],
        &[
            (
                "fallback",
                &[("aarch64", 300_000_000), ("arm32", 100_000_000)],
            ),
            ("with-any", &[("aarch64", 300_000_000), ("any", 50_000_000)]),
        ],
    );
    let cache = ImageCache::new(2, 2);
    // A custom list without `ImageArchAvailable`, so the x86 node without a variant is scored.
    let mut cfg = explain_all();
    cfg.skippy.predicates = Some(vec![
        PredicateSpec::Name("PodFitsResources".into()),
        PredicateSpec::Name("CheckNodeLabelPresence".into()),
    ]);
    let mut s = skippy(&cfg, &c, &Bw::uniform(100.0));
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &Pod::new(0, 0, 0, 1000, GIB, &none));
    let lat: Vec<(u32, f64, f64)> = {
        let mut v: Vec<_> = d
            .top
            .iter()
            .map(|c| (c.node, c.scores[1].raw, c.scores[1].normalized))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    };
    // X (x86) has no variant → first (aarch64, 3e8) → 3e6; R → 1e6.
    // Reduce: X trunc(10 × (3e6 − 3e6 + 1e6) / 3e6) = 3, R trunc(10 × 3e6 / 3e6) = 10.
    assert_eq!(lat, vec![(0, 3_000_000.0, 3.0), (1, 1_000_000.0, 10.0)]);
    assert_eq!(d.node, Some(1));
    let d = decide(&mut s, &c, &cache, &Pod::new(1, 0, 1, 1000, GIB, &none));
    let raws: Vec<f64> = {
        let mut v: Vec<_> = d.top.iter().map(|c| (c.node, c.scores[1].raw)).collect();
        v.sort_by_key(|x| x.0);
        v.into_iter().map(|x| x.1).collect()
    };
    assert_eq!(
        raws,
        vec![500_000.0, 500_000.0],
        "`any` matches x86 and arm32"
    );
}

#[test]
fn data_locality_with_two_storage_nodes_keeps_the_slowest_link() {
    let mut c = cluster(
        vec![
            n("S1", 4000, 4 * GIB).label("data.skippy.io/storage", ""),
            n("S2", 4000, 4 * GIB).label("data.skippy.io/storage", ""),
            n("A", 4000, 4 * GIB),
            n("B", 4000, 4 * GIB),
        ],
        &[("img", &[("x86", 1_000_000)])],
    );
    c.storage.add_bucket("b", 0);
    c.storage.add_bucket("b", 1);
    c.storage.add_item("b", "i", 50_000_000);
    let bw = Bw::uniform(1000.0)
        .pair(0, 2, 1000.0)
        .pair(1, 2, 100.0)
        .pair(0, 3, 500.0)
        .pair(1, 3, 500.0);
    let cache = ImageCache::new(4, 1);
    let mut s = skippy(&explain_all(), &c, &bw);
    let l = labels(&[("data.skippy.io/sends-to-storage/path", "b/i")]);
    let d = decide(&mut s, &c, &cache, &pod(0, 1000, GIB, &l));
    let data: Vec<(u32, f64, f64)> = {
        let mut v: Vec<_> = d
            .top
            .iter()
            .map(|c| (c.node, c.scores[3].raw, c.scores[3].normalized))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    };
    // A: min(1000, 100) = 100 → 500 000; B: 500 → 100 000.
    assert_eq!(data, vec![(2, 500_000.0, 0.0), (3, 100_000.0, 10.0)]);
    assert_eq!(d.node, Some(3));
}

#[test]
fn missing_storage_item_scores_zero() {
    let (c, bw) = s3_cluster();
    let cache = ImageCache::new(4, 1);
    let mut s = skippy(&explain_all(), &c, &bw);
    let l = labels(&[("data.skippy.io/receives-from-storage/path", "b/missing")]);
    let d = decide(&mut s, &c, &cache, &pod(0, 1000, GIB, &l));
    assert!(d.top.iter().all(|c| c.scores[3].normalized == 0.0));
}

fn raith21_gpu_cluster() -> Cluster {
    cluster(
        vec![
            n("cpu", 4000, 8 * GIB)
                .ty("nuc")
                .label("device.edgerun.io/accelerator", "NONE"),
            n("tx2", 4000, 8 * GIB)
                .ty("tx2")
                .arch("aarch64")
                .label("device.edgerun.io/accelerator", "GPU")
                .label("device.edgerun.io/vram", "8000"),
            n("xeongpu", 4000, 8 * GIB)
                .ty("xeongpu")
                .label("device.edgerun.io/accelerator", "GPU")
                .label("device.edgerun.io/vram", "6000"),
        ],
        &[("img", &[("any", 1_000_000)])],
    )
}

#[test]
fn gpu_pods_go_only_to_nodes_with_a_free_gpu() {
    let mut c = raith21_gpu_cluster();
    let cache = ImageCache::new(3, 1);
    let cfg = SchedulerConfig {
        skippy: crate::config::SkippyConfig {
            preset: "vanilla".into(),
            ..Default::default()
        },
        ..SchedulerConfig::default()
    };
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    let gpu = labels(&[("device.edgerun.io/accelerator", "GPU")]);
    let p = [
        pod(0, 500, GIB, &gpu),
        pod(1, 500, GIB, &gpu),
        pod(2, 500, GIB, &gpu),
    ];
    let d0 = schedule_and_place(&mut s, &mut c, &cache, &p[0]);
    let d1 = schedule_and_place(&mut s, &mut c, &cache, &p[1]);
    let mut used = vec![d0.node.unwrap(), d1.node.unwrap()];
    used.sort();
    assert_eq!(used, vec![1, 2]);
    assert_eq!(d0.rejections[3], ("NodeHasAccelerator", 1));
    let d2 = schedule_and_place(&mut s, &mut c, &cache, &p[2]);
    assert_eq!(d2.node, None);
    assert_eq!(d2.rejections[3], ("NodeHasAccelerator", 1));
    assert_eq!(d2.rejections[4], ("NodeHasFreeGpu", 2));
    assert_eq!(d2.failure_reason(), "NodeHasFreeGpu");
    // A CPU pod still fits anywhere.
    let none = Labels::new();
    assert!(decide(&mut s, &c, &cache, &pod(3, 500, GIB, &none))
        .node
        .is_some());
    // Removing a GPU pod frees its GPU again.
    remove(&mut s, &mut c, &cache, &p[0], d0.node.unwrap());
    assert_eq!(decide(&mut s, &c, &cache, &p[2]).node, d0.node);
}

#[test]
fn node_has_free_gpu_with_vram_sums_the_gpu_pods() {
    let mut c = raith21_gpu_cluster();
    let cache = ImageCache::new(3, 1);
    let cfg = SchedulerConfig {
        skippy: crate::config::SkippyConfig {
            predicates: Some(vec![
                PredicateSpec::Name("PodFitsResources".into()),
                PredicateSpec::Name("NodeHasAccelerator".into()),
                PredicateSpec::Table(PredicateArgs {
                    name: "NodeHasFreeGpu".into(),
                    labels: None,
                    present: false,
                    use_vram: true,
                }),
            ]),
            ..Default::default()
        },
        ..SchedulerConfig::default()
    };
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    let big = labels(&[
        ("device.edgerun.io/accelerator", "GPU"),
        ("device.edgerun.io/vram", "5000"),
    ]);
    let small = labels(&[
        ("device.edgerun.io/accelerator", "GPU"),
        ("device.edgerun.io/vram", "3000"),
    ]);
    // tx2 (8000 MB) takes 5000 + 3000; xeongpu (6000 MB) takes 5000 but not another 3000.
    let placed: Vec<Option<u32>> = [&big, &big, &small, &small]
        .iter()
        .enumerate()
        .map(|(i, l)| schedule_and_place(&mut s, &mut c, &cache, &pod(i as u32, 100, MIB, l)).node)
        .collect();
    assert_eq!(placed[..3].iter().filter(|x| x.is_some()).count(), 3);
    assert_eq!(placed[3], None, "no GPU has 3000 MB left");
}

#[test]
fn custom_lists_parse_from_toml_and_unknown_names_name_their_key() {
    let cfg: SchedulerConfig = toml::from_str(
        r#"
        explain_top_k = 2
        [skippy]
        predicates = ["PodFitsResources", { name = "CheckNodeLabelPresence", labels = ["zone"], present = true }]
        priorities = [[2, "LocalityType"], [0.5, "Equal"]]
        "#,
    )
    .expect("parses");
    let c = cluster(
        vec![
            n("a", 4000, 4 * GIB),
            n("b", 4000, 4 * GIB).label("zone", "x"),
            n("c", 4000, 4 * GIB)
                .label("zone", "y")
                .label("locality.skippy.io/type", "edge"),
        ],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(3, 1);
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &pod(0, 100, MIB, &none));
    assert_eq!(d.rejections[1], ("CheckNodeLabelPresence", 1));
    assert_eq!(d.node, Some(2));
    assert_eq!(d.total_score, 20.5);
    assert_eq!(d.scores[0].weighted, 20.0);
    assert_eq!(d.top.len(), 2);
    assert_eq!((d.top[1].node, d.top[1].total), (1, 0.5));

    let bad: SchedulerConfig =
        toml::from_str("[skippy]\npriorities = [[1, \"Equal\"], [1, \"Foo\"]]").unwrap();
    let err = Skippy::new(
        &bad,
        &c,
        facts(&c, &[NodeKube::default()], &Bw::uniform(1.0)),
        1,
    )
    .err()
    .unwrap();
    assert!(
        err.starts_with(
            "scheduler.skippy.priorities[1]: unknown priority `Foo` (valid: BalancedResource"
        ),
        "{err}"
    );
    let bad: SchedulerConfig = toml::from_str("[skippy]\npredicates = [\"Nope\"]").unwrap();
    let err = Skippy::new(&bad, &c, facts(&c, &[], &Bw::uniform(1.0)), 1)
        .err()
        .unwrap();
    assert!(
        err.starts_with("scheduler.skippy.predicates[0]: unknown predicate `Nope`"),
        "{err}"
    );
    let bad: SchedulerConfig = toml::from_str("[skippy]\npreset = \"fast\"").unwrap();
    let err = Skippy::new(&bad, &c, facts(&c, &[], &Bw::uniform(1.0)), 1)
        .err()
        .unwrap();
    assert_eq!(err, "scheduler.skippy.preset: unknown preset `fast` (valid: default, vanilla, raith21_skippy, ga)");
}

#[test]
fn unschedulable_pod_keeps_the_rotation_index_and_reports_the_top_predicate() {
    let c = cluster(
        vec![
            n("a", 1000, GIB),
            n("b", 1000, GIB),
            n("s", 8000, 8 * GIB).label("data.skippy.io/storage", ""),
        ],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(3, 1);
    let mut s = skippy(&SchedulerConfig::default(), &c, &Bw::uniform(1000.0));
    s.set_start_index(1);
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &pod(0, 2000, GIB, &none));
    assert_eq!(d.node, None);
    assert_eq!(
        d.rejections,
        vec![
            ("PodFitsResources", 2),
            ("CheckNodeLabelPresence", 1),
            ("ImageArchAvailable", 0),
            ("RegistryReachable", 0)
        ]
    );
    assert_eq!(d.failure_reason(), "PodFitsResources");
    assert_eq!((d.nodes_evaluated, d.scored), (3, 0));
    assert_eq!(s.start_index(), 1);
}

#[test]
fn registry_unreachable_nodes_fail_the_implicit_last_predicate() {
    let c = cluster(
        vec![n("a", 1000, GIB), n("b", 1000, GIB)],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(2, 1);
    let oracle = |a: crate::cluster::Endpoint, b: crate::cluster::Endpoint| match (a, b) {
        (crate::cluster::Endpoint::Registry, crate::cluster::Endpoint::Node(0)) => None,
        _ => Some(1000.0),
    };
    let f = NodeFacts::build(&c, &[], &oracle);
    let mut s = Skippy::new(&SchedulerConfig::default(), &c, f, 1).unwrap();
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &pod(0, 100, MIB, &none));
    assert_eq!(d.node, Some(1));
    assert_eq!(d.rejections.last(), Some(&("RegistryReachable", 1)));
}

#[test]
fn ga_preset_scores_capability_matching_contention_and_execution_time() {
    let c = raith21_gpu_cluster();
    let cache = ImageCache::new(3, 1);
    let cfg: SchedulerConfig = toml::from_str(
        r#"
        explain_top_k = 3
        characterisation = [
            { node_type = "nuc", image = "img", cpu = 0.5, ram = 0.2 },
            { node_type = "tx2", image = "img", cpu = 0.25, gpu = 0.125, ram = 0.2 },
            { node_type = "xeongpu", image = "img:latest", cpu = 0.125, gpu = 0.125, ram = 0.2 },
        ]
        [skippy]
        preset = "ga"
        "#,
    )
    .unwrap();
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    let l = labels(&[(
        "device.edgerun.io/requirements",
        r#"{"device.edgerun.io/accelerator": {"GPU": 3}, "device.edgerun.io/vram": {"8000": 1}}"#,
    )]);
    #[derive(serde::Deserialize)]
    struct W {
        exec: crate::config::TimeModelSpec,
    }
    let exec = toml::from_str::<W>(
        "exec = { default = { constant = { value = 2.0 } }, by_node_type = { tx2 = { constant = { value = 0.5 } }, xeongpu = { constant = { value = 1.0 } } } }",
    )
    .unwrap()
    .exec;
    let mut p = pod(0, 100, MIB, &l);
    p.exec = Some(&exec);
    let d = decide(&mut s, &c, &cache, &p);
    let rows = reduced_by_node(&d);
    // CapabilityMatching: nuc 0, tx2 3 + 1, xeongpu 3 → scale 0, 10, 7.
    // Contention: usage = cpu + gpu (no I/O) = 0.5, 0.375, 0.25 with nothing running → 10, 5, 0.
    // ExecutionTime: −2, −0.5, −1 → 0, 10, 6.
    assert_eq!(
        rows,
        vec![
            (0, vec![0.0, 10.0, 0.0]),
            (1, vec![10.0, 5.0, 10.0]),
            (2, vec![7.0, 0.0, 6.0]),
        ]
    );
    assert_eq!(d.node, Some(1));
}

#[derive(serde::Deserialize)]
struct Exec {
    exec: crate::config::TimeModelSpec,
}

fn exec(text: &str) -> crate::config::TimeModelSpec {
    toml::from_str::<Exec>(text).unwrap().exec
}

fn accel_cluster() -> Cluster {
    cluster(
        vec![
            n("nuc", 4000, 8 * GIB).ty("nuc"),
            n("coral", 4000, 8 * GIB).ty("coral").arch("aarch64"),
            n("tx2", 4000, 8 * GIB).ty("tx2").arch("aarch64"),
        ],
        &[("img", &[("any", 1_000_000)])],
    )
}

fn with_predicates(names: &[&str], extra: &str) -> SchedulerConfig {
    let list = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    toml::from_str(&format!("{extra}\n[skippy]\npredicates = [{list}]\n")).unwrap()
}

#[test]
fn can_run_needs_an_execution_model_for_the_node_type_and_a_characterisation_row() {
    let c = accel_cluster();
    let cache = ImageCache::new(3, 1);
    let none = Labels::new();
    let by_type = exec("exec = { by_node_type = { nuc = { constant = { value = 1 } }, tx2 = { constant = { value = 1 } } } }");
    let mut p = pod(0, 100, MIB, &none);
    p.exec = Some(&by_type);
    let mut s = skippy(&with_predicates(&["CanRun"], ""), &c, &Bw::uniform(1000.0));
    let d = decide(&mut s, &c, &cache, &p);
    assert_eq!(d.rejections[0], ("CanRun", 1), "no model for coral");
    // With a characterisation table, only types with a row can run the image.
    let cfg = with_predicates(
        &["CanRun"],
        "characterisation = [{ node_type = \"tx2\", image = \"img\" }]",
    );
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    let d = decide(&mut s, &c, &cache, &p);
    assert_eq!((d.node, d.rejections[0]), (Some(2), ("CanRun", 2)));
    // A pod without an execution model is checked against the table only.
    let d = decide(&mut s, &c, &cache, &pod(1, 100, MIB, &none));
    assert_eq!(d.rejections[0], ("CanRun", 2));
}

#[test]
fn has_enough_ram_sums_the_characterised_fractions_of_the_pods_on_the_node() {
    let mut c = accel_cluster();
    let cache = ImageCache::new(3, 1);
    let cfg = with_predicates(
        &["HasEnoughRam"],
        "characterisation = [{ node_type = \"nuc\", image = \"img\", ram = 0.5 }, { node_type = \"coral\", image = \"img\", ram = 0.75 }, { node_type = \"tx2\", image = \"img\", ram = 1.5 }]",
    );
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &pod(0, 100, MIB, &none));
    assert_eq!(d.rejections[0], ("HasEnoughRam", 1), "tx2 needs 1.5 > 1");
    place(&mut s, &mut c, &cache, &pod(1, 100, MIB, &none), 0);
    place(&mut s, &mut c, &cache, &pod(2, 100, MIB, &none), 1);
    let d = decide(&mut s, &c, &cache, &pod(3, 100, MIB, &none));
    // nuc: 0.5 + 0.5 = 1 fits; coral: 0.75 + 0.75 does not.
    assert_eq!((d.node, d.rejections[0]), (Some(0), ("HasEnoughRam", 2)));
    remove(&mut s, &mut c, &cache, &pod(2, 100, MIB, &none), 1);
    let d = decide(&mut s, &c, &cache, &pod(3, 100, MIB, &none));
    assert_eq!(d.rejections[0], ("HasEnoughRam", 1));
}

#[test]
fn tpu_pods_need_a_tpu_node_without_another_tpu_pod() {
    let mut c = accel_cluster();
    let cache = ImageCache::new(3, 1);
    let cfg = with_predicates(&["NodeHasAccelerator", "NodeHasFreeTpu"], "");
    let mut s = skippy(&cfg, &c, &Bw::uniform(1000.0));
    let tpu = labels(&[("device.edgerun.io/accelerator", "TPU")]);
    let d = schedule_and_place(&mut s, &mut c, &cache, &pod(0, 100, MIB, &tpu));
    assert_eq!(d.node, Some(1));
    let d = decide(&mut s, &c, &cache, &pod(1, 100, MIB, &tpu));
    assert_eq!(
        d.rejections,
        vec![
            ("NodeHasAccelerator", 2),
            ("NodeHasFreeTpu", 1),
            ("RegistryReachable", 0)
        ]
    );
    let other = labels(&[("device.edgerun.io/accelerator", "FPGA")]);
    assert_eq!(
        decide(&mut s, &c, &cache, &pod(2, 100, MIB, &other)).node,
        None
    );
}

#[test]
fn sampled_execution_time_is_reproducible_per_seed() {
    let c = accel_cluster();
    let cache = ImageCache::new(3, 1);
    let cfg: SchedulerConfig = toml::from_str(
        "execution_time_estimate = \"sample\"\n[skippy]\npriorities = [[1, \"ExecutionTime\"]]",
    )
    .unwrap();
    let model = exec("exec = { lognormal = { s = 1.0, scale = 1.0 } }");
    let none = Labels::new();
    let mut p = pod(0, 100, MIB, &none);
    p.exec = Some(&model);
    let run = |seed| {
        let mut s = Skippy::new(&cfg, &c, facts(&c, &[], &Bw::uniform(1000.0)), seed).unwrap();
        (0..30)
            .map(|_| decide(&mut s, &c, &cache, &p).node.unwrap())
            .collect::<Vec<_>>()
    };
    let a = run(1);
    assert_eq!(a, run(1));
    assert!(
        (0..3).all(|n| a.contains(&n)),
        "draws vary the winner: {a:?}"
    );
    // The mean of a constant model is deterministic: no draw changes anything.
    let constant = exec("exec = { default = { constant = { value = 2 } }, by_node_type = { coral = { constant = { value = 1 } } } }");
    p.exec = Some(&constant);
    let mut s = Skippy::new(&cfg, &c, facts(&c, &[], &Bw::uniform(1000.0)), 5).unwrap();
    assert_eq!(decide(&mut s, &c, &cache, &p).node, Some(1));
}
