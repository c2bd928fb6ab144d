"""Spelling-tolerant keys for personal names, for the blind index.

Names are encrypted at rest, so the database cannot compare them; search goes
through keyed hashes of the keys made here (services/cases/name_index.py). Pure
functions, no database, no secret: the migrations that build the index for
existing rows use them too.

Why not an off-the-shelf phonetic code (Soundex, Metaphone, NYSIIS): those are
built for English spelling. The names here are Kinyarwanda, Kirundi, Swahili
and French, written down by volunteers from speech, so the variants follow
other rules: French "ou" for "u", "ch"/"sh"/"tsh" for one sound, "y"/"i",
r/l (one sound in Kinyarwanda), a dropped "h", doubled letters, and plain
typing slips. Three kinds of key per word, tagged so that kinds never match
each other:

- "n:" `canonical(word)`: accents and letter case gone, those spelling rules
  applied, doubled letters collapsed. "Uwimana", "UWIMANA", "Uwimanna" and
  "Uwimaana" all give "uwimana".
- "d:" `deletions(key)`: for typing slips, symmetric deletion neighbourhoods
  (as SymSpell does, distance 1): the key itself and the key with any one
  letter deleted, on both sides. The index holds those of the stored word,
  a search sends those of the typed one; two such sets meet exactly when the
  words are equal, or one has a letter added, dropped or changed, or two
  adjacent letters swapped (plus a few pairs two edits apart, such as a
  letter dropped from each at different places). The alternative, every key
  one edit away made on the query side only, needs no extra index rows but
  sends 300-700 hashes for a ten-letter word, and PostgreSQL spends longer
  planning those IN lists than running them; this way a word sends ~10-30
  keys, and the index stores ~L more rows for a word of L letters. Words
  shorter than MIN_FUZZY_LENGTH store and send only their own "d:" key,
  which as a query finds a stored word with one more letter: one letter
  dropped or changed in a three-letter word leaves too little to go on.
  The price, besides the rows: without the index key a hash still says
  nothing of a name, but the number of a case's rows hints at the length of
  its names, and cases whose names are one slip apart share hashes. Both
  stay inside the database, which the key ring and the blind index key
  are kept apart from.
  A search also sends the deletions of the word before its doubled letters
  collapse ("uwimaa" for "Uwimaa"), since a dropped letter can leave two
  vowels side by side ("Uwimana" with the n dropped), and each deletion
  collapsed again, for a name recorded that way ("Philomee" found by
  "Philomene").
- "k:" `skeleton(canonical)`: first letter and the consonants, for vowels heard
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
MAX_WORDS = 6          # more words in one query add nothing but cost
MAX_FUZZY_LENGTH = 30  # no real name part is longer; bounds the keys of a word
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
    stay for the query's deletions: "Uwimaa" (an n dropped) meets "uwimana"
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


def deletions(key: str) -> set[str]:
    """The key and every string made by deleting one of its letters; only the
    key itself when it is shorter than MIN_FUZZY_LENGTH or overlong."""
    if not MIN_FUZZY_LENGTH <= len(key) <= MAX_FUZZY_LENGTH:
        return {key}
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}


def index_keys(name: str | None) -> set[str]:
    """What the index stores for a name: per word, its canonical key, its
    skeleton and the deletions of its canonical key."""
    keys = set()
    for word in words(name):
        key = canonical(word)
        keys.add("n:" + key)
        shape = skeleton(key)
        if shape:
            keys.add("k:" + shape)
        keys.update("d:" + k for k in deletions(key))
    return keys


def query_keys(text: str) -> list[set[str]]:
    """For each word of a search (at most MAX_WORDS), the keys any one of which
    must be found in the index for that word to match: its canonical key, its
    skeleton, and the deletions of its canonical key and of its spelling with
    doubled vowels kept, also with doubles collapsed (a short word: its
    canonical key alone, which finds stored words with one letter more)."""
    result = []
    for word in list(dict.fromkeys(words(text)))[:MAX_WORDS]:
        key = canonical(word)
        keys = {"n:" + key}
        shape = skeleton(key)
        if shape:
            keys.add("k:" + shape)
        fuzzy = deletions(key)
        if len(key) >= MIN_FUZZY_LENGTH:
            fuzzy |= deletions(_spelled(word))
        # Collapsed again: a deleted letter can leave a double, whose
        # canonical form is stored ("Philomene" less its n, "Philomee").
        keys.update("d:" + k for k in fuzzy | {_DOUBLES.sub(r"\1", k) for k in fuzzy})
        result.append(keys)
    return result
