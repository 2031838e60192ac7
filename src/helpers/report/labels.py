"""German display labels of the analyses' internal codes: the one place where a code becomes text.

Analysis tables carry codes (``verdict_code``, ``position_code``, ``status_class_code`` …);
pages look the German words up here, so rewording a label never breaks a lookup.
"""

from __future__ import annotations

#: Whom the residents' register counts (``sources.population.population_basis``).
POPULATION_BASIS = {
    "main_residence": "mit Hauptwohnsitz",
    "entitled": "mit Haupt- oder Nebenwohnsitz (wohnberechtigte Bevölkerung)",
}

TREND = {
    "rising": "↗ steigend",
    "falling": "↘ fallend",
    "no_trend": "→ kein klarer Trend",
    "too_short": "zu wenige Jahre für eine Aussage",
    "not_testable": "kein Trendtest möglich (Werte an der Grenze, z. B. immer 0)",
    "uninformative": "keine belastbare Aussage (Schwankungen zu groß)",
}

ASSESSMENT = {"favourable": "günstige Richtung", "unfavourable": "ungünstige Richtung", "": "–"}

POSITION = {
    "above_998": "über 99,8-%-Grenze",
    "above_95": "über 95-%-Grenze",
    "below_998": "unter 99,8-%-Grenze",
    "below_95": "unter 95-%-Grenze",
    "inside": "innerhalb",
}


DYNAMICS_TEXT = {
    "positive": "eine **positive** Dynamik (statistisch erkennbare Verbesserung)",
    "negative": "eine **negative** Dynamik (statistisch erkennbare Verschlechterung)",
    "stable": "keine über den Zufall hinaus erkennbare Veränderung",
}

#: Class names on maps, in legend order (codes not listed are drawn as unclassified).
TREND_MAP = {"falling": "fallend", "no_trend": "kein klarer Trend", "rising": "steigend"}
STATUS_MAP = {"high": "hoch", "medium": "mittel", "low": "niedrig", "very_low": "sehr niedrig"}
DYNAMICS_MAP = {"positive": "positiv", "stable": "stabil", "negative": "negativ"}

#: Class names in tables; unclassified areas show "–".
STATUS = {**STATUS_MAP, "not_classified": "–"}
DYNAMICS = {**DYNAMICS_MAP, "not_classified": "–"}

NOT_CLASSIFIED_REASON = {
    "population_below_min": "weniger als {min_population} Einwohnerinnen und Einwohner",
    "too_few_indicators": (
        "nur für {used} von {total} Indexkennzahlen gibt es einen veröffentlichten, belastbaren Wert, auch über "
        "drei Jahre zusammengefasst; nötig sind mindestens {required}"
    ),
    "suppressed": "ein Indexwert ist geheim gehalten („.“)",
    "small_denominator": "ein Indexwert beruht auf einer zu kleinen Bezugsgröße („( )“)",
    "missing_value": "ein Indexwert fehlt",
    "too_few_areas": "zu wenige Stadtteile für einen Vergleich (mindestens vier)",
}

NEED_FLAG = {
    "high_need_no_supply": "hoher Bedarf, kein Angebot",
    "high_need_low_coverage": "hoher Bedarf, geringe Abdeckung",
    "": "",
}

#: Classes of the need-vs-supply map, in legend order (darkest first): per Stadtteil the number of
#: life phases with high need and no or low coverage, else whether it has high need at all.
NEED_MAP = {
    "3": "3 und mehr",
    "2": "2",
    "1": "1",
    "covered": "0 (hoher Bedarf)",
    "not_high": "0 (kein hoher Bedarf)",
}


#: The one vocabulary of funnel results ("more than chance explains"), by ``funnel_code``;
#: ``{ref}`` is the reference value ("dem Stadtwert", "dem Landeswert").
FUNNEL = {
    "above_chance": "über {ref}, mehr als Zufall erklärt",
    "below_chance": "unter {ref}, mehr als Zufall erklärt",
    "above_usual": "über {ref}, aber im Rahmen der üblichen Unterschiede zwischen {peers}",
    "below_usual": "unter {ref}, aber im Rahmen der üblichen Unterschiede zwischen {peers}",
    "chance": "im Rahmen des Zufalls",
}


def funnel_label(code: str, ref: str = "dem Stadtwert", peers: str = "Stadtteilen") -> str:
    """The German "Einordnung" of a ``funnel_code``.

    >>> funnel_label("above_usual")
    'über dem Stadtwert, aber im Rahmen der üblichen Unterschiede zwischen Stadtteilen'
    >>> funnel_label("below_chance", "dem Landeswert", "Kommunen")
    'unter dem Landeswert, mehr als Zufall erklärt'
    """
    return FUNNEL[code].format(ref=ref, peers=peers)


#: Why the EB column of a funnel table is left out (``eb_display`` codes other than "shown").
EB_OMITTED = {
    "collapsed": "Zwischen den Stadtteilen sind keine Unterschiede über den Zufall hinaus erkennbar; eine Glättung "
    "ergäbe für jeden Stadtteil den städtischen Wert und wird daher nicht gezeigt.",
    "invisible": "Die Unterschiede zwischen den Stadtteilen sind größer als der Zufall; eine Glättung ändert die "
    "Werte nicht sichtbar und wird daher nicht gezeigt.",
}


#: Periods of the within-city DiD.
DID_TERM = {"late": "spät (ab Ende der Wirkungsverzögerung)", "early": "früh (erste Jahre)"}

#: Scenarios of the cost-effect balance.
SCENARIO = {
    "base": "Basis",
    "half_effect": "Effekt nur halb so groß",
    "no_early_cost": "kein früher Mehraufwand",
    "case_cost_minus_25": "Kosten je Fall −25 %",
    "case_cost_plus_25": "Kosten je Fall +25 %",
    "prevention_cost_plus_25": "Präventionskosten +25 %",
    "no_discounting": "ohne Abzinsung",
    "discount_3": "Abzinsung 3 %",
}

#: Columns of the HzE tables and their headers.
HZE_COLUMNS = {
    "counted": "Fälle",
    "bestand_3112": "Bestand 31.12.",
    "ended": "beendet",
    "started": "begonnen",
    "eur": "Ausgaben (€)",
    "eur_per_case": "€ je Fall",
    "eur_per_case_year": "€ je Hilfejahr",
    "duration_months": "Dauer beendeter Hilfen (Monate)",
    "age_at_start": "Alter bei Beginn (Jahre)",
}
