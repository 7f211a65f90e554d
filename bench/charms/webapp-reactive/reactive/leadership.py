# The leadership layer's reactive part: registering its start-of-hook
# initialisation (hookenv.atstart) happens when bus.discover() imports it.
import webapp_layers.leadership  # noqa: F401
