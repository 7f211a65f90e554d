#!/usr/bin/env bash
# Run every fuzz target (or those named) for a bounded time each.
#
#   tools/fuzz/run.sh [-t SECONDS] [TARGET...]
#
# SECONDS per target (default 60). Needs the nightly toolchain and
# cargo-fuzz (.ci/run installs both). Builds once (release with debug
# assertions, so an overflow panics as in a test build; AddressSanitizer),
# then runs each target with libFuzzer's
# -max_total_time, the committed seeds of fuzz/corpus/<target> as input.
# New inputs libFuzzer finds go to a scratch directory, so a run leaves the
# committed corpus as it was; FUZZ_KEEP_CORPUS=1 writes them into
# fuzz/corpus/<target> instead (then minimize: see fuzz/README.md).
#
# A crash, a timeout (an input running over 10 s) or an out-of-memory
# (over 2 GiB) fails the run: libFuzzer prints the input and writes it to
# fuzz/artifacts/<target>/, and the script exits non-zero after naming the
# target. The last line per target is libFuzzer's execution count.
#
# FUZZ_SEED=N gives libFuzzer a fixed random seed, so a run on one commit
# mostly tries the same inputs in the same order (not exactly: the
# targets' hash maps are seeded per process, which can change coverage and
# so the later inputs): .ci/run sets it. Unset, each run draws a new seed
# and explores further.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=60
if [[ "${1:-}" == "-t" ]]; then
    seconds="$2"
    shift 2
fi
toolchain="${FUZZ_TOOLCHAIN:-nightly}"
# AddressSanitizer by default; FUZZ_SANITIZER=none builds faster (the
# workspace forbids unsafe code, so it only watches the dependencies').
sanitizer="${FUZZ_SANITIZER:-address}"
flags=(-O --debug-assertions --sanitizer "$sanitizer")

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cd fuzz && cargo "+$toolchain" fuzz list)
fi

echo "== fuzz build (release, debug assertions, sanitizer: $sanitizer)"
start=$(date +%s)
(cd fuzz && cargo "+$toolchain" fuzz build "${flags[@]}")
echo "fuzz build: $(($(date +%s) - start)) s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
summary=()
for target in "${targets[@]}"; do
    echo "== fuzz $target (${seconds} s)"
    seeds="fuzz/corpus/$target"
    [[ -d "$seeds" ]] || { echo "no seed corpus $seeds" >&2; exit 1; }
    if [[ "${FUZZ_KEEP_CORPUS:-0}" == 1 ]]; then
        dirs=("$PWD/$seeds")
    else
        mkdir -p "$scratch/$target"
        dirs=("$scratch/$target" "$PWD/$seeds")
    fi
    extra=()
    if [[ -n "${FUZZ_SEED:-}" ]]; then
        extra+=(-seed="$FUZZ_SEED")
    fi
    log="$scratch/$target.log"
    if (cd fuzz && cargo "+$toolchain" fuzz run "${flags[@]}" "$target" "${dirs[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}") \
        >"$log" 2>&1; then
        runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo "?")
        summary+=("$target: $runs executions in ${seconds} s, no failure")
    else
        tail -n 60 "$log" >&2
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
        summary+=("$target: FAILED after $runs executions (input in fuzz/artifacts/$target/)")
        failed+=("$target")
    fi
    echo "${summary[-1]}"
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz targets failing: ${failed[*]}" >&2
    exit 1
fi
