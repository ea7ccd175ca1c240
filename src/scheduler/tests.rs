//! `build` and the baseline profiles.

use super::testutil::*;
use super::*;
use crate::cluster::{Cluster, ImageCache};
use crate::config::{Labels, Scenario};

fn scenario(profile: &str, extra: &str) -> (Scenario, Cluster) {
    let text = format!(
        r#"
        [topology]
        nodes = [{{ type = "server", count = 2 }}, {{ type = "rpi3", count = 2, taints = [{{ key = "edge", effect = "NoSchedule" }}] }}]
        storage = [{{ name = "store", buckets = {{ b = {{ i = "50M" }} }} }}]
        [[images]]
        name = "img"
        variants = [{{ arch = "x86", size = "58M" }}, {{ arch = "arm32", size = "40M" }}]
        [scheduler]
        profile = "{profile}"
        {extra}
        "#
    );
    let sc: Scenario = toml::from_str(&text).expect("scenario parses");
    let cluster = Cluster::build(&sc).expect("cluster builds");
    (sc, cluster)
}

#[test]
fn build_constructs_every_profile() {
    for profile in PROFILES {
        let (sc, c) = scenario(profile, "");
        let mut s = build(&sc, &c, 1).expect("builds");
        assert_eq!(s.profile(), *profile);
        let cache = ImageCache::new(c.nodes.len(), 1);
        let none = Labels::new();
        let d = decide(s.as_mut(), &c, &cache, &pod(0, 1000, GIB, &none));
        let node = d.node.expect("placed");
        assert!(
            !c.nodes.is_storage[node as usize],
            "{profile} placed on storage"
        );
        assert_eq!(d.nodes_total, 5);
    }
}

#[test]
fn build_reads_node_taints_from_the_topology() {
    let (sc, c) = scenario("kubernetes", "");
    let mut s = build(&sc, &c, 1).unwrap();
    let cache = ImageCache::new(c.nodes.len(), 1);
    let none = Labels::new();
    let d = decide(s.as_mut(), &c, &cache, &pod(0, 1000, GIB, &none));
    assert_eq!(d.rejections[1], ("TaintToleration", 2));
    assert_eq!(d.rejections[4], ("AvoidStorageNodes", 1));
}

#[test]
fn unknown_profile_lists_the_valid_ones() {
    let (sc, c) = scenario("best", "");
    let err = build(&sc, &c, 1).err().unwrap();
    assert_eq!(
        err,
        "scheduler.profile: unknown profile `best` (valid: skippy, kubernetes, first-fit, random)"
    );
    let (sc, c) = scenario(
        "kubernetes",
        "kubernetes = { extra_filters = [\"PodFitsResources\"] }",
    );
    let err = build(&sc, &c, 1).err().unwrap();
    assert!(err.starts_with("scheduler.kubernetes.extra_filters[0]: unknown predicate `PodFitsResources` (valid: CanRun,"), "{err}");
}

#[test]
fn first_fit_takes_the_lowest_id_that_fits_and_skips_storage() {
    let mut c = cluster(
        vec![
            n("s", 8000, 8 * GIB).label("data.skippy.io/storage", ""),
            n("a", 1000, GIB),
            n("b", 4000, GIB),
        ],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(3, 1);
    let mut s = firstfit::FirstFit::new(&c);
    let none = Labels::new();
    let d = schedule_and_place(&mut s, &mut c, &cache, &pod(0, 1000, MIB, &none));
    assert_eq!(d.node, Some(1));
    assert_eq!(
        d.rejections,
        vec![
            ("PodFitsResources", 0),
            ("CheckNodeLabelPresence", 1),
            ("ImageArchAvailable", 0)
        ]
    );
    let d = schedule_and_place(&mut s, &mut c, &cache, &pod(1, 1000, MIB, &none));
    assert_eq!(d.node, Some(2));
}

#[test]
fn random_draws_uniformly_over_feasible_nodes_reproducibly() {
    let c = cluster(
        vec![
            n("a", 4000, GIB),
            n("full", 0, GIB),
            n("b", 4000, GIB),
            n("c", 4000, GIB),
        ],
        &[("img", &[("x86", 1)])],
    );
    let cache = ImageCache::new(4, 1);
    let none = Labels::new();
    let run = |seed| {
        let mut s = random::RandomFit::new(&c, seed);
        (0..300)
            .map(|i| {
                decide(&mut s, &c, &cache, &pod(i, 1000, MIB, &none))
                    .node
                    .unwrap()
            })
            .collect::<Vec<u32>>()
    };
    let a = run(5);
    assert_eq!(a, run(5));
    let counts: Vec<usize> = (0..4)
        .map(|n| a.iter().filter(|&&x| x == n).count())
        .collect();
    assert_eq!(counts[1], 0);
    for n in [0, 2, 3] {
        assert!((70..130).contains(&counts[n]), "{counts:?}");
    }
}

#[test]
fn decision_reset_keeps_candidate_allocations_for_reuse() {
    let mut d = Decision::default();
    d.push_candidate(3, 1.0).scores.push(ScoreEntry {
        name: "x",
        raw: 0.0,
        normalized: 0.0,
        weight: 1.0,
        weighted: 0.0,
    });
    d.reset();
    assert!(d.top.is_empty());
    let c = d.push_candidate(4, 2.0);
    assert!(c.scores.is_empty() && c.scores.capacity() >= 1);
    assert_eq!((c.node, c.total), (4, 2.0));
}

#[test]
fn container_kubernetes_fields_reach_the_filters_through_with_container() {
    let text = r#"
        [topology]
        [[topology.nodes]]
        type = "xeongpu"
        count = 2
        taints = [{ key = "dedicated", value = "gpu", effect = "NoSchedule" }]
        extended_resources = { gpu = 1 }
        labels = { zone = "a" }
        [[topology.nodes]]
        type = "xeoncpu"
        count = 2
        labels = { zone = "b" }

        [[images]]
        name = "resnet-gpu"
        variants = [{ arch = "x86", size = "100M" }]

        [[functions]]
        name = "resnet"
        images = ["resnet-gpu"]

        [[deployments]]
        function = "resnet"
        [[deployments.containers]]
        image = "resnet-gpu"
        requests = { cpu = "1", memory = "2Gi", extended = { gpu = 1 } }
        node_selector = { zone = "a" }
        tolerations = [{ key = "dedicated", operator = "Equal", value = "gpu", effect = "NoSchedule" }]
        affinity.required = [{ match_expressions = [{ key = "zone", operator = "In", values = ["a", "b"] }] }]
        affinity.preferred = [{ weight = 5, match_expressions = [{ key = "disk", operator = "Exists" }] }]

        [scheduler]
        profile = "kubernetes"
    "#;
    let sc: Scenario = toml::from_str(text).expect("scenario parses");
    let mut c = Cluster::build(&sc).expect("cluster builds");
    let mut s = build(&sc, &c, 3).unwrap();
    let cache = ImageCache::new(c.nodes.len(), 1);
    let container = &sc.deployments[0].containers[0];
    let labels = Labels::new();
    let pod = |r| {
        Pod::new(
            r,
            0,
            0,
            container.requests.cpu.0 as i64,
            container.requests.memory.0 as i64,
            &labels,
        )
        .with_container(container)
    };
    let d0 = schedule_and_place(s.as_mut(), &mut c, &cache, &pod(0));
    let d1 = schedule_and_place(s.as_mut(), &mut c, &cache, &pod(1));
    let mut placed = vec![d0.node.unwrap(), d1.node.unwrap()];
    placed.sort();
    assert_eq!(placed, vec![0, 1], "only the tolerated GPU nodes in zone a");
    assert_eq!(d0.rejections[2], ("NodeAffinity", 2));
    let d2 = decide(s.as_mut(), &c, &cache, &pod(2));
    assert_eq!(d2.node, None);
    assert_eq!(
        d2.rejections[3],
        ("NodeResourcesFit", 2),
        "both GPUs are taken"
    );
    assert_eq!(
        d2.failure_reason(),
        "NodeAffinity",
        "2 vs 2 rejections: the earlier filter"
    );
}

#[test]
fn pods_of_a_template_are_placed_exactly_like_pods_without_one() {
    // Two templates with different well-known labels, alternating, placed until the cluster
    // is full: the compiled-once path must give every decision the per-decision path gives.
    let gpu = labels(&[
        ("device.edgerun.io/accelerator", "GPU"),
        ("device.edgerun.io/vram", "512"),
        ("capability.skippy.io/nvidia-gpu", ""),
        ("data.skippy.io/receives-from-storage/path", "b/i"),
    ]);
    let plain = labels(&[("locality.skippy.io/type", "edge")]);
    let configs = [
        ("skippy", "skippy = { preset = \"raith21_skippy\" }"),
        ("skippy", ""),
        ("kubernetes", ""),
    ];
    for (profile, extra) in configs {
        let (sc, c0) = scenario(profile, extra);
        let run = |templated: bool| {
            let mut c = c0.clone();
            let mut s = build(&sc, &c, 7).expect("builds");
            let cache = ImageCache::new(c.nodes.len(), 1);
            let mut out = Vec::new();
            for r in 0..40u32 {
                let (t, l) = if r % 2 == 0 { (0, &gpu) } else { (1, &plain) };
                let mut p = pod(r, 700, GIB / 2, l);
                if templated {
                    p = p.with_template(t);
                }
                let d = schedule_and_place(s.as_mut(), &mut c, &cache, &p);
                out.push((d.node, d.feasible, score_triples(&d), d.rejections));
            }
            out
        };
        assert_eq!(run(true), run(false), "{profile} {extra}");
    }
}

/// Three aarch64 nodes listed before one x86 node, and an image with only an x86 variant.
fn mixed_arch(profile: &str, extra: &str, seed: u64) -> (Box<dyn Scheduler>, Cluster) {
    let text = format!(
        r#"
        [topology]
        nodes = [{{ type = "tx2", count = 3 }}, {{ type = "server", count = 1 }}]
        [[images]]
        name = "img"
        variants = [{{ arch = "x86", size = "58M" }}]
        [scheduler]
        profile = "{profile}"
        {extra}
        "#
    );
    let sc: Scenario = toml::from_str(&text).expect("scenario parses");
    let cluster = Cluster::build(&sc).expect("cluster builds");
    let s = build(&sc, &cluster, seed).expect("builds");
    (s, cluster)
}

fn assert_placed_on_x86(profile: &str, extra: &str, seed: u64) {
    let (mut s, c) = mixed_arch(profile, extra, seed);
    let cache = ImageCache::new(c.nodes.len(), 1);
    let none = Labels::new();
    for r in 0..4 {
        let d = decide(s.as_mut(), &c, &cache, &pod(r, 100, MIB, &none));
        let node = d.node.expect("the x86 node is feasible") as usize;
        assert_eq!(
            c.archs[c.nodes.arch[node] as usize], "x86",
            "{profile} {extra} (seed {seed}) placed an x86-only image on {}",
            c.nodes.name[node]
        );
        assert!(d.rejections.contains(&("ImageArchAvailable", 3)), "{d:?}");
    }
}

#[test]
fn every_profile_keeps_an_x86_only_image_off_aarch64_nodes() {
    assert_placed_on_x86("first-fit", "", 1);
    assert_placed_on_x86("kubernetes", "", 1);
    for preset in ["default", "raith21_skippy", "ga"] {
        assert_placed_on_x86(
            "skippy",
            &format!("skippy = {{ preset = \"{preset}\" }}"),
            1,
        );
    }
    for seed in 0..200 {
        assert_placed_on_x86("random", "", seed);
    }
}

#[test]
fn a_custom_skippy_list_may_name_image_arch_available() {
    let list = r#"skippy = { predicates = ["PodFitsResources", "ImageArchAvailable"] }"#;
    assert_placed_on_x86("skippy", list, 1);
}

#[test]
fn the_vanilla_preset_keeps_skippys_predicates_and_ignores_architectures() {
    let (mut s, c) = mixed_arch("skippy", "skippy = { preset = \"vanilla\" }", 1);
    let cache = ImageCache::new(c.nodes.len(), 1);
    let none = Labels::new();
    let d = decide(s.as_mut(), &c, &cache, &pod(0, 100, MIB, &none));
    assert!(d.rejections.iter().all(|(p, _)| *p != "ImageArchAvailable"));
    assert_eq!(
        d.feasible, 4,
        "skippy itself does not look at architectures"
    );
}
