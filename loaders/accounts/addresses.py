"""The client's address for the audit log and the per-address lockout, behind trusted reverse proxies only.

Behind a reverse proxy every connection comes from the proxy. Its
``X-Forwarded-For`` header names the client, but any browser can send that
header too, so it is believed only when the direct peer is one of the proxies
configured in ``HT_TRUSTED_PROXIES``; then the header is read from the right,
past the trusted proxies, and the first other address is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Streamlit reports a loopback peer as no address at all.
LOOPBACK = "127.0.0.1"


def parse_networks(entries: Sequence[str]) -> list[Network]:
    """The trusted proxies as networks; entries that are not an address or a CIDR network are ignored."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str | None:
    """The address to record for a request.

    Parameters
    ----------
    peer
        The direct peer's address, ``None`` for loopback (as Streamlit reports it).
    forwarded_for
        The ``X-Forwarded-For`` header, when sent.
    trusted
        ``HT_TRUSTED_PROXIES``: addresses or CIDR networks of the reverse proxies.

    Returns
    -------
    str or None
        The client's address from ``X-Forwarded-For`` when ``peer`` is a trusted proxy
        and the header names one; else ``peer``.
    """
    networks = parse_networks(trusted)
    if not forwarded_for or not _trusted(_ip(peer or LOOPBACK), networks):
        return peer
    for hop in reversed(forwarded_for.split(",")):
        address = _ip(hop)
        if address is None:
            return peer  # a malformed header from the proxy: fall back to what is certain
        if not _trusted(address, networks):
            return str(address)
    return peer
