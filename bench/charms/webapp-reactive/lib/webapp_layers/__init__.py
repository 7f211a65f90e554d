"""The base layers a charms.reactive charm ships, reduced to what
examples/webapp needs: config flags (as the basic layer sets them) and
leadership flags (as the leadership layer sets them). Written for this
benchmark; they make the hook-tool calls those layers make."""
