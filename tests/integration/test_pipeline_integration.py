"""The real doit pipeline, end to end, in a temporary copy on a 2-years x 2-Stadtteile config.

One module-scoped build is shared by the checks; each later test changes the copy and runs
doit again, in the order a statistics office would meet these situations.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from conftest import copy_code, copy_config_files, doit, executed_tasks, small_config_dict

from helpers.report.profile import anchor
from helpers.site.htmlcheck import masculine_generics, network_references
from helpers.site.pdf import LAUNCH_ARGS, words_broken_without_hyphen

pytestmark = pytest.mark.integration

YEARS = (2024, 2025)
SLUGS = ("wiesdorf", "opladen")
#: Kennzahlenblätter: one per indicator of the catalogue (the small config has every source) and the overview.
FACTSHEETS = 34 + 1


def status(project: Path) -> dict[str, str]:
    """Run ('R') or up-to-date ('U') per task; group tasks and the generator left out."""
    result = doit(project, "list", "--all", "--status")
    assert result.returncode == 0, result.stderr
    out = {}
    for line in result.stdout.splitlines():
        flag, name = line.split()[:2]
        if ":" in name or name == "index":
            out[name] = flag
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("projekt")
    copy_code(root)
    copy_config_files(root / "config", {"101", "201"})
    config = small_config_dict(YEARS)
    (root / "config" / "small.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    generated = doit(root, "generate_sample")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    first = doit(root, "-n", "2")
    assert first.returncode == 0, first.stdout + first.stderr
    return root


def pages(project: Path) -> list[Path]:
    return sorted((project / "reports").rglob("*.html"))


def test_every_report_is_built(project):
    for year in YEARS:
        for slug in SLUGS:
            assert (project / "reports" / str(year) / "stadtteile" / f"{slug}.html").is_file()
            assert (project / "build" / "executed" / str(year) / f"profil_{slug}.ipynb").is_file()
        assert (project / "reports" / str(year) / "gesamtstadt.html").is_file()
    index = (project / "reports" / "index.html").read_text(encoding="utf-8")
    for year in YEARS:
        for slug in SLUGS:
            assert f'href="{year}/stadtteile/{slug}.html"' in index
    assert len(pages(project)) == len(YEARS) * (len(SLUGS) + 4) + 2 + FACTSHEETS  # + index, glossary, fact sheets
    processed = pd.read_csv(project / "data/processed/bevoelkerung_altersgruppen.csv", sep=";", decimal=",")
    assert set(processed["area_level"]) == {"stadtteil", "stadtbezirk", "stadt"}


def test_executed_notebooks_have_no_errors(project):
    for path in (project / "build" / "executed").rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", path
                assert output.get("name") != "stderr", (path, output.get("text"))


def test_pages_are_offline_german_and_labelled(project):
    for page in pages(project):
        html = page.read_text(encoding="utf-8")
        assert network_references(html) == [], page
        assert '<html lang="de">' in html, page
        assert "Synthetische Beispieldaten" in html, page
        assert "Prüfsumme der Eingangsdaten" in html, page
        assert "Traceback" not in html and "Warning" not in html, page
        assert masculine_generics(html) == [], page  # gender-inclusive wording
        assert page.stat().st_size < 3_000_000, page  # modest size (say why if a page must be larger)
        body = html[html.index("<body") :]
        assert "jp-CodeMirrorEditor" not in body and "import " not in body, page  # no code
        for cdn in ("require.js", "require.min.js", "MathJax", "mermaid"):
            assert cdn not in html, (page, cdn)
        toc = re.search(r'<nav class="mon-toc".*?</nav>', html, re.S)
        if toc:  # every entry is one short heading text that links to an h2 of the page
            for target, text in re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', toc.group(0)):
                assert f'<h2 id="{target}"' in html and 0 < len(text) < 80, (page, target, text)
            assert toc.group(0).count("<li>") == len(re.findall(r'<li><a href="#', toc.group(0))), page
    profile = (project / "reports/2025/stadtteile/wiesdorf.html").read_text(encoding="utf-8")
    assert "<title>Stadtteilprofil Wiesdorf 2025 – Leverkusen</title>" in profile
    assert "Bevölkerung" in profile and "Steckbrief" in profile and "Entwicklung der wichtigsten Kennzahlen" in profile
    assert 'aria-label="Balkendiagramm' in profile  # the chart's accessible name (inline SVG)


def test_second_run_does_nothing(project):
    again = doit(project)
    assert again.returncode == 0
    assert executed_tasks(again) == []


def test_touching_a_helper_reruns_exactly_its_reports(project):
    plots = project / "src" / "helpers" / "report" / "plots.py"
    original = plots.read_text(encoding="utf-8")
    plots.write_text(original + "\n# changed\n", encoding="utf-8")
    try:
        stale = {name for name, flag in status(project).items() if flag == "R"}
    finally:
        plots.write_text(original, encoding="utf-8")
    expected = {f"profil:{y}-{s}" for y in YEARS for s in SLUGS}
    expected |= {f"{kind}:{y}" for y in YEARS for kind in ("gesamtstadt", "hze")}
    # the Sozialraumanalyse and the fact sheets draw no chart of plots.py (their maps are report.geometry's SVG)
    assert stale == expected


def test_touching_a_raw_file_reruns_its_processing(project):
    raw = project / "data/raw/einwohner/EWO_Bestand_2025-12-31.csv"
    original = raw.read_bytes()
    os.utime(raw)  # a touch without a content change is not a change
    assert status(project)["process:population"] == "U"
    raw.write_bytes(original + b"\r\n")
    try:
        stale = {name for name, flag in status(project).items() if flag == "R"}
    finally:
        raw.write_bytes(original)
    assert stale == {"process:population"}


def test_failing_notebook_names_where_to_look(project):
    notebook = project / "notebooks" / "stadtteil_profil.py"
    page = project / "reports/2025/stadtteile/wiesdorf.html"
    before = page.read_bytes()
    original = notebook.read_text(encoding="utf-8")
    notebook.write_text(original + '\n# %%\nraise ValueError("Testfehler im Profil")\n', "utf-8")
    try:
        failed = doit(project, "profil:2025-wiesdorf")
    finally:
        notebook.write_text(original, encoding="utf-8")
    message = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "stadtteil_profil.py" in message
    assert "year=2025" in message and "stadtteil='wiesdorf'" in message
    assert "failing cell" in message and "ValueError: Testfehler im Profil" in message
    failed_nb = project / "build/executed/2025/profil_wiesdorf.failed.ipynb"
    assert str(failed_nb) in message
    assert "Testfehler im Profil" in failed_nb.read_text(encoding="utf-8")
    assert page.read_bytes() == before  # the published page stays intact
    resumed = doit(project)  # notebook restored: the next run rebuilds just that report
    assert resumed.returncode == 0
    assert executed_tasks(resumed) == ["profil:2025-wiesdorf"]
    assert not failed_nb.exists()


def test_bad_raw_file_fails_without_touching_outputs(project):
    raw = project / "data/raw/einwohner/EWO_Bestand_2024-12-31.csv"
    processed = project / "data/processed/bevoelkerung_kennzahlen.parquet"
    before = processed.read_bytes()
    original = raw.read_bytes()
    raw.write_bytes(original.replace(b";101;Wiesdorf;5;m;deutsch;", b";999;Wiesdorf;5;m;deutsch;"))
    try:
        result = doit(project, "process")
    finally:
        raw.write_bytes(original)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "EWO_Bestand_2024-12-31.csv" in message and "Stadtteil-Nr. unbekannt" in message
    assert "Zeile" in message and "'999'" in message
    assert processed.read_bytes() == before


def test_killed_build_leaves_no_partial_file_and_resumes(project):
    for folder in ("reports", "data/processed", "build/executed"):
        shutil.rmtree(project / folder)
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "doit", "-n", "2", "config=config/small.yml"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((project / "reports").rglob("*.html")):
        time.sleep(0.2)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for folder in ("reports", "data/processed"):
        leftovers = [p for p in (project / folder).rglob("*") if p.name.startswith(".")]
        assert leftovers == [], leftovers
    for page in pages(project):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page
    resumed = doit(project)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(pages(project)) == len(YEARS) * (len(SLUGS) + 4) + 2 + FACTSHEETS  # + index, glossary, fact sheets
    assert executed_tasks(doit(project)) == []


def test_marker_lists_the_generated_files(project):
    marker = json.loads((project / "data/raw/SYNTHETIC.json").read_text())
    population = sorted(f for f in marker["files"] if f.startswith("einwohner/"))
    assert population == [f"einwohner/EWO_Bestand_{y}-12-31.csv" for y in YEARS]
    raw_files = sorted(p.relative_to(project / "data/raw").as_posix() for p in (project / "data/raw").rglob("*.*"))
    assert sorted(marker["files"]) == [f for f in raw_files if f != "SYNTHETIC.json"]


def test_indicators_open_data_and_confidentiality_check(project):
    opendata = project / "reports" / "opendata"
    assert sorted(p.name for p in opendata.iterdir()) == [
        "datapackage.json",
        "indikatoren.csv",
        "indikatorenkatalog.csv",
    ]
    assert "keine geheime Zelle" in (project / "build/checks/geheimhaltung.txt").read_text(encoding="utf-8")
    profile = (project / "reports/2025/stadtteile/wiesdorf.html").read_text(encoding="utf-8")
    for phase in (
        "Rund um die Geburt",
        "Frühe Kindheit 0–3",
        "Kita 3–6",
        "Grundschule",
        "weiterführende Schule",
        "Übergang Schule–Beruf",
        "Hilfen zur Erziehung",
    ):
        # one row group per life phase in the profile's table of all indicators, its heading row anchored
        assert f'colspan="6" id="{anchor(phase)}">{phase}' in profile, phase
    assert "95-%-KI" in profile and 'data-cell="sgb2_u15|2025|stadtteil|101"' in profile
    assert (
        "Zeichenerklärung" in profile and "Vergleichskommunen" in profile and "Angebote der Präventionskette" in profile
    )
    city = (project / "reports/2025/gesamtstadt.html").read_text(encoding="utf-8")
    assert "Lebenslauf-Matrix" in city and "Leitbild" in city and "Beispielhafte Leitziele" in city


def test_a_page_that_differs_from_the_open_data_fails_the_check(project):
    """A page may only show what the audited open data show: a changed (or leaked) value fails."""
    page = project / "reports/2025/stadtteile/wiesdorf.html"
    original = page.read_text(encoding="utf-8")
    key = "sgb2_u15|2025|stadtteil|101"
    tampered = re.sub(f'(data-cell="{re.escape(key)}">)[^<]*', r"\g<1>99,9 %", original, count=1)
    assert tampered != original
    page.write_text(tampered, encoding="utf-8")
    try:
        result = doit(project, "geheimhaltung")
    finally:
        page.write_text(original, encoding="utf-8")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Geheimhaltung verletzt" in output and key in output


def test_isolated_build_is_byte_identical_to_the_warm_build(project, tmp_path):
    """The same inputs give the same published pages and processed data, warm or isolated."""
    assert doit(project).returncode == 0  # bring the shared project up to date first
    other = tmp_path / "isoliert"

    def outputs(folder: str, names: list[str]) -> set[str]:
        """Build outputs of the copied project (not the helpers' ``build`` package)."""
        top = Path(folder) == project
        return {n for n in names if n.startswith(".doit.db") or (top and n in ("reports", "build"))} | (
            {"processed"} if Path(folder).name == "data" else set()
        )

    shutil.copytree(project, other, ignore=outputs)
    result = doit(other, "isolated=1", "-n", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    for folder in ("reports", "data/processed"):
        files = sorted(p.relative_to(project / folder) for p in (project / folder).rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(other / folder) for p in (other / folder).rglob("*") if p.is_file())
        for rel in files:
            assert (project / folder / rel).read_bytes() == (other / folder / rel).read_bytes(), rel


# --- published pages: no record-level data, and a real browser ---------------------------------


def test_no_pseudonym_or_case_id_reaches_a_published_page(project):
    ids = set()
    for path in (project / "data" / "raw").rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".txt"):
            ids.update(re.findall(r"\b(?:SEU|HZ)-[0-9a-f]{10}\b", path.read_text(encoding="cp1252", errors="ignore")))
    assert len(ids) > 1000  # the sample has pseudonymised SEU records and HzE case ids
    pages = list((project / "reports").rglob("*.html")) + list((project / "reports").rglob("*.csv"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="ignore")
        found = set(re.findall(r"\b(?:SEU|HZ)-[0-9a-f]{10}\b", text)) & ids
        assert not found, f"{page} contains record ids {sorted(found)[:3]}"
    # executed notebooks (for analysts) are kept apart from the published pages
    assert not list((project / "reports").rglob("*.ipynb"))


CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


#: axe-core 4.10.3 (MPL-2.0, licence beside it), vendored so that the test needs no network.
AXE = Path(__file__).resolve().parents[1] / "fixtures" / "axe" / "axe.min.js"


def _browse(page_path: Path, shot: Path) -> tuple[list[str], list[str], list[str]]:
    """Open a page headless; return (network requests, console errors, links) and save a screenshot."""
    from playwright.sync_api import sync_playwright

    requests, errors = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: None if r.url.startswith(("file://", "data:")) else requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_path.as_uri(), wait_until="load")
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    return requests, errors, links


def _resolves(page: Path, href: str) -> bool:
    target, _, fragment = href.partition("#")
    file = page if not target else (page.parent / target).resolve()
    if not file.is_file():
        return False
    if fragment:
        text = file.read_text(encoding="utf-8")
        return f'id="{fragment}"' in text
    return True


@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"), reason="Debian chromium not installed")
@pytest.mark.parametrize("which", ["index", "profil", "gesamtstadt", "kennzahl", "kennzahlen"])
def test_pages_in_headless_chromium(project, which):
    year = 2025
    page = {
        "index": project / "reports" / "index.html",
        "profil": project / "reports" / str(year) / "stadtteile" / "wiesdorf.html",
        "gesamtstadt": project / "reports" / str(year) / "gesamtstadt.html",
        "kennzahl": project / "reports" / "kennzahlen" / "sgb2_u15.html",
        "kennzahlen": project / "reports" / "kennzahlen" / "index.html",
    }[which]
    requests, errors, links = _browse(page, SCREENSHOTS / f"{which}.png")
    assert requests == [], f"network requests from {page.name}: {requests}"
    assert errors == [], f"console errors on {page.name}: {errors}"
    internal = [h for h in links if not h.startswith(("http://", "https://", "mailto:"))]
    assert internal, "a page without internal links"
    broken = [h for h in internal if not _resolves(page, h)]
    assert broken == [], f"broken links on {page.name}: {broken}"
    assert not [h for h in links if h.startswith(("http://", "https://"))], "links to the web"


PAGE_KINDS = {
    "profil": "reports/2025/stadtteile/wiesdorf.html",
    "gesamtstadt": "reports/2025/gesamtstadt.html",
    "sozialraum": "reports/2025/sozialraum.html",
    "hze": "reports/2025/hze.html",
    "methoden": "reports/2025/methoden.html",
    "index": "reports/index.html",
    "kennzahl": "reports/kennzahlen/sgb2_u15.html",
}


def _audit_inputs(project: Path):
    from helpers.core.config import load_config
    from helpers.core.paths import ProjectPaths
    from helpers.site.audit import expected_cells, vocabulary

    config = load_config(project / "config" / "small.yml")
    published = pd.read_parquet(ProjectPaths(config).processed_table("indicators"))
    return config, published, expected_cells(config), vocabulary(config)


def test_every_number_on_every_page_is_accounted_for(project):
    from helpers.site.audit import check_pages

    config, *_ = _audit_inputs(project)
    assert check_pages(config) == []


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_a_planted_leak_fails_the_page_audit(project, kind):
    """(a) an untagged number, (b) a tagged number that is not the published value (a secret
    cell shown with a count) fail the audit, on every kind of page."""
    from helpers.site.audit import check_page

    _, published, expected, words = _audit_inputs(project)
    page = project / PAGE_KINDS[kind]
    html = page.read_text(encoding="utf-8")
    assert "</main>" in html and check_page(html, kind, expected, words) == []
    untagged = html.replace("</main>", "<p>Im Stadtteil gab es 2 Fälle.</p></main>", 1)
    found = check_page(untagged, kind, expected, words)
    assert len(found) == 1 and kind in found[0] and "2 Fälle" in found[0] and "ohne Kennzeichnung" in found[0]
    secret = published[published["symbol"] == "."].iloc[0]
    key = f"{secret['indicator_id']}|{secret['year']}|{secret['area_level']}|{secret['area_code']}"
    leaked = html.replace("</main>", f'<p>Fälle: <span data-cell="{key}">2</span></p></main>', 1)
    found = check_page(leaked, kind, expected, words)
    assert len(found) == 1 and key in found[0] and "veröffentlicht ist '.'" in found[0]
    counts = html.replace("</main>", f'<p><span data-cell="{key}#numerator">2</span></p></main>', 1)
    assert len(check_page(counts, kind, expected, words)) == 1


def test_an_untagged_number_fails_the_build(project):
    page = project / PAGE_KINDS["sozialraum"]
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("</main>", "<p>Davon 2 Fälle.</p></main>", 1), encoding="utf-8")
    try:
        result = doit(project, "geheimhaltung")
    finally:
        page.write_text(original, encoding="utf-8")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "reports/2025/sozialraum.html" in output and "Davon 2 Fälle." in output


BROWSER_PAGES = {
    "index": Path("index.html"),
    "profil": Path("2025") / "stadtteile" / "wiesdorf.html",
    "gesamtstadt": Path("2025") / "gesamtstadt.html",
    "kennzahl": Path("kennzahlen") / "sgb2_u15.html",
}

#: Elements wider than the phone's viewport, outside the tables' scroll containers.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter(e => !e.closest(".mon-scroll") && e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10)};
}"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason="Debian chromium not installed"
)


@needs_chromium
@pytest.mark.parametrize("which", list(BROWSER_PAGES))
def test_pages_have_no_serious_accessibility_violations(project, browser, which):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((project / "reports" / BROWSER_PAGES[which]).as_uri(), wait_until="load")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    page.close()
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], f"axe on {which}: {serious}"


@needs_chromium
@pytest.mark.parametrize("which", ["index", "profil", "kennzahl"])
def test_pages_fit_a_phone_and_screenshots(project, browser, which):
    """At 390 px nothing but a table's scroll container is wider than the screen; screenshots
    (desktop 1280 px, phone 390 px, page 1 of the printed A4 PDF) go to build/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = (project / "reports" / BROWSER_PAGES[which]).as_uri()
    desktop = browser.new_page(viewport={"width": 1280, "height": 900})
    desktop.goto(url, wait_until="load")
    desktop.screenshot(path=str(SCREENSHOTS / f"{which}-desktop.png"))
    printed = SCREENSHOTS / f"{which}.pdf"
    desktop.pdf(path=str(printed), format="A4", print_background=True)
    heading = desktop.locator("h1").first.inner_text()
    desktop.close()
    assert _squeeze(heading) in _squeeze(_pdf_text_and_first_page(printed, SCREENSHOTS / f"{which}-pdf-seite1.png"))
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    phone.goto(url, wait_until="load")
    found = phone.evaluate(OVERFLOW_JS)
    phone.screenshot(path=str(SCREENSHOTS / f"{which}-phone.png"))
    hint_visible = any(h.is_visible() for h in phone.locator(".mon-swipe").all())  # folded tables hide theirs
    phone.close()
    assert found["wide"] == [] and found["scrollWidth"] <= found["width"], found
    assert hint_visible, "wide tables have a visible swipe hint on a phone"


#: Tables wider than their container (their scroll box) at the desktop width.
WIDE_TABLES_JS = """() => [...document.querySelectorAll("table")]
  .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
  .map(t => (t.caption ? t.caption.innerText : "ohne Titel") + ": " + t.scrollWidth + " > " + t.parentElement.clientWidth)"""


@needs_chromium
@pytest.mark.parametrize("which", sorted(PAGE_KINDS))
def test_no_table_is_wider_than_its_container_at_1280(project, browser, which):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto((project / PAGE_KINDS[which]).as_uri(), wait_until="load")
    wide = page.evaluate(WIDE_TABLES_JS)
    page.close()
    assert wide == [], f"{which}: tables cut off at 1280 px: {wide}"


#: Every text of an inline SVG at its drawn size: computed font size times the SVG's scale (its
#: drawn width over its viewBox width); and which elements draw a chart as a raster image.
CHART_TEXT_JS = """() => {
  const drawn = [...document.querySelectorAll("svg")].filter(svg => svg.getBoundingClientRect().width > 0);
  const sizes = drawn.flatMap(svg => {
    const box = svg.viewBox.baseVal, width = svg.getBoundingClientRect().width;
    const scale = box && box.width ? width / box.width : 1;
    return [...svg.querySelectorAll("text")].filter(t => t.textContent.trim())
      .map(t => ({px: parseFloat(getComputedStyle(t).fontSize) * scale, text: t.textContent.trim().slice(0, 30)}));
  });
  const raster = [...document.querySelectorAll("svg image, img[src^='data:image'], figure img")].length;
  const unnamed = [...document.querySelectorAll("svg.mon-chart-svg, svg.mon-map-svg")]
    .filter(s => !s.getAttribute("aria-label")).length;
  const maps = document.querySelectorAll("svg.mon-map-svg").length;
  return {count: sizes.length, small: sizes.filter(s => s.px < 9).slice(0, 5), raster, unnamed, maps};
}"""


@needs_chromium
@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_no_chart_text_below_9_px_on_a_phone(project, browser, kind):
    """At 390 px every chart and map text is drawn at 9 px or more (a chart's wide layout, not drawn on a
    phone, is left out), no chart or map is an image
    (raster or embedded SVG) and every chart and map has an accessible name; the profile and the
    city report have chart text to check (the small config's 2 Stadtteile are too few for the
    funnel plots and the HzE models), and the Sozialraumanalyse, the profile and the fact sheet
    have their maps as inline SVG."""
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    phone.goto((project / PAGE_KINDS[kind]).as_uri(), wait_until="load")
    found = phone.evaluate(CHART_TEXT_JS)
    phone.close()
    assert found["small"] == [] and found["raster"] == 0 and found["unnamed"] == 0, found
    if kind in ("profil", "gesamtstadt"):
        assert found["count"] > 10, found
    if kind in ("profil", "sozialraum", "kennzahl"):
        assert found["maps"] >= 1, found


def _pdf_text_and_first_page(pdf: Path, shot: Path) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    shot.parent.mkdir(parents=True, exist_ok=True)
    doc[0].render(scale=1.5).to_pil().save(shot)
    doc.close()
    return text


def _squeeze(text: str) -> str:
    """Text without whitespace and hyphens (line breaks and hyphenation differ in print)."""
    return re.sub(r"[\s\-\u00ad\u2010\u2011]", "", text)


@needs_chromium
@pytest.mark.parametrize("which", ["profil", "gesamtstadt"])
def test_pdf_next_to_the_page_has_every_column(project, which):
    page = project / "reports" / BROWSER_PAGES[which]
    pdf = page.with_suffix(".pdf")
    assert pdf.is_file(), "the build prints a PDF next to the page"
    html = page.read_text(encoding="utf-8")
    assert f'href="{pdf.name}" download>Als PDF herunterladen</a>' in html
    head = re.compile(r"<th scope=\"?col\"?[^>]*>(.*?)</th>", re.S)
    # tables folded on screen (<details class="mon-more">) are left out of the print on purpose
    shown = re.sub(r'<details class="mon-more">.*?</details>', "", html, flags=re.S)
    headers = {re.sub(r"<[^>]+>", "", h).strip() for h in head.findall(shown)} - {""}
    assert len(headers) > 5
    data = pdf.read_bytes()
    assert b"/CreationDate" not in data and b"/ModDate" not in data  # no time of printing
    assert b"file:" not in data and str(project).encode() not in data  # no path of the build machine
    printed = _pdf_text_and_first_page(pdf, SCREENSHOTS / f"{which}-pdf-seite1.png")
    text = _squeeze(printed)
    import html as html_lib

    missing = sorted(h for h in headers if _squeeze(html_lib.unescape(h)) not in text)
    assert missing == [], f"column headers missing in {pdf.name}: {missing}"
    vocabulary = set(re.findall(r"[^\W\d_]+", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))))
    assert words_broken_without_hyphen(printed, vocabulary) == [], "a word breaks only at a hyphen"


@needs_chromium
def test_profile_pdf_has_at_most_four_pages(project):
    """A printed Stadtteilprofil fits four A4 pages (Steckbrief and key series on page 1; no contents, page
    navigation or folded tables on paper)."""
    import pypdfium2

    for year in YEARS:
        for slug in SLUGS:
            doc = pypdfium2.PdfDocument(project / "reports" / str(year) / "stadtteile" / f"{slug}.pdf")
            pages, first = len(doc), doc[0].get_textpage().get_text_range()
            doc.close()
            assert pages <= 4, f"{year} {slug}: {pages} pages"
            assert "Steckbrief" in first and not re.search(r"\bInhalt\b", first), first[:300]
