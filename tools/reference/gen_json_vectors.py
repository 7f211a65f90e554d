#!/usr/bin/env python3
"""Test vectors for Python's json.dumps, as used by charms.reactive.

Usage:
    python3 tools/reference/gen_json_vectors.py OUT.jsonl

One line per value:

    {"value": V, "dumps": json.dumps(V, sort_keys=True),
     "md5": md5(dumps.encode("utf-8")).hexdigest(),
     "dumps_default": json.dumps(V)}

`dumps` is what charms.reactive hashes in data_changed() /
is_data_changed(); `dumps_default` is what charmhelpers' unitdata stores in
the kv table (insertion key order, ensure_ascii=True, ", " and ": "
separators).  Each line is itself written with json.dumps (so it is ASCII
and "value" keeps the insertion order of dict keys).

Only values that round-trip through JSON are used: no NaN/Infinity, and
integers stay within the 64-bit range (-2**63 .. 2**64-1) so that a Rust
JSON reader without arbitrary precision parses them exactly.
"""

import hashlib
import json
import sys

VALUES = [
    # scalars
    None, True, False,
    0, 1, -1, 42, -42, 255, 65536, 2**31 - 1, -2**31, 2**32,
    2**53, 2**53 + 1, 2**63 - 1, -2**63, 2**64 - 1, 10**18, -10**18,
    0.0, -0.0, 0.1, 0.2, 0.30000000000000004, 1.0, -1.0, 2.5, 100.0,
    3.141592653589793, 1 / 3, 2 / 3, 1e15, 9999999999999998.0, 1e16,
    1.5e16, 1e17, 123456789012345680.0, 1e21, 1e22, 1e100, 1e300,
    1.7976931348623157e308, 0.001, 0.0001, 1e-05, 1.5e-7, 0.000123,
    1e-7, 1e-300, 5e-324, 2.2250738585072014e-308, -1e-05, -1e16,
    4.35, 0.1 + 0.7, 1234.5678, 2 ** 53 * 1.0, 2.0 ** 64,
    # strings
    '', 'value', 'simple string', 'with space', '0', 'null', 'true',
    'é', 'café', 'naïve', 'Zürich', 'ñ', '中文', '日本語テキスト',
    '😀', 'a😀b', '𝄞 music', '👍🏽', '🏳️‍🌈',
    '\u00ff', '\u0100', '\u07ff', '\u0800', '\uffff', '\ue000', '\ufeff',
    '\U00010000', '\U0010ffff',
    '\x00', '\x01', '\x07', '\x08', '\t', '\n', '\x0b', '\x0c', '\r',
    '\x1b', '\x1f', ' ', '\x7f', '\x80', '\x9f', '\xa0',
    'line1\nline2\r\nline3', 'tab\tseparated',
    '"', "'", '\\', '\\\\', '"quoted"', 'back\\slash', 'C:\\path\\to',
    '/', 'a/b/c', 'http://example.com/x?y=1&z=2', '</script>',
    '\u2028', '\u2029', 'a\u2028b\u2029c', '\u200b', '\u00ad',
    '{"not": "json"}', '[1, 2]',
    # lists
    [], [[]], [{}], [1, 2, 3], ['a', 1, 1.5, True, None, False],
    [[1, [2, [3, [4]]]]], ['é', '中文', '😀'], [0.1, 1e16, 1e-05, -0.0],
    [None], [True, False], ['\n', '\u2028', '/'],
    # dicts
    {}, {'a': 1}, {'b': 1, 'a': 2}, {'z': 0, 'y': 1, 'x': 2, 'a': 3},
    {'B': 1, 'a': 2, 'A': 3, 'b': 4, '_': 5, '1': 6, '10': 7, '9': 8,
     '': 9, ' ': 10},
    {'é': 1, 'e': 2, 'f': 3, 'z': 4, '中': 5, '😀': 6, '\uff01': 7,
     '\ue000': 8, '\x7f': 9, '~': 10},
    {'key with space': 'v', 'key"quote': 'v', 'key\\backslash': 'v',
     'key\nnewline': 'v', 'key/slash': 'v', 'key\u2028ls': 'v'},
    {'nested': {'b': {'d': 1, 'c': [3, 2, 1]}, 'a': None},
     'list': [{'y': 1, 'x': 2}, {'b': [], 'a': {}}], 'flag': True},
    {'resources': {'res_vip': 'ocf:heartbeat:IPaddr2',
                   'res_haproxy': 'lsb:haproxy'},
     'resource_params': {'res_vip': 'params ip="10.0.0.10"'},
     'clones': {'cl_haproxy': 'res_haproxy'}},
    {'numbers': [1, -1, 0.5, 1e16, 1e-05, 2**63 - 1, -2**63],
     'unicode': 'Zürich café – 中文 – 😀',
     'empty': {'list': [], 'dict': {}, 'str': ''},
     'bools': [True, False, None]},
    {'a': {'a': {'a': {'a': {'a': {}}}}}},
    {'z': [{'z': 1, 'a': 2}], 'a': [{'z': 3, 'a': 4}]},
]


def vector(value):
    dumps = json.dumps(value, sort_keys=True)
    return {'value': value, 'dumps': dumps,
            'md5': hashlib.md5(dumps.encode('utf-8')).hexdigest(),
            'dumps_default': json.dumps(value)}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    lines = []
    for value in VALUES:
        line = json.dumps(vector(value))
        # every line must read back to the same value
        back = json.loads(line)
        assert json.dumps(back['value'], sort_keys=True) == back['dumps']
        assert json.dumps(back['value']) == back['dumps_default']
        lines.append(line)
    with open(argv[0], 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
