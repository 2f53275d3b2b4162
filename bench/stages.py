"""One pipeline stage per child process, run to the store's head, timed from the inside.

    python -m bench.stages relay|project|rebuild   (settings from LEDGER_* variables)

The parent (bench.scaling, bench.api_load) measures the child's CPU time and peak RSS with
wait4; the child prints one JSON line with the events it handled and the seconds it took,
process start-up excluded.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from api.bootstrap import bootstrap
from bench.common import quiet_kafka_logs
from ledger.runtime import Runtime
from ledger.settings import Settings


def drain(service: Any, done: Callable[[], bool], timeout: float = 1800) -> float:
    """Run a service in a thread until `done()`; the seconds it took."""
    stop = threading.Event()
    thread = threading.Thread(target=service.run, args=(stop,), name=service.name)
    started = time.perf_counter()
    thread.start()
    deadline = started + timeout
    while not done():
        if time.perf_counter() > deadline or not thread.is_alive():
            stop.set()
            raise SystemExit(f"{service.name} did not reach the head: {service.status()}")
        time.sleep(0.005)
    took = time.perf_counter() - started
    stop.set()
    thread.join()
    return took


def relay(runtime: Runtime) -> dict[str, Any]:
    from ledger.relay import Relay

    head = runtime.ledger.head_position()
    service = Relay(runtime.settings, runtime.ledger, poll_interval=0.01)
    took = drain(service, lambda: (service.position or 0) >= head)
    return {"stage": "relay", "events": service.published, "seconds": took}


def project(runtime: Runtime) -> dict[str, Any]:
    from projections.runner import service_for

    head = runtime.ledger.head_position()
    runner = service_for(runtime)
    assert runner is not None
    runner.poll_timeout = 0.05
    took = drain(runner, lambda: runner.status()["position"] >= head)
    return {"stage": "project", "events": runner.applied, "seconds": took}


def rebuild(runtime: Runtime) -> dict[str, Any]:
    from projections.rebuild import rebuild_named
    from projections.runner import feed_factory
    from projections.storage import view_store
    from projections.views import load_views

    started = time.perf_counter()
    report = rebuild_named(view_store(runtime), feed_factory(runtime), load_views(), "all",
                           grace=0.0)
    return {"stage": "rebuild", "events": report.events, "seconds": report.seconds,
            "with_swap_seconds": time.perf_counter() - started}


def startup(runtime: Runtime) -> dict[str, Any]:
    """Nothing: what starting a process and bootstrapping it costs, to subtract."""
    return {"stage": "startup", "events": 0, "seconds": 0.0}


STAGES = {"relay": relay, "project": project, "rebuild": rebuild, "startup": startup}


def main(argv: list[str]) -> None:
    quiet_kafka_logs()
    (name,) = argv
    runtime = bootstrap(Settings(), background=False, relay=True, project=True)
    try:
        print(json.dumps(STAGES[name](runtime)), flush=True)
    finally:
        runtime.close()


if __name__ == "__main__":
    main(sys.argv[1:])
