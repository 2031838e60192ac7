"""Data contracts at the borders: parse raw columns, check schemas, report every problem.

A raw source declares its columns once (:class:`RawColumn`) and its rules once (a pandera
``DataFrameSchema`` on the parsed frame). :func:`parse_raw_collect` and :func:`check_schema` collect
*all* problems of a file, each with file, line, column, rule and offending value, and
:class:`RawDataError` reports them together in words an analyst understands.

A commune's export may differ from the standard layout (``sources.<key>.layout`` in the config:
encoding, delimiter, header line, other column headers, other value codes, absent columns).
:func:`read_standardised` reads such a file into the standard frame (standard German headers,
standard values, real file line numbers), so every loader applies its one contract to it; the
messages name the export's own column headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from helpers.core.config import Config, Layout, Source
from helpers.core.formatting import german_number
from helpers.core.io import LINE, read_raw_csv

Kind = Literal["int", "float", "str", "date"]

_INT_RE = re.compile(r"^-?\d{1,3}(\.\d{3})+$|^-?\d+$")
_FLOAT_RE = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DATE_RE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")

MAX_LISTED = 50


@dataclass(frozen=True)
class Problem:
    """One broken rule in one place of a raw file."""

    file: str
    line: int | None
    column: str | None
    rule: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", Zeile {self.line}"
        if self.column is not None:
            where += f", Spalte '{self.column}'"
        value = "" if self.value is None else f" (Wert: {self.value!r})"
        return f"{where}: {self.rule}{value}"


class RawDataError(ValueError):
    """A raw file broke its contract; the message lists every problem found.

    Problems with the same cause (file, column and rule) are grouped: the first few places
    are named, the rest counted, so one wrong code on 6.000 lines is one block, not 6.000.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(describe_problems(problems))


#: How many example lines and distinct values one group of problems shows.
MAX_LINES = 5
MAX_VALUES = 3


def describe_problems(problems: list[Problem]) -> str:
    """German text of a list of problems, one line per cause (file, column, rule) with a count.

    >>> ps = [Problem("a.csv", n, "Nr", "Nr. unbekannt", "9") for n in range(2, 9)]
    >>> print(describe_problems(ps))
    7 Problem(e) in a.csv:
      - a.csv, Spalte 'Nr': Nr. unbekannt – 7 ×, z. B. Zeile 2, Zeile 3, Zeile 4, Zeile 5, Zeile 6 (Werte: '9')
    """
    files = sorted({p.file for p in problems})
    head = f"{german_number(len(problems))} Problem(e) in {', '.join(files)}:"
    listed = []
    for g in group_problems(problems):
        if g.count == 1:
            line = g.lines[0] if g.lines else None
            listed.append(f"  - {Problem(g.file, line, g.column, g.rule, g.values[0] if g.values else None)}")
            continue
        where = g.file + (f", Spalte '{g.column}'" if g.column is not None else "")
        places = ", ".join(f"Zeile {n}" for n in g.lines)
        values = f" (Werte: {', '.join(repr(v) for v in g.values)})" if g.values else ""
        listed.append(f"  - {where}: {g.rule} – {german_number(g.count)} ×, z. B. {places}{values}")
    if len(listed) > MAX_LISTED:
        listed = [*listed[:MAX_LISTED], f"  … und {len(listed) - MAX_LISTED} weitere Ursachen"]
    return "\n".join([head, *listed])


@dataclass(frozen=True)
class ProblemGroup:
    """Problems of one file with the same column and rule: a count and a few examples."""

    file: str
    column: str | None
    rule: str
    count: int
    lines: tuple[int, ...]
    values: tuple[str, ...]


def group_problems(problems: Iterable[Problem]) -> list[ProblemGroup]:
    """Group problems by (file, column, rule), in the order each cause first appears.

    Each group keeps its count, its first :data:`MAX_LINES` line numbers and its first
    :data:`MAX_VALUES` distinct values.
    """
    order: list[tuple[str, str | None, str]] = []
    counts: dict[tuple[str, str | None, str], int] = {}
    lines: dict[tuple[str, str | None, str], list[int]] = {}
    values: dict[tuple[str, str | None, str], list[str]] = {}
    for p in problems:
        key = (p.file, p.column, p.rule)
        if key not in counts:
            order.append(key)
            counts[key], lines[key], values[key] = 0, [], []
        counts[key] += 1
        if p.line is not None and len(lines[key]) < MAX_LINES:
            lines[key].append(p.line)
        if p.value is not None and p.value not in values[key] and len(values[key]) < MAX_VALUES:
            values[key].append(p.value)
    return [ProblemGroup(*key, counts[key], tuple(lines[key]), tuple(values[key])) for key in order]


def describe_group(group: ProblemGroup) -> str:
    """One line for a group: column, rule, count, example lines and values."""
    where = f"Spalte '{group.column}': " if group.column is not None else ""
    count = f" – {german_number(group.count)} ×" if group.count > 1 else ""
    more = ", …" if group.count > len(group.lines) else ""
    if len(group.lines) == 1 and not more:
        place = f", Zeile {group.lines[0]}"
    elif group.lines:
        place = ", Zeilen " + ", ".join(str(n) for n in group.lines) + more
    else:
        place = ""
    label = "Wert" if len(group.values) == 1 and group.count == 1 else "Werte"
    shown = ", ".join(repr(v) for v in group.values)
    value = f" ({label}: {shown}{', …' if label == 'Werte' and group.count > len(group.values) else ''})"
    return f"{where}{group.rule}{count}{place}{value if group.values else ''}"


@dataclass(frozen=True)
class RawColumn:
    """A column of a raw export: its header in the file, tidy name and kind."""

    header: str
    name: str
    kind: Kind


_KIND_WORDS = {
    "int": "ganze Zahl erwartet",
    "float": "Zahl erwartet",
    "date": "Datum TT.MM.JJJJ erwartet",
}


def _parse_column(text: pd.Series, kind: Kind) -> tuple[pd.Series, pd.Series]:
    """Parse German-formatted raw values: parsed values and a mask of unparseable cells.

    >>> values, bad = _parse_column(pd.Series(["1.234", "", "x"]), "int")
    >>> values.tolist(), bad.tolist()
    ([1234, <NA>, <NA>], [False, False, True])
    >>> _parse_column(pd.Series(["1.234,5"]), "float")[0].tolist()
    [1234.5]
    >>> _parse_column(pd.Series(["31.12.2024"]), "date")[0].tolist()
    [Timestamp('2024-12-31 00:00:00')]
    """
    if kind == "str":
        return text.astype("string"), pd.Series(False, index=text.index)
    empty = text.eq("")
    if kind == "int":
        ok = text.str.fullmatch(_INT_RE.pattern)
        values = pd.to_numeric(text.where(ok & ~empty).str.replace(".", "", regex=False))
        return values.astype("Int64"), ~(ok | empty)
    if kind == "float":
        ok = text.str.fullmatch(_FLOAT_RE.pattern)
        cleaned = text.where(ok & ~empty).str.replace(".", "", regex=False)
        values = pd.to_numeric(cleaned.str.replace(",", ".", regex=False))
        return values.astype("Float64"), ~(ok | empty)
    values = pd.to_datetime(text.where(~empty), format="%d.%m.%Y", errors="coerce")
    values = values.astype("datetime64[ns]")
    return values, ~empty & (values.isna() | ~text.str.fullmatch(_DATE_RE.pattern))


def parse_raw_collect(frame: pd.DataFrame, columns: list[RawColumn], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn a raw string frame into typed tidy columns; return it with the cell problems.

    Cells that do not parse are missing in the frame; their lines are in the problems. A frame
    from :func:`read_standardised` carries its header line and the export's own headers
    (``frame.attrs``), which the messages use.
    """
    labels: dict[str, str] = frame.attrs.get("labels", {})
    missing = [c.header for c in columns if c.header not in frame.columns]
    if missing:
        found = ", ".join(repr(c) for c in frame.attrs.get("found", [c for c in frame.columns if c != LINE]))
        line = int(frame.attrs.get("header_line", 1))
        raise RawDataError([Problem(file, line, m, f"Pflichtspalte fehlt (gefunden: {found})") for m in missing])
    problems: list[Problem] = []
    out = pd.DataFrame({LINE: frame[LINE].to_numpy()}, index=frame.index)
    for col in columns:
        values, bad = _parse_column(frame[col.header], col.kind)
        label = labels.get(col.header, col.header)
        problems.extend(
            Problem(file, int(line), label, _KIND_WORDS[col.kind], text)
            for line, text in zip(frame.loc[bad, LINE], frame.loc[bad, col.header], strict=True)
        )
        out[col.name] = values
    return out, sorted(problems, key=lambda p: (p.line or 0, p.column or ""))


def check_schema(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str, headers: dict[str, str]) -> pd.DataFrame:
    """Validate a parsed frame against a pandera schema; raise with every failure.

    ``headers`` maps tidy names back to the file's column headers for the messages.
    """
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise RawDataError(_problems_from_pandera(exc, frame, file, headers)) from None


def _problems_from_pandera(exc: SchemaErrors, frame: pd.DataFrame, file: str, headers: dict[str, str]) -> list[Problem]:
    problems = []
    cases = exc.failure_cases
    for case in cases.itertuples(index=False):
        index = case.index
        line = None
        if index is not None and not pd.isna(index) and int(index) in frame.index:
            line = int(frame.loc[int(index), LINE])
        column = None if pd.isna(case.column) else headers.get(str(case.column), str(case.column))
        rule = _RULE_WORDS.get(str(case.check), str(case.check))
        value = None if pd.isna(case.failure_case) else str(case.failure_case)
        problems.append(Problem(file, line, column, rule, value))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or "", p.rule))


_RULE_WORDS = {
    "not_nullable": "Wert fehlt",
    "field_uniqueness": "Schlüssel doppelt",
    "multiple_fields_uniqueness": "Schlüssel doppelt",
}


def file_label(path: Path, root: Path | None = None) -> str:
    """A short file name for messages (relative to ``root`` when possible)."""
    path = Path(path)
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def collect_years(items: list[tuple[int, Path]], load: Callable[[Path, int], pd.DataFrame]) -> pd.DataFrame:
    """Load one file per year; gather the problems of all files into one error."""
    frames, problems = [], []
    for year, path in items:
        try:
            frames.append(load(path, year))
        except RawDataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RawDataError(problems)
    return pd.concat(frames, ignore_index=True)


def layout_of(config: Config, source: str) -> Layout:
    """The declared layout of a source's export (the standard layout when none is declared)."""
    declared = config.sources.get(source)
    return Layout() if declared is None else declared.layout


def stichtag_of(source: Source | None, year: int, default: str) -> pd.Timestamp:
    """The Stichtag of a year's export: the source's declared day (``stichtag``, "MM-DD") or ``default``.

    >>> stichtag_of(Source(pattern="x", holder="y", stichtag="06-30"), 2025, "12-31").date().isoformat()
    '2025-06-30'
    >>> stichtag_of(None, 2025, "03-01").date().isoformat()
    '2025-03-01'
    """
    month, day = ((source.stichtag if source else None) or default).split("-")
    return pd.Timestamp(year, int(month), int(day))


def read_standardised(
    path: Path,
    file: str,
    layout: Layout | None = None,
    optional: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a raw CSV export in its declared layout into the standard string frame.

    Reads with the declared encoding (None: detected), delimiter and header line; renames the
    declared export headers (``layout.columns``: standard header -> export header) to the
    standard headers; maps the declared values (``layout.values``); and fills the declared
    absent columns with the value the loader gives for them in ``optional`` (standard header ->
    fill value). Line numbers stay the real file lines. ``frame.attrs`` keeps the header line,
    the headers found and each standard header's name in the export (for the messages).

    Raises :class:`RawDataError` when the file is missing or unreadable in the declared layout,
    when a declared export header is not in the header line, or when a column is declared
    absent that the source cannot do without.
    """
    layout = layout or Layout()
    optional = optional or {}
    if not Path(path).is_file():
        raise RawDataError([Problem(file, None, None, "Datei fehlt")])
    head = layout.header_row
    try:
        frame = read_raw_csv(path, sep=layout.delimiter, encoding=layout.encoding, header_row=head)
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        rule = f"Datei ist nicht in der angegebenen Kodierung {layout.encoding!r} gespeichert"
        raise RawDataError([Problem(file, line, None, rule)]) from None
    except LookupError:
        raise RawDataError([Problem(file, None, None, f"Kodierung {layout.encoding!r} unbekannt")]) from None
    except pd.errors.EmptyDataError:
        raise RawDataError(
            [Problem(file, head, None, f"Kopfzeile fehlt (Datei leer oder kürzer als {head} Zeilen)")]
        ) from None
    except pd.errors.ParserError as exc:
        raise RawDataError([Problem(file, None, None, f"Datei ist keine lesbare CSV-Datei ({exc})")]) from None
    found = [c for c in frame.columns if c != LINE]
    problems = [
        Problem(
            file,
            head,
            export,
            f"Spalte fehlt in der Kopfzeile (in der Konfiguration für '{standard}' angegeben; "
            f"gefunden: {', '.join(repr(c) for c in found)})",
        )
        for standard, export in layout.columns.items()
        if standard not in layout.absent and export.strip() not in found
    ]
    problems += [
        Problem(file, None, standard, "Spalte kann nicht fehlen (in der Konfiguration als fehlend angegeben)")
        for standard in layout.absent
        if standard not in optional
    ]
    if problems:
        raise RawDataError(problems)
    renames = {export.strip(): standard for standard, export in layout.columns.items() if standard not in layout.absent}
    replaced = [
        standard for standard in [*renames.values(), *layout.absent] if standard in found and standard not in renames
    ]
    frame = frame.drop(columns=replaced).rename(columns=renames)
    for standard, mapping in layout.values.items():
        if standard in frame.columns:
            frame[standard] = frame[standard].map(lambda v, m=mapping: m.get(v, v))
    for standard in layout.absent:
        frame[standard] = optional[standard]
    frame.attrs["header_line"] = head
    frame.attrs["found"] = found
    frame.attrs["labels"] = {standard: export for export, standard in renames.items()}
    return frame


def load_csv(
    path: Path,
    columns: list[RawColumn],
    schema: pa.DataFrameSchema,
    file: str,
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    layout: Layout | None = None,
    optional: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read, parse and check one CSV export in its declared layout; return the typed frame.

    ``prepare`` may normalise the parsed frame before the schema check; ``optional`` names the
    columns the export may lack and the value they then take (see :func:`read_standardised`).
    """
    return parse_and_check(read_standardised(path, file, layout, optional), columns, schema, file, prepare)


def parse_and_check(
    raw: pd.DataFrame,
    columns: list[RawColumn],
    schema: pa.DataFrameSchema,
    file: str,
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Parse every cell, check the schema on the rows that parsed, report all problems.

    ``prepare`` may normalise the parsed frame before the schema check (e.g. legal bases).
    """
    frame, problems = parse_raw_collect(raw, columns, file)
    labels: dict[str, str] = raw.attrs.get("labels", {})
    bad_lines = {p.line for p in problems}
    good = frame[~frame[LINE].isin(bad_lines)]
    if prepare is not None:
        good = prepare(good)
    try:
        checked = check_schema(good, schema, file, {c.name: labels.get(c.header, c.header) for c in columns})
    except RawDataError as exc:
        problems = problems + exc.problems
        checked = good
    if problems:
        raise RawDataError(sorted(problems, key=lambda p: (p.line or 0, p.column or "", p.rule)))
    return checked
