"""What the basic layer does at the start of every hook: check that the
charm's dependencies are installed, and set the config.* flags."""

import os

import yaml
from charmhelpers.core import hookenv, unitdata


def bootstrap_charm_deps():
    """The dependencies are installed at the first hook (a wheelhouse in a
    real charm; nothing here) and a marker file says so afterwards."""
    marker = os.path.join(hookenv.charm_dir(), '.bootstrapped')
    if os.path.exists(marker):
        return
    with open(marker, 'w') as f:
        f.write('ok\n')


def init_config_states():
    """config.changed, config.changed.<opt>, config.set.<opt> and
    config.default.<opt> from `config-get` and the config saved by the
    previous hook; cleared again when the hook ends."""
    from charms.reactive import set_flag, toggle_flag

    config = hookenv.config()
    with open(os.path.join(hookenv.charm_dir(), 'config.yaml')) as f:
        options = (yaml.safe_load(f) or {}).get('options', {})
    for name, option in options.items():
        if config.changed(name):
            set_flag('config.changed')
            set_flag('config.changed.' + name)
        toggle_flag('config.set.' + name, bool(config.get(name)))
        toggle_flag('config.default.' + name,
                    config.get(name) == option.get('default'))
    hookenv.atexit(clear_config_states)


def clear_config_states():
    from charms.reactive import clear_flag

    clear_flag('config.changed')
    for name in hookenv.config().keys():
        for kind in ('changed', 'set', 'default'):
            clear_flag('config.{}.{}'.format(kind, name))
    unitdata.kv().flush()
