"""TLS204 conflicting-verify-settings: verification settings that contradict each other.

What it checks
    Combinations of settings that the server refuses or where one setting
    silently cancels the other:

    * RabbitMQ (Erlang/OTP): ``verify = verify_none`` together with
      ``fail_if_no_peer_cert = true``, in any TLS block (``ssl_options``,
      ``management.ssl``, ``prometheus.ssl``, advanced.config lists...).
    * RabbitMQ: ``secure_renegotiate``, ``client_renegotiation`` or
      ``reuse_sessions`` set while ``versions`` allow only TLS 1.3 (OTP
      rejects TLS 1.2-only options).
    * RabbitMQ certificate login (``auth_mechanisms.N = EXTERNAL``,
      ``mqtt|stomp|stream.ssl_cert_login = true``) without
      ``ssl_options.verify = verify_peer`` written explicitly: RabbitMQ does
      not fall back to the OTP default there, it refuses every such login
      ("TLS configuration is unsafe").
    * nginx: ``listen ... quic`` in a server whose ``ssl_protocols`` do not
      enable TLSv1.3 (QUIC is TLS 1.3 only); ``ssl_ocsp`` with
      ``ssl_verify_client optional_no_ca``; ``ssl_stapling`` with
      ``ssl_certificate_compression``. nginx refuses each of these configs.
    * Any dialect: a dialect that finds a contradiction while parsing (for
      instance a CA configured together with "no client certificate", or a
      client-certificate requirement on a client) reports it as a problem
      with this code, and this rule turns it into a finding.

Why it matters
    Erlang/OTP rejects the options (``{options, incompatible, {verify,
    verify_none}, {fail_if_no_peer_cert, true}}``): the node boots but the
    TLS listener never starts, so the port refuses every connection. In the
    other cases the operator believes client certificates are checked while
    they are not.

Example
    ssl_options.verify = verify_none
    ssl_options.fail_if_no_peer_cert = true    # TLS204

Fix safety
    No automatic fix: only the operator knows whether client certificates
    were meant to be required (``verify_peer``) or not (drop the flag).
"""

from tlslint.findings import Related, Severity
from tlslint.rulebase import Rule, problems_as_findings

RULE = Rule("TLS204", "conflicting-verify-settings", Severity.ERROR,
            "settings that contradict, so the server refuses to start or ignores one")


def _option(endpoint, name):
    getter = getattr(endpoint, "option", None)
    if getter is not None:
        return getter(name)
    for key, setting in endpoint.settings.items():
        if key == name or key.endswith("." + name):
            return setting
    return None


def check_document(document, ctx):
    # contradictions that a dialect found while parsing
    yield from problems_as_findings(document, ctx)
    if document.dialect == "rabbitmq":
        yield from _cert_login_without_verify_peer(document, ctx)


CERT_LOGIN_SWITCHES = ("mqtt.ssl_cert_login", "stomp.ssl_cert_login", "stream.ssl_cert_login")


def _cert_login(document):
    """The setting that turns certificate login on (last value of each key wins)."""
    latest = {s.key: s for s in document.settings}
    for key, setting in latest.items():
        if key.startswith("auth_mechanisms.") and setting.value.strip().upper() == "EXTERNAL":
            return setting
        if key in CERT_LOGIN_SWITCHES and setting.value.strip().lower() == "true":
            return setting
    return None


def _cert_login_without_verify_peer(document, ctx):
    """RabbitMQ's rabbit_ssl:auth_config_sane/0 refuses every certificate login
    unless ssl_options.verify = verify_peer is written explicitly (it does not
    fall back to the OTP default)."""
    login = _cert_login(document)
    if login is None:
        return
    for endpoint in document.endpoints:
        if endpoint.role != "server" or getattr(endpoint, "prefix", None) != "ssl_options":
            continue
        verify = _option(endpoint, "verify")
        if verify is not None and verify.value == "verify_peer":
            continue
        if verify is not None:
            why = f"{verify.key} = {verify.value}"
        elif getattr(endpoint, "proplist", None) is not None:
            why = "the ssl_options of advanced.config, which replace rabbitmq.conf's, do not set verify"
        else:
            why = "ssl_options.verify is not set"
        related = ([Related(path=verify.source.display, message=f"{verify.key} = {verify.value}",
                            line=verify.line)] if verify is not None else [])
        yield ctx.finding(login, f"certificate login ({login.key} = {login.value}) needs "
                                 f"ssl_options.verify = verify_peer written explicitly, but {why}: RabbitMQ "
                                 "refuses every such login ('TLS configuration is unsafe')",
                          endpoint=endpoint, related=related)


# Erlang/OTP options that exist only up to TLS 1.2: with versions = [tlsv1.3]
# alone, OTP rejects them ({options, incompatible, ...}) and the listener fails.
TLS12_ONLY_OPTIONS = ("secure_renegotiate", "client_renegotiation", "reuse_sessions")
# Erlang/OTP options only a server may have: a client with one fails every
# connection ({option, server_only, Opt}); fail_if_no_peer_cert since OTP 26,
# which RabbitMQ 4 requires (OTP 25 ignored it on a client).
SERVER_ONLY_OPTIONS = ("honor_cipher_order", "honor_ecc_order", "client_renegotiation", "dh", "dhfile",
                       "fail_if_no_peer_cert")


def check_endpoint(endpoint, ctx):
    if endpoint.dialect != "rabbitmq":
        return
    yield from _missing_tls12(endpoint, ctx)
    if endpoint.role == "client":
        yield from _server_only_options(endpoint, ctx)
    if endpoint.protocols.setting is not None and endpoint.protocols.value == frozenset({"TLSv1.3"}):
        for name in TLS12_ONLY_OPTIONS:
            option = _option(endpoint, name)
            if option is not None:
                yield ctx.finding(option, f"{endpoint.label}: {option.key} is a TLS 1.2 option, but versions "
                                          "allow only TLS 1.3: Erlang/OTP rejects the options and the TLS "
                                          "listener does not start", endpoint=endpoint)
    verify = _option(endpoint, "verify")
    fail = _option(endpoint, "fail_if_no_peer_cert")
    if verify is None or fail is None or endpoint.role == "client":  # (a client: server-only above)
        return
    if verify.value == "verify_none" and fail.value == "true":
        if endpoint.role == "server":
            effect = "Erlang/OTP rejects this pair ({options, incompatible, ...}) and the TLS listener will not start"
        else:
            effect = "Erlang/OTP rejects this pair and the TLS connection is never made"
        yield ctx.finding(
            fail,
            f"{endpoint.label}: {fail.key} = true contradicts {verify.key} = verify_none: {effect}; "
            "set verify_peer to require client certificates, or drop fail_if_no_peer_cert",
            endpoint=endpoint,
            related=[Related(path=verify.source.display, message=f"{verify.key} = verify_none", line=verify.line)])


def _missing_tls12(endpoint, ctx):
    """Erlang/OTP takes TLS 1.3 with older versions only together with TLS 1.2."""
    versions = endpoint.protocols.value or frozenset()
    if endpoint.protocols.setting is None or "TLSv1.3" not in versions or "TLSv1.2" in versions:
        return
    older = sorted(versions - {"TLSv1.3"})
    if older:
        yield ctx.finding(endpoint.protocols.setting,
                          f"{endpoint.label}: versions allow TLS 1.3 and {', '.join(older)} but not TLS 1.2: "
                          "Erlang/OTP refuses such a list ({options, missing_version, ...}) and the TLS "
                          f"{'listener does not start' if endpoint.role == 'server' else 'connection is never made'}",
                          endpoint=endpoint)


def _server_only_options(endpoint, ctx):
    for name in SERVER_ONLY_OPTIONS:
        option = _option(endpoint, name)
        if option is None:
            continue
        otp = "Erlang/OTP 26 and later reject" if name == "fail_if_no_peer_cert" else "Erlang/OTP rejects"
        yield ctx.finding(option, f"{endpoint.label}: {option.key} is a server option, but here RabbitMQ is the "
                                  f"TLS client: {otp} it ({{option, server_only, {name}}}) and every "
                                  "connection fails; remove it", endpoint=endpoint)
