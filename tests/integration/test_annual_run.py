"""The annual run, end to end in a temporary copy: add a year, refuse incomplete or empty
sources before anything is written, and publish exactly the current report window.

The sample is generated for 2023–2024 and built (report window 2023–2024); then
``doit generate_sample next_year=1`` adds 2025 without touching the earlier per-year files, and
the city raises ``years.data.last`` as the README's annual run says.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import copy_code, copy_config_files, doit, executed_tasks, small_config_dict

pytestmark = pytest.mark.integration


def write_config(root: Path, years: tuple[int, int]) -> None:
    config = small_config_dict(years)
    (root / "config" / "small.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: Per-year raw files of 2023–2024 before and after the generator added 2025: name -> (before, after)
EARLIER: dict[str, tuple[str, str]] = {}


def per_year_files(root: Path, years: tuple[int, ...]) -> list[Path]:
    raw = root / "data" / "raw"
    return sorted(p for p in raw.rglob("*") if p.is_file() and any(str(y) in p.name for y in years))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("jahreslauf")
    copy_code(root)
    copy_config_files(root / "config", {"101", "201"})
    write_config(root, (2023, 2024))
    generated = doit(root, "generate_sample")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    first = doit(root, "-n", "2")
    assert first.returncode == 0, first.stdout + first.stderr
    assert (root / "reports" / "2023" / "gesamtstadt.html").is_file()
    before = {p.name: digest(p) for p in per_year_files(root, (2023, 2024))}
    added = doit(root, "generate_sample", "next_year=1")
    assert added.returncode == 0, added.stdout + added.stderr
    EARLIER.update({p.name: (before[p.name], digest(p)) for p in per_year_files(root, (2023, 2024))})
    return root


def test_the_generator_adds_a_year_without_rewriting_earlier_per_year_files(project):
    raw = project / "data" / "raw"
    assert len(EARLIER) >= 12 and all(old == new for old, new in EARLIER.values())
    assert (raw / "einwohner" / "EWO_Bestand_2025-12-31.csv").is_file()
    assert (raw / "kita" / "Kindertagesbetreuung_2025-03-01.csv").is_file()
    budget = (raw / "hze" / "HzE_Aufwand_Haushalt.csv").read_bytes()
    assert any(line.startswith(b"2025;") for line in budget.splitlines())
    marker = json.loads((raw / "SYNTHETIC.json").read_text(encoding="utf-8"))
    assert marker["files"]["einwohner/EWO_Bestand_2025-12-31.csv"] == digest(
        raw / "einwohner/EWO_Bestand_2025-12-31.csv"
    )
    for path in per_year_files(project, (2023, 2024)):
        assert marker["files"][path.relative_to(raw).as_posix()] == digest(path)


def test_a_header_only_case_list_fails_and_writes_nothing(project):
    cases = project / "data" / "raw" / "hze" / "HzE_Fallliste.csv"
    processed = project / "data" / "processed" / "hze_faelle.parquet"
    original, before = cases.read_bytes(), digest(processed)
    try:
        cases.write_bytes(original.splitlines(keepends=True)[0])
        result = doit(project, "process:hze_cases")
        assert result.returncode != 0
        assert "enthält keine Datenzeilen" in result.stdout + result.stderr
        assert digest(processed) == before
    finally:
        cases.write_bytes(original)


def test_a_year_missing_in_an_all_years_file_fails_before_writing(project):
    write_config(project, (2023, 2025))
    budget = project / "data" / "raw" / "hze" / "HzE_Aufwand_Haushalt.csv"
    original = budget.read_bytes()
    try:
        lines = original.splitlines(keepends=True)
        budget.write_bytes(b"".join(line for line in lines if not line.startswith(b"2025;")))
        result = doit(project, "-n", "2")
        out = result.stdout + result.stderr
        assert result.returncode != 0
        assert "Datenjahr 2025 fehlt" in out and "HzE_Aufwand_Haushalt.csv" in out
        assert not (project / "reports" / "2025").exists()
    finally:
        budget.write_bytes(original)


def test_adding_a_year_moves_the_report_window_and_removes_stale_pages(project):
    write_config(project, (2023, 2025))
    result = doit(project, "-n", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    reports = project / "reports"
    assert (reports / "2025" / "gesamtstadt.html").is_file()
    assert (reports / "2024" / "stadtteile" / "wiesdorf.html").is_file()
    assert not (reports / "2023").exists()  # left the report window (report_count 2)
    assert "entfernt (nicht mehr konfiguriert): reports/2023/" in result.stdout
    assert "2023/" not in (reports / "index.html").read_text(encoding="utf-8")
    assert (project / "build" / "checks" / "datenpruefung.html").is_file()
    again = doit(project, "-n", "2")
    assert again.returncode == 0 and "Fertig: 0 ausgeführt" in again.stdout


def change_one_kita_count(root: Path, year: int) -> None:
    """Add one child to the largest count of a year's Kita file, as a corrected export would; the
    generator's marker keeps listing the file (the data stay synthetic, so no banner changes)."""
    raw = root / "data" / "raw"
    kita = raw / "kita" / f"Kindertagesbetreuung_{year}-03-01.csv"
    lines = kita.read_bytes().splitlines(keepends=True)
    row = max(range(1, len(lines)), key=lambda i: int(lines[i].rstrip().rpartition(b";")[2]))
    head, _, last = lines[row].rstrip().rpartition(b";")
    lines[row] = head + b";" + str(int(last) + 1).encode() + b"\r\n"
    kita.write_bytes(b"".join(lines))
    marker = json.loads((raw / "SYNTHETIC.json").read_text(encoding="utf-8"))
    marker["files"][f"kita/{kita.name}"] = digest(kita)
    (raw / "SYNTHETIC.json").write_text(json.dumps(marker, indent=2), encoding="utf-8")


def outputs(root: Path) -> dict[str, str]:
    """Digest of every published file and every processed table (with the per-year slices)."""
    files = [*(root / "reports").rglob("*"), *(root / "data" / "processed").rglob("*")]
    return {p.relative_to(root).as_posix(): digest(p) for p in files if p.is_file() and p.name != "README.md"}


def test_one_changed_kita_count_reruns_only_what_it_changes(project, tmp_path):
    """A corrected count in the newest Kita file re-runs the Kita indicators, the suppression and
    the pages of that report year that show them; no page of the earlier report year, not the
    HzE analysis and its page; and the result is byte for byte a clean build of the new data."""
    write_config(project, (2023, 2025))
    assert doit(project, "-n", "2").returncode == 0
    raw = project / "data" / "raw"
    kita, marker = raw / "kita" / "Kindertagesbetreuung_2025-03-01.csv", raw / "SYNTHETIC.json"
    originals = {kita: kita.read_bytes(), marker: marker.read_bytes()}
    try:
        change_one_kita_count(project, 2025)
        result = doit(project, "-n", "2")
        assert result.returncode == 0, result.stdout + result.stderr
        ran = executed_tasks(result)
        assert {"process:kita", "kennzahlen:kita", "indicators", "jahresauszug:indicators"} <= set(ran)
        assert not [t for t in ran if t.startswith("kennzahlen:") and t != "kennzahlen:kita"]
        assert not [t for t in ran if t.startswith("process:") and t != "process:kita"]
        assert "hze_analyse" not in ran and "hze:2025" not in ran
        assert "profil:2025-wiesdorf" in ran  # the page shows the Kita indicators of 2025
        assert not [t for t in ran if "2024" in t]  # the earlier report year: no page, no PDF
        assert not [t for t in ran if t.startswith("methoden:")]
        clean = tmp_path / "neu"
        copy_code(clean)
        shutil.copytree(project / "config", clean / "config")
        shutil.copytree(raw, clean / "data" / "raw")
        built = doit(clean, "-n", "2")
        assert built.returncode == 0, built.stdout + built.stderr
        assert outputs(project) == outputs(clean)
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
