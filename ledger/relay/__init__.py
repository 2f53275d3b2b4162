"""The relay from the event store to Kafka (see docs/events.md for what it publishes)."""

from __future__ import annotations

from ledger.relay.service import Relay
from ledger.relay.topic import TopicRefused, ensure_topic
from ledger.runtime import Runtime, Service

__all__ = ["Relay", "TopicRefused", "ensure_topic", "service_for"]


def service_for(runtime: Runtime) -> Service | None:
    """The relay for a runtime that wants it: Kafka configured and not --no-relay."""
    if not runtime.wanted.get("relay") or not runtime.settings.kafka_enabled:
        return None
    return Relay(runtime.settings, runtime.ledger)
