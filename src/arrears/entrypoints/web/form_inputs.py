"""What the pages' forms carry: a form field's type (``FormStr``, ``OptForm``), and the dates and
times typed into forms and filters (``domain.dates``), else ``InvalidInput`` naming the field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Form

from arrears.domain import dates
from arrears.services.workbench.errors import InvalidInput

FormStr = Annotated[str, Form()]
OptForm = Annotated[str | None, Form()]

# The labels of the form fields that carry dates, as the pages show them.
FORM_LABELS = {"due_at": ("跟进时间", "follow-up time"), "callback_at": ("回电时间", "callback time"),
               "promise_date": ("承诺还款日期", "promise date")}


def day_field(text: str, name: str) -> date:
    """The date ``name`` gives (YYYY-MM-DD); refused as not a date."""
    try:
        return dates.day_of(text)
    except dates.DateRefused:
        raise InvalidInput(f"{name}：日期格式应为 YYYY-MM-DD", f"{name}: not a date (YYYY-MM-DD)", name) from None


def labelled_day(text: str | None, name: str, zh: str, en: str) -> date | None:
    """The date ``name`` gives, if any; refused with the reason, naming the field by its label."""
    if not text:
        return None
    try:
        return dates.day_of(text, zh, en)
    except dates.DateRefused as refused:
        raise InvalidInput(refused.zh, refused.en, name) from None


def form_day(text: str | None, name: str) -> date | None:
    """A form's date (its field's label in ``FORM_LABELS``)."""
    return labelled_day(text, name, *FORM_LABELS[name])


def local_datetime(text: str | None, zone: str, name: str) -> datetime | None:
    """A form's date and time (local to ``zone`` unless it carries an offset), within ``domain.dates``."""
    if not text:
        return None
    try:
        value = dates.instant_of(text, *FORM_LABELS[name], aware=False)
    except dates.DateRefused as refused:
        raise InvalidInput(refused.zh, refused.en, name) from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))
