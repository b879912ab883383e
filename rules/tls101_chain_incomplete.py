"""TLS101 chain-incomplete: the served chain does not reach a trust anchor: an intermediate is missing.

## What it checks

tlslint builds the path a client builds, from what the server really sends:

* nginx (and most YAML services) send exactly the certificates of the
  `ssl_certificate` file, in file order, and nothing else (`SSL_MODE_NO_AUTO_CHAIN`);
* RabbitMQ sends the leaf from `certfile` plus a chain assembled from
  `certfile`'s other certificates and `cacertfile`, so a leaf-only `certfile`
  with the intermediate in `cacertfile` is complete.

If the path stops at a certificate whose issuer is neither sent nor a trust
anchor (`--trust`, the system store, the config's own CA files), the finding
names the missing issuer (DN and key identifier) and, when tlslint found it
in `--intermediates` or one of the config's CA files, where.

## Why it matters

Browsers sometimes paper over a missing intermediate (cached or fetched via
AIA), but curl, Go, Java, Python, OpenSSL-based clients and most API clients
fail with `unable to get local issuer certificate` (OpenSSL error 20). It is
the most common TLS deployment mistake, and it works on the developer's
browser.

## Example

```nginx
ssl_certificate certs/site.pem;   # holds only the leaf
```

Fix: serve the leaf followed by its intermediate(s):
`cat site.pem intermediate.pem > site.fullchain.pem` and point
`ssl_certificate` at the new file.

## Fix safety

Safe: writing a full-chain file and pointing the setting at it only adds
what clients need; it changes nobody's access.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.chainfix import fullchain_fix
from tlslint.findings import Finding, Related, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, node_where, served_related
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS101", "chain-incomplete", Severity.ERROR,
            "the served chain does not reach a trust anchor: an intermediate is missing",
            fix="safe", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    if endpoint.role != "server":
        return
    for pair, a in analyses(endpoint, ctx):
        if a.end != "missing_issuer" or a.bad_signature or a.extra_unknown:
            continue
        below = a.missing_below
        sent = "in certfile or cacertfile" if endpoint.dialect == "rabbitmq" else "in the file"
        if below is a.leaf and len(a.path) == 1 and endpoint.dialect == "rabbitmq":
            head = (f"the leaf {below.subject} in {a.cert_file.display} is served without its "
                    f"issuer {a.missing_issuer}: neither certfile nor cacertfile holds it")
        elif below is a.leaf and len(a.path) == 1:
            head = (f"{a.cert_file.display} serves the leaf {below.subject} without its issuer "
                    f"{a.missing_issuer}")
        else:
            head = (f"served chain stops at {below.subject}; its issuer {a.missing_issuer} is not "
                    f"sent {sent} and is not a trust anchor")
        aki = f" (key id {a.missing_aki})" if a.missing_aki else ""
        msg = f"{head}{aki}: clients will fail with 'unable to get local issuer certificate'"
        related = served_related(a)
        if a.found:
            places = "; ".join(f"{n.info.subject} in {node_where(n)}" for n in a.found)
            msg += f"; found {places}"
            related += [Related(n.info.file, f"{n.info.position()}: {n.info.subject} "
                                                 "(missing from the served chain)") for n in a.found]
        elif below is not a.leaf and below.is_ca:
            msg += "; if it is a private root CA, pass it to tlslint with --trust"
        fix = fullchain_fix(endpoint, pair, a) if a.found else None
        yield ctx.finding(pair.cert.setting, msg, endpoint=endpoint, related=related, fix=fix)
