"""TLS501 hostname-mismatch: a configured name is not covered by the served certificate.

## What it checks

Every name the endpoint serves (nginx `server_name`, SNI names, Traefik
domains, ...) must be covered by a subjectAltName of each certificate the
endpoint serves, with RFC 6125 rules:

* a wildcard is the whole left-most label only: `*.example.org` covers
  `www.example.org`, not `a.b.example.org` and not `example.org`;
* an nginx `.example.org` name stands for `example.org` and `*.example.org`,
  and needs both; a wildcard server name needs the same wildcard SAN;
* IP addresses must be IP SANs; comparison ignores case and a trailing dot.

Traefik picks the certificate by SNI from its whole store: there a name
is fine when any of the store's certificates covers it.

A name-based nginx server without a certificate of its own is served the
default server's certificate of the same `listen` socket (nginx only
switches certificates to a server that has one): that certificate must
cover its names too.

Regular-expression names, `_` and names with variables are not checked.
Certificates without any SAN are TLS502's business (unless the name does not
match the common name either).

For outgoing clients the upstream's certificate is not known to tlslint, so
nothing is checked.

## Why it matters

Browsers and every modern TLS library fail with a name mismatch
(`NET::ERR_CERT_COMMON_NAME_INVALID`, `hostname mismatch`,
`x509: certificate is valid for ..., not ...`).

## Example

```nginx
server_name example.org www.example.org;
ssl_certificate certs/www.pem;     # SAN: www.example.org only
```

## Fix safety

No automatic fix: reissue the certificate with the missing names.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.names import cn_covers, covers, describe_sans, server_name_hosts
from tlslint.pki.report import analyses, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS501", "hostname-mismatch", Severity.ERROR,
            "a configured name is not covered by the served certificate's SANs",
            dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    if endpoint.role != "server" or not endpoint.names:
        return
    served = [(pair, a, False) for pair, a in analyses(endpoint, ctx)]
    if not endpoint.pairs:
        # no certificate of its own: the server hands out another one (nginx:
        # the default server's of the same socket), which must cover these names
        for pair in endpoint.fallback_pairs:
            a = ctx.pki.analyze_served_chain(pair, endpoint)
            if a.leaf is not None:
                served.append((pair, a, True))
    if endpoint.dialect in SNI_STORE_DIALECTS:
        yield from _any_certificate(endpoint, ctx, [a.leaf for _, a, _ in served])
        return
    for pair, a, fallback in served:
        leaf = a.leaf
        for field in endpoint.names:
            hosts = server_name_hosts(field.value)
            if hosts is None or field.value in endpoint.no_sni_pairs:
                continue  # (an IP name is judged against what clients without SNI get, below)
            missing = [h for h in hosts if not covers(leaf, h)]
            if not missing:
                continue
            if leaf.san is None and all(cn_covers(leaf, h) for h in missing):
                continue  # CN-only certificate: TLS502
            shown = " and ".join(missing)
            if fallback:
                message = (f"{shown} is not covered by the certificate clients get here: this server has "
                           f"no certificate of its own, so nginx serves the default server's "
                           f"{leaf.subject} from {leaf.file} ({describe_sans(leaf)}): clients will fail "
                           "with a hostname mismatch")
            else:
                message = (f"{shown} is not covered by the certificate {leaf.subject} in {leaf.file} "
                           f"({describe_sans(leaf)}): clients will fail with a hostname mismatch")
            yield ctx.finding(
                field.setting or endpoint.anchor, message,
                endpoint=endpoint, related=[related_cert(leaf, describe_sans(leaf))])


    yield from _ip_names_without_sni(endpoint, ctx)


def _ip_names_without_sni(endpoint, ctx):
    """A client connecting by IP address sends no SNI (RFC 6066), so nginx
    answers with the certificate of the default server of the address it
    reached, whatever server_name says."""
    for field in endpoint.names:
        pairs = endpoint.no_sni_pairs.get(field.value, [])
        host = field.value.strip().strip("[]")
        for pair in pairs:
            a = ctx.pki.analyze_served_chain(pair, endpoint)
            if a.leaf is None or covers(a.leaf, host):
                continue
            whose = "this server's" if pair in endpoint.pairs else "the default server's"
            yield ctx.finding(
                field.setting or endpoint.anchor,
                f"{host} is not covered by the certificate clients get here: a client connecting by IP address "
                f"sends no SNI, so nginx serves {whose} {a.leaf.subject} from {a.leaf.file} "
                f"({describe_sans(a.leaf)}): clients will fail with an IP address mismatch",
                endpoint=endpoint, related=[related_cert(a.leaf, describe_sans(a.leaf))])


# Servers that pick the certificate by SNI from a store of several: a name is
# fine when any certificate of the store covers it.
SNI_STORE_DIALECTS = frozenset({"traefik"})


def _any_certificate(endpoint: TlsEndpoint, ctx: CheckContext, leaves) -> Iterable[Finding]:
    if not leaves:
        return
    for field in endpoint.names:
        hosts = server_name_hosts(field.value)
        if hosts is None:
            continue
        missing = [h for h in hosts if not any(covers(leaf, h) for leaf in leaves)]
        missing = [h for h in missing if not any(leaf.san is None and cn_covers(leaf, h) for leaf in leaves)]
        if not missing:
            continue
        yield ctx.finding(
            field.setting or endpoint.anchor,
            f"{' and '.join(missing)} is not covered by any of the {len(leaves)} certificate(s) "
            "the server picks from by SNI: clients will fail with a hostname mismatch",
            endpoint=endpoint, related=[related_cert(leaf, describe_sans(leaf)) for leaf in leaves])
