"""Host names versus certificates (RFC 6125 as browsers and OpenSSL apply it).

A wildcard is only the whole left-most label (``*.example.org``), covers
exactly one label, and never the apex (``example.org``). IP addresses only
match IP SANs. Comparison is case-insensitive, trailing dots ignored,
internationalised names compared as A-labels.
"""

from __future__ import annotations

import ipaddress
from typing import Optional

from cryptography import x509

from tlslint.pki.objects import CertInfo


def _norm(name: str) -> str:
    name = name.strip().rstrip(".").lower()
    try:
        return name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError:
        return name


def ip_literal(name: str):
    """The IP address ``name`` writes (``[...]`` allowed), or None."""
    try:
        return ipaddress.ip_address(name.strip().strip("[]"))
    except ValueError:
        return None


def dns_matches(pattern: str, host: str) -> bool:
    """Does the SAN dNSName ``pattern`` cover ``host``?"""
    p, h = _norm(pattern), _norm(host)
    if not p or not h:
        return False
    if p == h:
        return True
    if p.startswith("*.") and p.count(".") >= 2:
        rest = p[2:]
        if "*" in rest:
            return False
        head, _, tail = h.partition(".")
        return bool(head) and head != "*" and tail == rest
    return False


def san_dns(cert: CertInfo) -> list[str]:
    if cert.san is None:
        return []
    return [str(n) for n in cert.san.get_values_for_type(x509.DNSName)]


def san_ips(cert: CertInfo) -> list:
    if cert.san is None:
        return []
    return list(cert.san.get_values_for_type(x509.IPAddress))


def covers(cert: CertInfo, host: str) -> bool:
    """Does ``cert``'s SAN cover ``host`` (a name, an IP, or a ``*.`` wildcard name)?"""
    ip = ip_literal(host)
    if ip is not None:
        return any(ip == a for a in san_ips(cert))
    h = _norm(host)
    if h.startswith("*."):
        # a wildcard server name is covered only by the same wildcard
        return any(_norm(p) == h for p in san_dns(cert))
    return any(dns_matches(p, h) for p in san_dns(cert))


def cn_covers(cert: CertInfo, host: str) -> bool:
    """Legacy CN fallback (OpenSSL's host check uses it when there is no SAN)."""
    cn = cert.common_name
    return bool(cn) and dns_matches(cn, host)


def server_name_hosts(name: str) -> Optional[list[str]]:
    """The host names an nginx-style server name stands for, or None when it
    cannot be checked statically (regex, catch-all, variables, suffix wildcard)."""
    n = name.strip()
    if not n or n == "_" or n.startswith("~") or "$" in n or "{" in n:
        return None
    if n.endswith(".*") or n.endswith("*"):
        return None
    if n.startswith("."):
        return [n[1:], "*" + n]
    if "*" in n and not n.startswith("*."):
        return None
    return [n]


def describe_sans(cert: CertInfo, limit: int = 6) -> str:
    names = san_dns(cert) + [str(a) for a in san_ips(cert)]
    if not names:
        return "no subjectAltName"
    shown = ", ".join(names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"SANs: {shown}{more}"
