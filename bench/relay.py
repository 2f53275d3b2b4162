"""Relay throughput: the relay from the store vs a bare kafka-python producer, same bytes.

    .venv/bin/python bench/relay.py [--events 200000] [--batch N] [--rounds 3]

Records EVENTS generated events in a fresh application on PostgreSQL (many subjects per
save), then, ROUNDS times in turn: (1) runs the relay from position 0 to the head into a
fresh topic (timed from its start to its recorded position reaching the head) and (2) sends
the very records the relay built (same keys, values and headers, built beforehand) with a
bare KafkaProducer on the same settings into another fresh topic, flushing once at the end.
Prints both rates and their ratio (best of the rounds, and medians: the machine is shared).
Prints figures only; asserts nothing about time. Drops its own topics and table after.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date

from kafka import KafkaAdminClient, KafkaProducer

from ledger.bootstrap import build_ledger
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.subject import Subject
from ledger.relay import Relay, ensure_topic
from ledger.relay.encoding import Record, encode
from ledger.relay.producer import PRODUCER_SETTINGS
from ledger.relay.reading import NotificationReader
from ledger.settings import Settings

AUTHORITY = "11210000MB0000000X"


def subject(i: int, events: int, calendar: WorkingCalendar) -> Subject:
    """A subject with one registration, then penalties, permits and a commitment."""
    s = Subject.register(code=f"B{i:017d}", name=f"Bench Firm {i}", kind="enterprise",
                         masked=None, authority=AUTHORITY, actor="bench",
                         registered_on=date(2026, 1, 5))
    for j in range(events - 1):
        if j % 3 == 0:
            s.impose_penalty(authority=AUTHORITY, actor="bench", decision_no=f"P-{i}-{j}",
                             severity="general", domain="tax", decided_on=date(2026, 2, 2),
                             published_on=date(2026, 2, 4), category="fine",
                             basis="Tax Collection Administration Law art. 63", special=False,
                             details={"fine": "12000.00", "facts": "late filing, 3 months"},
                             today=date(2026, 6, 1), calendar=calendar)
        elif j % 3 == 1:
            s.grant_permit(authority=AUTHORITY, actor="bench", decision_no=f"L-{i}-{j}",
                           category="licence", decided_on=date(2026, 3, 2),
                           published_on=date(2026, 3, 3),
                           details={"certificate": f"C-{i}-{j}", "content": "food trade"},
                           today=date(2026, 6, 1), calendar=calendar)
        else:
            s.make_commitment(authority=AUTHORITY, actor="bench", commitment_type="voluntary",
                              made_on=date(2026, 4, 1), content=f"commitment {j}",
                              due_on=None, today=date(2026, 6, 1))
    return s


def record_events(settings: Settings, events: int, per_subject: int = 5) -> None:
    ledger = build_ledger(settings)
    calendar = WorkingCalendar.default()
    started = time.perf_counter()
    pending: list[Subject] = []
    for i in range(events // per_subject):
        pending.append(subject(i, per_subject, calendar))
        if len(pending) == 1000:  # 5,000 events per save: well under the hang seen at 40,000
            ledger.save(*pending)
            pending = []
    if pending:
        ledger.save(*pending)
    took = time.perf_counter() - started
    print(f"recorded {ledger.head_position():,} events in {took:.1f} s "
          f"({ledger.head_position() / took:,.0f} events/s)")
    ledger.close()


@dataclass(frozen=True)
class Run:
    """One timed publication: wall seconds, CPU seconds of this process, events, bytes."""

    seconds: float
    cpu: float
    events: int
    size: int

    def __str__(self) -> str:
        return (f"{self.events / self.seconds:,.0f} events/s, "
                f"{self.size / self.seconds / 1e6:.1f} MB/s ({self.seconds:.2f} s; "
                f"{self.cpu / self.events * 1e6:.0f} µs CPU per event)")


class Clock:
    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def run_relay(settings: Settings, batch: int, size: int) -> Run:
    """From the relay's start to its recorded position reaching the store's head."""
    ledger = build_ledger(settings)
    head = ledger.head_position()
    relay = Relay(settings, ledger, batch=batch, poll_interval=0.01)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    with Clock() as clock:
        thread.start()
        while (relay.position or 0) < head:
            time.sleep(0.002)
    stop.set()
    thread.join()
    ledger.close()
    return Run(clock.wall, clock.cpu, relay.published, size)


def run_bare(settings: Settings, records: list[Record], every: int) -> Run:
    """The same records by a bare producer, same settings, flushing every `every` records
    (the relay's batch) or once at the end (every=0)."""
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, **PRODUCER_SETTINGS)
    producer.partitions_for(settings.kafka_topic)  # metadata first, as the relay has it
    send, topic, step = producer.send, settings.kafka_topic, every or len(records)
    with Clock() as clock:
        for start in range(0, len(records), step):
            for key, value, type_bytes, _ in records[start:start + step]:
                send(topic, value=value, key=key, headers=[("type", type_bytes)])
            producer.flush()
    producer.close()
    return Run(clock.wall, clock.cpu, len(records), sum(len(r[1]) for r in records))


def the_records(settings: Settings) -> list[Record]:
    """Exactly the records the relay publishes (keys, values, headers), built once."""
    ledger = build_ledger(settings)
    records = encode(NotificationReader(ledger.recorder).page(0, ledger.head_position()))
    ledger.close()
    return records


def drop(settings: Settings, topics: list[str], *, table: bool) -> None:
    """The bench's own topics, position rows (and table) go; nothing else is touched."""
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    admin.delete_topics(topics, raise_errors=False)
    admin.close()
    ledger = build_ledger(settings)
    with ledger.recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute("DELETE FROM relay_positions WHERE application = %s", (ledger.name,))
        if table:
            cursor.execute(f"DROP TABLE {ledger.recorder.events_table_name}")
    ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=0, help="default LEDGER_RELAY_BATCH")
    parser.add_argument("--rounds", type=int, default=3, help="relay and bare, in turn")
    parser.add_argument("--database-url", default=os.environ.get(
        "LEDGER_BENCH_DATABASE_URL", "postgresql://ledger:ledger@127.0.0.1:5432/ledger_bench"))
    parser.add_argument("--kafka", default=os.environ.get("LEDGER_BENCH_KAFKA", "127.0.0.1:9092"))
    parser.add_argument("--keep", action="store_true", help="keep the events for --app")
    parser.add_argument("--app", help="reuse the events kept by an earlier run")
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:8]
    base = Settings(database_url=args.database_url, app_name=args.app or f"BenchRelay{tag}",
                    kafka_bootstrap=args.kafka)
    batch = args.batch or base.relay_batch
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{date.today()}, load average {os.getloadavg()[0]:.1f}; relay batch {batch}; "
          f"producer {PRODUCER_SETTINGS}")
    if not args.app:
        record_events(base, args.events)
        if args.keep:
            print(f"events kept in application {base.app_name} (--app to reuse)")
    records = the_records(base)
    gc.freeze()  # 200,000 kept records must not slow the bare producer's garbage collections
    size = sum(len(r[1]) for r in records)
    print(f"{len(records):,} records, {size / len(records):.0f} bytes per value on average")
    topics: list[str] = []
    relay: list[Run] = []
    bare: list[Run] = []

    def fresh(name: str) -> Settings:
        topics.append(f"bench.{name}.{tag}.{len(topics)}")
        ensure_topic(args.kafka, topics[-1], base.kafka_partitions)
        return base.model_copy(update={"kafka_topic": topics[-1]})

    try:
        for n in range(args.rounds):
            relay.append(run_relay(fresh("relay"), batch, size))
            print(f"  round {n + 1} relay: {relay[-1]}")
            for every in (batch, 0):
                bare.append(run_bare(fresh("bare"), records, every))
                flushing = f"flush every {every:,}" if every else "one flush at the end"
                print(f"  round {n + 1} bare, {flushing}: {bare[-1]}")
    finally:
        drop(base, topics, table=not args.keep and not args.app)
    best_relay = min(relay, key=lambda r: r.seconds)
    best_bare = min(bare, key=lambda r: r.seconds)
    print(f"relay, best of {len(relay)}: {best_relay}")
    print(f"bare producer, best of {len(bare)}: {best_bare}")
    median = (statistics.median(r.seconds for r in bare)
              / statistics.median(r.seconds for r in relay))
    cpu = statistics.median(r.cpu for r in bare) / statistics.median(r.cpu for r in relay)
    print(f"relay / bare: {best_bare.seconds / best_relay.seconds:.0%} (best), "
          f"{median:.0%} (medians), {cpu:.0%} (CPU per event, medians)")


if __name__ == "__main__":
    main()
