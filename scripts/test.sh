#!/usr/bin/env bash
# The project's test command: builds faasim and runs every test, including the checks that read
# the Parquet output with pyarrow and polars (installed into .venv on first use).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import pyarrow, polars, pandas, matplotlib, duckdb" 2>/dev/null; then
  echo "== setting up .venv with pyarrow, polars, pandas, matplotlib, duckdb" >&2
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
fi
export FAASIM_PYTHON="$PWD/.venv/bin/python"

cargo test --all-targets "$@"
cargo test --doc "$@"
