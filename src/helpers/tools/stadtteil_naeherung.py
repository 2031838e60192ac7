"""Rewrite the sample's approximated Stadtteil polygons from the reference folder (no network).

``python -m helpers.tools.stadtteil_naeherung [REFERENCE_DIR] [CONFIG]`` writes the config's
``analysis.geometry.file`` (``data/raw/geo/stadtteile_naeherung.geojson`` for Leverkusen) with
:func:`helpers.synth.geometry.approximated_geojson`: the Voronoi cells of the Stadtteil points
clipped to the city boundary. ``REFERENCE_DIR`` defaults to ``../shared/reference`` next to the
checkout. Same inputs, same bytes; a test checks the committed file against it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from helpers.core.config import load_config
from helpers.synth.geometry import approximated_geojson

#: The reference files the polygons are derived from (see ../shared/reference/PROVENANCE.md).
BOUNDARY = "leverkusen_city_boundary_vg250_simplify200.geojson"
POINTS = "leverkusen_stadtteil_points_wikipedia.csv"
STADTTEILE = "leverkusen_stadtteile.csv"


def build(reference: Path, config_path: Path) -> tuple[Path, bytes]:
    """The target file of the config and its bytes (nothing written)."""
    config = load_config(config_path)
    target = config.geometry_path
    if target is None:
        raise SystemExit("Die Konfiguration nennt keine Gebietsdatei (analysis.geometry.file).")
    data = approximated_geojson(
        reference / BOUNDARY, reference / POINTS, reference / STADTTEILE, {s.name: s.code for s in config.stadtteile}
    )
    return target, data


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(__file__).resolve().parents[3]
    reference = Path(args[0]) if args else root.parent / "shared" / "reference"
    target, data = build(reference, Path(args[1]) if len(args) > 1 else root / "config" / "leverkusen.yml")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"{target}: {len(data)} Bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
