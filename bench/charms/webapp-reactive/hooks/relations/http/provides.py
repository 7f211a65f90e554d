"""The provides side of the http interface: the raw `hostname` and
`port` keys on every relation."""

from charms.reactive import Endpoint


class HttpProvides(Endpoint):
    def configure(self, hostname, port):
        for relation in self.relations:
            relation.to_publish_raw.update({'hostname': hostname,
                                            'port': str(port)})
