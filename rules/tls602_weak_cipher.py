"""TLS602 weak-cipher: NULL, EXPORT, RC4, DES/3DES, MD5 or anonymous suites are enabled.

What it checks
    The cipher list of an endpoint (OpenSSL cipher strings for nginx,
    Erlang cipher names for RabbitMQ, Go/Envoy suite names for the YAML
    services), read the way OpenSSL reads it: a category is enabled when a
    positive entry names it (``RC4-SHA``, ``DES-CBC3-SHA``,
    ``TLS_RSA_WITH_3DES_EDE_CBC_SHA``) or a broad keyword brings it in
    (``ALL``, ``HIGH`` and ``MEDIUM`` bring the anonymous suites, ``LOW``,
    ``EXPORT``...) and no ``!``/``-`` entry takes it out again. As in
    OpenSSL, ``!ADH`` leaves the anonymous ECDH suites in (``!aNULL``
    removes both), and ``!NULL`` removes the unencrypted suites, not the
    anonymous ones. Not reported when only TLS 1.3 is enabled: the list
    then configures nothing that can be negotiated (TLS 1.3 suites are
    set apart, and some services ignore the list outright).

Why it matters
    These suites give no confidentiality (NULL), no authentication
    (anonymous), or are broken (RC4, EXPORT, DES, 3DES/Sweet32, MD5).

Example
    ssl_ciphers HIGH:!aNULL:DES-CBC3-SHA;   # TLS602: 3DES

Fix safety
    No automatic fix: pick a cipher list from a maintained profile
    (e.g. Mozilla's intermediate configuration).
"""

from __future__ import annotations

import re

from tlslint.findings import Severity
from tlslint.rulebase import Rule

RULE = Rule("TLS602", "weak-cipher", Severity.WARNING,
            "NULL, EXPORT, RC4, DES, 3DES, MD5 or anonymous suites enabled")

# category -> (pattern a cipher name or keyword of that category matches, label).
# Anonymous suites come in two families OpenSSL excludes separately: ``!ADH``
# leaves the elliptic-curve ones (AECDH) in; ``!aNULL`` removes both.
ANON = "anonymous (no authentication)"
CATEGORIES = {
    "NULL": (re.compile(r"(^|[-_])E?NULL($|[-_])|^COMPLEMENTOFALL$"), "NULL (no encryption)"),
    "ADH": (re.compile(r"^ADH|^ANULL$|^TLS_DH_ANON_|^ANON"), ANON),
    "AECDH": (re.compile(r"^AECDH|^ANULL$|^TLS_ECDH_ANON_|^ANON"), ANON),
    "EXPORT": (re.compile(r"^EXP(ORT)?($|[-_0-9])|_EXPORT"), "EXPORT"),
    "RC4": (re.compile(r"RC4"), "RC4"),
    "DES": (re.compile(r"(^|[-_])(3?DES|DES-CBC3|DES_EDE)|3DES|^LOW$"), "DES/3DES"),
    "MD5": (re.compile(r"(^|[-_])MD5$|^MD5$"), "MD5"),
}
# Broad keywords and the weak categories they pull in (OpenSSL semantics; the
# categories that exist in the library the server links, at worst). HIGH and
# MEDIUM include the anonymous suites, which is why nginx's default is
# HIGH:!aNULL:!MD5; COMPLEMENTOFDEFAULT is what DEFAULT leaves out of ALL.
BROAD = {
    "ALL": {"ADH", "AECDH", "EXPORT", "RC4", "DES", "MD5"},
    "COMPLEMENTOFALL": {"NULL"},
    "COMPLEMENTOFDEFAULT": {"ADH", "AECDH", "RC4", "DES"},
    "HIGH": {"ADH", "AECDH"},
    "MEDIUM": {"ADH", "AECDH", "DES", "RC4"},
    "LOW": {"DES"},
    "EXPORT": {"EXPORT"},
    "EXP": {"EXPORT"},
}
# Exclusion keywords and the categories they remove (NULL is eNULL: the
# suites without encryption, not the anonymous ones).
EXCLUDES = {
    "ANULL": {"ADH", "AECDH"}, "ADH": {"ADH"}, "AECDH": {"AECDH"},
    "ENULL": {"NULL"}, "NULL": {"NULL"}, "EXPORT": {"EXPORT"}, "EXP": {"EXPORT"},
    "RC4": {"RC4"}, "DES": {"DES"}, "3DES": {"DES"}, "LOW": {"DES"}, "MD5": {"MD5"},
    "MEDIUM": {"DES", "RC4", "ADH", "AECDH"},
}


def weak_categories(cipher_string: str) -> list[str]:
    enabled: set[str] = set()
    removed_for_good: set[str] = set()
    for token in re.split(r"[:,\s]+", cipher_string.strip()):
        if not token or token.startswith("@"):
            continue
        op = token[0] if token[0] in "!-+" else ""
        name = token[len(op):].upper()
        if op == "+":
            continue  # reordering only
        parts = name.split("+")  # AND-combined selectors, e.g. kEDH+AESGCM
        if op in ("!", "-"):
            gone = set().union(*(EXCLUDES.get(p, set()) for p in parts)) if len(parts) == 1 else set()
            if op == "!":
                removed_for_good |= gone
            enabled -= gone
            continue
        cats = set(BROAD.get(name, set()))
        cats |= {cat for cat, (pattern, _label) in CATEGORIES.items() if pattern.search(name)}
        enabled |= cats - removed_for_good
    return list(dict.fromkeys(CATEGORIES[c][1] for c in CATEGORIES if c in enabled))


def check_endpoint(endpoint, ctx):
    ciphers = endpoint.ciphers
    if not ciphers.value:
        return
    if endpoint.protocols.value and endpoint.protocols.value <= {"TLSv1.3"}:
        return  # the list configures TLS 1.2 and older suites only: never negotiated here
    weak = weak_categories(ciphers.value)
    if not weak:
        return
    where = ciphers.setting or endpoint.anchor
    yield ctx.finding(where, f"{endpoint.label} enables weak cipher suites: {', '.join(weak)}",
                      endpoint=endpoint)
