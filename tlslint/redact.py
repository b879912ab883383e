"""Keep secrets and terminal control sequences out of what tlslint prints
from config text (``fix --diff``).

Findings never quote secret values (rules speak of keys and files, not of
their content). A diff, however, shows config lines as they are: a fix that
touches ``ssl_options.password = ...`` (or sits next to it) would print the
password. So diff lines are redacted:

* a line naming a password, passphrase, secret, token or inline key data
  keeps its key and loses its value (``ssl_options.password = <redacted>``);
  a key *file* name (``private_key: {filename: server.key}``) is no secret and
  stays, so the diff still applies;
* a line that looks like key material (a long base64 run, as in an inline
  PEM key) is replaced entirely;
* control characters other than tab, CR and LF are shown as escapes.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"

# nginx's proxy_pass, grpc_pass... name an upstream, not a password (RabbitMQ's
# default_pass is one)
_UPSTREAM_PASS = "".join(f"(?<!{p}_)" for p in ("proxy", "grpc", "uwsgi", "fastcgi", "scgi", "memcached"))
_SECRET_KEY = re.compile(
    r"(?i)(" + _UPSTREAM_PASS + r"pass(?:word|phrase|wd)?|secret|token|key[-_]?data|inline[-_]?(?:string|bytes))"
    r"(?![A-Za-z0-9])[\"']?")
_SEPARATOR = re.compile(r"\s*(?:=|:|,|\s)\s*")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
_CONTROL = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\x1b]")


def _mixed(run: str) -> bool:
    """Base64 of key bytes mixes upper case, lower case and digits; paths and words rarely do."""
    return any(c.isupper() for c in run) and any(c.islower() for c in run) and any(c.isdigit() for c in run)


def _escape(m: "re.Match[str]") -> str:
    return f"\\x{ord(m.group(0)):02x}"


def redact_text_line(line: str) -> str:
    """One line of config text, with any secret value replaced."""
    body = line.rstrip("\r\n")
    end = line[len(body):]
    if any(_mixed(m.group(0)) for m in _BASE64_RUN.finditer(body)):
        # key material (inline PEM bodies, base64 key data): nothing of it is shown
        stripped = body.lstrip()
        return body[:len(body) - len(stripped)] + REDACTED + end
    m = _SECRET_KEY.search(body)
    if m:
        sep = _SEPARATOR.match(body, m.end())
        if sep and body[sep.end():].strip():
            body = body[:sep.end()] + REDACTED
    return _CONTROL.sub(_escape, body) + end


def redact_diff_line(line: str) -> str:
    """A unified-diff line: headers pass, content lines are redacted."""
    if line.startswith(("--- ", "+++ ", "@@")) or not line:
        return _CONTROL.sub(_escape, line)
    return line[0] + redact_text_line(line[1:])
