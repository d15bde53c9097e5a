"""Outbound HTTP to destinations other people choose (webhook subscribers): a policy of which addresses may be
reached (:mod:`core.egress.policy`) and a transport that holds every connection to it and to one deadline
(:mod:`core.egress.transport`)."""

from core.egress.policy import DestinationPolicy, IPNetwork
from core.egress.transport import DestinationRefused, Egress, system_resolve

__all__ = ["DestinationPolicy", "DestinationRefused", "Egress", "IPNetwork", "system_resolve"]
