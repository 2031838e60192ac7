"""PDFs of the Stadtteil profiles and city reports, printed from the published HTML pages.

Headless Chromium (driven by playwright) opens the page from disk and prints it with the
site's print stylesheet: A4, backgrounds, margins, page numbers in the footer. Chromium writes
the time of printing into the PDF (``/CreationDate``, ``/ModDate``); :func:`without_dates`
blanks both in place (same length, so the cross-reference offsets stay valid), and links to
other files print as plain text (they would carry the build machine's paths), so the same page
gives the same bytes in any checkout.

Headless Chromium has no German hyphenation dictionary (``hyphens: auto`` does nothing in it), so
before printing, the long German words of the page's text get soft hyphens (U+00AD) at their
hyphenation points (:func:`soft_hyphens`, LibreOffice's German patterns through pyphen). Only the
copy of the page in the printing browser changes, never the published HTML; numbers, codes,
URLs and the text inside ``<svg>``, ``<code>`` or ``<script>`` are left alone. With the print
stylesheet's ``overflow-wrap`` rules a word then breaks only at a hyphen.

The PDFs are optional: ``publication.pdf: false`` in the config or ``MONITORING_PDF=0`` turns
them off, and without playwright, pyphen or a Chromium (``chromium`` on the PATH, or
``MONITORING_CHROMIUM=/path/to/chromium``) the build leaves the PDF tasks out with one log line
and the pages do not link a PDF.
"""

from __future__ import annotations

import html
import importlib.util
import itertools
import os
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from helpers.core.config import Config

#: "0"/"1" overrides ``publication.pdf`` of the config.
PDF_ENV = "MONITORING_PDF"
#: Path of the Chromium executable (default: the first of CHROMIUM_NAMES on the PATH).
CHROMIUM_ENV = "MONITORING_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # less memory: one renderer, no site isolation, no extensions (the pages are local files)
    "--renderer-process-limit=1",
    "--disable-features=site-per-process",
    "--disable-extensions",
]
#: A browser that printed nothing for this many seconds is closed (its memory goes back to the
#: build: the audit and the index run after the last PDFs); the next PDF starts a new one.
IDLE_CLOSE_S = 3.0
MARGIN = {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"}
FOOTER = (
    '<div style="font-size:7pt;color:#444;width:100%;margin:0 12mm;display:flex;justify-content:space-between;'
    'font-family:system-ui,sans-serif"><span>{title}</span>'
    '<span>Seite <span class="pageNumber"></span> von <span class="totalPages"></span></span></div>'
)
#: Links to other files would become absolute ``file://`` URIs of the build machine in the PDF
#: (different in every checkout, and dead in a PDF that is passed on): they print as text.
#: Links within the page stay, as the PDF's internal links.
UNLINK_JS = "() => document.querySelectorAll('a[href]:not([href^=\"#\"])').forEach(a => a.removeAttribute('href'))"
_DATES = re.compile(rb"/(?:CreationDate|ModDate)\s*\(D:[^)]*\)")

#: Words shorter than this many letters are not hyphenated.
MIN_HYPHENATED = 7
SOFT_HYPHEN = "\u00ad"
_VOWELS = frozenset("aeiouäöüyAEIOUÄÖÜY")
#: Compounds whose joint the patterns miss (the break after the linking „s“); fragments joined by „-“.
HYPHENATION_EXCEPTIONS = {
    w.replace("-", ""): w
    for w in (
        "Al-ters-struk-tur",
        "Le-bens-pha-se",
        "Le-bens-pha-sen",
        "Deutsch-land",
        "Er-eig-nis-stu-die",
        "Falsch-er-ken-nungs-ra-te",
        "Kon-fi-denz-in-ter-vall",
        "Kon-fi-denz-in-ter-val-le",
    )
}
#: Collects the words to hyphenate from the page's text nodes: letters only, not touching a digit,
#: underscore or other letter, outside svg/code/script, and not in a chunk that looks like a URL,
#: a file name or an e-mail address. ``APPLY_JS`` puts the hyphenated forms back into the same nodes.
_TEXT_NODES_JS = r"""
  const skip = 'svg, script, style, code, pre, kbd, samp, math, textarea, [translate=no]';
  const url = /:\/\/|^www\.|@|\.[a-z]{2,5}($|[\/#?])/i;
  const word = new RegExp('(?<![\\p{L}\\p{N}_])\\p{L}{' + minLength + ',}(?![\\p{L}\\p{N}_])', 'gu');
  const nodes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement.closest(skip)) nodes.push(n);
  }
  const chunks = (text) => text.split(/(\s+)/);
"""
WORDS_JS = (
    "(minLength) => {"
    + _TEXT_NODES_JS
    + """  const found = new Set();
  for (const n of nodes) {
    for (const c of chunks(n.data)) if (!url.test(c)) for (const m of c.matchAll(word)) found.add(m[0]);
  }
  return [...found];
}"""
)
APPLY_JS = (
    "([minLength, forms]) => {"
    + _TEXT_NODES_JS
    + """  for (const n of nodes) {
    const parts = chunks(n.data).map(c => url.test(c) ? c : c.replace(word, w => forms[w] || w));
    const text = parts.join('');
    if (text !== n.data) n.data = text;
  }
}"""
)


def find_chromium() -> Path | None:
    """The Chromium executable: ``MONITORING_CHROMIUM``, else the first known name on the PATH."""
    named = os.environ.get(CHROMIUM_ENV, "")
    if named:
        return Path(named) if Path(named).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def pdf_unavailable(config: Config) -> str | None:
    """Why no PDFs are made (German, for the build log), or None when they are."""
    value = os.environ.get(PDF_ENV, "")
    wanted = config.publication.pdf if value == "" else value.lower() not in ("0", "false", "no", "nein")
    if not wanted:
        return f"abgeschaltet (publication.pdf: false in der Konfiguration oder {PDF_ENV}=0)"
    for package in ("playwright", "pyphen"):
        if importlib.util.find_spec(package) is None:
            return f"das Python-Paket {package} ist nicht installiert"
    if find_chromium() is None:
        return f"kein Chromium gefunden (Paket chromium installieren oder {CHROMIUM_ENV}=/pfad/zu/chromium setzen)"
    return None


def pdf_enabled(config: Config) -> bool:
    """Whether the build makes PDFs (and the pages link them)."""
    return pdf_unavailable(config) is None


def without_dates(data: bytes) -> bytes:
    """Blank the creation and modification dates of a PDF (same length: offsets stay valid).

    >>> without_dates(b"<</CreationDate (D:20250101120000+00'00') /X 1>>")
    b'<<                                        /X 1>>'
    """
    return _DATES.sub(lambda m: b" " * len(m.group(0)), data)


@cache
def _hyphenator() -> Any:
    import pyphen  # only when printing: the no-op build loads this module

    return pyphen.Pyphen(lang="de_DE", left=3, right=3)


def hyphenation_points(word: str) -> list[str]:
    """The fragments of a German word between its hyphenation points.

    pyphen reads both levels of LibreOffice's German patterns as one and so sometimes splits off a
    fragment without a vowel („gesamt-s-täd-tisch“, „Beda-rfs“); such a fragment joins the
    previous one when that ends in a vowel, else the next one.

    >>> hyphenation_points("gesamtstädtisch")
    ['gesamt', 'städ', 'tisch']
    >>> "-".join(hyphenation_points("Schulsozialarbeit")), "-".join(hyphenation_points("Bedarfsgemeinschaften"))
    ('Schul-so-zi-al-ar-beit', 'Bedarfs-ge-mein-schaf-ten')
    >>> hyphenation_points("Lebensphase")
    ['Le', 'bens', 'pha', 'se']
    """
    if word in HYPHENATION_EXCEPTIONS:
        return HYPHENATION_EXCEPTIONS[word].split("-")
    fragments = _hyphenator().inserted(word, hyphen="\0").split("\0")
    out: list[str] = []
    carry = ""
    for i, fragment in enumerate(fragments):
        fragment = carry + fragment
        carry = ""
        if out and not _VOWELS.intersection(fragment) and (out[-1][-1] in _VOWELS or i == len(fragments) - 1):
            out[-1] += fragment
        elif not _VOWELS.intersection(fragment) and i < len(fragments) - 1:
            carry = fragment
        else:
            out.append(fragment)
    return out


def soft_hyphens(words: list[str], min_length: int = MIN_HYPHENATED) -> dict[str, str]:
    """{word: the word with soft hyphens at its hyphenation points} for the long German words.

    Acronyms and mixed-case codes („SOPESS“, „KiBiz“) and short words are left out.

    >>> forms = soft_hyphens(["Familienzentrum", "KiBiz", "SOPESS", "Haus"])
    >>> {word: form.replace(SOFT_HYPHEN, "|") for word, form in forms.items()}
    {'Familienzentrum': 'Fami|li|en|zen|trum'}
    """
    out = {}
    for word in words:
        if len(word) < min_length or not word[1:].islower():
            continue
        hyphenated = SOFT_HYPHEN.join(hyphenation_points(word))
        if hyphenated != word:
            out[word] = hyphenated
    return out


def words_broken_without_hyphen(text: str, vocabulary: set[str]) -> list[str]:
    """Words of a PDF's text split over two lines without a hyphen, as „Familienzentru|m“.

    ``text`` is the extracted text (lines as printed); ``vocabulary`` the words of the page. A line
    ending in letters and a next line starting with a lower-case letter is a split word when the two
    parts joined are a word of the page and the first part alone is not (an ordinary line break
    between two words gives no such word). A break at a hyphen ends the line with the hyphen and
    is not reported.

    >>> text = "im Familienzentru\\nm und\\nweiter Fami-\\nlienzentrum"
    >>> words_broken_without_hyphen(text, {"Familienzentrum", "und", "weiter", "m"})
    ['Familienzentru|m']
    """
    lines = text.replace("\r\n", "\n").split("\n")
    found = []
    for line, following in itertools.pairwise(lines):
        tail = re.search(r"([^\W\d_]+)$", line)
        head = re.match(r"([^\W\d_]+)", following)
        if tail and head and head.group(1)[0].islower():
            first, second = tail.group(1), head.group(1)
            if first + second in vocabulary and first not in vocabulary:
                found.append(f"{first}|{second}")
    return found


def hyphenate_page(tab: Any) -> int:
    """Put soft hyphens into the long words of the page open in ``tab``; the number of words changed."""
    forms = soft_hyphens(tab.evaluate(WORDS_JS, MIN_HYPHENATED))
    if forms:
        tab.evaluate(APPLY_JS, [MIN_HYPHENATED, forms])
    return len(forms)


class _Printer:
    """One headless Chromium per process, used from one thread only (playwright's sync API is
    bound to the thread that started it, and keeps off the asyncio loop of the notebook runs)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
        self._local = threading.local()
        self._jobs = 0
        self._timer: threading.Timer | None = None

    def _browser(self) -> Any:
        if getattr(self._local, "browser", None) is None:
            from playwright.sync_api import sync_playwright

            self._local.playwright = sync_playwright().start()
            chromium = find_chromium()
            self._local.browser = self._local.playwright.chromium.launch(
                executable_path=str(chromium) if chromium else None, args=LAUNCH_ARGS
            )
        return self._local.browser

    def _print(self, page: Path, title: str) -> bytes:
        tab = self._browser().new_page()
        try:
            tab.goto(page.resolve().as_uri(), wait_until="load")
            tab.evaluate(UNLINK_JS)
            hyphenate_page(tab)
            return tab.pdf(
                format="A4",
                print_background=True,
                margin=MARGIN,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER.format(title=html.escape(title)),
            )
        finally:
            tab.close()

    def _close(self, job: int) -> None:
        """Close the browser if no PDF was printed since job ``job`` (runs on the printer thread)."""
        if job == self._jobs and getattr(self._local, "browser", None) is not None:
            self._local.browser.close()
            self._local.playwright.stop()
            self._local.browser = None

    def print(self, page: Path, title: str) -> bytes:
        if self._timer is not None:
            self._timer.cancel()
        self._jobs += 1
        data = self._pool.submit(self._print, page, title).result()
        job = self._jobs
        self._timer = threading.Timer(IDLE_CLOSE_S, lambda: self._pool.submit(self._close, job))
        self._timer.daemon = True
        self._timer.start()
        return data


@cache
def _printer() -> _Printer:
    return _Printer()


def page_title(page: Path) -> str:
    """The ``<title>`` of a page (for the PDF footer)."""
    found = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)
    return html.unescape(found.group(1)).strip() if found else page.stem


def write_pdf(page: Path, target: Path) -> None:
    """Print ``page`` to ``target`` (atomically), with the dates blanked."""
    from helpers.core.io import write_bytes_atomic  # pandas: not at import time (the no-op loads this module)

    write_bytes_atomic(target, without_dates(_printer().print(page, page_title(page))))
