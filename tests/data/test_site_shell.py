"""The site shell without a build: footer, glossary, stylesheet and PDF switches, PDF tasks."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from helpers.core.config import load_config
from helpers.core.paths import ProjectPaths
from helpers.pipeline.actions import action_stylesheet
from helpers.pipeline.tasks import default_tasks, generate_tasks
from helpers.site import pages, pdf
from helpers.site.glossary import GLOSSARY
from helpers.site.htmlcheck import masculine_generics, network_references


@pytest.fixture
def config(small_project: Path):
    shutil.copytree(ROOT / "notebooks", small_project / "notebooks")
    return load_config(small_project / "config" / "small.yml")


def _tasks(config) -> dict[str, dict]:
    return {t["basename"] + (f":{t['name']}" if t.get("name") else ""): t for t in generate_tasks(config)}


def test_glossary_page_is_offline_german_and_linked(config):
    html = pages.render_glossary(config)
    paths = ProjectPaths(config)
    assert '<html lang="de">' in html
    assert network_references(html) == []
    assert masculine_generics(html) == []
    for term, anchor, _ in GLOSSARY:
        assert f'<dt id="{anchor}">' in html, term
    for term in ("Konfidenzintervall", "Empirischer Bayes", "Trichterdiagramm", "z-Wert", "Webb"):
        assert term in html
    assert "Mann-Kendall" not in html  # no longer used by any page (trends assume persistent deviations)
    assert 'href="assets/monitoring.css"' in html
    assert f'href="{max(config.report_years)}/methoden.html"' in html
    assert paths.glossary_html in paths.published_pages()
    assert 'href="kennzahlen/index.html">Kennzahlenblatt</a>' in html  # the glossary links the fact sheets


def test_public_footer_names_publisher_licence_and_data_status(config):
    paths = ProjectPaths(config)
    page = paths.report_html("profil", 2025, "wiesdorf")
    shell = pages.shell_context(config, page, [paths.config_file])
    assert shell["publisher"] == "Stadt Leverkusen"
    assert "dl-de/by-2-0" in shell["licence"]
    assert shell["stand"] == "Berichtsjahr 2025"
    assert shell["css_href"] == "../../assets/monitoring.css"
    assert shell["methods_href"] == "../methoden.html"
    assert shell["glossary_href"] == "../../glossar.html"
    assert shell["index_href"] == "../../index.html"


def test_licence_and_publisher_are_config_keys(small_project):
    path = small_project / "config" / "small.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "publication: {publisher: Kreis Beispiel, licence: CC BY 4.0, pdf: false}\n", "utf-8")
    config = load_config(path)
    shell = pages.shell_context(config, ProjectPaths(config).index_html, [path])
    assert (shell["publisher"], shell["licence"], shell["pdf_href"]) == ("Kreis Beispiel", "CC BY 4.0", "")
    assert pdf.pdf_unavailable(config).startswith("abgeschaltet")


def test_untracked_ignored_and_data_files_do_not_make_the_code_version_dirty(tmp_path):
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / ".gitignore").write_text("reports/\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x = 1\n")
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "einwohner_2025.csv").write_text("sample\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "init")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "index.html").write_text("built")
    (tmp_path / "untracked.txt").write_text("new")
    pages.code_version.cache_clear()
    assert "Änderungen" not in pages.code_version(tmp_path)
    (tmp_path / "data" / "raw" / "einwohner_2025.csv").unlink()  # a commune removes the sample: data, not code
    pages.code_version.cache_clear()
    assert "Änderungen" not in pages.code_version(tmp_path)
    (tmp_path / "src" / "a.py").write_text("x = 2\n")
    pages.code_version.cache_clear()
    assert pages.code_version(tmp_path).endswith("(mit lokalen Änderungen)")
    pages.code_version.cache_clear()


def test_pdf_switches(config, monkeypatch):
    monkeypatch.setenv(pdf.PDF_ENV, "0")
    assert "abgeschaltet" in pdf.pdf_unavailable(config)
    monkeypatch.setenv(pdf.PDF_ENV, "1")
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "/nonexistent/chromium")
    assert "kein Chromium" in pdf.pdf_unavailable(config)


def test_without_chromium_the_pdf_tasks_are_left_out_with_a_log_line(config, monkeypatch, capsys):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "/nonexistent/chromium")
    tasks = _tasks(config)
    assert not [n for n in tasks if n.startswith("pdf")]
    assert "pdf" not in default_tasks(config)
    assert "PDF-Dateien werden nicht erstellt: kein Chromium gefunden" in capsys.readouterr().err
    assert tasks["profil:2025-wiesdorf"]["uptodate"][0].config["pdf"] is False


def test_pdf_tasks_follow_the_pages(config, monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("")
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(fake))
    monkeypatch.setenv(pdf.PDF_ENV, "1")
    paths = ProjectPaths(config)
    tasks = _tasks(config)
    pdf_tasks = sorted(n for n in tasks if n.startswith("pdf:"))
    assert pdf_tasks == [
        "pdf:2024-gesamtstadt",
        "pdf:2024-opladen",
        "pdf:2024-wiesdorf",
        "pdf:2025-gesamtstadt",
        "pdf:2025-opladen",
        "pdf:2025-wiesdorf",
    ]
    task = tasks["pdf:2025-wiesdorf"]
    page = paths.report_html("profil", 2025, "wiesdorf")
    assert task["targets"] == [str(page.with_suffix(".pdf"))]
    assert {str(page), str(paths.stylesheet)} <= set(task["file_dep"])
    assert "pdf" in default_tasks(config)
    assert tasks["profil:2025-wiesdorf"]["uptodate"][0].config["pdf"] is True
    assert tasks["hze:2025"]["uptodate"][0].config["pdf"] is False
    assert tasks["stylesheet"]["targets"] == [str(paths.stylesheet)]


def test_stylesheet_is_one_small_offline_file(config):
    action_stylesheet(str(config.config_path))
    css = ProjectPaths(config).stylesheet.read_text(encoding="utf-8")
    assert len(css) < 20_000  # one request of a few kB for every page (the palette, matrix, map and print rules)
    assert css.startswith(
        ":root {\n  --mon-a-much-better: #5e3c99;"
    )  # the palette, written from helpers.report.palette
    assert "/*" not in css
    assert "url(" not in css and "@import" not in css
    assert "@media print" in css and "table-header-group" in css
    assert "max-width: 40rem" in css


def test_every_linked_term_has_a_glossary_entry_and_pages_link_first_uses(config):
    from helpers.site.glossary import SURFACES

    anchors = {anchor for _, anchor, _ in GLOSSARY}
    assert set(SURFACES) <= anchors
    year, paths = max(config.report_years), ProjectPaths(config)
    html = pages.render_methods(config, year, paths.methods_html(year), paths.report_html("gesamtstadt", year))
    linked = re.findall(r'<a class="mon-term" href="\.\./glossar\.html#([^"]+)">', html)
    assert "Konfidenzintervall" in linked and "Trichterdiagramm" in linked
    assert len(linked) == len(set(linked))  # the first use only
    # never inside a heading or a table head
    assert not re.search(r"<(h[1-4]|th)\b[^>]*>[^<]*<a class=\"mon-term\"", html)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_clean_removes_every_build_output_and_keeps_the_readmes(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    outputs = [
        "reports/2025/stadtteile/wiesdorf.html",
        "reports/kennzahlen/sgb2_u15.html",
        "reports/assets/monitoring.css",
        "reports/glossar.html",
        "data/processed/jahre/2025/kennzahlen.parquet",
        "data/processed/kennzahlen/sgb2_u15.parquet",
        "data/processed/herkunft.json",
        "build/checks/datenpruefung.html",
        ".doit.db",
    ]
    for name in [*outputs, "reports/README.md", "data/processed/README.md", "data/raw/kita/2025.csv"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["Makefile", "data/processed/README.md", "data/raw/kita/2025.csv", "reports/README.md"]
