"""The text of a CSV file before polars parses it: its encoding and its records.

A pass over the bytes in chunks, with numpy (under half a second for the 1.3 GB of a
1,000,000-customer portfolio), counts the separators, line breaks and quotes. A second pass
finds each record's fields and its first physical line, outside quoted fields: a ragged line
(too many or too few fields), a quote never closed, records spanning several lines (a quoted
field with a line break) are then known with their lines before polars reads the file. The
planner skips the second pass for a file without quotes whose separators add up (``exact``).

The first pass also decodes the chunks holding non-ASCII bytes as UTF-8 (a BOM is accepted):
a file whose first non-ASCII bytes are not UTF-8 is read as GB18030 when all of it decodes as
such (common in exports from Chinese banks' systems; a superset of GBK and GB2312), through a
UTF-8 copy in a temporary folder, else refused with the byte offset and line of the first
byte that is not text. And it notes whether any field may start or end with white space, so
that cells are stripped only in files that need it (stripping every cell of 5 M rows costs
seconds).
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHUNK = 1 << 22
COMMA, QUOTE, NEWLINE, RETURN, SPACE = 44, 34, 10, 13, 32


@dataclass(frozen=True)
class Ragged:
    line: int  # physical line where the record starts
    fields: int


@dataclass
class Shape:
    """What the bytes of a CSV file hold: its header and where its records are not regular."""

    header: list[str]
    header_lines: int  # physical lines of the header record (more than 1 if a name has a line break)
    records: int  # data records (polars' rows), blank lines included
    ragged: list[Ragged] = field(default_factory=list)
    unclosed_quote_line: int | None = None
    multiline: bool = False  # some record spans several lines
    starts: np.ndarray | None = None  # physical start line of each data record (only when multiline)
    quoted: bool = False  # some field is quoted (then an empty field may be "")
    padded: bool = False  # some field may start or end with white space

    @property
    def clean(self) -> bool:
        """Whether cells must be stripped and empty text made null (polars gives null for an
        empty unquoted field already)."""
        return self.quoted or self.padded or self.multiline


class NotText(ValueError):
    """Bytes that can be read neither as UTF-8 nor as GB18030."""

    def __init__(self, offset: int, line: int, tried_gb18030: bool) -> None:
        self.offset, self.line, self.tried_gb18030 = offset, line, tried_gb18030
        what = "neither UTF-8 nor GB18030" if tried_gb18030 else "not UTF-8"
        super().__init__(f"{what} text (byte offset {offset})")


class NotUtf8(ValueError):
    """The first byte that is not UTF-8; ``after_text``: UTF-8 text other than ASCII came
    before it (then the file is UTF-8 with a broken byte, not a file in another encoding)."""

    def __init__(self, offset: int, after_text: bool) -> None:
        self.offset, self.after_text = offset, after_text
        super().__init__(f"not UTF-8 at byte {offset}")


@dataclass
class _Carry:
    """The state of the scan between chunks."""

    offset: int = 0  # bytes before the chunk
    newlines: int = 0  # raw line breaks before the chunk
    inside: bool = False  # inside a quoted field at the chunk's start
    commas: int = 0  # separators of the record running into the chunk
    record_start_newlines: int = 0
    records: int = 0  # records ended so far (the header included)
    last_byte: int = NEWLINE


def _real(positions: np.ndarray, quotes: np.ndarray, inside: bool) -> np.ndarray:
    """The positions outside quoted fields (an even number of quotes before them)."""
    return positions[((np.searchsorted(quotes, positions) + int(inside)) & 1) == 0]


def _chunk_records(a: np.ndarray, carry: _Carry, width: int, shape: Shape, starts: list[np.ndarray]) -> None:
    """Record ends, separators per record and start lines within one chunk (vectorised)."""
    commas = np.flatnonzero(a == COMMA)
    newlines = np.flatnonzero(a == NEWLINE)
    quotes = np.flatnonzero(a == QUOTE)
    ends = newlines
    if quotes.size or carry.inside:
        commas, ends = _real(commas, quotes, carry.inside), _real(newlines, quotes, carry.inside)
    if ends.size:
        per_record = np.diff(np.searchsorted(commas, ends), prepend=0)
        per_record[0] += carry.commas
        breaks_at_end = carry.newlines + np.searchsorted(newlines, ends)  # raw line breaks before each end
        breaks_at_start = np.concatenate(([carry.record_start_newlines], breaks_at_end[:-1] + 1))
        first = carry.records
        if first == 0:  # the header
            shape.header_lines = int(breaks_at_end[0] - breaks_at_start[0]) + 1
        if not shape.multiline and (breaks_at_end > breaks_at_start).any():
            shape.multiline = True
            starts.append(np.arange(1, first + 1))  # records so far each had one line
        if shape.multiline:
            starts.append(breaks_at_start + 1)
        for k in np.flatnonzero(per_record + 1 != width):
            if first + k > 0:
                shape.ragged.append(Ragged(int(breaks_at_start[k]) + 1, int(per_record[k]) + 1))
        carry.records += int(ends.size)
        carry.commas = int(commas.size - np.searchsorted(commas, ends[-1]))
        carry.record_start_newlines = int(breaks_at_end[-1]) + 1
    else:
        carry.commas += int(commas.size)
    carry.inside = bool((quotes.size + int(carry.inside)) & 1)
    carry.newlines += int(newlines.size)
    carry.offset += int(a.size)
    carry.last_byte = int(a[-1])


def _finish(carry: _Carry, width: int, shape: Shape, starts: list[np.ndarray]) -> None:
    if carry.inside:
        shape.unclosed_quote_line = carry.record_start_newlines + 1
    elif carry.last_byte != NEWLINE:  # a last record without a line break
        if carry.records > 0 and carry.commas + 1 != width:
            shape.ragged.append(Ragged(carry.record_start_newlines + 1, carry.commas + 1))
        if shape.multiline:
            starts.append(np.array([carry.record_start_newlines + 1]))
        carry.records += 1
    shape.records = max(carry.records - 1, 0)


def header_of(path: Path, encoding: str = "utf-8") -> list[str]:
    """The column names of the first record (BOM and surrounding spaces removed)."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        row = next(csv.reader(handle), [])
    return [name.strip().lstrip("\ufeff").strip() for name in row]


def _wide_space(a: np.ndarray, high: np.ndarray) -> bool:
    """Whether the chunk holds white space other than ASCII, which polars' strip_chars() also
    removes (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000),
    wherever it is (a character cut by the chunk's end counts as one)."""
    lead = high[np.isin(a[high], (0xC2, 0xE1, 0xE2, 0xE3))]
    if not lead.size:
        return False
    last = a.size - 1
    k, n1, n2 = a[lead], a[np.minimum(lead + 1, last)], a[np.minimum(lead + 2, last)]
    hit = (((k == 0xC2) & ((n1 == 0x85) | (n1 == 0xA0)))
           | ((k == 0xE1) & (n1 == 0x9A) & (n2 == 0x80))
           | ((k == 0xE2) & (n1 == 0x80) & (((n2 >= 0x80) & (n2 <= 0x8A)) | np.isin(n2, (0xA8, 0xA9, 0xAF))))
           | ((k == 0xE2) & (n1 == 0x81) & (n2 == 0x9F))
           | ((k == 0xE3) & (n1 == 0x80) & (n2 == 0x80))
           | (lead > last - 2))
    return bool(hit.any())


def _padded(a: np.ndarray, at_start: bool) -> bool:
    """Whether some ASCII white space in the chunk touches a field's edge (a separator, a line
    break, a quote, the file's start), a carriage return before a line break left out."""
    white = np.flatnonzero((a == SPACE) | ((a >= 9) & (a <= 13) & (a != NEWLINE)))
    if not white.size:
        return False
    after = np.append(a, NEWLINE)[white + 1]
    before = np.concatenate(([NEWLINE], a))[white]
    line_end = (a[white] == RETURN) & (after == NEWLINE)
    edge = np.isin(after, (COMMA, NEWLINE, RETURN, QUOTE)) | np.isin(before, (COMMA, NEWLINE, QUOTE))
    if not at_start:
        edge[white == 0] |= True  # the previous chunk's last byte is not looked at: assume an edge
    return bool((edge & ~line_end).any())


@dataclass
class _Counts:
    commas: int = 0
    newlines: int = 0
    quotes: int = 0
    size: int = 0
    last_byte: int = NEWLINE
    padded: bool = False


def _first_pass(path: Path, size: int) -> _Counts:
    """Counts, white space at the edges, and UTF-8 (raises NotUtf8 at the first byte that is not)."""
    counts = _Counts()
    decoder = codecs.getincrementaldecoder("utf-8")()
    seen_text = False  # non-ASCII UTF-8 before the current chunk
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            a = np.frombuffer(chunk, np.uint8)
            pending = len(decoder.getstate()[0])
            if pending or int(a.max()) >= 0x80:
                high = np.flatnonzero(a >= 0x80)
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    at = error.start - pending  # within the chunk
                    raise NotUtf8(counts.size + at, seen_text or bool(high.size and high[0] < at)) from None
                seen_text = seen_text or bool(high.size)
                counts.padded = counts.padded or _wide_space(a, high)
            newlines = int(np.count_nonzero(a == NEWLINE))
            counts.commas += int(np.count_nonzero(a == COMMA))
            counts.quotes += int(np.count_nonzero(a == QUOTE))
            counts.newlines += newlines
            if not counts.padded and int(np.count_nonzero(a <= SPACE)) > newlines:  # some space or control byte
                counts.padded = _padded(a, counts.size == 0)
            counts.size += int(a.size)
            counts.last_byte = int(a[-1])
    if len(decoder.getstate()[0]):
        raise NotUtf8(counts.size - len(decoder.getstate()[0]), seen_text)
    return counts


def scan_shape(path: Path, header: list[str], chunk_size: int = CHUNK, *, exact: bool = True) -> Shape:
    """The records of a UTF-8 file (raises NotUtf8 at the first byte that is not).

    Not ``exact``: a file without quotes whose separators add up to the header's width on
    every line is taken as regular without looking at each record. A line with too few
    fields may then hide behind one with too many, which polars refuses to read: a caller
    that reads this way reads the folder again exactly when polars refuses it."""
    counts = _first_pass(path, chunk_size)
    width = len(header)
    records = counts.newlines + (counts.last_byte != NEWLINE)  # the header included
    if not exact and not counts.quotes and counts.commas == (width - 1) * records:
        return Shape(header, 1, max(records - 1, 0), padded=counts.padded)
    shape = Shape(header, 1, 0, quoted=counts.quotes > 0, padded=counts.padded)
    carry = _Carry()
    starts: list[np.ndarray] = []
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            _chunk_records(np.frombuffer(chunk, np.uint8), carry, width, shape, starts)
    _finish(carry, width, shape, starts)
    if shape.multiline:
        shape.starts = np.concatenate(starts)[1:]  # the data records, without the header
    return shape


def line_at(path: Path, offset: int) -> int:
    """The physical line holding byte ``offset``."""
    lines = 1
    with path.open("rb") as handle:
        remaining = offset
        while remaining > 0 and (chunk := handle.read(min(CHUNK, remaining))):
            lines += chunk.count(b"\n")
            remaining -= len(chunk)
    return lines


def transcode_gb18030(path: Path, target: Path) -> None:
    """A UTF-8 copy of a GB18030 file; raises NotText at the first byte that is not GB18030."""
    decoder = codecs.getincrementaldecoder("gb18030")()
    offset = 0
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                out.write(decoder.decode(chunk))
            except UnicodeDecodeError as error:
                bad = offset + error.start - pending
                raise NotText(bad, line_at(path, bad), True) from None
            offset += len(chunk)
        try:
            out.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            bad = offset - len(decoder.getstate()[0])
            raise NotText(bad, line_at(path, bad), True) from None
