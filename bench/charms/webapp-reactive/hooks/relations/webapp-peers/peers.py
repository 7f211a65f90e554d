"""The webapp-peers interface: each unit publishes its address
(JSON-encoded, as Endpoint's to_publish does); data is read lazily by
Endpoint when a handler asks for it."""

from charms.reactive import Endpoint


class WebappPeers(Endpoint):
    def publish_address(self, address):
        for relation in self.relations:
            relation.to_publish['address'] = address

    def peer_addresses(self):
        addresses = []
        for unit in self.all_joined_units:
            address = unit.received['address']
            if address:
                addresses.append(address)
        return sorted(addresses)
