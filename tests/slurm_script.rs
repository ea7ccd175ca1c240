//! `scripts/slurm-sweep.sh`'s argument handling, run against a fake `sbatch` (and a fake
//! `faasim`) that record the arguments they get: no Slurm needed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A directory with fake `sbatch` and `faasim` executables that append their arguments, one per
/// line, to `sbatch.args` / `faasim.args`.
struct Fakes {
    dir: tempfile::TempDir,
}

impl Fakes {
    fn new() -> Fakes {
        let dir = tempfile::tempdir().unwrap();
        for (name, reply) in [("sbatch", "echo 4242"), ("faasim", "true")] {
            let path = dir.path().join(name);
            std::fs::write(
                &path,
                format!(
                    "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> \"{}/{name}.args\"\necho --- >> \"{}/{name}.args\"\n{reply}\n",
                    dir.path().display(),
                    dir.path().display()
                ),
            )
            .unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Fakes { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn faasim(&self) -> PathBuf {
        self.path().join("faasim")
    }

    /// The recorded calls of `name`, each a list of arguments.
    fn calls(&self, name: &str) -> Vec<Vec<String>> {
        let text =
            std::fs::read_to_string(self.path().join(format!("{name}.args"))).unwrap_or_default();
        text.split("---\n")
            .filter(|c| !c.is_empty())
            .map(|c| c.lines().map(String::from).collect())
            .collect()
    }

    fn script(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let path = format!(
            "{}:{}",
            self.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.arg("scripts/slurm-sweep.sh")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PATH", path)
            .env_remove("FAASIM")
            .env_remove("SLURM_ARRAY_TASK_ID");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SPEC: &str = "experiments/sweep-schedulers.toml";

#[test]
fn submit_passes_array_resources_logs_and_the_explicit_shard_count_to_sbatch() {
    let f = Fakes::new();
    let out = f.path().join("data/schedulers");
    let r = f.script(
        &[
            "submit",
            "--shards",
            "6",
            "--cpus",
            "2",
            "--mem",
            "500M",
            "--time",
            "00:30:00",
            "--sbatch-arg=--partition=short",
            SPEC,
            out.to_str().unwrap(),
            "--",
            "--no-telemetry",
        ],
        &[],
    );
    assert!(r.status.success(), "{}", stderr(&r));
    assert_eq!(String::from_utf8_lossy(&r.stdout).trim(), "4242");
    let calls = f.calls("sbatch");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let a = &calls[0];
    for want in [
        "--array=0-5",
        "--cpus-per-task=2",
        "--mem=500M",
        "--time=00:30:00",
        "--partition=short",
        "--requeue",
    ] {
        assert!(a.contains(&want.to_string()), "{want} missing: {a:?}");
    }
    let logs = format!("--output={}.logs/faasim-sweep-%A_%a.log", out.display());
    assert!(a.contains(&logs), "{a:?}");
    assert!(
        f.path().join("data/schedulers.logs").is_dir(),
        "logs dir created"
    );
    // The task command: explicit shard count, absolute faasim, extra flags after --.
    let task = a.iter().position(|x| x == "task").expect("task mode");
    assert_eq!(a[task + 1..task + 3], ["--shards", "6"]);
    assert_eq!(
        a[task + 3..task + 5],
        ["--faasim".to_string(), f.faasim().display().to_string()]
    );
    assert_eq!(a.last().unwrap(), "--no-telemetry");
}

#[test]
fn only_re_submits_one_shard_with_the_same_count_and_verify_after_depends_on_the_array() {
    let f = Fakes::new();
    let out = f.path().join("o");
    let r = f.script(
        &[
            "submit",
            "--shards",
            "8",
            "--only",
            "3",
            "--verify-after",
            "--logs",
            f.path().join("logs").to_str().unwrap(),
            SPEC,
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(r.status.success(), "{}", stderr(&r));
    let calls = f.calls("sbatch");
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[0].contains(&"--array=3".to_string()), "{calls:?}");
    assert!(calls[0].contains(&"8".to_string()), "{calls:?}");
    assert!(
        calls[1].contains(&"--dependency=afterany:4242".to_string()),
        "{calls:?}"
    );
    let wrap = calls[1].iter().find(|a| a.starts_with("--wrap=")).unwrap();
    assert!(wrap.contains("--resume --verify"), "{wrap}");
}

#[test]
fn a_task_runs_the_shard_of_its_own_task_id_with_resume() {
    let f = Fakes::new();
    let faasim = f.faasim();
    let r = f.script(
        &[
            "task",
            "--shards",
            "8",
            "--faasim",
            faasim.to_str().unwrap(),
            SPEC,
            "out",
            "--",
            "--no-telemetry",
        ],
        &[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "3"),
            ("SLURM_CPUS_PER_TASK", "2"),
        ],
    );
    assert!(r.status.success(), "{}", stderr(&r));
    assert_eq!(
        f.calls("faasim"),
        [[
            "sweep",
            SPEC,
            "--out",
            "out",
            "--shard",
            "3/8",
            "--jobs",
            "2",
            "--resume",
            "--no-telemetry"
        ]]
    );
}

#[test]
fn bad_arguments_fail_with_status_2_and_a_clear_message() {
    let f = Fakes::new();
    let missing = f.path().join("nope/faasim");
    for (args, env, want) in [
        (vec!["submit", SPEC, "o"], vec![], "--shards N is required"),
        (
            vec!["submit", "--shards", "0", SPEC, "o"],
            vec![],
            "whole number",
        ),
        (
            vec![
                "submit",
                "--shards",
                "2",
                "--faasim",
                missing.to_str().unwrap(),
                SPEC,
                "o",
            ],
            vec![],
            "not an executable file",
        ),
        (
            vec![
                "submit", "--shards", "2", "--only", "2", "--faasim", "faasim", SPEC, "o",
            ],
            vec![],
            "not a shard of 2",
        ),
        (
            vec![
                "submit",
                "--shards",
                "2",
                "--faasim",
                "no-such-faasim-binary",
                SPEC,
                "o",
            ],
            vec![],
            "no `no-such-faasim-binary` on PATH",
        ),
        (
            vec!["submit", "--shards", "2", "--no-telemetry", SPEC, "o"],
            vec![],
            "faasim flags go after --",
        ),
        (
            vec!["task", "--shards", "2", SPEC, "o"],
            vec![("SLURM_ARRAY_TASK_ID", "5")],
            "array task 5 is not a shard of 2",
        ),
        (vec!["launch"], vec![], "unknown mode"),
    ] {
        let r = f.script(&args, &env);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", stderr(&r));
        assert!(stderr(&r).contains(want), "{args:?}: {}", stderr(&r));
    }
    assert!(f.calls("sbatch").is_empty(), "nothing submitted");
}
