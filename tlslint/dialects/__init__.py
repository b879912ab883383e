"""Dialect families: each one detects its files and parses them into Documents.

A family module (``nginx``, ``rabbitmq``, ``yaml``) provides:

* ``NAME``: family name.
* ``detect(path: Path, head: str) -> str | None``: the dialect name of this
  file (``nginx``, ``rabbitmq``, ``prometheus``...), or None. ``head`` is the
  decoded beginning of the file (up to 64 KiB). Must be cheap.
* ``parse(path: Path, dialect: str, options: Options) -> list[Document]``:
  parse the file and what it includes. Never raises for bad input: syntax
  errors become ``Problem("TLS001", ...)`` in the document. Included files
  appear in ``Document.sources`` so the engine does not analyse them alone.
* ``set_value(setting, new_value) -> Edit``, ``insert_setting(endpoint, key,
  value) -> Edit``, ``remove_setting(setting) -> Edit``: text edits that keep
  the dialect's quoting, indentation and line endings (used by fixes).

Modules are imported lazily: a run that only meets YAML never imports lark.
"""

from __future__ import annotations

import importlib
from types import ModuleType

FAMILIES = ("nginx", "rabbitmq", "yaml")

# dialect name -> family module
DIALECT_FAMILY = {
    "nginx": "nginx",
    "rabbitmq": "rabbitmq",
    "prometheus": "yaml",
    "envoy": "yaml",
    "traefik": "yaml",
    "mongodb": "yaml",
    "elasticsearch": "yaml",
    "etcd": "yaml",
    "docker-registry": "yaml",
    "kubeconfig": "yaml",
}


def family(name: str) -> ModuleType:
    return importlib.import_module(f"tlslint.dialects.{name}")


def for_dialect(dialect: str) -> ModuleType:
    return family(DIALECT_FAMILY[dialect])
