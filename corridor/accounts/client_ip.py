"""The client's address, for login throttling: X-Forwarded-For is believed only from our proxies.

Behind a reverse proxy every request arrives from the proxy's address, so throttling by
REMOTE_ADDR alone would lock out everybody at once. But X-Forwarded-For is written by whoever
sends the request, so it is only read when the connection comes from a proxy listed in
settings.TRUSTED_PROXIES, and then from the right: each trusted proxy appends the address it
saw, so the right-most address that is not one of our proxies is the client. Anything further
left was supplied by the client and is ignored.

(django-ipware's trusted-proxy option checks the addresses inside the header, not the
connection the request came from, so a client could forge it; hence this small function.)
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    peer = _parse(remote)
    if peer is None or not _is_trusted(peer, networks):
        return remote or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for part in reversed(forwarded.split(",")):
        address = _parse(part)
        if address is None:
            break  # a garbled entry: stop at the last address we could vouch for
        if not _is_trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)
