#!/usr/bin/env python3
"""Time the Rust runtime and charms.reactive on the same specs, in one run.

Usage:
    python3 tools/bench/compare.py [--python PY]

PY (default: $CHARM_REFERENCE_PYTHON) is an interpreter with
tools/reference/requirements.txt installed.

Runs `cargo bench -p charm-runtime --bench dispatch -- --json` (whole hooks
in memory: atstart, dispatch, atexit, commit), then
tools/reference/bench_reactive.py on the same spec files (charms.reactive's
main(): discover, atstart, dispatch, atexit, commit to an in-memory SQLite
DB), once with the LogTracer a real charm has and once with the NullTracer,
and prints a Markdown table with the ratios.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def rust_results():
    out = subprocess.run(
        ['cargo', 'bench', '-q', '-p', 'charm-runtime', '--bench', 'dispatch', '--', '--json'],
        cwd=ROOT, check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith('{')]


def spec_path(bench_name):
    if bench_name.startswith('corpus/'):
        return os.path.join(ROOT, 'tests', 'conformance', 'corpus', bench_name[len('corpus/'):])
    if bench_name.endswith('.json'):
        return os.path.join(ROOT, 'charm-runtime', 'benches', 'data', bench_name)
    return None


def python_result(python, path, null_tracer):
    # charms.reactive takes up to ~30 s per hook on the synthetic spec with its
    # default tracer: three repetitions of each hook keep the run bounded.
    cmd = [python, os.path.join(ROOT, 'tools', 'reference', 'bench_reactive.py'), path,
           '--min-reps', '3', '--target-seconds', '2']
    if null_tracer:
        cmd.append('--null-tracer')
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--python', default=os.environ.get('CHARM_REFERENCE_PYTHON'))
    args = ap.parse_args()
    if not args.python:
        sys.exit('compare.py: give --python or set CHARM_REFERENCE_PYTHON')
    rust = rust_results()
    print('| bench | handlers | hooks | Rust ns/hook | charms.reactive ns/hook (LogTracer) '
          '| ratio | charms.reactive ns/hook (NullTracer) | ratio |')
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for r in rust:
        path = spec_path(r['bench'])
        if path is None:
            continue
        py = python_result(args.python, path, null_tracer=False)
        py_null = python_result(args.python, path, null_tracer=True)
        rust_ns = r['ns_per_hook']
        print('| %s | %d | %d | %.0f | %.0f | %.0fx | %.0f | %.0fx |' % (
            r['bench'], r['handlers'], r['hooks'], rust_ns,
            py['ns_per_hook'], py['ns_per_hook'] / rust_ns,
            py_null['ns_per_hook'], py_null['ns_per_hook'] / rust_ns))
    print()
    print('Rust only (no Python equivalent run):')
    for r in rust:
        if spec_path(r['bench']) is None:
            print('- %s: %d handlers, %.0f ns/hook' % (r['bench'], r['handlers'], r['ns_per_hook']))


if __name__ == '__main__':
    main()
