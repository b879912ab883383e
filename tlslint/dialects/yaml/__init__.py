"""The YAML dialect family: Prometheus/exporter-toolkit (and dskit), Envoy,
Traefik, MongoDB, Elasticsearch, etcd, Docker registry, kubeconfig.

Public API (see tlslint/dialects/__init__.py):

* ``NAME = "yaml"``, ``DIALECTS``: the dialect names of this family.
* ``detect(path, head)``: file name, then top-level key signature, then
  ``apiVersion``/``kind`` (detect.py).
* ``parse(path, dialect, options)``: one Document per file. Never raises on
  bad input: invalid YAML is TLS001 (line and column), templated files are an
  info TLS006 and skipped, duplicate keys are TLS009, unknown keys in TLS
  sections are TLS007, values the service rejects (``min_version: TLS111``)
  are TLS001 with the service's own words.
* ``set_value``, ``insert_setting``, ``remove_setting``: span edits (edit.py).

Document.settings holds every key of the file: ``key`` is the dotted path
(``tls_server_config.cert_file``, ``static_resources.listeners[0].name``),
``raw == source.text[span]`` is the value as written (quotes, block
indicator), ``value`` what the YAML loader makes of it. A key whose value is a
mapping is located at the key itself (value ""). Aliases are located at their
anchor.

Endpoint ``settings`` hold the section's settings by their key relative to
the section (Envoy: snake_case even when written in camelCase), plus facts
whose presence means "true" and whose Setting is where it comes from:

* ``fact.ca_without_client_auth``: a client CA is configured but the server
  does not ask for client certificates; exporter-toolkit refuses to start.
* ``fact.ca_with_insecure_skip_verify``: kubeconfig CA plus
  ``insecure-skip-tls-verify`` (client-go: "specifying a root certificates
  file with the insecure flag is not allowed").
* ``fact.ca_enables_client_auth``: etcd ``client-cert-auth: false`` next to a
  ``trusted-ca-file`` (the CA alone turns on RequireAndVerifyClientCert).
* ``fact.client_cert_not_verified``: Go RequestClientCert/RequireAnyClientCert.
* ``fact.verify_disabled``: the setting that disables peer verification
  (``allowInvalidCertificates``, ``insecureSkipVerify``,
  ``verification_mode: none``, Envoy ``ACCEPT_UNTRUSTED``).
* ``fact.hostname_check_disabled``: ``allowInvalidHostnames``,
  ``verification_mode: certificate``.
* ``fact.allow_expired``: Envoy ``allow_expired_certificate: true``.
* ``fact.system_roots``: the peer is verified against the system roots (no
  CA configured, which Go accepts: a client's server check, and an
  exporter-toolkit/dskit server's client-certificate check; not TLS205).
* ``fact.auto_tls``: etcd ``auto-tls: true`` (self-signed, generated).
* ``fact.keystore``: Elasticsearch PKCS#12/JKS keystore or truststore (not
  checked).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from tlslint.model import Comment, Document, Location, Problem, TlsEndpoint, Setting
from tlslint.readfile import FileAccessError, read_bytes
from tlslint.source import Source, Span

from tlslint.dialects.yaml.detect import detect as _detect

NAME = "yaml"
DIALECTS = ("prometheus", "envoy", "traefik", "mongodb", "elasticsearch", "etcd", "docker-registry", "kubeconfig")

SERVICE_LABEL = {
    "prometheus": "exporter-toolkit",
    "envoy": "Envoy",
    "traefik": "Traefik",
    "mongodb": "mongod",
    "elasticsearch": "Elasticsearch",
    "etcd": "etcd",
    "docker-registry": "the registry",
    "kubeconfig": "client-go",
}

# Which of duplicate keys the service keeps, and whether it refuses the file.
# exporter-toolkit reads with yaml.v2 UnmarshalStrict (duplicates are an
# error); Elasticsearch's YAML loader rejects duplicate keys; the other Go
# services decode with yaml.v2/sigs.k8s.io/yaml (the last value wins).
DUPLICATES = {
    "prometheus": ("error", "exporter-toolkit refuses the file (yaml UnmarshalStrict: duplicate key)"),
    "elasticsearch": ("error", "Elasticsearch refuses to start (duplicate settings key)"),
}

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def detect(path: Path, head: str) -> Optional[str]:
    return _detect(path, head)


def _module(dialect: str):
    from importlib import import_module
    name = {"docker-registry": "registry"}.get(dialect, dialect)
    return import_module(f"tlslint.dialects.yaml.services.{name}")


def _problem(doc: Document, code: str, offset: int, message: str, **data) -> Problem:
    text = doc.source.text
    offset = max(0, min(offset, len(text)))
    end = text.find("\n", offset)
    end = len(text) if end == -1 else end
    end = max(offset, end - 1 if text[offset:end].endswith("\r") else end)
    p = Problem(code, Location(doc.source, Span(offset, end)), message, data=dict(data))
    doc.problems.append(p)
    return p


def _template_offset(text: str) -> Optional[int]:
    for m in _TEMPLATE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start:m.start()].lstrip().startswith("#"):
            continue
        return m.start()
    return None


def parse(path: Path, dialect: str, options=None) -> list[Document]:
    path = Path(path)
    if dialect not in DIALECTS:
        raise ValueError(f"not a YAML dialect: {dialect}")
    try:
        data = read_bytes(path, config=True)
    except FileAccessError as exc:
        doc = Document(dialect, Source(path=path, text=""))
        _problem(doc, "TLS001", 0, f"cannot read the file: {exc.reason}")
        return [doc]
    source = Source.from_file(path, data)
    doc = Document(dialect, source)
    text = source.text
    if "\x00" in text:
        _problem(doc, "TLS001", text.index("\x00"), "not a text file (NUL byte)")
        return [doc]
    tpl = _template_offset(text)
    if tpl is not None:
        _problem(doc, "TLS006", tpl, "templated file (Helm/Go/Jinja `{{ }}`): TLS settings not checked; "
                 "check the rendered output instead", severity="info", skipped=True)
        return [doc]

    from tlslint.dialects.yaml.tree import YamlError, load, walk
    from tlslint.dialects.yaml.base import Ctx

    try:
        tree = load(text)
    except YamlError as exc:
        _problem(doc, "TLS001", exc.offset, f"invalid YAML: {exc.message}")
        return [doc]

    policy, refusal = DUPLICATES.get(dialect, ("last", ""))
    ctx = Ctx(source=source, dialect=dialect, document=doc, base_dir=path.parent,
              policy="last", doc_count=len(tree.documents))

    map_paths: dict[int, str] = {}
    for root in tree.documents:
        map_paths.setdefault(id(root), "")
        for p, occ, node in walk(root):
            doc.settings.append(ctx.setting(p, occ))
            if node.is_map:
                map_paths.setdefault(id(node), p)

    _duplicates(ctx, tree, map_paths, policy, refusal)
    doc.comments.extend(_comments(source, tree.scalar_spans))

    module = _module(dialect)
    for i, root in enumerate(tree.documents):
        ctx.doc_index = i
        module.build(ctx, root)
    return [doc]


def _duplicates(ctx, tree, map_paths, policy: str, refusal: str) -> None:
    service = SERVICE_LABEL[ctx.dialect]
    for dup in tree.duplicates:
        base = map_paths.get(id(dup.mapping), "")
        path = f"{base}.{dup.key}" if base else dup.key
        lines = [ctx.source.line_col(e.key_node.span.start)[0] for e in dup.entries]
        where = ", ".join(str(n) for n in lines[:-1]) + f" and {lines[-1]}"
        for e, line in zip(dup.entries[1:], lines[1:]):
            s = ctx.setting(path, e)
            if policy == "error":
                msg = f"`{path}` is given {len(lines)} times (lines {where}): {refusal}"
                severity = "error"
            else:
                msg = (f"`{path}` is given {len(lines)} times (lines {where}): {service} uses the last one "
                       f"(line {lines[-1]}) and silently ignores the others")
                severity = None
            data = {"key": path, "lines": lines, "winner_line": lines[-1]}
            if severity:
                data["severity"] = severity
            ctx.problem("TLS009", s, msg, at_key=True, **data)


_HASH = re.compile(r"(?:^|(?<=[ \t]))#", re.M)


def _comments(source: Source, spans: list[Span]) -> list[Comment]:
    import bisect

    text = source.text
    starts = [s.start for s in spans]
    out: list[Comment] = []
    pos = 0
    while True:
        m = _HASH.search(text, pos)
        if m is None:
            break
        at = m.start()
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0 and spans[i].start <= at < spans[i].end:
            pos = spans[i].end
            continue
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        stop = end - 1 if end > at and text[end - 1] == "\r" else end
        out.append(Comment(source, Span(at, stop), text[at + 1:stop]))
        pos = end
    return out


def set_value(setting: Setting, new_value):
    from tlslint.dialects.yaml.edit import set_value as _set
    return _set(setting, new_value)


def insert_setting(endpoint: TlsEndpoint, key: str, value):
    from tlslint.dialects.yaml.edit import insert_setting as _insert
    return _insert(endpoint, key, value)


def remove_setting(setting: Setting):
    from tlslint.dialects.yaml.edit import remove_setting as _remove
    return _remove(setting)
