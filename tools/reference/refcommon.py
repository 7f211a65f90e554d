"""Shared helpers for driving the real charms.reactive (the reference).

Nothing here reimplements charms.reactive: these helpers only prepare the
process so that the installed charms.reactive / charmhelpers can be imported
and driven (platform check, juju-log stub), and translate a conformance spec
(see docs/conformance.md, format v1) into real decorator / register_trigger calls.

Call `prepare_charmhelpers()` BEFORE importing anything from
charms.reactive.
"""

import os
import sys

STATE_PREFIX = 'reactive.states.'

# Messages passed to hookenv.log (there is no juju-log binary here).
LOG = []


def prepare_charmhelpers(capture_log=True):
    """Make charmhelpers importable on a non-Ubuntu host and stub juju-log.

    charmhelpers.core.host picks its platform module at import time through
    charmhelpers.osplatform.get_platform(), which raises on Debian
    ("Debian GNU/Linux" does not match its lowercase "debian" test).  We
    replace that function before charmhelpers.core.host is imported.

    hookenv.log() shells out to `juju-log`; it is replaced by a function
    that records the message in LOG (or drops it).  It must be patched
    before charmhelpers.core.host is imported, since host does
    `from .hookenv import log`.
    """
    import charmhelpers.osplatform as osplatform
    osplatform.get_platform = lambda: 'ubuntu'

    from charmhelpers.core import hookenv

    if capture_log:
        def log(message, level=None):
            LOG.append((level, message))
    else:
        def log(message, level=None):
            pass
    hookenv.log = log
    return hookenv


def make_handler_function(hid, actions, on_invoke, after_actions=None):
    """Build a distinct, parameterless function for one spec handler.

    `on_invoke(hid)` is called first, then the actions run through the real
    charms.reactive.set_flag / clear_flag, then `after_actions(hid)` (which
    may raise to simulate a handler failure).

    The function takes no parameters, so the reference never tries to pass
    endpoint arguments to it (hook handlers get relation args only when
    JUJU_RELATION is set, which we never do; when_all passes args only to
    handlers that take parameters).
    """
    from charms.reactive import set_flag, clear_flag
    ops = []
    for a in actions:
        if len(a) != 1 or ('set' not in a and 'clear' not in a):
            raise ValueError('bad action %r in handler %s' % (a, hid))
        if 'set' in a:
            ops.append((set_flag, a['set']))
        else:
            ops.append((clear_flag, a['clear']))

    def handler():
        on_invoke(hid)
        for fn, flag in ops:
            fn(flag)
        if after_actions is not None:
            after_actions(hid)

    handler.__name__ = handler.__qualname__ = 'handler_' + hid
    # bus._action_id / _short_action_id honour these attributes, so the
    # handler id seen by charms.reactive (and by only_once's
    # reactive.invoked.<id> key) is exactly the spec id.
    handler._action_id = hid
    handler._short_action_id = hid
    return handler


def register_handlers(spec, on_invoke, after_actions=None):
    """Register all spec handlers with the real decorators, in array order."""
    from charms.reactive import (hook, when_all, when_any, when_none,
                                 when_not_all, only_once)
    from charms.reactive.bus import Handler

    for h in spec['handlers']:
        fn = make_handler_function(h['id'], h.get('actions', []), on_invoke,
                                   after_actions)
        # Each decorator calls Handler.get(fn), which registers the handler
        # (dict insertion order = array order) on first use.
        if h.get('hook'):
            hook(*h['hook'])(fn)
        if h.get('when_all'):
            when_all(*h['when_all'])(fn)
        if h.get('when_any'):
            when_any(*h['when_any'])(fn)
        if h.get('when_none'):
            when_none(*h['when_none'])(fn)
        if h.get('when_not_all'):
            when_not_all(*h['when_not_all'])(fn)
        if h.get('only_once'):
            only_once(fn)
        if h['id'] not in Handler._HANDLERS:
            # no condition at all: register it anyway (invalid per docs/conformance.md)
            Handler.get(fn)
    ids = [hd.id() for hd in Handler.get_handlers()]
    expected = [h['id'] for h in spec['handlers']]
    if ids != expected:
        raise RuntimeError('handler registration order mismatch: %r != %r'
                           % (ids, expected))


def register_triggers(spec):
    from charms.reactive import register_trigger
    for t in spec.get('triggers', []):
        register_trigger(when=t.get('when'), when_not=t.get('when_not'),
                         set_flag=t.get('set'), clear_flag=t.get('clear'))


def write_charm_dir(path):
    """A minimal charm dir: no handlers to discover, just metadata.yaml.

    metadata.yaml is needed because Endpoint._startup (an atstart callback
    of charms.reactive) calls hookenv.relation_types(), which reads it.
    """
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, 'metadata.yaml'), 'w') as f:
        f.write('name: test\nsummary: conformance\ndescription: conformance\n')


def clean_env(base=None):
    """Environment without stray Juju / reactive variables."""
    env = dict(os.environ if base is None else base)
    for k in list(env):
        if k.startswith('JUJU_') or k.startswith('REACTIVE_') or k in (
                'CHARM_DIR', 'UNIT_STATE_DB'):
            del env[k]
    return env


def die(msg, code=2):
    sys.stderr.write(msg.rstrip('\n') + '\n')
    sys.exit(code)
