"""examples/webapp written for charms.reactive: the same handlers on the
same flags, with the base layers in lib/webapp_layers and the interfaces
in hooks/relations."""

import json
import os

from charmhelpers.core import hookenv, unitdata
from charms.reactive import (clear_flag, endpoint_from_name, hook,
                             is_flag_set, set_flag, when, when_any,
                             when_not)
from webapp_layers.leadership import leader_get, leader_set

VERSION = '2.4.1'


@hook('install')
def install():
    hookenv.status_set('maintenance', 'installing webapp')
    unitdata.kv().set('webapp.installed-version', VERSION)
    hookenv.application_version_set(VERSION)
    set_flag('webapp.installed')


@when('config.changed')
def config_changed():
    clear_flag('webapp.configured')


@when_any('endpoint.cluster.changed', 'endpoint.cluster.departed')
def peers_changed():
    clear_flag('endpoint.cluster.changed')
    clear_flag('endpoint.cluster.departed')
    clear_flag('webapp.configured')


def fnv1a(text):
    h = 0xcbf29ce484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h


@when('leadership.is_leader')
@when_not('leadership.set.cluster-id')
def choose_cluster_id():
    leader_set({'cluster-id': '{:x}'.format(fnv1a(hookenv.local_unit()))})


@when('webapp.installed', 'leadership.set.cluster-id')
@when_not('webapp.configured')
def configure():
    config = hookenv.config()
    cluster_id = leader_get('cluster-id') or ''
    peers = endpoint_from_name('cluster').peer_addresses()
    text = ('title = "{}"\nport = {}\nmaintenance = {}\ncluster = "{}"\n'
            'peers = {}\n').format(config['site-title'], config['port'],
                                   str(config['maintenance']).lower(),
                                   cluster_id, json.dumps(peers))
    with open(os.path.join(hookenv.charm_dir(), 'webapp.conf'), 'w') as f:
        f.write(text)
    kv = unitdata.kv()
    old = kv.get('webapp.port')
    if old is not None and old != config['port']:
        hookenv.close_port(old)
    kv.set('webapp.port', config['port'])
    set_flag('webapp.configured')
    clear_flag('webapp.started')


@when('webapp.configured')
@when_not('webapp.started')
def start():
    hookenv.open_port(hookenv.config()['port'])
    set_flag('webapp.started')


@when('endpoint.cluster.joined')
def publish_to_peers():
    endpoint_from_name('cluster').publish_address(hookenv.unit_private_ip())


@when('endpoint.website.joined', 'webapp.started')
def publish_website():
    endpoint_from_name('website').configure(hookenv.unit_private_ip(),
                                            hookenv.config()['port'])


_status_registered = []


@when('webapp.installed')
def assess_status():
    # Once per hook, however many times the handler runs.
    if not _status_registered:
        _status_registered.append(True)
        hookenv.atexit(set_status)


def set_status():
    config = hookenv.config()
    peers = len(endpoint_from_name('cluster').all_joined_units)
    if config['maintenance']:
        hookenv.status_set('maintenance', 'maintenance page enabled')
    elif is_flag_set('webapp.started'):
        hookenv.status_set('active', 'serving on port {} with {} peer(s)'
                           .format(config['port'], peers))
    elif not is_flag_set('leadership.set.cluster-id'):
        hookenv.status_set('waiting',
                           'waiting for the leader to choose a cluster id')
    else:
        hookenv.status_set('maintenance', 'configuring')
