"""English is the language the code is written in: its catalogue repeats each
message, so an English editor can still change a wording here without touching
the code. Run by `make update-catalogs` after `pybabel update`; it fills only
empty entries and never overwrites an edited one."""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    with open(PATH, "rb") as po:
        catalog = read_po(po, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = message.id
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with open(PATH, "wb") as po:
        write_po(po, catalog, width=0)
    print(f"en: {filled} entries filled from the code's wording")
    return 0


if __name__ == "__main__":
    sys.exit(main())
