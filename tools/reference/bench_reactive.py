#!/usr/bin/env python3
"""Time the real charms.reactive dispatch on conformance specs, in-process.

Usage:
    .venv-ref/bin/python tools/reference/bench_reactive.py SPEC.json [...]
        [--target-seconds S] [--min-reps N] [--max-reps N]
        [--db memory|file] [--null-tracer]

For each spec, in this one process (charms.reactive imported once):

1. Register the spec's handlers with the real decorators (untimed).
2. Run the hooks once in order, like oracle.py but in-process, recording
   the full unit-state (kv table) before each hook (untimed setup).
3. For each repetition and each hook: restore that hook's starting unit
   state into a fresh Storage (untimed), restore charmhelpers' atstart /
   atexit callback lists and re-register the triggers as a charm does at
   import (untimed), then time `charms.reactive.main()`: discover (empty
   charm dir), atstart callbacks, `bus.dispatch()`, atexit callbacks and the
   kv flush (commit).  Every repetition therefore does exactly the same
   work; this is checked (same handlers invoked, same resulting flags).

The unit-state DB is an in-memory sqlite DB (UNIT_STATE_DB=":memory:",
i.e. charmhelpers `Storage(':memory:')`) by default; `--db file` uses a
temp file instead (the commit then includes disk I/O).

hookenv.log is a no-op stub (message formatting still happens).  By default
the LogTracer that charms.reactive installs at atstart stays in place, as
in a real charm; it re-tests every handler on every flag change, which is
a large part of the cost.  `--null-tracer` removes it (NullTracer only).
`fail_at` is ignored (no handler raises).

Prints one JSON line per spec:
    {"spec": NAME, "hooks": N, "ns_per_hook": ..., "repetitions": R, ...}
ns_per_hook is the mean over the spec's hooks of the median time of one
hook run (main()); dispatch_ns_per_hook is the same for bus.dispatch()
alone; per_hook_ns lists the per-hook medians.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import refcommon  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('specs', nargs='+')
    ap.add_argument('--target-seconds', type=float, default=2.0,
                    help='approximate measured time per spec (default 2)')
    ap.add_argument('--min-reps', type=int, default=5)
    ap.add_argument('--max-reps', type=int, default=2000)
    ap.add_argument('--db', choices=('memory', 'file'), default='memory')
    ap.add_argument('--null-tracer', action='store_true')
    args = ap.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix='reactive-bench-')
    charm_dir = os.path.join(tmp, 'charm')
    refcommon.write_charm_dir(charm_dir)
    for k in list(os.environ):
        if k.startswith('JUJU_') or k.startswith('REACTIVE_'):
            del os.environ[k]
    os.environ['CHARM_DIR'] = charm_dir
    os.environ['JUJU_UNIT_NAME'] = 'test/0'
    db_file = os.path.join(tmp, 'unit-state.db')
    os.environ['UNIT_STATE_DB'] = (':memory:' if args.db == 'memory'
                                   else db_file)
    os.environ['JUJU_HOOK_NAME'] = 'install'

    hookenv = refcommon.prepare_charmhelpers(capture_log=False)
    import charms.reactive
    from charms.reactive import bus, trace
    from charmhelpers.core import unitdata

    atstart0 = list(hookenv._atstart)
    atexit0 = list(hookenv._atexit)

    def fresh_callbacks():
        starts = []
        for cb, a, kw in atstart0:
            if cb is trace.install_tracer and a and isinstance(
                    a[0], trace.LogTracer):
                if args.null_tracer:
                    continue
                a = (trace.LogTracer(),)
            starts.append((cb, a, kw))
        hookenv._atstart[:] = starts
        hookenv._atexit[:] = list(atexit0)

    # time bus.dispatch alone too
    dispatch_timer = {'ns': 0}
    real_dispatch = bus.dispatch

    def timed_dispatch(*a, **kw):
        t0 = time.perf_counter_ns()
        try:
            return real_dispatch(*a, **kw)
        finally:
            dispatch_timer['ns'] += time.perf_counter_ns() - t0
    bus.dispatch = timed_dispatch

    def new_store(rows):
        if unitdata._KV is not None:
            unitdata._KV.close()
        if args.db == 'file' and os.path.exists(db_file):
            os.remove(db_file)
        kv = unitdata.Storage(os.environ['UNIT_STATE_DB'])
        kv.cursor.executemany('insert into kv (key, data) values (?, ?)',
                              rows)
        kv.conn.commit()
        unitdata._KV = kv
        return kv

    def dump_rows():
        return list(unitdata._KV.cursor.execute(
            'select key, data from kv order by key').fetchall())

    try:
        for spec_path in args.specs:
            with open(spec_path) as f:
                spec = json.load(f)
            bus.Handler.clear()
            bus.Handler._CONSUMED_FLAGS = set()
            invoked = []
            refcommon.register_handlers(spec, invoked.append)

            def run_hook(i, rows):
                new_store(rows)
                os.environ['JUJU_HOOK_NAME'] = spec['hooks'][i]
                fresh_callbacks()
                refcommon.register_triggers(spec)
                del invoked[:]
                dispatch_timer['ns'] = 0
                t0 = time.perf_counter_ns()
                charms.reactive.main()
                t1 = time.perf_counter_ns()
                return t1 - t0, dispatch_timer['ns']

            # setup pass: starting state of each hook, expected work
            rows = [(refcommon.STATE_PREFIX + fl, 'null')
                    for fl in spec.get('initial_flags', [])]
            starts, expect = [], []
            for i in range(len(spec['hooks'])):
                starts.append(rows)
                run_hook(i, rows)
                rows = dump_rows()
                expect.append((list(invoked), charms.reactive.get_flags()))

            # calibrate: one warm-up pass
            warm = sum(run_hook(i, starts[i])[0]
                       for i in range(len(spec['hooks'])))
            reps = int(args.target_seconds * 1e9 / max(warm, 1))
            reps = max(args.min_reps, min(args.max_reps, reps))

            main_ns = [[] for _ in spec['hooks']]
            disp_ns = [[] for _ in spec['hooks']]
            for _ in range(reps):
                for i in range(len(spec['hooks'])):
                    m, d = run_hook(i, starts[i])
                    got = (list(invoked), charms.reactive.get_flags())
                    if got != expect[i]:
                        raise RuntimeError('%s hook %d: repetition did '
                                           'different work' % (spec_path, i))
                    main_ns[i].append(m)
                    disp_ns[i].append(d)
            per_hook = [statistics.median(x) for x in main_ns]
            per_hook_d = [statistics.median(x) for x in disp_ns]
            out = {
                'spec': os.path.basename(spec_path),
                'hooks': len(spec['hooks']),
                'ns_per_hook': round(statistics.mean(per_hook)),
                'repetitions': reps,
                'dispatch_ns_per_hook': round(statistics.mean(per_hook_d)),
                'per_hook_ns': [round(x) for x in per_hook],
                'invoked_per_hook': [len(e[0]) for e in expect],
                'db': ':memory:' if args.db == 'memory' else 'file',
                'tracer': 'NullTracer' if args.null_tracer else 'LogTracer',
                'fail_at_ignored': bool(spec.get('fail_at')),
            }
            print(json.dumps(out))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
