"""TLS104 chain-extraneous-certificate: the served file holds certificates that are not on the leaf's path.

## What it checks

Certificates in the served certificate file that no path from the leaf to a
trust anchor uses: an old intermediate, another site's certificate, a root
that did not issue this chain, or the same certificate twice.

For RabbitMQ only `certfile` is checked: `cacertfile` is also the list of
CAs for client certificates, and OTP sends only what the path needs.

## Why it matters

Every extra certificate is sent in every handshake. Stale intermediates
confuse path building: Erlang/OTP 29's chain builder rejects a chain with an
unrelated CA (`unknown_ca`), and some Java and embedded clients give up on
the first certificate that does not link.

## Example

```
site.pem: leaf, intermediate, old-intermediate-2019
```

## Fix safety

Unsafe: tlslint cannot know which clients rely on an extra certificate (an
old cross-sign kept for legacy devices); review before dropping.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.chainfix import drop_blocks, rewrite_fix
from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, related_cert
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

MAX_FINDINGS_PER_FILE = 10

RULE = Rule("TLS104", "chain-extraneous-certificate", Severity.WARNING,
            "the served file holds certificates not on the leaf's path, or duplicates",
            fix="unsafe", dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for pair, a in analyses(endpoint, ctx):
        fix = _drop_all(a) if a.extraneous else None
        if len(a.extraneous) > MAX_FINDINGS_PER_FILE:
            # a whole CA bundle served by mistake: one finding, not thousands
            yield ctx.finding(
                pair.cert.setting,
                f"{a.cert_file.display} holds {len(a.extraneous)} certificates that are not on the "
                f"path of the leaf {a.leaf.subject} (a CA bundle served as the chain?): all of them "
                "are sent in every handshake",
                endpoint=endpoint,
                related=[related_cert(c, why) for c, why in a.extraneous[:MAX_FINDINGS_PER_FILE]],
                fix=fix)
            continue
        for cert, why in a.extraneous:
            if why.startswith("a duplicate"):
                tail = "the same certificate is sent twice in every handshake"
            else:
                tail = ("it is sent in every handshake but is not part of the chain to the leaf "
                        f"{a.leaf.subject}")
            yield ctx.finding(
                pair.cert.setting,
                f"{a.cert_file.display} {cert.position()} ({cert.subject}) is {why}: {tail}",
                endpoint=endpoint, related=[related_cert(cert, why)], fix=fix)


def _drop_all(a):
    """One rewrite that drops every extraneous certificate (and later duplicates),
    shared by all of this file's findings so they do not conflict."""
    unrelated = {c.fingerprint for c, why in a.extraneous if not why.startswith("a duplicate")}
    kept, seen = [], set()
    for c in a.file_certs:
        if c.fingerprint not in unrelated and c.fingerprint not in seen:
            kept.append(c)
        seen.add(c.fingerprint)
    return rewrite_fix(a, f"drop certificates that are not on the leaf's path from {a.cert_file.display}",
                       "unsafe", lambda data: drop_blocks(data, unrelated), kept)
