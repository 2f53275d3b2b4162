"""Relay: the relay publishing the store's events to Kafka, against a bare kafka-python
producer sending the very same records (same keys, values and headers, built beforehand) on
the same producer settings into its own topic. EVENTS generated events are recorded in a
fresh application on PostgreSQL (a thousand subjects per save); then, ROUNDS times in turn,
the relay runs from position 0 until its recorded position reaches the head (that is: read,
encoded, sent, acknowledged and recorded), and the bare producer sends the records twice,
flushing every relay batch and flushing once at the end. Figures: events/s and MB/s of the
best rounds, the median over the rounds of relay / faster bare run of the same round (the
machine is shared: its load moves between rounds), and CPU time per event of the publishing
process (the steadier figure). Goal: the relay at 80 % or more of the bare producer.

    .venv/bin/python -m bench.relay [--quick] [--events 200000] [--rounds 3] [--batch N]

Prints figures and a BENCH_JSON line (bench/README.md); asserts nothing about time. Drops
its own topics, table and position rows when done (--keep keeps the events for --app).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from kafka import KafkaProducer

from bench.common import DATABASE_URL, KAFKA, Result, delete_topics, drop_app, tag
from ledger.build import build_ledger
from ledger.domain.calendar import WorkingCalendar
from ledger.domain.subject import Subject
from ledger.relay import Relay, ensure_topic
from ledger.relay.encoding import Record, encode
from ledger.relay.producer import PRODUCER_SETTINGS
from ledger.relay.reading import NotificationReader
from ledger.settings import Settings

AUTHORITY = "11210000MB0000000X"
TODAY = date(2026, 6, 1)


def subject(i: int, events: int, calendar: WorkingCalendar) -> Subject:
    """A subject with its registration, then penalties, permits and commitments in turn."""
    s = Subject.register(code=f"B{i:017d}", name=f"Bench Firm {i}", kind="enterprise",
                         masked=None, authority=AUTHORITY, actor="bench",
                         registered_on=date(2026, 1, 5))
    for j in range(events - 1):
        if j % 3 == 0:
            s.impose_penalty(authority=AUTHORITY, actor="bench", decision_no=f"P-{i}-{j}",
                             severity="general", domain="tax", decided_on=date(2026, 2, 2),
                             published_on=date(2026, 2, 4), category="fine",
                             basis="Tax Collection Administration Law art. 63", special=False,
                             details={"fine_amount": "12000.00", "facts": "late filing"},
                             today=TODAY, calendar=calendar)
        elif j % 3 == 1:
            s.grant_permit(authority=AUTHORITY, actor="bench", decision_no=f"L-{i}-{j}",
                           category="licence", decided_on=date(2026, 3, 2),
                           published_on=date(2026, 3, 3),
                           details={"certificate_no": f"C-{i}-{j}", "content": "food trade"},
                           today=TODAY, calendar=calendar)
        else:
            s.make_commitment(authority=AUTHORITY, actor="bench", commitment_type="voluntary",
                              made_on=date(2026, 4, 1), content=f"commitment {j}",
                              due_on=None, today=TODAY)
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
    print(f"recorded {ledger.head_position():,} events in {took:.1f} s")
    ledger.close()


@dataclass(frozen=True)
class Run:
    """One timed publication: wall seconds, CPU seconds of this process, events, bytes."""

    seconds: float
    cpu: float
    events: int
    size: int

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def __str__(self) -> str:
        return (f"{self.rate:,.0f} events/s, {self.size / self.seconds / 1e6:.1f} MB/s "
                f"({self.seconds:.2f} s; {self.cpu / self.events * 1e6:.0f} µs CPU per event)")


class Clock:
    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def run_relay(settings: Settings, batch: int, size: int) -> Run:
    """From the connected relay's start to its recorded position reaching the store's head."""
    ledger = build_ledger(settings)
    head = ledger.head_position()
    relay = Relay(settings, ledger, batch=batch, poll_interval=0.01)
    relay.connect()  # topic checked, producer started: the bare producer's are not timed either
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


def forget(settings: Settings, topics: list[str], *, table: bool) -> None:
    """The bench's own topics and position rows (and tables) go; nothing else is touched."""
    delete_topics(*topics)
    ledger = build_ledger(settings)
    with ledger.recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute("DELETE FROM relay_positions WHERE application = %s", (ledger.name,))
    ledger.close()
    if table:
        drop_app(settings.app_name, settings.database_url)


def measure(base: Settings, run_tag: str, batch: int, rounds: int,
            ) -> tuple[list[Run], list[Run], list[str]]:
    records = the_records(base)
    gc.freeze()  # the kept records must not slow the bare producer's garbage collections
    size = sum(len(r[1]) for r in records)
    print(f"{len(records):,} records, {size / len(records):.0f} bytes per value on average")
    topics: list[str] = []
    relay: list[Run] = []
    bare: list[Run] = []

    def fresh(name: str) -> Settings:
        topics.append(f"bench.{name}.{run_tag}.{len(topics)}")
        ensure_topic(base.kafka_bootstrap or "", topics[-1], base.kafka_partitions)
        return base.model_copy(update={"kafka_topic": topics[-1]})

    for n in range(rounds):
        relay.append(run_relay(fresh("relay"), batch, size))
        print(f"  round {n + 1} relay: {relay[-1]}", flush=True)
        for every in (batch, 0):
            bare.append(run_bare(fresh("bare"), records, every))
            flushing = f"flush every {every:,}" if every else "one flush at the end"
            print(f"  round {n + 1} bare, {flushing}: {bare[-1]}", flush=True)
    return relay, bare, topics


def report(relay: list[Run], bare: list[Run], command: str, params: dict[str, object]) -> None:
    best_relay = min(relay, key=lambda r: r.seconds)
    best_bare = min(bare, key=lambda r: r.seconds)
    # Each round against the faster bare run of the same round: the load moves between rounds.
    paired = [r.rate / max(b.rate for b in bare[2 * n:2 * n + 2]) for n, r in enumerate(relay)]
    cpu_relay = statistics.median(r.cpu / r.events for r in relay) * 1e6
    cpu_bare = statistics.median(r.cpu / r.events for r in bare) * 1e6
    print(f"relay, best of {len(relay)}: {best_relay}")
    print(f"bare producer, best of {len(bare)}: {best_bare}")
    print(f"relay / bare: {best_relay.rate / best_bare.rate:.0%} (best rounds), "
          f"{statistics.median(paired):.0%} (median of the rounds' ratios), "
          f"{cpu_bare / cpu_relay:.0%} (by CPU per event, medians)")
    result = Result("relay", "Relay (bench/relay.py)", command, params=params)
    bare_name = "bare producer, same records (best)"
    result.add("relay, best round", best_relay.rate, "events/s", bare_name, best_bare.rate)
    result.add("relay, best round", best_relay.size / best_relay.seconds / 1e6, "MB/s",
               bare_name, best_bare.size / best_bare.seconds / 1e6)
    result.add("relay / bare in the same round (median)", statistics.median(paired), "ratio")
    result.add("CPU per event (median)", cpu_relay, "µs", "bare producer (median)", cpu_bare,
               better="lower")
    result.notes.append(
        f"Goal: the relay at 80 % or more of the bare producer. This run: "
        f"{best_relay.rate / best_bare.rate:.0%} by the best rounds, "
        f"{statistics.median(paired):.0%} by the median of each round's ratio (relay over the "
        f"faster bare run of the same round), {cpu_bare / cpu_relay:.0%} by CPU time per event "
        f"(the relay's includes reading the store and encoding). The load average was "
        f"{params['load_average']} on {os.cpu_count()} cores, shared with PostgreSQL and the "
        f"broker: wall-clock rates move with it, CPU per event less so.")
    result.notes.append(
        "The relay reads the notification log in pages of its batch (binary rows, one query "
        "each), builds each value with orjson (a unit test holds it byte-equal to the "
        "documented envelope), reads and encodes the next page on a second thread while this "
        "one is sent, computes each subject's partition once (the Java client's murmur2, so "
        "the bare producer's default partitioner places every record in the same partition), "
        "and records a batch's position when it is acknowledged while the next is already "
        "being sent, instead of stopping at a flush.")
    result.emit()


def main() -> None:
    parser = argparse.ArgumentParser(description="Relay vs a bare producer, same records.")
    parser.add_argument("--quick", action="store_true", help="30,000 events (make bench)")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3, help="relay and bare, in turn")
    parser.add_argument("--batch", type=int, default=0, help="default LEDGER_RELAY_BATCH")
    parser.add_argument("--keep", action="store_true", help="keep the events for --app")
    parser.add_argument("--app", help="reuse the events kept by an earlier run")
    args = parser.parse_args()
    events = 30_000 if args.quick else args.events
    run_tag = tag()
    base = Settings(database_url=DATABASE_URL, app_name=args.app or f"BenchRelay{run_tag}",
                    kafka_bootstrap=KAFKA)
    batch = args.batch or base.relay_batch
    params: dict[str, object] = {
        "events": events, "rounds": args.rounds, "batch": batch,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "producer": ", ".join(f"{k}={v}" for k, v in PRODUCER_SETTINGS.items())}
    print(f"relay bench, {params['date']}: {events:,} events, relay batch {batch}, "
          f"load average {params['load_average']}; producer {params['producer']}")
    if not args.app:
        record_events(base, events)
    topics: list[str] = []
    try:
        relay, bare, topics = measure(base, run_tag, batch, args.rounds)
    finally:
        forget(base, topics, table=not args.keep and not args.app)
    if args.keep:
        print(f"events kept in application {base.app_name} (--app {base.app_name})")
    command = "python -m bench.relay " + ("--quick" if args.quick else f"--events {events}")
    report(relay, bare, command, params)


if __name__ == "__main__":
    main()
