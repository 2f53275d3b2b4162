"""The topic the relay publishes to: created if missing, refused if it would delete history."""

from __future__ import annotations

import logging

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError

log = logging.getLogger("credit-ledger.relay")

# Every event is kept for ever: auditors and other cities rebuild from offset 0.
TOPIC_CONFIG = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}
CHECKED = ("retention.ms", "retention.bytes", "cleanup.policy")


class TopicRefused(RuntimeError):
    """The existing topic's configuration would delete or compact away recorded events."""


def retention_problems(configs: dict[str, str]) -> list[str]:
    """What in a topic's configuration would lose history (empty when it keeps everything)."""
    problems = []
    if configs.get("retention.ms", "-1") != "-1":
        problems.append(f"retention.ms={configs['retention.ms']} (must be -1)")
    if configs.get("retention.bytes", "-1") != "-1":
        problems.append(f"retention.bytes={configs['retention.bytes']} (must be -1)")
    if "compact" in configs.get("cleanup.policy", "delete"):
        problems.append(f"cleanup.policy={configs['cleanup.policy']} "
                        "(compaction keeps only the last event per subject)")
    return problems


def ensure_topic(bootstrap: str, topic: str, partitions: int) -> int:
    """Create the topic if missing; refuse one that would lose history; its partition count."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="credit-ledger-relay-admin",
                             request_timeout_ms=10_000, bootstrap_timeout_ms=5_000)
    try:
        if topic not in admin.list_topics():
            try:
                admin.create_topics([NewTopic(topic, num_partitions=partitions,
                                              replication_factor=-1, topic_configs=TOPIC_CONFIG)])
                log.info("created topic %s (%d partitions, kept for ever)", topic, partitions)
            except TopicAlreadyExistsError:
                pass  # another relay created it meanwhile: check it like any existing topic
        check_retention(admin, topic)
        described = admin.describe_topics([topic])
        # Just created, a topic may not show its partitions yet: it has the ones asked for.
        return len(described[0]["partitions"]) or partitions
    finally:
        admin.close()


def check_retention(admin: KafkaAdminClient, topic: str) -> None:
    resource = ConfigResource(ConfigResourceType.TOPIC, topic, dict.fromkeys(CHECKED))
    found = admin.describe_configs([resource], config_filter="all")["topic"][topic]
    problems = retention_problems({k: str(v["value"]) for k, v in found.items()})
    if problems:
        raise TopicRefused(
            f"topic {topic!r} would delete recorded events: {', '.join(problems)}. The relay "
            "publishes only to a topic kept for ever; fix it with kafka-configs --alter "
            "--entity-type topics --entity-name " + topic + " --add-config retention.ms=-1,"
            "retention.bytes=-1,cleanup.policy=delete (or use another LEDGER_KAFKA_TOPIC)")
