"""Loaders of all non-register sources: good fixtures, and one bad fixture per rule class.

Fixtures are tiny and hand-made (two Stadtteile: 101 Wiesdorf, 201 Opladen). Every bad
fixture asserts that the message names the file, the line, the column and the rule.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import small_config_dict

from helpers.core.config import load_config
from helpers.sources import comparison, hze, kita, prevention, seu, sgb2, transitions
from helpers.sources.validation import RawDataError
from helpers.synth.exports import ba_workbook


@pytest.fixture
def project(tmp_path: Path):
    data = small_config_dict((2024, 2025))
    (tmp_path / "config").mkdir()
    path = tmp_path / "config" / "small.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def raw(config, source: str, year: int | None = None) -> Path:
    pattern = config.sources[source].pattern
    path = config.root / config.paths.raw / (pattern.format(year=year) if year else pattern)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8-sig") -> None:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def error_of(build, config) -> str:
    with pytest.raises(RawDataError) as err:
        build(config)
    return str(err.value)


# --- BA workbooks (SGB II) -------------------------------------------------------------

SGB2_HEADERS = list(sgb2.SGB2_COLUMNS)


def sgb2_book(year: int, rows=None, total=None, month: str | None = None, headers=None) -> bytes:
    rows = rows or [
        ("101", "Wiesdorf", [900, 80, 70, 300, 60, 90, 310, 130]),
        ("201", "Opladen", [700, 60, 50, 220, 40, 70, 240, 100]),
    ]
    unassigned = [3, 0, 0, 1, 0, 0, 1, 0]
    total = total or [sum(r[2][i] for r in rows) + unassigned[i] for i in range(8)]
    return ba_workbook(
        "Titel",
        "Untertitel",
        month or f"Dezember {year}",
        "Personen",
        headers or SGB2_HEADERS,
        rows,
        unassigned,
        total,
        ["Fußnote"],
    )


def write_sgb2(config, **changes):
    for year in (2024, 2025):
        raw(config, "sgb2", year).write_bytes(sgb2_book(year, **(changes if year == 2025 else {})))


def test_sgb2_good_workbook_keeps_stars_as_suppressed(project):
    rows = [
        ("101", "Wiesdorf", [900, 8, 70, 300, 60, 90, 310, 130]),
        ("201", "Opladen", [700, 60, 50, 220, 40, 70, 240, 100]),
    ]
    write_sgb2(project, rows=rows)
    frame = sgb2.build_sgb2(project)["sgb2"]
    cell = frame[(frame.year == 2025) & (frame.area_code == "101") & (frame.measure == "pers_bg_u3")].iloc[0]
    assert cell["is_suppressed"] and cell["value"] is not None and str(cell["value"]) == "<NA>"
    unassigned = frame[
        (frame.year == 2025) & (frame.area_level == "ohne_zuordnung") & (frame.measure == "pers_bg_u3")
    ].iloc[0]
    assert unassigned["is_suppressed"] == False  # 0 stays 0, it is not starred  # noqa: E712
    total = frame[(frame.year == 2025) & (frame.area_level == "stadt") & (frame.measure == "pers_bg_total")].iloc[0]
    assert total["value"] == 1603
    assert set(frame.area_level) == {"stadtteil", "ohne_zuordnung", "stadt"}


def test_sgb2_missing_column(project):
    write_sgb2(project, headers=[*SGB2_HEADERS[:-1], "BG Alleinerziehende"])
    msg = error_of(sgb2.build_sgb2, project)
    assert (
        "SGBII_Gebietsgliederung_2025-12.xlsx" in msg
        and "Spalte 'BG von Alleinerziehenden': Pflichtspalte fehlt" in msg
    )


def test_sgb2_wrong_type_unknown_stadtteil_and_negative_count(project):
    rows = [
        ("101", "Wiesdorf", [900, "viele", 70, 300, 60, 90, 310, 130]),
        ("999", "Nirgendwo", [1, 1, 1, 1, 1, 1, 1, 1]),
        ("201", "Opladen", [700, 60, 50, -220, 40, 70, 240, 100]),
    ]
    write_sgb2(project, rows=rows, total=[1600] * 8)
    msg = error_of(sgb2.build_sgb2, project)
    assert "Zeile 7, Spalte 'unter 3 Jahre': ganze Zahl oder '*' erwartet" in msg
    assert "Zeile 8, Spalte 'Stadtteil-Nr.': Stadtteil-Nr. unbekannt" in msg and "'999'" in msg
    assert "Zeile 9, Spalte '6 bis unter 15 Jahre': Anzahl darf nicht negativ sein" in msg


def test_sgb2_numerator_above_denominator(project):
    rows = [
        ("101", "Wiesdorf", [900, 80, 70, 300, 60, 90, 110, 130]),
        ("201", "Opladen", [700, 60, 50, 220, 40, 70, 240, 100]),
    ]
    write_sgb2(project, rows=rows)
    msg = error_of(sgb2.build_sgb2, project)
    assert (
        "Zeile 7, Spalte 'BG von Alleinerziehenden': größer als 'BG mit Kindern unter 18 Jahren' (110) (Wert: '130')"
        in msg
    )


def test_sgb2_duplicate_stadtteil_and_wrong_month(project):
    rows = [
        ("101", "Wiesdorf", [900, 80, 70, 300, 60, 90, 310, 130]),
        ("101", "Wiesdorf", [900, 80, 70, 300, 60, 90, 310, 130]),
        ("201", "Opladen", [700, 60, 50, 220, 40, 70, 240, 100]),
    ]
    write_sgb2(project, rows=rows, month="Juni 2025")
    msg = error_of(sgb2.build_sgb2, project)
    assert "Stadtteil doppelt" in msg and "Zeile 8" in msg
    assert "Berichtsmonat muss Dezember 2025 sein" in msg


def test_sgb2_missing_stadtteil_and_sum_above_total(project):
    rows = [("101", "Wiesdorf", [900, 80, 70, 300, 60, 90, 310, 130])]
    write_sgb2(project, rows=rows, total=[100] * 8)
    msg = error_of(sgb2.build_sgb2, project)
    assert "Stadtteile fehlen (Wert: '201')" in msg
    assert "Summe der Stadtteile größer als 'Insgesamt'" in msg


def test_sgb2_real_quirk_number_as_text_with_thousands_dot(project):
    write_sgb2(project)
    path = raw(project, "sgb2", 2025)
    wb = openpyxl.load_workbook(path)
    wb.active["C7"] = "1.000"  # some exports write numbers as text
    wb.active["C10"] = 1703
    wb.save(path)
    frame = sgb2.build_sgb2(project)["sgb2"]
    assert (
        frame[(frame.year == 2025) & (frame.area_code == "101") & (frame.measure == "pers_bg_total")]["value"].iloc[0]
        == 1000
    )


# --- CSV sources ------------------------------------------------------------------------


def write_kita(config, extra: list[str] | None = None, header: str | None = None):
    head = header or "Stichtag;Stadtteil-Nr;Stadtteil;Altersgruppe;Kindertageseinrichtung;Kindertagespflege"
    for year in (2024, 2025):
        lines = [
            head,
            f"01.03.{year};101;Wiesdorf;unter 1;5;1",
            f"01.03.{year};101;Wiesdorf;1 bis unter 3;1.118;48",
            f"01.03.{year};201;Opladen;3 bis unter 6;600;12",
        ]
        write_csv(raw(config, "kita", year), lines + (extra or [] if year == 2025 else []))


def test_kita_good_and_bad(project):
    write_kita(project)
    out = kita.build_kita(project)["kita"]
    assert out["kita"].sum() == 2 * (5 + 1118 + 600) and set(out["age_group"]) == {
        "u1",
        "1_u3",
        "3_u6",
    }
    write_kita(
        project,
        [
            "01.03.2025;101;Wiesdorf;1 bis unter 3;3;1",
            "01.03.2025;102;Manfort;unter 1;-1;0",
            "01.03.2024;201;Opladen;unter 1;1;0",
        ],
    )
    msg = error_of(kita.build_kita, project)
    assert "Kindertagesbetreuung_2025-03-01.csv" in msg
    assert "Zeile 5" in msg and "Schlüssel doppelt" in msg
    assert "Zeile 6, Spalte 'Stadtteil-Nr': Stadtteil-Nr. unbekannt" in msg
    assert "Zeile 6, Spalte 'Kindertageseinrichtung': Anzahl darf nicht negativ sein" in msg
    assert "Zeile 7, Spalte 'Stichtag': Stichtag muss der 01.03.2025 sein" in msg


def test_transitions_wrong_school_year_and_type(project):
    for year in (2024, 2025):
        label = f"{year}/{(year + 1) % 100:02d}"
        write_csv(
            raw(project, "transitions", year),
            [
                "Schuljahr;Stadtteil-Nr;Stadtteil;Schulform;Anzahl",
                f"{label};101;Wiesdorf;Gymnasium;40",
                f"{label};101;Wiesdorf;Gesamtschule;50",
            ],
        )
    assert transitions.build_transitions(project)["transitions"]["pupils"].sum() == 180
    write_csv(
        raw(project, "transitions", 2025),
        [
            "Schuljahr;Stadtteil-Nr;Stadtteil;Schulform;Anzahl",
            "2024/25;101;Wiesdorf;Gymnasium;40",
            "2025/26;101;Wiesdorf;Waldorf;3",
        ],
    )
    msg = error_of(transitions.build_transitions, project)
    assert "Zeile 2, Spalte 'Schuljahr': Schuljahr muss 2025/26 sein" in msg
    assert "Zeile 3, Spalte 'Schulform': Schulform muss" in msg


SEU_HEAD = "Pseudonym;Einschulungsjahr;Stadtteil-Nr;Geschlecht;Kita-Besuchsdauer (Monate);U8/U9 dokumentiert;Masern 2 Impfungen;BMI-Klasse;Deutschkenntnisse;Körperkoordination;Visuomotorik;Selektive Aufmerksamkeit;Zahlen- und Mengenvorwissen;Sprache;Familiensprache"


def seu_line(pid: str, year: int, **kw) -> str:
    values = {
        "code": "101",
        "sex": "w",
        "months": "40",
        "u": "ja",
        "bmi": "normal",
        "lang": "auffällig",
    } | kw
    return f"{pid};{year};{values['code']};{values['sex']};{values['months']};{values['u']};ja;{values['bmi']};fehlerfrei/flüssig;unauffällig;unauffällig;grenzwertig;unauffällig;{values['lang']};deutsch"


def test_seu_good_drops_pseudonyms_and_reads_windows_1252(project):
    for year in (2024, 2025):
        write_csv(
            raw(project, "seu", year),
            [
                SEU_HEAD,
                seu_line("SEU-1", year),
                seu_line("SEU-2", year, bmi="übergewichtig", u="nein"),
            ],
            "cp1252",
        )
    out = seu.build_seu(project)["seu"]
    assert "pseudonym" not in out.columns and len(out) == 4
    assert set(out["bmi_class"]) == {"normal", "übergewichtig"}
    assert out["u8u9_documented"].sum() == 2 and (out["language"] == "auffällig").all()


def test_seu_bad_records(project):
    write_csv(raw(project, "seu", 2024), [SEU_HEAD, seu_line("SEU-1", 2024)], "cp1252")
    lines = [
        SEU_HEAD,
        seu_line("SEU-1", 2025),
        seu_line("SEU-1", 2025),
        seu_line("SEU-3", 2024),
        seu_line("SEU-4", 2025, months="-3", bmi="dick", u="vielleicht"),
    ]
    write_csv(raw(project, "seu", 2025), lines, "cp1252")
    msg = error_of(seu.build_seu, project)
    assert "SEU_Einschulungsjahrgang_2025.csv" in msg
    assert "Spalte 'Pseudonym': Schlüssel doppelt" in msg
    assert "Zeile 4, Spalte 'Einschulungsjahr': Einschulungsjahr muss 2025 sein" in msg
    assert (
        "Zeile 5, Spalte 'Kita-Besuchsdauer (Monate)': Kita-Besuchsdauer muss zwischen 0 und 84 Monaten liegen" in msg
    )
    assert "Zeile 5, Spalte 'BMI-Klasse'" in msg and "Zeile 5, Spalte 'U8/U9 dokumentiert'" in msg


def test_seu_wrong_encoding_is_not_silently_accepted(project):
    write_csv(raw(project, "seu", 2024), [SEU_HEAD, seu_line("SEU-1", 2024)], "cp1252")
    # UTF-8 bytes read back as Windows-1252 ("Ã¼" for "ü") break the allowed values.
    mangled = seu_line("SEU-2", 2025, bmi="übergewichtig").encode("utf-8").decode("cp1252")
    write_csv(raw(project, "seu", 2025), [SEU_HEAD, mangled], "utf-8")
    msg = error_of(seu.build_seu, project)
    assert "Spalte 'BMI-Klasse': BMI-Klasse muss" in msg and "Ã¼bergewichtig" in msg


CASE_HEAD = "Fall-ID;Stadtteil-Nr;Rechtsgrundlage;Hilfebeginn;Hilfeende;Alter bei Hilfebeginn;Geschlecht"


def test_hze_cases_good_and_yearly_counts_by_hand(project):
    lines = [
        CASE_HEAD,
        "HZ-1;101;§ 31 SGB VIII;15.03.2023;30.06.2024;7;m",  # ended 2024
        "HZ-2;101;§ 34 SGB VIII;01.11.2024;;14;w",  # ongoing
        "HZ-3;201;§ 27 Abs. 2 SGB VIII;02.02.2025;31.12.2025;9;m",  # ends on 31.12.
        "HZ-4;201;§ 35a SGB VIII;01.01.2020;31.12.2023;10;m",
    ]  # ended before 2024
    write_csv(raw(project, "hze_cases"), lines, "cp1252")
    out = hze.build_hze_cases(project)
    assert "case_id" not in out["hze_cases"].columns and len(out["hze_cases"]) == 4
    year = out["hze_year"].set_index(["year", "stadtteil_code", "basis"])
    assert year.loc[(2024, "101", "31"), ["counted", "bestand_3112", "ended", "started"]].tolist() == [1, 0, 1, 0]
    assert year.loc[(2024, "101", "34"), ["counted", "bestand_3112", "started", "case_days"]].tolist() == [1, 1, 1, 61]
    assert year.loc[(2025, "201", "27(2)"), ["counted", "bestand_3112", "ended"]].tolist() == [
        1,
        0,
        1,
    ]
    assert (2024, "201", "35a") not in year.index
    assert year.loc[(2024, "101", "31"), "ended_months"] == pytest.approx((366 + 107) / 30.4375)


def test_hze_cases_bad(project):
    lines = [
        CASE_HEAD,
        "HZ-1;101;§ 31 SGB VIII;15.03.2023;30.06.2022;7;m",
        "HZ-1;101;§ 99 SGB VIII;2023-01-01;;30;x",
    ]
    write_csv(raw(project, "hze_cases"), lines, "cp1252")
    msg = error_of(hze.build_hze_cases, project)
    assert "Zeile 3, Spalte 'Hilfebeginn': Datum TT.MM.JJJJ erwartet (Wert: '2023-01-01')" in msg
    write_csv(
        raw(project, "hze_cases"),
        [
            CASE_HEAD,
            "HZ-1;101;§ 31 SGB VIII;15.03.2023;30.06.2022;7;m",
            "HZ-1;101;§ 99 SGB VIII;01.01.2023;;30;x",
        ],
        "cp1252",
    )
    msg = error_of(hze.build_hze_cases, project)
    assert "Hilfeende liegt vor dem Hilfebeginn" in msg and "Zeile 2" in msg
    assert "Spalte 'Fall-ID': Schlüssel doppelt" in msg
    assert "Zeile 3, Spalte 'Rechtsgrundlage': Rechtsgrundlage muss eine von" in msg and "'99'" in msg
    assert "Zeile 3, Spalte 'Alter bei Hilfebeginn'" in msg and "Zeile 3, Spalte 'Geschlecht'" in msg


def test_hze_expenditure_german_decimals_and_duplicates(project):
    head = "Haushaltsjahr;Produkt;Rechtsgrundlage;Aufwand (EUR)"
    write_csv(
        raw(project, "hze_expenditure"),
        [head, "2025;06.03;§ 34 SGB VIII;1.234.567,89", "2025;06.03;§ 31 SGB VIII;12,5"],
        "cp1252",
    )
    out = hze.build_hze_expenditure(project)["hze_expenditure"]
    assert out.set_index("basis").loc["34", "eur"] == pytest.approx(1234567.89)
    assert out.set_index("basis").loc["34", "setting"] == "stationär"
    write_csv(
        raw(project, "hze_expenditure"),
        [
            head,
            "2025;06.03;§ 34 SGB VIII;-5,00",
            "2025;06.03;§ 34 SGB VIII;1,00",
            "2025;06.03;§ 31 SGB VIII;1,2,3",
        ],
        "cp1252",
    )
    msg = error_of(hze.build_hze_expenditure, project)
    assert "Zeile 2, Spalte 'Aufwand (EUR)': Aufwand darf nicht negativ sein" in msg
    assert "Zeile 4, Spalte 'Aufwand (EUR)': Zahl erwartet (Wert: '1,2,3')" in msg


def test_services_and_visits(project):
    head = "Angebot;Typ;Lebensphasen;Stadtteil-Nr;Beginn;Ende;Jahreskosten (EUR);Kapazität"
    write_csv(
        raw(project, "services"),
        [
            head,
            "Elterncafé;Elterncafé;Frühe Kindheit 0–3 | Kita 3–6;101;2017;;18.000,00;40",
            "Koordination;Koordination;Grundschule;;2017;2020;85.000,00;0",
        ],
    )
    out = prevention.build_services(project)["services"]
    assert out["cost_eur"].sum() == 103000 and out.set_index("name").loc["Koordination", "stadtteil_code"] == ""
    write_csv(raw(project, "services"), [head, "A;Elterncafé;Kita 3–6 | Mondphase;101;2017;2015;1,00;-4"])
    msg = error_of(prevention.build_services, project)
    assert (
        "Lebensphasen müssen aus" in msg
        and "Ende liegt vor dem Beginn" in msg
        and "Kapazität darf nicht negativ sein" in msg
    )
    vhead = "Jahr;Stadtteil-Nr;Stadtteil;Geburten;Besuchte Familien"
    write_csv(
        raw(project, "welcome_visits"),
        [vhead, "2025;101;Wiesdorf;150;90", "2025;201;Opladen;100;120", "1880;201;Opladen;1;0"],
    )
    msg = error_of(prevention.build_welcome_visits, project)
    assert "Zeile 3" in msg and "Besuchte Familien größer als Geburten" in msg
    assert "Zeile 4, Spalte 'Jahr': Jahr unplausibel (1990–2100)" in msg  # later years are left out, not errors


def test_comparison_panel(project):
    head = "AGS;Jugendamt;Jahr;Einwohner unter 21;HzE-Fälle;HzE-Ausgaben (EUR);SGB-II-Quote u15 (%);Beitritt Präventionsprogramm"
    write_csv(
        raw(project, "comparison"),
        [
            head,
            "05111000;Düsseldorf;2025;120000;4000;80.000.000,00;21,5;",
            "05913000;Dortmund;2025;122000;4200;81.000.000,00;30,1;2012",
        ],
    )
    out = comparison.build_comparison(project)["comparison"]
    assert out.set_index("name").loc["Dortmund", "joined"] == 2012 and out["joined"].isna().sum() == 1
    write_csv(
        raw(project, "comparison"),
        [
            head,
            "5111000;Düsseldorf;2025;120;4000;1,00;121,5;",
            "05111000;Düsseldorf;2025;120;1;1,00;21,5;",
        ],
    )
    msg = error_of(comparison.build_comparison, project)
    assert "Zeile 2, Spalte 'AGS': AGS muss 8 Ziffern haben" in msg
    assert "HzE-Fälle größer als Einwohner unter 21" in msg and "Quote muss zwischen 0 und 100 liegen" in msg


def test_missing_file_is_named(project):
    msg = error_of(hze.build_hze_expenditure, project)
    assert "hze/HzE_Aufwand_Haushalt.csv: Datei fehlt" in msg
