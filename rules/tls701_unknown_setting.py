"""TLS701 unknown-setting: a rabbitmq.conf key the schema does not know.

What it checks
    Keys under RabbitMQ's TLS prefixes (``ssl_options.``, ``management.ssl.``,
    ``prometheus.ssl.``, ``web_mqtt.ssl.``, ``web_stomp.ssl.``,
    ``auth_ldap.ssl_options.``, ``auth_http.ssl_options.``,
    ``trust_store.ssl_options.``, peer discovery, ``amqp_client``,
    ``definitions.tls.``, ``log.syslog.ssl_options.``, ``auth_oauth2.https.``)
    and listener families (``listeners.tcp``/``listeners.ssl``) that no
    RabbitMQ schema defines, with a did-you-mean. Keys that a supported
    release accepts are never reported.

Why it matters
    cuttlefish rejects an unknown key (``unknown_variable``, "no setting with
    that name") and the whole node does not boot. A classic case is
    ``web_mqtt.ssl.verify``: Web MQTT/STOMP have no ``verify`` key in
    rabbitmq.conf; mutual TLS for them needs advanced.config.

Example
    ssl_options.cacertfiles = /etc/rabbitmq/ca.pem   # TLS701: did you mean ssl_options.cacertfile?

Fix safety
    No automatic fix: the suggestion is only a guess.
"""

from tlslint.findings import Severity
from tlslint.rulebase import Rule, problems_as_findings

RULE = Rule("TLS701", "unknown-setting", Severity.ERROR,
            "RabbitMQ: a key the schema does not know (the node will not boot)", dialects=("rabbitmq",))


def check_document(document, ctx):
    return problems_as_findings(document, ctx)
