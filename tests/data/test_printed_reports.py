"""The printed reports of the built sample (``doit -n 1``): a Stadtteilprofil fits four A4 pages and opens with its
Steckbrief, without the contents or the page navigation (print CSS in ``report.css``)."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

PROFILES = sorted((ROOT / "reports").glob("*/stadtteile/*.pdf"))


@pytest.mark.skipif(not PROFILES, reason="the sample is not built (doit -n 1 prints the PDFs)")
def test_every_printed_profile_fits_four_pages_and_opens_with_its_steckbrief():
    import pypdfium2

    assert len(PROFILES) >= 13  # at least one report year of the sample's 13 Stadtteile
    for pdf in PROFILES:
        doc = pypdfium2.PdfDocument(pdf)
        pages, first = len(doc), doc[0].get_textpage().get_text_range()
        doc.close()
        assert pages <= 4, f"{pdf.relative_to(ROOT)}: {pages} pages"
        assert "Steckbrief" in first and not re.search(r"\bInhalt\b|Nachbarstadtteile", first), pdf
