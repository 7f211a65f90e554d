#!/usr/bin/env bash
# Whole-hook benchmark: examples/webapp against the same charm written for
# charms.reactive, under charm-sim's compiled hook tools, in one run.
#
#   bench/run.sh [--runs N] [--scenario update-status,config-changed,cluster-relation-changed]
#
# Builds webapp, charm-sim-tool and charm-bench in release mode (the
# profile `cargo charm pack` ships), then prints the machine, the load
# before and after, and the tables (markdown) of charm-bench. The Python
# side needs a venv with tools/reference/requirements.txt:
# CHARM_REFERENCE_PYTHON, else .venv-ref/bin/python if present; without
# one only the Rust side and the floors are measured.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --locked --quiet -p webapp -p charm-sim -p charm-bench

python=${CHARM_REFERENCE_PYTHON:-}
if [ -z "$python" ] && [ -x .venv-ref/bin/python ]; then
    python=$PWD/.venv-ref/bin/python
fi
python_args=(--no-python)
python_version="(none)"
if [ -n "$python" ]; then
    python_args=(--python "$python")
    python_version=$("$python" -c 'import sys, importlib.metadata as m; print("Python %d.%d.%d, charms.reactive %s, charmhelpers %s" % (sys.version_info[:3] + (m.version("charms.reactive"), m.version("charmhelpers"))))')
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
mem=$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1e6}' /proc/meminfo)
os=$(. /etc/os-release && echo "$PRETTY_NAME")
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(uname -m), ${cpu:-unknown CPU}, $(nproc) cores, $mem, $os, kernel $(uname -r)"
echo "- $(rustc --version); release profile of the workspace"
echo "- reference: $python_version"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$target/release/charm-bench" --bin-dir "$target/release" "${python_args[@]}" "$@"
echo
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
