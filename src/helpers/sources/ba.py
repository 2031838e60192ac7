"""Reader for the BA's small-area workbooks ("Auswertung für kommunale Gebietsgliederung").

Layout as delivered: title rows, ``Berichtsmonat: <Monat> <Jahr>``, a two-row header block
(the first row starts with ``Stadtteil-Nr.``, the second names the value columns), one row
per Stadtteil, a row ``keine Zuordnung möglich``, a row ``Insgesamt``, then footnotes.
Values below 10 are shown as ``*``: they are kept as *suppressed* (missing value plus a
flag), never as zero.

A declared layout (``sources.<key>.layout``) may name the ``sheet``; ``header_row`` (when not 1)
the row that names the value columns (the data rows follow it; default: found below the row
starting with ``Stadtteil-Nr.``); ``columns`` other headers for the value columns (standard
header -> workbook header; ``"Stadtteil-Nr."`` renames the marker of the header block); and
``values`` other codes in the columns ``Stadtteil-Nr.``, ``Stadtteil`` (e.g. another word for
``Insgesamt``) or a value column (e.g. another suppression sign for ``*``).
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd

from helpers.core.config import Config, Layout
from helpers.core.io import LINE
from helpers.core.schema import BA_CODE, BA_LABEL, BA_STAR, BA_TOTAL, BA_UNASSIGNED
from helpers.sources.validation import Problem, RawDataError, canonical_numbers, file_label, read_standardised

MONTHS = {
    "Januar": 1, "Februar": 2, "März": 3, "April": 4, "Mai": 5, "Juni": 6, "Juli": 7,
    "August": 8, "September": 9, "Oktober": 10, "November": 11, "Dezember": 12,
}  # fmt: skip
UNASSIGNED = BA_UNASSIGNED
TOTAL = BA_TOTAL
STAR = BA_STAR
CODE = BA_CODE
LABEL = BA_LABEL


def _cells(path: Path, sheet: str | None, file: str) -> list[list[object]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            rule = f"Tabellenblatt '{sheet}' fehlt (vorhanden: {', '.join(repr(n) for n in wb.sheetnames)})"
            raise RawDataError([Problem(file, None, None, rule)])
        ws = wb.worksheets[0] if sheet is None else wb[sheet]
        return [list(row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _mapped(row: list[object], mapping: dict[int, dict[str, str]]) -> list[object]:
    """A row with the declared value codes replaced (column index -> {workbook value: standard})."""
    out = list(row)
    for i, codes in mapping.items():
        if i < len(out) and isinstance(out[i], str | int) and str(out[i]).strip() in codes:
            out[i] = codes[str(out[i]).strip()]
    return out


def _report_month(rows: list[list[object]], file: str) -> tuple[int, int]:
    for row in rows[:10]:
        text = str(row[0] or "")
        match = re.search(r"Berichtsmonat:\s*(\w+)\s+(\d{4})", text)
        if match and match.group(1) in MONTHS:
            return int(match.group(2)), MONTHS[match.group(1)]
    raise RawDataError([Problem(file, None, None, "Zeile 'Berichtsmonat: <Monat> <Jahr>' fehlt")])


def _header_row(rows: list[list[object]], file: str, marker: str = CODE) -> int:
    for i, row in enumerate(rows):
        if row and str(row[0] or "").strip().rstrip(".") == marker.strip().rstrip("."):
            return i
    raise RawDataError([Problem(file, None, marker, f"Kopfzeile mit '{marker}' fehlt")])


def _value(cell: object, file: str, line: int, column: str, problems: list[Problem]) -> tuple[float, bool]:
    """(value, suppressed): '*' -> (NaN, True); ints -> (int, False); else a problem."""
    if isinstance(cell, str) and cell.strip() == STAR:
        return float("nan"), True
    if isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer():
        if cell < 0:
            problems.append(Problem(file, line, column, "Anzahl darf nicht negativ sein", str(cell)))
        return float(cell), False
    if isinstance(cell, str) and re.fullmatch(r"\d{1,3}(\.\d{3})*|\d+", cell.strip()):
        return float(cell.strip().replace(".", "")), False
    problems.append(Problem(file, line, column, "ganze Zahl oder '*' erwartet", repr(cell)))
    return float("nan"), False


def read_ba_workbook(
    path: Path, config: Config, year: int, columns: dict[str, str], layout: Layout | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one BA workbook in its declared layout; return tidy rows and the problems found in them.

    Raises at once only when the layout cannot be read (no header block, missing columns).
    ``columns`` maps the standard column headers to tidy measure names (``layout.columns`` may
    give the workbook's own headers). Rows: year, area_level (stadtteil / ohne_zuordnung /
    stadt), area_code, measure, value, is_suppressed, line.
    """
    layout = layout or Layout()
    file = file_label(path, config.root)
    if not Path(path).is_file():
        raise RawDataError([Problem(file, None, None, "Datei fehlt")])
    rows = _cells(path, layout.sheet, file)
    columns = {layout.columns.get(h, h).strip(): m for h, m in columns.items()}
    found_year, month = _report_month(rows, file)
    problems: list[Problem] = []
    if (found_year, month) != (year, 12):
        problems.append(
            Problem(
                file,
                None,
                None,
                f"Berichtsmonat muss Dezember {year} sein",
                f"{month}/{found_year}",
            )
        )
    if layout.header_row > 1:
        head = layout.header_row - 2  # the value names are in row ``header_row``
        if head + 1 >= len(rows):
            raise RawDataError([Problem(file, layout.header_row, None, "Kopfzeile fehlt (Tabelle ist kürzer)")])
    else:
        head = _header_row(rows, file, layout.columns.get(CODE, CODE))
    names = [str(c or "").strip() for c in rows[head + 1]]
    missing = [h for h in columns if h not in names]
    if missing:
        found = ", ".join(repr(n) for n in names if n)
        raise RawDataError([Problem(file, head + 2, m, f"Pflichtspalte fehlt (gefunden: {found})") for m in missing])
    index = {h: names.index(h) for h in columns}
    known = {s.code: s.name for s in config.stadtteile}
    inverse = {export: std for std, export in layout.columns.items()}
    positions = {CODE: 0, LABEL: 1} | {inverse.get(h, h): i for h, i in index.items()}
    codes = {positions[h]: m for h, m in layout.values.items() if h in positions}
    data = [_mapped(row, codes) for row in rows[head + 2 :]] if codes else rows[head + 2 :]
    records, seen = _data_rows(data, head + 3, index, columns, known, file, problems)
    missing_st = sorted(set(known) - {c for lvl, c in seen if lvl == "stadtteil"})
    if missing_st:
        problems.append(Problem(file, None, CODE, "Stadtteile fehlen", ", ".join(missing_st)))
    if ("stadt", "") not in seen:
        problems.append(Problem(file, None, LABEL, f"Zeile '{TOTAL}' fehlt"))
    frame = pd.DataFrame(records, columns=["area_level", "area_code", "measure", "value", "is_suppressed", "line"])
    frame.insert(0, "year", year)
    return frame, problems


def read_ba_csv(
    path: Path, config: Config, year: int, columns: dict[str, str], layout: Layout | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one BA export saved as CSV (one row per area, a column per value) into the tidy rows of
    :func:`read_ba_workbook`.

    The CSV is read in its declared layout (:func:`helpers.sources.validation.read_standardised`:
    delimiter, encoding, header line, ``columns``, ``values``, ``rows``, ``melt``, ``positions``,
    number format, and ``year`` for one file with all years). The standard headers are
    ``Stadtteil-Nr.``, ``Stadtteil`` (may be absent) and the value columns. The city row is the row
    named ``Insgesamt`` or the aggregate code declared as ``stadt`` (``layout.aggregates``); other
    declared aggregates are skipped. There is no ``Berichtsmonat`` line: the year comes from the file
    name or the year column.
    """
    layout = layout or Layout()
    file = file_label(path, config.root)
    frame = read_standardised(path, file, layout, {LABEL: ""}, year, area_column=CODE)
    headers = {layout.columns.get(h, h).strip(): m for h, m in columns.items()}
    standard = list(columns)
    missing = [h for h in [CODE, *standard] if h not in frame.columns]
    if missing:
        found = ", ".join(repr(c) for c in frame.attrs.get("found", []))
        line = int(frame.attrs.get("header_line", 1))
        shown = [layout.columns.get(h, h) for h in missing]
        raise RawDataError([Problem(file, line, m, f"Pflichtspalte fehlt (gefunden: {found})") for m in shown])
    decimal, thousands = frame.attrs.get("number", (",", "."))
    sums = frame.attrs.get("aggregates")
    city = [] if sums is None else [r for _, r in sums.iterrows() if layout.aggregates.get(str(r[CODE])) == "stadt"]
    rows = []
    for _, r in [*frame.iterrows(), *((None, c) for c in city)]:
        is_city = layout.aggregates.get(str(r[CODE])) == "stadt"
        label = TOTAL if is_city else str(r.get(LABEL, "") or "")
        values = [canonical_numbers(pd.Series([str(r[h])]), decimal, thousands).iloc[0] for h in standard]
        rows.append((int(r[LINE]), ["" if is_city else str(r[CODE]), label, *[_number(v) for v in values]]))
    rows.sort(key=lambda x: x[0])
    index = {layout.columns.get(h, h).strip(): 2 + i for i, h in enumerate(standard)}
    problems: list[Problem] = []
    known = {s.code: s.name for s in config.stadtteile}
    records, seen = [], set()
    for line, row in rows:
        recs, got = _data_rows([row], line, index, headers, known, file, problems)
        for level, code in got:
            if (level, code) in seen:
                problems.append(Problem(file, line, CODE, "Stadtteil doppelt", code))
        seen |= got
        records += recs
    missing_st = sorted(set(known) - {c for lvl, c in seen if lvl == "stadtteil"})
    if missing_st:
        problems.append(Problem(file, None, CODE, "Stadtteile fehlen", ", ".join(missing_st)))
    if ("stadt", "") not in seen:
        problems.append(
            Problem(file, None, LABEL, f"Zeile '{TOTAL}' fehlt (oder layout.aggregates: {{<Code>: stadt}})")
        )
    out = pd.DataFrame(records, columns=["area_level", "area_code", "measure", "value", "is_suppressed", "line"])
    out.insert(0, "year", year)
    return out, problems


def _number(text: str) -> object:
    """A canonical number ("1234", "27732.0") as int, other text (``*``) unchanged."""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def _data_rows(
    rows: list[list[object]],
    first_line: int,
    index: dict[str, int],
    columns: dict[str, str],
    known: dict[str, str],
    file: str,
    problems: list[Problem],
) -> tuple[list[tuple], set[tuple[str, str]]]:
    """Read the Stadtteil rows up to and including the total row."""
    records: list[tuple] = []
    seen: set[tuple[str, str]] = set()
    for offset, row in enumerate(rows):
        line = first_line + offset
        code, label = str(row[0] or "").strip(), str(row[1] or "").strip()
        if not code and not label:
            continue
        level = _level(code, label, known, file, line, problems)
        if level is None:
            continue
        if (level, code) in seen:
            problems.append(Problem(file, line, CODE, "Stadtteil doppelt", code))
        seen.add((level, code))
        for header, measure in columns.items():
            value, suppressed = _value(row[index[header]], file, line, header, problems)
            records.append((level, code if level == "stadtteil" else "", measure, value, suppressed, line))
        if level == "stadt":
            break  # footnotes follow the total row
    return records, seen


def _level(code: str, label: str, known: dict[str, str], file: str, line: int, problems: list[Problem]) -> str | None:
    if label == TOTAL:
        return "stadt"
    if label == UNASSIGNED:
        return "ohne_zuordnung"
    if code in known:
        if label and label != known[code]:
            problems.append(
                Problem(
                    file,
                    line,
                    LABEL,
                    f"Name passt nicht zur Stadtteil-Nr. {code} ({known[code]!r})",
                    label,
                )
            )
        return "stadtteil"
    problems.append(
        Problem(
            file,
            line,
            CODE,
            f"Stadtteil-Nr. unbekannt (Konfiguration: {sorted(known)})",
            code,
        )
    )
    return None


def check_ba_consistency(
    frame: pd.DataFrame, file: str, parts: dict[str, list[str]], headers: dict[str, str]
) -> list[Problem]:
    """Cross-field rules where both values are known.

    - ``parts``: measure -> measures that cannot exceed it (numerator <= denominator);
    - the total row is at least the sum of the known Stadtteil values.
    """
    problems = []
    wide = frame.pivot_table(
        index=["area_level", "area_code", "line"],
        columns="measure",
        values="value",
        aggfunc="first",
    )
    for whole, pieces in parts.items():
        for piece in pieces:
            bad = wide[(wide[piece] > wide[whole]).fillna(False)]
            for (_, _code, line), row in bad.iterrows():
                problems.append(
                    Problem(
                        file,
                        int(line),
                        headers[piece],
                        f"größer als '{headers[whole]}' ({row[whole]:.0f})",
                        f"{row[piece]:.0f}",
                    )
                )
    known = frame[frame["area_level"] != "stadt"].groupby("measure")["value"].sum(min_count=1)
    total = frame[frame["area_level"] == "stadt"].set_index("measure")["value"]
    for measure, value in known.items():
        if pd.notna(value) and pd.notna(total.get(measure)) and value > total[measure]:
            line = int(frame.loc[frame["area_level"] == "stadt", "line"].iloc[0])
            problems.append(
                Problem(
                    file,
                    line,
                    headers[measure],
                    "Summe der Stadtteile größer als 'Insgesamt'",
                    f"{value:.0f}",
                )
            )
    return problems
