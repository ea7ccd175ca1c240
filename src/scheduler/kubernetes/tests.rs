//! The kubernetes profile against hand-computed worked examples (K1–K3, each test spelling out
//! its arithmetic), the sampling table of `docs/schedulers.md` (`kubernetes`, "Sampling"), each
//! filter on its own, upstream's edge rules, zone-interleaved sampling and topology spreading.

use super::super::facts::NodeKube;
use super::super::testutil::*;
use super::*;
use crate::cluster::zones::{HOSTNAME_LABEL, ZONE_LABEL};
use crate::cluster::ImageCache;
use crate::config::KubernetesConfig;
use crate::config::Labels;
use crate::config::{
    AffinityConfig, PreferredTerm, ScoringStrategy, SelectorExpression, SelectorOperator,
    SelectorTerm, TaintConfig, TaintEffect, TolerationConfig, TolerationOperator,
};
use std::collections::BTreeMap;

fn kube(cfg: &SchedulerConfig, cluster: &Cluster, nodes: &[NodeKube], seed: u64) -> Kubernetes {
    Kubernetes::new(
        cfg,
        cluster,
        facts(cluster, nodes, &Bw::uniform(1000.0)),
        seed,
    )
    .expect("valid")
}

fn totals_by_node(d: &Decision) -> Vec<(u32, f64)> {
    let mut v: Vec<(u32, f64)> = d.top.iter().map(|c| (c.node, c.total)).collect();
    v.sort_by_key(|x| x.0);
    v
}

fn explain_all() -> SchedulerConfig {
    SchedulerConfig {
        profile: "kubernetes".into(),
        explain_top_k: 100,
        ..SchedulerConfig::default()
    }
}

fn expr(key: &str, op: SelectorOperator, values: &[&str]) -> SelectorExpression {
    SelectorExpression {
        key: key.into(),
        operator: op,
        values: values.iter().map(|v| v.to_string()).collect(),
    }
}

#[test]
fn nodes_to_find_follows_the_upstream_table() {
    let table = [
        (50, 0, 50),
        (200, 30, 100),
        (1000, 0, 420),
        (1370, 0, 548),
        (5000, 0, 500),
        (6000, 0, 300),
        (1000, 100, 1000),
    ];
    for (n, p, k) in table {
        assert_eq!(nodes_to_find(n, p), k, "N = {n}, p = {p}");
    }
}

#[test]
fn k1_least_allocated_balanced_and_image_locality() {
    let mut c = cluster(
        vec![n("X", 4000, 8 * GIB), n("Y", 4000, 8 * GIB)],
        &[("img", &[("x86", 314_572_800)]), ("other", &[("x86", 1)])],
    );
    let mut cache = ImageCache::new(2, 2);
    cache.insert(1, 0);
    let mut s = kube(&explain_all(), &c, &[], 7);
    let none = Labels::new();
    place(
        &mut s,
        &mut c,
        &cache,
        &Pod::new(10, 0, 1, 1000, 2 * GIB, &none),
        0,
    );
    place(
        &mut s,
        &mut c,
        &cache,
        &Pod::new(11, 0, 1, 3000, GIB, &none),
        1,
    );
    let d = decide(&mut s, &c, &cache, &pod(0, 500, GIB, &none));
    assert_eq!(d.node, Some(0));
    // The worked example's totals plus PodTopologySpread: these nodes carry neither topology
    // key, so no constraint applies, every raw score is 0 and every node scores 100 (× 2).
    assert_eq!(d.total_score, 662.0);
    assert_eq!(totals_by_node(&d), vec![(0, 662.0), (1, 623.0)]);
    let y = d.top.iter().find(|c| c.node == 1).unwrap();
    let y: Vec<(&str, f64, f64)> = y
        .scores
        .iter()
        .map(|e| (e.name, e.normalized, e.weighted))
        .collect();
    assert_eq!(
        y,
        vec![
            ("NodeResourcesFit", 43.0, 43.0),
            ("NodeResourcesBalancedAllocation", 68.0, 68.0),
            ("ImageLocality", 12.0, 12.0),
            ("TaintToleration", 100.0, 300.0),
            ("NodeAffinity", 0.0, 0.0),
            ("PodTopologySpread", 100.0, 200.0),
        ]
    );
    assert_eq!(d.needed_images, vec![0], "X's cache lacks the image");
    assert_eq!((d.scored, d.tie_count), (2, 1));
}

#[test]
fn k2_most_allocated_and_a_prefer_no_schedule_taint() {
    let c = cluster(
        vec![n("P", 2000, 4 * GIB), n("Q", 2000, 4 * GIB)],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(2, 1);
    let mut cfg = explain_all();
    cfg.kubernetes.scoring_strategy = ScoringStrategy::MostAllocated;
    let taint = TaintConfig {
        key: "dedicated".into(),
        value: "gpu".into(),
        effect: TaintEffect::PreferNoSchedule,
    };
    let nodes = [
        NodeKube::default(),
        NodeKube {
            taints: vec![taint],
            ..NodeKube::default()
        },
    ];
    let none = Labels::new();
    let run = |nodes: &[NodeKube]| {
        let mut c = c.clone();
        let mut s = kube(&cfg, &c, nodes, 7);
        place(&mut s, &mut c, &cache, &pod(10, 1000, 2 * GIB, &none), 1);
        decide(&mut s, &c, &cache, &pod(0, 500, GIB, &none))
    };
    let d = run(&nodes);
    // K2's totals + 200 from PodTopologySpread (100 on every node).
    assert_eq!(totals_by_node(&d), vec![(0, 625.0), (1, 375.0)]);
    assert_eq!(d.node, Some(0));
    let q = d.top.iter().find(|c| c.node == 1).unwrap();
    assert_eq!(q.scores[0].normalized, 75.0);
    assert_eq!((q.scores[3].raw, q.scores[3].normalized), (1.0, 0.0));
    // Without the taint Q would score 475.
    assert_eq!(totals_by_node(&run(&[]))[1], (1, 675.0));
}

fn k3() -> (Cluster, ImageCache) {
    let c = cluster(
        vec![
            n("n1", 4000, 8 * GIB)
                .label("zone", "a")
                .label("disk", "ssd"),
            n("n2", 4000, 8 * GIB).label("zone", "a"),
            n("n3", 4000, 8 * GIB).label("zone", "b"),
        ],
        &[("img", &[("x86", 1)])],
    );
    (c, ImageCache::new(3, 1))
}

#[test]
fn k3_preferred_node_affinity_decides_without_a_draw() {
    let (c, cache) = k3();
    let mut s = kube(&explain_all(), &c, &[], 7);
    let aff = AffinityConfig {
        required: vec![],
        preferred: vec![
            PreferredTerm {
                weight: 5,
                match_expressions: vec![expr("zone", SelectorOperator::In, &["a"])],
            },
            PreferredTerm {
                weight: 3,
                match_expressions: vec![expr("disk", SelectorOperator::In, &["ssd"])],
            },
        ],
    };
    let none = Labels::new();
    let mut p = pod(0, 1000, 2 * GIB, &none);
    p.affinity = Some(&aff);
    s.forced_tie = Some(99); // would panic on indexing if a draw were made
    let d = decide(&mut s, &c, &cache, &p);
    // PodTopologySpread scores 100 on every node (no replica placed yet): + 2 × 100 each.
    assert_eq!(totals_by_node(&d), vec![(0, 875.0), (1, 799.0), (2, 675.0)]);
    assert_eq!((d.node, d.tie_count), (Some(0), 1));
    let raws: Vec<(f64, f64)> = {
        let mut v: Vec<_> = d
            .top
            .iter()
            .map(|c| (c.node, c.scores[4].raw, c.scores[4].normalized))
            .collect();
        v.sort_by_key(|x| x.0);
        v.into_iter().map(|x| (x.1, x.2)).collect()
    };
    assert_eq!(raws, vec![(8.0, 100.0), (5.0, 62.0), (0.0, 0.0)]);
}

#[test]
fn k3_without_preferences_a_stubbed_draw_of_one_picks_the_second_tied_node() {
    let (c, cache) = k3();
    let mut s = kube(&explain_all(), &c, &[], 7);
    s.forced_tie = Some(1);
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &pod(0, 1000, 2 * GIB, &none));
    assert_eq!(totals_by_node(&d), vec![(0, 675.0), (1, 675.0), (2, 675.0)]);
    assert_eq!((d.node, d.tie_count), (Some(1), 3));
}

#[test]
fn seeded_tie_break_is_reproducible_and_uses_every_tied_node() {
    let (c, cache) = k3();
    let none = Labels::new();
    let run = |seed: u64| -> Vec<u32> {
        let mut s = kube(&explain_all(), &c, &[], seed);
        (0..40)
            .map(|i| {
                decide(&mut s, &c, &cache, &pod(i, 1000, GIB, &none))
                    .node
                    .unwrap()
            })
            .collect()
    };
    let a = run(42);
    assert_eq!(a, run(42));
    assert_ne!(a, run(43));
    for node in 0..3 {
        assert!(a.contains(&node), "node {node} never drawn in {a:?}");
    }
}

#[test]
fn a_single_feasible_node_is_chosen_without_scoring() {
    let c = cluster(
        vec![n("small", 500, GIB), n("big", 4000, GIB)],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(2, 1);
    let mut s = kube(&explain_all(), &c, &[], 7);
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &pod(0, 1000, MIB, &none));
    assert_eq!(
        (d.node, d.feasible, d.scored, d.tie_count),
        (Some(1), 1, 0, 1)
    );
    assert!(d.scores.is_empty() && d.top.is_empty());
    assert_eq!(d.needed_images, vec![0]);
}

#[test]
fn sampling_stops_at_k_and_next_start_advances_by_the_processed_nodes() {
    let nodes = (0..300)
        .map(|i| {
            n(
                Box::leak(format!("n{i}").into_boxed_str()),
                if i % 3 == 2 { 0 } else { 4000 },
                4 * GIB,
            )
        })
        .collect();
    let c = cluster(nodes, &[("img", &[("x86", 1)])]);
    let cache = ImageCache::new(300, 1);
    let mut cfg = explain_all();
    cfg.kubernetes.percentage_of_nodes_to_score = 10;
    let mut s = kube(&cfg, &c, &[], 7);
    let none = Labels::new();
    let d = decide(&mut s, &c, &cache, &pod(0, 1000, GIB, &none));
    // k = max(300 × 10 div 100, 100) = 100; 2 of every 3 fit: the 100th is node 148.
    assert_eq!(
        (d.nodes_to_find, d.feasible, d.nodes_evaluated),
        (100, 100, 149)
    );
    assert_eq!(s.next_start(), 149);
    let d = decide(&mut s, &c, &cache, &pod(1, 1000, GIB, &none));
    assert_eq!(d.start_index, 149);
    // Failures also advance: a pod that fits nowhere processes all 300 nodes.
    let d = decide(&mut s, &c, &cache, &pod(2, 100_000, GIB, &none));
    // The second decision processed 150 nodes (node 298 is its 100th feasible one).
    assert_eq!(d.start_index, 299);
    assert_eq!((d.node, d.nodes_evaluated), (None, 300));
    assert_eq!(s.next_start(), 299);
}

/// A decision on a cluster of the single node `node`.
fn one_node_decision(nodes: &[NodeKube], node: N, p: &Pod) -> Decision {
    let c = cluster(vec![node], &[("img", &[("x86", 1)])]);
    let cache = ImageCache::new(1, 1);
    let mut s = kube(&explain_all(), &c, nodes, 7);
    decide(&mut s, &c, &cache, p)
}

fn rejected_by(d: &Decision) -> Vec<&'static str> {
    d.rejections
        .iter()
        .filter(|r| r.1 > 0)
        .map(|r| r.0)
        .collect()
}

#[test]
fn filter_node_unschedulable() {
    let none = Labels::new();
    let p = pod(0, 100, MIB, &none);
    let k = [NodeKube {
        unschedulable: true,
        ..NodeKube::default()
    }];
    let d = one_node_decision(&k, n("x", 4000, GIB), &p);
    assert_eq!(rejected_by(&d), vec!["NodeUnschedulable"]);
    assert_eq!(d.node, None);
}

#[test]
fn filter_node_affinity_operators() {
    let none = Labels::new();
    let node = || n("x", 4000, GIB).label("zone", "a").label("gen", "7");
    let cases: Vec<(SelectorExpression, bool)> = vec![
        (expr("zone", SelectorOperator::In, &["a", "b"]), true),
        (expr("zone", SelectorOperator::In, &["b"]), false),
        (expr("zone", SelectorOperator::NotIn, &["b"]), true),
        (expr("zone", SelectorOperator::NotIn, &["a"]), false),
        (expr("missing", SelectorOperator::NotIn, &["a"]), true),
        (expr("gen", SelectorOperator::Exists, &[]), true),
        (expr("missing", SelectorOperator::Exists, &[]), false),
        (expr("gen", SelectorOperator::DoesNotExist, &[]), false),
        (expr("missing", SelectorOperator::DoesNotExist, &[]), true),
        (expr("gen", SelectorOperator::Gt, &["6"]), true),
        (expr("gen", SelectorOperator::Gt, &["7"]), false),
        (expr("gen", SelectorOperator::Lt, &["8"]), true),
        (expr("gen", SelectorOperator::Lt, &["x"]), false),
        (expr("zone", SelectorOperator::Gt, &["1"]), false),
    ];
    for (e, passes) in cases {
        let aff = AffinityConfig {
            required: vec![SelectorTerm {
                match_expressions: vec![e.clone()],
            }],
            preferred: vec![],
        };
        let mut p = pod(0, 100, MIB, &none);
        p.affinity = Some(&aff);
        let d = one_node_decision(&[], node(), &p);
        assert_eq!(d.node.is_some(), passes, "{e:?}");
    }
    // Terms are ORed, expressions ANDed; the node selector must hold as well.
    let aff = AffinityConfig {
        required: vec![
            SelectorTerm {
                match_expressions: vec![expr("zone", SelectorOperator::In, &["b"])],
            },
            SelectorTerm {
                match_expressions: vec![
                    expr("zone", SelectorOperator::In, &["a"]),
                    expr("gen", SelectorOperator::Exists, &[]),
                ],
            },
        ],
        preferred: vec![],
    };
    let mut p = pod(0, 100, MIB, &none);
    p.affinity = Some(&aff);
    assert_eq!(one_node_decision(&[], node(), &p).rejections[2].1, 0);
    let sel = labels(&[("zone", "b")]);
    p.node_selector = &sel;
    let d = one_node_decision(&[], node(), &p);
    assert_eq!(
        d.rejections[2],
        ("NodeAffinity", 1),
        "the node selector wants zone=b"
    );
}

#[test]
fn filter_taint_toleration() {
    let none = Labels::new();
    let taint = |effect| TaintConfig {
        key: "dedicated".into(),
        value: "gpu".into(),
        effect,
    };
    let tol = |key: &str, op, value: &str, effect| TolerationConfig {
        key: key.into(),
        operator: op,
        value: value.into(),
        effect,
    };
    let cases = vec![
        (TaintEffect::NoSchedule, vec![], false),
        (TaintEffect::NoExecute, vec![], false),
        (TaintEffect::PreferNoSchedule, vec![], true),
        (
            TaintEffect::NoSchedule,
            vec![tol("dedicated", TolerationOperator::Equal, "gpu", None)],
            true,
        ),
        (
            TaintEffect::NoSchedule,
            vec![tol("dedicated", TolerationOperator::Equal, "cpu", None)],
            false,
        ),
        (
            TaintEffect::NoSchedule,
            vec![tol("", TolerationOperator::Exists, "", None)],
            true,
        ),
        (
            TaintEffect::NoSchedule,
            vec![tol(
                "dedicated",
                TolerationOperator::Exists,
                "",
                Some(TaintEffect::NoExecute),
            )],
            false,
        ),
        (
            TaintEffect::NoExecute,
            vec![tol(
                "dedicated",
                TolerationOperator::Exists,
                "",
                Some(TaintEffect::NoExecute),
            )],
            true,
        ),
    ];
    for (effect, tols, passes) in cases {
        let k = [NodeKube {
            taints: vec![taint(effect)],
            ..NodeKube::default()
        }];
        let mut p = pod(0, 100, MIB, &none);
        p.tolerations = &tols;
        let d = one_node_decision(&k, n("x", 4000, GIB), &p);
        assert_eq!(d.node.is_some(), passes, "{effect:?} {tols:?}");
    }
}

#[test]
fn filter_node_resources_fit_counts_extended_resources_and_max_pods() {
    let none = Labels::new();
    let mut ext = BTreeMap::new();
    ext.insert("gpu".to_string(), 1u64);
    let gpu_node = NodeKube {
        extended: ext.clone(),
        max_pods: 2,
        ..NodeKube::default()
    };
    let mut c = cluster(
        vec![n("g", 4000, 4 * GIB), n("plain", 4000, 4 * GIB)],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(2, 1);
    let mut s = kube(&explain_all(), &c, &[gpu_node], 7);
    let mut p = pod(0, 100, MIB, &none);
    p.extended = &ext;
    let d = schedule_and_place(&mut s, &mut c, &cache, &p);
    assert_eq!(d.node, Some(0));
    assert_eq!(d.rejections[3], ("NodeResourcesFit", 1), "plain has no gpu");
    let d = decide(&mut s, &c, &cache, &p);
    assert_eq!(
        (d.node, d.rejections[3].1),
        (None, 2),
        "the only gpu is in use"
    );
    // A second plain pod fills g's pod limit of 2; a third finds it full.
    schedule_and_place(&mut s, &mut c, &cache, &pod(1, 100, MIB, &none));
    place(&mut s, &mut c, &cache, &pod(2, 100, MIB, &none), 0);
    let cpu_pod = pod(3, 4000, MIB, &none);
    let d = decide(&mut s, &c, &cache, &cpu_pod);
    assert_eq!(d.rejections[3], ("NodeResourcesFit", 2));
    // Releasing the gpu pod frees the gpu.
    remove(&mut s, &mut c, &cache, &p, 0);
    assert_eq!(decide(&mut s, &c, &cache, &p).node, Some(0));
}

#[test]
fn filter_avoid_storage_nodes_and_image_arch_available() {
    let none = Labels::new();
    let p = pod(0, 100, MIB, &none);
    let d = one_node_decision(
        &[],
        n("s", 4000, GIB).label("data.skippy.io/storage", ""),
        &p,
    );
    assert_eq!(rejected_by(&d), vec!["AvoidStorageNodes"]);
    let c = cluster(
        vec![n("arm", 4000, GIB).arch("arm32"), n("x", 4000, GIB)],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(2, 1);
    let mut s = kube(&explain_all(), &c, &[], 7);
    let d = decide(&mut s, &c, &cache, &p);
    assert_eq!(rejected_by(&d), vec!["ImageArchAvailable"]);
    assert_eq!(d.node, Some(1));
    let mut cfg = explain_all();
    cfg.kubernetes.avoid_storage_nodes = false;
    assert!(!kube(&cfg, &c, &[], 7)
        .filter_names()
        .contains(&"AvoidStorageNodes"));
}

#[test]
fn extension_filters_and_scores_work_in_the_kubernetes_profile() {
    let c = cluster(
        vec![
            n("cpu", 4000, 8 * GIB).label("device.edgerun.io/accelerator", "NONE"),
            n("gpu", 4000, 8 * GIB).label("device.edgerun.io/accelerator", "GPU"),
        ],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(2, 1);
    let cfg: SchedulerConfig = toml::from_str(
        r#"
        profile = "kubernetes"
        explain_top_k = 2
        [kubernetes]
        extra_filters = ["NodeHasAccelerator", "NodeHasFreeGpu"]
        extra_scores = [[2, "CapabilityMatching"]]
        "#,
    )
    .unwrap();
    let mut s = kube(&cfg, &c, &[], 7);
    let gpu = labels(&[("device.edgerun.io/accelerator", "GPU")]);
    let d = decide(&mut s, &c, &cache, &pod(0, 100, MIB, &gpu));
    assert_eq!(d.node, Some(1));
    assert_eq!(d.rejections[7], ("NodeHasAccelerator", 1));
    let req = labels(&[(
        "device.edgerun.io/requirements",
        r#"{"device.edgerun.io/accelerator": {"GPU": 1}}"#,
    )]);
    let d = decide(&mut s, &c, &cache, &pod(1, 100, MIB, &req));
    let cm = d
        .scores
        .iter()
        .find(|e| e.name == "CapabilityMatching")
        .unwrap();
    assert_eq!(
        (d.node, cm.normalized, cm.weighted),
        (Some(1), 100.0, 200.0)
    );
    let bad: SchedulerConfig = toml::from_str(
        "profile = \"kubernetes\"\n[kubernetes]\nextra_scores = [[1, \"BalancedResource\"]]",
    )
    .unwrap();
    let err = Kubernetes::new(&bad, &c, facts(&c, &[], &Bw::uniform(1.0)), 1)
        .err()
        .unwrap();
    assert_eq!(
        err,
        "scheduler.kubernetes.extra_scores[0]: unknown priority `BalancedResource` (valid: CapabilityMatching, ExecutionTime, Contention)"
    );
}

// --- upstream's edge rules -------------------------------------------------------------------

fn unschedulable_toleration() -> TolerationConfig {
    TolerationConfig {
        key: "node.kubernetes.io/unschedulable".into(),
        operator: TolerationOperator::Exists,
        value: String::new(),
        effect: Some(TaintEffect::NoSchedule),
    }
}

#[test]
fn a_pod_tolerating_the_unschedulable_taint_may_land_on_an_unschedulable_node() {
    let none = Labels::new();
    let k = [NodeKube {
        unschedulable: true,
        ..NodeKube::default()
    }];
    let tol = [unschedulable_toleration()];
    let mut p = pod(0, 100, MIB, &none);
    p.tolerations = &tol;
    let d = one_node_decision(&k, n("x", 4000, GIB), &p);
    assert_eq!(d.node, Some(0));
    // A toleration of another effect does not count.
    let tol = [TolerationConfig {
        effect: Some(TaintEffect::NoExecute),
        ..unschedulable_toleration()
    }];
    p.tolerations = &tol;
    let d = one_node_decision(&k, n("x", 4000, GIB), &p);
    assert_eq!(rejected_by(&d), vec!["NodeUnschedulable"]);
}

#[test]
fn a_selector_term_without_expressions_matches_no_node() {
    let none = Labels::new();
    let empty_required = AffinityConfig {
        required: vec![SelectorTerm {
            match_expressions: vec![],
        }],
        preferred: vec![],
    };
    let mut p = pod(0, 100, MIB, &none);
    p.affinity = Some(&empty_required);
    let d = one_node_decision(&[], n("x", 4000, GIB), &p);
    assert_eq!(rejected_by(&d), vec!["NodeAffinity"]);
    // A preferred term without expressions adds nothing: weights 0 and 5 → 0 and 100.
    let c = cluster(
        vec![n("a", 4000, GIB), n("b", 4000, GIB).label("disk", "ssd")],
        &[("img", &[("x86", 1)])],
    );
    let aff = AffinityConfig {
        required: vec![],
        preferred: vec![
            PreferredTerm {
                weight: 50,
                match_expressions: vec![],
            },
            PreferredTerm {
                weight: 5,
                match_expressions: vec![expr("disk", SelectorOperator::Exists, &[])],
            },
        ],
    };
    let mut p = pod(0, 100, MIB, &none);
    p.affinity = Some(&aff);
    let mut s = kube(&explain_all(), &c, &[], 1);
    let d = decide(&mut s, &c, &ImageCache::new(2, 1), &p);
    let affinity = |node: u32| {
        let cand = d.top.iter().find(|c| c.node == node).unwrap();
        let e = cand
            .scores
            .iter()
            .find(|e| e.name == "NodeAffinity")
            .unwrap();
        (e.raw, e.normalized)
    };
    assert_eq!((affinity(0), affinity(1)), ((0.0, 0.0), (5.0, 100.0)));
}

#[test]
fn a_node_failing_taints_and_affinity_is_charged_to_taint_toleration_which_runs_first() {
    let none = Labels::new();
    let k = [NodeKube {
        taints: vec![TaintConfig {
            key: "dedicated".into(),
            value: "gpu".into(),
            effect: TaintEffect::NoSchedule,
        }],
        ..NodeKube::default()
    }];
    let sel = labels(&[("zone", "b")]);
    let mut p = pod(0, 100, MIB, &none);
    p.node_selector = &sel;
    let d = one_node_decision(&k, n("x", 4000, GIB).label("zone", "a"), &p);
    assert_eq!(rejected_by(&d), vec!["TaintToleration"]);
    let s = kube(&explain_all(), &cluster(vec![n("x", 1, 1)], &[]), &[], 1);
    assert_eq!(
        &s.filter_names()[..4],
        &[
            "NodeUnschedulable",
            "TaintToleration",
            "NodeAffinity",
            "NodeResourcesFit"
        ]
    );
}

#[test]
fn hostname_expressions_select_nodes_by_name() {
    let none = Labels::new();
    let c = cluster(
        vec![
            n("a", 4000, GIB).label(HOSTNAME_LABEL, "a"),
            n("b", 4000, GIB).label(HOSTNAME_LABEL, "b"),
            n("c", 4000, GIB).label(HOSTNAME_LABEL, "c"),
        ],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(3, 1);
    let feasible = |aff: &AffinityConfig, sel: &Labels| {
        let mut s = kube(&explain_all(), &c, &[], 1);
        let mut p = pod(0, 100, MIB, &none);
        p.affinity = Some(aff);
        p.node_selector = sel;
        s.first_failures(
            &p,
            &SchedContext {
                cluster: &c,
                cache: &cache,
            },
        )
        .iter()
        .map(Option::is_none)
        .collect::<Vec<_>>()
    };
    let term = |e| AffinityConfig {
        required: vec![SelectorTerm {
            match_expressions: vec![e],
        }],
        preferred: vec![],
    };
    let none_sel = Labels::new();
    let in_ac = term(expr(HOSTNAME_LABEL, SelectorOperator::In, &["a", "c"]));
    assert_eq!(feasible(&in_ac, &none_sel), [true, false, true]);
    let not_in_a = term(expr(HOSTNAME_LABEL, SelectorOperator::NotIn, &["a"]));
    assert_eq!(feasible(&not_in_a, &none_sel), [false, true, true]);
    let exists = term(expr(HOSTNAME_LABEL, SelectorOperator::Exists, &[]));
    assert_eq!(feasible(&exists, &none_sel), [true, true, true]);
    let no_terms = AffinityConfig::default();
    assert_eq!(
        feasible(&no_terms, &labels(&[(HOSTNAME_LABEL, "b")])),
        [false, true, false]
    );
}

// --- zone-interleaved sampling ---------------------------------------------------------------

#[test]
fn sampling_visits_zones_in_turn_and_finds_the_large_nodes_of_the_second_zone() {
    // 100 small nodes in zone a, then 100 large ones in zone b; 50 % sampling finds k = 100
    // feasible nodes: in id order all of zone a, in node-tree order 50 of each zone.
    let mut nodes = Vec::new();
    for i in 0..100 {
        nodes.push(
            n(
                Box::leak(format!("small-{i}").into_boxed_str()),
                2000,
                4 * GIB,
            )
            .label(ZONE_LABEL, "a"),
        );
    }
    for i in 0..100 {
        nodes.push(
            n(
                Box::leak(format!("large-{i}").into_boxed_str()),
                32000,
                64 * GIB,
            )
            .label(ZONE_LABEL, "b"),
        );
    }
    let c = cluster(nodes, &[("img", &[("x86", 1)])]);
    let cfg = SchedulerConfig {
        kubernetes: KubernetesConfig {
            percentage_of_nodes_to_score: 50,
            ..KubernetesConfig::default()
        },
        ..explain_all()
    };
    let mut s = kube(&cfg, &c, &[], 1);
    let none = Labels::new();
    let d = decide(
        &mut s,
        &c,
        &ImageCache::new(200, 1),
        &pod(0, 1000, GIB, &none),
    );
    assert_eq!(
        (d.nodes_to_find, d.nodes_evaluated, d.feasible),
        (100, 100, 100)
    );
    assert_eq!(d.top.len(), 100);
    assert_eq!(d.top.iter().filter(|c| c.node >= 100).count(), 50);
    assert!(d.node.unwrap() >= 100, "a large zone-b node: {:?}", d.node);
    assert_eq!(s.next_start(), 100);
}

// --- PodTopologySpread ------------------------------------------------------------------------

fn spread_score(d: &Decision, node: u32) -> (f64, f64) {
    let c = d.top.iter().find(|c| c.node == node).expect("candidate");
    let e = c
        .scores
        .iter()
        .find(|e| e.name == "PodTopologySpread")
        .expect("scored");
    (e.raw, e.normalized)
}

#[test]
fn two_replicas_spread_over_a_16_core_and_a_4_core_node() {
    // docs/schedulers.md, PodTopologySpread example.
    let mut c = cluster(
        vec![
            n("A", 16_000, 32 * GIB)
                .label(ZONE_LABEL, "z")
                .label(HOSTNAME_LABEL, "A"),
            n("B", 4_000, 8 * GIB)
                .label(ZONE_LABEL, "z")
                .label(HOSTNAME_LABEL, "B"),
        ],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(2, 1);
    let mut s = kube(&explain_all(), &c, &[], 1);
    let none = Labels::new();
    // First replica: Fit 94 + Balanced 98 on A against 81 + 93 on B; spreading 100 on both.
    let d1 = schedule_and_place(&mut s, &mut c, &cache, &pod(1, 1000, GIB, &none));
    assert_eq!(d1.node, Some(0));
    assert_eq!(totals_by_node(&d1), vec![(0, 692.0), (1, 674.0)]);
    assert_eq!(spread_score(&d1, 0).1, 100.0);
    // Second replica: A raw round(1·ln 4 + 2 + 1·ln 3 + 4) = 8, B round(2 + ln 3 + 4) = 7;
    // 100 × (15 − 8) div 8 = 87 and 100.
    let d2 = schedule_and_place(&mut s, &mut c, &cache, &pod(2, 1000, GIB, &none));
    assert_eq!(
        (spread_score(&d2, 0), spread_score(&d2, 1)),
        ((8.0, 87.0), (7.0, 100.0))
    );
    // A: 90 + 96 + 0 + 300 + 0 + 174 = 660; B: 81 + 93 + 0 + 300 + 0 + 200 = 674.
    assert_eq!(totals_by_node(&d2), vec![(0, 660.0), (1, 674.0)]);
    assert_eq!(
        d2.node,
        Some(1),
        "the second replica goes to the small node"
    );
    // Another function's replica is not counted: it sees no replica of its own.
    let other = Pod::new(3, 1, 0, 1000, GIB, &none);
    let d3 = decide(&mut s, &c, &cache, &other);
    assert_eq!(
        (spread_score(&d3, 0).1, spread_score(&d3, 1).1),
        (100.0, 100.0)
    );
    // Removing the first replica forgets it: only B's replica is left, so A is now preferred.
    remove(&mut s, &mut c, &cache, &pod(1, 1000, GIB, &none), 0);
    let d4 = decide(&mut s, &c, &cache, &pod(4, 1000, GIB, &none));
    assert_eq!(
        (spread_score(&d4, 0), spread_score(&d4, 1)),
        ((7.0, 100.0), (8.0, 87.0))
    );
}

#[test]
fn spreading_counts_replicas_per_zone_over_all_nodes() {
    // Zones a (nodes 0, 1) and b (node 2); two replicas on node 1 (zone a). The pod can only
    // go to nodes 0 and 2 (node 1 is full), yet zone a's count includes node 1's replicas.
    let mut c = cluster(
        vec![
            n("a0", 4000, 8 * GIB)
                .label(ZONE_LABEL, "a")
                .label(HOSTNAME_LABEL, "a0"),
            n("a1", 2000, 8 * GIB)
                .label(ZONE_LABEL, "a")
                .label(HOSTNAME_LABEL, "a1"),
            n("b0", 4000, 8 * GIB)
                .label(ZONE_LABEL, "b")
                .label(HOSTNAME_LABEL, "b0"),
        ],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(3, 1);
    let mut s = kube(&explain_all(), &c, &[], 1);
    let none = Labels::new();
    place(&mut s, &mut c, &cache, &pod(1, 1000, GIB, &none), 1);
    place(&mut s, &mut c, &cache, &pod(2, 1000, GIB, &none), 1);
    let d = decide(&mut s, &c, &cache, &pod(3, 1000, GIB, &none));
    assert_eq!(d.feasible, 2);
    // Hostname weight ln(2 + 2), zone weight ln(2 + 2) (zones a and b among the feasible).
    // a0: 0·w + 2 + 2·w + 4 = 8.77 → 9; b0: 0 + 2 + 0 + 4 = 6. Scores 100 × (15 − s) div 9.
    assert_eq!(spread_score(&d, 0), (9.0, 66.0));
    assert_eq!(spread_score(&d, 2), (6.0, 100.0));
}

#[test]
fn user_given_constraints_replace_the_defaults_and_do_not_schedule_filters() {
    use crate::config::{SpreadConstraintConfig, WhenUnsatisfiable};
    let mut c = cluster(
        vec![
            n("a0", 8000, 8 * GIB).label(ZONE_LABEL, "a"),
            n("a1", 8000, 8 * GIB).label(ZONE_LABEL, "a"),
            n("b0", 8000, 8 * GIB).label(ZONE_LABEL, "b"),
            n("x", 8000, 8 * GIB),
        ],
        &[("img", &[("x86", 1)])],
    );
    let hard = SpreadConstraintConfig {
        max_skew: 1,
        topology_key: ZONE_LABEL.into(),
        when_unsatisfiable: WhenUnsatisfiable::DoNotSchedule,
    };
    // `x` has no zone label, so it cannot be placed in any zone's count.
    let spread = SpreadState::new(&c.nodes.labels, [(0, std::slice::from_ref(&hard))]);
    let f = facts(&c, &[], &Bw::uniform(1000.0));
    let mut s = Kubernetes::with_spread(&explain_all(), &c, f, spread, 1).unwrap();
    assert!(s.filter_names().contains(&"PodTopologySpread"));
    let cache = ImageCache::new(4, 1);
    let none = Labels::new();
    let ctx_failures = |s: &mut Kubernetes, c: &Cluster, p: &Pod| {
        s.first_failures(
            p,
            &SchedContext {
                cluster: c,
                cache: &cache,
            },
        )
    };
    // No replica yet: every zoned node passes; `x` lacks the key.
    let p = pod(1, 1000, GIB, &none);
    assert_eq!(
        ctx_failures(&mut s, &c, &p),
        [None, None, None, Some("PodTopologySpread")]
    );
    place(&mut s, &mut c, &cache, &p, 0);
    // Zone a holds 1, zone b 0: a second replica in zone a would make the skew 2 > 1.
    let p2 = pod(2, 1000, GIB, &none);
    assert_eq!(
        ctx_failures(&mut s, &c, &p2),
        [
            Some("PodTopologySpread"),
            Some("PodTopologySpread"),
            None,
            Some("PodTopologySpread")
        ]
    );
    let d = decide(&mut s, &c, &cache, &p2);
    assert_eq!(d.node, Some(2));
    // The constraint is hard only: no soft constraint is left, so nothing is scored by it.
    let e = d.scores.iter().find(|e| e.name == "PodTopologySpread");
    assert!(e.is_none_or(|e| e.normalized == 0.0), "{e:?}");
}
