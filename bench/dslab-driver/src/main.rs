//! Runs the azure-like benchmark workload (docs/performance.md) in dslab-faas and prints what it
//! simulated, so that `scripts/dslab-compare.sh` can time it next to faasim.
//!
//! Usage: `dslab-driver [--rps R] [--horizon-s H] [--workers W] [--seed S]`
//!
//! The workload mirrors `experiments/bench/azure-like-*.toml`: 100 hosts of 4 cores / 4 GiB,
//! 30 functions with Poisson arrivals of R/30 requests/s each, lognormal execution times
//! (mu = -0.38, sigma = 1), 128/192/256/320 MB containers, 0.5 s cold start, 10-minute
//! keep-alive, W concurrent requests per container (1 or 4). dslab-faas starts a container per
//! request that finds no idle one; faasim's scenarios size replicas with an autoscaler instead,
//! so the two simulate the same arrivals and durations with different scaling rules.

use dslab_faas::coldstart::FixedTimeColdStartPolicy;
use dslab_faas::config::Config;
use dslab_faas::function::Application;
use dslab_faas::resource::{ResourceConsumer, ResourceProvider};
use dslab_faas::simulation::ServerlessSimulation;
use simcore::simulation::Simulation;

const HOSTS: usize = 100;
const FUNCTIONS: usize = 30;
const HOST_MEMORY_MB: u64 = 4096;
const COLD_START_S: f64 = 0.5;
const KEEPALIVE_S: f64 = 600.0;
const EXEC_MU: f64 = -0.38;
const EXEC_SIGMA: f64 = 1.0;

/// SplitMix64: a tiny, well-known generator, so the driver needs no random-number crate.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn exponential(&mut self, rate: f64) -> f64 {
        -(1.0 - self.uniform()).ln() / rate
    }

    /// Standard normal by Box-Muller (one of the pair is dropped; speed is not the point here).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

struct Args {
    rps: f64,
    horizon_s: f64,
    workers: usize,
    seed: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        rps: 100.0,
        horizon_s: 3600.0,
        workers: 1,
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--rps" => args.rps = value.parse().expect("--rps: a number"),
            "--horizon-s" => args.horizon_s = value.parse().expect("--horizon-s: a number"),
            "--workers" => args.workers = value.parse().expect("--workers: an integer"),
            "--seed" => args.seed = value.parse().expect("--seed: an integer"),
            _ => panic!("unknown flag {flag}"),
        }
    }
    args
}

fn main() {
    let args = parse_args();
    let config = Config {
        coldstart_policy: Box::new(FixedTimeColdStartPolicy::new(KEEPALIVE_S, 0.0, true)),
        ..Default::default()
    };
    let mut sim = ServerlessSimulation::new(Simulation::new(args.seed), config);
    for _ in 0..HOSTS {
        let mem = sim.create_resource("mem", HOST_MEMORY_MB);
        sim.add_host(None, ResourceProvider::new(vec![mem]), 4);
    }
    let functions: Vec<usize> = (0..FUNCTIONS)
        .map(|i| {
            let mem = sim.create_resource_requirement("mem", 128 + 64 * (i as u64 % 4));
            sim.add_app_with_single_function(Application::new(
                args.workers,
                COLD_START_S,
                1.0,
                ResourceConsumer::new(vec![mem]),
            ))
        })
        .collect();

    // Every arrival is sent before the run, as dslab-faas's trace loaders do.
    let mut rng = SplitMix64(args.seed);
    let rate = args.rps / FUNCTIONS as f64;
    let mut requests = 0u64;
    for &f in &functions {
        let mut t = rng.exponential(rate);
        while t < args.horizon_s {
            let duration = (EXEC_MU + EXEC_SIGMA * rng.normal()).exp();
            sim.send_invocation_request(f, duration, t);
            requests += 1;
            t += rng.exponential(rate);
        }
    }
    sim.step_for_duration(args.horizon_s);
    let stats = sim.global_stats();
    println!(
        "{{\"requests\": {requests}, \"invocations\": {}, \"cold_starts\": {}, \"events\": {}}}",
        stats.invocation_stats.invocations,
        stats.invocation_stats.cold_starts,
        sim.event_count()
    );
}
