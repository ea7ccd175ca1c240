//! A seeded fuzz test: mutants of the shipped experiments go through everything a user can ask
//! of faasim, and faasim must answer every one of them cleanly.
//!
//! Specification, for every mutant scenario and sweep file:
//! - no panic, no abort (a signal), no hang (every binary call has a kill timeout, every
//!   in-process run is bounded by `run.max_events` and `run.max_wall_s`);
//! - the binary exits 0 (accepted), 2 (bad input) or — for `faasim run` only — 1 with
//!   "run failed", which means the run was executed and recorded with its error;
//! - on exit 2, nothing is left at `--out`.
//!
//! Most mutants run in-process through the library (fast); a sample goes through the binary.
//! The mutations are those a careless or hostile user makes: a deleted key, a value of another
//! type, extreme numbers, huge strings, a duplicated table, a truncated file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use faasim::config::parse_scenario;
use faasim::sweep::{run_sweep, Sweep, SweepOptions};

/// Mutants checked in-process, and how many of them also go through the binary.
const IN_PROCESS_MUTANTS: usize = 1_200;
const BINARY_SAMPLE: usize = 120;
/// A binary call slower than this is a hang.
const KILL_AFTER: Duration = Duration::from_secs(20);

/// Limits written into every base scenario so that a mutant that is accepted still runs briefly.
const RUN_LIMITS: &str = "max_events = 200000\nmax_wall_s = 5\n";

/// A small sweep of `sweep-base.toml` (8 runs in 4 batches), mutated alongside the shipped one.
const SMALL_SWEEP: &str = r#"name = "fuzz"
scenario = "sweep-base.toml"
seeds = { range = [1, 3] }
runs_per_batch = 2

[grid]
"workloads.0.rate.constant.rps" = [10, 20]
"scheduler.profile" = ["skippy", "first-fit"]
"#;

/// splitmix64: a tiny deterministic generator, so that every failure is reproducible by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One step of a path into a TOML document.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every path to a value of `v` (tables and arrays included, so whole subtrees get mutated too).
fn paths(v: &toml::Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        toml::Value::Table(t) => {
            for (k, child) in t {
                prefix.push(Step::Key(k.clone()));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                prefix.push(Step::Index(i));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn parent_mut<'a>(root: &'a mut toml::Value, path: &[Step]) -> Option<&'a mut toml::Value> {
    let mut v = root;
    for step in &path[..path.len() - 1] {
        v = match step {
            Step::Key(k) => v.as_table_mut()?.get_mut(k)?,
            Step::Index(i) => v.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(v)
}

/// Placeholders for numbers a `toml::Value` cannot hold; replaced in the rendered text.
const TEXT_NUMBERS: &[(&str, &str)] = &[
    ("\"@u64max+1\"", "18446744073709551616"),
    ("\"@i64max+1\"", "9223372036854775808"),
    ("\"@nan\"", "nan"),
    ("\"@inf\"", "inf"),
    ("\"@-inf\"", "-inf"),
];

fn replacement(rng: &mut Rng) -> toml::Value {
    use toml::Value::*;
    let huge = || "x".repeat(200_000);
    match rng.below(18) {
        0 => Integer(0),
        1 => Integer(-1),
        2 => Float(1e-12),
        3 => Float(1e300),
        4 => Float(-1e300),
        5 => Integer(i64::MAX),
        6 => Integer(u32::MAX as i64),
        7 => Integer(u32::MAX as i64 + 2),
        8 => String(rng.pick(TEXT_NUMBERS).0.trim_matches('"').to_string()),
        9 => String("NaN".into()),
        10 => String(huge()),
        11 => Boolean(true),
        12 => Array(vec![]),
        13 => Table(toml::Table::new()),
        14 => String("1e10".into()),
        15 => Float(5e-10),
        16 => Array(vec![Integer(1), String("two".into())]),
        _ => Integer(1_000_000_000),
    }
}

/// Mutates `text` 1–3 times; the result may not even be TOML.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut out = text.to_string();
    for _ in 0..1 + rng.below(3) {
        out = match rng.below(10) {
            // Structural mutations on the parsed document.
            0..=6 => match toml::from_str::<toml::Value>(&out) {
                Ok(mut doc) => {
                    let mut all = Vec::new();
                    paths(&doc, &mut Vec::new(), &mut all);
                    if all.is_empty() {
                        continue;
                    }
                    let path = rng.pick(&all).clone();
                    let delete = rng.below(4) == 0;
                    let value = replacement(rng);
                    if let Some(parent) = parent_mut(&mut doc, &path) {
                        match (path.last().unwrap(), parent) {
                            (Step::Key(k), toml::Value::Table(t)) => {
                                if delete {
                                    t.remove(k);
                                } else {
                                    t.insert(k.clone(), value);
                                }
                            }
                            (Step::Index(i), toml::Value::Array(a)) => {
                                if delete {
                                    a.remove(*i);
                                } else {
                                    a[*i] = value;
                                }
                            }
                            _ => {}
                        }
                    }
                    let mut s = toml::to_string(&doc).unwrap_or(out);
                    for (placeholder, number) in TEXT_NUMBERS {
                        s = s.replace(placeholder, number);
                    }
                    s
                }
                Err(_) => out,
            },
            // A table header repeated at the end of the file.
            7 => {
                let headers: Vec<&str> = out.lines().filter(|l| l.starts_with('[')).collect();
                match headers.is_empty() {
                    true => out,
                    false => {
                        let h = rng.pick(&headers).to_string();
                        format!("{out}\n{h}\n")
                    }
                }
            }
            // Truncation at a random character.
            8 => {
                let cut = rng.below(out.len().max(1));
                head(&out, cut).to_string()
            }
            // A stray line of garbage.
            _ => {
                let lines: Vec<&str> = out.lines().collect();
                let at = rng.below(lines.len() + 1);
                let mut v: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
                v.insert(
                    at,
                    rng.pick(&["x = 1", "= =", "[[]]", "run = 3", "\"\\u0000\" = 1"])
                        .to_string(),
                );
                v.join("\n")
            }
        };
    }
    out
}

/// A copy of the shipped experiments with run limits in every scenario, plus the small sweep.
fn corpus_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let mut text = std::fs::read_to_string(&p).unwrap();
        if !is_sweep(&text) {
            text = with_run_limits(&text);
        }
        std::fs::write(dir.path().join(p.file_name().unwrap()), text).unwrap();
    }
    std::fs::write(dir.path().join("small-sweep.toml"), SMALL_SWEEP).unwrap();
    dir
}

/// At most `n` bytes of `s`, cut at a character boundary.
fn head(s: &str, n: usize) -> &str {
    let cut = (0..=n.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    &s[..cut]
}

fn is_sweep(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("scenario ="))
}

fn with_run_limits(text: &str) -> String {
    if text.contains("\n[run]\n") {
        text.replacen("\n[run]\n", &format!("\n[run]\n{RUN_LIMITS}"), 1)
    } else {
        format!("{text}\n[run]\n{RUN_LIMITS}")
    }
}

/// A mutant scenario through the library: parse and validate, then a bounded run.
/// Returns whether the mutant was accepted.
fn scenario_in_process(text: &str) -> bool {
    let accepted = parse_scenario(text, "mutant.toml");
    let ok = accepted.is_ok();
    if let Ok(mut sc) = accepted {
        // Bounded whatever the mutant says, so that an accepted mutant cannot make the test slow.
        sc.run.max_events = Some(sc.run.max_events.unwrap_or(u64::MAX).min(200_000));
        sc.run.max_wall_s = Some(sc.run.max_wall_s.unwrap_or(f64::MAX).min(5.0));
        let id = faasim::identity(&sc, 1, 0, "", vec![]);
        let _ = faasim::run_scenario(&sc, id);
    }
    ok
}

/// A mutant sweep through the library: load, expand (the dry run), and for small sweeps a real
/// sweep into `out`, which must hold nothing when the sweep fails.
///
/// Returns whether the binary may run it for real too (invalid, or small).
fn sweep_in_process(path: &Path, out: &Path) -> bool {
    let Ok(sweep) = Sweep::load(path) else {
        return true;
    };
    let n = sweep.runs();
    for i in [0, n / 2, n.saturating_sub(1)] {
        if i < n {
            let _ = sweep.expansion.get(i);
            let _ = sweep.run_id(i);
        }
    }
    if n == 0 || n > 16 {
        return false;
    }
    let opts = SweepOptions {
        jobs: 1,
        progress: false,
        ..Default::default()
    };
    if run_sweep(&sweep, out, &opts).is_err() {
        assert_empty_or_absent(out, path);
    }
    true
}

fn assert_empty_or_absent(out: &Path, what: &Path) {
    if let Ok(mut entries) = std::fs::read_dir(out) {
        assert!(
            entries.next().is_none(),
            "{}: failed but left files in {}",
            what.display(),
            out.display()
        );
    }
}

/// Runs the binary with a kill timeout; `None` means it was killed (a hang).
fn faasim(args: &[&str], dir: &Path) -> Option<(Option<i32>, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("faasim starts");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status.code(), reader.join().unwrap()));
        }
        if start.elapsed() > KILL_AFTER {
            child.kill().ok();
            child.wait().ok();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One binary call on a mutant: a clean exit status, no panic, nothing left on bad input.
fn check_binary(args: &[&str], dir: &Path, out: Option<&Path>, mutant: &Path) {
    let shown = || format!("faasim {} (mutant {})", args.join(" "), mutant.display());
    let Some((code, stderr)) = faasim(args, dir) else {
        panic!("{}: still running after {KILL_AFTER:?}", shown());
    };
    let Some(code) = code else {
        panic!("{}: killed by a signal; stderr:\n{stderr}", shown());
    };
    assert!(
        !stderr.contains("panicked"),
        "{}: panicked:\n{stderr}",
        shown()
    );
    let run_failed = args[0] == "run" && code == 1 && stderr.contains("error: run failed");
    assert!(
        code == 0 || code == 2 || run_failed,
        "{}: exit {code}; stderr:\n{stderr}",
        shown()
    );
    if code == 2 {
        if let Some(out) = out {
            assert!(
                !out.exists(),
                "{}: exit 2 but {} exists",
                shown(),
                out.display()
            );
        }
    }
}

#[test]
fn mutated_scenarios_and_sweeps_are_answered_cleanly() {
    let corpus = corpus_dir();
    let dir = corpus.path();
    let mut seeds: Vec<(PathBuf, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    seeds.sort();
    let outs = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5EED_F022);
    let binary_every = IN_PROCESS_MUTANTS / BINARY_SAMPLE;
    let started = Instant::now();
    let mut accepted = 0;
    for n in 0..IN_PROCESS_MUTANTS {
        let (seed_path, seed_text) = rng.pick(&seeds).clone();
        let text = mutate(&seed_text, &mut rng);
        let sweep = is_sweep(&seed_text);
        // Written beside the corpus, so a mutant sweep finds its base scenario.
        let mutant = dir.join(format!("mutant-{n:04}.toml"));
        std::fs::write(&mutant, &text).unwrap();
        let out = outs.path().join(format!("out-{n:04}"));
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if sweep {
                sweep_in_process(&mutant, &out)
            } else {
                accepted += scenario_in_process(&text) as usize;
                true
            }
        }));
        let Ok(small) = outcome else {
            panic!(
                "mutant {n} of {} panicked in-process; its text:\n{}",
                seed_path.display(),
                head(&text, 4000)
            );
        };
        if n % binary_every == 0 {
            let m = mutant.to_str().unwrap();
            let bin_out = outs.path().join(format!("bin-{n:04}"));
            let o = bin_out.to_str().unwrap();
            if sweep {
                check_binary(&["sweep", m, "--dry-run"], dir, None, &mutant);
                if small {
                    let args = ["sweep", m, "--out", o, "-q", "-j", "1"];
                    check_binary(&args, dir, Some(&bin_out), &mutant);
                }
            } else {
                check_binary(&["validate", m], dir, None, &mutant);
                // Every other call goes through the `--set` loading path, which also bounds it.
                let mut args = vec!["run", m, "--out", o, "-q"];
                if (n / binary_every) % 2 == 1 {
                    args.extend(["--set", "run.max_wall_s=5"]);
                }
                check_binary(&args, dir, Some(&bin_out), &mutant);
            }
        }
        std::fs::remove_file(&mutant).ok();
    }
    eprintln!(
        "{IN_PROCESS_MUTANTS} mutants ({BINARY_SAMPLE} also through the binary, {accepted} \
         scenario mutants accepted and run) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
