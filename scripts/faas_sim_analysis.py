#!/usr/bin/env python3
"""faas-sim's analysis example, on faasim's tables.

faas-sim's `examples/analysis/main.py` ran a simulation, pulled every measurement its `Metrics`
had logged into a pandas DataFrame (`env.metrics.extract_dataframe(name)`) and logged the mean
execution time of the invocations. faasim writes Parquet tables instead; this script rebuilds
each of those DataFrames from the table that holds the same data (the mapping is in
docs/migrating-from-faas-sim.md, "Metrics") and prints the same line:

    faasim run experiments/faas-sim/analysis.toml --seed 1 --out out/analysis
    .venv/bin/python scripts/faas_sim_analysis.py out/analysis

The frames keep faas-sim's column names (`t_wait`, `t_exec`, `function_name`, …) so code
written against faas-sim's frames can be pointed at them. Times are seconds since the start of
the run (faas-sim indexed its frames by a wall-clock timestamp). Tables a run did not write give
empty frames.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl


def read(out: Path, table: str) -> pl.DataFrame:
    """One table of a faasim dataset (every part file), or an empty frame if it was not written."""
    parts = sorted((out / table).glob("*.parquet"))
    if not parts:
        return pl.DataFrame()
    return pl.concat([pl.read_parquet(p) for p in parts], how="vertical_relaxed")


def has(df: pl.DataFrame, *cols: str) -> bool:
    return all(c in df.columns for c in cols)


def invocations_df(inv: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `invocations`: one row per finished request.

    faas-sim's `t_start` was the moment the request was handed to a replica (faasim's
    `dispatch_s`), and its `t_exec` ran from there to the end, queueing inside the replica
    included (`queue_s + exec_s`).
    """
    if not has(inv, "status"):
        return pl.DataFrame()
    return inv.filter(pl.col("status") == "completed").select(
        pl.col("dispatch_s").alias("time"),
        pl.col("wait_s").alias("t_wait"),
        (pl.col("end_s") - pl.col("dispatch_s")).alias("t_exec"),
        pl.col("dispatch_s").alias("t_start"),
        pl.col("memory_bytes").alias("memory"),
        pl.col("function").alias("function_name"),
        pl.col("image").alias("function_image"),
        pl.col("node"),
        pl.col("replica_id"),
    )


def fets_df(inv: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `fets` (logged by its watchdogs): the processing interval and the local wait."""
    if not has(inv, "status"):
        return pl.DataFrame()
    return inv.filter(pl.col("status") == "completed").select(
        pl.col("end_s").alias("time"),
        pl.col("start_s").alias("t_fet_start"),
        pl.col("end_s").alias("t_fet_end"),
        pl.col("dispatch_s").alias("t_wait_start"),
        pl.col("start_s").alias("t_wait_end"),
        pl.col("function").alias("function_name"),
        pl.col("image").alias("function_image"),
        pl.col("node"),
        pl.col("replica_id"),
        pl.col("request_id"),
    )


def allocation_df(placements: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `allocation`: a node's requested CPU and memory share after a placement."""
    if not has(placements, "status"):
        return pl.DataFrame()
    return placements.filter(pl.col("status") == "scheduled").select(
        pl.col("t_s").alias("time"),
        pl.col("node_cpu_requested_frac").alias("cpu"),
        pl.col("node_mem_requested_frac").alias("mem"),
        pl.col("node"),
    )


def scale_df(scaling: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `scale`: the signed number of replicas each scaling action added or removed."""
    if not has(scaling, "applied"):
        return pl.DataFrame()
    return scaling.filter(pl.col("applied") != 0).select(
        pl.col("t_s").alias("time"),
        pl.col("applied").alias("value"),
        pl.col("function").alias("function_name"),
    )


def schedule_df(placements: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `schedule`: `queue`, `start` and `finish` records of every scheduling decision."""
    if not has(placements, "t_s"):
        return pl.DataFrame()
    base = placements.select(
        "queued_s",
        "t_s",
        "latency_s",
        pl.col("function").alias("function_name"),
        "image",
        "replica_id",
        pl.col("node").fill_null("None").alias("node_name"),
        (pl.col("status") == "scheduled").alias("successful"),
    )
    queue = base.select(
        pl.col("queued_s").alias("time"),
        pl.lit("queue").alias("value"),
        "function_name",
        "image",
        "replica_id",
    )
    start = base.select(
        pl.col("t_s").alias("time"),
        pl.lit("start").alias("value"),
        "function_name",
        "image",
        "replica_id",
    )
    finish = base.select(
        (pl.col("t_s") + pl.col("latency_s")).alias("time"),
        pl.lit("finish").alias("value"),
        "function_name",
        "image",
        "replica_id",
        "node_name",
        "successful",
    )
    return pl.concat([queue, start, finish], how="diagonal").sort("time", maintain_order=True)


# faas-sim's replica_deployment events and the replicas column holding their time.
REPLICA_EVENTS = [
    ("deploy", "deploying_s"),
    ("startup", "starting_s"),
    ("setup", "setup_start_s"),
    ("finish", "running_s"),
    ("teardown", "teardown_s"),
]


def replica_deployment_df(replicas: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `replica_deployment`: one record per life-cycle step of every replica."""
    if not has(replicas, "replica_id"):
        return pl.DataFrame()
    frames = [
        replicas.filter(pl.col(col).is_not_null()).select(
            pl.col(col).alias("time"),
            pl.lit(event).alias("value"),
            pl.col("function").alias("function_name"),
            pl.col("node").alias("node_name"),
            "replica_id",
        )
        for event, col in REPLICA_EVENTS
    ]
    return pl.concat(frames).sort("time", maintain_order=True)


def function_deployment_df(placements: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `function_deployment`: a replica of a function placed on a node."""
    if not has(placements, "status"):
        return pl.DataFrame()
    return placements.filter(pl.col("status") == "scheduled").select(
        pl.col("t_s").alias("time"),
        pl.lit("deploy").alias("value"),
        pl.col("function").alias("name"),
        "image",
        "node",
    )


def lifecycle_df(scaling: pl.DataFrame, actions: list[str] | None = None) -> pl.DataFrame:
    """faas-sim's `function_deployment_lifecycle` (deploy / remove / suspend of a deployment)."""
    if not has(scaling, "scaler"):
        return pl.DataFrame()
    rows = scaling.filter(pl.col("scaler") == "lifecycle")
    if actions is not None:
        rows = rows.filter(pl.col("action").is_in(actions))
    return rows.select(
        pl.col("t_s").alias("time"),
        pl.col("action").alias("value"),
        pl.col("function").alias("name"),
    )


def flow_df(flows: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `flow`: one network transfer (image pulls, data transfers) and how long it took."""
    if not has(flows, "bytes", "t_end_s"):
        return pl.DataFrame()
    return flows.select(
        pl.col("t_end_s").alias("time"),
        "bytes",
        pl.col("duration_s").alias("duration"),
        "source",
        pl.col("destination").alias("sink"),
        pl.col("kind").alias("action_type"),
    )


def network_df(links: pl.DataFrame) -> pl.DataFrame:
    """faas-sim's `network`: bytes moved over each link.

    faas-sim logged one record per transfer and link of its route; faasim's `links` table holds
    the total per link (sum faas-sim's frame by link to compare).
    """
    if not has(links, "link", "bytes"):
        return pl.DataFrame()
    return links.select(
        pl.col("bytes").alias("value"),
        "link",
        "kind",
        "capacity_mbit",
    )


def utilization_df(util: pl.DataFrame, level: str) -> pl.DataFrame:
    """faas-sim's `node_utilization` / `function_utilization`: the resource monitor's samples."""
    if not has(util, "level"):
        return pl.DataFrame()
    cols = [pl.col("t_s").alias("time"), "cpu_util", "mem_util", "node"]
    if level == "replica":
        cols.append("replica_id")
    return util.filter(pl.col("level") == level).select(cols)


def faas_sim_frames(out: Path) -> dict[str, pl.DataFrame]:
    """Every DataFrame faas-sim's analysis example extracted, under the same names."""
    inv = read(out, "invocations")
    placements = read(out, "placements")
    scaling = read(out, "scaling")
    replicas = read(out, "replicas")
    flows = read(out, "flows")
    links = read(out, "links")
    util = read(out, "utilization")
    return {
        "allocation_df": allocation_df(placements),
        "invocations_df": invocations_df(inv),
        "scale_df": scale_df(scaling),
        "schedule_df": schedule_df(placements),
        "replica_deployment_df": replica_deployment_df(replicas),
        "function_deployments_df": lifecycle_df(scaling, ["deploy"]),
        "function_deployment_df": function_deployment_df(placements),
        "function_deployment_lifecycle_df": lifecycle_df(scaling),
        # faas-sim never logged `functions`; the image sizes are in runs.params_json.
        "functions_df": pl.DataFrame(),
        "flow_df": flow_df(flows),
        "network_df": network_df(links),
        "node_utilization_df": utilization_df(util, "node"),
        "function_utilization_df": utilization_df(util, "replica"),
        "fets_df": fets_df(inv),
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="a faasim output directory (faasim run … --out OUT)")
    ap.add_argument("--frames", action="store_true", help="also print each frame's first rows")
    args = ap.parse_args(argv)
    if not (args.out / "runs").is_dir():
        print(f"{args.out}: not a faasim output directory (no runs/ table)", file=sys.stderr)
        return 2

    dfs = faas_sim_frames(args.out)
    for name, df in dfs.items():
        print(f"{name:<34} {df.height:>7} rows")
        if args.frames and df.height:
            print(df.head(5))

    inv = dfs["invocations_df"]
    if inv.height == 0:
        print("no completed invocations (is outputs.invocations on?)", file=sys.stderr)
        return 1
    mean = inv["t_exec"].mean()
    # faas-sim: logger.info('Mean exec time %d', …), which truncates to whole seconds.
    print("Mean exec time %d" % mean)
    print(f"(exactly {mean:.6f} s over {inv.height} invocations)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
