"""Every string a person reads is in every catalogue, translated, not fuzzy,
with its placeholders intact. Fails the day a string is added to the code and
not to the catalogues (run `make update-catalogs`, then translate)."""
from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo

from afr_aid.services.accounts.users import UI_LOCALES
from tests.catalogues import catalog

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]|\{(\w*)\}")


@lru_cache(maxsize=1)
def code_messages() -> frozenset[str]:
    """What `pybabel extract` (make extract-messages) finds in the code."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(found)


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def test_the_code_has_messages_to_translate():
    # The extraction itself must work, or every check below passes on nothing.
    assert len(code_messages()) > 400
    assert "This field is required." in code_messages()


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_every_string_in_the_code_is_in_the_catalogue(locale):
    ids = {message.id[0] if isinstance(message.id, tuple) else message.id for message in catalog(locale) if message.id}
    missing = sorted(code_messages() - ids)
    assert not missing, f"{len(missing)} strings missing from {locale} (make update-catalogs): {missing[:10]}"


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_the_catalogue_holds_no_stale_strings(locale):
    ids = {message.id[0] if isinstance(message.id, tuple) else message.id for message in catalog(locale) if message.id}
    stale = sorted(ids - code_messages())
    assert not stale, f"{len(stale)} strings in {locale} no longer in the code: {stale[:10]}"


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_every_string_is_translated_and_reviewed(locale):
    untranslated, fuzzy = [], []
    for message in catalog(locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    # A fuzzy header makes `pybabel compile` skip the whole catalogue.
    assert not catalog(locale).fuzzy, f"the {locale} catalogue's header is marked fuzzy"
    assert not untranslated, f"{len(untranslated)} untranslated in {locale}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {locale}: {fuzzy[:10]}"


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_translations_keep_every_placeholder(locale):
    broken = []
    for message in catalog(locale):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            strings = message.string
            # The singular form may drop the number ("one hour ago"), never a named value.
            expected = set(placeholders(plural))
            for form in strings:
                if not set(placeholders(form)) <= expected or not set(placeholders(form)) - {"%(num)d"} >= (
                        expected - {"%(num)d", "%(count)d", "%(n)d"}):
                    broken.append((message.id, form))
        elif placeholders(message.string) != placeholders(message.id):
            broken.append((message.id, message.string))
    assert not broken, f"{len(broken)} placeholders changed in {locale}: {broken[:5]}"


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_the_catalogue_compiles_and_passes_babels_checks(locale):
    errors = [(message.id, [str(e) for e in errs]) for message, errs in catalog(locale).check() if errs]
    assert not errors, errors[:5]
    write_mo(io.BytesIO(), catalog(locale))


def test_markup_in_a_translation_is_the_markup_of_the_original():
    tags = re.compile(r"</?[a-z]+[^>]*>")
    broken = []
    for locale in UI_LOCALES:
        for message in catalog(locale):
            if message.id and not isinstance(message.id, tuple):
                if sorted(tags.findall(message.string)) != sorted(tags.findall(message.id)):
                    broken.append((locale, message.id))
    assert not broken, broken[:5]
