"""Outbound HTTP to destinations other people choose (webhook subscribers): a policy of which addresses may be
reached (:mod:`workers.egress.policy`) and a transport that holds every connection to it and to one deadline
(:mod:`workers.egress.transport`)."""

from workers.egress.policy import DestinationPolicy, IPNetwork
from workers.egress.transport import DestinationRefused, Egress, system_resolve

__all__ = ["DestinationPolicy", "DestinationRefused", "Egress", "IPNetwork", "system_resolve"]
