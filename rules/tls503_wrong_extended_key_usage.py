"""TLS503 wrong-extended-key-usage: a certificate's extended key usage does not allow its role.

## What it checks

When a certificate carries an extendedKeyUsage extension, it must allow
what the certificate is used for:

* the certificate a TLS server presents needs `serverAuth`;
* the certificate an outgoing client presents (mutual TLS) needs `clientAuth`;
* CA certificates on the served path that carry an EKU must allow the same
  purpose (OpenSSL and `cryptography` check it on the whole chain);
* CA certificates an endpoint verifies peers with must allow the peers'
  purpose (a client CA restricted to serverAuth rejects every client).

A certificate without the extension is unrestricted. `anyExtendedKeyUsage`
is accepted on a CA; on the leaf it is not enough (OpenSSL and cryptography
reject a server or client leaf whose only EKU is anyExtendedKeyUsage; Go
accepts it).

## Why it matters

Peers fail with `unsuitable certificate purpose` (OpenSSL), Erlang with
`{bad_cert,invalid_ext_key_usage}`, Go with `x509: certificate specifies an
incompatible key usage`. Typical cause: a client certificate deployed as the
server certificate, or the reverse.

## Example

```
X509v3 Extended Key Usage: TLS Web Client Authentication    # on a server certificate
```

## Fix safety

No automatic fix: reissue with the right EKU.
"""

from __future__ import annotations

from typing import Iterable

from cryptography.x509.oid import ExtendedKeyUsageOID

from tlslint.findings import Finding, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import analyses, related_cert, verify_on
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS503", "wrong-extended-key-usage", Severity.ERROR,
            "a server certificate without serverAuth (or a client certificate without clientAuth)",
            dialects=ALL_DIALECTS)

_NAMES = {ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth", ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
          ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning", ExtendedKeyUsageOID.EMAIL_PROTECTION:
          "emailProtection", ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
          ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning"}


def _eku_text(eku) -> str:
    return ", ".join(_NAMES.get(o, o.dotted_string) for o in eku) or "(empty)"


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    want = ExtendedKeyUsageOID.SERVER_AUTH if endpoint.role == "server" else ExtendedKeyUsageOID.CLIENT_AUTH
    want_name = _NAMES[want]
    for pair, a in analyses(endpoint, ctx):
        nodes = list(a.path)
        if a.trusted and len(nodes) > 1:
            nodes = nodes[:-1]  # the trust anchor's EKU is not a constraint here
        for node in nodes:
            c = node.info
            if c.eku is None or want in c.eku:
                continue
            if ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in c.eku and c is not a.leaf:
                continue  # a CA allowing any purpose constrains nothing
            if c is a.leaf:
                what = "server certificate" if endpoint.role == "server" else "client certificate"
                msg = (f"the {what} {c.subject} in {c.file} has extendedKeyUsage {_eku_text(c.eku)} "
                       f"without {want_name}: peers will fail with 'unsuitable certificate purpose'")
            else:
                msg = (f"the CA certificate {c.subject} ({c.file}, {c.position()}) restricts "
                       f"extendedKeyUsage to {_eku_text(c.eku)}, without {want_name}: every "
                       "certificate below it fails with 'unsuitable certificate purpose'")
            yield ctx.finding(pair.cert.setting, msg, endpoint=endpoint,
                              related=[related_cert(c, f"EKU {_eku_text(c.eku)}")])
    yield from _verifying_cas(endpoint, ctx)


def _verifying_cas(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    """CA certificates that verify peers must allow the peers' purpose: a client
    CA restricted to serverAuth rejects every client certificate below it."""
    if not verify_on(endpoint):
        return
    peer = ExtendedKeyUsageOID.CLIENT_AUTH if endpoint.role == "server" else ExtendedKeyUsageOID.SERVER_AUTH
    for ref in endpoint.ca_files:
        lf = ctx.pki.load(ref)
        if not lf.ok:
            continue
        for c in lf.certs:
            if not c.is_ca or c.eku is None or peer in c.eku or ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in c.eku:
                continue
            yield ctx.finding(ref.setting, f"the CA certificate {c.subject} ({lf.display}, {c.position()}) "
                                           f"restricts extendedKeyUsage to {_eku_text(c.eku)}, without "
                                           f"{_NAMES[peer]}: every peer certificate below it fails with "
                                           "'unsuitable certificate purpose'",
                              endpoint=endpoint, related=[related_cert(c, f"EKU {_eku_text(c.eku)}")])
