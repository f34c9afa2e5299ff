"""Server-side request forgery protection for webhook endpoints.

A webhook endpoint is a URL that a user of the API chooses and that vidrek's workers then POST to. By
default only endpoints whose host resolves exclusively to public (globally routable) addresses are
accepted: loopback, private (RFC 1918, RFC 4193), link-local (incl. cloud metadata at 169.254.169.254),
carrier-grade NAT, multicast, reserved and unspecified addresses are refused, at subscribe time and again
before every delivery (the DNS answer may have changed). ``allow_internal`` (development mode) lifts
the address check; the scheme check stays.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from pipelines.errors import InvalidInput


class UnsafeEndpoint(InvalidInput, ValueError):
    """The endpoint may not be used as a webhook target; the message says why."""


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_endpoint(url: str, *, allow_internal: bool) -> None:
    """Raise :class:`UnsafeEndpoint` unless ``url`` is an http(s) URL vidrek may POST to."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise UnsafeEndpoint(f"Endpoint {url!r} is not a valid URL: {err}.") from err
    if parts.scheme not in ("http", "https"):
        raise UnsafeEndpoint(f"Endpoint {url!r} must be an http:// or https:// URL.")
    host = parts.hostname
    if not host:
        raise UnsafeEndpoint(f"Endpoint {url!r} has no host.")
    if parts.username or parts.password:
        raise UnsafeEndpoint(f"Endpoint {url!r} must not carry credentials in the URL.")
    if allow_internal:
        return
    try:
        infos = socket.getaddrinfo(
            host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except OSError as err:
        raise UnsafeEndpoint(f"Endpoint host {host!r} cannot be resolved: {err}.") from err
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not _is_public(address):
            raise UnsafeEndpoint(
                f"Endpoint host {host!r} resolves to {address}, a loopback, private, link-local or otherwise "
                "non-public address; webhooks may only reach public addresses "
                "(set VIDREK_WEBHOOK_ALLOW_INTERNAL_TARGETS=true in development)."
            )
