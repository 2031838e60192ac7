"""What the plausibility checks measure per processed table (light: the task generator reads it)."""

#: Per processed table: the count whose yearly total is checked for jumps, and the area column.
MEASURES: dict[str, tuple[str | None, str | None]] = {
    "population_bands": ("persons", "area_code"),
    "sgb2": ("value", "area_code"),
    "unemployment": ("value", "area_code"),
    "kita": ("kita", "stadtteil_code"),
    "transitions": ("pupils", "stadtteil_code"),
    "seu": (None, "stadtteil_code"),
    "hze_year": ("counted", None),
    "hze_expenditure": ("eur", None),
    "welcome_visits": ("births", "stadtteil_code"),
}
