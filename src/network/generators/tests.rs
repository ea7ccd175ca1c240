//! Generator specifications: node counts and names, LAN grouping, the documented RTTs, seeding,
//! and the errors of explicit topologies and latency matrices.

use crate::cluster::{Cluster, Endpoint};
use crate::config::parse_scenario;
use crate::network::{FlowTable, DEFAULT_GOODPUT_FACTOR};

fn cluster_of(topology: &str) -> Result<Cluster, String> {
    let text = format!("[topology]\n{topology}\n");
    let sc = parse_scenario(&text, "test.toml").map_err(|e| e.to_string())?;
    Cluster::build(&sc)
}

fn seeded(topology: &str, seed: u64) -> Cluster {
    let text = format!("[topology]\n{topology}\n");
    let sc = parse_scenario(&text, "test.toml").unwrap();
    Cluster::build_seeded(&sc, seed).unwrap()
}

fn count(c: &Cluster, ty: &str) -> usize {
    (0..c.nodes.len() as u32)
        .filter(|&n| c.type_name(n) == ty)
        .count()
}

fn node(c: &Cluster, name: &str) -> u32 {
    c.nodes.name.iter().position(|n| n == name).unwrap() as u32
}

#[test]
fn urban_sensing_with_densities_3_2_3_has_45_nodes() {
    let c = cluster_of("generator = \"urban_sensing\"\ncell_density = [3, 2, 3]").unwrap();
    assert_eq!(c.nodes.len(), 45);
    assert_eq!(count(&c, "rpi3"), 16);
    assert_eq!(count(&c, "nuc"), 3);
    assert_eq!(count(&c, "tx2"), 16);
    assert_eq!(count(&c, "server"), 10);
    assert_eq!(c.links.zone(0), "cell_0");
}

#[test]
fn urban_sensing_routes_have_the_documented_rtts_and_hops() {
    let c = cluster_of("generator = \"urban_sensing\"\ncell_density = [3, 2, 3]").unwrap();
    let caps = |r: &crate::network::Route| -> Vec<f64> {
        r.hops
            .iter()
            .map(|&l| c.links.topology.graph.link_capacity[l as usize])
            .collect()
    };
    let rpi = c
        .links
        .route(Endpoint::Registry, Endpoint::Node(node(&c, "rpi3_0")))
        .unwrap();
    assert!((rpi.rtt_ms - 47.017474).abs() < 1e-5, "{}", rpi.rtt_ms);
    assert_eq!(caps(&rpi), vec![125.0, 500.0, 1000.0]);
    let server = c
        .links
        .route(Endpoint::Registry, Endpoint::Node(node(&c, "server_0")))
        .unwrap();
    assert!((server.rtt_ms - 3.001837).abs() < 1e-5, "{}", server.rtt_ms);
    assert_eq!(caps(&server), vec![1000.0, 1000.0]);
}

/// faas-sim's basic example with `latency = "mode"`: two pulls registry → `server_0`
/// (58 MB and 56 MB) requested at 0 end at 0.928214 s and 0.944709 s.
#[test]
fn basic_example_pulls_over_the_generated_route_end_at_the_reference_times() {
    let c = cluster_of("generator = \"urban_sensing\"\ncell_density = [3, 2, 3]").unwrap();
    let r = c
        .links
        .route(Endpoint::Registry, Endpoint::Node(node(&c, "server_0")))
        .unwrap();
    let mut flows = FlowTable::new(
        &c.links.topology.graph.link_capacity,
        DEFAULT_GOODPUT_FACTOR,
    );
    let start = crate::engine::SimTime::from_secs_f64(1.5 * r.rtt_ms / 1000.0);
    let a = flows.open(58_000_000, &r.hops);
    let b = flows.open(56_000_000, &r.hops);
    flows.activate(start, a);
    let b_end = flows
        .activate(start, b)
        .iter()
        .find(|x| x.0 == b)
        .unwrap()
        .1;
    let a_end = flows.finish(b_end, b).iter().find(|x| x.0 == a).unwrap().1;
    assert_eq!(format!("{:.6}", b_end.as_secs_f64()), "0.928214");
    assert_eq!(format!("{:.6}", a_end.as_secs_f64()), "0.944709");
}

#[test]
fn drawn_densities_depend_only_on_the_seed() {
    let t = "generator = \"urban_sensing\"\ncells = 4";
    let a = seeded(t, 7);
    let b = seeded(t, 7);
    assert_eq!(a.nodes.name, b.nodes.name);
    assert_eq!(a.links.topology.graph.name, b.links.topology.graph.name);
    let ra = a
        .links
        .route(Endpoint::Registry, Endpoint::Node(3))
        .unwrap();
    let rb = b
        .links
        .route(Endpoint::Registry, Endpoint::Node(3))
        .unwrap();
    assert_eq!(ra, rb);
    let sizes: Vec<usize> = (0..20).map(|s| seeded(t, s).nodes.len()).collect();
    assert!(sizes.iter().any(|&n| n != sizes[0]), "densities are drawn");
}

#[test]
fn cluster_groups_nodes_into_lans_of_lan_size() {
    let c = cluster_of(
        "nodes = [{ type = \"server\", count = 3 }, { type = \"rpi3\", count = 2 }]\nlan_size = 2",
    )
    .unwrap();
    let g = &c.links.topology.graph;
    assert!(g.find("switch_lan_2").is_some());
    assert!(g.find("switch_lan_3").is_none());
    assert_eq!(
        c.nodes.name,
        ["server_0", "server_1", "server_2", "rpi3_0", "rpi3_1"]
    );
    assert_eq!(
        (0..5).map(|n| c.links.zone(n)).collect::<Vec<_>>(),
        ["lan-0", "lan-0", "lan-1", "lan-1", "lan-2"]
    );
    // same LAN: no up/down pair on the way
    let same = c.links.route(Endpoint::Node(0), Endpoint::Node(1)).unwrap();
    assert_eq!(same.hops.len(), 2);
    let other = c.links.route(Endpoint::Node(0), Endpoint::Node(2)).unwrap();
    assert_eq!(other.hops.len(), 4);
}

const EXPLICIT: &str = r#"generator = "explicit"
vertices = [
  { kind = "node", name = "store", type = "nuc", buckets = { data = { frames = "10M" } } },
  { kind = "node", name = "edge_a", type = "rpi3", buckets = { cache = { x = "1M" } }, storage = false },
  { kind = "node", name = "edge_b", type = "tx2", labels = { site = "b" } },
  { kind = "link", name = "up_a", capacity_mbit = 20, link_kind = "uplink" },
  { kind = "link", name = "down_a", capacity_mbit = 100, link_kind = "downlink" },
  { kind = "link", name = "l_store", capacity_mbit = 1000 },
  { kind = "link", name = "l_b", capacity_mbit = 1000 },
  { kind = "switch", name = "internet" },
]
edges = [
  { from = "edge_a", to = "up_a", directed = true, latency = 5 },
  { from = "up_a", to = "internet", directed = true },
  { from = "internet", to = "down_a", directed = true, latency = "wlan" },
  { from = "down_a", to = "edge_a", directed = true },
  { from = "store", to = "l_store" },
  { from = "l_store", to = "internet" },
  { from = "edge_b", to = "l_b", latency = { s = 0.5, loc = 1, scale = 1 } },
  { from = "l_b", to = "internet" },
]"#;

#[test]
fn an_explicit_topology_keeps_names_order_labels_and_asymmetric_links() {
    let c = cluster_of(EXPLICIT).unwrap();
    assert_eq!(c.nodes.name, ["store", "edge_a", "edge_b"]);
    assert!(c.nodes.is_storage[0]);
    assert!(!c.nodes.is_storage[1], "buckets on an unlabelled node");
    assert_eq!(c.nodes.label(2, "site"), Some("b"));
    assert_eq!(c.storage.lookup("cache/x").unwrap().0, &[1]);
    let down = c.links.bandwidth_mbit(Endpoint::Node(0), Endpoint::Node(1));
    let up = c.links.bandwidth_mbit(Endpoint::Node(1), Endpoint::Node(0));
    assert_eq!((down, up), (Some(100.0), Some(20.0)));
    assert_eq!(
        c.links
            .bandwidth_mbit(Endpoint::Registry, Endpoint::Node(1)),
        Some(100.0)
    );
}

fn explicit_error(from: &str, to: &str) -> String {
    cluster_of(&EXPLICIT.replacen(from, to, 1)).unwrap_err()
}

#[test]
fn bad_explicit_topologies_name_the_key_path() {
    let e = explicit_error(
        "{ from = \"l_b\", to = \"internet\" }",
        "{ from = \"l_b\", to = \"nowhere\" }",
    );
    assert!(
        e.starts_with("topology.edges[7]: edge to undefined vertex `nowhere`"),
        "{e}"
    );
    let e = explicit_error(
        "{ from = \"l_b\", to = \"internet\" }",
        "{ from = \"edge_b\", to = \"store\" }",
    );
    assert!(
        e.starts_with("topology.edges[7]: edge between two nodes"),
        "{e}"
    );
    let e = explicit_error("name = \"l_b\", capacity_mbit = 1000", "name = \"l_b\"");
    assert!(e.starts_with("topology.vertices[6].capacity_mbit"), "{e}");
    let e = explicit_error("{ from = \"l_store\", to = \"internet\" },", "");
    assert!(e.contains("storage node `store` is unreachable"), "{e}");
}

#[test]
fn an_unreachable_registry_is_an_error_and_an_unreached_node_is_infeasible() {
    let e = cluster_of(&format!(
        "{EXPLICIT}\n[network]\nregistry_attach = [\"l_store\"]"
    ));
    // attached to the storage node's link only: compute nodes are still reached through it
    assert!(e.is_ok());
    let partial = EXPLICIT.replacen("{ from = \"l_b\", to = \"internet\" },", "", 1);
    let c = cluster_of(&partial).unwrap();
    assert_eq!(
        c.links
            .bandwidth_mbit(Endpoint::Registry, Endpoint::Node(2)),
        None
    );
}

#[test]
fn an_explicit_topology_reads_a_csv_file_with_line_numbers() {
    let dir = std::env::temp_dir().join(format!("faasim-topo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("topo.csv");
    std::fs::write(
        &csv,
        "kind,name,a,b,c\nnode,n0,server\nlink,l0,100\nswitch,internet\nedge,n0,l0,lan\nedge,l0,internet\n",
    )
    .unwrap();
    let c = cluster_of(&format!(
        "generator = \"explicit\"\nfile = \"{}\"",
        csv.display()
    ))
    .unwrap();
    assert_eq!(
        c.links
            .bandwidth_mbit(Endpoint::Registry, Endpoint::Node(0)),
        Some(100.0)
    );
    std::fs::write(&csv, "node,n0,server\nlink,l0\n").unwrap();
    let e = cluster_of(&format!(
        "generator = \"explicit\"\nfile = \"{}\"",
        csv.display()
    ))
    .unwrap_err();
    assert!(e.contains("topo.csv line 2"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

const REGIONS: &str = r#"generator = "cloud_regions"
regions = [{ name = "eu", racks = 1, servers_per_rack = 2 }, { name = "us", racks = 1, servers_per_rack = 1 }]
latency_matrix = [{ src = "eu", dst = "us", latency_ms = 80 }, { src = "us", dst = "eu", latency_ms = 80 }]"#;

#[test]
fn cloud_regions_join_regions_by_the_matrix() {
    let c = cluster_of(REGIONS).unwrap();
    assert_eq!(c.nodes.name, ["server_0", "server_1", "server_2"]);
    assert_eq!(c.links.zone(2), "us");
    let eu = c
        .links
        .route(Endpoint::Registry, Endpoint::Node(0))
        .unwrap();
    let us = c
        .links
        .route(Endpoint::Registry, Endpoint::Node(2))
        .unwrap();
    // rtt matrix: one way = 40 ms
    assert!((us.rtt_ms - eu.rtt_ms - 80.0).abs() < 1e-9);
    let e = cluster_of(&REGIONS.replacen("dst = \"us\"", "dst = \"asia\"", 1)).unwrap_err();
    assert!(
        e.starts_with("topology.latency_matrix[0]: unknown region `asia`"),
        "{e}"
    );
}

#[test]
fn the_heterogeneous_city_places_every_node_once() {
    let t = r#"generator = "urban_sensing_hetero"
nodes = [{ type = "rpi3", count = 7 }, { type = "rpi4", count = 4 }, { type = "nano", count = 3 },
         { type = "nuc", count = 2 }, { type = "xeongpu", count = 6 }]
cell_density = [2, 3]"#;
    let c = seeded(t, 1);
    assert_eq!(c.nodes.len(), 22);
    assert_eq!(count(&c, "xeongpu"), 6);
    assert_eq!(c.nodes.label(0, "locality.skippy.io/type"), Some("edge"));
    for n in 0..c.nodes.len() as u32 {
        assert!(
            c.links
                .bandwidth_mbit(Endpoint::Registry, Endpoint::Node(n))
                .is_some(),
            "{} reachable",
            c.nodes.name[n as usize]
        );
    }
    assert_eq!(seeded(t, 1).nodes.name, c.nodes.name);
}

#[test]
fn a_registry_link_limits_every_pull() {
    let c = cluster_of(
        "nodes = [{ type = \"server\", count = 1 }]\n[network]\nregistry_link_mbit = 50",
    )
    .unwrap();
    assert_eq!(
        c.links
            .bandwidth_mbit(Endpoint::Registry, Endpoint::Node(0)),
        Some(50.0)
    );
}
