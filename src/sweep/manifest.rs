//! A sweep's `manifest.json` and the checks before writing into an existing directory.
//!
//! The manifest records what is needed to resume, audit and reproduce the sweep: the faasim
//! version, `sweep_id`, the sweep file's path and text, the base scenario's path and text, the
//! axes with their values and the seeds (which define the expansion), the run and batch counts,
//! `runs_per_batch`, the `param.*` column types, the shard and the command line. The output
//! layer adds `schema_version` and the writer settings.

use std::path::Path;

use super::options::{SweepError, SweepOptions};
use super::plan::Sweep;
use crate::output::{read_manifest, SCHEMA_VERSION};
use crate::provenance::ProcessProvenance;

/// What the output directory holds before a sweep starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Nothing: it does not exist or is empty.
    Nothing,
    /// A dataset of this sweep, written with compatible settings.
    SameSweep,
}

/// The manifest of `sweep` as written by a process with `opts` and `provenance`.
pub fn manifest(
    sweep: &Sweep,
    opts: &SweepOptions,
    provenance: &ProcessProvenance,
) -> serde_json::Value {
    let axes: Vec<serde_json::Value> = sweep
        .expansion
        .dimensions()
        .iter()
        .map(|d| {
            serde_json::json!({
                "origin": d.origin,
                "keys": d.keys,
                "values": d.entries.iter().map(|e| e.iter().map(|v| serde_json::to_value(v).expect("TOML values serialise")).collect::<Vec<_>>()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let columns: Vec<serde_json::Value> = sweep
        .param_columns()
        .iter()
        .map(|c| serde_json::json!({ "key": c.key, "type": c.data_type.to_string() }))
        .collect();
    serde_json::json!({
        "kind": "sweep",
        "faasim_version": crate::VERSION,
        "sweep_id": sweep.sweep_id,
        "name": sweep.name,
        "sweep_file": sweep.sweep_file.display().to_string(),
        "sweep_text": sweep.sweep_text,
        "scenario_file": sweep.scenario_file.display().to_string(),
        "scenario_text": sweep.scenario_text,
        "base_overrides": sweep.base_overrides.iter().map(|(k, v)| serde_json::json!({ "key": k, "value": serde_json::to_value(v).expect("TOML values serialise") })).collect::<Vec<_>>(),
        "scenario": sweep.base_scenario.name,
        "runs": sweep.runs(),
        "batches": sweep.batches(),
        "runs_per_batch": sweep.runs_per_batch,
        "axes": axes,
        "seeds": sweep.expansion.seeds(),
        "param_columns": columns,
        "custom_schedulers": sweep.schedulers().names().collect::<Vec<_>>(),
        "shard": opts.shard.to_string(),
        "command": opts.command,
        "provenance": provenance.to_json(),
        "shards": { opts.shard.to_string(): [provenance.to_json()] },
    })
}

/// `manifest` with the shard history of the manifest already in `out` (if any) kept: `shards`
/// maps each `K/N` to the provenance of every process that wrote that shard, oldest first, so
/// the command, host and build of every shard and every resume survive
/// (docs/outputs.md, "Provenance"). Call it under the manifest lock.
pub fn with_shard_history(mut manifest: serde_json::Value, out: &Path) -> serde_json::Value {
    let Ok(old) = read_manifest(out) else {
        return manifest;
    };
    if old["sweep_id"] != manifest["sweep_id"] {
        return manifest;
    }
    let Some(serde_json::Value::Object(old_shards)) = old.get("shards").cloned() else {
        return manifest;
    };
    let mut merged = old_shards;
    if let Some(serde_json::Value::Object(new)) = manifest.get("shards") {
        for (shard, entries) in new {
            let list = merged
                .entry(shard.clone())
                .or_insert_with(|| serde_json::Value::Array(Vec::new()));
            if let (serde_json::Value::Array(list), serde_json::Value::Array(entries)) =
                (list, entries)
            {
                list.extend(entries.iter().cloned());
            }
        }
    }
    manifest["shards"] = serde_json::Value::Object(merged);
    manifest
}

/// Checks that `out` may receive `sweep`: it does not exist, is empty, or holds a dataset of
/// the same sweep with the same schema version, `runs_per_batch` and (unless
/// `allow_version_change`) faasim version. Anything else is a usage error naming the mismatch.
pub fn check_existing(
    out: &Path,
    sweep: &Sweep,
    opts: &SweepOptions,
) -> Result<Existing, SweepError> {
    let shown = out.display();
    if !out.exists() {
        return Ok(Existing::Nothing);
    }
    if !out.is_dir() {
        return Err(SweepError::Usage(format!(
            "--out {shown}: exists and is not a directory"
        )));
    }
    let names: Vec<String> = std::fs::read_dir(out)
        .map_err(|e| SweepError::Usage(format!("--out {shown}: cannot read: {e}")))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let has_manifest = out.join("manifest.json").is_file();
    // Only `_commits/`, `_tmp/`: another shard is creating the dataset right now (it writes
    // the manifest next).
    if !has_manifest && names.iter().all(|n| n.starts_with('_')) {
        return Ok(Existing::Nothing);
    }
    if !has_manifest {
        return Err(SweepError::Usage(format!(
            "--out {shown}: the directory is not empty and holds no faasim dataset (no manifest.json); refusing to write into it"
        )));
    }
    let m = read_manifest(out).map_err(|e| SweepError::Usage(format!("--out {shown}: {e}")))?;
    let mismatch = |what: &str, stored: &serde_json::Value, now: serde_json::Value| {
        SweepError::Usage(format!(
            "--out {shown} holds a dataset with {what} {stored}, but this sweep has {now}; write to another directory (or delete it){}",
            if what == "faasim version" { ", or pass --allow-version-change" } else { "" }
        ))
    };
    if m["kind"] != "sweep" || m["sweep_id"] != sweep.sweep_id.as_str() {
        let stored = if m["kind"] == "sweep" {
            m["sweep_id"].clone()
        } else {
            serde_json::json!(format!(
                "(a {} dataset)",
                m["kind"].as_str().unwrap_or("non-sweep")
            ))
        };
        return Err(mismatch(
            "sweep_id",
            &stored,
            sweep.sweep_id.as_str().into(),
        ));
    }
    if m["schema_version"] != SCHEMA_VERSION {
        return Err(mismatch(
            "schema version",
            &m["schema_version"],
            SCHEMA_VERSION.into(),
        ));
    }
    if m["runs_per_batch"] != sweep.runs_per_batch {
        return Err(mismatch(
            "runs_per_batch",
            &m["runs_per_batch"],
            sweep.runs_per_batch.into(),
        ));
    }
    if !opts.allow_version_change && m["faasim_version"] != crate::VERSION {
        return Err(mismatch(
            "faasim version",
            &m["faasim_version"],
            crate::VERSION.into(),
        ));
    }
    Ok(Existing::SameSweep)
}
