"""A credit report (信用报告) as a PDF: the sections of one cut, in Chinese, with its stamp.

Rendered with fpdf2 (pure Python; the CJK font embedded as a subset, api/report_font.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from fpdf import FPDF

from api.report_font import FAMILY, new_document
from api.report_sections import NONE, Names, Pair, Section, sections
from replay.credit_report import Report

BEIJING = timezone(timedelta(hours=8), "UTC+8")  # no daylight saving: a fixed offset holds
LABEL_W, LINE_H = 34, 5.6
NOTE = ("说明：本报告依据公共信用信息账本生成，账本中的记录只增不改。"
        "凭验证码可在在线验证页面核对本报告内容与账本是否一致："
        "账本按验证码中的主体、账本位置和信息日期重新生成本报告并比对摘要，无需保存报告本身。")


def render(report: Report, *, font: Path | None, made_at: datetime, verify_url: str,
           authority: Names) -> bytes:
    """The report's PDF bytes; FontMissing when no CJK font is installed."""
    c, code = report.content, report.code
    pdf = new_document(font)
    pdf.set_title(f"信用报告 {c['subject']['name'] or c['subject']['code']}")
    pdf.set_creator("credit-ledger")
    pdf.set_creation_date(made_at)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 16, 18)
    pdf.footer_text = f"验证码 {code.grouped()}"
    pdf.add_page()
    _title(pdf)
    _pairs(pdf, [
        ("验证码", code.grouped()),
        ("生成时间", made_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") + "（北京时间）"),
        ("信息日期", code.day.isoformat()),
        ("账本位置", f"{code.position}（本报告包含账本截至该位置的全部记录）"),
    ])
    _link(pdf, "在线验证", verify_url)
    for section in sections(c, authority):
        _section(pdf, section)
    pdf.ln(4)
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(0, 5, NOTE, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _title(pdf: FPDF) -> None:
    pdf.set_font(FAMILY, size=20)
    pdf.cell(0, 12, "信用报告", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=11)
    pdf.cell(0, 7, "（公共信用信息）", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _section(pdf: FPDF, section: Section) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, size=13)
    pdf.cell(0, 8, section.heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(150, 150, 150)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_font(FAMILY, size=10)
    if not section.records:
        pdf.cell(0, LINE_H, NONE, new_x="LMARGIN", new_y="NEXT")
    for i, pairs in enumerate(section.records, 1):
        if len(section.records) > 1:
            pdf.set_font(FAMILY, size=10)
            pdf.cell(0, LINE_H, f"（{i}）", new_x="LMARGIN", new_y="NEXT")
        _pairs(pdf, pairs)
        pdf.ln(1)
    for line in section.lines:
        pdf.multi_cell(0, LINE_H, line, new_x="LMARGIN", new_y="NEXT")


def _pairs(pdf: FPDF, pairs: list[Pair]) -> None:
    pdf.set_font(FAMILY, size=10)
    for name, value in pairs:
        pdf.set_x(pdf.l_margin)
        pdf.cell(LABEL_W, LINE_H, name)
        pdf.multi_cell(0, LINE_H, value or NONE, new_x="LMARGIN", new_y="NEXT")


def _link(pdf: FPDF, name: str, url: str) -> None:
    """The verify URL on one line (smaller type) and clickable: a wrapped code reads badly."""
    pdf.set_font(FAMILY, size=10)
    pdf.cell(LABEL_W, LINE_H, name)
    pdf.set_font(FAMILY, size=8)
    pdf.set_text_color(0, 60, 160)
    pdf.cell(0, LINE_H, url, link=url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
