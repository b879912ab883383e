"""TLS004 bad-pem: a file holds no usable object of the kind the setting expects.

## What it checks

* a certificate or CA file without any certificate (empty, garbage, only a
  key, a certificate signing request instead of a certificate);
* a key file without a private key, or with a key the server cannot read
  (OpenSSH format, damaged block);
* a file that is meant to hold the certificate *and* its key (MongoDB's
  combined PEM, an nginx certificate file used as its own key) without the key;
* a CRL file without a CRL;
* damage anywhere: a PEM block without its END line, stray base64 outside
  any block, a block that does not decode, DER (binary) where the server
  reads PEM, two private keys in one file.

## Why it matters

nginx stops with `PEM_read_bio_X509_AUX() failed (... no start line)` or
`PEM_read_bio_PrivateKey() failed`; RabbitMQ fails with `ekeyfile`/`ecertfile`
or a `badmatch` for two keys; Go and Envoy services refuse to start.

## Example

```
$ head -1 certs/site.key
-----BEGIN CERTIFICATE-----        # the certificate was copied over the key
```

## Fix safety

No automatic fix: the right content has to come from where the certificate
was issued.
"""

from __future__ import annotations

from typing import Iterable, Optional

from tlslint.findings import Finding, Related, Severity
from tlslint.model import FileRef, TlsEndpoint
from tlslint.pki.objects import LoadedFile
from tlslint.pki.report import load_failure_consequence
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS004", "bad-pem", Severity.ERROR,
            "no usable certificate/key/CRL in the file, or a damaged PEM file",
            dialects=ALL_DIALECTS, load_time=True)


def _what_is_there(lf: LoadedFile) -> str:
    parts = []
    if lf.certs:
        parts.append(f"{len(lf.certs)} certificate(s)")
    if lf.keys:
        parts.append(f"{len(lf.keys)} private key(s)")
    if lf.crls:
        parts.append(f"{len(lf.crls)} CRL(s)")
    parts += [f"a \"{b}\" block" for b in dict.fromkeys(lf.other_blocks)]
    if not parts:
        return "it is empty" if lf.encoding == "empty" else "it holds nothing recognisable"
    return "it holds only " + ", ".join(parts)


def _fatal(problem: str, dialect: str) -> bool:
    fatal = getattr(problem, "fatal", True)
    if fatal is None:  # depends on the server: Erlang/OTP is strict, OpenSSL takes the first
        return dialect == "rabbitmq"
    return fatal


def problems_for(ref: FileRef, lf: LoadedFile, key_expected: bool) -> list[str]:
    """What is wrong with ``lf`` when used as ``ref.kind`` (fatal ones first)."""
    out: list[str] = []
    kind = ref.kind
    if kind in ("cert", "ca") and not lf.certs:
        out.append(f"no certificate in {lf.display}: {_what_is_there(lf)}")
    if kind == "key" or key_expected:
        if not lf.keys:
            if kind == "key":
                out.append(f"no private key in {lf.display}: {_what_is_there(lf)}")
            else:
                out.append(f"the private key is expected in {lf.display} with the certificate, "
                           "but the file holds none")
        else:
            first = lf.keys[0]
            if first.error:
                out.append(f"the private key in {lf.display} cannot be loaded: {first.error}")
    if kind == "crl" and not lf.crls:
        out.append(f"no CRL in {lf.display}: {_what_is_there(lf)}")
    for p in lf.pem_problems:
        out.append(f"{lf.display}: {p}")
    return out


def start_file_problem(kind: str, data: bytes) -> Optional[str]:
    """What nginx refuses in a DH parameters, session ticket key or OCSP
    response file (its own words), or None."""
    if kind == "ticket_key":
        return None if len(data) in (48, 80) else f"it holds {len(data)} bytes; it must be 48 or 80 bytes"
    try:
        if kind == "dhparam":
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import dh

            if isinstance(serialization.load_pem_parameters(data), dh.DHParameters):
                return None
            return "it holds no DH parameters (PEM_read_bio_DHparams failed)"
        if kind == "ocsp_response":
            from cryptography.x509 import ocsp

            ocsp.load_der_ocsp_response(data)
            return None
    except Exception:  # noqa: BLE001 - any parse failure is the finding
        return ("it holds no DH parameters (PEM_read_bio_DHparams failed)" if kind == "dhparam"
                else "it is not a DER OCSP response (d2i_OCSP_RESPONSE_bio failed)")
    return None


def _start_files(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    for ref in endpoint.other_files:
        lf = ctx.pki.load(ref)
        if not lf.ok:
            continue  # TLS002/003/006 report it
        problem = start_file_problem(ref.kind, lf.data)
        if problem is not None:
            yield ctx.finding(ref.setting, f"{lf.display}: {problem}; {load_failure_consequence(endpoint, ref)}",
                              endpoint=endpoint)


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    yield from _start_files(endpoint, ctx)
    key_in_cert = {id(p.cert) for p in endpoint.pairs
                   if p.cert is not None and p.key is None and p.key_in_cert_file}
    for ref in endpoint.file_refs():
        if ref.kind not in ("cert", "key", "ca", "crl"):
            continue  # password, DH parameters, ticket keys...: not certificate material
        lf = ctx.pki.load(ref)
        if not lf.ok:
            continue  # TLS002/003/006 report it
        if ref.kind == "crl" and not lf.crls and lf.certs and endpoint.dialect == "nginx":
            continue  # nginx loads certificates from a CRL file without complaint: TLS404 says what fails
        problems = problems_for(ref, lf, id(ref) in key_in_cert)
        if not problems:
            continue
        problems.sort(key=lambda p: not _fatal(p, endpoint.dialect))
        if _fatal(problems[0], endpoint.dialect):
            # a file with some PEM block in it passes RabbitMQ's boot-time check
            readable = bool(lf.certs or lf.keys or lf.crls or lf.other_blocks)
            consequence = load_failure_consequence(endpoint, ref, content=readable)
        else:
            consequence = "the server still loads it, but the file is damaged and the next edit may break it"
        yield ctx.finding(
            ref.setting,
            f"{problems[0]}; {consequence}",
            endpoint=endpoint,
            related=[Related(lf.display, p) for p in problems[1:]],
        )
