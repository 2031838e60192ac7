"""Write a commented config skeleton for a new commune from the files in its raw folder.

    python -m helpers.tools.scaffold <raw folder> --name Musterstadt --ags 05999000 > config/musterstadt.yml

What it reads: file names (a four-digit year in a name becomes ``{year}``, so one pattern
covers all years), the source each file belongs to (by key words in its name), and for CSV
exports the encoding, delimiter, header line and column headers. Headers that match the
standard layout need nothing; for the others it writes a ``layout.columns`` entry to be
checked. The residents' register is read whole (``helpers.tools.register_shape``): its
Stadtteile (code and name), the Stadtbezirke (aggregate rows or a column), the city's row, the
years (a year column, dates, or years as columns), sub-tables and the total to keep, age bands
in the usual label styles or single years of age, a wide table's melt, and the population
basis. Polygon files (GeoJSON, KML, GeoPackage, Shapefile) in the folder give the map's
``analysis.geometry`` with the property that holds the codes. Everything it could not decide is
marked ``TODO`` with a German comment.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from helpers.core import schema
from helpers.core.io import detect_encoding
from helpers.core.registry import SOURCES
from helpers.tools.register_shape import RegisterShape, read_register

#: Layout keys of the shapes cities publish (``helpers.core.config.Layout``), in one place.
LAYOUT_YEAR, LAYOUT_ROWS, LAYOUT_AGGREGATES, LAYOUT_MELT = "year", "rows", "aggregates", "melt"
#: Polygon files the map can read (``helpers.report.geometry.load_geometry``), and a Shapefile's side files.
POLYGON_SUFFIXES = (".geojson", ".json", ".kml", ".kmz", ".gpkg", ".shp")
SHAPEFILE_SIDES = (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")

#: Key words in file names, per source (first match wins, checked in this order).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "comparison": ("vergleich",),
    "hze_expenditure": ("aufwand", "ausgaben", "kosten"),
    "hze_cases": ("hze", "hilfen", "erziehung", "fallliste"),
    "welcome_visits": ("willkommen",),
    "services": ("angebot", "praevention", "präventions"),
    "sgb2": ("sgb", "grundsicherung", "bedarfsgemeinschaft", "leistungsberechtigt"),
    "unemployment": ("arbeitslos", "alo"),
    "kita": ("kita", "kindertages", "betreuung"),
    "seu": ("seu", "schuleingang", "einschulung"),
    "transitions": ("uebergang", "übergang", "sek1", "schulwechsel"),
    "population": ("einwohner", "bevoelkerung", "bevölkerung", "ewo", "melderegister"),
}

#: A year in a file name, alone or followed by a month ("2024", "2024-12-31", "202412").
YEAR_RE = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?=(?:0[1-9]|1[0-2])?(?!\d))")

#: Usual export headers of the standard columns (folded: lower case, letters and digits only),
#: declared with the columns in ``helpers.core.schema``.
SYNONYMS: dict[str, tuple[str, ...]] = schema.synonyms()


@dataclass
class CsvShape:
    """What the scaffold read from one CSV export."""

    encoding: str
    delimiter: str
    header_row: int
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class FoundSource:
    """The files of one source in the raw folder."""

    key: str
    pattern: str
    years: list[int]
    files: list[Path]


def source_of(name: str) -> str | None:
    """The source a file name suggests (None: no key word matches)."""
    low = name.lower()
    for key, words in KEYWORDS.items():
        if any(w in low for w in words):
            return key
    return None


def find_sources(raw: Path) -> tuple[list[FoundSource], list[Path]]:
    """Group the raw folder's files into sources by name; also return the files not recognised."""
    groups: dict[tuple[str, str], list[tuple[int | None, Path]]] = {}
    unknown = []
    for path in sorted(p for p in raw.rglob("*") if p.is_file() and not p.name.startswith((".", "README"))):
        rel = path.relative_to(raw).as_posix()
        key = source_of(rel)
        if key is None or path.suffix.lower() not in (".csv", ".xlsx", ".txt"):
            unknown.append(path)
            continue
        match = YEAR_RE.search(path.name) if len(YEAR_RE.findall(path.name)) == 1 else None  # not a range
        pattern = rel if match is None else rel[: len(rel) - len(path.name)] + YEAR_RE.sub("{year}", path.name, 1)
        groups.setdefault((key, pattern), []).append((int(match.group(1)) if match else None, path))
    found = [
        FoundSource(key, pattern, sorted(y for y, _ in items if y is not None), [p for _, p in items])
        for (key, pattern), items in sorted(groups.items())
    ]
    return found, unknown


def read_shape(path: Path, max_rows: int | None = None) -> CsvShape:
    """Encoding, delimiter, header line, headers and (all, or the first ``max_rows``) rows of a CSV
    export (the header is the first line with as many fields as the most common field count)."""
    raw = path.read_bytes()
    encoding = detect_encoding(raw)
    text = raw.decode(encoding).lstrip("\ufeff")
    sample = "\n".join(text.splitlines()[:50])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        delimiter = ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if max_rows is not None:
        rows = rows[: max_rows + 50]
    widths = [len(r) for r in rows if any(c.strip() for c in r)]
    common = max(set(widths), key=widths.count) if widths else 0
    header_index = next((i for i, r in enumerate(rows) if len(r) == common), 0)
    headers = [c.strip() for c in rows[header_index]] if rows else []
    return CsvShape(encoding, delimiter, header_index + 1, headers, rows[header_index + 1 :])


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode())


def standard_headers(key: str) -> list[str]:
    """The standard column headers of a CSV source (empty for the BA Excel exports)."""
    return schema.csv_headers(key)


def column_mapping(standard: list[str], headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Standard header -> export header where they differ only in case/punctuation or the export
    uses a usual synonym (``SYNONYMS``); and the standard headers with no match.

    >>> column_mapping(["Stadtteil-Nr", "Stadtteil", "Anzahl"], ["OT-Nr", "Ortsteil", "Einwohner"])
    ({'Stadtteil-Nr': 'OT-Nr', 'Stadtteil': 'Ortsteil', 'Anzahl': 'Einwohner'}, [])
    """
    folded = {_fold(h): h for h in headers}
    mapping, unmatched = {}, []
    for std in standard:
        if std in headers:
            continue
        candidates = [_fold(std), *SYNONYMS.get(std, ())]
        found = next((folded[c] for c in candidates if c in folded and folded[c] not in mapping.values()), None)
        if found is None:
            unmatched.append(std)
        else:
            mapping[std] = found
    return mapping, unmatched


def slug(name: str) -> str:
    """An ASCII file-name slug of a German area name ("Bürrig" -> "buerrig")."""
    text = name.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "gebiet"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def find_polygons(raw: Path) -> list[Path]:
    """Polygon files in the raw folder (a zip counts when it holds a Shapefile)."""
    out = []
    for path in sorted(p for p in raw.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if suffix in POLYGON_SUFFIXES and not (suffix == ".json" and path.name.startswith("SYNTHETIC")):
            out.append(path)
        elif suffix == ".zip":
            import zipfile

            with zipfile.ZipFile(path) as z:
                if any(n.lower().endswith(".shp") for n in z.namelist()):
                    out.append(path)
    return out


def _is_side_file(path: Path) -> bool:
    return path.suffix.lower() in SHAPEFILE_SIDES and path.with_suffix(".shp").exists()


def id_property_for(path: Path, codes: list[str]) -> tuple[str | None, int, list[str]]:
    """The polygon property whose values match the most Stadtteil codes: (name, matches, all names)."""
    from helpers.report.geometry import GeometryError, feature_properties, id_text

    try:
        props = feature_properties(path)
    except GeometryError:
        return None, 0, []
    names = sorted({k for p in props for k in p})
    wanted = set(codes)
    score = {k: len({id_text(p[k]) for p in props if p.get(k) is not None} & wanted) for k in names}
    best = max(names, key=lambda k: score[k], default=None)
    return (best, score[best], names) if best is not None and score[best] else (None, 0, names)


def _german_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def skeleton(raw: Path, name: str, ags: str) -> str:
    """The commented config text for the files in ``raw``."""
    found, unknown = find_sources(raw)
    polygons = find_polygons(raw)
    unknown = [p for p in unknown if p not in polygons and not _is_side_file(p)]
    population = next((f for f in found if f.key == "population"), None)
    shape = read_shape(population.files[-1]) if population and population.files[-1].suffix == ".csv" else None
    register = read_register(shape.headers, shape.rows, hints=population.pattern) if shape else None
    years = sorted({y for f in found for y in f.years} | set(register.years if register else []))
    first, last = (years[0], years[-1]) if years else ("TODO", "TODO")
    year_note = "aus den Dateinamen und der Einwohnerdatei" if years else "TODO"
    out = [
        f"# Konfiguration für {name}: geschrieben von `python -m helpers.tools.scaffold` aus den Dateien in",
        f"# {raw}. Jede Angabe prüfen; „TODO“ markiert, was sich aus den Dateien nicht ablesen ließ.",
        "# Anleitung: README, Abschnitt „Another commune“. Prüfen mit `doit config=<diese Datei> kommune`.",
        "",
        "commune:",
        f"  name: {_q(name)}",
        f"  ags: {_q(ags)}   # Amtlicher Gemeindeschlüssel, 8 Ziffern",
        '  type: "Stadt"     # z. B. kreisfreie Stadt, große kreisangehörige Stadt',
        "",
        *_area_lines(register, population),
        "",
        "years:",
        f"  data: {{first: {first}, last: {last}}}   # Jahre mit Daten ({year_note})",
        "  report_count: 3                      # Berichtsjahre: die letzten drei Datenjahre",
        "",
        "# Altersgruppen der Bevölkerungstabellen: [Bezeichnung, erstes Alter, letztes Alter], lückenlos ab 0.",
        "# Bei einer Einwohnerdatei in Altersgruppen müssen sie sich aus deren Gruppen bilden lassen.",
        "age_bands:",
        *(f"  - [{_q(label)}, {lo}, {hi}]" for label, lo, hi in table_bands(register.bands if register else [])),
        "",
        "# Quellen: nur die, für die es Dateien gibt; alle außer der Einwohnerdatei sind freiwillig.",
        "# pattern: Dateiname im Rohdatenordner, {year} steht für das Jahr. holder: Datenhalter für die",
        "# Quellenangabe. stand: Stichtag für Leser. layout: wie der Export vom Standard abweicht.",
        "paths:",
        f"  raw: {_q(raw.as_posix())}   # relativ zu paths.root (Voreinstellung: Ordner über dieser Datei)",
        "sources:",
    ]
    seen: set[str] = set()
    for f in found:
        if f.key in seen:
            out.append(f"  # weitere Dateien für {f.key}: {f.pattern} (nur ein Muster je Quelle; bitte prüfen)")
            continue
        seen.add(f.key)
        out += _source_block(f, register if f.key == "population" else None)
    missing = [k for k in SOURCES if k not in {f.key for f in found}]
    if missing:
        out.append(f"  # keine Dateien gefunden für: {', '.join(missing)} (die zugehörigen Kennzahlen entfallen)")
    if unknown:
        out.append("# Nicht zugeordnete Dateien (Name enthält kein Schlüsselwort einer Quelle):")
        out += [f"#   {p.relative_to(raw).as_posix()}" for p in unknown]
    out += [
        "",
        "# Kennzahlen: aus dem mitgelieferten Katalog; alle, deren Quellen vorhanden sind.",
        "# indicators: {include: [...], exclude: [...], overrides: {kennzahl: {pooling: 3}}}",
        "",
        *_geometry_lines(raw, polygons, [a[0] for a in register.areas] if register else []),
        "",
    ]
    return "\n".join(out)


def table_bands(register_bands: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Age bands of the population tables: under 18, 18 to under 65, 65 and older, each cut moved to the
    nearest start of a register band (the lower one on a tie) so that the tables can be formed.

    >>> table_bands([])
    [('unter 18', 0, 17), ('18 bis unter 65', 18, 64), ('65 und älter', 65, 200)]
    >>> table_bands([(0, 9), (10, 19), (20, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 200)])
    [('unter 20', 0, 19), ('20 bis unter 60', 20, 59), ('60 und älter', 60, 200)]
    """
    starts = sorted({lo for lo, _ in register_bands if lo > 0})
    cuts = [min(starts, key=lambda s: (abs(s - c), s)) if starts else c for c in (18, 65)]
    if cuts[0] >= cuts[1]:
        cuts = [18, 65]
    low, high = cuts
    return [(f"unter {low}", 0, low - 1), (f"{low} bis unter {high}", low, high - 1), (f"{high} und älter", high, 200)]


def _area_lines(register: RegisterShape | None, population: FoundSource | None) -> list[str]:
    """The ``stadtbezirke`` and ``stadtteile`` blocks from the register."""
    out = []
    if register and register.bezirke:
        where = (
            "aus den Summenzeilen der Einwohnerdatei (Kennziffer und Name wie dort)"
            if register.bezirke_are_rows
            else f"aus der Spalte „{register.bezirk_code}“ der Einwohnerdatei"
        )
        out += [f"# Stadtbezirke: {where}; Namen prüfen.", "stadtbezirke:"]
        out += [f"  - {{code: {_q(c)}, name: {_q(n)}}}" for c, n in register.bezirke]
    else:
        out += [
            "# Stadtbezirke: leer lassen, wenn die Stadtteile (Ortsteile) direkt unter der Stadt liegen.",
            '# Sonst: - {code: "1", name: "Stadtbezirk I"} und bei jedem Stadtteil stadtbezirk: "1".',
            "stadtbezirke: []",
        ]
    out += [
        "",
        "# Stadtteile: Kennziffer wie in den Exporten, Kurzname für Dateinamen (slug), Name für Leser.",
        "# tile: [Spalte, Zeile] für die schematische Kachelkarte (ohne Polygone); ohne tile und ohne",
        "# Polygone erscheint statt der Karte ein Hinweis.",
    ]
    if register and register.areas:
        skipped = ["der Stadt"] if register.city else []
        if register.bezirke_are_rows:
            skipped.append(f"der {len(register.bezirke)} Stadtbezirke")
        note = f" (ohne die Summenzeilen {' und '.join(skipped)})" if skipped else ""
        file = population.files[-1].name if population else "der Einwohnerdatei"
        out.append(
            f"# {len(register.areas)} Stadtteile aus allen {_german_int(register.rows)} Zeilen von {file}{note}."
        )
        out.append("stadtteile:")
        for code, area, parent in register.areas:
            bezirk = f", stadtbezirk: {_q(parent)}" if parent else ""
            out.append(f"  - {{code: {_q(code)}, slug: {slug(area)}, name: {_q(area)}{bezirk}}}")
        if any(parent == "TODO" for _, _, parent in register.areas):
            out.append("  # TODO: Stadtbezirk je Stadtteil eintragen (nicht an den Kennziffern ablesbar)")
    else:
        out.append("stadtteile:")
        out.append('  - {code: "TODO", slug: todo, name: "TODO"}   # keine Gebiete in der Einwohnerdatei gefunden')
    return out


def _geometry_lines(raw: Path, polygons: list[Path], codes: list[str]) -> list[str]:
    """The map's ``analysis.geometry`` block: the polygon file found and its id property."""
    head = "# Karten: Polygone je Stadtteil als GeoJSON, KML, GeoPackage oder Shapefile (jedes Koordinatensystem)."
    if not polygons:
        return [head, "# analysis:", "#   geometry: {file: stadtteile.geojson, id_property: TODO}"]
    path = polygons[0]
    prop, hits, names = id_property_for(path, codes)
    where = f"# Datei relativ zu dieser Konfiguration: prüfen (gefunden: {path.as_posix()})."
    if prop is not None and hits == len(codes):
        note = f"# Eigenschaft „{prop}“ enthält alle {len(codes)} Kennziffern der Stadtteile"
    elif prop is not None:
        note = f"# TODO: „{prop}“ enthält nur {hits} von {len(codes)} Kennziffern; Eigenschaften: {', '.join(names)}"
    else:
        note = f"# TODO: keine Eigenschaft enthält die Kennziffern; Eigenschaften: {', '.join(names) or 'keine'}"
    others = [f"# weitere Polygondatei: {p.as_posix()}" for p in polygons[1:]]
    rel = "../" + path.as_posix() if not path.is_absolute() else path.as_posix()
    return [
        head,
        where,
        note,
        *others,
        "analysis:",
        f"  geometry: {{file: {_q(rel)}, id_property: {_q(prop) if prop else 'TODO'}}}",
    ]


def _source_block(f: FoundSource, register: RegisterShape | None = None) -> list[str]:
    out = [
        f"  {f.key}:",
        f"    pattern: {_q(f.pattern)}   # {len(f.files)} Datei(en)",
        '    holder: "TODO Datenhalter"',
        '    stand: "TODO Stichtag"',
    ]
    first = f.files[-1]
    if first.suffix.lower() != ".csv":
        out.append("    # Excel-Export der BA: Standardaufbau erwartet (layout.sheet bei anderem Blatt)")
        return out
    shape = read_shape(first)
    if register is not None and register.code is not None:
        return out + _population_lines(shape, register)
    out += _layout_lines(f.key, shape)
    return out


def _layout_lines(key: str, shape: CsvShape) -> list[str]:
    """The ``layout`` block (and, for the register, ``age_bands``) of one CSV source."""
    standard = standard_headers(key)
    mapping, unmatched = column_mapping(standard, shape.headers)
    if key == "population":
        bands = column_mapping(["Altersgruppe"], shape.headers)[0]
        if "Alter" in unmatched and (bands or "Altersgruppe" in shape.headers):
            unmatched.remove("Alter")  # an age-band export: the band column replaces "Alter"
            mapping |= bands
    # the encoding needs no entry: UTF-8 (with or without BOM) and Windows-1252 are detected
    layout = _csv_lines(shape)
    if mapping or unmatched:
        layout.append("      columns:   # Standardspalte: Spalte im Export")
        layout += [f"        {_q(std)}: {_q(exp)}   # prüfen" for std, exp in mapping.items()]
        others = [h for h in shape.headers if h not in standard and h not in mapping.values()]
        if unmatched:
            layout.append(f"        # Spalten im Export ohne Zuordnung: {', '.join(others)}")
        layout += [f"        {_q(std)}: TODO   # oder unter absent: aufführen" for std in unmatched]
    out = ["    layout:", *layout] if layout else []
    if key == "population":
        out.append("    population_basis: main_residence   # TODO prüfen: oder entitled (wohnberechtigte Bevölkerung)")
    return out


def _csv_lines(shape: CsvShape) -> list[str]:
    out = []
    if shape.delimiter != ";":
        out.append(f"      delimiter: {_q(shape.delimiter)}")
    if shape.header_row != 1:
        out.append(f"      header_row: {shape.header_row}")
    return out


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _population_lines(shape: CsvShape, reg: RegisterShape) -> list[str]:
    """The register's ``layout``, ``age_bands``, ``population_basis`` and its TODO notes."""
    layout = _csv_lines(shape) + _shape_lines(reg)
    columns, absent = _population_columns(reg)
    if columns:
        layout.append("      columns:   # Standardspalte: Spalte im Export")
        layout += [f"        {_q(std)}: {_q(exp) if exp != 'TODO' else 'TODO'}   # prüfen" for std, exp in columns]
    if reg.values:
        layout.append("      values:   # Standardspalte: {Wert im Export: Standardwert}")
        for std, mapping in reg.values.items():
            pairs = ", ".join(f"{_q(k)}: {_q(v)}" for k, v in mapping.items())
            layout.append(f"        {_q(std)}: {{{pairs}}}")
    if absent:
        layout.append(f"      absent: {_flow(absent)}   # nicht in der Datei (die Aufschlüsselung entfällt); prüfen")
    out = ["    layout:", *layout] if layout else []
    if reg.bands:
        bands = "[" + ", ".join(f"[{lo}, {hi}]" for lo, hi in reg.bands) + "]"
        out.append(f"    age_bands: {bands}   # aus der Datei; prüfen")
    elif reg.band is not None:
        out.append("    age_bands: TODO   # Altersgruppen der Datei nicht lesbar")
    basis = "wohnberechtigte Bevölkerung" if reg.basis == "entitled" else "Hauptwohnsitz"
    if reg.basis_known:
        out.append(f"    population_basis: {reg.basis}   # {basis} (aus Dateiname, Spalten oder Teiltabelle)")
    else:
        out.append(f"    population_basis: {reg.basis}   # TODO prüfen: oder entitled (wohnberechtigte Bevölkerung)")
    out += [f"    # TODO: {note}" for note in reg.todo]
    return out


def _shape_lines(reg: RegisterShape) -> list[str]:
    """The layout lines of the table's shape: year column, melt, row selection, aggregate rows."""
    out = []
    if reg.year is not None:
        out.append(
            f"      {LAYOUT_YEAR}: {_q(reg.year)}   # Spalte mit dem Jahr: eine Datei kann alle Jahre enthalten "
            "(Stichtag: stichtag dieses Jahres)"
        )
    if reg.melt is not None:
        what = "Jahre" if reg.melt.into == "Jahr" else "Altersgruppen"
        out.append(
            f"      {LAYOUT_MELT}: {{into: {_q(reg.melt.into)}, value: {_q(reg.melt.value)}, "
            f"columns: {_flow(reg.melt.columns)}}}   # breite Tabelle: {what} als Spalten"
        )
        if reg.melt.left_out:
            out.append(f"      # nicht umgeformt (Summenspalten): {', '.join(reg.melt.left_out)}")
    if reg.selected:
        out.append(f"      {LAYOUT_ROWS}:   # nur diese Zeilen lesen (Spalte: Wert oder Liste von Werten)")
        for col, values in reg.selected.items():
            shown = "TODO" if values == ["TODO"] else (_q(values[0]) if len(values) == 1 else _flow(values))
            chosen = "die mit den Altersgruppen" if col == reg.band_subtable else "die Summe"
            note = (
                f"Teiltabellen: {', '.join(reg.subtables[col][:12])}; gewählt: {chosen} – prüfen"
                if col in reg.subtables
                else "ohne die Summenzeile (Insgesamt)"
            )
            out.append(f"        {_q(col)}: {shown}   # {note}")
    if reg.city or reg.bezirke_are_rows:
        out.append(
            f"      {LAYOUT_AGGREGATES}:   # Summenzeilen, keine Stadtteile: geprüft gegen die Summe ihrer Teile"
        )
        if reg.city:
            out.append(f"        {_q(reg.city)}: stadt")
        if reg.bezirke_are_rows:
            out += [f"        {_q(code)}: {_q(code)}   # Stadtbezirk {name}" for code, name in reg.bezirke]
    return out


def _population_columns(reg: RegisterShape) -> tuple[list[tuple[str, str]], list[str]]:
    """(standard header, export header) where they differ, and the standard columns the export lacks."""
    roles = [
        ("Stichtag", reg.stichtag),
        ("Stadtteil-Nr", reg.code),
        ("Stadtteil", reg.name),
        ("Altersgruppe" if reg.band or not reg.age else "Alter", reg.band or reg.age),
        ("Geschlecht", reg.sex),
        ("Staatsangehörigkeit", reg.citizenship),
        ("Anzahl", reg.count),
    ]
    columns, absent = [], []
    for std, exp in roles:
        if exp is None:
            if std == "Stichtag" and reg.year is not None:
                continue  # the year column gives the Stichtag
            if std in ("Stichtag", "Geschlecht", "Staatsangehörigkeit"):
                absent.append(std)
            else:
                columns.append((std, "TODO"))
        elif exp != std:
            columns.append((std, exp))
    return columns, absent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Konfigurationsgerüst aus einem Rohdatenordner schreiben")
    parser.add_argument("raw", type=Path, help="Ordner mit den Exporten der Kommune")
    parser.add_argument("--name", required=True, help="Name der Kommune")
    parser.add_argument("--ags", default="TODO", help="Amtlicher Gemeindeschlüssel (8 Ziffern)")
    args = parser.parse_args(argv)
    if not args.raw.is_dir():
        sys.stderr.write(f"Rohdatenordner nicht gefunden: {args.raw}\n")
        return 2
    sys.stdout.write(skeleton(args.raw, args.name, args.ags))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
