#!/usr/bin/env python3
"""Merge faasim latency histograms across runs (e.g. the seeds of one sweep variant) and take
quantiles of the pooled distribution.

Usage:
    python3 scripts/merge_histograms.py OUT [--metric response] [--function NAME]
                                            [--by param.scheduler.profile ...]

Every run writes its latency histograms as rows of `latency_histograms`: one row per metric for
all functions together (`function` null), plus per-function rows for the metrics of
outputs.histogram_function_metrics (none by default). A row holds `first_bucket` and the list
`count` of every bucket from there to the last non-empty one, zeros included (docs/outputs.md,
schema version 2); `explode_buckets` turns it into one (bucket, count) row per non-empty bucket.
Bucket boundaries are fixed
(log-linear, `precision` sub-buckets per power of two -- outputs.histogram_precision, 8 by
default -- so a bucket is at most 1/precision of its lower bound wide), so histograms of
different runs at the same precision add up exactly: to pool runs, sum `count` per `bucket`;
then a quantile q is the upper bound of the first bucket whose cumulative count reaches rank
r = max(1, ceil(q * n)) -- the same rule `summary` uses per run (at 128 sub-buckets), except
that the exact maximum is not known after merging, so the result is an upper bound within
1/precision of the true pooled quantile. Runs written at different precisions are refused
(select one precision, or re-run at one).

Pooling answers "what is the p99 over all requests of all seeds"; the mean of the per-run p99s
(scripts/analyze.py) answers "what p99 does one run typically see". Both are useful; they differ
when runs differ in load.

As a library (scripts/analyze.py and scripts/plot.py import it):
    load_table(out, table)            committed parts of a table as one polars DataFrame
    scan_table(out, table)            the same as a polars LazyFrame (nothing read yet)
    explode_buckets(frame)            one (bucket, count) row per non-empty bucket (lazy or eager)
    histograms(out, metric, function) one (bucket, count) row per bucket, joined with `runs`
    bucket_bounds(bucket, precision)  polars expressions of a bucket's inclusive bounds (ns)
    merge(hist, by)                   pooled counts per group and bucket, with the bounds
    quantiles(merged, by, qs)         pooled quantiles per group (seconds)
    cdf(merged, by)                   (group..., x_s, fraction) points of the pooled CDF
Requires polars.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

QUANTILES = [(0.5, "p50", 1, 2), (0.9, "p90", 9, 10), (0.99, "p99", 99, 100), (0.999, "p999", 999, 1000)]


def committed_parts(out: Path, table: str) -> list[Path]:
    """The part files of `table` listed by commit markers (docs/outputs.md: `_commits/` is
    the list of valid parts); every part file if the dataset has no `_commits/`."""
    out = Path(out)
    commits = out / "_commits"
    if not commits.is_dir():
        return sorted((out / table).glob("part-*.parquet"))
    parts = []
    for marker in sorted(commits.glob("batch-*.json")):
        info = json.loads(marker.read_text()).get("tables", {}).get(table)
        if info is not None and (out / info["file"]).is_file():
            parts.append(out / info["file"])
    return parts


def load_table(out: Path, table: str, columns: list[str] | None = None) -> pl.DataFrame | None:
    """All committed rows of `table` (None if it has no part), in batch order."""
    parts = committed_parts(out, table)
    if not parts:
        return None
    frames = [pl.read_parquet(p, columns=columns) for p in parts]
    return pl.concat(frames, how="vertical_relaxed")


def scan_table(out: Path, table: str) -> pl.LazyFrame | None:
    """The committed parts of `table` as one lazy scan (None if it has no part): filters and
    column selections are pushed into the Parquet reader, so only what is used is read."""
    parts = committed_parts(out, table)
    if not parts:
        return None
    return pl.scan_parquet([str(p) for p in parts])


def explode_buckets(frame):
    """One row per non-empty bucket of each histogram row: bucket `first_bucket + i` holds
    `count[i]` (the documented polars one-liner of docs/outputs.md); works on a LazyFrame too."""
    bucket = pl.int_ranges("first_bucket", pl.col("first_bucket") + pl.col("count").list.len())
    return frame.with_columns(bucket=bucket).explode(["bucket", "count"]).filter(pl.col("count") > 0)


def bucket_bounds(bucket: pl.Expr, precision: pl.Expr | int) -> tuple[pl.Expr, pl.Expr]:
    """(lower_ns, upper_ns) of a bucket index at `precision` P sub-buckets per power of two
    (the table's `precision` column): buckets 0..P-1 hold one value each; above, bucket
    P + P*e + s holds [(P + s) * 2^e, (P + s + 1) * 2^e - 1]."""
    p = pl.lit(precision) if isinstance(precision, int) else precision
    e = ((bucket - p) // p).clip(lower_bound=0)
    width = pl.lit(2.0).pow(e).cast(pl.Int64)
    lower = pl.when(bucket < p).then(bucket).otherwise((p + (bucket - p) % p) * width)
    upper = pl.when(bucket < p).then(bucket).otherwise((p + (bucket - p) % p) * width + width - 1)
    return lower, upper


def param_columns(runs: pl.DataFrame) -> list[str]:
    """The swept-parameter columns of `runs`, in sweep order."""
    return [c for c in runs.columns if c.startswith("param.")]


def histograms(out: Path, metric: str = "response", function: str | None = None) -> pl.DataFrame:
    """Histogram rows of `metric` for the all-functions rows (or one function), joined with the
    `runs` columns (status ok only)."""
    hist = scan_table(out, "latency_histograms")
    runs = scan_table(out, "runs")
    if hist is None or runs is None:
        raise SystemExit(f"{out}: no latency_histograms or runs parts")
    hist = hist.filter(pl.col("metric") == metric)
    hist = hist.filter(pl.col("function").is_null() if function is None else pl.col("function") == function)
    hist = explode_buckets(hist.select("run_id", "function", "metric", "precision", "first_bucket", "count"))
    params = [c for c in runs.collect_schema().names() if c.startswith("param.")]
    keep = ["run_id", "seed", *params]
    ok = runs.filter(pl.col("status") == "ok").select(keep)
    joined = hist.join(ok, on="run_id", how="inner").collect()
    if function is not None and joined.is_empty():
        raise SystemExit(
            f"{out}: no {metric} histograms of function {function!r}; per-function rows exist only "
            "for the metrics of outputs.histogram_function_metrics (none by default)"
        )
    precisions = joined["precision"].unique().to_list()
    if len(precisions) > 1:
        raise SystemExit(
            f"{out}: runs were written at different histogram precisions {sorted(precisions)}; "
            "their buckets do not add up -- select runs of one precision"
        )
    return joined


def merge(hist: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Pooled histogram: counts summed per group and bucket, sorted by group then bucket
    (`hist` holds one precision, as `histograms` returns it)."""
    lower, upper = bucket_bounds(pl.col("bucket"), pl.col("precision"))
    return (
        hist.group_by([*by, "precision", "bucket"])
        .agg(pl.col("count").sum())
        .with_columns(lower.alias("lower_ns"), upper.alias("upper_ns"))
        .sort([*by, "bucket"], nulls_last=True)
    )


def _groups(merged: pl.DataFrame, by: list[str]):
    if not by:
        yield (), merged
        return
    for key, frame in merged.group_by(by, maintain_order=True):
        yield key, frame


def quantiles(merged: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Per group: pooled count n and the p50/p90/p99/p99.9 upper bounds in seconds."""
    rows = []
    for key, frame in _groups(merged, by):
        counts = frame["count"].to_list()
        uppers = frame["upper_ns"].to_list()
        n = sum(counts)
        row = dict(zip(by, key))
        row["requests"] = n
        for _, name, num, den in QUANTILES:
            rank = max(1, -(-num * n // den))  # ceil(num * n / den) in integers
            cum = 0
            value = None
            for c, u in zip(counts, uppers):
                cum += c
                if cum >= rank:
                    value = u / 1e9
                    break
            row[f"{name}_s"] = value
        rows.append(row)
    return pl.DataFrame(rows)


def cdf(merged: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Points (upper bound of each bucket in seconds, cumulative fraction) of each group's pooled
    CDF."""
    return merged.with_columns(
        (pl.col("upper_ns") / 1e9).alias("x_s"),
        (pl.col("count").cum_sum().over(by) / pl.col("count").sum().over(by)).alias("fraction")
        if by
        else (pl.col("count").cum_sum() / pl.col("count").sum()).alias("fraction"),
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="a faasim output directory (run or sweep)")
    ap.add_argument("--metric", default="response", help="wait, queue, exec, response, cold_wait or pull")
    ap.add_argument("--function", help="one function (default: the all-functions histograms)")
    ap.add_argument("--by", nargs="*", help="group columns of `runs` (default: every param.* column)")
    args = ap.parse_args()

    hist = histograms(args.out, args.metric, args.function)
    by = args.by if args.by is not None else [c for c in hist.columns if c.startswith("param.")]
    table = quantiles(merge(hist, by), by)
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=60):
        print(f"pooled {args.metric} time quantiles (upper bounds, s) over the seeds of each group:")
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
