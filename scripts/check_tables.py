#!/usr/bin/env python3
"""Check a faasim output directory against docs/outputs.md.

Usage:
    python3 scripts/check_tables.py OUT_DIR [--expect-invocations]

Reads every table directory present with pyarrow and with polars and checks:
  - column names and Arrow types of every part file (expected schemas are written out below),
    and that non-nullable columns hold no nulls;
  - that `runs` exists, `summary` exists when some run is ok, and `latency_histograms` exists
    when some ok run completed a request (tables without rows have no parts);
  - that every run_id (with its run_index) of the other tables appears in `runs`, and that
    failed runs appear only in `runs`;
  - that `summary` has exactly one total row (function null) per ok run, whose `requests`
    equals `runs.requests`;
  - that the `response` histogram counts of the total rows sum to `runs.completed` per run;
  - `latency_histograms`: one row per run, function and metric; all-function rows for every
    metric that has per-function rows; `precision` a power of two from 1 to 128; `count`
    non-empty with non-zero ends, summing to `n`, `max_ns` inside the range of the last
    bucket (`first_bucket + len(count) - 1`); rows grouped by function and metric within each
    part; that the part files carry the schema version of the manifest; and that the documented
    one-liners of docs/outputs.md (polars, pandas, DuckDB) read the same bucket rows and the
    same bucket bounds;
  - `replica_counts`: pending = live - running, times strictly increasing per run and function;
  - `utilization`: levels `node`/`replica`, replica_id exactly on replica rows, usage >= 0;
  - `flows`: known kinds, request <= activation <= end, at least one byte, no `request_id`
    on image pulls; `nodes`: one row per node and run;
  - `invocations`: `0 <= transfer_s <= exec_s` where both are set;
  - with --expect-invocations: that `invocations` has `runs.requests` rows per ok run.

When `_commits/` exists only the parts listed in commit markers are read (their row counts are
checked against the markers); uncommitted part files are reported as warnings.
Prints one line per table and exits 1 with a message on any mismatch.
Requires Python 3.11, pyarrow, polars, pandas and duckdb.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import merge_histograms as mh  # noqa: E402

# Counts and ids are Int64 (differences never wrap); only `seed` is UInt64.
S, U64, I64, F64, B = (
    pa.string(),
    pa.uint64(),
    pa.int64(),
    pa.float64(),
    pa.bool_(),
)
# Struct children are non-nullable; list items use the conventional nullable "item" field.
REJECTION = pa.list_(pa.struct([pa.field("name", S, False), pa.field("count", I64, False)]))
SCORE = pa.list_(
    pa.struct(
        [pa.field(n, t, False) for n, t in [("name", S), ("raw", F64), ("normalized", F64), ("weight", F64), ("weighted", F64)]]
    )
)
NAMES = pa.list_(S)
CANDIDATE = pa.list_(pa.struct([pa.field("node", S, False), pa.field("total", F64, False), pa.field("scores", SCORE, False)]))

# (column, type, nullable) per table, after run_id / run_index.
ID = [("run_id", S, False), ("run_index", I64, False)]


def cols(spec: str, typ: pa.DataType, nullable: bool = False) -> list[tuple[str, pa.DataType, bool]]:
    return [(name, typ, nullable) for name in spec.split()]


RUNS_HEAD = ID + cols("sweep_id", S, True) + cols("scenario", S) + cols("seed", U64)
RUNS_TAIL = (
    cols("params_json status", S)
    + cols("error", S, True)
    + cols("horizon_s", F64, True)
    + cols("sim_end_s", F64)
    + cols("events_processed requests completed incomplete rejected timed_out cold_starts", I64)
    + cols("replicas_created replicas_failed placements placements_failed scale_actions", I64)
    + cols("flows flow_bytes low_bandwidth_flows", I64)
    + cols("warnings", I64)
    + cols("code_version config_hash", S)
    + cols("wall_time_s events_per_s", F64, True)
    + cols("peak_rss_bytes", I64, True)
    + cols("started_at host command git_commit", S, True)
    + cols("git_dirty", B, True)
    + cols("rustc_version", S, True)
)
PARAM_TYPES = {I64, F64, S, B}

SUMMARY_STATS = [
    (f"{m}_{s}_s", F64, True)
    for m in ("wait", "queue", "exec", "response")
    for s in ("mean", "p50", "p90", "p99", "p999", "max")
]

SCHEMAS: dict[str, list[tuple[str, pa.DataType, bool]]] = {
    "invocations": ID
    + cols("request_id fn_seq", I64)
    + cols("function status", S)
    + cols("reject_reason", S, True)
    + cols("cold", B)
    + cols("arrival_s", F64)
    + cols("dispatch_s start_s end_s wait_s cold_wait_s queue_s exec_s response_s transfer_s slowdown", F64, True)
    + cols("replica_id", I64, True)
    + cols("node image", S, True)
    + cols("memory_bytes", I64, True),
    "placements": ID
    + cols("t_s queued_s latency_s", F64)
    + cols("replica_id", I64)
    + cols("function image profile", S)
    + cols("attempt", I64)
    + cols("nodes_total nodes_to_find start_index nodes_evaluated feasible scored tie_count", I64)
    + cols("status", S)
    + cols("node failure_reason", S, True)
    + [("rejections", REJECTION, False), ("scores", SCORE, True)]
    + cols("total_score", F64, True)
    + [("needed_images", NAMES, True)]
    + cols("node_cpu_requested_frac node_mem_requested_frac", F64, True)
    + [("candidates", CANDIDATE, True)],
    "scaling": ID
    + cols("t_s", F64)
    + cols("function scaler action", S)
    + cols("metric_name", S, True)
    + cols("metric_value", F64, True)
    + cols("running pending current", I64)
    + cols("desired", I64, True)
    + cols("applied", I64)
    + cols("reason", S),
    "replicas": ID
    + cols("replica_id", I64)
    + cols("function image pod", S)
    + cols("attempt", I64)
    + cols("parent_replica_id", I64, True)
    + cols("node", S, True)
    + cols("cpu_request_m", I64)
    + cols("memory_request_bytes", I64)
    + cols("created_s", F64)
    + cols("scheduled_s deploying_s starting_s setup_start_s running_s teardown_s ended_s", F64, True)
    + cols("final_state", S)
    + cols("end_reason", S, True)
    + cols("pull_bytes", I64, True)
    + cols("pull_s", F64, True)
    + cols("pull_cached pull_joined", B, True)
    + cols("requests_served", I64),
    "replica_counts": ID + cols("t_s", F64) + cols("function", S) + cols("live running pending", I64),
    "utilization": ID
    + cols("t_s", F64)
    + cols("level node", S)
    + cols("replica_id", I64, True)
    + cols("function", S, True)
    + cols("cpu_capacity_m mem_capacity_bytes cpu_requested_m mem_requested_bytes", I64)
    + cols("cpu_used_avg_m mem_used_avg_bytes cpu_util mem_util", F64)
    + cols("replicas_live replicas_running executing queued", I64),
    "summary": ID
    + cols("function", S, True)
    + cols("requests completed incomplete rejected timed_out cold_starts", I64)
    + SUMMARY_STATS
    + cols("replicas_max", I64)
    + cols("replicas_mean running_mean", F64)
    + cols("scale_ups scale_downs placements_failed", I64)
    + cols("throughput_rps", F64),
    "latency_histograms": ID
    + cols("function", S, True)
    + cols("metric", S)
    + cols("n sum_ns max_ns precision first_bucket", I64)
    + cols("count", pa.list_(I64)),
    "flows": ID
    + cols("t_request_s", F64)
    + cols("t_active_s t_end_s duration_s", F64, True)
    + cols("kind source destination", S)
    + cols("bytes hops", I64)
    + cols("rtt_ms", F64)
    + cols("mean_rate_mbit", F64, True)
    + cols("replica_id request_id", I64, True)
    + cols("image", S, True),
    "links": ID + cols("link_id", I64) + cols("link kind", S) + cols("capacity_mbit", F64) + cols("bytes", I64) + cols("busy_s", F64),
    "nodes": ID
    + cols("node_id", I64)
    + cols("node type arch", S)
    + cols("cpu_m memory_bytes", I64)
    + cols("accelerator locality zone", S)
    + cols("storage", B)
    + cols("labels", S),
}
# Tables written by other parts of faasim; checked for identity columns only.
OTHER_TABLES: tuple[str, ...] = ()



def check_histogram_rows(hist: pl.DataFrame) -> None:
    """One row per (run, function, metric); dense count lists that start and end non-empty."""
    dup = hist.group_by("run_id", "function", "metric").len().filter(pl.col("len") > 1)
    if dup.height:
        fail(f"latency_histograms: {dup.height} (run, function, metric) keys have several rows, e.g. {dup.row(0)}")
    totals = hist.filter(pl.col("function").is_null()).select("run_id", "metric").unique()
    orphans = hist.filter(pl.col("function").is_not_null()).select("run_id", "metric").unique().join(
        totals, on=["run_id", "metric"], how="anti"
    )
    if orphans.height:
        fail(f"latency_histograms: per-function rows without their all-function row, e.g. {orphans.row(0)}")
    bad = hist.filter((pl.col("count").list.len() == 0) | (pl.col("count").list.first() <= 0) | (pl.col("count").list.last() <= 0))
    if bad.height:
        fail(f"latency_histograms: count empty or with an empty first or last bucket in {bad.height} rows")
    bad = hist.filter(pl.col("count").list.min() < 0)
    if bad.height:
        fail(f"latency_histograms: negative counts in {bad.height} rows")
    bad = hist.filter(pl.col("count").list.sum() != pl.col("n"))
    if bad.height:
        fail(f"latency_histograms: counts do not sum to n in {bad.height} rows")
    p = pl.col("precision")
    bad = hist.filter((p < 1) | (p > 128) | ((p & (p - 1)) != 0))
    if bad.height:
        fail(f"latency_histograms: precision not a power of two from 1 to 128 in {bad.height} rows")
    # The exact maximum lies in the last non-empty bucket: this checks the bucket-bound rule
    # of docs/outputs.md at every precision the table holds.
    last = pl.col("first_bucket") + pl.col("count").list.len() - 1
    lower, upper = mh.bucket_bounds(last, p)
    bad = hist.filter((pl.col("max_ns") < lower) | (pl.col("max_ns") > upper))
    if bad.height:
        fail(f"latency_histograms: max_ns outside the last bucket's bounds in {bad.height} rows, e.g. {bad.row(0)}")


def check_histogram_order(out: Path) -> None:
    """Within each part, rows are grouped: all-function rows first, then functions by name,
    then metrics in wait, queue, exec, response, cold_wait, pull order, then runs."""
    metrics = ["wait", "queue", "exec", "response", "cold_wait", "pull"]
    for part in mh.committed_parts(out, "latency_histograms"):
        df = pl.read_parquet(part, columns=["run_index", "function", "metric"]).with_row_index("row")
        rank = df.with_columns(pl.col("metric").replace_strict(metrics, list(range(len(metrics)))).alias("m"))
        want = rank.sort(["function", "m", "run_index"], nulls_last=False, maintain_order=True)["row"]
        if not want.equals(df["row"]):
            fail(f"latency_histograms: {part} is not ordered by function (nulls first), metric, run")


def check_histogram_readers(out: Path) -> None:
    """The one-liners of docs/outputs.md (`latency_histograms`) give the same bucket rows in
    polars, pandas and DuckDB (run on the table directory, as documented)."""
    import duckdb
    import pandas as pd

    glob = str(Path(out) / "latency_histograms" / "*.parquet")
    # The documented one-liners, verbatim but for the path.
    by_polars = (
        pl.scan_parquet(glob)
        .with_columns(bucket=pl.int_ranges("first_bucket", pl.col("first_bucket") + pl.col("count").list.len()))
        .explode(["bucket", "count"]).filter(pl.col("count") > 0).collect()
    )  # polars
    h = pd.read_parquet(Path(out) / "latency_histograms")
    by_pandas = h.assign(bucket=[range(f, f + len(c)) for f, c in zip(h.first_bucket, h["count"])]).explode(["bucket", "count"]).loc[lambda d: d["count"] > 0]  # pandas
    by_duckdb = duckdb.sql(
        f"""
        SELECT * FROM (SELECT * EXCLUDE (first_bucket, count), unnest(range(first_bucket, first_bucket + len(count))) AS bucket, unnest(count) AS count
                       FROM '{glob}') WHERE count > 0
        """
    ).pl()
    key = ["run_id", "function", "metric", "bucket"]

    def canonical(df: pl.DataFrame) -> pl.DataFrame:
        return df.select(*key, "count").with_columns(pl.col("bucket", "count").cast(pl.Int64)).sort(key, nulls_last=True)

    want = canonical(by_polars)
    if not want.equals(canonical(mh.explode_buckets(pl.read_parquet(glob)))):
        fail("latency_histograms: the polars one-liner and merge_histograms.explode_buckets disagree")
    for name, df in [("pandas", pl.from_pandas(by_pandas)), ("duckdb", by_duckdb)]:
        if not canonical(df).equals(want):
            fail(f"latency_histograms: the {name} one-liner reads other rows than polars")

    # The documented bucket-bound one-liners, verbatim but for the path, against the scripts'.
    b, P = pl.col("bucket"), pl.col("precision")
    e = ((b - P) // P).clip(lower_bound=0)  # 2^e: Int64, not the Int32 of a bare 2
    lower = pl.when(b < P).then(b).otherwise((P + (b - P) % P) * pl.lit(2, pl.Int64).pow(e))
    upper = pl.when(b < P).then(b).otherwise(lower + pl.lit(2, pl.Int64).pow(e) - 1)
    bounds_polars = by_polars.with_columns(lower.alias("lower_ns"), upper.alias("upper_ns"))
    bounds_duckdb = duckdb.sql(
        f"""
        SELECT *, CASE WHEN bucket < precision THEN bucket
                  ELSE (precision + (bucket - precision) % precision) << ((bucket - precision) // precision) END AS lower_ns,
               CASE WHEN bucket < precision THEN bucket
                  ELSE lower_ns + (1 << ((bucket - precision) // precision)) - 1 END AS upper_ns
        FROM (SELECT * EXCLUDE (first_bucket, count), unnest(range(first_bucket, first_bucket + len(count))) AS bucket, unnest(count) AS count
              FROM '{glob}') WHERE count > 0
        """
    ).pl()
    ref_lower, ref_upper = mh.bucket_bounds(pl.col("bucket"), pl.col("precision"))
    want = by_polars.with_columns(ref_lower.alias("lower_ns"), ref_upper.alias("upper_ns"))
    key_bounds = [*key, "lower_ns", "upper_ns"]
    for name, df in [("polars", bounds_polars), ("duckdb", bounds_duckdb)]:
        got = df.select(key_bounds).with_columns(pl.all().exclude("run_id", "function", "metric").cast(pl.Int64))
        if not got.sort(key, nulls_last=True).equals(want.select(key_bounds).sort(key, nulls_last=True)):
            fail(f"latency_histograms: the {name} bucket-bound one-liner disagrees with merge_histograms.bucket_bounds")


def check_schema_version(out: Path) -> None:
    """Every committed part carries the manifest's `schema_version` in its file metadata."""
    manifest = Path(out) / "manifest.json"
    if not manifest.is_file():
        return
    want = str(json.loads(manifest.read_text()).get("schema_version"))
    for table in ["runs", *SCHEMAS, *OTHER_TABLES]:
        for part in mh.committed_parts(out, table):
            meta = pq.read_metadata(part).metadata or {}
            got = meta.get(b"faasim.schema_version", b"").decode()
            if got != want:
                fail(f"{part}: faasim.schema_version {got!r}, manifest.json says {want}")


class Mismatch(Exception):
    pass


def fail(msg: str) -> None:
    raise Mismatch(msg)


def expected_runs(schema: pa.Schema, where: str) -> list[tuple[str, pa.DataType, bool]]:
    """The runs columns with this file's param.* columns (between seed and params_json)."""
    params = []
    for field in schema:
        if field.name.startswith("param."):
            if field.type not in PARAM_TYPES:
                fail(f"{where}: column {field.name} has type {field.type}, expected int64/double/string/bool")
            params.append((field.name, field.type, True))
    return RUNS_HEAD + params + RUNS_TAIL


def check_schema(table: str, path: Path) -> pa.Schema:
    schema = pq.read_schema(path)
    where = f"{table}: {path}"
    if table == "runs":
        expected = expected_runs(schema, where)
    elif table in SCHEMAS:
        expected = SCHEMAS[table]
    else:
        expected = ID + [(f.name, f.type, True) for f in schema][2:]
    names = [f.name for f in schema]
    want = [c[0] for c in expected]
    if names != want:
        missing = [n for n in want if n not in names]
        extra = [n for n in names if n not in want]
        fail(f"{where}: columns differ from spec (missing {missing}, unexpected {extra}, order {names})")
    for (name, typ, _), field in zip(expected, schema):
        if not field.type.equals(typ):
            fail(f"{where}: column {name} has Arrow type {field.type}, expected {typ}")
    return schema


def committed_parts(out: Path) -> dict[str, dict[Path, int]] | None:
    commits = out / "_commits"
    if not commits.is_dir():
        return None
    parts: dict[str, dict[Path, int]] = {}
    for marker in sorted(commits.glob("batch-*.json")):
        try:
            content = json.loads(marker.read_text())
            tables = content["tables"]
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            fail(f"{marker}: unreadable commit marker ({e})")
        for table, part in tables.items():
            path = out / part["file"]
            if not path.is_file():
                fail(f"{marker}: lists {part['file']}, which does not exist")
            parts.setdefault(table, {})[path] = int(part["rows"])
    return parts


def read_tables(out: Path) -> tuple[dict[str, pl.DataFrame], list[str], list[str]]:
    committed = committed_parts(out)
    frames: dict[str, pl.DataFrame] = {}
    report: list[str] = []
    warnings: list[str] = []
    for table in ["runs", *SCHEMAS, *OTHER_TABLES]:
        d = out / table
        if not d.is_dir():
            continue
        present = sorted(d.glob("*.parquet"))
        if committed is None:
            files = present
        else:
            listed = committed.get(table, {})
            files = sorted(listed)
            for p in present:
                if p not in listed:
                    warnings.append(f"{table}: {p.name} is not listed in any commit marker (ignored)")
        if not files:
            continue
        for f in files:
            check_schema(table, f)
            if committed is not None:
                n = pq.ParquetFile(f).metadata.num_rows
                if n != committed[table][f]:
                    fail(f"{table}: {f} has {n} rows, its commit marker says {committed[table][f]}")
        arrow = pq.read_table([str(f) for f in files]) if len(files) > 1 else pq.read_table(files[0])
        if files == present:
            polars = pl.read_parquet(str(d / "*.parquet"))
        else:
            polars = pl.read_parquet([str(f) for f in files])
        if polars.columns != arrow.column_names or polars.height != arrow.num_rows:
            fail(
                f"{table}: pyarrow reads {arrow.num_rows} rows × {arrow.column_names}, "
                f"polars {polars.height} rows × {polars.columns}"
            )
        schema = pq.read_schema(files[0])
        expected = expected_runs(schema, table) if table == "runs" else SCHEMAS.get(table, [])
        for name, _, nullable in expected:
            if not nullable and arrow.column(name).null_count:
                fail(f"{table}: non-nullable column {name} has {arrow.column(name).null_count} nulls")
        frames[table] = polars
        report.append(f"{table:<20} {len(files):>4} parts {polars.height:>10} rows {polars.width:>4} columns")
    return frames, report, warnings


def check(out: Path, expect_invocations: bool) -> list[str]:
    if not out.is_dir():
        fail(f"{out}: not a directory")
    frames, report, warnings = read_tables(out)
    if "runs" not in frames:
        fail(f"{out}: table runs is missing")
    check_schema_version(out)
    runs = frames["runs"]
    if runs["run_id"].n_unique() != runs.height:
        fail("runs: run_id is not unique")
    bad = runs.filter(~pl.col("status").is_in(["ok", "error", "timeout"]))
    if bad.height:
        fail(f"runs: unknown status {bad['status'][0]!r}")
    bad = runs.filter((pl.col("status") == "ok") != pl.col("error").is_null())
    if bad.height:
        fail(f"runs: run {bad['run_id'][0]} has status {bad['status'][0]} but error {bad['error'][0]!r}")
    ok = runs.filter(pl.col("status") == "ok")
    if ok.height and "summary" not in frames:
        fail("summary is missing although some runs are ok")
    # `outputs.latency_histograms = false` turns the table off; the resolved scenario says so.
    hist_on = ok.filter(
        pl.col("params_json").map_elements(
            lambda s: json.loads(s).get("outputs", {}).get("latency_histograms", True), return_dtype=pl.Boolean
        )
    )
    if hist_on["completed"].sum() > 0 and "latency_histograms" not in frames:
        fail("latency_histograms is missing although requests completed")

    ids = runs.select("run_id", "run_index", "status")
    for table, df in frames.items():
        if table == "runs":
            continue
        keys = df.select("run_id", "run_index").unique()
        orphans = keys.join(ids, on=["run_id", "run_index"], how="anti")
        if orphans.height:
            fail(f"{table}: {orphans.height} run_id/run_index pairs not in runs, e.g. {orphans.row(0)}")
        failed = keys.join(ids.filter(pl.col("status") != "ok"), on="run_id", how="semi")
        if failed.height:
            fail(f"{table}: has rows of failed run {failed['run_id'][0]}")

    def per_run(df: pl.DataFrame, value: pl.Expr, name: str) -> pl.DataFrame:
        agg = df.group_by("run_id").agg(value.alias(name))
        return ok.select("run_id", "requests", "completed").join(agg, on="run_id", how="left").with_columns(
            pl.col(name).fill_null(0)
        )

    if "summary" in frames:
        total = frames["summary"].filter(pl.col("function").is_null())
        counts = per_run(total, pl.len(), "total_rows")
        bad = counts.filter(pl.col("total_rows") != 1)
        if bad.height:
            fail(f"summary: run {bad['run_id'][0]} has {bad['total_rows'][0]} total rows, expected 1")
        joined = ok.select("run_id", "requests").join(
            total.select("run_id", pl.col("requests").alias("summary_requests")), on="run_id"
        )
        bad = joined.filter(pl.col("requests") != pl.col("summary_requests"))
        if bad.height:
            r = bad.row(0, named=True)
            fail(f"summary: run {r['run_id']} total requests {r['summary_requests']} != runs.requests {r['requests']}")

    hist = frames.get("latency_histograms")
    if hist is not None:
        check_histogram_rows(hist)
        check_histogram_order(out)
        check_histogram_readers(out)
    if hist is not None or hist_on.height:
        hist = hist if hist is not None else pl.DataFrame(schema={"run_id": pl.String, "function": pl.String, "metric": pl.String, "count": pl.List(pl.Int64)})
        hist = hist.filter(pl.col("function").is_null() & (pl.col("metric") == "response"))
        sums = per_run(hist, pl.col("count").list.sum().sum(), "hist_count")
        sums = sums.join(hist_on.select("run_id"), on="run_id", how="semi")
        bad = sums.filter(pl.col("hist_count") != pl.col("completed"))
        if bad.height:
            r = bad.row(0, named=True)
            fail(
                f"latency_histograms: run {r['run_id']} response counts sum to {r['hist_count']}, "
                f"runs.completed is {r['completed']}"
            )

    counts = frames.get("replica_counts")
    if counts is not None:
        bad = counts.filter(pl.col("pending") != pl.col("live") - pl.col("running"))
        if bad.height:
            fail(f"replica_counts: pending != live - running in {bad.height} rows, e.g. {bad.row(0)}")
        unsorted = counts.group_by("run_id", "function", maintain_order=True).agg(
            (pl.col("t_s").diff().drop_nulls() <= 0).any().alias("bad")
        )
        if unsorted["bad"].any():
            fail("replica_counts: times are not strictly increasing per run and function")

    flows = frames.get("flows")
    if flows is not None:
        bad = flows.filter(~pl.col("kind").is_in(["image_pull", "data_download", "data_upload"]))
        if bad.height:
            fail(f"flows: unknown kind {bad['kind'][0]!r}")
        bad = flows.filter(
            (pl.col("t_active_s") < pl.col("t_request_s")) | (pl.col("t_end_s") < pl.col("t_active_s"))
        )
        if bad.height:
            fail("flows: times must satisfy t_request_s <= t_active_s <= t_end_s")
        bad = flows.filter(pl.col("bytes") <= 0)
        if bad.height:
            fail("flows: a flow moves at least one byte")
        bad = flows.filter((pl.col("kind") == "image_pull") & pl.col("request_id").is_not_null())
        if bad.height:
            fail("flows: an image pull serves no request (request_id must be null)")

    inv = frames.get("invocations")
    if inv is not None:
        bad = inv.filter((pl.col("transfer_s") < 0) | (pl.col("transfer_s") > pl.col("exec_s") + 1e-9))
        if bad.height:
            fail(f"invocations: transfer_s must be within [0, exec_s], e.g. {bad.row(0)}")

    nodes = frames.get("nodes")
    if nodes is not None:
        dup = nodes.group_by("run_id", "node").len().filter(pl.col("len") > 1)
        if dup.height:
            fail(f"nodes: node {dup['node'][0]!r} appears twice in one run")

    util = frames.get("utilization")
    if util is not None:
        bad = util.filter(~pl.col("level").is_in(["node", "replica"]))
        if bad.height:
            fail(f"utilization: unknown level {bad['level'][0]!r}")
        bad = util.filter((pl.col("level") == "replica") != pl.col("replica_id").is_not_null())
        if bad.height:
            fail("utilization: replica_id must be set exactly on replica rows")
        bad = util.filter((pl.col("cpu_used_avg_m") < 0) | (pl.col("mem_used_avg_bytes") < 0))
        if bad.height:
            fail("utilization: negative usage")

    if expect_invocations:
        inv = frames.get("invocations", pl.DataFrame(schema={"run_id": pl.String}))
        counts = per_run(inv, pl.len(), "rows")
        bad = counts.filter(pl.col("rows") != pl.col("requests"))
        if bad.height:
            r = bad.row(0, named=True)
            fail(f"invocations: run {r['run_id']} has {r['rows']} rows, runs.requests is {r['requests']}")

    report.append(f"runs: {runs.height} ({ok.height} ok)")
    return report + [f"warning: {w}" for w in warnings]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="faasim output directory")
    ap.add_argument(
        "--expect-invocations",
        action="store_true",
        help="require one invocations row per request of every ok run",
    )
    args = ap.parse_args()
    try:
        lines = check(args.out, args.expect_invocations)
    except Mismatch as e:
        print(f"check_tables: FAILED: {e}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    print("check_tables: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
