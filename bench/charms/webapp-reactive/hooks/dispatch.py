# The hook entry point of the charms.reactive version of examples/webapp,
# as a charm built by charm-tools runs it for every hook: put the charm's
# lib/ and hooks/ on sys.path, bootstrap the base layer, then
# charms.reactive.main(). The benchmark writes this file after a shebang
# line naming the reference venv's python, and the simulator runs it as
# the charm's binary with the unit's charm directory as working directory.
import os
import sys

charm_dir = os.environ.get('CHARM_DIR') or os.getcwd()
sys.path[0:0] = [os.path.join(charm_dir, 'lib'), os.path.join(charm_dir, 'hooks')]

# charmhelpers refuses to import on a host that is not Ubuntu (the
# benchmark may run on Debian); on Ubuntu this changes nothing.
import charmhelpers.osplatform  # noqa: E402

charmhelpers.osplatform.get_platform = lambda: 'ubuntu'

from webapp_layers import basic  # noqa: E402

basic.bootstrap_charm_deps()
basic.init_config_states()

from charms.reactive import main  # noqa: E402

main()
