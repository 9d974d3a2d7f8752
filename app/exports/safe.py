"""Spreadsheet formula injection: text cells that a spreadsheet would run become plain text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# = + - @ start formulas in Excel, LibreOffice and Google Sheets; tab and CR can hide them after
# a field split; the full-width and minus-sign look-alikes are normalised to them by some apps.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\u2212", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """Prefix a text value that starts with a formula trigger with a single quote.

    Numbers stay numbers (a negative number is data, not a formula); only text is touched.
    """
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def csv_bytes(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], delimiter: str = ",", bom: bool = True
) -> bytes:
    """UTF-8 CSV (with a BOM by default, so Excel reads accents), every cell neutralised."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> bytes:
    """An XLSX workbook of (title, rows) sheets; text cells are neutralised and stored as text."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                if isinstance(value, str):
                    # Control characters make openpyxl refuse the file; they are never wanted.
                    value = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
                    cell = sheet.cell(row=r, column=c)
                    cell.value = value
                    # Belt and braces: openpyxl treats "=..." as a formula unless typed as text.
                    cell.data_type = "s"
                else:
                    sheet.cell(row=r, column=c, value=value)
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
