#!/usr/bin/env python3
"""Write the fuzz targets' seed corpora (fuzz/corpus/<target>/seed-*) from
the repository's own files: the examples' metadata/config/actions YAML,
the scenarios, the conformance specs, the interfaces' golden relation
data. Run from the repository root; existing seeds are kept (the file
name is a hash of the content), so it only adds.
"""
import glob
import hashlib
import json
import os

ROOT = "fuzz/corpus"


def save(target, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def charm_yaml():
    files = glob.glob("examples/*/*.yaml") + glob.glob(
        "charm-runtime/tests/fixtures/**/*.yaml", recursive=True
    )
    for f in files:
        if os.path.isfile(f):
            save("charm_yaml", read(f))


def config_values():
    # <config.yaml>\0<config-get JSON>; without a NUL, JSON only.
    for f in glob.glob("examples/*/config.yaml"):
        save("config_values", read(f) + b"\0{}")
    save("config_values", '{"s": "x", "i": 3, "f": 2.5, "b": false}')
    save("config_values", '{"s": null, "i": 1e3, "f": 2, "b": "true", "extra": [1, {"a": 2}]}')
    save(
        "config_values",
        'options:\n  vip: {type: string, default: ""}\n  port: {type: int}\0{"vip": "10.0.0.1", "port": 80}',
    )


def alias_bomb(levels):
    """Nested anchors of nine aliases each: nine-fold a level."""
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(levels):
        prev, name = chr(97 + i), chr(98 + i)
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    return text


def scenario():
    for f in glob.glob("scenarios/*.yaml"):
        save("scenario", read(f))
    # Found while fuzzing: an alias bomb (refused since; kept as a seed so
    # that every run replays it, and so that libFuzzer mutates aliases).
    # Not a charm_yaml seed: charm YAML had the limit already, and five
    # parsers each replaying up to it halve that target's executions.
    save("scenario", alias_bomb(9))


def hook_env():
    # argv0, then NAME=value lines.
    envs = [
        "hooks/install\nJUJU_UNIT_NAME=web/0\nJUJU_CHARM_DIR=/var/lib/juju/charm\n"
        "JUJU_DISPATCH_PATH=hooks/install\nJUJU_MODEL_NAME=m\nJUJU_VERSION=3.4.0",
        "\nJUJU_UNIT_NAME=web/0\nJUJU_CHARM_DIR=/c\nJUJU_DISPATCH_PATH=hooks/db-relation-changed\n"
        "JUJU_RELATION=db\nJUJU_RELATION_ID=db:3\nJUJU_REMOTE_UNIT=mysql/0\nJUJU_REMOTE_APP=mysql",
        "\nJUJU_UNIT_NAME=web/0\nCHARM_DIR=/c\nJUJU_ACTION_NAME=backup\nCHARM_TOOL_TIMEOUT=60\n"
        "UNIT_STATE_DB=/tmp/x.db",
        "actions/backup\nJUJU_UNIT_NAME=web/1\nJUJU_CHARM_DIR=/c\nJUJU_HOOK_NAME=\nCHARM_HOST=simulated\n"
        "JUJU_DEPARTING_UNIT=web/2\nJUJU_PRINCIPAL_UNIT=p/0",
    ]
    for e in envs:
        save("hook_env", e)
    save("hook_env", b"\nJUJU_UNIT_NAME=web/0\xff\nJUJU_CHARM_DIR=/c\nJUJU_DISPATCH_PATH=hooks/../install")


def tool_output():
    # Selector byte (see fuzz_targets/tool_output.rs), then stdout.
    outs = {
        0: '["db:1", "db:2"]',
        1: '["mysql/0", "mysql/1"]',
        2: '"mysql"',
        3: '{"private-address": "10.0.0.1", "host": "\\"x\\""}',
        4: '{"port": 80, "vip": null, "debug": true}',
        5: "true",
        6: '{"password": "x"}',
        7: '{"message": "ready", "status": "active", "status-data": {}}',
        8: '{"application-status": {"message": "", "status": "active", '
        '"units": {"app/0": {"message": "", "status": "active"}}}}',
        9: '"10.0.0.1"',
        10: '{"bind-addresses": [{"mac-address": "", "interface-name": "eth0", "addresses": '
        '[{"hostname": "", "value": "10.0.0.1", "cidr": "10.0.0.0/24"}]}], '
        '"egress-subnets": ["10.0.0.1/32"], "ingress-addresses": ["10.0.0.1"]}',
        11: '["80/tcp", "1000-2000/udp", "icmp"]',
        12: '{"target": "db", "dry-run": false}',
        13: '{"a": "b"}',
    }
    for k, v in outs.items():
        save("tool_output", bytes([k]) + v.encode())
    save("tool_output", bytes([0x84]) + "error: permission denied é".encode())


def conformance():
    for f in sorted(glob.glob("tests/conformance/corpus/*.json")):
        save("conformance", read(f))


def flat_maps(o):
    """Every non-empty map of strings in a golden file: relation data."""
    if isinstance(o, dict):
        if o and all(isinstance(v, str) for v in o.values()) and all(" " not in k for k in o):
            yield o
        for v in o.values():
            yield from flat_maps(v)
    elif isinstance(o, list):
        for v in o:
            yield from flat_maps(v)


def relation_data():
    # Selector byte (the interface, see fuzz_targets/relation_data.rs),
    # then key=value lines, "\n" in a value standing for a newline.
    interfaces = ["hacluster", "rabbitmq", "mysql_shared", "magpie", "gluster_peer", "mysql_innodb_cluster"]
    for sel, name in enumerate(interfaces):
        seen = set()
        for f in sorted(glob.glob(f"charm-interfaces/tests/golden/{name}/*.json")):
            with open(f) as fh:
                golden = json.load(fh)
            for m in flat_maps(golden):
                lines = [k + "=" + v.replace("\n", "\\n") for k, v in sorted(m.items())]
                text = "\n".join(lines)
                if text not in seen:
                    seen.add(text)
                    save("relation_data", bytes([sel]) + text.encode())


if __name__ == "__main__":
    charm_yaml()
    config_values()
    scenario()
    hook_env()
    tool_output()
    conformance()
    relation_data()
