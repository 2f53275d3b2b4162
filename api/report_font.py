"""The CJK font embedded in credit reports, and the document class that holds it.

fpdf2 embeds a subset of a TrueType or OpenType font (collections too), so the PDF shows its
Chinese in any viewer, with no font on the reader's machine. The font comes from the
operating system: LEDGER_REPORT_FONT if set, else Debian's fonts-wqy-microhei (installed by
`scripts/services up browser`), else fonts-noto-cjk's Sans SC. Parsing and subsetting it is
most of a report's time; a document cannot share a parsed font with the next, because fpdf2
subsets the font object in place.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FAMILY = "cjk"
# (file, face in the collection): Noto's collection holds JP, KR, SC, TC, HK in that order.
CANDIDATES: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
)


class FontMissing(RuntimeError):
    """No CJK font to embed: the message says what to install or set."""


def find_font(configured: Path | None) -> tuple[Path, int]:
    if configured is not None:
        if not configured.is_file():
            raise FontMissing(f"LEDGER_REPORT_FONT={configured} is not a file")
        return configured, 0
    for path, face in CANDIDATES:
        if path.is_file():
            return path, face
    raise FontMissing("no CJK font for credit reports: install Debian's fonts-wqy-microhei "
                      "(scripts/services up browser, or apt-get install fonts-wqy-microhei) "
                      "or set LEDGER_REPORT_FONT to a TrueType/OpenType font with Chinese "
                      f"glyphs; looked for {', '.join(str(p) for p, _ in CANDIDATES)}")


class Document(FPDF):
    """A4 pages whose footer repeats a line (the verification code) and the page count."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 5, f"{self.footer_text}    第 {self.page_no()} 页 / 共 {{nb}} 页",
                  align="C")


def new_document(configured: Path | None) -> Document:
    """A blank A4 document holding the CJK font (parsed anew: fpdf2 subsets it in place)."""
    path, face = find_font(configured)
    document = Document(orientation="portrait", unit="mm", format="A4")
    document.add_font(FAMILY, "", str(path), collection_font_number=face)
    return document
