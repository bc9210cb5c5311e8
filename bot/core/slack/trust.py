"""Whether a URL a request body named is on a host we trust (Slack's, or the Web API's own: the stand-in).

A URL we fetch or post to on a client's say-so is a way into the hospital network (server-side request
forgery): response_url answers and file downloads check it here first, and follow no redirect.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of `url`, the port filled in; None when it cannot be read."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:  # e.g. a port that is not a number
        return None
    return (parts.scheme, parts.hostname or "", port) if parts.hostname else None


def same_origin(url: str, trusted: str) -> bool:
    found = origin(url)
    return found is not None and found == origin(trusted)
