"""The need-vs-supply result in words: one helper for the start page, the city report and the
Sozialraumanalyse, so all three say the same. What was found comes first, then what could not
be checked and why; an all-clear only where every Stadtteil of every phase was checked.
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis.supply import FLAG_CODE, NO_SUPPLY_CODE


def _phase_list(phases) -> str:
    """ "Lebensphase „Kita 3–6“" / "Lebensphasen „Grundschule“ und „Kita 3–6“" (each phase once, in order).

    >>> _phase_list(["Kita 3–6"]), _phase_list(["A", "B", "A", "C"])
    ('Lebensphase „Kita 3–6“', 'Lebensphasen „A“, „B“ und „C“')
    """
    names = [f"„{p}“" for p in dict.fromkeys(phases)]
    if len(names) == 1:
        return f"Lebensphase {names[0]}"
    return "Lebensphasen " + ", ".join(names[:-1]) + " und " + names[-1]


def _by_area(rows: pd.DataFrame) -> str:
    """ "Manfort (Grundschule, weiterführende Schule); Rheindorf (…)": areas by name, phases in order."""
    return "; ".join(
        f"{name} ({', '.join(dict.fromkeys(p['phase']))})" for name, p in rows.groupby("area_name", sort=True)
    )


#: Phase-level reasons why a phase was not checked (``check_code`` of all its rows), as sentences.
PHASE_NOT_CHECKED = {
    "no_need_indicator": "Für die {} liegt kein Bedarfsindikator vor (die SGB-II-Quote der Altersgruppe ist für "
    "keinen Stadtteil veröffentlicht).",
    "no_ages": "Für die {} lassen sich die Altersgruppen aus dem Melderegister nicht bilden (keine Bezugsgröße "
    "für die Plätze).",
    "no_spread": "Für die {} ist der Bedarf in allen Stadtteilen gleich (kein Vergleich möglich).",
    "need_secret": "Für die {} ist der Bedarf in keinem Stadtteil veröffentlicht.",
    "no_residents": "Für die {} sind keine Einwohnerinnen und Einwohner der Altersgruppe gemeldet.",
}
#: Area-level reasons (a phase checked for the other Stadtteile).
AREA_NOT_CHECKED = {
    "need_secret": "Nicht geprüft, weil der Bedarf (SGB-II-Quote der Altersgruppe) nicht veröffentlicht ist: {}.",
    "no_spread": "Nicht geprüft, weil der Bedarf in allen Stadtteilen gleich ist: {}.",
    "no_residents": "Nicht geprüft, weil keine Einwohnerinnen und Einwohner der Altersgruppe gemeldet sind: {}.",
    "no_need_indicator": "Nicht geprüft, weil kein Bedarfsindikator vorliegt: {}.",
    "no_ages": "Nicht geprüft, weil sich die Altersgruppen nicht bilden lassen: {}.",
}
ALL_CLEAR = "In keiner Lebensphase hat ein Stadtteil zugleich hohen Bedarf und kein oder nur ein geringes Angebot."
CHECKED_CLEAR = (
    "Unter den geprüften Stadtteilen und Lebensphasen hat keiner zugleich hohen Bedarf und kein oder nur ein "
    "geringes Angebot."
)
NOT_RUN = "Bedarf und Angebot ließen sich in keiner Lebensphase vergleichen."
NO_SUPPLY = "Hoher Bedarf, aber kein Angebot im Stadtteil: {}."
LOW_COVERAGE = "Hoher Bedarf bei geringer Abdeckung durch Angebote: {}."


def need_check_sentences(need: pd.DataFrame, missing: str = "") -> list[str]:
    """The result of the need-vs-supply check in sentences, the same on every page.

    ``need``: the year's rows of the need-vs-supply table (``flag_code``, ``check_code``,
    ``phase``, ``area_name``); ``missing``: the note when the commune has no services data.
    First what was found (no place, then low coverage), then what could not be checked and why
    (a whole phase, then single Stadtteile). The all-clear (:data:`ALL_CLEAR`) only when every
    Stadtteil of every phase was checked and nothing was found; when nothing was found among the
    rows that could be checked, :data:`CHECKED_CLEAR` before the list of what was not checked;
    when no row could be checked, :data:`NOT_RUN`.
    """
    if missing:
        return [missing + " Bedarf und Angebot lassen sich daher nicht vergleichen."]
    if need.empty:
        return ["Bedarf und Angebot lassen sich nicht vergleichen: Es liegen weder Lebensphasen noch Stadtteile vor."]
    if "phase_rank" in need:
        need = need.sort_values(["phase_rank", "area_name"])
    checks = need["check_code"].fillna("") if "check_code" in need else pd.Series("", index=need.index)
    out = []
    for code, template in ((NO_SUPPLY_CODE, NO_SUPPLY), (FLAG_CODE, LOW_COVERAGE)):
        rows = need[need["flag_code"] == code]
        if not rows.empty:
            out.append(template.format(_by_area(rows)))
    whole: dict[str, list[str]] = {}  # reason -> phases not checked in any Stadtteil for that one reason
    for phase, c in checks.groupby(need["phase"], sort=False):
        if (c != "").all() and c.nunique() == 1:
            whole.setdefault(c.iloc[0], []).append(phase)
    notes = [PHASE_NOT_CHECKED[code].format(_phase_list(phases)) for code, phases in whole.items()]
    skipped = {p for phases in whole.values() for p in phases}
    single = (checks != "") & ~need["phase"].isin(skipped)
    notes += [AREA_NOT_CHECKED[c].format(_by_area(need[single & (checks == c)])) for c in dict.fromkeys(checks[single])]
    if not out:
        out.append(NOT_RUN if (checks != "").all() else CHECKED_CLEAR if notes else ALL_CLEAR)
    return out + notes


def need_summary_text(need: pd.DataFrame, missing: str = "") -> str:
    """:func:`need_check_sentences` as one paragraph (start page, city report, Sozialraumanalyse)."""
    return " ".join(need_check_sentences(need, missing))
