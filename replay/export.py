"""A subject's full history as NDJSON that an outside auditor can verify with no other input.

One line per event, in version order: the public envelope exactly as hashed, plus its
`position`. To verify, for each line: drop `hash` and `position`, serialise with sorted keys,
no spaces, UTF-8 (non-ASCII kept), SHA-256 it; the hex digest must equal `hash`, `prev_hash`
must equal the previous line's `hash` ("" for version 1), and versions must run 1, 2, 3...
The last line's `hash` is the stream's head: matching it against Kafka or a later export
proves no earlier line was changed since.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ledger.domain.envelope import broken_link
from replay.history import history


@dataclass(frozen=True)
class Exported:
    code: str
    path: Path
    events: int
    head_hash: str
    chain_break: tuple[int, str] | None  # written anyway: the auditor should see it too


def write_ndjson(envelopes: Iterable[dict[str, Any]], out: Path) -> int:
    count = 0
    with out.open("wb") as f:
        for env in envelopes:
            f.write(orjson.dumps(env, option=orjson.OPT_SORT_KEYS) + b"\n")
            count += 1
    return count


def export(recorder: Any, code: str, out: Path) -> Exported:
    """Write every event of the subject, read raw from the store, and say if its chain breaks."""
    events = history(code, None, recorder=recorder).events
    write_ndjson(events, out)
    return Exported(code, out, len(events), events[-1]["hash"], broken_link(events))


def check_file(path: Path) -> tuple[int, tuple[int, str] | None]:
    """Read an export back and check it the way an outside auditor would: (events, break)."""
    envelopes = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    return len(envelopes), broken_link(envelopes)
