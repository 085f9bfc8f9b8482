"""Letters for a print house: one PDF per letter in a folder, and ``manifest.csv`` (letter id,
account, address, pages) listing each letter once.

Chinese text is set in ``STSong-Light``, the CJK font reportlab ships as a ``UnicodeCIDFont``
(Adobe's Song, which every PDF reader has; the text stays extractable as Unicode). Lines are
broken by their measured width, between any two CJK characters and at spaces in Latin text.
A letter is written to a temporary file and renamed into place, so a crash never leaves half
a PDF; writing a letter id again (a retry) replaces its file and does not list it twice.
"""

from __future__ import annotations

import csv
import fcntl
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from arrears.adapters.spreadsheets import formula_safe
from arrears.domain.outreach import OutboundMessage, SendResult

FONT = "STSong-Light"
SIZE = 11
LEADING = 17
MARGIN = 22 * mm
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("letter_id", "account_id", "address", "pages")
LETTER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


class Letter(Protocol):
    """What a rendered message gives a letter (``RenderedMessage``)."""

    @property
    def text(self) -> str: ...
    @property
    def sender(self) -> str: ...
    @property
    def language(self) -> str: ...


def _width(text: str) -> float:
    return pdfmetrics.stringWidth(text, FONT, SIZE)


def wrap(paragraph: str, width: float) -> list[str]:
    """``paragraph`` in lines no wider than ``width`` points: broken at the last space of Latin text
    that fits, else between characters (CJK text has no spaces)."""
    lines: list[str] = []
    rest = paragraph.rstrip()
    while _width(rest) > width:
        cut = 1
        while cut < len(rest) and _width(rest[: cut + 1]) <= width:
            cut += 1
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0 and rest[cut:cut + 1].isascii() and rest[cut - 1:cut].isascii() and rest[cut:cut + 1] != " ":
            cut = space
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip(" ")
    lines.append(rest)
    return lines


class PdfLetterSender:
    """Writes letters into ``folder`` (made when missing)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._listed: set[str] = set()
        self._known_size = -1  # the manifest's size when this writer last read it

    def write_letter(self, letter_id: str, account_id: str, address: str, rendered: Letter) -> int:
        """Write the letter as ``<letter_id>.pdf`` and list it in the manifest; returns its pages."""
        if not LETTER_ID.fullmatch(letter_id):
            raise ValueError(f"letter id {letter_id!r}: letters, digits, '_', '.', '-' (at most 128)")
        target = self.folder / f"{letter_id}.pdf"
        partial = self.folder / f".{letter_id}.pdf.partial"
        pages = self._draw(partial, address, rendered)
        os.replace(partial, target)
        self._list(letter_id, account_id, address, pages)
        return pages

    def _draw(self, path: Path, address: str, rendered: Letter) -> int:
        width, height = A4
        pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
        pdf.setTitle(rendered.sender)
        pdf.setAuthor(rendered.sender)
        lines = [line for block in address.splitlines() for line in wrap(block, width / 2)] + ["", ""]
        lines += [line for paragraph in rendered.text.splitlines() for line in wrap(paragraph, width - 2 * MARGIN)]
        page, y = 1, height - MARGIN
        pdf.setFont(FONT, SIZE)
        for line in lines:
            if y < MARGIN + LEADING:
                self._footer(pdf, page, rendered.language)
                pdf.showPage()
                pdf.setFont(FONT, SIZE)
                page, y = page + 1, height - MARGIN
            pdf.drawString(MARGIN, y, line)
            y -= LEADING
        self._footer(pdf, page, rendered.language)
        pdf.showPage()
        pdf.save()
        return page

    @staticmethod
    def _footer(pdf: canvas.Canvas, page: int, language: str) -> None:
        pdf.setFont(FONT, 8)
        pdf.drawRightString(A4[0] - MARGIN, MARGIN / 2, f"page {page}" if language == "en" else f"第 {page} 页")
        pdf.setFont(FONT, SIZE)

    def _list(self, letter_id: str, account_id: str, address: str, pages: int) -> None:
        """Add the letter to manifest.csv (UTF-8 with a BOM, formula-safe) unless it is there: under a
        lock, so that writers in several processes never interleave."""
        manifest = self.folder / MANIFEST
        with self._lock, (self.folder / ".manifest.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            size = manifest.stat().st_size if manifest.exists() else -1
            if size != self._known_size and size >= 0:  # someone else wrote to it: read it again
                with manifest.open(encoding="utf-8-sig", newline="") as handle:
                    self._listed = {row["letter_id"] for row in csv.DictReader(handle)}
            if letter_id not in self._listed:
                with manifest.open("a", encoding="utf-8-sig" if size < 0 else "utf-8", newline="") as handle:
                    out = csv.writer(handle)
                    if size < 0:
                        out.writerow(MANIFEST_COLUMNS)
                    out.writerow([formula_safe(v) for v in (letter_id, account_id,
                                                            " / ".join(address.splitlines()), pages)])
                self._listed.add(letter_id)
            self._known_size = manifest.stat().st_size


@dataclass(frozen=True, slots=True)
class _Written:
    """An outbox letter as ``PdfLetterSender`` reads it."""

    text: str
    sender: str
    language: str


class LetterDirectory:
    """The letters channel behind the one ``ChannelSender`` port: each letter of the outbox is
    written as a PDF (``PdfLetterSender``) and listed in ``manifest.csv`` for the print house."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._writer = PdfLetterSender(folder)

    def send(self, message: OutboundMessage) -> SendResult:
        language = "zh" if re.search(r"[\u4e00-\u9fff]", message.text) else "en"
        body = f"{message.subject}\n\n{message.text}" if message.subject else message.text
        try:
            self._writer.write_letter(message.message_id, message.account_id, message.to,
                                      _Written(body, message.sender, language))
        except OSError as error:
            return SendResult.retryable(f"the letter could not be written ({type(error).__name__})")
        return SendResult.accepted(message.message_id)
