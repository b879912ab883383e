"""The RabbitMQ dialect: rabbitmq.conf (+ conf.d, includes) and advanced.config.

Public interface (see tlslint/dialects/__init__.py): ``NAME``, ``detect``,
``parse``, ``set_value``, ``insert_setting``, ``remove_setting``; plus
``quote_value`` and ``requote_edit`` for the quoting fixes (TLS704).

A Document is the effective configuration of one node, built the way
RabbitMQ builds it (reference/rabbitmq.md sections 1 and 3): the main file,
its includes, ``conf.d/*.conf`` in sorted order, last value wins, then
``advanced.config`` replacing whole ``{App, Key}`` values. Every file that
contributed is in ``Document.sources``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from tlslint.dialects.rabbitmq.conf import ConfFile, ConfSetting, Include, key_segments, parse_file
from tlslint.dialects.rabbitmq.nodeconf import NodeConfig, load_node
from tlslint.findings import Edit
from tlslint.model import Document, Setting, TlsEndpoint
from tlslint.source import Span

NAME = "rabbitmq"

# first key segments that only RabbitMQ uses (for detecting *.conf files by content)
RABBIT_TOP = frozenset("""
listeners ssl_options management loopback_users log cluster_formation default_user default_pass
default_vhost default_user_tags default_permissions vm_memory_high_watermark disk_free_limit
auth_backends auth_mechanisms mqtt stomp stream web_mqtt web_stomp prometheus auth_ldap auth_http
auth_oauth2 auth_cache trust_store amqp_client amqp10_client num_acceptors heartbeat channel_max
frame_max cluster_name cluster_partition_handling queue_master_locator collect_statistics_interval
definitions load_definitions ssl_handshake_timeout tcp_listen_options proxy_protocol
cluster_keepalive_interval consumer_timeout deprecated_features ssl_cert_login_from
ssl_allow_poodle_attack handshake_timeout reverse_dns_lookups federation shovel http_dispatch
queue_leader_locator default_queue_type total_memory_available_override_value mirroring_sync_batch_size
max_message_size distribution raft quorum_queue classic_queue vhost_max connection_max channel_max_per_node
event_exchange tracing aws exchange_federation queue_federation shovel_plugin sharding consistent_hash_exchange
message_interceptors metadata_store khepri
""".split())

_CUTTLEFISH_LINE = re.compile(r"^[ \t]*((?:\\\.|[A-Za-z0-9_-])+(?:\.(?:\\\.|[A-Za-z0-9_-])+)*)[ \t]*=")
_INCLUDE_LINE = re.compile(r"^[ \t]*include[ \t]+[A-Za-z0-9_.*/-]+[ \t]*(#.*)?$")
_NGINX_LINE = re.compile(r"[;{}][ \t]*(#.*)?$")


def detect(path: Path, head: str) -> Optional[str]:
    name = path.name
    if name in ("advanced.config", "rabbitmq.config") or name.endswith(".advanced.config"):
        return NAME
    if path.suffix != ".conf" and name != "rabbitmq.conf":
        return None
    text = head[1:] if head.startswith("\ufeff") else head
    cuttlefish = rabbit = 0
    in_multiline = False
    for line in text.splitlines():
        if in_multiline:
            if "'''" in line:
                in_multiline = False
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _CUTTLEFISH_LINE.match(line)
        if match:
            cuttlefish += 1
            if key_segments(match.group(1))[0] in RABBIT_TOP:
                rabbit += 1
            if line.count("'''") == 1:
                in_multiline = True
            continue
        if _INCLUDE_LINE.match(line):
            continue
        if _NGINX_LINE.search(stripped) or stripped.startswith(("server", "http", "location")):
            return None
    if rabbit or name == "rabbitmq.conf" or (cuttlefish and name.startswith("rabbitmq")):
        return NAME
    return None


def parse(path: Path, dialect: str = NAME, options=None) -> list[Document]:
    node = load_node(Path(path), options)
    return [node.document]


# --- edits ---------------------------------------------------------------

_SAFE_UNQUOTED = re.compile(r"^[^\s#'\r\n](?:[^#\r\n]*[^\s#\r\n])?$")


def quote_value(value: str) -> str:
    """How ``value`` must be written in rabbitmq.conf so cuttlefish reads it back exactly."""
    if _SAFE_UNQUOTED.match(value) and not value.startswith('"'):
        return value
    if "'" not in value:
        return f"'{value}'"
    if "'''" not in value and not value.startswith(("'", "\n")) and not value.endswith(("'", "\n")):
        return f"'''{value}'''"
    raise ValueError("this value cannot be written in rabbitmq.conf (it contains quotes at its ends)")


def _erlang_value(setting: Setting, new_value: str) -> str:
    raw = setting.raw.lstrip()
    if raw.startswith('"'):
        return '"' + new_value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if raw.startswith("<<"):
        return '<<"' + new_value.replace("\\", "\\\\").replace('"', '\\"') + '">>'
    if re.fullmatch(r"-?[0-9]+", new_value):
        return new_value
    if re.fullmatch(r"[a-z][A-Za-z0-9_@]*", new_value):
        return new_value
    return "'" + new_value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _is_erlang(setting: Setting) -> bool:
    return setting.source.path.name.endswith(".config")


def set_value(setting: Setting, new_value: str) -> Edit:
    """Replace the value of ``setting`` (its span only), quoting as the file needs."""
    if _is_erlang(setting):
        return Edit(setting.source, setting.span, _erlang_value(setting, new_value))
    if setting.raw.startswith("'''") or (setting.raw.startswith("'") and "'" not in new_value):
        quoted = f"'{new_value}'" if not setting.raw.startswith("'''") else f"'''{new_value}'''"
    else:
        quoted = quote_value(new_value)
    return Edit(setting.source, setting.span, quoted)


def _line_end(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl == -1 else nl + 1


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def insert_setting(endpoint: TlsEndpoint, key: str, value: str) -> Edit:
    """Add ``key = value`` after the endpoint's last line of its TLS block.

    ``key`` may be the full key (``ssl_options.depth``) or the option alone
    (``depth``), which gets the endpoint's prefix. For an endpoint configured
    in advanced.config, a ``{key, value}`` tuple is appended to its list.
    """
    from tlslint.dialects.rabbitmq.nodeconf import RabbitEndpoint

    prefix = endpoint.prefix if isinstance(endpoint, RabbitEndpoint) else ""
    if isinstance(endpoint, RabbitEndpoint) and endpoint.proplist is not None:
        source, term = endpoint.proplist_source, endpoint.proplist
        option = key[len(prefix) + 1:] if prefix and key.startswith(prefix + ".") else key
        option = option.split(".")[0]
        text = source.text
        close = term.span.end - 1  # the "]"
        body = text[term.span.start + 1:close].strip()
        item = "{" + option + ", " + _erlang_value(Setting(option, "", "", Span(0, 0), source), value) + "}"
        return Edit(source, Span(close, close), (", " if body else "") + item)
    full = key if (not prefix or key.startswith(prefix + ".")) else f"{prefix}.{key}"
    candidates = [s for s in endpoint.settings.values() if not _is_erlang(s)]
    if prefix:
        own = [s for s in candidates if s.key.startswith(prefix + ".")]
        candidates = own or candidates
    anchor = max(candidates, key=lambda s: (s.source is endpoint.source, s.span.start), default=endpoint.anchor)
    source = anchor.source
    text = source.text
    end = (anchor.statement or anchor.span).end
    pos = _line_end(text, end)
    nl = _newline_of(text)
    line = f"{full} = {quote_value(value)}"
    if pos == len(text) and not text.endswith("\n"):
        return Edit(source, Span(pos, pos), nl + line)
    indent = re.match(r"[ \t]*", text[text.rfind("\n", 0, anchor.span.start) + 1:]).group(0)
    return Edit(source, Span(pos, pos), indent + line + nl)


def remove_setting(setting: Setting) -> Edit:
    """Remove the whole line (rabbitmq.conf) or the ``{key, value}`` tuple (advanced.config)."""
    source = setting.source
    text = source.text
    stmt = setting.statement or setting.span
    if _is_erlang(setting):
        start, end = stmt.start, stmt.end
        after = end
        while after < len(text) and text[after] in " \t\r\n":
            after += 1
        if after < len(text) and text[after] == ",":
            return Edit(source, Span(start, after + 1 + (len(text[after + 1:]) - len(text[after + 1:].lstrip(" \t")))), "")
        before = start
        while before > 0 and text[before - 1] in " \t\r\n":
            before -= 1
        if before > 0 and text[before - 1] == ",":
            return Edit(source, Span(before - 1, end), "")
        return Edit(source, Span(start, end), "")
    line_start = text.rfind("\n", 0, stmt.start) + 1
    if text.startswith("\ufeff") and line_start == 0:
        line_start = 1
    end = _line_end(text, stmt.end)
    return Edit(source, Span(line_start, end), "")


def requote_edit(setting: Setting, intended: str, span: Span) -> Optional[Edit]:
    """Rewrite the text at ``span`` as the single-quoted ``intended`` value (TLS704 fix)."""
    if "'" in intended or "$(" in intended:
        return None
    return Edit(setting.source, span, f"'{intended}'")


__all__ = ["NAME", "detect", "parse", "set_value", "insert_setting", "remove_setting", "quote_value",
           "requote_edit", "ConfFile", "ConfSetting", "Include", "NodeConfig", "parse_file"]
