//! `faasim repro OUT RUN_ID`: the single `faasim run` command that reproduces one run of a
//! sweep, rebuilt from the texts stored in the dataset's manifest.

use std::path::{Path, PathBuf};

use super::options::SweepError;
use super::plan::Sweep;
use super::spec::parse_sweep;
use crate::output::{read_commit, read_manifest};

/// How to reproduce one run.
#[derive(Clone, Debug)]
pub struct Repro {
    /// Position in the sweep.
    pub run_index: u32,
    /// The run's id.
    pub run_id: String,
    /// Master seed.
    pub seed: u64,
    /// Swept `(key, value)` pairs.
    pub params: Vec<(String, toml::Value)>,
    /// The base scenario file as recorded in the manifest.
    pub scenario_file: PathBuf,
    /// `faasim run …` as separate arguments.
    pub args: Vec<String>,
    /// Some(true) if the scenario file on disk still gives this run id, Some(false) if it was
    /// changed since the sweep ran, None if it cannot be read.
    pub scenario_current: Option<bool>,
}

impl Repro {
    /// The command as one shell line, arguments quoted where needed.
    pub fn command_line(&self) -> String {
        crate::provenance::command_line(&self.args)
    }
}

/// Finds `run_id` in the sweep dataset at `out` and builds its `faasim run` command.
pub fn repro(out: &Path, run_id: &str) -> Result<Repro, SweepError> {
    let usage = |m: String| SweepError::Usage(format!("{}: {m}", out.display()));
    let m = read_manifest(out).map_err(|e| usage(e.to_string()))?;
    if m["kind"] != "sweep" {
        return Err(usage(
            "not a sweep dataset (its manifest has no `kind = sweep`)".into(),
        ));
    }
    let text = |k: &str| -> Result<String, SweepError> {
        m[k].as_str()
            .map(str::to_string)
            .ok_or_else(|| usage(format!("manifest.json has no `{k}`")))
    };
    let sweep_file = PathBuf::from(text("sweep_file")?);
    let sweep_text = text("sweep_text")?;
    let scenario_file = PathBuf::from(text("scenario_file")?);
    let scenario_text = text("scenario_text")?;
    let label = format!("{} (as stored in the manifest)", sweep_file.display());
    let def = parse_sweep(&sweep_text, &label).map_err(|e| usage(e.to_string()))?;
    let overrides = base_overrides(&m).map_err(usage)?;
    let sweep = Sweep::from_parts_with_overrides(
        def.clone(),
        &sweep_file,
        sweep_text.clone(),
        scenario_file.clone(),
        scenario_text,
        overrides.clone(),
    )
    .map_err(|e| usage(e.to_string()))?;

    let run_index = find_in_commits(out, &sweep, run_id)
        .or_else(|| (0..sweep.runs()).find(|&i| sweep.run_id(i) == run_id))
        .ok_or_else(|| usage(format!("no run with run_id {run_id} in this sweep")))?;
    let spec = sweep.expansion.get(run_index);

    let mut args = vec![
        "faasim".to_string(),
        "run".to_string(),
        scenario_file.display().to_string(),
        "--seed".to_string(),
        spec.seed.to_string(),
    ];
    // The sweep's own `--set`s first: the swept values, set after them, win as in the sweep.
    for (k, v) in &overrides {
        args.push("--set".into());
        args.push(format!("{k}={v}"));
    }
    // A named axis is set through the key paths it writes (`faasim run` knows no axis names).
    for (k, v) in &spec.params {
        for path in sweep.expansion.targets(k) {
            args.push("--set".into());
            args.push(format!("{path}={v}"));
        }
    }
    args.push("--out".into());
    args.push(format!("out/repro-{run_id}"));

    let scenario_current = std::fs::read_to_string(&scenario_file).ok().map(|now| {
        Sweep::from_parts_with_overrides(
            def,
            &sweep_file,
            sweep_text,
            scenario_file.clone(),
            now,
            overrides,
        )
        .is_ok_and(|s| s.run_id(run_index) == run_id)
    });
    Ok(Repro {
        run_index,
        run_id: run_id.to_string(),
        seed: spec.seed,
        params: spec.params,
        scenario_file,
        args,
        scenario_current,
    })
}

/// The `faasim sweep --set` overrides recorded in manifest `m` (none in datasets written before
/// the option existed).
fn base_overrides(m: &serde_json::Value) -> Result<Vec<(String, toml::Value)>, String> {
    let Some(list) = m.get("base_overrides").and_then(|v| v.as_array()) else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|o| {
            let key = o["key"]
                .as_str()
                .ok_or("manifest.json: a base override has no `key`")?;
            let value = serde_json::from_value::<toml::Value>(o["value"].clone())
                .map_err(|e| format!("manifest.json: base override {key}: {e}"))?;
            Ok((key.to_string(), value))
        })
        .collect()
}

/// The run index of `run_id` according to the commit markers (each lists its run ids in
/// `run_index` order).
fn find_in_commits(out: &Path, sweep: &Sweep, run_id: &str) -> Option<u32> {
    (0..sweep.batches()).find_map(|b| {
        let marker = read_commit(out, b).ok()?;
        let pos = marker.run_ids.iter().position(|r| r == run_id)?;
        Some(marker.run_index_start + pos as u32)
    })
}

/// `arg` as one POSIX shell word: unchanged if it holds only safe characters, else in single
/// quotes.
pub fn shell_quote(arg: &str) -> String {
    let safe = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if safe {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quote_leaves_plain_words_and_quotes_the_rest() {
        assert_eq!(shell_quote("--seed"), "--seed");
        assert_eq!(shell_quote("a.b=3"), "a.b=3");
        assert_eq!(
            shell_quote("scheduler.profile=\"skippy\""),
            "'scheduler.profile=\"skippy\"'"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
