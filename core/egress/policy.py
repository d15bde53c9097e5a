"""Which addresses an outbound request may reach: public ones, and the networks an operator allows.

A URL that other people choose (a webhook subscriber's) must not turn the worker into a proxy into its own
network: the cloud metadata service (169.254.169.254), the embedded Valkey on 127.0.0.1, a database on 10.x.
So every address is judged after resolution, and only a globally routable unicast address passes, unless it
lies in one of the operator's ``allow_networks``.

IPv6 forms that carry an IPv4 address (``::ffff:127.0.0.1``, 6to4 ``2002:7f00:1::``, NAT64 ``64:ff9b::7f00:1``)
are judged by the IPv4 address they lead to.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

#: Shared address space (RFC 6598): carrier-grade NAT, and some clouds' internal services.
SHARED_ADDRESS_SPACE = IPv4Network("100.64.0.0/10")
#: The NAT64 well-known prefix (RFC 6052): its last 32 bits are the IPv4 address a NAT64 gateway reaches.
NAT64_PREFIX = IPv6Network("64:ff9b::/96")
#: Names that always mean this machine (RFC 6761), refused before any lookup.
LOOPBACK_NAMES = ("localhost",)


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address (``"loopback"``, ``"private"``...), None when it is."""
    if isinstance(address, IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return refusal(inner)
        if address.is_site_local:
            return "site-local"
    checks = (
        ("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
        ("link-local", address.is_link_local), ("multicast", address.is_multicast),
        ("shared (carrier-grade NAT)", address in SHARED_ADDRESS_SPACE), ("private", address.is_private),
        ("reserved", address.is_reserved), ("not globally routable", not address.is_global),
    )
    return next((reason for reason, hit in checks if hit), None)


class DestinationPolicy:
    """Decides whether an address may be reached: public unicast, or inside one of ``allow_networks``.

    :param allow_networks: networks reached although not public (``["10.20.0.0/16", "127.0.0.1/32"]``).

    Example::

        policy = DestinationPolicy(settings.webhooks.allow_networks)
        policy.refusal("169.254.169.254")   # 'link-local'
    """

    def __init__(self, allow_networks: Iterable[IPNetwork | str] = ()) -> None:
        self.allow_networks: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n) for n in allow_networks)

    def refusal(self, address: IPAddress | str) -> str | None:
        """Why ``address`` may not be reached, or None when it may."""
        address = ipaddress.ip_address(address) if isinstance(address, str) else address
        if self._allowed(address):
            return None
        return refusal(address)

    def permits(self, address: IPAddress | str) -> bool:
        return self.refusal(address) is None

    def host_refusal(self, host: str) -> str | None:
        """Why a URL's host is refused without a lookup: an address literal (in any form ``getaddrinfo``
        reads: ``0``, ``2130706433``, ``0177.0.0.1``, ``[::ffff:127.0.0.1]``) or a loopback name outside the
        allowed networks. A name that needs DNS returns None: it is judged when it is resolved, at connect time.
        """
        host = host.strip("[]").rstrip(".").lower()
        if host in LOOPBACK_NAMES or host.endswith(".localhost"):
            if self.permits("127.0.0.1") or self.permits("::1"):
                return None
            return f"{host} is not a public address (loopback)"
        address = numeric_address(host.partition("%")[0] if ":" in host else host)  # (an IPv6 zone: any interface)
        if address is None:
            return None
        reason = self.refusal(address)
        return f"{host} is not a public address ({reason})" if reason else None

    def _allowed(self, address: IPAddress) -> bool:
        candidates = [address]
        if isinstance(address, IPv6Address) and (inner := _embedded_ipv4(address)) is not None:
            candidates.append(inner)
        return any(a.version == n.version and a in n for a in candidates for n in self.allow_networks)


def numeric_address(host: str) -> IPAddress | None:
    """The address ``host`` denotes when it is an address literal (read as the resolver reads it), else None."""
    try:
        info = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(info[0][4][0]) if info else None
