"""The committed catalogues, read as Babel reads them, once per run: the tests
take expected wording from here, never from a copy typed into a test."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parent.parent / "translations"


@lru_cache(maxsize=None)
def catalog(locale: str):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)
