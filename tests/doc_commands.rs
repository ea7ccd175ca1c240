//! Every example command shipped in README.md and docs/*.md runs: the fenced `faasim …`,
//! `cargo run -- …` and `scripts/*.py` lines are extracted in document order and run with
//! `bash` in a temporary directory that links `experiments/` and `scripts/`, so their `out/…`
//! directories land there. `cargo run --release --` is run as the built `faasim` binary.
//!
//! Skipped, and listed on stderr: synopsis lines with placeholders (`SPEC`, `[--jobs N]`), the
//! Slurm submissions (they need `sbatch`; `tests/slurm_script.rs` checks the script's argument
//! handling with a fake one), and the Python scripts when `FAASIM_PYTHON` is not set
//! (`scripts/test.sh` sets it to its venv's interpreter).

use std::path::Path;
use std::process::Command;

/// (file:line, command) of every example command, continuation lines joined, comments removed.
fn example_commands() -> Vec<(String, String)> {
    let mut files = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir("docs")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut in_block = false;
        let mut pending: Option<(String, String)> = None;
        for (n, line) in text.lines().enumerate() {
            if line.starts_with("```") {
                in_block = !in_block;
                continue;
            }
            if !in_block {
                continue;
            }
            if let Some((at, mut cmd)) = pending.take() {
                cmd.push(' ');
                cmd.push_str(line.trim().trim_end_matches('\\').trim());
                if line.trim_end().ends_with('\\') {
                    pending = Some((at, cmd));
                } else {
                    out.push((at, cmd));
                }
                continue;
            }
            let t = line.trim();
            let t = t.strip_prefix("$ ").unwrap_or(t);
            let t = strip_comment(t);
            let is_command = [
                "faasim ",
                "cargo run ",
                "python3 scripts/",
                ".venv/bin/python scripts/",
                "scripts/",
            ]
            .iter()
            .any(|p| t.starts_with(p));
            if !is_command {
                continue;
            }
            let at = format!("{file}:{}", n + 1);
            if let Some(head) = t.strip_suffix('\\') {
                pending = Some((at, head.trim().to_string()));
            } else {
                out.push((at, t.to_string()));
            }
        }
    }
    out
}

/// The command without a trailing `# comment` (a `#` after whitespace, outside quotes).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() => return line[..i].trim_end(),
            _ => {}
        }
        prev = c;
    }
    line.trim_end()
}

/// Why a command is not run here, if it is not.
fn skip_reason(cmd: &str) -> Option<&'static str> {
    if cmd.contains("sbatch") || cmd.contains("slurm-sweep.sh") {
        return Some("needs Slurm");
    }
    if cmd.starts_with("cargo run --example") {
        // `cargo test` builds the examples; tests/custom_schedulers.rs runs what they show.
        return Some("builds an example inside the repository");
    }
    let placeholder = cmd.split_whitespace().any(|w| {
        w.starts_with('[') || (w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
    });
    if placeholder {
        return Some("a synopsis with placeholders");
    }
    if cmd.contains("scripts/")
        && cmd.contains(".py")
        && std::env::var_os("FAASIM_PYTHON").is_none()
    {
        return Some("FAASIM_PYTHON is not set");
    }
    None
}

fn link(from: &Path, to: &Path) {
    std::os::unix::fs::symlink(from, to).unwrap();
}

#[test]
fn every_example_command_in_the_docs_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    link(&root.join("experiments"), &work.join("experiments"));
    link(&root.join("scripts"), &work.join("scripts"));
    std::fs::create_dir_all(work.join("bin")).unwrap();
    link(
        Path::new(env!("CARGO_BIN_EXE_faasim")),
        &work.join("bin/faasim"),
    );
    if let Some(py) = std::env::var_os("FAASIM_PYTHON") {
        // The whole venv (VENV/bin/python): a lone link to its interpreter loses its packages.
        let venv = Path::new(&py).parent().and_then(Path::parent).unwrap();
        link(venv, &work.join(".venv"));
    }
    let path = format!(
        "{}:{}",
        work.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let commands = example_commands();
    assert!(
        commands.len() >= 10,
        "too few commands found: {commands:#?}"
    );
    let mut seen = std::collections::BTreeSet::new();
    let mut ran = 0;
    for (at, cmd) in commands {
        let cmd = match cmd.strip_prefix("cargo run --release -- ") {
            Some(args) => format!("faasim {args}"),
            None => cmd,
        };
        if let Some(why) = skip_reason(&cmd) {
            eprintln!("skipped ({why}): {at}: {cmd}");
            continue;
        }
        if !seen.insert(cmd.clone()) {
            continue; // the same command shown on two pages
        }
        let out = Command::new("bash")
            .args(["-c", &cmd])
            .current_dir(work)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{at}: `{cmd}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 6, "only {ran} commands ran");
}

#[test]
fn the_documented_repro_output_is_what_repro_prints() {
    // docs/sweeps.md shows `$ faasim repro out/sched ID` followed by its output: the run id must
    // exist in the shipped sweep and the printed command must be the one shown.
    let text = std::fs::read_to_string("docs/sweeps.md").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("$ faasim repro out/sched "))
        .expect("a repro example");
    let id = lines[i].rsplit(' ').next().unwrap();
    let shown = lines[i + 1];
    let dry = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(["sweep", "experiments/sweep-schedulers.toml", "--dry-run"])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&dry.stdout);
    let row = listing
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(id))
        .unwrap_or_else(|| {
            panic!("run id {id} is not among the first runs of the shipped sweep:\n{listing}")
        });
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        shown,
        format!(
            "faasim run experiments/scheduler-shootout.toml --seed {} --set workloads.0.rate.constant.rps={} --set 'scheduler.profile={}' --out out/repro-{id}",
            cols[2], cols[3], cols[4]
        )
    );
}
