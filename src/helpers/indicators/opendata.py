"""Open-data export: all published indicator values as a tidy CSV plus a Frictionless
Data Package descriptor that describes every column and every indicator.

Byte-identical on every rebuild: fixed row order, fixed number formats, no timestamps.
Suppressed cells are empty and carry the official symbol "." in ``zeichen``. A commune
without Stadtbezirke has no "stadtbezirk" rows, and the descriptor does not mention them.
Area codes are written as text (leading zeros kept, quoted where CSV needs it).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from helpers.core.config import Config
from helpers.core.registry import SELECTIONS
from helpers.indicators.catalogue import UNIT_LABEL, Catalogue

FIELDS = [
    ("indikator", "string", "Kennung des Indikators (siehe Ressource indikatorenkatalog)"),
    ("jahr", "integer", "Berichtsjahr"),
    ("ebene", "string", "Gebietsebene: stadtteil, stadtbezirk oder stadt"),  # see fields()
    ("gebiet_kennziffer", "string", "Kennziffer des Gebiets (Stadt: Amtlicher Gemeindeschlüssel)"),
    ("gebiet", "string", "Name des Gebiets"),
    (
        "zaehler",
        "number",
        "Zähler (Anzahl; bei Euro-Indikatoren Aufwand in EUR); leer, wenn geheim",
    ),
    (
        "nenner",
        "number",
        "Nenner (Bezugsgröße); leer, wenn selbst eine geheim zu haltende Kleinstzahl",
    ),
    ("wert", "number", "Wert in der Einheit des Indikators; leer, wenn geheim"),
    ("ki95_unten", "number", "Untere Grenze des 95-%-Konfidenzintervalls"),
    ("ki95_oben", "number", "Obere Grenze des 95-%-Konfidenzintervalls"),
    (
        "gepoolt_ab_jahr",
        "integer",
        "Erstes Jahr eines gepoolten Mehrjahreswerts (leer: Einzeljahr)",
    ),
    ("zeichen", "string", "Zeichen: . geheim, – nichts vorhanden, ( ) Aussagewert eingeschränkt"),
]
CATALOGUE_FIELDS = [
    ("indikator", "string", "Kennung"),
    ("name", "string", "Bezeichnung"),
    ("kurzname", "string", "Kurzbezeichnung"),
    ("definition", "string", "Definition"),
    ("einheit", "string", "Einheit"),
    ("lebensphase", "string", "Lebensphase der Präventionskette"),
    ("richtung", "string", "höher ist besser / niedriger ist besser / neutral"),
    ("art", "string", "Status-, Kontext-, Wirkungs- oder Angebotsindikator"),
    ("stichtag", "string", "Stichtag oder Bezugszeitraum"),
    ("quelle_zaehler", "string", "Datenquelle des Zählers"),
    ("quelle_nenner", "string", "Datenquelle des Nenners"),
    ("konfidenzintervall", "string", "Methode des Konfidenzintervalls"),
    ("poolung_jahre", "string", "Jahre eines gepoolten Werts für kleine Stadtteile (leer: keine)"),
    ("hinweis", "string", "Abweichungen von der Standarddefinition"),
]
DIRECTION = {
    "higher_better": "höher ist besser",
    "lower_better": "niedriger ist besser",
    "neutral": "neutral",
}
KIND = {"status": "Status", "context": "Kontext", "outcome": "Wirkung", "service": "Angebot"}


def fields(config: Config) -> list[tuple[str, str, str]]:
    """The columns of ``indikatoren.csv``: without Stadtbezirke the levels are stadtteil and stadt."""
    if config.has_stadtbezirke:
        return FIELDS
    return [
        (name, kind, "Gebietsebene: stadtteil oder stadt" if name == "ebene" else text) for name, kind, text in FIELDS
    ]


def _num(value: float, decimals: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return ""
    return f"{float(value):.{decimals}f}"


def indicator_csv(published: pd.DataFrame, catalogue: Catalogue) -> str:
    """The published indicator table as CSV text (comma, dot decimal, UTF-8)."""
    units = {i.id: i.unit for i in catalogue.indicators}
    lines = [",".join(name for name, _, _ in FIELDS)]
    for r in published.itertuples(index=False):
        eur = units[r.indicator_id] == "eur"
        cells = [
            r.indicator_id, str(r.year), r.area_level, _quote(r.area_code), _quote(r.area_name),
            _num(r.numerator, 2 if eur else 0), _num(r.denominator, 0), _num(r.value, 3),
            _num(r.ci_lower, 3), _num(r.ci_upper, 3),
            "" if pd.isna(r.pooled_from) else str(int(r.pooled_from)), _quote(r.symbol),
        ]  # fmt: skip
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A CSV field: quoted where it holds a separator, quote, bracket, blank or line break
    (inner quotes doubled, RFC 4180).

    >>> _quote("05316000-017"), _quote("Nord, Alt"), _quote('a"b')
    ('05316000-017', '"Nord, Alt"', '"a""b"')
    """
    text = str(text)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"( \n\r') else text


def catalogue_csv(catalogue: Catalogue, config: Config) -> str:
    lines = [",".join(name for name, _, _ in CATALOGUE_FIELDS)]
    for i in catalogue.indicators:
        holders = {k: v.holder for k, v in config.sources.items()}
        cells = [
            i.id, i.name, i.short, i.definition, UNIT_LABEL[i.unit], i.phase, DIRECTION[i.direction],
            KIND[i.kind], i.reference_date, _holder(i.numerator.source, holders),
            _holder(i.denominator.source, holders), i.ci_method, str(i.pooling or ""), i.note,
        ]  # fmt: skip
        lines.append(",".join(f'"{c.replace(chr(34), chr(39))}"' for c in cells))
    return "\n".join(lines) + "\n"


def _holder(source: str, holders: dict[str, str]) -> str:
    return holders.get(SELECTIONS[source].holder if source in SELECTIONS else source, source)


def datapackage(catalogue: Catalogue, config: Config, synthetic_note: str) -> str:
    """A Frictionless Data Package descriptor (JSON text, sorted keys)."""
    name = f"praeventionsmonitoring-{config.commune.ags}"
    areas = "Stadtteilen, Stadtbezirken und Gesamtstadt" if config.has_stadtbezirke else "Stadtteilen und Gesamtstadt"
    description = (
        f"Kernindikatoren des Präventionsmonitorings {config.commune.name} nach {areas}. "
        "Statistische Geheimhaltung: Fallzahlen unter "
        f"{config.thresholds.min_cell_count} und alles, woraus sie sich errechnen ließen, sind "
        "mit '.' ersetzt (primäre und sekundäre Geheimhaltung)."
    )
    if synthetic_note:
        description += " ACHTUNG: " + synthetic_note
    package = {
        "profile": "tabular-data-package",
        "name": name,
        "title": f"Präventionsmonitoring {config.commune.name} – Kernindikatoren",
        "description": description,
        "licenses": [
            {
                "name": "dl-de-by-2.0",
                "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
            }
        ],
        "resources": [
            _resource(
                "indikatoren",
                "indikatoren.csv",
                fields(config),
                ["indikator", "jahr", "ebene", "gebiet_kennziffer"],
            ),
            _resource("indikatorenkatalog", "indikatorenkatalog.csv", CATALOGUE_FIELDS, ["indikator"]),
        ],
        "zeichenerklaerung": {
            ".": "geheim zu halten",
            "–": "nichts vorhanden (null)",
            "( )": f"Aussagewert eingeschränkt (Nenner unter {config.thresholds.min_denominator})",
        },
    }
    package["resources"][0]["schema"]["foreignKeys"] = [
        {
            "fields": "indikator",
            "reference": {"resource": "indikatorenkatalog", "fields": "indikator"},
        }
    ]
    return json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _resource(name: str, path: str, fields: list[tuple[str, str, str]], key: list[str]) -> dict:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": True},
        "schema": {
            "fields": [{"name": n, "type": t, "description": d} for n, t, d in fields],
            "missingValues": [""],
            "primaryKey": key,
        },
    }
