"""What the leadership layer does: at the start of every hook, the flags
leadership.is_leader, leadership.set.<key> and leadership.changed[.<key>]
from `is-leader` and `leader-get`, the settings remembered in the unit's
kv; leader_set() writes a setting and its flags."""

from charmhelpers.core import hookenv, unitdata
from charms.reactive import set_flag, toggle_flag

PREFIX = 'leadership.settings.'


def initialize_leadership_state():
    leader = hookenv.is_leader()
    hookenv.log('leadership: this unit is the {}'.format(
        'leader' if leader else 'follower'))
    toggle_flag('leadership.is_leader', leader)
    kv = unitdata.kv()
    before = kv.getrange(PREFIX, strip=True)
    now = hookenv.leader_get() or {}
    for key in before:
        now.setdefault(key, None)
    changed = False
    for key, value in now.items():
        differs = value != before.get(key)
        changed = changed or differs
        toggle_flag('leadership.changed.' + key, differs)
        toggle_flag('leadership.set.' + key, value is not None)
    toggle_flag('leadership.changed', changed)
    kv.update(now, prefix=PREFIX)


def leader_set(settings):
    """Write leadership settings (the leader only) and update the flags."""
    hookenv.leader_set(settings)
    unitdata.kv().update(settings, prefix=PREFIX)
    for key, value in settings.items():
        set_flag('leadership.changed.' + key)
        set_flag('leadership.changed')
        toggle_flag('leadership.set.' + key, value is not None)


def leader_get(key):
    return hookenv.leader_get(key)


hookenv.atstart(initialize_leadership_state)
