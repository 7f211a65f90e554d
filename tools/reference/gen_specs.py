#!/usr/bin/env python3
"""Seeded random generator of VALID dispatch conformance specs (SPEC.md v1).

Pure Python: does not import charms.reactive.  The one dynamic validity rule
(a hook must not reach the 100-iteration dispatch cap) cannot be checked
here; build_corpus.py runs every candidate through oracle.py and drops the
ones that hit the cap.

Usage:
    gen_specs.py --seed N --count K [--start I] [--out DIR]

Without --out, prints one compact spec JSON per line (candidate I .. I+K-1).
With --out, writes DIR/candidate-NNNN.json.  Candidate i of seed N depends
only on (N, i): random.Random('gen_specs-v1:N:i').

Also provides validate_spec(spec) -> list of problems (empty when the spec
satisfies the static SPEC.md validity rules), used by oracle.py.
"""

import argparse
import json
import os
import random
import sys

GENERATOR_VERSION = 'gen_specs-v1'

CONDITION_KEYS = ('when_all', 'when_any', 'when_none', 'when_not_all')
HANDLER_KEYS = ('id', 'hook') + CONDITION_KEYS + ('only_once', 'actions')
TOP_KEYS = ('handlers', 'triggers', 'initial_flags', 'hooks', 'fail_at')

# Ordinary hooks used by the generator.
HOOK_POOL = [
    'install', 'start', 'config-changed', 'update-status', 'leader-elected',
    'leader-settings-changed', 'upgrade-charm', 'stop',
    'cluster-relation-joined', 'cluster-relation-changed',
    'db-relation-joined', 'db-relation-changed',
]
# Hooks excluded by SPEC.md (restricted dispatch, or hooks for which
# charms.reactive manages a flag itself).
FORBIDDEN_HOOKS = {'collect-metrics', 'meter-status-changed',
                   'pre-series-upgrade', 'post-series-upgrade'}

WORD_FLAGS = [
    'installed', 'configured', 'started', 'ready', 'leader', 'blocked',
    'db.connected', 'db.available', 'cluster.joined', 'cluster.ready',
    'config.changed', 'upgraded', 'stopped', 'app.running', 'tls.ready',
    'endpoint.db.joined', 'endpoint.db.changed', 'ha.configured',
    'leadership.is_leader', 'apt.installed.pkg', 'restart.needed',
    'service.enabled', 'storage.attached', 'backup.done',
]


# --------------------------------------------------------------------------
# validity


def trigger_graph(triggers):
    """Flag-level trigger graph: source flag -> set of target flags.

    `when X set/clear Y` and `when_not X set/clear Y` both give X -> Y.
    """
    g = {}
    for t in triggers:
        src = t.get('when', t.get('when_not'))
        dst = t.get('set', t.get('clear'))
        g.setdefault(src, set()).add(dst)
    return g


def _reachable(g, start, goal):
    seen = set()
    stack = [start]
    while stack:
        n = stack.pop()
        if n == goal:
            return True
        if n in seen:
            continue
        seen.add(n)
        stack.extend(g.get(n, ()))
    return False


def has_trigger_cycle(triggers):
    """True if the flag-level trigger graph has a cycle (or a self loop).

    This is deliberately conservative.  A trigger only fires on a real
    change, so some cycles (e.g. `when a set b` + `when b set a`) terminate
    in charms.reactive; but mixed set/clear cycles (`when a clear a` plus
    `when_not a set a`) recurse without end, and an acyclic graph bounds the
    cascade depth by construction, so we reject every cycle.
    """
    g = trigger_graph(triggers)
    color = {}

    def visit(n):
        color[n] = 1
        for m in g.get(n, ()):
            c = color.get(m, 0)
            if c == 1:
                return True
            if c == 0 and visit(m):
                return True
        color[n] = 2
        return False

    return any(color.get(n, 0) == 0 and visit(n) for n in list(g))


def _is_str_list(v, allow_empty=False):
    return (isinstance(v, list) and (allow_empty or v)
            and all(isinstance(x, str) and x for x in v))


def validate_spec(spec):
    """Static validity rules of SPEC.md.  Returns a list of problems."""
    p = []
    if not isinstance(spec, dict):
        return ['spec is not an object']
    for k in spec:
        if k not in TOP_KEYS:
            p.append('unknown top-level key %r' % k)
    handlers = spec.get('handlers')
    if not isinstance(handlers, list):
        return p + ['handlers must be a list']
    hooks = spec.get('hooks')
    if not _is_str_list(hooks, allow_empty=True):
        p.append('hooks must be a list of hook names')
        hooks = []
    for h in hooks:
        if h in FORBIDDEN_HOOKS:
            p.append('hook %r is not an ordinary hook' % h)
        if h.endswith('-relation-departed'):
            # charms.reactive's RelationBase._startup needs real relation
            # context in -departed hooks; the oracle provides none.
            p.append('hook %r: -relation-departed hooks are not supported '
                     'by the oracle' % h)
        if '{' in h or '}' in h:
            p.append('hook %r: braces are pattern syntax in @hook' % h)
    ids = []
    for i, h in enumerate(handlers):
        where = 'handler #%d' % i
        if not isinstance(h, dict):
            p.append('%s is not an object' % where)
            continue
        hid = h.get('id')
        if not isinstance(hid, str) or not hid:
            p.append('%s: id must be a non-empty string' % where)
        else:
            where = 'handler %s' % hid
        ids.append(hid)
        for k in h:
            if k not in HANDLER_KEYS:
                p.append('%s: unknown key %r' % (where, k))
        lists = [k for k in ('hook',) + CONDITION_KEYS if k in h]
        for k in lists:
            if not _is_str_list(h[k]):
                p.append('%s: %s must be a non-empty list of strings'
                         % (where, k))
        if not lists:
            p.append('%s: no condition (hook or when*)' % where)
        if 'hook' in h and any(k in h for k in CONDITION_KEYS):
            p.append('%s: hook combined with when* can never run' % where)
        for name in h.get('hook', []) or []:
            if name in FORBIDDEN_HOOKS:
                p.append('%s: hook %r is not an ordinary hook' % (where, name))
            if isinstance(name, str) and ('{' in name or '}' in name):
                p.append('%s: hook %r uses pattern syntax' % (where, name))
        if 'only_once' in h and not isinstance(h['only_once'], bool):
            p.append('%s: only_once must be a boolean' % where)
        acts = h.get('actions')
        if not isinstance(acts, list):
            p.append('%s: actions must be a list' % where)
            acts = []
        for a in acts:
            if not (isinstance(a, dict) and len(a) == 1
                    and list(a)[0] in ('set', 'clear')
                    and isinstance(list(a.values())[0], str)
                    and list(a.values())[0]):
                p.append('%s: bad action %r' % (where, a))
    if len(set(ids)) != len(ids):
        p.append('duplicate handler ids')
    triggers = spec.get('triggers', [])
    good_triggers = []
    if not isinstance(triggers, list):
        p.append('triggers must be a list')
        triggers = []
    for t in triggers:
        ok = (isinstance(t, dict)
              and len([k for k in ('when', 'when_not') if k in t]) == 1
              and len([k for k in ('set', 'clear') if k in t]) == 1
              and len(t) == 2
              and all(isinstance(v, str) and v for v in t.values()))
        if not ok:
            p.append('bad trigger %r' % (t,))
        else:
            good_triggers.append(t)
    if has_trigger_cycle(good_triggers):
        p.append('trigger cycle')
    if not _is_str_list(spec.get('initial_flags', []), allow_empty=True):
        p.append('initial_flags must be a list of flag names')
    fail_at = spec.get('fail_at', [])
    if not isinstance(fail_at, list):
        p.append('fail_at must be a list')
        fail_at = []
    for fa in fail_at:
        if not (isinstance(fa, dict) and set(fa) == {'hook', 'handler'}
                and isinstance(fa['hook'], int)
                and not isinstance(fa['hook'], bool)
                and 0 <= fa['hook'] < len(hooks)
                and fa['handler'] in ids):
            p.append('bad fail_at entry %r' % (fa,))
    return p


# --------------------------------------------------------------------------
# generation


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


def _flag_universe(rng, n):
    style = _weighted(rng, [('letters', 0.55), ('words', 0.3),
                            ('dotted', 0.15)])
    if style == 'words' and n <= len(WORD_FLAGS):
        return rng.sample(WORD_FLAGS, n)
    if style == 'dotted':
        prefix = rng.choice(['app', 'charm', 'db', 'x'])
        return ['%s.f%d' % (prefix, i) for i in range(n)]
    letters = 'abcdefghijklmnopqrstuvwxyz'
    if n <= 26:
        return list(letters[:n])
    return list(letters) + ['f%d' % i for i in range(26, n)]


def _hook_sequence(rng):
    n = rng.randint(3, 8)
    seq = []
    if rng.random() < 0.7:
        seq.append('install')
        if rng.random() < 0.6:
            seq.append(rng.choice(['config-changed', 'leader-elected',
                                   'start']))
    while len(seq) < n:
        r = rng.random()
        if r < 0.15 and seq:
            seq.append(rng.choice(seq))        # repeat an earlier hook
        elif r < 0.35:
            seq.append('update-status')
        else:
            seq.append(rng.choice(HOOK_POOL))
    return seq[:n]


def _pick_flags(rng, universe, k):
    k = min(k, len(universe))
    return rng.sample(universe, k)


def _gen_actions(rng, universe, watched, when_none, chaos, self_p=0.15):
    """Actions of one handler.

    The universe is ordered; most actions move "forward" (a flag ranked
    after every watched flag), like real charms progressing through states.
    With probability `chaos` an action touches any flag, and some actions
    touch the handler's own watched flags (self set/clear).  Without this
    structure big specs nearly always oscillate until the dispatch cap.
    """
    n = _weighted(rng, [(0, 0.08), (1, 0.45), (2, 0.3), (3, 0.12), (4, 0.05)])
    rank = {f: i for i, f in enumerate(universe)}
    top = max([rank[f] for f in watched], default=-1)
    forward = universe[top + 1:]
    acts = []
    for _ in range(n):
        r = rng.random()
        if watched and r < self_p:
            flag = rng.choice(watched)          # touch a watched flag
        elif r < self_p + chaos or not forward:
            flag = rng.choice(universe)
        else:
            flag = rng.choice(forward)
        op = 'set' if rng.random() < 0.6 else 'clear'
        other = {'clear' if op == 'set' else 'set': flag}
        if other in acts:
            # Set and clear of one flag in one handler is a change every
            # time it runs: a watcher of that flag (often the handler
            # itself) runs again in the next iteration, and so on until the
            # cap.  Keep a few of these, mostly on unwatched flags.
            if rng.random() < (0.85 if flag in watched else 0.5):
                continue
        acts.append({op: flag})
    # Common charm idiom: a when_not guard flag set by the handler itself.
    # It also keeps most specs away from the dispatch cap.
    if when_none and rng.random() < 0.6:
        g = rng.choice(when_none)
        if acts[-1:] != [{'set': g}]:
            acts.append({'set': g})
    return acts


def _gen_flag_handler(rng, hid, universe, chaos, self_p):
    nlists = _weighted(rng, [(1, 0.55), (2, 0.33), (3, 0.09), (4, 0.03)])
    kinds = []
    weights = [('when_all', 0.4), ('when_none', 0.3), ('when_any', 0.15),
               ('when_not_all', 0.15)]
    while len(kinds) < nlists:
        k = _weighted(rng, weights)
        if k not in kinds:
            kinds.append(k)
    h = {'id': hid}
    for k in CONDITION_KEYS:       # canonical key order
        if k in kinds:
            size = _weighted(rng, [(1, 0.55), (2, 0.33), (3, 0.12)])
            h[k] = _pick_flags(rng, universe, size)
    r = rng.random()
    if r < 0.12:
        h['only_once'] = True
    elif r < 0.16:
        h['only_once'] = False
    watched = sorted({f for k in CONDITION_KEYS for f in h.get(k, [])})
    h['actions'] = _gen_actions(rng, universe, watched, h.get('when_none'),
                                chaos, self_p)
    return h


def _gen_hook_handler(rng, hid, universe, hooks):
    n = _weighted(rng, [(1, 0.55), (2, 0.3), (3, 0.15)])
    names = []
    while len(names) < n:
        if rng.random() < 0.8:
            name = rng.choice(hooks)
        else:
            name = rng.choice(HOOK_POOL)
        if name not in names:
            names.append(name)
    h = {'id': hid, 'hook': names}
    r = rng.random()
    if r < 0.2:
        h['only_once'] = True
    elif r < 0.24:
        h['only_once'] = False
    acts = _gen_actions(rng, universe, [], None, 1.0)
    if not acts:
        acts = [{'set': rng.choice(universe)}]
    h['actions'] = acts
    return h


def _gen_triggers(rng, universe, n, chaos):
    triggers = []
    attempts = 0
    while len(triggers) < n and attempts < 20 * n + 20:
        attempts += 1
        r = rng.random()
        if triggers and r < 0.1:
            t = dict(rng.choice(triggers))      # exact duplicate
        elif triggers and r < 0.3:
            # same source, opposite operation: registration order vs the
            # reference's "all sets before all clears"
            base = rng.choice(triggers)
            src_key = 'when' if 'when' in base else 'when_not'
            op = 'clear' if 'set' in base else 'set'
            t = {src_key: base[src_key], op: rng.choice(universe)}
        else:
            src_key = 'when' if rng.random() < 0.6 else 'when_not'
            op = 'set' if rng.random() < 0.55 else 'clear'
            src, dst = rng.sample(universe, 2)
            if rng.random() >= chaos and universe.index(src) > universe.index(
                    dst):
                src, dst = dst, src     # mostly "forward", like actions
            t = {src_key: src, op: dst}
        if has_trigger_cycle(triggers + [t]):
            continue
        triggers.append(t)
    return triggers


def generate(seed, index):
    rng = random.Random('%s:%d:%d' % (GENERATOR_VERSION, seed, index))
    size_class = _weighted(rng, [('small', 0.4), ('medium', 0.35),
                                 ('large', 0.25)])
    if size_class == 'small':
        n_handlers = rng.randint(2, 8)
        n_flags = rng.randint(2, 5)
        chaos, self_p = 0.5, 0.15
    elif size_class == 'medium':
        n_handlers = rng.randint(9, 24)
        n_flags = rng.randint(4, 10)
        chaos, self_p = 0.12, 0.12
    else:
        n_handlers = rng.randint(25, 60)
        n_flags = rng.randint(8, 20)
        chaos, self_p = 0.04, 0.07
    universe = _flag_universe(rng, n_flags)
    hooks = _hook_sequence(rng)

    hook_share = rng.uniform(0.1, 0.35)
    handlers = []
    for i in range(n_handlers):
        hid = 'h%02d' % i
        if rng.random() < hook_share:
            handlers.append(_gen_hook_handler(rng, hid, universe, hooks))
        else:
            handlers.append(_gen_flag_handler(rng, hid, universe, chaos,
                                               self_p))
    # Make sure something can start the dispatch in most specs.
    if not any('hook' in h for h in handlers) and rng.random() < 0.8:
        i = rng.randrange(n_handlers)
        handlers[i] = _gen_hook_handler(rng, handlers[i]['id'], universe,
                                        hooks)

    n_triggers = 0 if rng.random() < 0.3 else rng.randint(
        1, max(1, min(8, n_flags)))
    triggers = _gen_triggers(rng, universe, n_triggers, chaos)

    initial = []
    if rng.random() < 0.4:
        initial = _pick_flags(rng, universe, rng.randint(1, 3))

    spec = {'handlers': handlers, 'triggers': triggers,
            'initial_flags': initial, 'hooks': hooks}

    if rng.random() < 0.4:
        fail_at = []
        n_fail = 1 if rng.random() < 0.8 else 2
        for _ in range(n_fail):
            hi = rng.randrange(len(hooks))
            hook_name = hooks[hi]
            by_hook = [h['id'] for h in handlers
                       if hook_name in h.get('hook', [])]
            once = [h['id'] for h in handlers if h.get('only_once')]
            r = rng.random()
            if by_hook and r < 0.6:
                hid = rng.choice(by_hook)
            elif once and r < 0.8:
                hid = rng.choice(once)
            else:
                hid = rng.choice(handlers)['id']
            entry = {'hook': hi, 'handler': hid}
            # occasionally two entries for the same hook; never duplicates
            if entry not in fail_at and (
                    all(fa['hook'] != hi for fa in fail_at)
                    or rng.random() < 0.3):
                fail_at.append(entry)
        fail_at.sort(key=lambda fa: fa['hook'])
        spec['fail_at'] = fail_at

    problems = validate_spec(spec)
    if problems:   # a generator bug
        raise AssertionError('generated an invalid spec (%d:%d): %s'
                             % (seed, index, problems))
    return spec


def format_spec(spec):
    """Readable, diff-friendly JSON: one handler / trigger per line."""
    out = ['{']
    keys = [k for k in TOP_KEYS if k in spec]
    for n, k in enumerate(keys):
        v = spec[k]
        comma = ',' if n < len(keys) - 1 else ''
        if isinstance(v, list) and v and isinstance(v[0], dict):
            out.append('  %s: [' % json.dumps(k))
            for m, item in enumerate(v):
                out.append('    %s%s' % (json.dumps(item),
                                         ',' if m < len(v) - 1 else ''))
            out.append('  ]%s' % comma)
        else:
            out.append('  %s: %s%s' % (json.dumps(k), json.dumps(v), comma))
    out.append('}')
    return '\n'.join(out) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--count', type=int, required=True)
    ap.add_argument('--start', type=int, default=0)
    ap.add_argument('--out', help='write DIR/candidate-NNNN.json files')
    args = ap.parse_args(argv)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    for i in range(args.start, args.start + args.count):
        spec = generate(args.seed, i)
        if args.out:
            with open(os.path.join(args.out, 'candidate-%04d.json' % i),
                      'w') as f:
                f.write(format_spec(spec))
        else:
            sys.stdout.write(json.dumps(spec) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
