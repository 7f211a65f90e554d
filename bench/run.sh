#!/usr/bin/env bash
# Whole-hook benchmark: examples/webapp against the same charm written for
# charms.reactive, under charm-sim's compiled hook tools, in one run.
#
#   bench/run.sh [--runs N] [--scenario update-status,config-changed,cluster-relation-changed]
#
# Builds webapp, charm-sim-tool and charm-bench in release mode (the
# profile `cargo charm pack` ships), then prints the machine, the load
# before and after, and the tables (markdown) of charm-bench. The webapp
# binary is built as `cargo charm pack` builds it: with cargo-zigbuild on
# PATH (or in CHARM_PACK_TOOLS), a static musl binary; else plain cargo,
# linked against this machine's glibc. BENCH_BUILD=cargo forces the latter. The Python
# side needs a venv with tools/reference/requirements.txt:
# CHARM_REFERENCE_PYTHON, else .venv-ref/bin/python if present; without
# one only the Rust side and the floors are measured.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --locked --quiet -p webapp -p charm-sim -p charm-bench

# The binaries charm-bench runs: charm-sim-tool, and webapp as packed.
bin_dir=$target/release
build="cargo build --release (dynamically linked against this machine's glibc)"
if [ -n "${CHARM_PACK_TOOLS:-}" ]; then
    PATH="$CHARM_PACK_TOOLS:$PATH"
fi
if [ "${BENCH_BUILD:-}" != cargo ] && command -v cargo-zigbuild >/dev/null; then
    musl="$(uname -m)-unknown-linux-musl"
    cargo-zigbuild zigbuild --release --locked --quiet -p webapp --target "$musl"
    bin_dir=$(mktemp -d)
    trap 'rm -rf "$bin_dir"' EXIT
    ln -s "$target/release/charm-sim-tool" "$bin_dir/charm-sim-tool"
    ln -s "$target/$musl/release/webapp" "$bin_dir/webapp"
    build="cargo-zigbuild zigbuild --release --target $musl (static, as cargo charm pack builds it)"
fi

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
echo "- $(rustc --version); release profile of the workspace; webapp: $build"
echo "- reference: $python_version"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$target/release/charm-bench" --bin-dir "$bin_dir" "${python_args[@]}" "$@"
echo
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
