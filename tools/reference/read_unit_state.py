#!/usr/bin/env python3
"""Read a unit-state DB back with the real charms.reactive / charmhelpers.

Usage:
    .venv-ref/bin/python tools/reference/read_unit_state.py DB \
        [--check FILE]

Prints one JSON object (compact, Python default separators):

    {"flags": get_flags(),
     "flag_values": get_states(),
     "kv": {key: value for every kv row whose key does not start with
            "reactive."},
     "data_changed": {key: is_data_changed(key, value) for each pair in
                      FILE}}

FILE (optional) is JSON: either an object {key: value, ...}, or a list of
[key, value] pairs, or a list of {"key": ..., "value": ...} objects.  The
check is non-destructive (is_data_changed does not update the stored hash)
and nothing is ever committed to DB.

The DB must exist (it is not created).  Opening it goes through
charmhelpers' Storage(DB), which (like in any charm) chmods the file to 0600
and runs `create table if not exists` for kv, kv_revisions and hooks.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import refcommon  # noqa: E402


def load_checks(path):
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, dict):
        return list(data.items())
    pairs = []
    for item in data:
        if isinstance(item, dict):
            pairs.append((item['key'], item['value']))
        else:
            key, value = item
            pairs.append((key, value))
    return pairs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('db')
    ap.add_argument('--check', help='JSON file of data_changed key/values')
    args = ap.parse_args(argv)
    if not os.path.isfile(args.db):
        refcommon.die('no such DB: %s' % args.db)
    checks = load_checks(args.check) if args.check else []

    os.environ['UNIT_STATE_DB'] = os.path.abspath(args.db)
    refcommon.prepare_charmhelpers(capture_log=True)
    from charmhelpers.core import unitdata
    from charms.reactive import get_flags, get_states, is_data_changed

    kv = unitdata.Storage(os.path.abspath(args.db))
    unitdata._KV = kv
    try:
        result = {
            'flags': get_flags(),
            'flag_values': dict(sorted(get_states().items())),
            'kv': {k: v for k, v in sorted(kv.getrange('').items())
                   if not k.startswith('reactive.')},
            'data_changed': {k: is_data_changed(k, v) for k, v in checks},
        }
    finally:
        kv.flush(False)   # roll back; never commit anything
        kv.close()
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
