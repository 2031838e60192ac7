"""Where published numbers come from: source labels and the synthetic-data note."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers.core.availability import source_label
from helpers.core.config import RUN_SECTIONS, Config, config_digest
from helpers.core.paths import ProjectPaths

__all__ = [
    "input_checksum",
    "source_label",
    "synthetic_note",
    "synthetic_sources",
    "synthetic_status",
    "synthetic_status_text",
]


def input_checksum(config: Config, inputs: list[Path]) -> str:
    """The checksum of a page's input data (its footer): SHA-256 over the files' names and contents,
    where the config file counts by its parsed values (``config_digest``; not its comments or layout,
    which re-run no task and so must not change a page)."""
    from helpers.core.io import sha256_files

    paths = ProjectPaths(config)
    files = [Path(p) for p in inputs if Path(p) != paths.config_file]
    digest = sha256_files(files, paths.root)
    if len(files) == len(inputs):
        return digest
    return hashlib.sha256(f"{digest}\0config\0{config_digest(config, RUN_SECTIONS)}".encode()).hexdigest()


def synthetic_status(paths: ProjectPaths) -> list[str]:
    """The configured sources whose raw files were made by the sample generator, in config order.

    A raw file counts as synthetic when the generator's marker lists it with the same
    checksum, so a city that drops its real export over a sample file loses the banner for
    that source only. The build writes this list to ``paths.synthetic_status`` (task
    ``herkunft``), so pages depend on it and not on every raw file's bytes.
    """
    marker = paths.synthetic_marker
    if not marker.is_file():
        return []
    listed = json.loads(marker.read_text(encoding="utf-8")).get("files", {})
    found = []
    for source in paths.config.sources:
        for path in paths.raw_source_files(source):
            rel = path.relative_to(paths.raw).as_posix()
            if path.is_file() and listed.get(rel) == hashlib.sha256(path.read_bytes()).hexdigest():
                found.append(source)
                break
    return found


def synthetic_status_text(sources: list[str]) -> str:
    """The file ``herkunft.json``: the synthetic sources as JSON (same list, same bytes).

    >>> synthetic_status_text(["population", "kita"])
    '{\\n  "synthetische_quellen": [\\n    "population",\\n    "kita"\\n  ]\\n}\\n'
    """
    return json.dumps({"synthetische_quellen": sources}, indent=2) + "\n"


def synthetic_sources(paths: ProjectPaths, sources: list[str]) -> list[str]:
    """The sources among ``sources`` that are the generator's sample, in the order given.

    Read from ``paths.synthetic_status`` when the build has written it, else computed
    (:func:`synthetic_status`).
    """
    status = paths.synthetic_status
    if status.is_file():
        synthetic = set(json.loads(status.read_text(encoding="utf-8"))["synthetische_quellen"])
    else:
        synthetic = set(synthetic_status(paths))
    return [s for s in sources if s in synthetic]


def synthetic_note(paths: ProjectPaths, sources: list[str]) -> str:
    """The banner text, or "" when no source of the page is synthetic. The synthetic sources are named only
    when some of the page's sources are real (the banner stays short on a phone when all are synthetic)."""
    synthetic = synthetic_sources(paths, sources)
    if not synthetic:
        return ""
    commune = paths.config.commune.name
    if len(synthetic) == len(set(sources)):
        return (
            "Alle Zahlen dieser Seite beruhen auf künstlich erzeugten Daten, die echten Exporten nachgebildet sind; "
            f"sie beschreiben nicht die tatsächliche Lage in {commune}."
        )
    labels = ", ".join(source_label(paths.config, s) for s in synthetic)
    return (
        "Diese Seite beruht auf künstlich erzeugten Daten, die echten Exporten nachgebildet "
        f"sind ({labels}). Die Zahlen beschreiben nicht die tatsächliche Lage in {commune}."
    )
