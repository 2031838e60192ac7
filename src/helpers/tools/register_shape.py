"""What the scaffold reads from a residents' register export: the role of every column, the
shape of the table and the areas in it (see ``helpers.tools.scaffold``).

The register is read whole. Columns get their roles from their headers (usual synonyms) and,
where headers do not tell, from their values: four-digit years, dates, age-band labels in the
styles registers use („0-2“, „00 - < 03“, „unter 3“, „3 bis unter 6“, „75 und älter“,
„90 u. mehr“, „95+“), counts. A table with years or age bands as columns is *wide* and is melted
(as the layout's ``melt`` will). A column that splits every area's rows into several sub-tables
(„Insgesamt“, „männlich“, „Deutsche“, …) is a *sub-table column*; its total is selected. Codes
whose counts are the sum of other codes' counts are *aggregate rows*: the city (half, or a
third with Stadtbezirke, of the table's total) and the Stadtbezirke (the largest remaining codes
that sum to the city). What cannot be decided is collected as German sentences for ``TODO``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: The top of an open age band ("75 und älter" -> (75, 200)), as the config writes it.
OPEN_TOP = 200

#: Header words of an area (folded), finest first, and of a code or a name.
AREA_WORDS = ("stadtteil", "ortsteil", "statistischerbezirk", "wohnbezirk", "bezirk", "quartier", "viertel", "gebiet")
AREA_WORDS += ("sozialraum", "raum")
CODE_WORDS = ("nummer", "nr", "kennziffer", "kennz", "schluessel", "schlussel", "code", "id", "kz")
NAME_WORDS = ("name", "bezeichnung", "bez")
#: Headers that name a year, a Stichtag, a count, sex, citizenship, an age (folded).
YEAR_HEADERS = ("jahr", "berichtsjahr", "stichtagsjahr", "year", "jahrstichtag")
STICHTAG_HEADERS = ("stichtag", "stand", "datum", "berichtsdatum", "stichtagdatum")
COUNT_HEADERS = ("anzahl", "einwohner", "einwohnerinnen", "personen", "wert", "insgesamt", "bevoelkerung")
COUNT_HEADERS += ("anzahlpersonen", "summe", "gesamt", "value")
SEX_HEADERS = ("geschlecht", "sex")
CITIZENSHIP_HEADERS = ("staatsangehoerigkeit", "staatsangehorigkeit", "nationalitaet", "nationalitat")
BAND_HEADERS = ("altersgruppe", "altersgruppen", "altersklasse", "altersstufe", "altersjahre", "alter", "lebensalter")
BAND_HEADERS += ("altersjahr",)
#: Values that mean "all" in a sub-table, sex or band column (folded).
TOTAL_WORDS = ("insgesamt", "gesamt", "zusammen", "alle", "summe", "total", "einwohnerinsgesamt")

#: Export values of sex and citizenship (folded) -> the standard values.
SEX_VALUES = {"maennlich": "m", "m": "m", "maenner": "m", "weiblich": "w", "w": "w", "frauen": "w"}
SEX_VALUES |= {"divers": "d", "d": "d"}
CITIZENSHIP_VALUES = {"deutsch": "deutsch", "deutsche": "deutsch", "nichtdeutsch": "nichtdeutsch"}
CITIZENSHIP_VALUES |= {"nichtdeutsche": "nichtdeutsch", "auslaender": "nichtdeutsch", "auslaendisch": "nichtdeutsch"}

YEAR_VALUE = re.compile(r"^(19[5-9]\d|20\d\d)$")
DATE_VALUE = re.compile(r"^(?:\d{1,2}\.\d{1,2}\.(19|20)\d\d|(19|20)\d\d-\d\d-\d\d)$")


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, letters and digits only ("Stadtteil-Nr." -> "stadtteilnr")."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode())


_OPEN = (
    r"(?:\+|u\.?\s*(?:m\.?|mehr|ä\.?|älter|aelter|darüber)|und\s+(?:mehr|älter|aelter|darüber|ueber|über)"
    r"|plus|ff\.?)"
)
_BAND_PATTERNS = (
    (re.compile(r"^(?:unter|u\.|<|bis\s+unter)\s*(\d+)$"), lambda m: (0, int(m[1]) - 1)),
    (re.compile(r"^(?:bis|0\s*-\s*)\s*(\d+)$"), lambda m: (0, int(m[1]))),
    (
        re.compile(r"^(\d+)\s*(?:-|bis|–)\s*(?:unter|u\.|<|u)\s*(\d+)$"),
        lambda m: (int(m[1]), int(m[2]) - 1),
    ),
    (re.compile(r"^(\d+)\s*(?:-|–|bis)\s*(\d+)$"), lambda m: (int(m[1]), int(m[2]))),
    (re.compile(rf"^(\d+)\s*{_OPEN}$"), lambda m: (int(m[1]), OPEN_TOP)),
    (re.compile(r"^(?:ab|über|ueber|>=?)\s*(\d+)$"), lambda m: (int(m[1]), OPEN_TOP)),
    (re.compile(r"^(\d+)$"), lambda m: (int(m[1]), int(m[1]))),
)


def parse_band(label: str) -> tuple[int, int] | None:
    """First and last age of an age-band label, ``(lo, 200)`` for an open top band; None if unreadable.

    >>> [parse_band(s) for s in ["0-2", "00 - < 03", "unter 3", "3 bis unter 6", "75 und älter"]]
    [(0, 2), (0, 2), (0, 2), (3, 5), (75, 200)]
    >>> [parse_band(s) for s in ["90 u. mehr", "95+", "6 bis 9 Jahre", "100 Jahre und älter", "ab 80", "7"]]
    [(90, 200), (95, 200), (6, 9), (100, 200), (80, 200), (7, 7)]
    >>> parse_band("Insgesamt") is None and parse_band("2010") is None
    True
    """
    text = label.strip().lower().replace("\u2013", "-").replace("\u2212", "-")
    text = re.sub(r"\s*(?:jahren|jahre|jahr|j\.)(?=\s|$|-)", "", text)
    text = re.sub(r"^(?:alter|von)\s+", "", re.sub(r"\s+", " ", text)).strip()
    for pattern, make in _BAND_PATTERNS:
        m = pattern.match(text)
        if m:
            lo, hi = make(m)
            return (lo, hi) if lo <= hi and lo <= 120 and (hi <= 120 or hi == OPEN_TOP) else None
    return None


def is_total(value: str) -> bool:
    """Whether a value names all of its kind ("Insgesamt", "Gesamt", "zusammen", …).

    >>> is_total("Insgesamt"), is_total("Einwohner insgesamt"), is_total("männlich")
    (True, True, False)
    """
    f = fold(value)
    return f in TOTAL_WORDS or f.endswith("insgesamt") or f.startswith("insgesamt")


def band_list(labels: Sequence[str]) -> tuple[list[tuple[int, int]], list[str]]:
    """The bands of the labels (sorted, totals left out) and what is wrong with them (German).

    >>> band_list(["0-2", "3-5", "6 und älter", "Insgesamt"])
    ([(0, 2), (3, 5), (6, 200)], [])
    >>> band_list(["0-2", "6-9"])[1]
    ['Lücke zwischen 2 und 6']
    """
    bands, problems = [], []
    for label in labels:
        if is_total(label):
            continue
        band = parse_band(label)
        if band is None:
            problems.append(f"„{label}“ ist als Altersgruppe nicht lesbar")
        else:
            bands.append(band)
    bands = sorted(set(bands))
    if bands and bands[0][0] != 0:
        problems.append(f"die jüngste Gruppe beginnt bei {bands[0][0]}, nicht bei 0")
    for (_, hi), (lo, _) in itertools.pairwise(bands):
        if lo != hi + 1:
            problems.append(f"Lücke zwischen {hi} und {lo}" if lo > hi + 1 else f"Überschneidung bei {lo}")
    return bands, problems


def number(text: str) -> float | None:
    """A count as written in registers ("27732", "27732.0", "27.732", "1 234", "27732,0"); None if none.

    >>> [number(s) for s in ["27732", "27732.0", "27.732", "1 234", "12,0", "-", ""]]
    [27732.0, 27732.0, 27732.0, 1234.0, 12.0, None, None]
    """
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(?:\.\d{3})+", t):
        t = t.replace(".", "")
    elif re.fullmatch(r"-?\d{1,3}(?:,\d{3})+", t) and "." not in t:
        t = t.replace(",", "")
    t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


@dataclass
class Melt:
    """Columns of a wide table to melt: their headers become ``into``, their cells ``value``."""

    into: str
    columns: list[str]
    value: str = "Anzahl"
    left_out: list[str] = field(default_factory=list)  # total columns among them, not melted


@dataclass
class RegisterShape:
    """The roles of a register's columns and what its rows hold."""

    rows: int = 0
    code: str | None = None
    name: str | None = None
    bezirk_code: str | None = None  # a separate, coarser area column
    bezirk_name: str | None = None
    year: str | None = None
    stichtag: str | None = None
    band: str | None = None
    age: str | None = None
    count: str | None = None
    sex: str | None = None
    citizenship: str | None = None
    melt: Melt | None = None
    subtables: dict[str, list[str]] = field(default_factory=dict)  # column -> its values
    selected: dict[str, list[str]] = field(default_factory=dict)  # column -> values to keep (layout.rows)
    band_subtable: str | None = None  # the sub-table column whose selected value holds the age bands
    areas: list[tuple[str, str, str | None]] = field(default_factory=list)  # code, name, Stadtbezirk code
    city: str | None = None  # aggregate code of the city
    bezirke: list[tuple[str, str]] = field(default_factory=list)  # Stadtbezirk code, name
    bezirke_are_rows: bool = False  # the Stadtbezirke are aggregate rows (else a column)
    years: list[int] = field(default_factory=list)
    bands: list[tuple[int, int]] = field(default_factory=list)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # standard header -> {export: standard}
    basis: str = "main_residence"
    basis_known: bool = False
    todo: list[str] = field(default_factory=list)


def frame_of(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> pd.DataFrame:
    """The table as text, every row padded to the header width, empty rows dropped."""
    names = [h or f"Spalte {i + 1}" for i, h in enumerate(headers)]
    width = len(names)
    body = [[c.strip() for c in (list(r) + [""] * width)[:width]] for r in rows if any(c.strip() for c in r)]
    return pd.DataFrame(body, columns=names, dtype=str)


def _role(header: str, words: Sequence[str]) -> bool:
    return fold(header) in words


def _area_word(header: str) -> str | None:
    f = fold(header)
    return next((w for w in AREA_WORDS if w in f), None)


def _is_code_header(header: str) -> bool:
    f = fold(header)
    if f in ("kennziffer", "nr", "nummer", "schluessel", "code", "gebietsnr", "otnr", "stnr", "sbz", "stbz"):
        return True
    word = _area_word(header)
    rest = f.replace(word, "", 1) if word else ""
    return word is not None and any(rest.startswith(c) or rest.endswith(c) for c in CODE_WORDS) and rest != ""


def _is_name_header(header: str) -> bool:
    f = fold(header)
    word = _area_word(header)
    if word is None:
        return False
    rest = f.replace(word, "", 1)
    return rest == "" or any(rest.startswith(n) or rest.endswith(n) for n in NAME_WORDS)


def _share(values: pd.Series, test) -> float:
    distinct = [v for v in values.unique() if v]
    return sum(bool(test(v)) for v in distinct) / len(distinct) if distinct else 0.0


def wide_columns(headers: Sequence[str]) -> Melt | None:
    """Years (at least two) or age bands (at least three) as columns: the melt declaration.

    >>> wide_columns(["Nr", "Name", "2010", "2011"]).columns
    ['2010', '2011']
    >>> m = wide_columns(["Nr", "Jahr", "0 - 2", "3 - 5", "90 u. mehr", "Insgesamt"])
    >>> m.into, m.columns, m.left_out
    ('Altersgruppe', ['0 - 2', '3 - 5', '90 u. mehr'], ['Insgesamt'])
    """
    years = [h for h in headers if YEAR_VALUE.match(h.strip()) or DATE_VALUE.match(h.strip())]
    if len(years) >= 2:
        return Melt("Jahr", years)
    bands = [h for h in headers if parse_band(h) is not None and not re.fullmatch(r"\d+", h.strip())]
    if len(bands) >= 3:
        totals = [h for h in headers if is_total(h) and fold(h) not in ("anzahl",)]
        return Melt("Altersgruppe", bands, left_out=totals)
    return None


def _melted(frame: pd.DataFrame, melt: Melt) -> pd.DataFrame:
    ids = [c for c in frame.columns if c not in melt.columns and c not in melt.left_out]
    return frame.melt(id_vars=ids, value_vars=melt.columns, var_name=melt.into, value_name=melt.value)


def _assign_header_roles(shape: RegisterShape, frame: pd.DataFrame) -> None:
    headers = list(frame.columns)
    for h in headers:
        if shape.year is None and _role(h, YEAR_HEADERS):
            shape.year = h
        elif shape.stichtag is None and _role(h, STICHTAG_HEADERS):
            shape.stichtag = h
        elif shape.sex is None and _role(h, SEX_HEADERS):
            shape.sex = h
        elif shape.citizenship is None and _role(h, CITIZENSHIP_HEADERS):
            shape.citizenship = h
    codes = [h for h in headers if _is_code_header(h)]
    codes.sort(key=lambda h: -frame[h].nunique())
    if codes:
        shape.code = codes[0]
        shape.name = _name_for(frame, codes[0], headers)
    if shape.code is None:
        return
    coarse = [*codes[1:], *(h for h in headers if "stadtbezirk" in fold(h) and h not in codes and h != shape.name)]
    for h in coarse:
        if 1 < frame[h].nunique() < frame[shape.code].nunique() and frame.groupby(shape.code)[h].nunique().max() == 1:
            shape.bezirk_code = h
            named = _name_for(frame, h, [x for x in headers if x != shape.name])
            shape.bezirk_name = named if named != h else None
            break


def _name_for(frame: pd.DataFrame, code: str, headers: Sequence[str]) -> str | None:
    """The name column of an area code column: the same area word, else a text column one-to-one with it."""
    word = _area_word(code)
    names = [h for h in headers if h != code and _is_name_header(h) and not _is_code_header(h)]
    names += [h for h in headers if h != code and fold(h) in (*NAME_WORDS, "gebietsname", "raumname")]
    same = [h for h in names if _area_word(h) == word] or names
    for h in same:
        if frame.groupby(code)[h].nunique().max() == 1:
            return h
    return None


def _assign_value_roles(shape: RegisterShape, frame: pd.DataFrame) -> None:
    used = {shape.code, shape.name, shape.bezirk_code, shape.bezirk_name, shape.year, shape.stichtag}
    used |= {shape.sex, shape.citizenship}
    free = [h for h in frame.columns if h not in used]
    for h in free:
        values = frame[h]
        if shape.year is None and _share(values, YEAR_VALUE.match) == 1.0 and fold(h) not in COUNT_HEADERS:
            shape.year = h
        elif shape.stichtag is None and _share(values, DATE_VALUE.match) == 1.0:
            shape.stichtag = h
        elif shape.band is None and shape.age is None and _band_column(h, values) == "band":
            shape.band = h
        elif shape.band is None and shape.age is None and _band_column(h, values) == "age":
            shape.age = h
    if shape.band is None and shape.age is None:
        _band_in_subtable(shape, frame, [h for h in free if h not in {shape.year, shape.stichtag}])
    used |= {shape.year, shape.stichtag, shape.band, shape.age, *shape.selected}
    numeric = [h for h in frame.columns if h not in used and _share(frame[h], lambda v: number(v) is not None) == 1]
    by_header = [h for h in numeric if _role(h, COUNT_HEADERS)]
    if by_header or len(numeric) == 1:
        shape.count = (by_header or numeric)[0]
    elif numeric:
        shape.count = numeric[-1]
        shape.todo.append(f"Spalte mit der Anzahl unklar (Zahlenspalten: {', '.join(numeric)}); gewählt: {numeric[-1]}")


def _band_in_subtable(shape: RegisterShape, frame: pd.DataFrame, free: Sequence[str]) -> None:
    """Age bands that share a column with other sub-tables (Köln: ``Tabelle`` = Altersgruppen |
    Geschlecht | …, the bands in ``Merkmal``): the band column and the sub-table to keep.

    >>> frame = pd.DataFrame({"Tabelle": ["Altersgruppen"] * 2 + ["Geschlecht"] * 2,
    ...                       "Merkmal": ["0 bis 2 Jahre", "3 bis 5 Jahre", "männlich", "weiblich"]})
    >>> shape = RegisterShape()
    >>> _band_in_subtable(shape, frame, ["Tabelle", "Merkmal"])
    >>> shape.band, shape.selected
    ('Merkmal', {'Tabelle': ['Altersgruppen']})
    """
    for split in free:
        if not 2 <= frame[split].nunique() <= 40:
            continue
        for value, part in frame.groupby(split, sort=True):
            column = next((h for h in free if h != split and _band_column(h, part[h]) == "band"), None)
            if column is not None:
                shape.band = column
                shape.subtables[split] = sorted(frame[split].unique())
                shape.selected[split] = [str(value)]
                shape.band_subtable = split
                return


def _band_column(header: str, values: pd.Series) -> str | None:
    """ "band" when most values are age bands, "age" when they are single ages 0-120, else None."""
    distinct = [v for v in values.unique() if v and not is_total(v)]
    if not distinct:
        return None
    parsed = [parse_band(v) for v in distinct]
    if sum(p is not None for p in parsed) < 0.8 * len(distinct):
        return None
    if all(p is not None and p[0] == p[1] for p in parsed) and not re.search(r"gruppe|klasse", fold(header)):
        return "age" if len(distinct) > 20 else None
    if any(p is not None and p[0] != p[1] for p in parsed):
        return "band"
    return None


def _subtables(shape: RegisterShape, frame: pd.DataFrame) -> None:
    """Columns that split an area's rows into sub-tables, and the value (total) to keep."""
    used = {shape.code, shape.name, shape.bezirk_code, shape.bezirk_name, shape.year, shape.stichtag, shape.band}
    used |= {shape.age, shape.count, shape.sex, shape.citizenship}
    key = [
        c for c in (shape.code, shape.year, shape.stichtag, shape.band, shape.age, shape.sex, shape.citizenship) if c
    ]
    if shape.code is None:
        return
    for h in [c for c in frame.columns if c not in used and c not in shape.selected]:
        n = frame[h].nunique()
        if not 2 <= n <= 40 or frame.groupby(key)[h].nunique().max() <= 1:
            continue
        values = sorted(frame[h].unique(), key=lambda v: (not is_total(v), v))
        shape.subtables[h] = values
        totals = [v for v in values if is_total(v)]
        basis = [v for v in values if "hauptwohn" in fold(v)] or [v for v in values if "wohnberechtigt" in fold(v)]
        if totals:
            shape.selected[h] = totals[:1]
        elif basis:
            shape.selected[h] = basis[:1]
        else:
            shape.selected[h] = ["TODO"]
            shape.todo.append(f"Teiltabelle in Spalte {h} wählen (Werte: {', '.join(values[:12])})")
    for col in (shape.band, shape.sex, shape.citizenship):
        if col and any(is_total(v) for v in frame[col].unique()):
            shape.selected[col] = sorted(v for v in frame[col].unique() if v and not is_total(v))


def value_mapping(values: Sequence[str], known: dict[str, str]) -> dict[str, str] | None:
    """{export value: standard value} for the values that differ ({} when all are standard); None
    when a value is unknown (totals are left out: ``layout.rows`` drops them).

    >>> value_mapping(["männlich", "weiblich"], SEX_VALUES)
    {'männlich': 'm', 'weiblich': 'w'}
    >>> value_mapping(["m", "w"], SEX_VALUES), value_mapping(["m", "x"], SEX_VALUES)
    ({}, None)
    """
    out = {}
    for v in values:
        if not v or is_total(v):
            continue
        standard = known.get(fold(v))
        if standard is None:
            return None
        if standard != v:
            out[v] = standard
    return out


def _values(shape: RegisterShape, frame: pd.DataFrame) -> None:
    for std, col, known in (
        ("Geschlecht", shape.sex, SEX_VALUES),
        ("Staatsangehörigkeit", shape.citizenship, CITIZENSHIP_VALUES),
    ):
        if col is None:
            continue
        values = sorted(frame[col].unique())
        mapping = value_mapping(values, known)
        if mapping is None:
            shape.todo.append(
                f"Werte der Spalte {col} den Standardwerten zuordnen (layout.values): {', '.join(values[:10])}"
            )
        elif mapping:
            shape.values[std] = mapping


def _basis(shape: RegisterShape, texts: Sequence[str]) -> None:
    words = fold(" ".join(texts))
    if "wohnberechtigt" in words and "hauptwohn" not in words:
        shape.basis, shape.basis_known = "entitled", True
    elif "hauptwohn" in words:
        shape.basis, shape.basis_known = "main_residence", True


def _totals(frame: pd.DataFrame, shape: RegisterShape) -> pd.DataFrame:
    """Sum of the counts per area code (rows) and cell (columns: year, age, sex, … as kept by the layout)."""
    keep = pd.Series(True, index=frame.index)
    for col, values in shape.selected.items():
        if values != ["TODO"]:
            keep &= frame[col].isin(values)
    kept = frame.loc[keep]
    cells = [c for c in (shape.year, shape.stichtag, shape.band, shape.age, shape.sex, shape.citizenship) if c]
    counts = kept[shape.count].map(number).fillna(0.0)
    if not cells:
        return counts.groupby(kept[shape.code]).sum().to_frame("alle")
    return counts.groupby([kept[shape.code], *(kept[c] for c in cells)]).sum().unstack(cells, fill_value=0.0)


def _close(a, b) -> bool:
    """Equal up to rounding (half a person, or 0.1 % of the larger), in every cell."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return bool(np.all(np.abs(a - b) <= np.maximum(0.5, 1e-3 * np.maximum(np.abs(a), np.abs(b)))))


def aggregates(totals: pd.Series | pd.DataFrame) -> tuple[str | None, list[str]]:
    """The city's code and the Stadtbezirke's codes among the area codes, from their counts.

    The city's count is the sum of its Stadtteile, so with the city and the Stadtteile the table's
    total is twice the city's, with Stadtbezirke too three times - in every cell (year, age band,
    …; the columns of a DataFrame). The Stadtbezirke are then the largest remaining codes whose
    counts add up to the city's.

    >>> t = pd.Series({"000": 60.0, "001": 30.0, "002": 30.0, "101": 10.0, "102": 20.0, "201": 5.0, "202": 25.0})
    >>> aggregates(t)
    ('000', ['001', '002'])
    >>> aggregates(pd.Series({"1": 10.0, "2": 20.0, "9": 30.0}))
    ('9', [])
    >>> aggregates(pd.DataFrame({"a": [10.0, 20.0, 30.0], "b": [5.0, 5.0, 9.0]}, index=["1", "2", "9"]))
    (None, [])
    """
    table = totals.to_frame("alle") if isinstance(totals, pd.Series) else totals
    if len(table) < 3:
        return None, []
    size = table.sum(axis=1)
    top = str(size.idxmax())
    city, rest = table.loc[top], table.drop(top).sum()
    if _close(rest, city):
        return top, []
    if not _close(rest, 2 * city):
        return None, []
    picked, running = [], 0.0 * city
    for code in size.drop(top).sort_values(ascending=False, kind="stable").index:
        if float((running + table.loc[code]).sum()) > float(city.sum()) * (1 + 1e-3) + 0.5:
            continue
        picked.append(str(code))
        running = running + table.loc[code]
        if _close(running, city):
            return top, sorted(picked)
    return top, []


def _parents(codes: Sequence[str], bezirke: Sequence[str], totals: pd.Series) -> dict[str, str] | None:
    """Each Stadtteil's Stadtbezirk by code prefix ("101" in "001" or "1"), if the counts confirm it."""
    stems = {b: b.lstrip("0") or "0" for b in bezirke}
    out = {}
    for c in codes:
        hits = [b for b, s in stems.items() if c.startswith(s) and len(c) > len(s)]
        if len(hits) != 1:
            return None
        out[c] = hits[0]
    for b in bezirke:
        if not _close(totals.loc[[c for c, p in out.items() if p == b]].sum(), totals.loc[b]):
            return None
    return out


def _areas(shape: RegisterShape, frame: pd.DataFrame) -> None:
    names = frame.groupby(shape.code)[shape.name].first().to_dict() if shape.name else {}
    codes = sorted(c for c in frame[shape.code].unique() if c)
    if shape.count is not None:
        totals = _totals(frame, shape)
        city, bezirke = aggregates(totals)
        shape.city = city
        if bezirke and shape.bezirk_code is None:
            shape.bezirke = [(b, names.get(b, b)) for b in bezirke]
            shape.bezirke_are_rows = True
        codes = [c for c in codes if c != city and c not in bezirke]
        parents = _parents(codes, bezirke, totals) if bezirke else {}
        if bezirke and parents is None:
            shape.todo.append(
                "Stadtbezirk der Stadtteile nicht an den Kennziffern ablesbar: bei jedem Stadtteil eintragen"
            )
    else:
        parents = {}
        shape.todo.append("keine Spalte mit der Anzahl gefunden: Summenzeilen (Stadt, Stadtbezirke) nicht prüfbar")
    if shape.bezirk_code is not None:
        pairs = frame.groupby(shape.code)[shape.bezirk_code].first().to_dict()
        bnames = frame.groupby(shape.bezirk_code)[shape.bezirk_name].first().to_dict() if shape.bezirk_name else {}
        parents = {c: pairs[c] for c in codes}
        shape.bezirke = [(b, bnames.get(b, b)) for b in sorted(set(parents.values()))]
    for c in codes:
        parent = (parents or {}).get(c, "TODO" if shape.bezirke else None)
        shape.areas.append((c, names.get(c, c), parent))


def _years(shape: RegisterShape, frame: pd.DataFrame) -> None:
    if shape.year is not None:
        found = {int(m[0]) for v in frame[shape.year].unique() if (m := re.search(r"(19|20)\d\d", v))}
        shape.years = sorted(found)
    elif shape.stichtag is not None:
        shape.years = sorted({int(m[0]) for v in frame[shape.stichtag].unique() if (m := re.search(r"(19|20)\d\d", v))})


def read_register(headers: Sequence[str], rows: Sequence[Sequence[str]], hints: str = "") -> RegisterShape:
    """Everything the scaffold needs from a register export (all of its rows); see the module docstring."""
    frame = frame_of(headers, rows)
    shape = RegisterShape(rows=len(frame))
    melt = wide_columns(list(frame.columns))
    if melt is not None:
        shape.melt = melt
        frame = _melted(frame, melt)
        shape.count = melt.value
        if melt.into == "Jahr":
            shape.year = "Jahr"
        else:
            shape.band = "Altersgruppe"
    _assign_header_roles(shape, frame)
    _assign_value_roles(shape, frame)
    if shape.code is None:
        shape.todo.append(f"Spalte mit der Kennziffer der Stadtteile nicht erkannt (Spalten: {', '.join(headers)})")
        return shape
    _subtables(shape, frame)
    _values(shape, frame)
    _basis(shape, [hints, *(v for vs in shape.selected.values() for v in vs), *headers])
    if not shape.basis_known:
        shape.todo.append("Bevölkerungsbegriff prüfen: Hauptwohnsitz (main_residence) oder wohnberechtigt (entitled)")
    _areas(shape, frame)
    _years(shape, frame)
    if shape.band is not None:
        kept = frame
        for col, values in shape.selected.items():  # the bands of the rows the layout keeps
            if col != shape.band and values != ["TODO"]:
                kept = kept[kept[col].isin(values)]
        labels = (
            shape.melt.columns if shape.melt and shape.melt.into == "Altersgruppe" else list(kept[shape.band].unique())
        )
        shape.bands, problems = band_list(labels)
        shape.todo += [f"Altersgruppen: {p}" for p in problems]
    return shape
