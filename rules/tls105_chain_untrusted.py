"""TLS105 chain-untrusted: the chain ends in a root that is not a trust anchor.

## What it checks

The served chain links up to a self-signed root (sent in the file) that is
in none of the trust anchors tlslint knows: `--trust` files and
directories, the config's own CA files, and the system trust store.

A self-signed leaf is TLS106, not this rule.

It also checks the other direction, trust: when an nginx or RabbitMQ
endpoint verifies its peer (`ssl_verify_client on|optional`,
`proxy_ssl_verify on`, `verify_peer`), every CA certificate of its CA
files (`ssl_client_certificate`, `ssl_trusted_certificate`,
`proxy_ssl_trusted_certificate`, `cacertfile`) must chain, within those
files, up to a self-signed root. A file that holds only an intermediate
CA is reported at the CA file's setting.

## Why it matters

Clients that do not have the root fail with `self-signed certificate in
certificate chain` (OpenSSL error 19) or "unknown CA". If the root is a
private CA that your clients do trust, tell tlslint with `--trust
path/to/root.pem` (or `trust` in the configuration file).

A CA file without the root rejects every peer: neither nginx (OpenSSL
without partial-chain verification) nor Erlang/OTP accepts a chain that
ends at a trusted intermediate. nginx logs `client SSL certificate verify
error: (2:unable to get issuer certificate)` and answers 400 (502 for
`proxy_ssl_verify`); RabbitMQ fails the handshake with `unknown_ca`.
Go and Envoy services are not reported: Go treats every certificate of
the pool as an anchor and Envoy accepts partial chains.

## Example

```
site.pem: leaf, intermediate, "Internal Root" (not in any trust store)
```

```nginx
ssl_verify_client on;
ssl_client_certificate ca/issuing-ca.pem;   # intermediate only: add its root
```

## Fix safety

No automatic fix: either the clients must trust the root, or the
certificate must come from a CA they trust. For a CA file, append the
root CA certificate to it.
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.chain import unanchored_cas
from tlslint.pki.report import analyses, related_cert, served_related, verify_on
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS105", "chain-untrusted", Severity.ERROR,
            "the chain ends in a root that is not a trust anchor", dialects=ALL_DIALECTS)


# Servers that verify without partial-chain: a CA file needs its root.
FULL_CHAIN_VERIFIERS = {
    "nginx": "unable to get issuer certificate",
    "rabbitmq": "unknown_ca",
}


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    yield from _ca_files_without_root(endpoint, ctx)
    if endpoint.role != "server":
        return
    for pair, a in analyses(endpoint, ctx):
        if a.end != "untrusted_root" or a.leaf.self_signed:
            continue
        root = a.path[-1].info
        yield ctx.finding(
            pair.cert.setting,
            f"the served chain ends at the self-signed root {root.subject} ({root.file}, "
            f"{root.position()}), which is not a trust anchor: clients will fail with "
            "'self-signed certificate in certificate chain'; if your clients trust this private "
            "root, pass it to tlslint with --trust",
            endpoint=endpoint, related=served_related(a))


def _ca_files_without_root(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    error = FULL_CHAIN_VERIFIERS.get(endpoint.dialect)
    if error is None or not verify_on(endpoint):
        return
    peer = "client" if endpoint.role == "server" else "server"
    keys = ", ".join(dict.fromkeys(r.setting.key for r in endpoint.ca_files))
    if endpoint.dialect == "nginx":
        server = "nginx (OpenSSL, without partial-chain verification)"
        effect = f"rejected ('{error}', error 2; HTTP {400 if endpoint.role == 'server' else 502})"
    else:
        server = "Erlang/OTP"
        effect = f"rejected with {error}"
    for u in unanchored_cas(ctx.pki, endpoint):
        top = u.path[-1]
        via = "" if top is u.ca else f" (via {top.subject})"
        msg = (f"the CA certificate {u.ca.subject} ({u.ca.file}, {u.ca.position()}) is not a "
               f"self-signed root and its issuer {u.missing}{via} is in none of the CA files "
               f"({keys}): {server} only accepts a chain that ends in a trusted self-signed "
               f"root, so every {peer} certificate issued under it is {effect}; add the root "
               f"CA certificate to the file")
        yield ctx.finding(u.ref.setting, msg, endpoint=endpoint,
                          related=[related_cert(c, "in the CA file") for c in u.path])
