#!/usr/bin/env python3
"""Leave a unit's state as a small Python reactive charm leaves it.

Usage:
    .venv-ref/bin/python tools/reference/python_charm_hooks.py CHARM_DIR

CHARM_DIR must hold the charm's metadata.yaml.  Runs two hooks through the
real `charms.reactive.main()`, one process-like run each, with
UNIT_STATE_DB=CHARM_DIR/.unit-state.db and CHARM_DIR=CHARM_DIR:

- `install`: `@hook('install')` sets `app.installed`;
  `@when('app.installed') @when_not('app.configured')` records the port in
  the kv (`app.port`), the rendered context with `data_changed`
  (`app.render`) and sets `app.configured`; a third handler sets
  `python.only` with a value (a flag a rewritten charm may not know);
- `leader-elected`: stands in for the base layers a Python charm ships,
  which keep their own flags in the same database: layer-leadership
  (`leadership.is_leader`, `leadership.set.cluster-id`, the setting seen
  under `leadership.settings.cluster-id`) and charms.reactive's Endpoint
  (`endpoint.website.joined`, `endpoint.other.joined`).

It also saves the config as charmhelpers does at the end of a hook that
read it (`$CHARM_DIR/.juju-persistent-config`).

Prints one JSON object: what each `data_changed` call returned, in call
order, keyed by hook.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import refcommon  # noqa: E402

PORT = 8080
RENDER = {'port': PORT, 'title': 'old title', 'peers': ['10.0.0.2']}
CONFIG = {'port': PORT, 'site-title': 'old title', 'maintenance': False}


def run_hook(hook, register):
    """One hook: a fresh charms.reactive bus, handlers, main()."""
    os.environ['JUJU_HOOK_NAME'] = hook
    from charms.reactive import bus
    from charmhelpers.core import hookenv, unitdata
    bus.Handler._HANDLERS = {}
    hookenv._atstart = []
    hookenv._atexit = []
    unitdata._KV = None
    register()
    import charms.reactive
    charms.reactive.main()
    unitdata.kv().close()
    unitdata._KV = None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        refcommon.die('usage: python_charm_hooks.py CHARM_DIR')
    charm_dir = os.path.abspath(argv[0])
    for k in list(os.environ):
        if k.startswith('JUJU_') or k.startswith('REACTIVE_'):
            del os.environ[k]
    os.environ.update({
        'UNIT_STATE_DB': os.path.join(charm_dir, '.unit-state.db'),
        'CHARM_DIR': charm_dir,
        'JUJU_UNIT_NAME': 'app/0',
    })
    refcommon.prepare_charmhelpers(capture_log=True)
    from charms.reactive import (clear_flag, hook, set_flag, when,
                                 when_not)
    from charms.reactive.helpers import data_changed
    from charmhelpers.core import hookenv, unitdata

    results = {}

    def install_handlers():
        @hook('install')
        def install():
            set_flag('app.installed')

        @when('app.installed')
        @when_not('app.configured')
        def configure():
            unitdata.kv().set('app.port', PORT)
            results.setdefault('install', []).append(
                data_changed('app.render', RENDER))
            set_flag('app.configured')

        @when('app.installed')
        @when_not('python.only')
        def python_only():
            set_flag('python.only', {'since': '1.0'})
            set_flag('to.clear')
            clear_flag('to.clear')

    def base_layer_handlers():
        @hook('leader-elected')
        def leadership():
            set_flag('leadership.is_leader')
            unitdata.kv().set('leadership.settings.cluster-id', 'c0ffee')
            set_flag('leadership.set.cluster-id')
            set_flag('endpoint.website.joined')
            set_flag('endpoint.other.joined')
            # Running again in the same hook: the same data is unchanged.
            results.setdefault('leader-elected', []).append(
                data_changed('app.render', RENDER))

    run_hook('install', install_handlers)
    run_hook('leader-elected', base_layer_handlers)

    config = hookenv.Config(CONFIG)
    config.save()
    print(json.dumps(results, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
