#!/usr/bin/env python3
"""Write a golden unit-state DB with the real charms.reactive / charmhelpers.

Usage:
    .venv-ref/bin/python tools/reference/write_unit_state.py OUT.db \
        [--json OUT.json]

OUT.db is removed first.  One `install` hook is run through the real
`charms.reactive.main()` (UNIT_STATE_DB=OUT.db); its only handler, a
`@hook('install')` handler, does:

    set_flag('apache.installed')
    set_flag('ha.connected')
    set_flag('config.changed.vip')
    set_flag('with.value', {'a': 1})
    set_flag('to.clear'); clear_flag('to.clear')
    data_changed('ha.resources', HA_RESOURCES)
    data_changed('simple', 'value')
    unitdata.kv().set('charm.custom', CHARM_CUSTOM)
    mark_invoked('my-handler')

then main() runs the atexit callbacks and flushes (commits) the kv.  So the
DB also holds what charms.reactive itself leaves behind after a hook
(reactive.dispatch.phase, reactive.dispatch.removed_state).

With --json, writes a description of exactly what was written (expected
flags and values, data_changed keys with the values passed and their md5,
kv keys and values, and every raw kv row as stored) for a Rust test.
"""

import argparse
import collections
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import refcommon  # noqa: E402

# Nested, with keys deliberately not sorted, unicode (incl. a non-BMP
# character), floats, lists, bools and null.
HA_RESOURCES = collections.OrderedDict([
    ('resources', collections.OrderedDict([
        ('res_vip', 'ocf:heartbeat:IPaddr2'),
        ('res_haproxy', 'lsb:haproxy'),
    ])),
    ('resource_params', collections.OrderedDict([
        ('res_vip', 'params ip="10.0.0.10" cidr_netmask="24" nic="eth0"'),
        ('res_haproxy', 'op monitor interval="5s"'),
    ])),
    ('clones', {'cl_haproxy': 'res_haproxy'}),
    ('weights', [1, 0.5, 2.25, -3, 1e-05, 1e16, 123456789012345680.0]),
    ('enabled', True),
    ('disabled', False),
    ('none', None),
    ('empty_list', []),
    ('empty_dict', {}),
    ('name', 'Zürich café – 中文 – 😀'),
    ('escapes', 'quote " backslash \\ slash / tab \t newline \n \u2028'),
    ('Upper', 1),
    ('_under', 2),
    ('10', 'numeric-looking key'),
])

CHARM_CUSTOM = collections.OrderedDict([
    ('port', 8080),
    ('hosts', ['a.example.com', 'b.example.com']),
    ('ratio', 0.1),
    ('tls', {'enabled': False, 'cert': None}),
    ('label', 'naïve'),
])

FLAG_VALUES = collections.OrderedDict([
    ('apache.installed', None),
    ('ha.connected', None),
    ('config.changed.vip', None),
    ('with.value', {'a': 1}),
])
CLEARED = ['to.clear']
DATA_CHANGED = [('ha.resources', HA_RESOURCES), ('simple', 'value')]
KV = [('charm.custom', CHARM_CUSTOM)]
INVOKED = ['my-handler']


def write(db_path):
    if os.path.exists(db_path):
        os.remove(db_path)
    tmp = tempfile.mkdtemp(prefix='unit-state-')
    try:
        charm_dir = os.path.join(tmp, 'charm')
        refcommon.write_charm_dir(charm_dir)
        for k in list(os.environ):
            if k.startswith('JUJU_') or k.startswith('REACTIVE_'):
                del os.environ[k]
        os.environ.update({'UNIT_STATE_DB': os.path.abspath(db_path),
                           'CHARM_DIR': charm_dir,
                           'JUJU_HOOK_NAME': 'install',
                           'JUJU_UNIT_NAME': 'test/0'})
        refcommon.prepare_charmhelpers(capture_log=True)
        import charms.reactive
        from charms.reactive import hook, set_flag, clear_flag
        from charms.reactive.helpers import data_changed, mark_invoked
        from charmhelpers.core import unitdata

        results = {}

        def write_state():
            for flag, value in FLAG_VALUES.items():
                if value is None:
                    set_flag(flag)
                else:
                    set_flag(flag, value)
            for flag in CLEARED:
                set_flag(flag)
                clear_flag(flag)
            for key, value in DATA_CHANGED:
                results[key] = data_changed(key, value)
            for key, value in KV:
                unitdata.kv().set(key, value)
            for name in INVOKED:
                mark_invoked(name)
        write_state._action_id = write_state._short_action_id = 'write-state'
        hook('install')(write_state)

        charms.reactive.main()
        if results != {k: True for k, _ in DATA_CHANGED}:
            raise RuntimeError('data_changed did not report a change: %r'
                               % results)
        unitdata.kv().close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def describe(db_path):
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute('select key, data from kv order by key').fetchall()
        tables = {t: conn.execute('select count(*) from %s' % t).fetchone()[0]
                  for t in ('kv', 'kv_revisions', 'hooks')}
        schema = [r[0] for r in conn.execute(
            "select sql from sqlite_master where type='table' "
            "order by name")]
    finally:
        conn.close()
    dc = []
    for key, value in DATA_CHANGED:
        dumps = json.dumps(value, sort_keys=True)
        dc.append({'key': key,
                   'kv_key': 'reactive.data_changed.%s' % key,
                   'value': value,
                   'dumps_sort_keys': dumps,
                   'md5': hashlib.md5(dumps.encode('utf8')).hexdigest()})
    return collections.OrderedDict([
        ('description', 'Golden unit-state DB written by charms.reactive '
         '1.5.3 / charmhelpers 1.2.1 (tools/reference/write_unit_state.py): '
         'one install hook run through charms.reactive.main().'),
        ('flags', sorted(FLAG_VALUES)),
        ('flag_values', FLAG_VALUES),
        ('flags_not_set', CLEARED),
        ('data_changed', dc),
        ('kv', collections.OrderedDict(KV)),
        ('invoked', INVOKED),
        ('invoked_kv_keys', ['reactive.invoked.%s' % n for n in INVOKED]),
        ('table_rows', tables),
        ('schema', schema),
        ('kv_rows', collections.OrderedDict(rows)),
    ])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('db')
    ap.add_argument('--json', help='write the description here')
    args = ap.parse_args(argv)
    write(args.db)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(describe(args.db), f, indent=2)
            f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
