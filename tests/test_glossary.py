"""The glossary holds the catalogues: a concept of the domain (a case, its
statuses and workflow actions, urgency levels, roles, consent, incident types,
perpetrators, sign-in and notification words) is said with the same word
everywhere in a language, and two concepts are never said with one word.

`translations/glossary.csv` has one row per concept:

    concept       a stable id
    en            the English term(s) as they appear in msgids, "|" between
                  alternatives. Matched case-insensitively on word boundaries;
                  a space in a term also matches a hyphen ("sign in" finds
                  "sign-in").
    fr rw sw ln   the rendering's stem(s), "|" between alternatives where the
                  language inflects beyond a common stem. A stem is found
                  anywhere in the msgstr (Bantu languages inflect at both ends:
                  "shinzwe" is found in "uyishinzwe"), case-insensitively, with
                  accents and apostrophes folded ("é" = "e", "’" = "'").
                  "^" ties a stem to the start of a word and "$" to its end:
                  "^kota$" is the word kota, not the kota of kotala.
    avoid         words not to use, each "lang: word (why)", ";" between them.
                  "lang:" holds in the entries that use this concept,
                  "lang*:" in every entry of that language. Matched like stems.

Placeholders (%(name)s, {min}) and HTML tags are taken out of msgid and msgstr
first, so the placeholder "%(place)s" is not the word "place".

Per language, for every entry:

1. Coverage: wherever a msgid uses a concept's English term, every msgstr form
   of the entry (each msgstr[n] of a plural) contains one of its stems.
2. One stem, one concept: no stem belongs to two concepts of a language.
3. No borrowed word in a label: in a label (a msgid of at most LABEL_WORDS
   words: a badge, button, heading, column, menu item or vocabulary value, read
   without a sentence around it), once the renderings of the concepts the
   msgid uses are blanked out, no rendering of another concept is left. So
   "Declined" may not be said with the word of "Rejected (false report)", the
   "Mail log" not with the words of the "Delivery log", "Survivor of
   gender-based violence" not with the word for "Victim", nor "High" with the
   words of "Critical". Blanking first is what lets a rendering contain another
   one legitimately: "Reset" (sw "weka upya") is built on "set up" (sw "weka"),
   and sw "kumewekwa upya" is the reset, not the set-up.
   "case" and "place" (AMBIENT) are not counted: a label may name the case or
   the place that English leaves implied ("Assignment" -> rw "Guhabwa dosiye").
   Sentences are not held to rule 3: the stricter rule "no msgstr may contain
   the rendering of a concept its msgid does not name" fails on honest prose
   (rw "ihabwa" in "a new case is offered to the best volunteer" is the verb of
   assigning, as it should be), and a sentence gives the context that tells two
   senses of a word apart. What a sentence must not do is caught by rule 4.
4. Avoided words: no word of the avoid column occurs, after blanking the
   renderings of the concepts the msgid uses (so fr "bailleur" may stand in
   "bailleur de fonds", sw "mwathiriwa" in "Victim", but never in "Survivor").

The glossary itself is checked too: at least 25 concepts with unique ids, every
concept's English term found in some msgid (a term the code no longer uses is
stale), every stem found in some msgstr (a stem no entry uses is a typo), and
EXCEPTIONS naming only msgids that exist.

EXCEPTIONS below lists, with the reason, the entries where a concept's English
term is used in another sense ("Too many requests" is not an assistance
request, "1 low" is a severity, not an urgency) or is a literal value that is
not translated (CSV column names), and the labels where a rendering's word is
used in its plain sense in a language (fr "enregistrer" is both to save and
to file). For such an entry the concept is not required (rule 1) nor blanked
(rules 3 and 4), and its rendering is not counted as borrowed (rule 3). Avoided
words still hold there: rw "ubusabe" stays out of "Too many requests".

The failure message names the msgid, the language, the concept and the
expected rendering. When a test fails, fix the catalogue; change the glossary
only when the word of the concept changes everywhere (then change it in every
entry), and add an exception only for another sense of a word, with its reason.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest

from tests.catalogues import catalog

GLOSSARY = Path(__file__).resolve().parent.parent / "translations" / "glossary.csv"
LOCALES = ("rw", "sw", "fr", "ln")
COLUMNS = ["concept", "en", "fr", "rw", "sw", "ln", "avoid"]
LABEL_WORDS = 5

PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdif]|\{\w*\}|</?[a-z]+[^>]*>")

# (concept, language or "*", msgid): why the rules do not apply there.
EXCEPTIONS: dict[tuple[str, str, str], str] = {
    # Another sense of "request": not an assistance request.
    ("assistance_request", "*", "Too many requests. Wait a moment and try again."):
        "throttling: too many attempts (the attempt concept), not assistance requests",
    ("assistance_request", "*", "On the person's request: removes names, phone numbers, the UNHCR "
     "number and the perpetrator detail for good. The case still counts in the figures."):
        "the person's own wish to be erased, not an assistance request",
    ("assistance_request", "*", "The request could not be processed."):
        "an HTTP request (API error, read by developers)",
    ("assistance_request", "*", "The request is too large (at most 256 KiB)."):
        "an HTTP request (API error, read by developers)",
    ("assistance_request", "*", "The request was not understood."):
        "an HTTP request (API error, read by developers)",
    # Another sense of "low".
    ("low", "*", "Severity (1 low – 5 very serious)"):
        "the low end of the severity scale, not the urgency level Low",
    # Literal CSV values, typed by the user exactly as written.
    ("territory", "*", "Columns: code, name, level (country, province, territory or locality), "
     "parent. Parents come first or exist already. Existing codes are renamed, never removed."):
        "CSV level codes, kept in English because the file must use them literally",
    ("territory", "*", "Line %(line)d: the level must be country, province, territory or locality."):
        "CSV level codes, kept in English because the file must use them literally",
    ("locality", "*", "Columns: code, name, level (country, province, territory or locality), "
     "parent. Parents come first or exist already. Existing codes are renamed, never removed."):
        "CSV level codes, kept in English because the file must use them literally",
    ("locality", "*", "Line %(line)d: the level must be country, province, territory or locality."):
        "CSV level codes, kept in English because the file must use them literally",
    # A word of a rendering used in its plain sense in one language.
    ("file_case", "fr", "Save"):
        "fr enregistrer is both to save and to file a case; a button, its context tells",
    ("file_case", "fr", "Saved."):
        "fr enregistré is both saved and filed; a flash message after saving",
    ("file_case", "fr", "Save verification"):
        "fr enregistrer is both to save and to file a case; a button, its context tells",
    ("file_case", "fr", "Your notification settings are saved."):
        "fr enregistrés is saved here, not filed",
    ("in_progress", "fr", "Sending"):
        "fr en cours is under way: the mail is being sent, not the case status In progress",
    ("filter", "ln", "Filter"):
        "the filter form's button says Pona (choose), as Lingala software does; the panel says ba filtre",
    ("computer_file", "*", "File"):
        "the submit button of the new-case form: to file a case, not a computer file",
    ("computer_file", "*", "File an assistance request"):
        "to file a request, not a computer file",
    ("computer_file", "*", "Cases you file now are kept on this phone, locked with your PIN, and sent when the "
                           "connection returns."):
        "to file cases (offline), not a computer file",
    ("computer_file", "*", "The server could not file these as typed. Open each one, fix what is marked, and "
                           "file it again."):
        "to file cases again, not a computer file",
    ("figures", "sw", "Figure"):
        "the table column Figure: takwimu is one figure as well as many",
    ("file_case", "sw", "File"):
        "the submit button of the new-case form says wasilisha (file): the filing action itself",
    ("assign", "rw", "Away (not offered new cases)"):
        "ntahabwa = is not given (new cases): offering a case is assigning it",
    ("assign", "ln", "Give at most {max} items."):
        "pesa = give, its plain sense (an API list), not assign",
    ("assign", "ln", "Give from {min} to {max} items."):
        "pesa = give, its plain sense (an API list), not assign",
    ("assistance_request", "rw", "Send the body as JSON."):
        "ubusabe here is the HTTP request whose body is meant (API error, read by developers)",
    ("perpetrator", "rw", "Who and how serious"):
        "the Who of this heading is who did it: the perpetrators",
    ("new", "sw", "Newest"):
        "newest = the most new: mpya zaidi",
    ("new", "ln", "Newest"):
        "newest = the most new: ya sika koleka",
    ("queue", "fr", "Queued"):
        "a mail waiting in the outgoing queue (delivery status), not the coordinators' Queue of cases",
    ("queue", "sw", "Queued"):
        "a mail waiting in the outgoing queue (delivery status), not the coordinators' Queue of cases",
    ("set_up", "ln", "Mark as resolved"):
        "tia = put: put the mark resolved on the case, not set up",
}

# Concepts a label may name where English leaves them implied ("Assignment" ->
# rw "Guhabwa dosiye", receiving a case; "Anywhere" -> ln "Esika nyonso", every
# place). Their word is never a rival's: saying them adds no second meaning.
AMBIENT = {"case", "place"}


def fold(text: str) -> str:
    """Case, accents, apostrophes and spacing folded; placeholders and tags out."""
    text = PLACEHOLDER.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("ʼ", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text.casefold()).strip()


@lru_cache(maxsize=None)
def stem_pattern(stem: str) -> re.Pattern:
    start, end = stem.startswith("^"), stem.endswith("$")
    core = fold(stem.strip("^$"))
    return re.compile(("(?<!\\w)" if start else "") + re.escape(core) + ("(?!\\w)" if end else ""))


@lru_cache(maxsize=None)
def term_pattern(term: str) -> re.Pattern:
    words = [re.escape(w) for w in re.split(r"[\s-]+", fold(term))]
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"(?!\w)")


@dataclass
class Concept:
    id: str
    en: list[str]
    stems: dict[str, list[str]]
    avoid: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)  # lang -> (word, why, everywhere)

    def uses(self, msgid_text: str) -> bool:
        folded = fold(msgid_text)
        return any(term_pattern(term).search(folded) for term in self.en)

    def spans(self, locale: str, folded: str) -> list[tuple[int, int]]:
        return [m.span() for stem in self.stems[locale] for m in stem_pattern(stem).finditer(folded)]


def split_outside_parentheses(cell: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in cell:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [part.strip() for part in parts + [current] if part.strip()]


def parse_avoid(cell: str, concept: str) -> dict[str, list[tuple[str, str, bool]]]:
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for item in split_outside_parentheses(cell):
        match = re.fullmatch(r"(\w\w)(\*?):\s*(.+?)\s*\((.+)\)", item)
        assert match, f"glossary concept {concept!r}: avoid entry {item!r} is not 'lang: word (why)'"
        lang, star, word, why = match.groups()
        assert lang in LOCALES, f"glossary concept {concept!r}: unknown language {lang!r} in avoid"
        found.setdefault(lang, []).append((word, why, bool(star)))
    return found


@lru_cache(maxsize=1)
def glossary() -> tuple[Concept, ...]:
    with open(GLOSSARY, newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        assert reader.fieldnames == COLUMNS, f"glossary.csv columns are {reader.fieldnames}, not {COLUMNS}"
        rows = list(reader)
    concepts = []
    for row in rows:
        for column in COLUMNS[:-1]:
            assert row[column].strip(), f"glossary concept {row['concept']!r}: empty {column} cell"
        concepts.append(Concept(
            id=row["concept"],
            en=[t.strip() for t in row["en"].split("|")],
            stems={lang: [s.strip() for s in row[lang].split("|")] for lang in LOCALES},
            avoid=parse_avoid(row["avoid"], row["concept"]),
        ))
    return tuple(concepts)


def entries(locale: str):
    """(msgid as written, English texts, msgstr forms) of every entry."""
    for message in catalog(locale):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            yield message.id[0], list(message.id), list(message.string)
        else:
            yield message.id, [message.id], [message.string]


def excepted(concept: str, locale: str, msgid: str) -> bool:
    return (concept, locale, msgid) in EXCEPTIONS or (concept, "*", msgid) in EXCEPTIONS


def blank(text: str, spans) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def shown(concept: Concept, locale: str) -> str:
    return " | ".join(concept.stems[locale])


def analyse(locale: str):
    """Per entry: the concepts its msgid uses, those required, and each msgstr
    form folded with the required renderings blanked out."""
    concepts = glossary()
    for msgid, texts, forms in entries(locale):
        used = [c for c in concepts if any(c.uses(t) for t in texts)]
        required = [c for c in used if not excepted(c.id, locale, msgid)]
        blanked = []
        for form in forms:
            folded = fold(form)
            blanked.append((form, folded, blank(folded, [s for c in required for s in c.spans(locale, folded)])))
        yield msgid, texts, used, required, blanked


def is_label(texts: list[str]) -> bool:
    return len(re.findall(r"\w+", PLACEHOLDER.sub(" ", texts[0]))) <= LABEL_WORDS


# -- the glossary itself ---------------------------------------------------------

def test_the_glossary_has_the_concepts_of_the_domain():
    concepts = glossary()
    ids = [c.id for c in concepts]
    assert len(ids) >= 25, f"only {len(ids)} concepts"
    assert len(set(ids)) == len(ids), f"concept ids repeat: {sorted(i for i in ids if ids.count(i) > 1)}"
    for required in ("case", "assistance_request", "security_incident", "assign", "decline", "resolve",
                     "close", "reopen", "critical", "high", "medium", "low", "volunteer", "coordinator",
                     "donor", "administrator", "consent", "threat_or_intimidation", "armed_group",
                     "sign_in", "two_step", "session", "notification", "daily_digest"):
        assert required in ids, f"the glossary has no concept {required!r}"


def test_every_concept_is_used_by_some_msgid():
    ids = {message.id[0] if isinstance(message.id, tuple) else message.id
           for message in catalog("fr") if message.id}
    texts = [t for message in catalog("fr") if message.id
             for t in (message.id if isinstance(message.id, tuple) else (message.id,))]
    unused = [c.id for c in glossary() if not any(c.uses(t) for t in texts)]
    assert not unused, f"glossary concepts no msgid uses (English term changed?): {unused}"
    stale = [key for key in EXCEPTIONS if key[2] not in ids]
    assert not stale, f"EXCEPTIONS name msgids that no longer exist: {stale}"
    unknown = [key for key in EXCEPTIONS if key[0] not in {c.id for c in glossary()}
               or key[1] not in LOCALES + ("*",)]
    assert not unknown, f"EXCEPTIONS name unknown concepts or languages: {unknown}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_stem_of_the_glossary_occurs_in_the_catalogue(locale):
    """A stem no msgstr contains is a typo or a word the catalogue dropped."""
    folded = [fold(form) for _msgid, _texts, forms in entries(locale) for form in forms]
    missing = [f"{c.id}: {stem!r}" for c in glossary() for stem in c.stems[locale]
               if not any(stem_pattern(stem).search(text) for text in folded)]
    assert not missing, f"[{locale}] glossary stems found in no msgstr: {missing}"


# -- the catalogues held to it ---------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
def test_each_concept_is_said_with_its_glossary_word(locale):
    failures = []
    for msgid, _texts, _used, required, blanked in analyse(locale):
        for concept in required:
            for form, folded, _ in blanked:
                if not concept.spans(locale, folded):
                    failures.append(f"msgid {msgid!r} [{locale}] concept {concept.id!r}: expected "
                                    f"{shown(concept, locale)!r} in {form!r}")
    assert not failures, f"{len(failures)} entries do not use the glossary word:\n" + "\n".join(failures)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_two_concepts_share_a_stem(locale):
    owner: dict[str, str] = {}
    shared = []
    for concept in glossary():
        for stem in concept.stems[locale]:
            key = fold(stem)
            if key in owner and owner[key] != concept.id:
                shared.append(f"[{locale}] stem {stem!r} is the rendering of both {owner[key]!r} and {concept.id!r}")
            owner.setdefault(key, concept.id)
    assert not shared, "\n".join(shared)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_label_does_not_borrow_the_word_of_another_concept(locale):
    concepts = glossary()
    failures = []
    for msgid, texts, used, _required, blanked in analyse(locale):
        if not is_label(texts):
            continue
        others = [c for c in concepts if c not in used and c.id not in AMBIENT]
        for form, _folded, rest in blanked:
            for other in others:
                if other.spans(locale, rest) and not excepted(other.id, locale, msgid):
                    failures.append(f"msgid {msgid!r} [{locale}]: {form!r} uses {shown(other, locale)!r}, "
                                    f"the rendering of concept {other.id!r}, which this msgid does not name"
                                    + (f" (it names {[c.id for c in used]}, "
                                       f"expected {[shown(c, locale) for c in used]})" if used else ""))
    assert not failures, f"{len(failures)} labels share a word with another concept:\n" + "\n".join(failures)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_avoided_word(locale):
    concepts = glossary()
    everywhere = [(c, word, why) for c in concepts for word, why, star in c.avoid.get(locale, []) if star]
    failures = []
    for msgid, _texts, _used, required, blanked in analyse(locale):
        local = [(c, word, why) for c in required for word, why, star in c.avoid.get(locale, []) if not star]
        for form, _folded, rest in blanked:
            for concept, word, why in local + everywhere:
                if stem_pattern(word).search(rest):
                    failures.append(f"msgid {msgid!r} [{locale}] concept {concept.id!r}: {form!r} uses "
                                    f"{word!r} ({why}); expected {shown(concept, locale)!r}")
    assert not failures, f"{len(failures)} entries use an avoided word:\n" + "\n".join(failures)
