"""Checks on identifiers: the CN resident identity number (GB 11643-1999)."""

from __future__ import annotations

from datetime import date

# GB 11643-1999: the weights of the first 17 digits and the check character for sum mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def cn_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def cn_resident_id_problem(value: str) -> str | None:
    """None when ``value`` is a well-formed 18-character CN resident ID, else what is wrong."""
    if len(value) != 18:
        return f"a CN resident ID has 18 characters, this has {len(value)}"
    head, last = value[:17], value[17].upper()
    if not head.isdigit() or not (last.isdigit() or last == "X"):
        return "a CN resident ID is 17 digits and a digit or X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"birth date {value[6:14]} in the ID is not a real date"
    expected = cn_id_check_char(head)
    if last != expected:
        return f"checksum fails (last character should be {expected})"
    return None


def looks_like_cn_resident_id(value: str) -> bool:
    return len(value) == 18 and value[:17].isdigit()
