"""CSV that a spreadsheet opens as data, never as formulas: every CSV we publish or export (the
document's Polis files, the organizers' audit log) is written through here."""

import csv
from collections.abc import Iterable
from typing import Any

# Excel and LibreOffice read a cell starting with one of these as a formula (or, for tab and return, as
# the start of one after the whitespace is dropped).
FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


def csv_safe_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab or return) gets a leading
    apostrophe (OWASP's advice on CSV injection). Numbers are left as they are: -1 is a vote, not a
    formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


class CsvSafeWriter:
    """csv.writer whose every text cell goes through csv_safe_cell."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([csv_safe_cell(cell) for cell in row])
