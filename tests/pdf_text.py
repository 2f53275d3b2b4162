"""A PDF's text as a reader would copy it out: Debian's pdftotext (poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import service_missing


def pdf_text(pdf: bytes | Path) -> str:
    """pdftotext -layout of the file or bytes; under CI=true a missing pdftotext fails."""
    found = shutil.which("pdftotext")
    if found is None:
        service_missing("pdftotext (Debian's poppler-utils)", "scripts/services up browser")
    with tempfile.TemporaryDirectory() as tmp:
        path = pdf if isinstance(pdf, Path) else Path(tmp) / "report.pdf"
        if not isinstance(pdf, Path):
            path.write_bytes(pdf)
        return subprocess.run([str(found), "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True, timeout=60).stdout
