#!/usr/bin/env python3
"""Summarise a faasim sweep: p99 response time per swept parameter combination.

Usage:
    python3 scripts/analyze.py OUT [--metric response] [--stat p99] [--by COL ...]

Loads the committed parts of `runs` and `summary` (polars), joins the all-functions `summary`
rows (function = null) with `runs` on run_id, and prints one row per combination of the
`param.*` columns (or of the columns given with --by: `param.load`, `load`, or the short name
shown in the header such as `profile`; the other parameters are pooled):

  runs     runs of the combination (ok / all; failed runs have no summary row)
  mean     mean over seeds of each run's p99 (the `summary` column, exact per run up to 1/128)
  std      sample standard deviation over seeds (0 with one seed)
  pooled   p99 of all requests of all seeds together, from the merged latency histograms
           (scripts/merge_histograms.py)
  requests mean requests per run

Requires polars.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import merge_histograms as mh  # noqa: E402


def short_names(cols: list[str]) -> dict[str, str]:
    """`param.workloads.0.rate.constant.rps` -> `rps`, unless two columns share a last segment."""
    last = [c.rsplit(".", 1)[-1] for c in cols]
    return {c: (s if last.count(s) == 1 else c.removeprefix("param.")) for c, s in zip(cols, last)}


def resolve_by(runs: pl.DataFrame, wanted: list[str] | None) -> list[str]:
    """The `runs` columns named by --by: a full column name, a swept key without `param.`, or
    the short name of a `param.*` column. Unknown names end the script with the choices."""
    params = mh.param_columns(runs)
    if wanted is None:
        return params
    short = {s: c for c, s in short_names(params).items()}
    out = []
    for w in wanted:
        for candidate in (w, f"param.{w}", short.get(w)):
            if candidate is not None and candidate in runs.columns:
                out.append(candidate)
                break
        else:
            choices = ", ".join([*short, *params])
            raise SystemExit(f"--by {w}: no such column in runs (swept: {choices or 'none'})")
    return out


def fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"
    return str(v)


def analyze(out: Path, metric: str = "response", stat: str = "p99", by: list[str] | None = None) -> pl.DataFrame:
    runs = mh.load_table(out, "runs")
    if runs is None:
        raise SystemExit(f"{out}: no committed runs parts (is it a faasim output directory?)")
    summary = mh.load_table(out, "summary")
    params = resolve_by(runs, by)
    col = f"{metric}_{stat}_s"

    counts = [pl.len().alias("runs_all"), (pl.col("status") == "ok").sum().alias("runs_ok")]
    totals = runs.group_by(params, maintain_order=True).agg(counts) if params else runs.select(counts)

    if summary is not None:
        per_run = summary.filter(pl.col("function").is_null()).select("run_id", "requests", col)
        joined = per_run.join(runs.filter(pl.col("status") == "ok").select("run_id", *params), on="run_id")
        aggs = [
            pl.col(col).mean().alias("mean"),
            pl.col(col).std().fill_null(0.0).alias("std"),
            pl.col("requests").mean().alias("requests"),
        ]
        stats = joined.group_by(params, maintain_order=True).agg(aggs) if params else joined.select(aggs)
        hist = mh.histograms(out, metric)
        hist = hist.join(runs.select("run_id", *[c for c in params if c not in hist.columns]), on="run_id")
        pooled = mh.quantiles(mh.merge(hist, params), params)
        pooled = pooled.select(*params, pl.col(f"{stat}_s").alias("pooled")) if f"{stat}_s" in pooled.columns else None
    else:
        stats, pooled = None, None

    table = totals
    if stats is not None:
        table = table.join(stats, on=params, how="left") if params else pl.concat([table, stats], how="horizontal")
    if pooled is not None and pooled.height:
        table = table.join(pooled, on=params, how="left") if params else pl.concat([table, pooled], how="horizontal")
    return table.sort(params) if params else table


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="a faasim sweep (or run) output directory")
    ap.add_argument("--metric", default="response", choices=["wait", "queue", "exec", "response"])
    ap.add_argument("--stat", default="p99", choices=["p50", "p90", "p99", "p999", "max", "mean"])
    ap.add_argument("--by", nargs="+", metavar="COL", help="group by these columns only (default: every param.* column)")
    args = ap.parse_args()

    table = analyze(args.out, args.metric, args.stat, args.by)
    runs = mh.load_table(args.out, "runs")
    params = resolve_by(runs, args.by)
    names = short_names(params)
    header = [*(names[p] for p in params), "runs", f"{args.stat} mean (s)", "± std (s)", "pooled (s)", "requests"]
    rows = []
    for r in table.iter_rows(named=True):
        rows.append(
            [
                *(fmt(r[p]) for p in params),
                f"{r['runs_ok']}/{r['runs_all']}",
                fmt(r.get("mean")),
                fmt(r.get("std")),
                fmt(r.get("pooled")),
                fmt(r.get("requests")),
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    print(f"{args.metric} time {args.stat} per parameter combination ({args.out}):")
    if params:
        print("  " + ", ".join(f"{names[p]} = {p.removeprefix('param.')}" for p in params))
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
