"""Which YAML service a file configures, from its name and its first 64 KiB.

Cheap on purpose: line regexes over the head, no YAML parsing. Order:
file name, then the signature of top-level (and second-level) keys, then the
``apiVersion``/``kind`` of each document. A file that matches nothing (a
Kubernetes Secret, an Ingress, a PEM file, an nginx or RabbitMQ config) is not
claimed.

A name match needs a YAML-ish suffix (``.yml``, ``.yaml``, ``.json``, none;
``.kubeconfig`` for kubeconfigs): ``kubeconfig.go`` or ``docs/kubeconfig.md``
are not configs. A ``.conf`` file (nginx's and RabbitMQ's too, whose detectors
run first) is claimed only when its content agrees: ``kind: Config`` with
clusters/users/contexts (kubeadm's ``admin.conf``, ``kubelet.conf``...) or a
mongod-shaped YAML. A Kubernetes object (top-level ``apiVersion`` and
``kind``: a Deployment, Pod, ConfigMap...) vetoes a name match
(``k8s/traefik.yaml``, ``manifests/etcd.yaml`` are workloads), unless it is
the service's own kind (kubeconfig ``Config``, Traefik CRDs); so does Grafana
provisioning (``apiVersion: 1`` with ``providers:``/``datasources:``...).
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Optional

YAML_SUFFIXES = {".yml", ".yaml", ".json", ""}
TRAEFIK_APIS = ("traefik.io/", "traefik.containo.us/")

_KEY_LINE = re.compile(
    r"""^(?P<indent>[ ]*)(?:-[ ]+)?(?:"(?P<dq>[^"\n]+)"|'(?P<sq>[^'\n]+)'|(?P<plain>[A-Za-z_@][\w.\-/@]*))[ \t]*:(?=[ \t]|$)""")
_API = re.compile(r"""^["']?apiVersion["']?\s*:\s*["']?([\w./-]+)""", re.M)
_KIND = re.compile(r"""^["']?kind["']?\s*:\s*["']?(\w+)""", re.M)
_FLOW_API = re.compile(r"""["']?apiVersion["']?\s*:\s*["']?([\w./-]+)""")
_FLOW_KIND = re.compile(r"""["']?kind["']?\s*:\s*["']?(\w+)""")

NAME_RULES = (
    (("web-config.yml", "web-config.yaml", "web.yml", "web.yaml", "web-config*.yml", "web-config*.yaml"), "prometheus"),
    (("loki*.yml", "loki*.yaml", "tempo*.yml", "tempo*.yaml", "mimir*.yml", "mimir*.yaml"), "prometheus"),
    (("envoy*.yaml", "envoy*.yml", "envoy*.json", "*.envoy.yaml", "*.envoy.yml"), "envoy"),
    (("traefik.yml", "traefik.yaml", "traefik-dynamic*.yml", "traefik-dynamic*.yaml"), "traefik"),
    (("mongod.conf", "mongos.conf", "mongod.yml", "mongod.yaml", "mongos.yml", "mongos.yaml"), "mongodb"),
    (("elasticsearch.yml", "elasticsearch.yaml"), "elasticsearch"),
    (("etcd.conf.yml", "etcd.conf.yaml", "etcd.yml", "etcd.yaml", "etcd-config.yml", "etcd-config.yaml"), "etcd"),
    (("kubeconfig", "*kubeconfig*", "*.kubeconfig"), "kubeconfig"),
)

PROMETHEUS_TOP = {"tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"}
ENVOY_TOP = {"static_resources", "dynamic_resources", "staticResources", "dynamicResources"}
ENVOY_ADMIN_COMPANIONS = {"node", "layered_runtime", "layeredRuntime", "overload_manager", "stats_sinks",
                          "cluster_manager", "clusterManager", "bootstrap_extensions"}
ETCD_TOP = {"client-transport-security", "peer-transport-security", "listen-client-urls", "listen-peer-urls",
            "initial-cluster", "initial-advertise-peer-urls", "advertise-client-urls", "initial-cluster-token",
            "initial-cluster-state"}
ES_TOP = {"cluster.name", "node.name", "network.host", "discovery.seed_hosts", "discovery.type", "path.data",
          "path.logs", "bootstrap.memory_lock", "cluster.initial_master_nodes", "http.port", "transport.port"}
MONGO_TOP = {"net", "storage", "systemLog", "processManagement", "security", "replication", "sharding",
             "setParameter", "operationProfiling", "auditLog", "snmp", "cloud"}
MONGO_NET = {"port", "bindIp", "bindIpAll", "tls", "ssl", "maxIncomingConnections", "unixDomainSocket", "ipv6",
             "compression", "wireObjectCheck", "serviceExecutor"}
REGISTRY_TOP = {"version", "log", "loglevel", "storage", "auth", "middleware", "reporting", "http", "notifications",
                "redis", "health", "proxy", "validation", "compatibility", "catalog", "tags", "policy"}
REGISTRY_HTTP = {"addr", "net", "prefix", "host", "secret", "relativeurls", "draintimeout", "tls", "debug",
                 "headers", "http2", "h2c"}
REGISTRY_TLS = {"certificate", "key", "clientcas", "clientauth", "minimumtls", "ciphersuites", "letsencrypt"}
TRAEFIK_DYNAMIC_TOP = {"http", "tcp", "udp", "tls"}
TRAEFIK_DYNAMIC_CHILDREN = {"routers", "services", "middlewares", "serversTransports"}
TRAEFIK_TLS_CHILDREN = {"certificates", "options", "stores"}
TRAEFIK_STATIC_TOP = {"entryPoints", "certificatesResolvers"}
GRAFANA_TOP = {"providers", "datasources", "deleteDatasources", "notifiers", "deleteNotifiers", "contactPoints",
               "deleteContactPoints", "policies", "resetPolicies", "templates", "deleteTemplates", "muteTimes",
               "deleteMuteTimes", "groups", "deleteRules", "apps"}
# children of a Traefik static ``providers:`` mapping (Grafana provisioning has
# a ``providers:`` list of {name, orgId, folder, type, options})
TRAEFIK_PROVIDERS = {"file", "docker", "swarm", "kubernetesCRD", "kubernetesIngress", "kubernetesGateway",
                     "kubernetesIngressNGINX", "consulCatalog", "consul", "nomad", "ecs", "etcd", "zooKeeper",
                     "redis", "http", "rest", "plugin", "providersThrottleDuration", "marathon", "rancher"}


def _keys(head: str) -> tuple[list[str], dict[str, set[str]], dict[str, set[str]]]:
    """Top-level keys (in order), their direct children, and grandchildren keyed 'a.b'."""
    top: list[str] = []
    children: dict[str, set[str]] = {}
    grand: dict[str, set[str]] = {}
    current: Optional[str] = None
    child_indent: Optional[int] = None
    current_child: Optional[str] = None
    grand_indent: Optional[int] = None
    for line in head.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _KEY_LINE.match(line)
        if not m:
            if line[:1] not in (" ", "\t", "-"):
                current = None
            continue
        key = m.group("dq") or m.group("sq") or m.group("plain")
        indent = len(m.group("indent"))
        if indent == 0 and not line.startswith("-"):
            top.append(key)
            current, child_indent, current_child, grand_indent = key, None, None, None
            children.setdefault(key, set())
            continue
        if current is None:
            continue
        if line.lstrip().startswith("-"):
            indent += 2
        if child_indent is None:
            child_indent = indent
        if indent == child_indent:
            children[current].add(key)
            current_child, grand_indent = key, None
        elif indent > child_indent and current_child is not None:
            if grand_indent is None:
                grand_indent = indent
            if indent == grand_indent:
                grand.setdefault(f"{current}.{current_child}", set()).add(key)
    return top, children, grand


def _by_name(path: Path) -> Optional[str]:
    name = path.name.lower()
    for patterns, dialect in NAME_RULES:
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            return dialect
    parts = [p.lower() for p in path.parts]
    if len(parts) >= 2 and parts[-2] == ".kube" and parts[-1] == "config":
        return "kubeconfig"
    return None


def detect(path: Path, head: str) -> Optional[str]:
    if "\x00" in head:
        return None
    suffix = path.suffix.lower()
    by_name = _by_name(path)
    if suffix not in YAML_SUFFIXES and suffix != ".conf":
        if by_name == "kubeconfig" and suffix == ".kubeconfig":
            pass
        elif not (suffix and path.name.lower().endswith((".yml.sample", ".yaml.sample"))):
            return None
    top, children, grand = _keys(head)
    topset = set(top)
    apis = set(_API.findall(head))
    kinds = set(_KIND.findall(head))
    if not topset and head.lstrip().startswith(("{", "---")):
        apis |= set(_FLOW_API.findall(head))
        kinds |= set(_FLOW_KIND.findall(head))

    if suffix == ".conf":
        # .conf is nginx's and RabbitMQ's too: only a kubeconfig (kubeadm's
        # admin.conf, kubelet.conf...) or a mongod-shaped YAML file is ours
        if _is_kubeconfig(topset, kinds):
            return "kubeconfig"
        if _is_mongodb(topset, children) and not _k8s_object(apis, kinds):
            return "mongodb"
        return None

    if by_name is not None and not _vetoed(by_name, apis, kinds, topset):
        return by_name

    if _is_kubeconfig(topset, kinds):
        return "kubeconfig"
    if {"clusters", "contexts"} <= topset and ("current-context" in topset or "v1" in apis):
        return "kubeconfig"
    if any(a.startswith(TRAEFIK_APIS) for a in apis):
        return "traefik"
    if _k8s_object(apis, kinds) or _grafana_provisioning(apis, topset):
        return None  # a Deployment, Pod, ConfigMap..., Grafana provisioning: not a service config
    if topset & ENVOY_TOP or ("admin" in topset and topset & ENVOY_ADMIN_COMPANIONS):
        return "envoy"
    if topset & {"tls_server_config", "basic_auth_users", "http_server_config"} and topset <= PROMETHEUS_TOP:
        return "prometheus"
    if "server" in topset and children.get("server", set()) & {"http_tls_config", "grpc_tls_config"}:
        # dskit (Loki, Tempo, Mimir); a Helm values.yaml with server.http_listen_port
        # and no TLS block is not claimed
        return "prometheus"
    if topset & ETCD_TOP:
        return "etcd"
    if any(k.startswith("xpack.") for k in topset) or topset & ES_TOP or (
            "xpack" in topset and "security" in children.get("xpack", set())):
        return "elasticsearch"
    if _is_mongodb(topset, children):
        return "mongodb"
    if _is_registry(head, topset, children, grand):
        return "docker-registry"
    if _is_traefik(topset, children):
        return "traefik"
    if "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3" in head and not kinds:
        return "envoy"
    return None


def _is_kubeconfig(topset: set[str], kinds: set[str]) -> bool:
    return "Config" in kinds and bool(topset & {"clusters", "users", "contexts"} or not topset)


def _k8s_object(apis: set[str], kinds: set[str]) -> bool:
    """Top-level ``apiVersion`` and ``kind``: a Kubernetes object (Grafana
    provisioning's ``apiVersion: 1`` has no kind)."""
    return bool(apis) and bool(kinds)


def _grafana_provisioning(apis: set[str], topset: set[str]) -> bool:
    """Grafana provisioning (``apiVersion: 1`` and ``providers:``, ``datasources:``...)."""
    return "1" in apis and bool(topset & GRAFANA_TOP)


def _vetoed(dialect: str, apis: set[str], kinds: set[str], topset: set[str]) -> bool:
    """A name match that the content contradicts: a Kubernetes object of another
    kind, or a Grafana provisioning file (``dashboards/traefik.yaml``)."""
    if _grafana_provisioning(apis, topset):
        return True
    if not _k8s_object(apis, kinds):
        return False
    if dialect == "kubeconfig":
        return "Config" not in kinds
    if dialect == "traefik":
        return not any(a.startswith(TRAEFIK_APIS) for a in apis)
    return True


def _is_mongodb(topset: set[str], children: dict[str, set[str]]) -> bool:
    if any(k.startswith(("net.tls.", "net.ssl.", "net.port", "net.bindIp", "storage.dbPath", "systemLog."))
           for k in topset):
        return True
    return "net" in topset and topset <= MONGO_TOP and bool(children.get("net", set()) & MONGO_NET)


def _is_registry(head: str, topset: set[str], children, grand) -> bool:
    if not topset or not topset <= REGISTRY_TOP:
        return False
    if re.search(r"^version:\s*['\"]?0\.1['\"]?\s*$", head, re.M) and topset & {"storage", "http", "log", "auth"}:
        return True
    http = children.get("http", set())
    if http & TRAEFIK_DYNAMIC_CHILDREN:
        return False
    if http & REGISTRY_HTTP:
        return True
    redis = children.get("redis", set())
    return bool(redis & {"addrs", "tls"}) and "tls" in redis and bool(grand.get("redis.tls", set())
                                                                      & {"certificate", "rootcas", "enabled"})


def _is_traefik(topset: set[str], children: dict[str, set[str]]) -> bool:
    if topset & TRAEFIK_STATIC_TOP:
        return True
    if "providers" in topset and children.get("providers", set()) & TRAEFIK_PROVIDERS:
        return True
    if not topset or not topset <= TRAEFIK_DYNAMIC_TOP:
        return False
    if children.get("tls", set()) & TRAEFIK_TLS_CHILDREN:
        return True
    return any(children.get(k, set()) & TRAEFIK_DYNAMIC_CHILDREN for k in ("http", "tcp", "udp"))
