"""Writers for the export formats of the real data holders (byte-reproducible).

- BA "Auswertung für kommunale Gebietsgliederung" workbooks (.xlsx): title rows, a
  two-row header block, one row per Stadtteil, a row for addresses that could not be
  assigned, a total row, footnotes; values below 10 shown as "*".
- CSV exports of municipal software (German headers, dates and decimal commas; semicolons
  unless a commune's export layout says otherwise).

xlsx files carry timestamps in their zip entries and document properties; both are fixed
here, so the same data give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence

import openpyxl
from openpyxl.styles import Alignment, Font

from helpers.core.schema import BA_CODE, BA_LABEL, BA_STAR, BA_STAR_BELOW, BA_TOTAL, BA_UNASSIGNED

FIXED_TIME = dt.datetime(2026, 1, 15, 8, 0, 0)
ZIP_TIME = (2026, 1, 15, 8, 0, 0)


def workbook_bytes(wb: openpyxl.Workbook) -> bytes:
    """Serialise a workbook with fixed timestamps (byte-identical for the same content)."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "Statistik der Bundesagentur für Arbeit"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fix_core_times(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def _fix_core_times(xml: bytes) -> bytes:
    import re

    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", xml)


def ba_value(value: object) -> object:
    """BA small-area convention: counts 1..9 are shown as "*" (0 stays 0).

    Anything that is not an integer is written as given (test fixtures use this).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return BA_STAR if 0 < value < BA_STAR_BELOW else value
    return value


def ba_workbook(
    title: str,
    subtitle: str,
    month_label: str,
    group_header: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, str, Sequence[int]]],
    unassigned: Sequence[int],
    total: Sequence[int],
    footnotes: Sequence[str],
    sheet: str | None = None,
) -> bytes:
    """A BA-style workbook. ``rows``: (Stadtteil-Nr, Stadtteil, values per column).

    The total row shows exact values (BA publishes totals unstarred when they are >= 10).
    ``sheet`` None: the data sheet "Stadtteile" is the only sheet; otherwise the data sheet
    gets that name and follows a first sheet "Hinweise" with the footnotes (as in BA
    workbooks with a cover sheet), so a reader must look the data sheet up by its name.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    if sheet is not None:
        ws.title = "Hinweise"
        ws["A1"] = title
        ws["A1"].font = Font(bold=True, size=12)
        for note in footnotes:
            ws.append([note])
        ws = wb.create_sheet(sheet)
    else:
        ws.title = "Stadtteile"
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=12)
    ws["A2"] = subtitle
    ws["A3"] = f"Berichtsmonat: {month_label}"
    ws.append([])
    ws.append([BA_CODE, BA_LABEL, group_header, *[""] * (len(columns) - 1)])
    ws.merge_cells(start_row=5, start_column=3, end_row=5, end_column=2 + len(columns))
    ws.append(["", "", *columns])
    for cell in ws[5] + ws[6]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    for code, name, values in rows:
        ws.append([code, name, *[ba_value(v) for v in values]])
    ws.append(["", BA_UNASSIGNED, *[ba_value(v) for v in unassigned]])
    ws.append(["", BA_TOTAL, *total])
    ws.append([])
    for note in footnotes:
        ws.append([note])
    ws.column_dimensions["B"].width = 26
    return workbook_bytes(wb)


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    encoding: str,
    delimiter: str = ";",
    preamble: Sequence[str] = (),
) -> bytes:
    """CSV with CRLF line endings, as municipal software exports it (default: semicolons).

    ``preamble`` lines (a title, blank lines) come before the header line. A field that holds
    the delimiter, a double quote or a line break is quoted (RFC 4180); no other field is.
    """
    lines = [_csv_field(line, delimiter) for line in preamble]
    lines.append(delimiter.join(_csv_field(h, delimiter) for h in header))
    lines.extend(delimiter.join(_csv_field("" if v is None else str(v), delimiter) for v in row) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _csv_field(text: str, delimiter: str) -> str:
    if delimiter in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def german_decimal(value: float, decimals: int = 2) -> str:
    """1234567.891 -> '1.234.567,89' (the budget software's format)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def german_date(value: dt.date | None) -> str:
    """A date as TT.MM.JJJJ, or "" for none."""
    return "" if value is None else value.strftime("%d.%m.%Y")
