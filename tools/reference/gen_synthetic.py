#!/usr/bin/env python3
"""Deterministic synthetic benchmark spec: 1,000 handlers over 300 flags.

Usage:
    gen_synthetic.py [--out PATH] [--expected]

Writes the spec (SPEC.md format v1) to PATH (default: stdout).  With
--expected, also runs it through oracle.py (interpreter
$CHARM_REFERENCE_PYTHON or .venv-ref/bin/python unless --python is given) and writes the oracle
output next to it as PATH with the extension .expected.

Shape (all numbers fixed; the handler order is a seeded shuffle):

* 15 chains of 20 flags, `f_CC_DD` (CC chain, DD depth 00..19): 300 flags.
* 285 chain handlers: `when_all f_c_d, when_none f_c_{d+1} -> set f_c_{d+1}`
  (d = 0..18).  Each chain advances one step per dispatch iteration, so a
  full chain run takes ~20 iterations (well under the 100-iteration cap).
* 270 triggers `when_not f_c_d clear f_c_{d+1}` (d = 1..18): clearing a
  chain flag clears the rest of the chain (a DAG, no cycles).
* 35 hook handlers: `install` sets f_c_00 (15), `config-changed` clears
  f_c_01 (15, which cascades through the triggers, then the chains re-run
  from depth 1), `update-status` clears f_c_10 of chains 0..4 (5, a
  partial re-run).
* 680 observers: 1-2 condition lists (when_all / when_any / when_none /
  when_not_all) over 1-2 chain flags each.  Most have no action; some with
  a when_all list re-set one of its flags (a no-op: in the "other" phase
  only chain handlers change flags, and they only set).  Each iteration
  only ~15 flags change, so only a few dozen handlers are re-tested.

hooks: ["install", "config-changed", "update-status"].
"""

import argparse
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gen_specs  # noqa: E402

CHAINS = 15
DEPTH = 20
N_HANDLERS = 1000
SEED = 'gen_synthetic-v1'
HOOKS = ['install', 'config-changed', 'update-status']
PARTIAL_CHAINS = 5
PARTIAL_DEPTH = 10


def flag(c, d):
    return 'f_%02d_%02d' % (c, d)


def generate():
    rng = random.Random(SEED)
    bodies = []   # handler dicts without id

    for c in range(CHAINS):
        for d in range(DEPTH - 1):
            bodies.append({'when_all': [flag(c, d)],
                           'when_none': [flag(c, d + 1)],
                           'actions': [{'set': flag(c, d + 1)}]})
    for c in range(CHAINS):
        bodies.append({'hook': ['install'],
                       'actions': [{'set': flag(c, 0)}]})
        bodies.append({'hook': ['config-changed'],
                       'actions': [{'clear': flag(c, 1)}]})
    for c in range(PARTIAL_CHAINS):
        bodies.append({'hook': ['update-status'],
                       'actions': [{'clear': flag(c, PARTIAL_DEPTH)}]})

    all_flags = [flag(c, d) for c in range(CHAINS) for d in range(DEPTH)]
    kinds = ['when_all', 'when_any', 'when_none', 'when_not_all']
    while len(bodies) < N_HANDLERS:
        nlists = 1 if rng.random() < 0.6 else 2
        chosen = rng.sample(kinds, nlists)
        h = {}
        for k in gen_specs.CONDITION_KEYS:
            if k in chosen:
                h[k] = rng.sample(all_flags, 1 if rng.random() < 0.6 else 2)
        acts = []
        if 'when_all' in h and rng.random() < 0.25:
            acts.append({'set': rng.choice(h['when_all'])})
        h['actions'] = acts
        bodies.append(h)

    rng.shuffle(bodies)
    handlers = []
    for i, body in enumerate(bodies):
        h = {'id': 'h%03d' % i}
        h.update(body)
        handlers.append(h)

    triggers = [{'when_not': flag(c, d), 'clear': flag(c, d + 1)}
                for c in range(CHAINS) for d in range(1, DEPTH - 1)]
    spec = {'handlers': handlers, 'triggers': triggers,
            'initial_flags': [], 'hooks': list(HOOKS)}
    problems = gen_specs.validate_spec(spec)
    if problems:
        raise AssertionError(problems)
    assert len(handlers) == N_HANDLERS
    assert len({f for h in handlers for k in gen_specs.CONDITION_KEYS
                for f in h.get(k, [])} | {f for h in handlers
                                          for a in h['actions']
                                          for f in a.values()}) == 300
    return spec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out')
    ap.add_argument('--expected', action='store_true',
                    help='also write the oracle output (PATH.expected)')
    ap.add_argument('--python', default=None)
    args = ap.parse_args(argv)
    text = gen_specs.format_spec(generate())
    if not args.out:
        sys.stdout.write(text)
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        f.write(text)
    if args.expected:
        venv = os.path.join(HERE, '..', '..', '.venv-ref', 'bin', 'python')
        python = (args.python or os.environ.get('CHARM_REFERENCE_PYTHON')
                  or (venv if os.path.exists(venv) else sys.executable))
        out = subprocess.run(
            [python, os.path.join(HERE, 'oracle.py'), args.out],
            stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
        with open(os.path.splitext(args.out)[0] + '.expected', 'w') as f:
            f.write(out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
