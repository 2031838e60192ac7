"""Code asks the catalogue for roles, never for ids (issue 26, build item 2): a catalogue whose
``child_poverty`` and ``hze_rate`` roles sit on differently named indicators builds the same sections
and findings, naming the other ids; a commune without the role gets the German reason instead."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
import yaml

from helpers.core.config import load_config
from helpers.indicators.catalogue import CHILD_POVERTY_ROLE, HZE_RATE_ROLE, Catalogue
from helpers.indicators.plan import commune_plan
from helpers.report import findings, sections
from helpers.report import sozialraum_sections as sozialraum
from helpers.report.context import ReportScope
from tests.conftest import CONFIG

YEAR = 2025
#: shipped id -> the id an own catalogue gives the same indicator
RENAMED = {"sgb2_u15": "kinderarmut_unter_15", "hze_rate": "erziehungshilfen_je_10000"}


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG)


def _renamed(catalogue: Catalogue) -> Catalogue:
    return Catalogue(
        phases=catalogue.phases,
        indicators=[i.model_copy(update={"id": RENAMED.get(i.id, i.id)}) for i in catalogue.indicators],
    )


def _frames(config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Published cells and trend rows of the child-poverty and HzE indicators, made by hand: three
    Stadtteile (one rising, one falling, one flat) and the city."""
    codes = [s.code for s in config.stadtteile[:3]]
    names = {s.code: s.name for s in config.stadtteile}
    city = config.commune.ags
    cells = [
        {"indicator_id": ind, "year": YEAR, "area_level": level, "area_code": code, "value": value, "symbol": "",
         "numerator": 10.0 * value, "denominator": 1000.0, "ci_lower": value - 2, "ci_upper": value + 2,
         "pooled_from": None}
        for ind in ("sgb2_u15", "hze_rate")
        for level, code, value in [("stadtteil", codes[0], 31.5), ("stadtteil", codes[1], 18.0),
                                   ("stadtteil", codes[2], 24.2), ("stadt", city, 22.1)]
    ]  # fmt: skip
    published = pd.DataFrame(cells).astype({"pooled_from": "Int64"})
    verdicts = {codes[0]: ("rising", 4.1), codes[1]: ("falling", -3.2), codes[2]: ("no_trend", 0.4)}
    trends = pd.DataFrame(
        [
            {"report_year": YEAR, "indicator_id": "sgb2_u15", "area_level": "stadtteil", "area_code": code,
             "area_name": names[code], "verdict_code": verdict, "change": change, "change_ci_low": change - 1.5,
             "change_ci_high": change + 1.5, "precise": True, "first_year": 2010, "last_year": YEAR,
             "assessment_code": ""}
            for code, (verdict, change) in verdicts.items()
        ]
    )  # fmt: skip
    return published, trends


def _scope(config, catalogue: Catalogue, published: pd.DataFrame, trends: pd.DataFrame, **plan) -> ReportScope:
    """The Sozialraumanalyse's scope of YEAR with this catalogue and these tables (no files read)."""
    scope = ReportScope(config=config, year=YEAR, stadtteil=None, kind="sozialraum")
    roles = {r: tuple(catalogue.with_role(r)) for i in catalogue.indicators for r in i.roles}
    base = dataclasses.replace(commune_plan(config), catalogue=catalogue, roles=roles)
    scope.__dict__.update(
        plan=dataclasses.replace(base, **plan), published=published, trends=trends, geometry=None, links={}
    )
    return scope


def _html(items) -> str:
    return "".join(getattr(x, "data", str(x)) for x in items)


def _as_shipped(page: str) -> str:
    for old, new in RENAMED.items():
        page = page.replace(new, old)
    return page


@pytest.fixture(scope="module")
def own_config(config, tmp_path_factory):
    """The config with an own catalogue: the shipped one with the role holders renamed (a file, as a commune
    writes it), so that everything reading the commune's catalogue reads the renamed ids."""
    path = tmp_path_factory.mktemp("katalog") / "indikatoren.yml"
    own = _renamed(commune_plan(config).catalogue)
    path.write_text(yaml.safe_dump(own.model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    return config.model_copy(update={"indicators": config.indicators.model_copy(update={"catalogue": str(path)})})


def _both(config, own_config):
    shipped = commune_plan(config).catalogue
    published, trends = _frames(config)
    rename = {"indicator_id": RENAMED}
    own = _scope(own_config, commune_plan(own_config).catalogue, published.replace(rename), trends.replace(rename))
    return _scope(config, shipped, published, trends), own


def test_the_shipped_catalogue_declares_the_roles_once(config):
    catalogue = commune_plan(config).catalogue
    assert catalogue.with_role(CHILD_POVERTY_ROLE) == ["sgb2_u15"]
    assert catalogue.role(HZE_RATE_ROLE).id == "hze_rate"
    assert catalogue.role("no_such_role") is None


def test_child_poverty_sections_follow_the_role_not_the_id(config, own_config):
    shipped, own = _both(config, own_config)
    for build in (sozialraum.child_poverty_trend_section, lambda s: [sozialraum.child_poverty_map(s)]):
        before, after = _html(build(shipped)), _html(build(own))
        assert "<figure" in before and "sgb2_u15" not in after  # a map was drawn; the old id is nowhere
        assert _as_shipped(after) == before
    sentence = _html(sozialraum.child_poverty_trend_section(shipped)[1:])
    plain = re.sub("<[^>]+>", "", sentence)
    assert plain.startswith("Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften: steigend in ")
    assert "ohne klaren Trend in 1 Stadtteilen" in plain


def test_the_hze_page_matrix_follows_the_hze_rate_role(config, own_config):
    shipped, own = _both(config, own_config)
    before, after = sections.hze_phase_matrix(shipped).data, sections.hze_phase_matrix(own).data
    assert re.search(r"<caption>Lebenslauf-Matrix <span[^>]*>2025</span>: Hilfen zur Erziehung</caption>", before), (
        before[:300]
    )
    assert RENAMED["hze_rate"] in after and _as_shipped(after) == before


def test_start_page_findings_describe_the_role_holder(config, own_config):
    shipped, own = _both(config, own_config)

    def found(scope: ReportScope) -> str:
        ids = scope.catalogue.with_role(CHILD_POVERTY_ROLE)
        return "".join(
            findings.story_findings(
                published=None, trends=scope.trends, need=None, catalogue=scope.catalogue, key_ids=ids,
                areas=list(scope.stadtteil_names.items()), year=YEAR, city_code=scope.city_code,
            )
        )  # fmt: skip

    assert re.sub("<[^>]+>", "", found(shipped)).startswith("Kinderarmut (SGB-II-Quote unter 15) ")
    assert _as_shipped(found(own)) == found(shipped)


def test_without_the_role_holder_the_map_says_why(config, own_config):
    shipped, _ = _both(config, own_config)
    catalogue = Catalogue(
        phases=shipped.catalogue.phases, indicators=[i for i in shipped.catalogue.indicators if i.id != "sgb2_u15"]
    )
    reason = "Quelle „SGB II“ nicht konfiguriert."
    skipped = _scope(config, catalogue, shipped.published, shipped.trends)
    skipped = _scope(
        config, catalogue, shipped.published, shipped.trends, skipped={"sgb2_u15": reason},
        roles={**skipped.plan.roles, CHILD_POVERTY_ROLE: ("sgb2_u15",)},
    )  # fmt: skip
    assert skipped.plan.role_reason(CHILD_POVERTY_ROLE) == reason
    assert reason in sozialraum.child_poverty_map(skipped).data
    assert sozialraum.child_poverty_trend_section(skipped) == []
    none = _scope(config, catalogue, shipped.published, shipped.trends, roles={})
    assert none.plan.role_reason(CHILD_POVERTY_ROLE) == (
        "Der Kennzahlenkatalog nennt keine Kennzahl mit der Rolle „child_poverty“."
    )
