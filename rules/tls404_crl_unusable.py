"""TLS404 crl-unusable: a CRL used for peer verification is expired, not yet valid, or missing for a CA.

## What it checks

The CRL files an endpoint verifies peers with (nginx `ssl_crl`,
`proxy_ssl_crl`, `grpc_ssl_crl`, `uwsgi_ssl_crl`), judged at `--now`:

* a CRL whose `nextUpdate` has passed, or whose `lastUpdate` is still in the
  future;
* nginx only: a CA in the endpoint's CA files without any CRL from it.
  nginx turns on `X509_V_FLAG_CRL_CHECK_ALL` with `ssl_crl`, so every CA on a
  peer's chain, root included, needs a current CRL in that file ("When using
  intermediate certificates, their CRLs should be specified in the same
  file").

## Why it matters

With an expired CRL every peer certificate fails verification (`CRL has
expired`); with a CA's CRL missing, every peer certificate under that CA
fails (`unable to get certificate CRL`). Nothing warns at start-up: `nginx -t`
loads the file happily, and mutual TLS stops working the day the CRL
expires.

## Example

```
ssl_crl /etc/nginx/crl/clients.crl;   # nextUpdate was yesterday
```

## Fix safety

No automatic fix: fetch fresh CRLs from each CA (and automate it).
"""

from __future__ import annotations

from typing import Iterable

from tlslint.findings import Finding, Related, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import related_cert, verify_on, when
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS404", "crl-unusable", Severity.ERROR,
            "a CRL used for verification is expired, not yet valid, or missing for a CA",
            dialects=ALL_DIALECTS)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    if not endpoint.crl_files or not verify_on(endpoint):
        return
    now = ctx.options.validation_time()
    issuers: set[str] = set()
    bad: set[str] = set()  # CRLs that claim a CA's name but not its key: reported once, above
    loaded_any = False
    cas = []
    for ref in endpoint.ca_files:
        ca_file = ctx.pki.load(ref)
        if ca_file.ok:
            cas += ca_file.certs
    for ref in endpoint.crl_files:
        lf = ctx.pki.load(ref)
        if not lf.ok:
            continue  # TLS002/003/004/006 say why
        loaded_any = True
        for crl in lf.crls:
            same_name = [ca for ca in cas if ca.subject == crl.issuer]
            if same_name and not any(_signed_by(crl, ca) for ca in same_name):
                yield ctx.finding(ref.setting, f"the CRL named as from {crl.issuer} in {lf.display} is not "
                                               "signed by that CA's key: every peer certificate fails "
                                               "verification ('CRL signature failure')",
                                  endpoint=endpoint, related=[Related(lf.display, f"CRL {crl.index}")])
                bad.add(crl.issuer)
                continue
            issuers.add(crl.issuer)
            next_update = crl.crl.next_update_utc
            last_update = crl.crl.last_update_utc
            where = Related(lf.display, f"CRL {crl.index} from {crl.issuer}")
            if next_update is not None and next_update < now:
                yield ctx.finding(ref.setting, f"the CRL from {crl.issuer} in {lf.display} expired on "
                                               f"{when(next_update)}: every peer certificate fails "
                                               "verification ('CRL has expired')",
                                  endpoint=endpoint, related=[where])
            elif last_update > now:
                yield ctx.finding(ref.setting, f"the CRL from {crl.issuer} in {lf.display} is not valid "
                                               f"before {when(last_update)}: peer certificates fail "
                                               "verification ('CRL is not yet valid')",
                                  endpoint=endpoint, related=[where])
    if endpoint.dialect != "nginx" or not loaded_any:
        return
    # CRL_CHECK_ALL: every CA a peer chain can pass through needs its CRL
    setting = endpoint.crl_files[0].setting
    for ref in endpoint.ca_files:
        lf = ctx.pki.load(ref)
        if not lf.ok:
            continue
        for ca in lf.certs:
            if ca.is_ca and ca.subject not in issuers and ca.subject not in bad:
                yield ctx.finding(setting, f"no CRL from the CA {ca.subject} ({lf.display}) in the CRL "
                                           "file: nginx checks CRLs for every CA on the chain, so peers "
                                           "under it fail with 'unable to get certificate CRL'",
                                  endpoint=endpoint, related=[related_cert(ca, "no CRL")])


def _signed_by(crl, ca) -> bool:
    try:
        return ca.public_key is not None and crl.crl.is_signature_valid(ca.public_key)
    except Exception:  # unsupported key type: do not accuse the CRL
        return True
