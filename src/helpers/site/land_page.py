"""The Land overview page: every commune of a Land run on the shared indicators (city level).

Confidentiality by construction: the page reads nothing but each commune's own published open
data (``reports/opendata/indikatoren.csv`` and ``indikatorenkatalog.csv``) and shows their
city-level values as published there (rounded to one decimal, with the commune's own symbol:
"." stays "."). The Land value of an indicator is Σ numerators / Σ denominators over the
communes whose numerator and denominator are both published, so it is a function of published
numbers only: no differencing against the page can recover anything the communes kept secret.
The commune size used to choose comparison communes comes from the commune's register and is
shown only as a coarse size class.

Funnel plot: each commune's city value against its denominator, with the exact 95 % and
99,8 % limits around the Land value (:func:`helpers.analysis.compare.exact_limits`,
Spiegelhalter 2005). Comparison communes: the configured ones, else the ``k`` nearest in
log population (a different commune type counts as a distance of 0,7, i.e. about a factor 2
in size).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from helpers.analysis.compare import exact_limits, funnel_table, od_band, od_quantile
from helpers.core.config import Config
from helpers.core.formatting import fmt_number
from helpers.core.io import sha256_files
from helpers.core.paths import ProjectPaths, relative_href
from helpers.core.provenance import synthetic_note
from helpers.report.analysis_plots import _label_points
from helpers.report.display import figure_svg
from helpers.report.labels import funnel_label
from helpers.report.mpl_style import BLUE, GREY, STYLE, VERMILION, _german_ticks, _source_line
from helpers.site.markup import TEMPLATES
from helpers.site.pages import code_version

matplotlib.use("Agg")

PROJECT = Path(__file__).resolve().parents[3]
#: Shown where a commune does not compute an indicator (or has no value for the year).
NOT_COMPUTED = "x"
TYPE_DISTANCE = 0.7
SIZE_CLASSES = [
    (10_000, "unter 10.000"),
    (20_000, "10.000 bis unter 20.000"),
    (50_000, "20.000 bis unter 50.000"),
    (100_000, "50.000 bis unter 100.000"),
    (500_000, "100.000 bis unter 500.000"),
    (math.inf, "500.000 und mehr"),
]
SCALES = {"%": 100.0, "je 1.000": 1_000.0, "je 10.000": 10_000.0}


@dataclass(frozen=True)
class LandCommune:
    """A commune whose build succeeded: its config and what it published."""

    config: Config

    @property
    def ags(self) -> str:
        return self.config.commune.ags

    @property
    def name(self) -> str:
        return self.config.commune.name

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(self.config)

    @property
    def opendata_files(self) -> list[Path]:
        return [self.paths.opendata / "indikatoren.csv", self.paths.opendata / "indikatorenkatalog.csv"]

    @cached_property
    def city_values(self) -> pd.DataFrame:
        """The commune's published city-level rows, as text (exactly what it published)."""
        table = pd.read_csv(self.opendata_files[0], dtype=str, keep_default_na=False)
        return table[table["ebene"] == "stadt"].reset_index(drop=True)

    @cached_property
    def catalogue(self) -> dict[str, dict[str, str]]:
        table = pd.read_csv(self.opendata_files[1], dtype=str, keep_default_na=False)
        return {r["indikator"]: r for r in table.to_dict("records")}

    @cached_property
    def residents(self) -> int | None:
        """Residents in the last data year (from the commune's register; used for similarity only)."""
        path = self.paths.processed_table("population_bands")
        if not path.is_file():
            return None
        table = pd.read_parquet(path, columns=["year", "area_level", "age_band", "persons"])
        table = table[(table["area_level"] == "stadt") & (table["age_band"] == "Insgesamt")]
        return int(table.loc[table["year"] == table["year"].max(), "persons"].sum()) if len(table) else None

    @property
    def synthetic(self) -> bool:
        return bool(synthetic_note(self.paths, list(self.config.sources)))


@dataclass(frozen=True)
class Missing:
    """A commune of the run without a site (its build failed)."""

    ags: str
    name: str
    reason: str


def size_class(residents: int | None) -> str:
    """A coarse size class.

    >>> size_class(19_999), size_class(None)
    ('10.000 bis unter 20.000', 'unbekannt')
    """
    if residents is None:
        return "unbekannt"
    return next(label for limit, label in SIZE_CLASSES if residents < limit)


def cell_text(row: dict[str, str] | None) -> str:
    """The published value of one open-data row as shown on the page (one decimal, German).

    >>> cell_text({"wert": "15.495", "zeichen": ""}), cell_text({"wert": "", "zeichen": "."})
    ('15,5', '.')
    >>> cell_text({"wert": "30.435", "zeichen": "( )"}), cell_text({"wert": "0.000", "zeichen": "–"}), cell_text(None)
    ('(30,4)', '–', 'x')
    """
    if row is None:
        return NOT_COMPUTED
    symbol, value = row["zeichen"].strip(), row["wert"].strip()
    if symbol in (".", "–"):
        return symbol
    if not value:
        return NOT_COMPUTED
    text = fmt_number(float(value), 1)
    return f"({text})" if symbol.startswith("(") else text


def shared_indicators(communes: list[LandCommune]) -> list[tuple[str, int]]:
    """(indicator, year) of the indicators at least half of the communes publish at city level,
    each in the latest year that at least half of them publish; in first-seen order."""
    if not communes:
        return []
    need = max(1, math.ceil(len(communes) / 2))
    seen: dict[str, dict[int, int]] = {}
    for c in communes:
        for ind, years in c.city_values.groupby("indikator", sort=False)["jahr"]:
            for year in {int(y) for y in years}:
                seen.setdefault(ind, {}).setdefault(year, 0)
                seen[ind][year] += 1
    out = []
    for ind, counts in seen.items():
        years = [y for y, n in counts.items() if n >= need]
        if years:
            out.append((ind, max(years)))
    return out


def _row(c: LandCommune, indicator: str, year: int) -> dict[str, str] | None:
    rows = c.city_values[(c.city_values["indikator"] == indicator) & (c.city_values["jahr"] == str(year))]
    return None if rows.empty else rows.iloc[0].to_dict()


def funnel_points(communes: list[LandCommune], indicator: str, year: int) -> pd.DataFrame:
    """Communes whose numerator, denominator and value are all published: name, numerator, denominator."""
    rows = []
    for c in communes:
        r = _row(c, indicator, year)
        if r and r["zeichen"].strip() != "." and r["zaehler"] and r["nenner"] and r["wert"] and float(r["nenner"]) > 0:
            rows.append((c.name, c.ags, float(r["zaehler"]), float(r["nenner"])))
    return pd.DataFrame(rows, columns=["area_name", "ags", "numerator", "denominator"])


#: the reference value of the Land funnel in the funnel vocabulary (``helpers.report.labels.FUNNEL``)
LAND_REF = "dem Landeswert"


def funnel_svg(
    points: pd.DataFrame, theta: float, share: bool, scale: float, title: str, ylabel: str, tau2: float = 0.0
) -> str:
    """The funnel plot of communes as base64 SVG (exact limits around the Land value; with τ² > 0 the
    band of the usual differences between communes, as in ``helpers.report.analysis_plots.funnel_chart``)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(8, 4.4))
        ax = fig.add_subplot()
        den = points["denominator"]
        n = np.geomspace(max(float(den.min()) * 0.5, 5.0), max(float(den.max()) * 1.2, 10.0), 200)
        limits = exact_limits(theta, n, share)
        if tau2 > 0:
            rates = (points["numerator"] / den).to_numpy(float)
            top = max(float(rates.max()), float(limits["hi998"].max())) * 1.1
            bottom = min(float(rates.min()), float(limits["lo998"].min())) * 0.9
            low, high = od_band(theta, n, share, tau2, od_quantile(len(points)))
            ax.fill_between(
                n, np.clip(low, bottom, top) * scale, np.clip(high, bottom, top) * scale, color=GREY, alpha=0.15,
                linewidth=0, label="übliche Unterschiede zwischen Kommunen (99,8 %)",
            )  # fmt: skip
            ax.set_ylim(bottom * scale, top * scale)
        for key, style, label in (("95", "--", "95-%-Grenzen (Zufall)"), ("998", "-", "99,8-%-Grenzen (Zufall)")):
            ax.plot(n, limits[f"lo{key}"] * scale, color=GREY, linestyle=style, linewidth=1.2, label=label)
            ax.plot(n, limits[f"hi{key}"] * scale, color=GREY, linestyle=style, linewidth=1.2)
        ax.axhline(theta * scale, color=VERMILION, linewidth=1.4, label="Landeswert")
        rate = points["numerator"] / den * scale
        ax.scatter(den, rate, color=BLUE, zorder=3, s=22)
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: fmt_number(x)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("Bezugsgröße (Anzahl Personen im Nenner, logarithmisch)")
        ax.set_ylabel(ylabel)
        _german_ticks(ax.yaxis, 1)
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, fontsize=8, loc="upper right")
        fig.subplots_adjust(left=0.11, bottom=0.2, right=0.97, top=0.88)
        _label_points(ax, points["area_name"].tolist(), den, rate)
        _source_line(fig, "Quelle: offene Daten der Kommunen (indikatoren.csv)")
    return base64.b64encode(figure_svg(fig)).decode("ascii")


def comparison_choice(
    communes: list[LandCommune], configured: dict[str, list[str]], k: int
) -> dict[str, tuple[list[str], bool]]:
    """AGS -> (AGS of its comparison communes, configured?). Nearest in log population, plus
    ``TYPE_DISTANCE`` for a different commune type; ties by AGS. Only communes on the page count."""
    by_ags = {c.ags: c for c in communes}
    out = {}
    for c in communes:
        if c.ags in configured:
            out[c.ags] = ([a for a in configured[c.ags] if a in by_ags and a != c.ags], True)
            continue

        def distance(other: LandCommune, c: LandCommune = c) -> tuple[float, str]:
            both = c.residents and other.residents
            d = abs(math.log(c.residents) - math.log(other.residents)) if both else 10.0
            return (round(d + TYPE_DISTANCE * (c.config.commune.type != other.config.commune.type), 9), other.ags)

        others = sorted((o for o in communes if o.ags != c.ags), key=distance)
        out[c.ags] = ([o.ags for o in others[:k]], False)
    return out


def _funnels(communes: list[LandCommune], shared: list[tuple[str, int]], labels: dict) -> tuple[list, dict]:
    funnels, land_values = [], {}
    for ind, year in shared:
        unit = labels[ind]["einheit"]
        points = funnel_points(communes, ind, year)
        if unit not in SCALES or len(points) < 1:
            continue
        theta = float(points["numerator"].sum() / points["denominator"].sum())
        land_values[ind] = fmt_number(theta * SCALES[unit], 1)
        if len(points) < 3:
            continue
        share = unit == "%"
        table = funnel_table(points, theta, share)
        title = f"{labels[ind]['kurzname']} {year}"
        ylabel = f"{labels[ind]['kurzname']} ({unit})"
        in_plot = set(points["ags"])
        left_out = [c.name for c in communes if c.ags not in in_plot]
        funnels.append(
            {
                "id": ind,
                "title": title,
                "svg": funnel_svg(points, theta, share, SCALES[unit], title, ylabel, float(table["tau2"].iloc[0])),
                "alt": f"Trichterdiagramm {title}: {len(points)} Kommunen um den Landeswert {land_values[ind]} {unit}",
                "land": land_values[ind],
                "unit": unit,
                "rows": [
                    (
                        r.area_name,
                        fmt_number(r.rate * SCALES[unit], 1),
                        funnel_label(r.funnel_code, LAND_REF, "Kommunen"),
                    )
                    for r in table.sort_values("area_name").itertuples()
                ],
                "left_out": left_out,
            }
        )
    return funnels, land_values


def render_land_page(
    land: str,
    communes: list[LandCommune],
    missing: list[Missing],
    page: Path,
    comparisons: dict[str, list[str]] | None = None,
    comparison_count: int = 3,
) -> str:
    """The Land overview page (HTML text, offline, byte-identical for the same inputs)."""
    communes = sorted(communes, key=lambda c: (c.name, c.ags))

    def rel(target: Path) -> str:
        return relative_href(page, target)

    shared = shared_indicators(communes)
    labels: dict[str, dict[str, str]] = {}
    for c in communes:
        for ind, entry in c.catalogue.items():
            labels.setdefault(ind, entry)
    funnels, land_values = _funnels(communes, shared, labels)
    by_ags = {c.ags: c for c in communes}
    choice = comparison_choice(communes, comparisons or {}, comparison_count)
    rows = [
        {
            "name": c.name,
            "ags": c.ags,
            "href": rel(c.paths.index_html),
            "type": c.config.commune.type,
            "size": size_class(c.residents),
            "areas": len(c.config.stadtteile),
            "bezirke": len(c.config.stadtbezirke),
            "cells": [cell_text(_row(c, ind, year)) for ind, year in shared],
            "compare": [(by_ags[a].name, rel(by_ags[a].paths.index_html)) for a in choice[c.ags][0]],
            "configured": choice[c.ags][1],
        }
        for c in communes
    ]
    synthetic = [c.name for c in communes if c.synthetic]
    inputs = [f for c in communes for f in c.opendata_files]
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / "monitoring"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    return env.get_template("land.html.j2").render(
        land=land,
        rows=rows,
        indicators=[
            {
                "id": ind,
                "year": year,
                "short": labels[ind]["kurzname"],
                "unit": labels[ind]["einheit"],
                "land": land_values.get(ind, NOT_COMPUTED),
            }
            for ind, year in shared
        ],
        funnels=funnels,
        missing=missing,
        synthetic=synthetic,
        not_computed=NOT_COMPUTED,
        code_version=code_version(PROJECT),
        input_hash=sha256_files(inputs, page.parent) if inputs else "",
        css=(TEMPLATES / "monitoring" / "report.css").read_text(encoding="utf-8"),
    )
