"""The check of every processed table before it is written, derived from ``helpers.core.schema``.

A table is written only when it has its declared columns (in order, for a strict table), their
kinds, no missing value where none may be, a unique key, and its named invariants hold:

- ``anteil_0_100``: every share (a column of unit ``pct``; in the indicator tables the ``value``
  of an indicator of unit ``pct``) lies within [0, 100];
- ``schluessel_eindeutig``: no two rows share the key;
- ``summe_gebiete``: the Stadtteile (and the Stadtbezirke) add up to the city where they must
  (the residents' register), or do not exceed the city's own total (the BA's tables, whose
  cells 1 to 9 are suppressed); a group with a missing part is checked on its known values.

A violation is a :class:`TableCheckError`: one German block naming the table and its file, row,
column, rule and value; the writer then writes nothing (``helpers.pipeline.actions.write_tables``;
the indicators of unit ``pct`` come from ``helpers.indicators.compute.share_indicators``). Rows are
counted from 1 (the first data row).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from helpers.core.formatting import fmt_number, german_number
from helpers.core.schema import SHARE, AreaSum, Column, Table, table_schema
from helpers.sources.validation import Problem, describe_group, group_problems

RULE_SHARE = "anteil_0_100"
RULE_KEY = "schluessel_eindeutig"
RULE_SUM = "summe_gebiete"

#: pandas dtypes accepted for each declared kind (a nullable column also holds the nullable forms).
_DTYPES = {
    "int": {"int64", "int32", "Int64"},
    "float": {"float64", "Float64"},
    "str": {"str", "object", "string"},
    "bool": {"bool", "boolean"},
    "date": {"datetime64[ns]", "datetime64[us]", "datetime64[ms]", "datetime64[s]"},
}
_NULLABLE_EXTRA = {"int": {"float64", "Float64"}, "bool": {"object"}}
_KIND_WORDS = {"int": "ganze Zahl", "float": "Zahl", "str": "Text", "bool": "ja/nein", "date": "Datum"}


class TableCheckError(ValueError):
    """Processed tables broke their schema; nothing was written. ``german_message`` is the block."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.german_message)

    @property
    def german_message(self) -> str:
        groups = group_problems(self.problems)
        out = [
            f"Verarbeitete Tabelle verletzt ihr Schema: {german_number(len(self.problems))} Problem(e), "
            "nichts wurde geschrieben."
        ]
        for file in dict.fromkeys(g.file for g in groups):
            out.append(f"  {file}:")
            out.extend(f"    - {describe_group(g)}" for g in groups if g.file == file)
        out.append(
            "  Was tun: ein Fehler im Programm oder in den Rohdaten; die Regeln stehen in helpers.core.schema "
            "(Zeilen gezählt ab der ersten Datenzeile)."
        )
        return "\n".join(out)


def _column_problems(schema: Table, frame: pd.DataFrame, file: str) -> list[Problem]:
    names = list(frame.columns)
    problems = [Problem(file, None, c, "Spalte fehlt (Regel spalten)") for c in schema.names if c not in names]
    if schema.strict:
        extra = [c for c in names if c not in schema.names]
        problems += [Problem(file, None, c, "Spalte ist nicht deklariert (Regel spalten)") for c in extra]
        if not problems and names != schema.names:
            rule = f"Spaltenfolge weicht ab, erwartet {schema.names} (Regel spalten)"
            problems.append(Problem(file, None, None, rule))
    return problems


def _dtype_problems(columns: list[Column], frame: pd.DataFrame, file: str) -> list[Problem]:
    if frame.empty:
        return []
    problems = []
    for col in columns:
        dtype = str(frame[col.name].dtype)
        accepted = _DTYPES[col.kind] | (_NULLABLE_EXTRA.get(col.kind, set()) if col.nullable else set())
        if dtype not in accepted:
            rule = f"Datentyp {dtype}, erwartet {_KIND_WORDS[col.kind]} (Regel datentyp)"
            problems.append(Problem(file, None, col.name, rule))
    return problems


def _pandera(schema: Table, columns: list[Column]) -> pa.DataFrameSchema:
    """Missing values, shares within [0, 100] and the unique key, as a pandera schema."""
    share = pa.Check.in_range(0, 100, error=f"Anteil außerhalb von [0, 100] (Regel {RULE_SHARE})")
    return pa.DataFrameSchema(
        {c.name: pa.Column(None, [share] if c.unit == SHARE else [], nullable=c.nullable) for c in columns},
        unique=list(schema.key) or None,
        report_duplicates="all",
    )


_PANDERA_WORDS = {
    "not_nullable": "Wert fehlt (Regel nicht_leer)",
    "multiple_fields_uniqueness": f"Schlüssel doppelt (Regel {RULE_KEY})",
    "field_uniqueness": f"Schlüssel doppelt (Regel {RULE_KEY})",
}


def _value_problems(schema: Table, columns: list[Column], frame: pd.DataFrame, file: str) -> list[Problem]:
    try:
        _pandera(schema, columns).validate(frame, lazy=True)
    except SchemaErrors as exc:
        out = []
        for case in exc.failure_cases.itertuples(index=False):
            line = None if case.index is None or pd.isna(case.index) else int(case.index) + 1
            column = None if pd.isna(case.column) else str(case.column)
            rule = _PANDERA_WORDS.get(str(case.check), str(case.check))
            if rule.startswith("Schlüssel"):
                rule = f"Schlüssel ({', '.join(schema.key)}) doppelt (Regel {RULE_KEY})"
            value = None if pd.isna(case.failure_case) else str(case.failure_case)
            out.append(Problem(file, line, column, rule, value))
        return out
    return []


def _share_rows(frame: pd.DataFrame, column: str, share_ids: set[str], file: str) -> list[Problem]:
    """``anteil_0_100`` on the rows of indicators of unit ``pct`` (the ``value`` of the indicator tables)."""
    values = frame[column].astype(float)
    bad = frame["indicator_id"].isin(share_ids) & values.notna() & ((values < 0) | (values > 100))
    rule = f"Anteil außerhalb von [0, 100] (Regel {RULE_SHARE}, Kennzahl in %)"
    return [Problem(file, int(i) + 1, column, rule, str(values[i])) for i in frame.index[bad]]


def _number(value: float) -> str:
    """A count in German format ("1.234"), a fraction with its decimals."""
    value = float(value)
    return german_number(int(value)) if value.is_integer() else fmt_number(value, 2)


def area_sum_problems(rule: AreaSum, frame: pd.DataFrame, file: str) -> list[Problem]:
    """``summe_gebiete``: per group, the parts' sum equals (or does not exceed) the whole's row.

    >>> f = pd.DataFrame({"year": [1, 1, 1], "area_level": ["stadtteil", "stadtteil", "stadt"], "n": [2, 3, 6]})
    >>> [p.rule for p in area_sum_problems(AreaSum(("n",), ("year",), (("stadtteil",),)), f, "t")]
    ['Summe über stadtteil (5) ungleich dem Wert für stadt (6) (Regel summe_gebiete)']
    """
    problems = []
    whole = frame[frame[rule.level] == rule.whole]
    for parts in rule.parts:
        rows = frame[frame[rule.level].isin(parts)]
        if rows.empty:
            continue
        for column in rule.columns:
            values = rows[column].astype(float)
            sums = values.groupby([rows[k] for k in rule.by]).sum(min_count=1)
            unknown = values.isna().groupby([rows[k] for k in rule.by]).any()
            for i, row in whole.iterrows():
                key = tuple(row[k] for k in rule.by)
                key = key[0] if len(key) == 1 else key
                total, part = row[column], sums.get(key)
                if pd.isna(total) or part is None or pd.isna(part):
                    continue
                exact = rule.relation == "==" and not unknown.get(key, False)
                if (exact and part != float(total)) or part > float(total):
                    relation = "ungleich dem" if exact else "größer als der"
                    text = (
                        f"Summe über {' + '.join(parts)} ({_number(part)}) {relation} Wert für {rule.whole} "
                        f"({_number(total)}) (Regel {RULE_SUM})"
                    )
                    problems.append(Problem(file, int(i) + 1, column, text, str(total)))
    return problems


def table_problems(name: str, frame: pd.DataFrame, file: str, share_ids: set[str] = frozenset()) -> list[Problem]:
    """Every broken rule of one processed table (``file``: how the messages name it)."""
    schema = table_schema(name)
    if schema is None:
        return [Problem(file, None, None, "Tabelle hat kein Schema in helpers.core.schema (Regel schema)")]
    frame = frame.reset_index(drop=True)
    problems = _column_problems(schema, frame, file)
    present = [c for c in schema.columns if c.name in frame.columns]
    problems += _dtype_problems(present, frame, file)
    problems += _value_problems(schema, present, frame, file)
    for column in schema.shares_where:
        if column in frame.columns and "indicator_id" in frame.columns:
            problems += _share_rows(frame, column, set(share_ids), file)
    if not problems:
        for rule in schema.sums:
            problems += area_sum_problems(rule, frame, file)
    return problems


def with_declared_columns(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """An empty table with the columns its schema declares (an analysis without input returns a bare empty
    frame; its readers then find the declared columns). A table with rows is returned as it is.

    >>> list(with_declared_columns("hze_balance", pd.DataFrame()).columns)
    ['report_year', 'scenario', 'year', 'net_eur']
    >>> len(with_declared_columns("hze_balance", pd.DataFrame({"x": [1]})).columns)
    1
    """
    schema = table_schema(name)
    if schema is None or len(frame) or not schema.names:
        return frame
    return frame.reindex(columns=[*frame.columns, *(c for c in schema.names if c not in frame.columns)])


def check_tables(tables: Mapping[str, pd.DataFrame], files: Mapping[str, str], share_ids: set[str]) -> None:
    """Check every table; raise :class:`TableCheckError` with all problems of all of them.

    ``files``: how each table is named in the messages (table key and file); ``share_ids``: the
    indicators of unit ``pct``.
    """
    problems = [p for name, frame in tables.items() for p in table_problems(name, frame, files[name], share_ids)]
    if problems:
        raise TableCheckError(problems)
