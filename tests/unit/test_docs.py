"""The README stays a front door (at most 200 lines) and every link of it and of docs/ resolves:
the file exists and, for a link with ``#anchor``, the target has a heading with that GitHub anchor."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading.

    >>> anchor("Layouts: the shapes cities publish"), anchor("PDF und Druck")
    ('layouts-the-shapes-cities-publish', 'pdf-und-druck')
    """
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def broken_links(page: Path) -> list[str]:
    """The relative links of a Markdown page whose file or heading does not exist."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, fragment = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (fragment and file.suffix == ".md" and fragment not in anchors(file)):
            broken.append(target)
    return broken


def test_readme_is_at_most_200_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 200


def test_readme_links_every_docs_page_and_every_link_resolves():
    text = README.read_text(encoding="utf-8")
    linked = {Path(t.partition("#")[0]).name for t in LINK.findall(text) if t.startswith("docs/")}
    assert linked == {p.name for p in DOCS.glob("*.md")}
    assert broken_links(README) == []


def test_every_link_of_the_docs_pages_resolves():
    pages = [*sorted(DOCS.glob("*.md")), ROOT / "data" / "raw" / "README.md"]
    assert {p.name: broken_links(p) for p in pages} == {p.name: [] for p in pages}


def test_the_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path):
    page = tmp_path / "a.md"
    (tmp_path / "b.md").write_text("# Da\n\n## Zwei Wörter\n", encoding="utf-8")
    page.write_text("[x](b.md#zwei-wörter) [y](b.md#fehlt) [z](c.md) [w](https://example.org)\n", encoding="utf-8")
    assert broken_links(page) == ["b.md#fehlt", "c.md"]
