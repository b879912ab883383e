"""Helpers for the nginx dialect tests: write config trees, parse them, ask nginx."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Optional

from conftest import CORPUS as SHARED_CORPUS
from tlslint.dialects import nginx
from tlslint.model import Document
from tlslint.options import Options

ROOT = Path(__file__).resolve().parents[2]
CORPUS = SHARED_CORPUS / "nginx"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def write_tree(base: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``base`` (text is dedented)."""
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return base


def parse_file(path: Path, options: Optional[Options] = None) -> Document:
    docs = nginx.parse(path, "nginx", options or Options())
    assert len(docs) == 1
    return docs[0]


def parse_conf(tmp_path: Path, text: str, name: str = "nginx.conf", **more: str) -> Document:
    files = {name: text, **more}
    write_tree(tmp_path, files)
    return parse_file(tmp_path / name)


def codes(doc: Document) -> list[str]:
    return [p.code for p in doc.problems]


def tls001(doc: Document) -> list[tuple[str, int, str]]:
    """(file name, line, message) of every TLS001 problem."""
    return [(p.location.source.path.name, p.location.start()[0], p.message)
            for p in doc.problems if p.code == "TLS001"]


def endpoint(doc: Document, label_part: str, role: str = "server"):
    found = [e for e in doc.endpoints if e.role == role and label_part in e.label]
    assert len(found) == 1, [e.label for e in doc.endpoints]
    return found[0]


def nginx_oracle(tmp_path: Path, text: str) -> Optional[tuple[str, Optional[int]]]:
    """(message, line) of nginx -t's first emerg, or ("ok", None); None when
    nginx cannot be run here."""
    if NGINX is None or os.geteuid() != 0:
        return None
    d = tmp_path / "oracle"
    (d / "logs").mkdir(parents=True, exist_ok=True)
    conf = d / "nginx.conf"
    conf.write_text(text)
    proc = subprocess.run([NGINX, "-t", "-q", "-c", str(conf), "-p", str(d) + "/"],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode == 0:
        return ("ok", None)
    m = re.search(r"\[emerg\] [0-9#]+: (.*) in (\S+):(\d+)", proc.stderr)
    if not m:
        m2 = re.search(r"\[emerg\] [0-9#]+: (.*)", proc.stderr)
        return (m2.group(1) if m2 else proc.stderr.strip(), None)
    return (m.group(1), int(m.group(3)))
