"""The whole pipeline (parse, model, Pki, every rule, suppressions) on mutated
configs next to real certificate files: no internal error, ever."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from tlslint import engine
from tlslint.options import Options
from tlslint.source import encode

from .hostilekit import ERLANG_SEEDS, NGINX_SEEDS, RABBITMQ_CONF_SEEDS, YAML_SEEDS, mutated

sys.path.insert(0, str(Path(__file__).parent.parent))
from pkifactory import NOW, PkiFactory  # noqa: E402

SEEDS = {
    "nginx.conf": [s.replace("certs/", "") for s in NGINX_SEEDS],
    "rabbitmq.conf": [s.replace("/etc/rabbitmq/", "").replace("/etc/", "") for s in RABBITMQ_CONF_SEEDS],
    "advanced.config": ERLANG_SEEDS,
    "web.yml": [t for d, t in YAML_SEEDS if d == "prometheus"],
    "traefik.yml": [t for d, t in YAML_SEEDS if d == "traefik"],
}


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="tlslint-engine-fuzz-") as tmp:
        folder = Path(tmp)
        pki = PkiFactory(folder)
        root = pki.root("Engine Root")
        inter = pki.intermediate(root, "Engine Intermediate")
        leaf = pki.leaf(inter, "www.example.test")
        for name in ("site.pem", "server.pem", "server.crt", "a.pem"):
            pki.write(name, leaf, inter)
        for name in ("site.key", "server.key", "a.key"):
            pki.write_key(name, leaf)
        pki.write("ca.pem", root)
        (folder / "tlslint.toml").write_text('[dialects]\n"web.yml" = "prometheus"\n"traefik.yml" = "traefik"\n')
        yield folder


@given(data=st.data())
def test_fuzz_whole_pipeline_has_no_internal_error(workdir, data):
    from tlslint.config import load_config

    name = data.draw(st.sampled_from(sorted(SEEDS)))
    text = data.draw(mutated(SEEDS[name]))
    path = workdir / name
    path.write_bytes(encode(text))
    options = Options(now=NOW, use_system_store=False, trust=[workdir / "ca.pem"], root=workdir,
                      config=load_config(workdir / "tlslint.toml"))
    try:
        result = engine.check([path], options)
    finally:
        path.unlink()
    assert result.internal_errors == []
    for finding in result.findings:
        assert finding.code.startswith("TLS")
