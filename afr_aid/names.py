"""Spelling-tolerant keys for personal names, for the blind index.

Names are encrypted at rest, so the database cannot compare them; search goes
through keyed hashes of the keys made here (services/name_index.py). Pure
functions, no database, no secret: the migration that builds the index for
existing rows uses them too.

Why not an off-the-shelf phonetic code (Soundex, Metaphone, NYSIIS): those are
built for English spelling. The names here are Kinyarwanda, Kirundi, Swahili
and French, written down by volunteers from speech, so the variants follow
other rules: French "ou" for "u", "ch"/"sh"/"tsh" for one sound, "y"/"i",
r/l (one sound in Kinyarwanda), a dropped "h", doubled letters, and plain
typing slips. Three keys per word:

- `canonical(word)`: accents and letter case gone, those spelling rules
  applied, doubled letters collapsed. "Uwimana", "UWIMANA", "Uwimanna" and
  "Uwimaana" all give "uwimana".
- `neighbours(word)`: every key one edit away (a letter dropped,
  added, changed, or two swapped), made on the query side only, so the index
  holds one canonical key per word and still finds "Uwiana" or "Uwimama".
- `skeleton(canonical)`: first letter and the consonants, for vowels heard
  differently ("Uwimeni"); only when it keeps three letters or more, as
  shorter ones match too much.
"""
from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves whole.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_SEPARATORS = re.compile(r"[\W_]+")
# Ordered: longer spellings first. A "c" is always "k": whether it sounds "s"
# depends on the next vowel, which is what a slip changes ("Grac" for "Grace");
# a written "s" for it ("Grase") is one changed letter, which search allows.
# "S" (upper case survives nowhere else) marks the sh sound, so the rule that
# drops "h" leaves it alone.
_RULES = [
    (re.compile(r"tch|tsh|sch|sh|ch|cy"), "S"),
    (re.compile(r"ph"), "f"), (re.compile(r"th"), "t"), (re.compile(r"gh"), "g"),
    (re.compile(r"kh"), "k"), (re.compile(r"dh"), "d"), (re.compile(r"dj"), "j"),
    (re.compile(r"qu|q|ck|c"), "k"),
    (re.compile(r"x"), "ks"), (re.compile(r"ou"), "u"), (re.compile(r"y"), "i"),
    (re.compile(r"l"), "r"), (re.compile(r"h"), ""),
]
_DOUBLES = re.compile(r"(.)\1+")
_DOUBLE_CONSONANTS = re.compile(r"([^aeiou])\1+")
_VOWELS = set("aeiou")
# Letters a canonical key can hold (besides digits): what the edits may insert.
ALPHABET = "abdefgijkmnoprstuvwzS"
MAX_WORDS = 6          # more words in one query add nothing but cost
MAX_FUZZY_LENGTH = 30  # no real name part is longer; bounds the query's size
MIN_FUZZY_LENGTH = 4   # one edit on shorter words matches almost anything
MIN_SKELETON = 3


def words(text: str | None) -> list[str]:
    """Lower-case, accent-free parts of a name, in order, duplicates kept."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = _APOSTROPHES.sub("", folded)  # N'sengiyumva is Nsengiyumva
    return [w for w in _SEPARATORS.split(folded) if w]


def _spelled(word: str) -> str:
    """The spelling rules applied; doubled vowels still there. Doubled
    consonants go first so "Tsshibanda" meets the "tsh" rule; doubled vowels
    stay for `neighbours`: "Uwimaa" (an n dropped) is one edit from "uwimana"
    only before its "aa" collapses."""
    key = _DOUBLE_CONSONANTS.sub(r"\1", word)
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    return key or word  # a word of h's only keeps itself


def canonical(word: str) -> str:
    return _DOUBLES.sub(r"\1", _spelled(word))


def skeleton(key: str) -> str | None:
    """First letter and the consonants of a canonical key, or None if short."""
    shape = _DOUBLES.sub(r"\1", key[:1] + "".join(ch for ch in key[1:] if ch not in _VOWELS))
    return shape if len(shape) >= MIN_SKELETON else None


def _edits(key: str) -> set[str]:
    """Every string one edit from `key`: only added letters below
    MIN_FUZZY_LENGTH (a dropped or changed letter in a three-letter word
    leaves too little to go on), nothing for overlong words."""
    if len(key) > MAX_FUZZY_LENGTH or len(key) < MIN_FUZZY_LENGTH - 1:
        return set()
    found = set()
    for i in range(len(key) + 1):
        head, tail = key[:i], key[i:]
        found.update(head + ch + tail for ch in ALPHABET)                 # add
        if tail and len(key) >= MIN_FUZZY_LENGTH:
            found.add(head + tail[1:])                                    # drop
            if len(tail) > 1:
                found.add(head + tail[1] + tail[0] + tail[2:])            # swap
            found.update(head + ch + tail[1:] for ch in ALPHABET)         # change
    return found


def neighbours(word: str) -> set[str]:
    """Canonical keys one edit away from a word's, collapsed again (an edit
    can double a letter), the word's own key left out."""
    spelled = _spelled(word)
    key = _DOUBLES.sub(r"\1", spelled)
    found = {_DOUBLES.sub(r"\1", k) for k in _edits(key) | _edits(spelled)}
    found.discard(key)
    return {k for k in found if k}


def index_keys(name: str | None) -> set[str]:
    """What the index stores for a name: per word, its canonical key and its
    skeleton, tagged so the two kinds never match each other."""
    keys = set()
    for word in words(name):
        key = canonical(word)
        keys.add("n:" + key)
        shape = skeleton(key)
        if shape:
            keys.add("k:" + shape)
    return keys


def query_keys(text: str) -> list[set[str]]:
    """For each word of a search (at most MAX_WORDS), the keys any one of which
    must be found in the index for that word to match."""
    result = []
    for word in list(dict.fromkeys(words(text)))[:MAX_WORDS]:
        key = canonical(word)
        keys = {"n:" + key} | {"n:" + k for k in neighbours(word)}
        shape = skeleton(key)
        if shape:
            keys.add("k:" + shape)
        result.append(keys)
    return result
