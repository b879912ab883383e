"""The YAML corpus (../shared/corpus/yaml/<service>/), used in place.

Every file is recognised as the service its folder names, or (PEM files, a
Kubernetes Secret, an Ingress) not claimed at all; parsing never raises;
every Setting is lossless; the files that are broken on purpose yield only
TLS001/TLS009, the others neither.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tlslint.dialects import yaml as Y
from yamlkit import CORPUS, assert_lossless, parse, problems

YAML_CORPUS = CORPUS / "yaml"
FOLDER_DIALECT = {
    "prometheus_web": "prometheus",
    "envoy": "envoy",
    "traefik": "traefik",
    "docker_registry": "docker-registry",
    "kubernetes": "kubeconfig",
    "mongodb": "mongodb",
    "elasticsearch": "elasticsearch",
    "etcd": "etcd",
}
NOT_CONFIG = {"tls-auth-secret.yaml", "tls-example-ingress.yaml"}  # Kubernetes objects, not service configs
BROKEN = {  # file -> the codes it must produce
    "configuration_md_full_sample.yml": {"TLS009"},
    "configuration_md_redis_tls.yml": {"TLS009"},
    "web_config_noAuth_wrongTLSVersion.bad.yml": {"TLS001"},
}
FILES = sorted(p for p in YAML_CORPUS.rglob("*") if p.is_file() and p.parent != YAML_CORPUS)


pytestmark = pytest.mark.skipif(not YAML_CORPUS.is_dir(), reason="shared corpus not present")


def test_corpus_present():
    assert len(FILES) > 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file(path: Path):
    head = path.read_bytes()[:65536].decode("utf-8", "replace")
    dialect = Y.detect(path, head)
    is_config = path.suffix in (".yml", ".yaml") and path.name not in NOT_CONFIG
    if not is_config:
        assert dialect is None
        return
    assert dialect == FOLDER_DIALECT[path.parent.name]
    doc = parse(path, dialect)
    assert_lossless(doc)
    codes = {p.code for p in doc.problems}
    parse_codes = codes & {"TLS001", "TLS009"}
    assert parse_codes == BROKEN.get(path.name, set()), doc.problems
    assert "TLS007" not in codes


def test_corpus_endpoints():
    """A few facts from the corpus, as the services read them."""
    d = parse(YAML_CORPUS / "envoy" / "double-proxy_envoy-backend.yaml")
    (ep,) = d.endpoints
    assert (ep.role, ep.verify.value, ep.label) == ("server", "required",
                                                    "envoy listener postgres_listener filter_chains[0]")
    assert [c.path for c in ep.ca_files] == ["certs/cacert.pem"]
    d = parse(YAML_CORPUS / "envoy" / "websocket_envoy-wss.yaml")
    client = [e for e in d.endpoints if e.role == "client"][0]
    assert client.verify.value == "none" and client.verify.is_default
    d = parse(YAML_CORPUS / "kubernetes" / "config-demo.kubeconfig.yaml")
    assert [(e.label, e.verify.value) for e in d.endpoints] == [
        ("kubeconfig context dev-frontend", "required"), ("kubeconfig context exp-test", "none")]
    d = parse(YAML_CORPUS / "docker_registry" / "configuration_md_redis_tls.yml")
    assert problems(d) == [("TLS009", 9)]
    d = parse(YAML_CORPUS / "traefik" / "07-ingressroute-serverstransport.yml")
    (ep,) = d.endpoints
    assert ep.role == "client" and ep.verify.value == "none" and ep.verify.setting.line == 28
