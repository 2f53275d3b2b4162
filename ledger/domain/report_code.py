"""The verification code printed on a credit report: subject, ledger position, day and digest.

Nothing is stored when a report is cut: the code carries what is needed to cut it again (the
subject, the global position, the day its calendar rules were read on) and a digest of what
it said. Binary form, then RFC 4648 base32 without padding (A-Z, 2-7: URL-safe, readable
aloud, case-insensitive when typed):

    format 1 | day 2 | position 5 | digest 8 | subject (12 packed USCC, 16 pseudonym, or
    the code's ASCII) | check 2

`format` says how the subject is written and which content the digest covers (docs/adr/025);
`check` (two bytes of SHA-256 over the rest) tells a mistyped code from one that decodes but
that the ledger does not confirm.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.domain.bounds import FIRST_DAY
from ledger.domain.envelope import canonical_json

EPOCH = FIRST_DAY  # day 0 of the code: the first day the ledger accepts
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PSEUDONYM_PREFIX = "p-"
DIGEST_BYTES = 8
CHECK_BYTES = 2
# Formats of report content version 1, by how the subject is written.
USCC_PACKED, PSEUDONYM, ASCII = 0x11, 0x12, 0x13
MAX_POSITION = (1 << 40) - 1


class BadCode(ValueError):
    """Not a verification code this ledger makes (mistyped, cut short, or made up); `words`
    says so in Chinese, for the verify page."""

    def __init__(self, message: str, words: str) -> None:
        super().__init__(message)
        self.words = words


@dataclass(frozen=True)
class ReportCode:
    subject: str
    position: int
    day: date
    digest: bytes

    def text(self) -> str:
        """The code as printed and put in URLs."""
        return base64.b32encode(self.binary()).decode().rstrip("=")

    def grouped(self) -> str:
        """The code in groups of six, for reading off paper."""
        text = self.text()
        return "-".join(text[i:i + 6] for i in range(0, len(text), 6))

    def binary(self) -> bytes:
        fmt, subject = _subject_bytes(self.subject)
        body = (bytes([fmt]) + (self.day - EPOCH).days.to_bytes(2, "big")
                + self.position.to_bytes(5, "big") + self.digest + subject)
        return body + _check(body)


def digest_of(subject: str, position: int, day: date, content: Any) -> bytes:
    """What the code promises: the first bytes of SHA-256 over the cut's canonical JSON."""
    canonical = canonical_json({"subject": subject, "position": position,
                                "day": day.isoformat(), "content": content})
    return hashlib.sha256(canonical).digest()[:DIGEST_BYTES]


def make(subject: str, position: int, day: date, content: Any) -> ReportCode:
    if not 0 <= position <= MAX_POSITION:
        raise ValueError(f"position {position} does not fit a report code")
    return ReportCode(subject, position, day, digest_of(subject, position, day, content))


def parse(text: str) -> ReportCode:
    """The code in `text` (case, spaces and hyphens ignored); BadCode saying what is wrong."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    if not cleaned:
        raise BadCode("the verification code is empty", "请输入验证码")
    if len(cleaned) > 80 or not set(cleaned) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"):
        raise BadCode("a verification code has only the letters A-Z and the digits 2-7",
                      "验证码只含字母 A–Z 和数字 2–7")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise BadCode("the verification code has the wrong length", "验证码长度不对") from None
    fixed = 1 + 2 + 5 + DIGEST_BYTES
    # The last character's spare bits must be zero: one code, one spelling.
    canonical = base64.b32encode(raw).decode().rstrip("=") == cleaned
    if (not canonical or len(raw) <= fixed + CHECK_BYTES
            or _check(raw[:-CHECK_BYTES]) != raw[-CHECK_BYTES:]):
        raise BadCode("the verification code does not check: a character is wrong or missing",
                      "验证码校验不通过：有字符输错或缺漏")
    fmt, day = raw[0], EPOCH + timedelta(days=int.from_bytes(raw[1:3], "big"))
    position = int.from_bytes(raw[3:8], "big")
    subject = _subject_text(fmt, raw[fixed:-CHECK_BYTES])
    return ReportCode(subject, position, day, raw[8:fixed])


def _check(body: bytes) -> bytes:
    return hashlib.sha256(body).digest()[:CHECK_BYTES]


def _subject_bytes(code: str) -> tuple[int, bytes]:
    if len(code) == 18 and set(code) <= set(USCC_ALPHABET):
        n = 0
        for ch in code:
            n = n * len(USCC_ALPHABET) + USCC_ALPHABET.index(ch)
        return USCC_PACKED, n.to_bytes(12, "big")  # 31**18 < 2**96
    if code.startswith(PSEUDONYM_PREFIX) and len(code) == 34:
        try:
            return PSEUDONYM, bytes.fromhex(code[2:])
        except ValueError:
            pass
    encoded = code.encode()
    if not encoded.isascii() or not 0 < len(encoded) <= 40:
        raise ValueError("a report code carries an ASCII subject code of 1 to 40 characters")
    return ASCII, encoded


def _subject_text(fmt: int, data: bytes) -> str:
    if fmt == USCC_PACKED and len(data) == 12:
        n, chars = int.from_bytes(data, "big"), []
        for _ in range(18):
            n, r = divmod(n, len(USCC_ALPHABET))
            chars.append(USCC_ALPHABET[r])
        if n == 0:
            return "".join(reversed(chars))
    elif fmt == PSEUDONYM and len(data) == 16:
        return PSEUDONYM_PREFIX + data.hex()
    elif fmt == ASCII and data.isascii() and data.decode().isprintable():
        return data.decode()
    raise BadCode("the verification code is not one this ledger makes (unknown format)",
                  "这不是本账本生成的验证码")
