"""What an uploaded file must be before it becomes a job: named format, readable text, a
header the importer knows. Row-by-row problems are the job's rejections, not refusals."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import IO

from ledger.domain.errors import DomainError
from ledger.domain.labels import code_of
from ledger.domain.vocabulary import Domain
from ledger.importing.csv_layout import detect_encoding
from ledger.importing.source import FORMATS, SNIFF_BYTES, Source, SourceError

SUFFIXES = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "ndjson"}
COPY_CHUNK = 1 << 20


class UploadRefused(DomainError):
    """The upload is refused as a whole (422), naming the form field and the rule."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message, field=field)
        self.rule = rule


class UploadTooLarge(DomainError):
    rule = "max_size"
    status = 413


def format_of(filename: str, fmt: str | None) -> str:
    """The format given, else the one the file name says; anything else is refused."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise UploadRefused("format", "unknown_format",
                                f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        return fmt
    found = SUFFIXES.get(Path(filename).suffix.lower())
    if found is None:
        raise UploadRefused("format", "unknown_format",
                            f"cannot tell the format of {filename!r} from its name; give "
                            "format=csv or format=ndjson (a spreadsheet: save it as CSV first)")
    return found


def domain_code(text: str | None) -> str | None:
    """A domain's code, from its code or its Chinese label."""
    if text is None or not text.strip():
        return None
    try:
        return code_of(Domain, text).value
    except ValueError as e:
        raise UploadRefused("domain", "enum", str(e)) from None


def save_upload(stream: IO[bytes], target: Path, limit: int) -> int:
    """Copy the uploaded stream to `target`; its size, refused if empty or over `limit`."""
    size = 0
    with open(target, "wb") as out:
        while chunk := stream.read(COPY_CHUNK):
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(f"uploaded files are limited to {limit} bytes "
                                     "(LEDGER_IMPORTS_MAX_BYTES)", field="file")
            out.write(chunk)
    if size == 0:
        raise UploadRefused("file", "empty", "the uploaded file is empty")
    return size


def check_readable(path: Path, fmt: str) -> None:
    """Refuse a file the importer could not read: wrong encoding, or a CSV header it does not
    know. NDJSON is UTF-8; CSV UTF-8 (with or without BOM) or GB18030, as the CLI reads it."""
    with path.open("rb") as f:
        encoding = detect_encoding(f.read(SNIFF_BYTES)) if fmt == "csv" else "utf-8"
        f.seek(0)
        _check_encoding(f, encoding, fmt)
    try:
        next(iter(Source(path, fmt)), None)  # the header, and the first row
    except SourceError as e:
        raise UploadRefused("file", "header", str(e).removeprefix(f"{path.name}: ")) from None


def _check_encoding(f: IO[bytes], encoding: str, fmt: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    line, offset = 1, 0
    while True:
        chunk = f.read(COPY_CHUNK)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as e:
            at = offset + max(e.start, 0)
            line += chunk[:max(e.start, 0)].count(b"\n")
            expected = "UTF-8" if fmt == "ndjson" else "UTF-8 or GB18030"
            raise UploadRefused("file", "encoding",
                                f"not {expected}: undecodable bytes at line {line} "
                                f"(byte {at})") from None
        if not chunk:
            return
        line += chunk.count(b"\n")
        offset += len(chunk)

