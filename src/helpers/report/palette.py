"""The colours of the site: one meaning per colour, on every chart and map (the single source).

All schemes are colour-blind safe (ColorBrewer): a sequential blue for levels, a diverging
purple–orange for the assessment against the city, greys for the city, comparison communes and
missing data. Wherever a colour carries meaning, a shape, an arrow or a text says the same, so
the charts also read in greyscale print.

>>> len(LEVEL), len(ASSESSMENT), ASSESSMENT["similar"]
(5, 5, '#f7f7f7')
"""

from __future__ import annotations

#: Levels, low to high: darker is higher (maps of values and classes with an order).
LEVEL = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")

#: The assessment against the city (and the direction of a trend): purple favourable, orange unfavourable.
ASSESSMENT = {
    "much_better": "#5e3c99",  # deutlich günstiger
    "better": "#b2abd2",  # günstiger
    "similar": "#f7f7f7",  # ähnlich
    "worse": "#fdb863",  # ungünstiger
    "much_worse": "#e66101",  # deutlich ungünstiger
}
FAVOURABLE, UNFAVOURABLE = ASSESSMENT["much_better"], ASSESSMENT["much_worse"]
#: No trend, or a difference without a favourable direction ("höher", "niedriger").
NEUTRAL = "#969696"
#: No data, not published (geheim): always with a text mark or a hatch.
NO_DATA = "#d9d9d9"

#: The area's own series (the Stadtteil, or the commune on city-wide pages).
OWN = "#08519c"
#: The city as reference: a dashed line or mark.
CITY = "#525252"
CITY_DASH = "5 3"
#: Comparison communes (Vergleichsring).
COMPARISON = "#bdbdbd"
#: An interval band is the series colour at this opacity.
BAND_OPACITY = 0.25

#: Chart furniture (not data): text, muted text, axis, grid lines, light background spans.
INK = "#1a1a1a"
MUTED = "#474747"
AXIS = "#737373"
GRID = "#e0e0e0"
SPAN = "#f0f0f0"
WHITE = "#ffffff"

#: Text in the unfavourable colour: the orange darkened to keep a contrast of 4,5:1 on white (WCAG AA).
UNFAVOURABLE_TEXT = "#b35806"


def css_variables() -> str:
    """The palette as CSS custom properties for the stylesheet's ``:root``: the pages' CSS uses
    ``var(--mon-a-much-worse)`` etc., so charts, maps and tables take their colours from this module alone.

    >>> css_variables().splitlines()[1]
    '  --mon-a-much-better: #5e3c99;'
    """
    names = {f"a-{key.replace('_', '-')}": value for key, value in ASSESSMENT.items()}
    names |= {f"level-{i}": value for i, value in enumerate(LEVEL, start=1)}
    names |= {"neutral": NEUTRAL, "no-data": NO_DATA, "own": OWN, "city": CITY, "text-worse": UNFAVOURABLE_TEXT}
    return ":root {\n" + "".join(f"  --mon-{name}: {value};\n" for name, value in names.items()) + "}"
