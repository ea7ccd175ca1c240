#!/usr/bin/env python3
"""Plot replicas over time against the request rate, from a faasim output directory.

Usage:
    python3 scripts/plot_replicas.py OUT_DIR [--function NAME] [--run-index N] [--bin 10] [-o FILE]

Reads `replica_counts` (live / Running replicas, a step function with one row per change),
`invocations` (arrival times, for the request rate; the run needs `outputs.invocations = "all"`)
and `scaling` (to mark scale-ups, scale-downs and suspensions) of one run, and draws:

  - top: requests per second, counted in bins of `--bin` seconds;
  - bottom: live and Running replicas over time, with the scaling actions as markers.

Writes OUT_DIR/replicas.png unless -o is given. Requires polars and matplotlib.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402


def read(out: Path, table: str) -> pl.DataFrame | None:
    parts = sorted((out / table).glob("*.parquet"))
    if not parts:
        return None
    return pl.read_parquet([str(p) for p in parts])


def steps(df: pl.DataFrame, column: str, end: float) -> tuple[list[float], list[int]]:
    """Times and values of a step function, extended to `end`."""
    t = df["t_s"].to_list()
    v = df[column].to_list()
    if t and t[-1] < end:
        t.append(end)
        v.append(v[-1])
    return t, v


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="faasim output directory")
    ap.add_argument("--function", help="function to plot (default: the first one)")
    ap.add_argument("--run-index", type=int, default=0, help="run to plot (default 0)")
    ap.add_argument("--bin", type=float, default=10.0, help="request-rate bin width in seconds")
    ap.add_argument("-o", "--output", type=Path, help="PNG file (default OUT_DIR/replicas.png)")
    args = ap.parse_args()

    runs = read(args.out, "runs")
    counts = read(args.out, "replica_counts")
    if runs is None or counts is None:
        print(f"plot_replicas: {args.out} has no runs or replica_counts table", file=sys.stderr)
        return 1
    run = runs.filter(pl.col("run_index") == args.run_index)
    if run.height == 0:
        print(f"plot_replicas: no run with run_index {args.run_index}", file=sys.stderr)
        return 1
    end = float(run["sim_end_s"][0])
    counts = counts.filter(pl.col("run_index") == args.run_index)
    function = args.function or counts["function"][0]
    counts = counts.filter(pl.col("function") == function).sort("t_s")

    inv = read(args.out, "invocations")
    scaling = read(args.out, "scaling")

    fig, (ax_rate, ax_rep) = plt.subplots(2, 1, sharex=True, figsize=(10, 6), height_ratios=[1, 1.3])
    title = f"{run['scenario'][0]} — {function} (seed {run['seed'][0]})"
    fig.suptitle(title)

    if inv is not None:
        arr = inv.filter((pl.col("run_index") == args.run_index) & (pl.col("function") == function))
        binned = (
            arr.with_columns((pl.col("arrival_s") / args.bin).floor().alias("bin"))
            .group_by("bin")
            .agg(pl.len().alias("n"))
            .sort("bin")
        )
        nbins = int(end // args.bin) + 1
        rate = [0.0] * nbins
        for b, n in zip(binned["bin"].to_list(), binned["n"].to_list()):
            if 0 <= int(b) < nbins:
                rate[int(b)] = n / args.bin
        xs = [i * args.bin for i in range(nbins)]
        ax_rate.step(xs, rate, where="post", color="tab:gray")
        ax_rate.fill_between(xs, rate, step="post", color="tab:gray", alpha=0.3)
        cold = arr.filter(pl.col("cold"))
        if cold.height:
            ax_rate.plot(cold["arrival_s"], [0] * cold.height, "|", color="tab:red", ms=12, label="cold request")
            ax_rate.legend(loc="upper right")
    else:
        ax_rate.text(0.5, 0.5, "no invocations table (set outputs.invocations = \"all\")",
                     ha="center", va="center", transform=ax_rate.transAxes)
    ax_rate.set_ylabel(f"requests/s ({args.bin:g} s bins)")
    ax_rate.grid(alpha=0.3)

    t, live = steps(counts, "live", end)
    ax_rep.step(t, live, where="post", label="live", color="tab:blue")
    t, running = steps(counts, "running", end)
    ax_rep.step(t, running, where="post", label="Running", color="tab:green", linestyle="--")
    if scaling is not None:
        acts = scaling.filter(
            (pl.col("run_index") == args.run_index) & (pl.col("function") == function) & (pl.col("applied") != 0)
        )
        top = max(live) if live else 1
        for kind, marker, color in [("up", "^", "tab:orange"), ("down", "v", "tab:purple")]:
            sel = acts.filter(pl.col("applied") > 0 if kind == "up" else pl.col("applied") < 0)
            if sel.height:
                ax_rep.plot(sel["t_s"], [top + 0.6] * sel.height, marker, color=color, ls="none",
                            label=f"scale {kind}")
        idle = acts.filter(pl.col("scaler") == "idler")
        for x in idle["t_s"].to_list():
            ax_rep.axvline(x, color="tab:red", alpha=0.5, lw=1)
        if idle.height:
            ax_rep.plot([], [], color="tab:red", alpha=0.5, label="idler: suspend")
    ax_rep.set_ylabel("replicas")
    ax_rep.set_xlabel("simulated time (s)")
    ax_rep.set_ylim(0, (max(live) if live else 1) + 1.5)
    ax_rep.grid(alpha=0.3)
    ax_rep.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=5, fontsize="small", frameon=False)

    dest = args.output or args.out / "replicas.png"
    fig.tight_layout()
    fig.savefig(dest, dpi=110)
    print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
