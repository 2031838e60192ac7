"""The city report's summary for the council: one point per analysis, each the note of what is
missing where the commune lacks it. Its own module: it reads the HzE texts, which only the city
report (and the HzE page) import, so the profile's helper closure stays without them."""

from __future__ import annotations

from helpers.report.context import ReportScope
from helpers.report.hze_sections import hze_glance
from helpers.report.need_text import need_summary_text
from helpers.report.sozialraum_sections import index_summary
from helpers.report.trend_sections import trend_summary_text


def council_summary(points: list[str]) -> str:
    """The council summary as a Markdown bullet list (empty points left out).

    >>> council_summary(["Trends: …", "", "Index: …"])
    '- Trends: …\\n- Index: …'
    """
    return "\n".join(f"- {p}" for p in points if p)


def council_points(scope: ReportScope) -> list[str]:
    """The points of the city report's council summary: trends, the social index, need vs supply and
    the HzE (each the note of what is missing where the commune lacks it)."""
    return [
        trend_summary_text(scope.trends, scope.catalogue, scope.city_code, scope.commune),
        index_summary(scope),
        need_summary_text(scope.need, scope.missing("services")),
        hze_glance(scope),
    ]
