#!/usr/bin/env python3
"""Run a dispatch conformance spec through the real charms.reactive.

Usage: .venv-ref/bin/python tools/reference/oracle.py SPEC.json

Prints one JSON line per hook, as described in the Output section of the
conformance format (docs/conformance.md):

    {"hook": "install", "ok": true, "invoked": ["h00"], "flags": ["a"]}

How a spec is run:

* A temp dir holds the unit-state DB (charmhelpers unitdata, sqlite) and a
  minimal charm dir (metadata.yaml only, no handler files).
* `initial_flags` are written into the DB as `reactive.states.<flag>` = null
  with charmhelpers' Storage.set + flush (no triggers), before any hook.
* Every hook runs in a FRESH Python process (charms.reactive keeps module
  global state), with UNIT_STATE_DB, CHARM_DIR, JUJU_HOOK_NAME and
  JUJU_UNIT_NAME=test/0 set.  That process registers the handlers with the
  real decorators (array order), registers the triggers, then calls the real
  `charms.reactive.main()` (discover, atstart, dispatch, atexit, kv flush).
* `fail_at`: the named handler raises right after its actions the first time
  it runs in that hook; main() re-raises and the kv is never flushed.
* `flags` is read back from the DB after the hook process has exited.

Exit status: 0 ok; 2 oracle/reference error; 3 a hook reached the
100-iteration dispatch cap (the spec is invalid per docs/conformance.md); 4 the spec
fails the static validity rules (skip with --no-validate).
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import refcommon  # noqa: E402

EXIT_ERROR = 2
EXIT_CAP = 3
EXIT_INVALID = 4


# --------------------------------------------------------------------------
# child: one hook, one process


class SpecHandlerFailure(Exception):
    """Raised by a handler named in fail_at."""


def child_main(spec_path, hook_index, result_path):
    hook_index = int(hook_index)
    with open(spec_path) as f:
        spec = json.load(f)
    fail_ids = {fa['handler'] for fa in spec.get('fail_at', [])
                if fa['hook'] == hook_index}

    refcommon.prepare_charmhelpers(capture_log=True)
    import charms.reactive
    from charms.reactive import bus

    invoked = []
    state = {'cap': False, 'failed': False}

    # Cap detection: wrap the tracer seen by bus.dispatch (in-process only).
    # dispatch() calls tracer().start_dispatch_iteration(i, handlers) for
    # each iteration of the "other" phase; the loop is range(100), so the
    # cap is reached when iteration 99 still has handlers to invoke.
    original_tracer = bus.tracer

    class CapWatch(object):
        def __init__(self, inner):
            self._inner = inner

        def __getattr__(self, name):
            return getattr(self._inner, name)

        def start_dispatch_iteration(self, iteration, handlers):
            if iteration >= 99 and handlers:
                state['cap'] = True
            return self._inner.start_dispatch_iteration(iteration, handlers)

    bus.tracer = lambda: CapWatch(original_tracer())

    def on_invoke(hid):
        invoked.append(hid)

    def after_actions(hid):
        if hid in fail_ids and not state['failed']:
            state['failed'] = True
            raise SpecHandlerFailure('fail_at: handler %s in hook %d'
                                     % (hid, hook_index))

    refcommon.register_handlers(spec, on_invoke, after_actions)
    refcommon.register_triggers(spec)

    ok = True
    error = None
    try:
        charms.reactive.main()
    except SpecHandlerFailure:
        # main() logged and re-raised; the kv was not flushed, exactly like
        # a crashing hook.  The process exits without committing.
        ok = False
    except Exception as e:  # a genuine error: report it
        import traceback
        error = traceback.format_exc()
        ok = False
        del e

    with open(result_path, 'w') as f:
        json.dump({'ok': ok, 'invoked': invoked, 'cap': state['cap'],
                   'error': error,
                   'log': [[lvl, msg] for lvl, msg in refcommon.LOG]}, f)
    # Do not run any cleanup that could flush the kv.
    sys.stdout.flush()
    os._exit(0)


# --------------------------------------------------------------------------
# parent


def read_flags(db_path):
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute('select key from kv').fetchall()
    finally:
        conn.close()
    p = refcommon.STATE_PREFIX
    return sorted(k[len(p):] for (k,) in rows if k.startswith(p))


def write_initial_flags(db_path, flags):
    from charmhelpers.core.unitdata import Storage
    kv = Storage(db_path)
    for flag in flags:
        kv.set(refcommon.STATE_PREFIX + flag, None)
    kv.flush()
    kv.close()


def run_spec(spec_path, python=None, keep_tmp=False, show_log=False):
    """Returns (exit_code, output_lines, message)."""
    python = python or sys.executable
    with open(spec_path) as f:
        spec = json.load(f)
    tmp = tempfile.mkdtemp(prefix='reactive-oracle-')
    try:
        db_path = os.path.join(tmp, 'unit-state.db')
        charm_dir = os.path.join(tmp, 'charm')
        refcommon.write_charm_dir(charm_dir)
        write_initial_flags(db_path, spec.get('initial_flags', []))
        lines = []
        for i, hook_name in enumerate(spec['hooks']):
            result_path = os.path.join(tmp, 'result-%d.json' % i)
            env = refcommon.clean_env()
            env.update({
                'UNIT_STATE_DB': db_path,
                'CHARM_DIR': charm_dir,
                'JUJU_HOOK_NAME': hook_name,
                'JUJU_UNIT_NAME': 'test/0',
                'PYTHONHASHSEED': env.get('PYTHONHASHSEED', '0'),
                'PYTHONDONTWRITEBYTECODE': '1',
            })
            proc = subprocess.run(
                [python, os.path.abspath(__file__), '--child',
                 os.path.abspath(spec_path), str(i), result_path],
                env=env, cwd=charm_dir, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, universal_newlines=True)
            if proc.returncode != 0 or not os.path.exists(result_path):
                return EXIT_ERROR, lines, (
                    'hook %d (%s): child process failed (status %d)\n%s%s'
                    % (i, hook_name, proc.returncode, proc.stdout,
                       proc.stderr))
            with open(result_path) as f:
                result = json.load(f)
            if show_log:
                for lvl, msg in result['log']:
                    sys.stderr.write('[hook %d %s] %s: %s\n'
                                     % (i, hook_name, lvl, msg))
            if result['error']:
                return EXIT_ERROR, lines, (
                    'hook %d (%s): reference raised an unexpected error:\n%s'
                    % (i, hook_name, result['error']))
            if result['cap']:
                return EXIT_CAP, lines, (
                    'hook %d (%s): dispatch reached the 100-iteration cap '
                    '(iteration 99 still had handlers to invoke); the spec '
                    'is invalid per docs/conformance.md' % (i, hook_name))
            lines.append(json.dumps({
                'hook': hook_name,
                'ok': result['ok'],
                'invoked': result['invoked'],
                'flags': read_flags(db_path),
            }))
        return 0, lines, None
    finally:
        if keep_tmp:
            sys.stderr.write('kept temp dir %s\n' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == '--child':
        return child_main(*argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('spec')
    ap.add_argument('--no-validate', action='store_true',
                    help='skip the static docs/conformance.md validity checks')
    ap.add_argument('--keep-tmp', action='store_true',
                    help='keep the temp dir (DB, results) for inspection')
    ap.add_argument('--log', action='store_true',
                    help='print the captured hookenv.log messages on stderr')
    args = ap.parse_args(argv)

    if not args.no_validate:
        import gen_specs
        with open(args.spec) as f:
            problems = gen_specs.validate_spec(json.load(f))
        if problems:
            refcommon.die('invalid spec %s:\n  %s'
                          % (args.spec, '\n  '.join(problems)), EXIT_INVALID)

    code, lines, msg = run_spec(args.spec, keep_tmp=args.keep_tmp,
                                show_log=args.log)
    if code == 0:
        for line in lines:
            print(line)
        return 0
    refcommon.die('%s: %s' % (args.spec, msg), code)


if __name__ == '__main__':
    sys.exit(main())
