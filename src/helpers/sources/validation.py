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
from helpers.core.schema import Column

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


_INTEGRAL_FLOAT_RE = re.compile(r"^-?\d+\.0+$")


def canonical_numbers(text: pd.Series, decimal: str = ",", thousands: str = ".") -> pd.Series:
    """Numbers written with the given separators, rewritten as ``1234.5`` (other text unchanged).

    With the German default (decimal ``,``, thousands ``.``) an integral float such as
    ``27732.0`` is read as 27732: a dot followed by other than three digits is no thousands
    separator.

    >>> canonical_numbers(pd.Series(["1.234", "1.234,5", "27732.0", "x", ""])).tolist()
    ['1234', '1234.5', '27732.0', 'x', '']
    >>> canonical_numbers(pd.Series(["1,234.5", "27732.0"]), ".", ",").tolist()
    ['1234.5', '27732.0']
    """
    t = re.escape(thousands) if thousands else None
    d = re.escape(decimal)
    grouped = rf"\d{{1,3}}(?:{t}\d{{3}})+" if t else r"(?!)"
    pattern = re.compile(rf"^-?(?:{grouped}|\d+)(?:{d}\d+)?$")

    def one(value: str) -> str:
        if decimal == "," and _INTEGRAL_FLOAT_RE.match(value) and not re.fullmatch(grouped, value.lstrip("-")):
            return value
        if not pattern.match(value):
            return value
        out = value.replace(thousands, "") if thousands else value
        return out.replace(decimal, ".")

    return text.map(one)


_CANON_INT_RE = re.compile(r"^-?\d+(\.0+)?$")
_CANON_FLOAT_RE = re.compile(r"^-?\d+(\.\d+)?$")


def _parse_column(text: pd.Series, kind: Kind, decimal: str = ",", thousands: str = ".") -> tuple[pd.Series, pd.Series]:
    """Parse raw values (numbers in the declared format): parsed values and a mask of unparseable cells.

    >>> values, bad = _parse_column(pd.Series(["1.234", "", "x", "27732.0"]), "int")
    >>> values.tolist(), bad.tolist()
    ([1234, <NA>, <NA>, 27732], [False, False, True, False])
    >>> _parse_column(pd.Series(["1.234,5"]), "float")[0].tolist()
    [1234.5]
    >>> _parse_column(pd.Series(["31.12.2024"]), "date")[0].tolist()
    [Timestamp('2024-12-31 00:00:00')]
    """
    if kind == "str":
        return text.astype("string"), pd.Series(False, index=text.index)
    empty = text.eq("")
    if kind in ("int", "float"):
        canon = canonical_numbers(text, decimal, thousands)
        ok = canon.str.fullmatch((_CANON_INT_RE if kind == "int" else _CANON_FLOAT_RE).pattern)
        values = pd.to_numeric(canon.where(ok & ~empty))
        return values.round().astype("Int64") if kind == "int" else values.astype("Float64"), ~(ok | empty)
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
    decimal, thousands = frame.attrs.get("number", (",", "."))
    for col in columns:
        values, bad = _parse_column(frame[col.header], col.kind, decimal, thousands)
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


#: Standard header of the area code in most exports (the BA workbooks: "Stadtteil-Nr.").
AREA_COLUMN = "Stadtteil-Nr"
#: Hidden column with the year of each row of an export with a year column (``layout.year``).
YEAR = "_jahr"
_YEAR_RE = re.compile(r"^(\d{4})$|^\d{1,2}\.\d{1,2}\.(\d{4})$|^(\d{4})-\d{2}-\d{2}$")


def year_files(config: Config, source: str, paths: list[Path]) -> list[tuple[int, Path]]:
    """(year, file) of a yearly source: one file per data year, or one file for all years.

    One file for all years (a pattern without ``{year}``) needs ``layout.year``, the column that
    holds the year; each year's loader then reads that year's rows of the one file.
    """
    declared = config.sources[source]
    if "{year}" in declared.pattern:
        return list(zip(config.data_years, paths, strict=True))
    (path,) = paths
    if declared.layout.year is None:
        rule = (
            f"Eine Datei für alle Jahre (pattern ohne {{year}}) braucht die Angabe der Jahresspalte: "
            f"sources.{source}.layout.year: <Spalte mit dem Jahr>"
        )
        raise RawDataError([Problem(file_label(path, config.root), None, None, rule)])
    first = declared.first_year or config.years.data.first
    return [(year, path) for year in config.data_years if year >= first]


def _header_problems(file: str, head: int, wanted: Iterable[tuple[str, str]], found: list[str]) -> list[Problem]:
    shown = ", ".join(repr(c) for c in found)
    return [
        Problem(
            file,
            head,
            export,
            f"Spalte fehlt in der Kopfzeile (in der Konfiguration {where} angegeben; gefunden: {shown})",
        )
        for where, export in wanted
        if export not in found
    ]


def _read_table(path: Path, file: str, layout: Layout) -> pd.DataFrame:
    """The export as strings with line numbers, columns at declared positions renamed."""
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
    if layout.positions:
        names = [c for c in frame.columns if c != LINE]
        too_far = {k: v for k, v in layout.positions.items() if v > len(names)}
        if too_far:
            rule = f"Spaltenposition hinter der letzten Spalte (die Datei hat {len(names)} Spalten)"
            raise RawDataError([Problem(file, head, k, rule, str(v)) for k, v in too_far.items()])
        renames = {names[v - 1]: k for k, v in layout.positions.items()}
        frame = frame.rename(columns=renames)
    return frame


def _select_rows(frame: pd.DataFrame, file: str, layout: Layout) -> pd.DataFrame:
    """Only the rows whose columns hold the declared values (``layout.rows``)."""
    problems = _header_problems(
        file, layout.header_row, [("bei layout.rows", c) for c in layout.rows], list(frame.columns)
    )
    if problems:
        raise RawDataError(problems)
    keep = pd.Series(True, index=frame.index)
    for column, wanted in layout.rows.items():
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        keep &= frame[column].isin([str(v) for v in values])
    if not keep.any():
        shown = "; ".join(f"{c} = {v!r}" for c, v in layout.rows.items())
        raise RawDataError([Problem(file, None, None, f"keine Zeile erfüllt layout.rows ({shown})")])
    return frame.loc[keep].reset_index(drop=True)


def _melt(frame: pd.DataFrame, file: str, layout: Layout) -> pd.DataFrame:
    """A wide table melted into rows (``layout.melt``): melted headers go to ``into``, cells to ``value``."""
    melt = layout.melt
    assert melt is not None
    names = [c for c in frame.columns if c != LINE]
    wanted = [("bei layout.melt.columns", c) for c in melt.columns]
    if melt.from_column is not None:
        wanted.append(("bei layout.melt.from_column", melt.from_column))
    problems = _header_problems(file, layout.header_row, wanted, names)
    if problems:
        raise RawDataError(problems)
    columns = list(melt.columns) or names[names.index(melt.from_column) :]
    ids = [c for c in frame.columns if c not in columns]
    out = frame.melt(id_vars=ids, value_vars=columns, var_name=melt.into, value_name=melt.value)
    return out.sort_values(LINE, kind="stable").reset_index(drop=True)


def _years(frame: pd.DataFrame, file: str, layout: Layout) -> pd.DataFrame:
    """The year of every row from the declared year column (``2005``, ``31.12.2005`` or ``2005-12-31``)."""
    column = layout.year
    assert column is not None
    problems = _header_problems(file, layout.header_row, [("bei layout.year", column)], list(frame.columns))
    if problems:
        raise RawDataError(problems)
    parsed = frame[column].str.extract(_YEAR_RE)
    year = parsed[0].fillna(parsed[1]).fillna(parsed[2])
    bad = year.isna()
    if bad.any():
        raise RawDataError(
            [
                Problem(file, int(line), column, "Jahr erwartet (JJJJ oder TT.MM.JJJJ)", value)
                for line, value in zip(frame.loc[bad, LINE], frame.loc[bad, column], strict=True)
            ]
        )
    return frame.assign(**{YEAR: year.astype(int)})


def _split_aggregates(frame: pd.DataFrame, layout: Layout, area_column: str) -> pd.DataFrame:
    """The frame without the declared aggregate rows (``layout.aggregates``); they go to ``attrs``."""
    if not layout.aggregates or area_column not in frame.columns:
        frame.attrs["aggregates"] = frame.iloc[0:0]
        return frame
    codes = frame[area_column].astype(str)
    is_sum = codes.isin(list(layout.aggregates))
    sums = frame.loc[is_sum].reset_index(drop=True)
    out = frame.loc[~is_sum].reset_index(drop=True)
    out.attrs["aggregates"] = sums
    return out


def _check_declared(file: str, layout: Layout, optional: Mapping[str, str], found: list[str], given: set[str]) -> None:
    """Every declared export header is in the header line; only optional columns are absent."""
    problems = _header_problems(
        file,
        layout.header_row,
        [(f"für '{std}'", exp.strip()) for std, exp in layout.columns.items() if std not in given],
        found,
    )
    problems += [
        Problem(file, None, standard, "Spalte kann nicht fehlen (in der Konfiguration als fehlend angegeben)")
        for standard in layout.absent
        if standard not in optional
    ]
    if problems:
        raise RawDataError(problems)


_CACHE: dict[tuple, pd.DataFrame] = {}


def _shaped(path: Path, file: str, layout: Layout, optional: Mapping[str, str], area_column: str) -> pd.DataFrame:
    """The whole export in the standard shape (before the selection of a year); cached per file state."""
    stat = Path(path).stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, layout.model_dump_json(), tuple(optional.items()), area_column)
    if key in _CACHE:
        return _CACHE[key]
    frame = _read_table(path, file, layout)
    if layout.rows:
        frame = _select_rows(frame, file, layout)
    if layout.melt is not None:
        frame = _melt(frame, file, layout)
    if layout.year is not None:
        frame = _years(frame, file, layout)
    found = [c for c in frame.columns if c not in (LINE, YEAR)]
    head = layout.header_row
    given = {*layout.absent, *layout.constants}
    _check_declared(file, layout, optional, found, given)
    renames = {export.strip(): standard for standard, export in layout.columns.items() if standard not in given}
    replaced = [standard for standard in [*renames.values(), *given] if standard in found and standard not in renames]
    frame = frame.drop(columns=replaced).rename(columns=renames)
    for standard, mapping in layout.values.items():
        if standard in frame.columns:
            frame[standard] = frame[standard].map(lambda v, m=mapping: m.get(v, v))
    frame = _split_aggregates(frame, layout, area_column)
    aggregates = frame.attrs["aggregates"]
    for standard in layout.absent:
        frame[standard] = optional[standard]
    for standard, value in layout.constants.items():
        frame[standard] = value
    frame.attrs.update(
        header_line=head,
        found=found,
        labels={standard: export for export, standard in renames.items()},
        number=(layout.decimal, layout.thousands_sep),
        aggregates=aggregates,
    )
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[key] = frame
    return frame


def read_standardised(
    path: Path,
    file: str,
    layout: Layout | None = None,
    optional: Mapping[str, str] | None = None,
    year: int | None = None,
    area_column: str = AREA_COLUMN,
) -> pd.DataFrame:
    """Read a raw CSV export in its declared layout into the standard string frame.

    Reads with the declared encoding (None: detected), delimiter and header line; names the
    columns at declared positions (``layout.positions``); keeps only the declared rows
    (``layout.rows``); melts a wide table (``layout.melt``); reads the year of every row from the
    year column (``layout.year``); renames the declared export headers (``layout.columns``:
    standard header -> export header) to the standard headers; maps the declared values
    (``layout.values``); sets aside the declared aggregate rows (``layout.aggregates``, codes in
    ``area_column``; kept in ``frame.attrs["aggregates"]``); fills the declared absent columns with
    the value the loader gives for them in ``optional`` (standard header -> fill value) and the
    declared constants (``layout.constants``). Line numbers stay the real file lines.
    ``frame.attrs`` keeps the header line, the headers found, each standard header's name in the
    export and the number format (for parsing and the messages).

    ``year`` (with ``layout.year``) keeps only that year's rows; the standard ``Stichtag`` is then
    the loader's day of that year (``optional["Stichtag"]``) where the export has no Stichtag of
    its own (or the year column is it).

    Raises :class:`RawDataError` when the file is missing or unreadable in the declared layout,
    when a declared export header is not in the header line, or when a column is declared
    absent that the source cannot do without.
    """
    layout = layout or Layout()
    optional = optional or {}
    if not Path(path).is_file():
        raise RawDataError([Problem(file, None, None, "Datei fehlt")])
    whole = _shaped(path, file, layout, optional, area_column)
    frame = whole.copy()
    frame.attrs = dict(whole.attrs)
    if layout.year is not None and year is not None:
        keep = frame[YEAR] == year
        if not keep.any():
            present = sorted(set(frame[YEAR]))
            rule = f"keine Zeilen für das Jahr {year} (Jahresspalte '{layout.year}'; vorhanden: {present})"
            raise RawDataError([Problem(file, None, layout.year, rule)])
        frame = frame.loc[keep].reset_index(drop=True)
        sums = whole.attrs["aggregates"]
        frame.attrs["aggregates"] = sums[sums[YEAR] == year].reset_index(drop=True) if len(sums) else sums
        stichtag_is_year = layout.year in ("Stichtag", layout.columns.get("Stichtag"))
        if "Stichtag" in optional and ("Stichtag" not in frame.columns or stichtag_is_year):
            frame["Stichtag"] = optional["Stichtag"]
    if YEAR in frame.columns:
        frame = frame.drop(columns=[YEAR])
    return frame


def load_csv(
    path: Path,
    columns: list[RawColumn],
    schema: pa.DataFrameSchema,
    file: str,
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    layout: Layout | None = None,
    optional: Mapping[str, str] | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Read, parse and check one CSV export in its declared layout; return the typed frame.

    ``prepare`` may normalise the parsed frame before the schema check; ``optional`` names the
    columns the export may lack and the value they then take; ``year`` selects that year's rows of
    a file with a year column (see :func:`read_standardised`).
    """
    raw = read_standardised(path, file, layout, optional, year)
    return parse_and_check(raw, columns, schema, file, prepare)


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


def columns_of(columns: Iterable[Column]) -> list[RawColumn]:
    """The raw columns a loader parses, from the export's declared columns (``helpers.core.schema``)."""
    return [RawColumn(c.header, c.name, c.kind) for c in columns]
