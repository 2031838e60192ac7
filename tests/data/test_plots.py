"""Charts with the real config: source lines name only their own holders; the maps' alt text.

The SVG charts themselves are tested in tests/unit/test_svg_charts.py."""

from __future__ import annotations

import re

import pandas as pd
from conftest import ROOT

from helpers.core.config import SHIPPED_CATALOGUE


def test_indicator_source_line_names_only_its_own_holders():
    from helpers.core.config import load_config
    from helpers.indicators.catalogue import load_catalogue
    from helpers.report.context import indicator_source_line

    config = load_config(ROOT / "config/leverkusen.yml")
    catalogue = load_catalogue(SHIPPED_CATALOGUE)
    line = indicator_source_line(catalogue.get("sgb2_u15"), config)
    assert line == (
        f"Quelle: {config.sources['sgb2'].holder}; {config.sources['population'].holder}; eigene Berechnungen"
    )


def test_class_map_alt_text_lists_every_stadtteil_and_the_highlight():
    from helpers.core.config import load_config
    from helpers.report.sozialraum_sections import class_map

    config = load_config(ROOT / "config/leverkusen.yml")
    first, second = config.stadtteile[0], config.stadtteile[1]
    frame = pd.DataFrame({"area_code": [first.code, second.code], "status_class_code": ["high", "not_classified"]})
    page = class_map(
        frame, "status_class_code", config, title="T", source="Quelle: A", legend_title="Status",
        labels={"high": "hoch", "low": "niedrig"}, what="Statusklasse", year=2025, highlight=second.code,
    ).data  # fmt: skip
    alt = re.search(r'<svg [^>]*aria-label="([^"]*)"', page).group(1)
    assert alt.startswith("Karte der Stadtteile nach Statusklasse 2025.")
    assert f"{first.name}: hoch" in alt and f"{second.name}: keine Einstufung" in alt
    assert alt.count("keine Einstufung") == len(config.stadtteile) - 1  # the rest are unclassified
    assert alt.endswith(f"Hervorgehoben: {second.name}.")
    assert "<img" not in page and "base64" not in page  # the map is inline SVG
    # the highlighted Stadtteil: outlined in black, named in the legend, not linked to itself
    assert 'stroke="#000000" stroke-width="3.5"' in page and f"{second.name} (schwarz umrandet)" in page
