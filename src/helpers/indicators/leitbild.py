"""Leitbild target tracking: current value, trend and whether each target is on track.

The trend is the one every page shows (the trend table of ``helpers.analysis.trends``, passed in as
data: this layer does not import the analyses); its line, continued from the current value, decides
"auf Kurs".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from helpers.core.config import YAML_LOADER, ConfigError
from helpers.indicators.catalogue import Catalogue


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    indikator: str
    zielwert: float
    zieljahr: int
    gebiet: str | None = None


class Leitziel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    titel: str
    ziele: list[Target]


class Leitbild(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    beispiel: bool = False
    titel: str
    hinweis: str = ""
    leitziele: list[Leitziel]


def load_leitbild(path: Path, catalogue: Catalogue, stadtteile: set[str] | None = None) -> Leitbild:
    """Read the Leitbild file; every target must name a catalogue indicator and, where it
    names an area, a configured Stadtteil (``stadtteile``: their codes)."""
    data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=YAML_LOADER)
    leitbild = Leitbild.model_validate(data)
    ids = {i.id for i in catalogue.indicators}
    targets = [t for z in leitbild.leitziele for t in z.ziele]
    unknown = sorted({t.indikator for t in targets} - ids)
    if unknown:
        raise ConfigError(
            f"Leitbild {path} nennt Kennzahlen, die für diese Kommune nicht berechnet werden (fehlende Quelle, "
            f"nicht ausgewählt oder unbekannt; `doit kommune` zeigt die Gründe): {unknown}"
        )
    if stadtteile is not None:
        areas = sorted({t.gebiet for t in targets if t.gebiet} - stadtteile)
        if areas:
            raise ConfigError(f"Leitbild {path} nennt Stadtteile, die nicht konfiguriert sind: {areas}")
    return leitbild


@dataclass(frozen=True)
class Tracking:
    leitziel: str
    indicator_id: str
    area_code: str
    target: float
    target_year: int
    year: int
    current: float | None
    verdict_code: str  # the trend's verdict (helpers.analysis.trends), "" without a trend row
    change: float | None  # change of the trend over first_year … last_year, in the unit
    change_low: float | None
    change_high: float | None
    first_year: int | None
    last_year: int | None
    per_year: float | None  # the same change per year (projection)
    projection: float | None
    status: str  # erreicht | auf Kurs | nicht auf Kurs | keine Daten
    precise: bool = True  # the trend's interval can be printed (helpers.analysis.trends.verdict_codes)


def _meets(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "higher_better" else value <= target


def _num(row: dict, key: str) -> float | None:
    value = row.get(key)
    return None if value is None or pd.isna(value) else float(value)


def track(
    current: float | None, trend: dict | None, target: float, target_year: int, direction: str, year: int
) -> tuple[float | None, float | None, str]:
    """(per-year change, projection, status) of one target from the current value and its trend row.

    The trend is the one every page shows (``helpers.analysis.trends``): "auf Kurs" when the trend has a
    direction (its adjusted interval excludes 0) and its line, continued from the current value, reaches
    the target by the target year. Without a clear direction no projection is made: a target not yet met
    is then "nicht auf Kurs"; without a current value, "keine Daten".

    >>> rising = {"verdict_code": "rising", "unit_change": 1.0}
    >>> track(12.0, rising, 15.0, 2025, "higher_better", 2022)
    (1.0, 15.0, 'auf Kurs')
    >>> track(12.0, {"verdict_code": "no_trend", "unit_change": 1.0}, 15.0, 2025, "higher_better", 2022)
    (None, None, 'nicht auf Kurs')
    >>> track(16.0, None, 15.0, 2025, "higher_better", 2022)
    (None, None, 'erreicht')
    """
    if current is None:
        return None, None, "keine Daten"
    if _meets(current, target, direction):
        return None, None, "erreicht"
    if trend is None or trend.get("verdict_code") not in ("rising", "falling"):
        return None, None, "nicht auf Kurs"
    per_year = _num(trend, "unit_change")
    if per_year is None:
        return None, None, "nicht auf Kurs"
    projection = float(np.round(current + per_year * (target_year - year), 10))
    return per_year, projection, "auf Kurs" if _meets(projection, target, direction) else "nicht auf Kurs"


def track_all(
    leitbild: Leitbild,
    published: pd.DataFrame,
    catalogue: Catalogue,
    year: int,
    city_code: str,
    trends: pd.DataFrame | None = None,
) -> list[Tracking]:
    """Tracking of every target in the report year, from the published indicator table and the trend
    table of that year (``trends``: rows of ``helpers.analysis.trends``; None: no trends, no projection)."""
    out = []
    trend_rows = {}
    if trends is not None:
        part = trends[trends["report_year"] == year] if "report_year" in trends else trends
        trend_rows = {(r["indicator_id"], r["area_code"]): r for r in part.to_dict("records")}
    for ziel in leitbild.leitziele:
        for t in ziel.ziele:
            area = t.gebiet or city_code
            level = "stadt" if area == city_code else "stadtteil"
            now = published[
                (published["indicator_id"] == t.indikator)
                & (published["area_level"] == level)
                & (published["area_code"] == area)
                & (published["year"] == year)
            ]["value"].dropna()
            current = float(now.iloc[0]) if len(now) else None
            trend = trend_rows.get((t.indikator, area))
            direction = catalogue.get(t.indikator).direction
            per_year, projection, status = track(current, trend, t.zielwert, t.zieljahr, direction, year)
            tr = trend or {}
            out.append(
                Tracking(
                    leitziel=ziel.titel,
                    indicator_id=t.indikator,
                    area_code=area,
                    target=t.zielwert,
                    target_year=t.zieljahr,
                    year=year,
                    current=current,
                    verdict_code=str(tr.get("verdict_code", "")),
                    change=_num(tr, "change"),
                    change_low=_num(tr, "change_ci_low"),
                    change_high=_num(tr, "change_ci_high"),
                    first_year=int(tr["first_year"]) if tr else None,
                    last_year=int(tr["last_year"]) if tr else None,
                    per_year=per_year,
                    projection=projection,
                    status=status,
                    precise=bool(tr.get("precise", True)),
                )
            )
    return out
