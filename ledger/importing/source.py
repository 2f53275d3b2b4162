"""An import file read as (line, record) pairs: NDJSON, or double-publicity CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from ledger.importing.csv_layout import CsvLayout, HeaderError, TemplateContext, detect_encoding
from ledger.importing.rows import RowError

FORMATS = ("ndjson", "csv")
SNIFF_BYTES = 1 << 20


class SourceError(ValueError):
    """The file as a whole cannot be read (format, encoding, header); nothing is imported."""


class Source:
    """Re-iterable: each pass reopens the file. `position` is how far the pass has read."""

    def __init__(self, path: Path, fmt: str | None = None,
                 context: TemplateContext | None = None) -> None:
        self.path = Path(path)
        self.context = context  # what a CSV row's derivations read (derive.py)
        self.format = fmt or ("csv" if self.path.suffix.lower() == ".csv" else "ndjson")
        if self.format not in FORMATS:
            raise SourceError(f"unknown format {self.format!r}; expected one of {FORMATS}")
        self.size = self.path.stat().st_size
        self.position = 0
        self.encoding = "utf-8"

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        self.position = 0
        with self.path.open("rb") as f:
            yield from (self._ndjson(f) if self.format == "ndjson" else self._csv(f))

    def _ndjson(self, f: IO[bytes]) -> Iterator[tuple[int, Any]]:
        for line, raw in enumerate(f, start=1):
            self.position += len(raw)
            if not raw.strip():
                continue
            try:
                yield line, orjson.loads(raw)
            except orjson.JSONDecodeError as e:
                yield line, RowError([("record", f"not a JSON object: {e}")])

    def _csv(self, f: IO[bytes]) -> Iterator[tuple[int, Any]]:
        self.encoding = detect_encoding(f.read(SNIFF_BYTES))
        f.seek(0)
        text = io.TextIOWrapper(f, encoding=self.encoding, newline="")
        reader = csv.reader(text)
        start = 1
        try:
            layout = CsvLayout(next(reader, []), self.context)
            start = reader.line_num + 1
            for row in reader:
                self.position = f.tell()
                if any(cell.strip() for cell in row):
                    try:
                        yield start, layout.record_of(row)
                    except RowError as e:
                        yield start, e
                start = reader.line_num + 1
        except HeaderError as e:
            raise SourceError(f"{self.path.name}: {e}") from None
        except UnicodeDecodeError as e:
            raise SourceError(f"{self.path.name}: not {self.encoding} after line {start - 1} "
                              f"({e.reason})") from None
        except csv.Error as e:
            raise SourceError(f"{self.path.name} line {reader.line_num}: {e}") from None
