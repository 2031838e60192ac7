"""Write a commented config skeleton for a new commune from the files in its raw folder.

    python -m helpers.build.scaffold <raw folder> --name Musterstadt --ags 05999000 > config/musterstadt.yml

What it reads: file names (a four-digit year in a name becomes ``{year}``, so one pattern
covers all years), the source each file belongs to (by key words in its name), and for CSV
exports the encoding, delimiter, header line and column headers. Headers that match the
standard layout need nothing; for the others it writes a ``layout.columns`` entry to be
checked. From the residents' register it lists the Stadtteile (code and name) and tells
single years of age from age bands. Everything it could not decide is marked ``TODO``.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from helpers.core.io import detect_encoding
from helpers.core.registry import SOURCES

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

#: The standard header columns of each CSV source (module, attribute with ``RawColumn`` entries).
STANDARD_COLUMNS: dict[str, tuple[str, str]] = {
    "population": ("helpers.sources.population", "COLUMNS"),
    "kita": ("helpers.sources.kita", "COLUMNS"),
    "seu": ("helpers.sources.seu", "COLUMNS"),
    "transitions": ("helpers.sources.transitions", "COLUMNS"),
    "hze_cases": ("helpers.sources.hze", "CASE_COLUMNS"),
    "hze_expenditure": ("helpers.sources.hze", "SPEND_COLUMNS"),
    "services": ("helpers.sources.prevention", "SERVICE_COLUMNS"),
    "welcome_visits": ("helpers.sources.prevention", "VISIT_COLUMNS"),
    "comparison": ("helpers.sources.comparison", "COLUMNS"),
}

#: A year in a file name, alone or followed by a month ("2024", "2024-12-31", "202412").
YEAR_RE = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?=(?:0[1-9]|1[0-2])?(?!\d))")

#: Usual export headers of the standard columns (folded: lower case, letters and digits only).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "Stichtag": ("stand", "datum", "stichtag", "berichtsdatum"),
    "Stadtteil-Nr": ("otnr", "ortsteilnr", "stadtteilnr", "kennziffer", "gebietsnr", "bezirksnr", "schluessel", "nr"),
    "Stadtteil": ("ortsteil", "stadtteil", "gebiet", "bezirk", "ortsteilname", "stadtteilname"),
    "Altersgruppe": ("altersgruppe", "altersklasse", "altersstufe"),
    "Alter": ("alter", "lebensalter", "altersjahr"),
    "Geschlecht": ("geschlecht", "sex"),
    "Staatsangehörigkeit": ("staatsangehoerigkeit", "nationalitaet", "staatsangehorigkeit"),
    "Anzahl": ("anzahl", "einwohner", "personen", "wert", "insgesamt"),
    "Kindertageseinrichtung": ("kita", "kitas", "tageseinrichtung", "einrichtung"),
    "Kindertagespflege": ("tagespflege", "kindertagespflege", "pflege"),
}


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
        match = YEAR_RE.search(path.name)
        pattern = rel if match is None else rel[: len(rel) - len(path.name)] + YEAR_RE.sub("{year}", path.name, 1)
        groups.setdefault((key, pattern), []).append((int(match.group(1)) if match else None, path))
    found = [
        FoundSource(key, pattern, sorted(y for y, _ in items if y is not None), [p for _, p in items])
        for (key, pattern), items in sorted(groups.items())
    ]
    return found, unknown


def read_shape(path: Path, max_rows: int = 5000) -> CsvShape:
    """Encoding, delimiter, header line and headers of a CSV export (the header is the first line
    with as many fields as the most common field count)."""
    raw = path.read_bytes()
    encoding = detect_encoding(raw)
    text = raw.decode(encoding).lstrip("\ufeff")
    sample = "\n".join(text.splitlines()[:50])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        delimiter = ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))[: max_rows + 50]
    widths = [len(r) for r in rows if any(c.strip() for c in r)]
    common = max(set(widths), key=widths.count) if widths else 0
    header_index = next((i for i, r in enumerate(rows) if len(r) == common), 0)
    headers = [c.strip() for c in rows[header_index]] if rows else []
    return CsvShape(encoding, delimiter, header_index + 1, headers, rows[header_index + 1 :])


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode())


def standard_headers(key: str) -> list[str]:
    """The standard column headers of a CSV source (empty for the BA Excel exports)."""
    if key not in STANDARD_COLUMNS:
        return []
    module, attr = STANDARD_COLUMNS[key]
    return [c.header for c in getattr(import_module(module), attr)]


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


def _areas(shape: CsvShape, mapping: dict[str, str]) -> list[tuple[str, str]]:
    code_h = mapping.get("Stadtteil-Nr", "Stadtteil-Nr")
    name_h = mapping.get("Stadtteil", "Stadtteil")
    if code_h not in shape.headers:
        return []
    ci = shape.headers.index(code_h)
    ni = shape.headers.index(name_h) if name_h in shape.headers else None
    pairs = {}
    for row in shape.rows:
        if len(row) > ci and row[ci].strip():
            pairs.setdefault(row[ci].strip(), row[ni].strip() if ni is not None and len(row) > ni else row[ci].strip())
    return sorted(pairs.items())


def _column_values(shape: CsvShape, header: str) -> list[str]:
    i = shape.headers.index(header)
    return sorted({r[i].strip() for r in shape.rows if len(r) > i and r[i].strip()})


def _band_list(labels: list[str]) -> str:
    """``[[0, 2], [3, 5], …, [80, 200]]`` from band labels like "0-2" and "80+" (TODO if unreadable)."""
    bands = []
    for label in labels:
        m = re.fullmatch(r"(\d+)\s*(?:(?:-|–|bis)\s*(\d+)|(\+|und älter|und mehr))?", label)
        if m is None:
            return f"TODO   # Altersgruppen im Export: {', '.join(labels[:20])}"
        lo = int(m.group(1))
        bands.append((lo, int(m.group(2)) if m.group(2) else (200 if m.group(3) else lo)))
    return "[" + ", ".join(f"[{lo}, {hi}]" for lo, hi in sorted(bands)) + "]"


def skeleton(raw: Path, name: str, ags: str) -> str:
    """The commented config text for the files in ``raw``."""
    found, unknown = find_sources(raw)
    years = sorted({y for f in found for y in f.years})
    first, last = (years[0], years[-1]) if years else ("TODO", "TODO")
    out = [
        f"# Konfiguration für {name}: geschrieben von `python -m helpers.build.scaffold` aus den Dateien in",
        f"# {raw}. Jede Angabe prüfen; „TODO“ markiert, was sich aus den Dateien nicht ablesen ließ.",
        "# Anleitung: README, Abschnitt „Another commune“. Prüfen mit `doit config=<diese Datei> kommune`.",
        "",
        "commune:",
        f"  name: {_q(name)}",
        f"  ags: {_q(ags)}   # Amtlicher Gemeindeschlüssel, 8 Ziffern",
        '  type: "Stadt"     # z. B. kreisfreie Stadt, große kreisangehörige Stadt',
        "",
        "# Stadtbezirke: leer lassen, wenn die Stadtteile (Ortsteile) direkt unter der Stadt liegen.",
        '# Sonst: - {code: "1", name: "Stadtbezirk I"} und bei jedem Stadtteil stadtbezirk: "1".',
        "stadtbezirke: []",
        "",
        "# Stadtteile: Kennziffer wie in den Exporten, Kurzname für Dateinamen (slug), Name für Leser.",
        "# tile: [Spalte, Zeile] für die schematische Kachelkarte (ohne GeoJSON); ohne tile und ohne GeoJSON",
        "# erscheint statt der Karte ein Hinweis.",
        "stadtteile:",
    ]
    population = next((f for f in found if f.key == "population"), None)
    shape = read_shape(population.files[-1]) if population and population.files[-1].suffix == ".csv" else None
    mapping = column_mapping([*standard_headers("population"), "Altersgruppe"], shape.headers)[0] if shape else {}
    areas = _areas(shape, mapping) if shape else []
    if areas:
        out += [f"  - {{code: {_q(c)}, slug: {slug(n)}, name: {_q(n)}}}" for c, n in areas]
    else:
        out.append('  - {code: "TODO", slug: todo, name: "TODO"}   # keine Gebiete in der Einwohnerdatei gefunden')
    out += [
        "",
        "years:",
        f"  data: {{first: {first}, last: {last}}}   # Jahre mit Daten (aus den Dateinamen)",
        "  report_count: 3                      # Berichtsjahre: die letzten drei Datenjahre",
        "",
        "# Altersgruppen der Bevölkerungstabellen: [Bezeichnung, erstes Alter, letztes Alter], lückenlos ab 0.",
        "# Bei einer Einwohnerdatei in Altersgruppen müssen sie sich aus deren Gruppen bilden lassen.",
        "age_bands:",
        '  - ["unter 18", 0, 17]',
        '  - ["18 bis unter 65", 18, 64]',
        '  - ["65 und älter", 65, 200]',
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
        out += _source_block(f)
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
        "# Karten: GeoJSON mit einem Polygon je Stadtteil (EPSG:4326 oder EPSG:25832).",
        "# analysis:",
        "#   geometry: {geojson: stadtteile.geojson, id_property: TODO}",
        "",
    ]
    return "\n".join(out)


def _source_block(f: FoundSource) -> list[str]:
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
    out += _layout_lines(f.key, read_shape(first))
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
    layout = []
    if shape.delimiter != ";":
        layout.append(f"      delimiter: {_q(shape.delimiter)}")
    if shape.header_row != 1:
        layout.append(f"      header_row: {shape.header_row}")
    if mapping or unmatched:
        layout.append("      columns:   # Standardspalte: Spalte im Export")
        layout += [f"        {_q(std)}: {_q(exp)}   # prüfen" for std, exp in mapping.items()]
        others = [h for h in shape.headers if h not in standard and h not in mapping.values()]
        if unmatched:
            layout.append(f"        # Spalten im Export ohne Zuordnung: {', '.join(others)}")
        layout += [f"        {_q(std)}: TODO   # oder unter absent: aufführen" for std in unmatched]
    out = ["    layout:", *layout] if layout else []
    if key == "population":
        band_header = "Altersgruppe" if "Altersgruppe" in shape.headers else mapping.get("Altersgruppe")
        if band_header:
            out.append(f"    age_bands: {_band_list(_column_values(shape, band_header))}   # aus der Datei; prüfen")
        out.append("    population_basis: main_residence   # oder entitled (wohnberechtigte Bevölkerung)")
    return out


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
