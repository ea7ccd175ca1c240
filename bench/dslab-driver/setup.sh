#!/usr/bin/env bash
# Puts the dslab sources the driver builds against into ./dslab (ignored by git).
#
#   bench/dslab-driver/setup.sh [DSLAB_GIT_DIR_OR_URL]
#
# The argument is a clone (or bare mirror) of osukhoroslov/dslab; default: clone it from GitHub.
# Only crates/dslab-faas is needed; its other dependencies come from crates.io.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-https://github.com/osukhoroslov/dslab}
rm -rf "$here/dslab"
mkdir -p "$here/dslab"
if [ -d "$src" ]; then
    git -C "$src" archive HEAD crates/dslab-faas | tar -x -C "$here/dslab"
else
    tmp=$(mktemp -d)
    git clone --depth 1 "$src" "$tmp/dslab"
    git -C "$tmp/dslab" archive HEAD crates/dslab-faas | tar -x -C "$here/dslab"
    rm -rf "$tmp"
fi
echo "dslab-faas sources in $here/dslab/crates/dslab-faas"
