"""Page languages through Babel: Chinese by default, English on request.

Message ids are English; the Chinese catalogue is ``locale/zh/LC_MESSAGES/messages.po``,
compiled in memory at first use (no .mo file to build or commit). The English catalogue holds
only the labels of codes (see labels.py): every other English text is its own id.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).with_name("locale")
LANGUAGES = ("zh", "en")
DEFAULT = "zh"


@lru_cache(maxsize=4)
def translations(language: str) -> NullTranslations:
    if language not in LANGUAGES:
        return NullTranslations()
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def pick_language(query: str | None, cookie: str | None, user: str | None) -> str:
    for candidate in (query, cookie, user):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT
