"""TLS206 verify-depth-too-small: the verify depth is smaller than the CA hierarchy needs.

## What it checks

When an endpoint verifies its peer (nginx `ssl_verify_client on|optional`,
`proxy_ssl_verify on`; RabbitMQ `verify_peer`; Envoy validation contexts),
tlslint finds the deepest CA in the configured CA files and counts the
intermediates between a certificate that CA issues and the root, the way
the server counts them:

* nginx / OpenSSL >= 1.1.0: every intermediate, self-issued ones included,
  must fit in `ssl_verify_depth` (default **1**: one intermediate is fine,
  two are not);
* RabbitMQ / Erlang/OTP: only intermediates that are not self-issued count
  against `depth` (default 10 on current OTP);
* Envoy / BoringSSL: intermediates plus the root must fit in `max_verify_depth`.

Depth is only enforced where peer verification is on. The peer may send
more intermediates than the CA file holds, so the number is a minimum.

## Why it matters

The handshake fails for every peer whose chain is deeper: OpenSSL reports
`certificate chain too long` (error 22), Erlang `{bad_cert,
max_path_length_reached}`. A two-level private PKI with nginx's default
depth of 1 is the classic case.

## Example

```nginx
ssl_client_certificate ca/root-and-two-intermediates.pem;
ssl_verify_client on;          # ssl_verify_depth defaults to 1, needs 2
```

## Fix safety

Safe: raising the depth to what the configured CA hierarchy needs accepts
exactly the peers that CA hierarchy already vouches for.
"""

from __future__ import annotations

from typing import Iterable, Optional

from tlslint.findings import Edit, Finding, Fix, Severity
from tlslint.model import TlsEndpoint
from tlslint.pki.report import related_cert, verify_on
from tlslint.rulebase import ALL_DIALECTS, CheckContext, Rule

RULE = Rule("TLS206", "verify-depth-too-small", Severity.ERROR,
            "the CA hierarchy needs a larger verify depth than the config (or its default) allows",
            fix="safe", dialects=ALL_DIALECTS)

NGINX_DEFAULT_DEPTH = 1


def _depth_key(endpoint: TlsEndpoint) -> str:
    if endpoint.depth.setting is not None:
        return endpoint.depth.setting.key
    v = endpoint.verify.setting
    key = v.key if v is not None else ""
    if endpoint.dialect == "nginx":
        if key.endswith("_verify_client"):
            return key[: -len("_verify_client")] + "_verify_depth"
        if key.endswith("_verify"):
            return key + "_depth"
        return "ssl_verify_depth" if endpoint.role == "server" else "proxy_ssl_verify_depth"
    if endpoint.dialect == "rabbitmq":
        return key.rsplit(".", 1)[0] + ".depth" if "." in key else "ssl_options.depth"
    if endpoint.dialect == "envoy":
        return "max_verify_depth"
    return "depth"


def _edit(endpoint: TlsEndpoint, key: str, n: int) -> list[Edit]:
    try:
        from tlslint.dialects import for_dialect

        mod = for_dialect(endpoint.dialect)
        if endpoint.depth.setting is not None:
            return [mod.set_value(endpoint.depth.setting, str(n))]
        return [mod.insert_setting(endpoint, key, str(n))]
    except Exception:  # noqa: BLE001 - the dialect may not support this edit yet
        return []


def check_endpoint(endpoint: TlsEndpoint, ctx: CheckContext) -> Iterable[Finding]:
    if not verify_on(endpoint):
        return
    sem = endpoint.depth_semantics
    if sem == "go":
        return  # Go has no verify depth
    need = ctx.pki.ca_depth_needed(endpoint)
    if need is None:
        return
    allowed: Optional[int] = endpoint.depth.value
    note = endpoint.depth.default_note
    if allowed is None:
        if endpoint.depth.setting is not None:
            return  # unparsable value: another rule's business
        if endpoint.dialect != "nginx":
            return
        allowed, note = NGINX_DEFAULT_DEPTH, "nginx default"
    if sem == "otp":
        needed, counted = need.otp, "intermediate CA(s) that are not self-issued"
        error = "{bad_cert,max_path_length_reached}"
    elif sem == "envoy":
        needed, counted = need.openssl + 1, "CA certificate(s) including the root"
        error = "'certificate chain too long'"
    else:
        needed, counted = need.openssl, "intermediate CA(s)"
        error = "'certificate chain too long'"
    if needed <= allowed:
        return
    key = _depth_key(endpoint)
    where = endpoint.depth.setting or endpoint.verify.setting or endpoint.anchor
    root = need.path[-1]
    source = "as configured" if endpoint.depth.setting is not None else (note or "the default")
    peer = "client" if endpoint.role == "server" else "server"
    if len(need.path) == 1:
        where_ca = f"a {peer} certificate issued directly by the root {root.subject} ({root.file})"
    else:
        where_ca = (f"{need.ca.subject} in {need.ca.file} is {len(need.path) - 1} level(s) below the root "
                    f"{root.subject}: a {peer} certificate it issues")
    msg = (f"{where_ca} passes through {needed} {counted}, "
           f"but {key} allows {allowed} ({source}); those {peer}s will fail with {error}")
    fix = Fix(title=f"set {key} to {needed}", applicability="safe", edits=_edit(endpoint, key, needed))
    related = [related_cert(c) for c in need.path]
    yield ctx.finding(where, msg, endpoint=endpoint, related=related, fix=fix)
