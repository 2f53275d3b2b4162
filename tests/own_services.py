"""A Kafka broker and a PostgreSQL server of a test's own, to stop and restart at will.

The shared services on 9092 and 5432 are used by everyone at once and are never touched;
these run on free ports, from temporary directories, and are stopped by their own pid.
"""

from __future__ import annotations

import base64
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KAFKA_LIB = ROOT / ".cache" / "kafka" / "lib"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.25)
    raise TimeoutError(f"{what} within {timeout:.0f} s")


class OwnKafka:
    """A single-node KRaft broker on free ports, its data in a temporary directory."""

    def __init__(self) -> None:
        if not list(KAFKA_LIB.glob("kafka_2.13-*.jar")):
            raise FileNotFoundError(f"no Kafka jars in {KAFKA_LIB}: run scripts/services up")
        self.dir = Path(tempfile.mkdtemp(prefix="ledger-own-kafka-"))
        self.port, controller = free_port(), free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        shared = (ROOT / "infra" / "kafka" / "server.properties").read_text()
        config = shared.replace("127.0.0.1:9092", self.bootstrap).replace(
            "127.0.0.1:9093", f"127.0.0.1:{controller}")
        self.config = self.dir / "server.properties"
        self.config.write_text(config + f"\nlog.dirs={self.dir / 'data'}\n")
        self.process: subprocess.Popen[bytes] | None = None
        # Kafka's own random-uuid never starts with "-": the tool would read it as an option.
        cluster = "-"
        while cluster.startswith("-"):
            cluster = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        self._java("kafka.tools.StorageTool", "format", "-t", cluster, "-c", str(self.config))

    def _java(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["java", "-Xmx256m", *self._props(), "-cp", f"{KAFKA_LIB}/*",
                               *args], check=True, capture_output=True, text=True, timeout=120)

    def _props(self) -> list[str]:
        return [f"-Dlog4j2.configurationFile={ROOT / 'infra' / 'kafka' / 'log4j2.properties'}",
                f"-Dkafka.logs.dir={self.dir / 'logs'}"]

    def start(self) -> None:
        log = (self.dir / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            # C1 only: the broker starts in half the time, and a test's load is small.
            ["java", "-Xms128m", "-Xmx384m", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1",
             *self._props(), "-cp", f"{KAFKA_LIB}/*", "kafka.Kafka", str(self.config)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_until(self.answers, 90, f"own Kafka broker did not answer on {self.bootstrap}")

    def answers(self) -> bool:
        from kafka import KafkaAdminClient

        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"own Kafka broker exited; see {self.dir}/logs/server.log")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=2000,
                             bootstrap_timeout_ms=3000).close()
            return True
        except Exception:  # not up yet, whatever the client says
            return False

    def stop(self) -> None:
        """Stop the broker (SIGTERM, then SIGKILL after 30 s) and wait for it to exit."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnPostgres:
    """A PostgreSQL cluster initialised in a temporary directory owned by user postgres."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
        if not bins or shutil.which("runuser") is None or os.geteuid() != 0:
            raise FileNotFoundError("needs Debian's postgresql package, runuser and root")
        self.bin = Path(bins[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="ledger-own-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        self.url = f"postgresql://ledger:ledger@127.0.0.1:{self.port}/ledger"
        self._as_postgres("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U",
                          "postgres", "--no-sync")

    def _as_postgres(self, tool: str, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / tool), *args],
                       check=True, capture_output=True, timeout=120, cwd=self.dir)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=50")
        self._as_postgres("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"),
                          "-o", options, "-w", "start")

    def provision(self) -> None:
        for sql in ("CREATE ROLE ledger LOGIN SUPERUSER PASSWORD 'ledger'",
                    "CREATE DATABASE ledger OWNER ledger"):
            self._as_postgres("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                              "-d", "postgres", "-c", sql)

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        # pg_ctl signals the postmaster whose pid its own data directory records: only ours.
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D",
                        str(self.dir / "data"), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
