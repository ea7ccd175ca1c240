#!/usr/bin/env python3
"""Plot response time against load from a faasim run with shared CPUs.

Usage:
    python3 scripts/plot_contention.py OUT_DIR [--function NAME] [--bin 10] [-o FILE]

Reads the `invocations` table of the run in OUT_DIR (the run needs
`outputs.invocations = "all"`, as `experiments/contention.toml` has), counts arrivals in bins of
`--bin` seconds to get the offered load (requests per second), and draws, per bin, the mean and
95th-percentile response time of the requests that arrived in it (left axis) and their mean
slowdown, elapsed compute time over work (right axis). Prints the figures as a table too.

Writes OUT_DIR/contention.png unless -o is given. Requires polars and matplotlib.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="faasim output directory")
    ap.add_argument("--function", help="function to plot (default: every function)")
    ap.add_argument("--bin", type=float, default=10.0, help="bin width in seconds")
    ap.add_argument("-o", "--output", type=Path, help="PNG to write")
    args = ap.parse_args()

    parts = sorted((args.out / "invocations").glob("*.parquet"))
    if not parts:
        print(f"{args.out}: no invocations table (set outputs.invocations = \"all\")", file=sys.stderr)
        return 2
    inv = pl.read_parquet([str(p) for p in parts])
    if args.function:
        inv = inv.filter(pl.col("function") == args.function)
    if inv.is_empty():
        print("no invocations to plot", file=sys.stderr)
        return 2

    first = inv["arrival_s"].min()
    binned = (
        inv.with_columns(((pl.col("arrival_s") - first) // args.bin).alias("bin"))
        .group_by("bin")
        .agg(
            (pl.len() / args.bin).alias("load_rps"),
            pl.col("response_s").mean().alias("mean_s"),
            pl.col("response_s").quantile(0.95).alias("p95_s"),
            pl.col("slowdown").mean().alias("slowdown"),
        )
        .sort("bin")
    )
    # The last bin may be partial: leave it out of the plot.
    if binned.height > 1:
        binned = binned.head(binned.height - 1)

    print(f"{'load (rps)':>10} {'mean (s)':>9} {'p95 (s)':>9} {'slowdown':>9}")
    for row in binned.iter_rows(named=True):
        print(
            f"{row['load_rps']:>10.1f} {row['mean_s'] or float('nan'):>9.3f} "
            f"{row['p95_s'] or float('nan'):>9.3f} {row['slowdown'] or float('nan'):>9.2f}"
        )

    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(binned["load_rps"], binned["mean_s"], "o-", label="mean response")
    ax.plot(binned["load_rps"], binned["p95_s"], "s--", label="p95 response")
    ax.set_xlabel("offered load (requests/s)")
    ax.set_ylabel("response time (s)")
    ax2 = ax.twinx()
    ax2.plot(binned["load_rps"], binned["slowdown"], "^:", color="grey", label="mean slowdown")
    ax2.set_ylabel("slowdown (elapsed / work)")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper left")
    ax.set_title("Response time against load under processor sharing")
    fig.tight_layout()
    target = args.output or (args.out / "contention.png")
    fig.savefig(target, dpi=120)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
