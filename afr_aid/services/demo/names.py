"""Invented names for demo data at scale, in the styles met in the field
(Kinyarwanda, Swahili, French), and the ways people write them down
differently: the spelling habits of each language, doubled or dropped
letters, accents, letter case, plain typing slips.

Pure functions over a `random.Random`, so a seed gives the same names and
the same variants every time. No real person is named here."""
from __future__ import annotations

import random

# Given and family names by style; a person's style follows their language.
GIVEN = {
    "rw": ["Aline", "Uwase", "Mugisha", "Ishimwe", "Kwizera", "Mahoro", "Shema", "Cyiza", "Mugeni", "Nshuti",
           "Ineza", "Keza", "Gisa", "Iradukunda", "Umutoni", "Ngabo", "Hirwa", "Teta", "Manzi", "Kamikazi",
           "Theogene", "Vestine", "Theoneste", "Josiane", "Claudine", "Innocent", "Olivier", "Solange"],
    "sw": ["Baraka", "Neema", "Zawadi", "Amani", "Furaha", "Rehema", "Mwanaisha", "Shukuru", "Chausiku",
           "Tumaini", "Imani", "Upendo", "Sifa", "Faraji", "Bahati", "Riziki", "Hadija", "Juma", "Asha",
           "Mwajuma", "Salama", "Subira", "Tabu", "Pendo"],
    "fr": ["Jean", "Jeanne", "Clarisse", "Chantal", "Faustin", "Espérance", "Béatrice", "Jacqueline",
           "Emmanuel", "Divine", "Eric", "Grace", "Patrick", "Esther", "Dieudonné", "Célestin", "Angélique",
           "Joséphine", "Félicité", "Séraphine", "Évariste", "Honoré", "Philomène", "Christophe"],
}
FAMILY = {
    "rw": ["Uwimana", "Niyonsaba", "Mukamana", "Habimana", "Nsengiyumva", "Hakizimana", "Ingabire",
           "Nyiraneza", "Uwamahoro", "Nyirahabimana", "Ndayisaba", "Mukeshimana", "Hategekimana", "Tuyishime",
           "Byiringiro", "Niyigena", "Mbarushimana", "Twagirayezu", "Munyaneza", "Bizimana", "Ntakirutimana",
           "Uwizeye", "Musabyimana", "Nzeyimana", "Kayitesi", "Mukandayisenga", "Rukundo", "Nshimiyimana",
           "Habyarimana", "Uwera", "Mutoni", "Nyirandegeya", "Sibomana", "Gatete", "Rwigema"],
    "sw": ["Bahati", "Kabila", "Mwamba", "Kasongo", "Mutombo", "Ilunga", "Tshibanda", "Tshisekedi", "Kalonji",
           "Mwanza", "Mbuyi", "Kabamba", "Lukusa", "Mukendi", "Kazadi", "Ngoy", "Banza", "Kyungu", "Mulumba",
           "Shabani", "Bisimwa", "Cirhuza", "Mirindi", "Baguma", "Mapendo"],
    "fr": ["Mutabazi", "Bigirimana", "Ndikumana", "Nkurunziza", "Kabongo", "Mwenze", "Lumbala", "Katumba",
           "Mushagalusa", "Bashige", "Birindwa", "Safari", "Kambale", "Kahindo", "Muhindo", "Paluku", "Kasereka",
           "Mbusa", "Kavira", "Masika"],
}
STYLES = tuple(GIVEN)

_ACCENTS = {"e": "é", "a": "à", "i": "ï", "o": "ô", "u": "ù"}
# Spelling habits: French "ou" for "u", "y"/"i", r/l (one sound in
# Kinyarwanda), "ch"/"sh"/"tsh", "c"/"k", "dj"/"j", a dropped "h".
_HABITS = [("u", "ou"), ("ou", "u"), ("y", "i"), ("i", "y"), ("r", "l"), ("l", "r"), ("sh", "ch"),
           ("ch", "sh"), ("tsh", "ch"), ("k", "c"), ("c", "k"), ("j", "dj"), ("th", "t"), ("cy", "ch"),
           ("ph", "f"), ("qu", "k"), ("e", "é"), ("ny", "ni"), ("h", "")]
VOWELS = "aeiou"


def full_name(rng: random.Random, style: str) -> str:
    """Given name then family name, mostly in one style; a French given name
    with any family name is common."""
    given_style = "fr" if rng.random() < 0.25 else style
    return f"{rng.choice(GIVEN[given_style])} {rng.choice(FAMILY[style])}"


def _inner(word: str) -> list[int]:
    return [i for i in range(1, len(word)) if word[i].isalpha()]


def habit(word: str, rng: random.Random) -> str:
    options = [(a, b) for a, b in _HABITS if a in word[1:].lower()]
    if not options:
        return double_letter(word, rng)
    a, b = rng.choice(options)
    at = word.lower().index(a, 1)
    return word[:at] + b + word[at + len(a):]


def double_letter(word: str, rng: random.Random) -> str:
    i = rng.choice(_inner(word))
    return word[:i] + word[i] + word[i:]


def drop_letter(word: str, rng: random.Random) -> str:
    i = rng.choice(_inner(word))
    return word[:i] + word[i + 1:]


def swap_letters(word: str, rng: random.Random) -> str:
    spots = [i for i in _inner(word) if i + 1 < len(word)]
    i = rng.choice(spots)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def change_vowel(word: str, rng: random.Random) -> str:
    spots = [i for i in _inner(word) if word[i].lower() in VOWELS]
    if not spots:
        return double_letter(word, rng)
    i = rng.choice(spots)
    return word[:i] + rng.choice([v for v in VOWELS if v != word[i].lower()]) + word[i + 1:]


def accents(word: str, rng: random.Random) -> str:
    return "".join(_ACCENTS.get(ch, ch) if rng.random() < 0.4 else ch for ch in word)


def letter_case(word: str, rng: random.Random) -> str:
    return rng.choice([word.upper(), word.lower()])


# How a clerk writing down a name heard aloud varies it (the stored names)...
RECORDED = [habit, habit, habit, double_letter, accents, letter_case, drop_letter]
# ... and what someone typing a search on a phone gets wrong (the queries).
TYPED = [habit, double_letter, drop_letter, swap_letters, change_vowel, accents, letter_case]


def variant(name: str, rng: random.Random, kinds=TYPED, words_changed: int = 1) -> str:
    """The name with `words_changed` of its words written differently."""
    words = name.split()
    for i in rng.sample(range(len(words)), min(words_changed, len(words))):
        if len(words[i]) > 2:
            words[i] = rng.choice(kinds)(words[i], rng)
    return " ".join(words)


def recorded(name: str, rng: random.Random) -> str:
    """How one case stores a person's name: mostly as usual, sometimes in
    another spelling."""
    return name if rng.random() < 0.7 else variant(name, rng, RECORDED)
