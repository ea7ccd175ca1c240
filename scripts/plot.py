#!/usr/bin/env python3
"""Plot a faasim sweep: one PNG per view, one line or bar group per variant (combination of the
swept `param.*` values; seeds are pooled or averaged).

Usage:
    python3 scripts/plot.py OUT --out-dir DIR [--metric response] [--by COL ...] [--ccdf]

A variant is a combination of the `param.*` values, or of the columns given with --by (full
name, without `param.`, or the short name such as `profile`; other parameters are pooled).
Colours come from a palette as large as the number of variants (tab10, tab20, then evenly spaced
colours of a continuous map with varying line styles), so no two variants share a colour.

Writes:
  response_cdf.png          CDF of the response time per variant, from the latency histograms
                            merged over seeds (scripts/merge_histograms.py); log time axis that
                            starts at the smallest observed value; with --ccdf, 1 - CDF on a log
                            axis instead (the tail)
  replicas_over_time.png    live replicas over simulated time per variant, mean over seeds:
                            from the `replica_counts` table when the dataset has one, else
                            reconstructed from `replicas` (created_s / ended_s); variants whose
                            count never changes are left out and named in a notice (unless
                            every variant is flat)
  placement_spread.png      share of successful placements per node type (the node name
                            without its `_<n>` suffix) per variant, from `placements`

A view whose table is missing (e.g. `outputs.placements = false`) is skipped with a notice.
Requires polars and matplotlib.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import merge_histograms as mh  # noqa: E402
from analyze import resolve_by, short_names  # noqa: E402

GRID_POINTS = 400


def variant_labels(runs: pl.DataFrame, params: list[str]) -> pl.DataFrame:
    """run_id -> `variant` label such as `rps=40 profile=skippy` (`all runs` without params)."""
    names = short_names(params)
    if not params:
        return runs.select("run_id", pl.lit("all runs").alias("variant"))
    parts = [pl.lit(f"{names[p]}=") + pl.col(p).cast(pl.Utf8) for p in params]
    return runs.select("run_id", pl.concat_str(parts, separator=" ").alias("variant"))


def variants_in_order(labels: pl.DataFrame) -> list[str]:
    return labels["variant"].unique(maintain_order=True).to_list()


def styles(n: int) -> list[dict]:
    """`n` distinct (colour, line style) pairs: no colour repeats silently."""
    if n <= 10:
        return [{"color": plt.get_cmap("tab10")(i)} for i in range(n)]
    if n <= 20:
        return [{"color": plt.get_cmap("tab20")(i)} for i in range(n)]
    cmap = plt.get_cmap("turbo")
    dashes = ["-", "--", ":", "-."]
    return [{"color": cmap(i / (n - 1)), "linestyle": dashes[i % len(dashes)]} for i in range(n)]


def plot_response_cdf(
    out: Path, runs: pl.DataFrame, params: list[str], labels, path: Path, metric: str, ccdf: bool = False
) -> bool:
    hist = mh.histograms(out, metric)
    if hist.height == 0:
        print(f"plot.py: no {metric} histograms; skipping {path.name}")
        return False
    hist = hist.join(labels, on="run_id").filter(pl.col("count") > 0)
    points = mh.cdf(mh.merge(hist, ["variant"]), ["variant"])
    variants = variants_in_order(labels)
    fig, ax = plt.subplots(figsize=(8, 5))
    smallest = None
    for v, style in zip(variants, styles(len(variants))):
        p = points.filter(pl.col("variant") == v)
        if not p.height:
            continue
        # Start at the lower bound of the first occupied bucket, where the fraction is still 0.
        x0 = p["lower_ns"][0] / 1e9
        xs = [x0, *p["x_s"].to_list()]
        ys = [0.0, *p["fraction"].to_list()]
        if ccdf:
            # 1 - F, down to the last bucket below 1 (a log axis cannot show 0).
            pairs = [(x, 1.0 - y) for x, y in zip(xs, ys) if 1.0 - y > 0]
            xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
        smallest = x0 if smallest is None else min(smallest, x0)
        ax.step(xs, ys, where="post", label=v, **style)
    ax.set_xscale("log")
    if smallest:
        ax.set_xlim(left=smallest)
    ax.set_xlabel(f"{metric} time (s)")
    if ccdf:
        ax.set_yscale("log")
        ax.set_ylabel("fraction of completed requests slower than x")
        ax.set_title(f"{metric} time CCDF per variant (histograms merged over seeds)")
    else:
        ax.set_ylabel("fraction of completed requests")
        ax.set_ylim(0, 1.01)
        ax.set_title(f"{metric} time CDF per variant (histograms merged over seeds)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def replica_series(out: Path, runs: pl.DataFrame) -> pl.DataFrame | None:
    """(run_id, t_s, live) step points per run."""
    counts = mh.load_table(out, "replica_counts", columns=["run_id", "t_s", "function", "live"])
    if counts is not None:
        # Rows are per function, written when its count changes: turn them into changes of the
        # run's total and add them up in time order.
        deltas = (
            counts.sort("run_id", "function", "t_s", maintain_order=True)
            .with_columns(
                (pl.col("live").cast(pl.Int64) - pl.col("live").cast(pl.Int64).shift(1).over("run_id", "function"))
                .fill_null(pl.col("live").cast(pl.Int64))
                .alias("d")
            )
            .select("run_id", "t_s", "d")
        )
        return _running_total(deltas)
    reps = mh.load_table(out, "replicas", columns=["run_id", "created_s", "ended_s"])
    if reps is None:
        return None
    up = reps.select("run_id", pl.col("created_s").alias("t_s"), pl.lit(1).alias("d"))
    down = reps.filter(pl.col("ended_s").is_not_null()).select("run_id", pl.col("ended_s").alias("t_s"), pl.lit(-1).alias("d"))
    return _running_total(pl.concat([up, down]))


def _running_total(deltas: pl.DataFrame) -> pl.DataFrame:
    """(run_id, t_s, d) changes -> (run_id, t_s, live): the total after all changes at t_s."""
    events = deltas.sort("run_id", "t_s", maintain_order=True)
    return (
        events.with_columns(pl.col("d").cum_sum().over("run_id").alias("live"))
        .group_by("run_id", "t_s", maintain_order=True)
        .agg(pl.col("live").last())
    )


def plot_replicas(out: Path, runs: pl.DataFrame, labels, path: Path) -> bool:
    series = replica_series(out, runs)
    if series is None or series.height == 0:
        print(f"plot.py: no replicas or replica_counts table; skipping {path.name}")
        return False
    ok = runs.filter(pl.col("status") == "ok").select("run_id", "sim_end_s")
    end = ok["sim_end_s"].max() or 1.0
    grid = [end * i / (GRID_POINTS - 1) for i in range(GRID_POINTS)]
    grid_df = pl.DataFrame({"t_s": grid})
    variants = variants_in_order(labels)
    means = {}
    for v in variants:
        ids = labels.filter(pl.col("variant") == v)["run_id"]
        curves = []
        for rid in ids:
            s = series.filter(pl.col("run_id") == rid).select("t_s", "live").sort("t_s")
            if s.height == 0:
                continue
            # The live count in force at each grid time (0 before the first event).
            at = grid_df.join_asof(s, on="t_s", strategy="backward").fill_null(0)
            curves.append(at["live"].to_list())
        if curves:
            means[v] = ([sum(c[i] for c in curves) / len(curves) for i in range(GRID_POINTS)], len(curves))
    # Flat series hide the ones that move (and their colours) without saying anything: leave
    # them out and name them, unless every series is flat.
    flat = [v for v, (m, _) in means.items() if max(m) == min(m)]
    if len(flat) == len(means):
        flat = []
    if flat:
        listed = ", ".join(f"{v} ({means[v][0][0]:g})" for v in flat)
        print(f"plot.py: {path.name}: left out {len(flat)} variant(s) whose replica count never changes: {listed}")
    shown = [v for v in variants if v in means and v not in flat]
    fig, ax = plt.subplots(figsize=(8, 5))
    for v, style in zip(shown, styles(len(shown))):
        mean, n = means[v]
        ax.step(grid, mean, where="post", label=f"{v} ({n} runs)", **style)
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("live replicas (mean over seeds)")
    ax.set_title("replicas over time per variant" + (f" ({len(flat)} flat variants left out)" if flat else ""))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_placements(out: Path, labels, path: Path) -> bool:
    pl_rows = mh.load_table(out, "placements", columns=["run_id", "status", "node"])
    if pl_rows is None:
        print(f"plot.py: no placements table; skipping {path.name}")
        return False
    placed = pl_rows.filter(pl.col("status") == "scheduled").with_columns(
        pl.col("node").str.replace(r"_\d+$", "").alias("node_type")
    )
    placed = placed.join(labels, on="run_id")
    shares = placed.group_by("variant", "node_type").agg(pl.len().alias("n")).with_columns(
        (pl.col("n") / pl.col("n").sum().over("variant")).alias("share")
    )
    types = sorted(shares["node_type"].unique().to_list())
    variants = [v for v in variants_in_order(labels) if v in set(shares["variant"].to_list())]
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(variants) + 2), 5))
    width = 0.8 / max(1, len(types))
    for j, (t, style) in enumerate(zip(types, styles(len(types)))):
        ys = []
        for v in variants:
            row = shares.filter((pl.col("variant") == v) & (pl.col("node_type") == t))
            ys.append(row["share"][0] if row.height else 0.0)
        ax.bar([i + j * width for i in range(len(variants))], ys, width, label=t, color=style["color"])
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(variants))])
    ax.set_xticklabels(variants, rotation=30, ha="right", fontsize="small")
    ax.set_ylabel("share of successful placements")
    ax.set_title("placement spread across node types (all seeds)")
    ax.legend(title="node type", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="a faasim sweep (or run) output directory")
    ap.add_argument("--out-dir", type=Path, required=True, help="where to write the PNGs")
    ap.add_argument("--metric", default="response", help="histogram metric of the CDF plot")
    ap.add_argument("--by", nargs="+", metavar="COL", help="variants by these columns only (default: every param.* column)")
    ap.add_argument("--ccdf", action="store_true", help="plot 1 - CDF on log-log axes (the tail) instead of the CDF")
    args = ap.parse_args()

    runs = mh.load_table(args.out, "runs")
    if runs is None:
        raise SystemExit(f"{args.out}: no committed runs parts")
    params = resolve_by(runs, args.by)
    labels = variant_labels(runs, params)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if plot_response_cdf(args.out, runs, params, labels, args.out_dir / "response_cdf.png", args.metric, args.ccdf):
        written.append("response_cdf.png")
    if plot_replicas(args.out, runs, labels, args.out_dir / "replicas_over_time.png"):
        written.append("replicas_over_time.png")
    if plot_placements(args.out, labels, args.out_dir / "placement_spread.png"):
        written.append("placement_spread.png")
    print(f"plot.py: wrote {', '.join(written) or 'nothing'} to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
