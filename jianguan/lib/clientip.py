"""The client's address, also behind reverse proxies, without trusting what the client itself wrote.

``JIANGUAN_TRUSTED_PROXIES`` says which hops in front of the platform are ours: a count of proxies (``1`` for one
nginx), or their addresses and networks (``127.0.0.1,10.0.0.0/8``). X-Forwarded-For is read from the right, the end
our own proxies append to; the first address not one of ours is the client. Whatever the client put further left is
ignored, so it can neither dodge rate limits and IP lockout nor write a false address into the audit trail.
Unset (the default): REMOTE_ADDR, and X-Forwarded-For is ignored altogether.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

# settings.py parses JIANGUAN_TRUSTED_PROXIES with this module: nothing here may need configured settings at import.
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    count: int = 0
    networks: tuple[Network, ...] = ()

    def trusts(self, address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in net for net in self.networks)


def parse_trusted_proxies(value: str) -> TrustedProxies:
    """``""`` → none; ``"2"`` → two proxies; ``"127.0.0.1, 10.0.0.0/8"`` → those addresses. Raises on nonsense."""
    value = value.strip()
    if not value or value == "0":
        return TrustedProxies()
    if value.isascii() and value.isdigit():
        return TrustedProxies(count=int(value))
    networks = []
    for part in value.split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"JIANGUAN_TRUSTED_PROXIES：“{part.strip()}”既不是代理数量，也不是 IP 地址或网段（如 10.0.0.0/8）。"
            ) from None
    return TrustedProxies(networks=tuple(networks))


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client as the nearest untrusted hop saw it (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies: TrustedProxies = settings.JIANGUAN_TRUSTED_PROXIES
    if not proxies.count and not proxies.networks:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Nearest first: REMOTE_ADDR, then X-Forwarded-For from its right end.
    hops = [remote or ""] + [h.strip() for h in reversed(forwarded.split(","))] if forwarded else [remote or ""]
    if proxies.count:
        # The client is the hop just beyond our N proxies; with fewer hops, the farthest one we were given.
        chosen = hops[min(proxies.count, len(hops) - 1)]
    else:
        chosen = hops[-1]
        for hop in hops:
            if not proxies.trusts(hop):
                chosen = hop
                break
    # A hop our own proxy wrote is an address; anything else means the header is not what we think it is.
    return str(_ip(chosen)) if _ip(chosen) is not None else remote
