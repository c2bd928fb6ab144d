"""A labelled set of spelling variants: names written the way volunteers and
clerks write them down (Kinyarwanda, Swahili and French styles), each with the
name it should find. Deterministic (seeded), so a recall figure is repeatable."""
from __future__ import annotations

import random

GIVEN = ["Aline", "Jean", "Claudine", "Emmanuel", "Divine", "Eric", "Grace", "Patrick", "Esther", "Innocent",
         "Josiane", "Olivier", "Solange", "Theogene", "Vestine", "Zawadi", "Baraka", "Neema", "Amani", "Furaha",
         "Jeanne", "Clarisse", "Chantal", "Faustin", "Espérance", "Béatrice", "Théoneste", "Jacqueline",
         "Mwanaisha", "Shukuru", "Chausiku", "Rehema", "Tumaini", "Imani", "Mahoro", "Kwizera", "Shema",
         "Cyiza", "Mugeni", "Nshuti"]
FAMILY = ["Uwimana", "Niyonsaba", "Mukamana", "Habimana", "Nsengiyumva", "Uwase", "Hakizimana", "Ingabire",
          "Mugisha", "Nyiraneza", "Bahati", "Kabila", "Mwamba", "Kasongo", "Mutombo", "Ilunga", "Uwamahoro",
          "Nyirahabimana", "Ndayisaba", "Iradukunda", "Mukeshimana", "Hategekimana", "Tuyishime", "Byiringiro",
          "Niyigena", "Mbarushimana", "Twagirayezu", "Munyaneza", "Tshibanda", "Tshisekedi", "Kalonji",
          "Mwanza", "Bizimana", "Ntakirutimana", "Uwizeye", "Musabyimana", "Nzeyimana", "Kayitesi",
          "Mukandayisenga", "Rukundo"]

_ACCENTS = {"e": "é", "a": "à", "i": "ï", "o": "ô", "u": "ù"}
_SWAPS = [("u", "ou"), ("ou", "u"), ("y", "i"), ("i", "y"), ("r", "l"), ("l", "r"), ("sh", "ch"),
          ("ch", "sh"), ("tsh", "ch"), ("k", "c"), ("c", "k"), ("j", "dj"), ("th", "t"), ("cy", "ch"),
          ("ph", "f"), ("qu", "k"), ("e", "é"), ("ny", "ni")]
VOWELS = "aeiou"


def _letters(name, rng):
    return [i for i, ch in enumerate(name) if ch.isalpha() and i > 0]


def double_letter(name, rng):
    i = rng.choice(_letters(name, rng))
    return name[:i] + name[i] + name[i:]


def drop_letter(name, rng):
    i = rng.choice(_letters(name, rng))
    return name[:i] + name[i + 1:]


def drop_vowel(name, rng):
    spots = [i for i in _letters(name, rng) if name[i].lower() in VOWELS]
    return drop_letter(name, rng) if not spots else (lambda i: name[:i] + name[i + 1:])(rng.choice(spots))


def swap_neighbours(name, rng):
    spots = [i for i in _letters(name, rng) if i + 1 < len(name) and name[i + 1].isalpha()]
    i = rng.choice(spots)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def change_vowel(name, rng):
    spots = [i for i in _letters(name, rng) if name[i].lower() in VOWELS]
    if not spots:
        return name
    i = rng.choice(spots)
    return name[:i] + rng.choice([v for v in VOWELS if v != name[i].lower()]) + name[i + 1:]


def spelling_rule(name, rng):
    """A spelling habit (French ou, y/i, r/l, ch/sh ...), where the name allows one."""
    options = [(a, b) for a, b in _SWAPS if a in name.lower()]
    if not options:
        return change_vowel(name, rng)
    a, b = rng.choice(options)
    at = name.lower().index(a)
    return name[:at] + b + name[at + len(a):]


def drop_h(name, rng):
    return name[1:] if name[:1].lower() == "h" else ("H" + name.lower() if name[:1].lower() in VOWELS else name)


def accents(name, rng):
    return "".join(_ACCENTS.get(ch, ch) if rng.random() < 0.5 else ch for ch in name)


def letter_case(name, rng):
    return rng.choice([name.upper(), name.lower(), name.swapcase()])


def two_slips(name, rng):
    """A spelling habit and a doubled letter in the same word."""
    return double_letter(spelling_rule(name, rng), rng)


GENERATORS = [letter_case, double_letter, drop_vowel, drop_letter, swap_neighbours, change_vowel,
              spelling_rule, drop_h, accents, two_slips]


def labelled_variants(seed: int = 2026, per_name: int = 1, names=None):
    """[(variant, original)] over every family and given name and every generator."""
    rng = random.Random(seed)
    out = []
    for name in names or (FAMILY + GIVEN):
        for generator in GENERATORS:
            for _ in range(per_name):
                variant = generator(name, rng)
                if variant != name or generator is letter_case:
                    out.append((variant, name))
    return out
