"""TLS601 legacy-protocol: SSLv3, TLSv1.0 or TLSv1.1 is enabled, explicitly or by default.

What it checks
    The protocol versions an endpoint accepts, after the server's defaults:
    nginx ``ssl_protocols`` (default TLSv1.2 TLSv1.3 since 1.27.3; TLSv1 and
    TLSv1.1 were on by default before), RabbitMQ ``ssl_options.versions``,
    ``min_version``/``minVersion``/``minimumtls`` of the YAML services.

Why it matters
    TLS 1.0 and 1.1 are deprecated (RFC 8996): no modern browser or client
    library needs them, PCI DSS forbids them, and they only keep weak
    ciphers (CBC with SHA-1, 3DES) alive. SSLv2/SSLv3 are broken (POODLE,
    DROWN).

Example
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;   # TLS601

Fix safety
    Unsafe (``--unsafe-fixes``): restricting to TLSv1.2 and TLSv1.3 locks out
    very old clients.
"""

from tlslint.findings import Severity
from tlslint.model import LEGACY_PROTOCOLS, PROTOCOLS
from tlslint.policyfix import restrict_protocols
from tlslint.rulebase import Rule

RULE = Rule("TLS601", "legacy-protocol", Severity.WARNING,
            "SSLv3, TLSv1.0 or TLSv1.1 enabled, explicitly or by the server's default", fix="unsafe")


def check_endpoint(endpoint, ctx):
    protocols = endpoint.protocols
    legacy = [p for p in PROTOCOLS if p in LEGACY_PROTOCOLS and p in protocols.value]
    if not legacy:
        return
    names = " ".join(legacy)
    if protocols.setting is not None:
        yield ctx.finding(_enabling(protocols, legacy), f"{endpoint.label} enables legacy {names}: "
                                                      "allow only TLSv1.2 and TLSv1.3", endpoint=endpoint,
                          fix=restrict_protocols(endpoint))
    else:
        note = f" ({protocols.default_note})" if protocols.default_note else ""
        yield ctx.finding(endpoint.anchor, f"{endpoint.label} enables legacy {names} by default{note}: "
                                           "set the protocols to TLSv1.2 and TLSv1.3", endpoint=endpoint,
                          fix=restrict_protocols(endpoint))


def _enabling(protocols, legacy):
    """The line that enables a legacy protocol, when several lines make up the
    value (nginx ORs repeated ssl_protocols); else the one setting."""
    lowered = {p.lower() for p in legacy}
    for setting in (protocols.setting, *protocols.others):
        words = [a.value.lower() for a in setting.args] or setting.value.lower().split()
        if lowered & set(words):
            return setting
    return protocols.setting
