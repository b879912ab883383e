"""Regenerate the example repository's certificates and keys.

    python examples/generate.py

The example PKI is committed (so `tlslint check examples/` works on a fresh
clone with no extra step). Its private keys are throw-away keys made by this
script for this demonstration only; they protect nothing. Certificates are
valid from 2025 to 2045, except the one that is meant to be expired.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from pkifactory import PkiFactory  # noqa: E402

UTC = dt.timezone.utc
FROM, UNTIL = dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2045, 1, 1, tzinfo=UTC)
LONG = {"not_before": FROM, "not_after": UNTIL}


def nginx() -> None:
    pki = PkiFactory(HERE / "nginx" / "certs")
    root = pki.root("Example Root CA", **LONG)
    inter = pki.intermediate(root, "Example Issuing CA", **LONG)
    www = pki.leaf(inter, "www.example.test", sans=["www.example.test", "example.test"], **LONG)
    api = pki.leaf(inter, "api.example.test", **LONG)
    legacy = pki.leaf(inter, "legacy.example.test", not_before=FROM,
                      not_after=dt.datetime(2025, 6, 1, tzinfo=UTC))
    pki.write("ca-bundle.pem", inter, root)   # what the CA handed out with the certificates
    pki.write("www.pem", www)                 # defect: leaf only (TLS101)
    pki.write_key("www.key", www)
    pki.write("api.pem", api, inter)
    pki.write_key("api.key", api)
    pki.write("legacy.pem", legacy, inter)    # defect: expired (TLS401)
    pki.write_key("legacy.key", legacy)
    # client certificates come from a two-level private PKI (TLS206 with depth 1)
    croot = pki.root("Example Client Root", **LONG)
    cpolicy = pki.intermediate(croot, "Example Client Policy CA", **LONG)
    cissuing = pki.intermediate(cpolicy, "Example Client Issuing CA", **LONG)
    pki.write("clients-ca.pem", cissuing, cpolicy, croot)


def rabbitmq() -> None:
    pki = PkiFactory(HERE / "rabbitmq" / "tls")
    root = pki.root("Example Broker Root", **LONG)
    inter = pki.intermediate(root, "Example Broker CA", **LONG)
    server = pki.leaf(inter, "rabbit.example.test", **LONG)
    pki.write("server.pem", server)           # leaf only: fine for RabbitMQ, cacertfile has the chain
    pki.write_key("server.key", server)
    pki.write("ca-bundle.pem", inter, root)


def prometheus() -> None:
    pki = PkiFactory(HERE / "prometheus" / "tls")
    root = pki.root("Example Monitoring Root", **LONG)
    leaf = pki.leaf(root, "prometheus.example.test", **LONG)
    pki.write("prometheus.pem", leaf)
    pki.write_key("prometheus.key", leaf)
    pki.write("clients-ca.pem", root)


if __name__ == "__main__":
    nginx()
    rabbitmq()
    prometheus()
