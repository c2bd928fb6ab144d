"""Exports: the cases a user may see, filtered as the list, as CSV or XLSX.

Rows come from `cases.filtered_cases` (so from `visible_cases`), read in
keyset batches and written to a temporary file on disk, so memory stays
bounded whatever the size. The file is complete and the export audited (who,
which filters, how many rows: never the data) before a byte is sent.

Every text cell that a spreadsheet would take for a formula (it starts with
= + - @ TAB or CR) is prefixed with a single quote, in both formats (OWASP,
"CSV Injection").
"""
from __future__ import annotations

import codecs
import csv
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import IO, Iterator

from ... import clock, permissions
from ...errors import Forbidden
from ...models import Case, User
from ..cases import records as cases
from . import audit

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COMMON = ["ref", "kind", "status", "urgency", "overdue", "created_at", "due_at", "closed_at", "location",
          "location_name", "place", "created_by", "assignee", "outcome", "consent_record", "consent_share",
          "consent_statistics", "description"]
ASSISTANCE = ["needs", "vulnerabilities", "person_sex", "person_age", "person_age_estimated",
              "person_displacement", "household_size", "person_language"]
PERSON = ["person_name", "person_phone", "person_unhcr_id"]
INCIDENT = ["occurred_on", "occurred_time", "types", "perpetrator", "severity", "victims_killed",
            "victims_injured", "victims_abducted", "victims_arrested", "victims_displaced_households", "source",
            "reliability", "verification"]
REPORTER = ["reporter_name", "reporter_phone"]


def columns_for(user: User) -> list[str]:
    """The header: codes as in the API, the same in every language. Only
    columns the user may ever fill."""
    columns = COMMON + ASSISTANCE + PERSON + INCIDENT + REPORTER
    if permissions.may_ever_see_perpetrator_detail(user):
        columns.append("perpetrator_detail")
    return columns


# A formula character right after a separator: a spreadsheet that splits the
# file on another separator than ours (French Excel splits CSV on ";") would
# start a cell there.
_INNER_FORMULA = re.compile(r"([,;\t\r\n]\s*)([=+\-@])")


def neutralise(value):
    """A cell as a spreadsheet should show it: text never starts a formula,
    however the program splits the line."""
    if not isinstance(value, str):
        return value
    value = _INNER_FORMULA.sub(r"\1'\2", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return value


def row_of(user: User, case: Case, now: datetime) -> dict:
    shown = permissions.exported_identifiers(user, case)
    row = {
        "ref": case.ref, "kind": case.kind, "status": case.status, "urgency": case.urgency,
        "overdue": case.is_overdue(now), "created_at": case.created_at, "due_at": case.due_at,
        "closed_at": case.closed_at, "location": case.location.code, "location_name": case.location.name,
        # Free text names people and places: it follows consent to share like the identifiers.
        "place": case.place_text if "free_text" in shown else None, "created_by": case.created_by.email,
        "assignee": case.assignee.email if case.assignee else None, "outcome": case.outcome,
        "consent_record": case.consent_record, "consent_share": case.consent_share,
        "consent_statistics": case.consent_statistics,
        "description": case.description if "free_text" in shown else None,
    }
    if case.kind == "assistance":
        row.update({name: getattr(case, name) for name in ASSISTANCE})
        if "person" in shown:
            row.update({name: getattr(case, name) for name in PERSON})
    else:
        row.update({name: getattr(case, name) for name in INCIDENT})
        if "reporter" in shown:
            row.update({name: getattr(case, name) for name in REPORTER})
        if "perpetrator_detail" in shown:
            row["perpetrator_detail"] = case.perpetrator_detail
    return row


def rows(user: User, filters: dict) -> Iterator[dict]:
    """Every matching case, newest first, a batch at a time."""
    now = clock.now()
    cursor = None
    while True:
        batch, cursor = cases.list_cases(user, filters, limit=BATCH, cursor=cursor)
        for case in batch:
            yield row_of(user, case, now)
        if cursor is None:
            return


def _write_csv(header: list[str], items: Iterator[dict], out: IO[bytes]) -> int:
    # UTF-8 with a byte order mark: spreadsheet programs then read accents right.
    out.write(codecs.BOM_UTF8)
    text = codecs.getwriter("utf-8")(out)
    # Every field quoted: a spreadsheet that splits on ";" (French Excel) must not
    # see a cell starting with "=" after a semicolon inside a value.
    writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    count = 0
    for item in items:
        writer.writerow([neutralise(_plain(item.get(name))) for name in header])
        count += 1
    return count


def _write_xlsx(header: list[str], items: Iterator[dict], out: IO[bytes]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        value = _plain(value)
        if isinstance(value, str):
            # Control characters have no place in a sheet (openpyxl refuses them).
            value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value

    # Write-only: rows go to a temporary file as they come, not into memory.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(header)
    count = 0
    for item in items:
        sheet.append([cell(item.get(name)) for name in header])
        count += 1
    book.save(out)
    return count


WRITERS = {"csv": _write_csv, "xlsx": _write_xlsx}


@dataclass
class Export:
    file: IO[bytes]
    filename: str
    mimetype: str
    rows: int


def check_export(actor: User) -> None:
    if not permissions.can_export_cases(actor):
        raise Forbidden()


def audited_filters(filters: dict) -> dict:
    """The filters as the audit log keeps them. A search word may be a
    person's name, and the log holds no name: only a reference is kept."""
    kept = {name: value for name, value in filters.items() if value not in (None, "", []) and name != "q"}
    q = (filters.get("q") or "").strip()
    if q:
        kept["q"] = q.upper() if cases.REF_RE.match(q) else "(name search)"
    return kept


def export_cases(actor: User, filters: dict, fmt: str) -> Export:
    """The file (rewound, to be sent then closed) and its audit line, committed."""
    check_export(actor)
    out = tempfile.TemporaryFile()
    try:
        count = WRITERS[fmt](columns_for(actor), rows(actor, filters), out)
        audit.record_now(actor, "case.export", None, format=fmt, filters=audited_filters(filters), rows=count)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    return Export(out, f"afr-cases-{stamp}.{fmt}", FORMATS[fmt], count)
