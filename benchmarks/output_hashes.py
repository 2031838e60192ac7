"""Hash listing of every build output, to show that a restructuring commit changes no output.

    python benchmarks/output_hashes.py <commit> [<commit> ...] [--jobs 2] [--keep DIR]

Each commit is exported with ``git archive`` into a folder without ``.git`` (so the pages' code
version reads the same for every commit), built there with ``doit`` (PDFs included), and every
file under ``reports/`` and ``data/processed/`` is hashed (SHA-256). The listing of each commit
is written to ``build/hashes/<commit>.txt``; with two or more commits the script prints how many
files are identical, differ, or exist on one side only, and lists the differing ones.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("reports", "data/processed")


def export(commit: str, target: Path) -> None:
    """Write the tree of ``commit`` into ``target`` (no ``.git``)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def build(folder: Path, jobs: int) -> None:
    """Build the sample in ``folder`` with the project's doit (its own ``src`` first on the path)."""
    env = {**os.environ, "PYTHONPATH": str(folder / "src"), "MPLBACKEND": "Agg"}
    env.pop("MONITORING_TMP_DIR", None)
    subprocess.run([sys.executable, "-m", "doit", "-n", str(jobs)], cwd=folder, env=env, check=True)


def listing(folder: Path) -> dict[str, str]:
    """SHA-256 of every output file, by path relative to ``folder``."""
    out = {}
    for top in OUTPUTS:
        for path in sorted((folder / top).rglob("*")):
            if path.is_file():
                out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def compare(a: dict[str, str], b: dict[str, str]) -> tuple[list[str], list[str], list[str], list[str]]:
    """(identical, differing, only in a, only in b) paths.

    >>> compare({"x": "1", "y": "2", "z": "3"}, {"x": "1", "y": "9", "w": "4"})
    (['x'], ['y'], ['z'], ['w'])
    """
    same = sorted(k for k in a.keys() & b.keys() if a[k] == b[k])
    diff = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
    return same, diff, sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commits", nargs="+")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build in DIR/<commit> and keep it")
    args = parser.parse_args()
    out_dir = ROOT / "build" / "hashes"
    out_dir.mkdir(parents=True, exist_ok=True)
    listings = []
    for commit in args.commits:
        sha = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short=12", commit], capture_output=True, text=True, check=True
        ).stdout.strip()
        cached = out_dir / f"{sha}.txt"
        if cached.exists():
            hashes = dict(line.split("  ", 1)[::-1] for line in cached.read_text().splitlines())
        else:
            with tempfile.TemporaryDirectory() as tmp:
                folder = (args.keep / sha) if args.keep else Path(tmp) / sha
                export(commit, folder)
                build(folder, args.jobs)
                hashes = listing(folder)
            cached.write_text("".join(f"{h}  {p}\n" for p, h in sorted(hashes.items())))
        print(f"{sha}: {len(hashes)} files, listing {cached.relative_to(ROOT)}")
        listings.append((sha, hashes))
    for (sha_a, a), (sha_b, b) in itertools.pairwise(listings):
        same, diff, only_a, only_b = compare(a, b)
        counts = f"{len(same)} identical, {len(diff)} differ, {len(only_a)} only before, {len(only_b)} only after"
        print(f"{sha_a} -> {sha_b}: {counts}")
        for path in diff:
            print(f"  differs: {path}")
        for path in only_a:
            print(f"  only before: {path}")
        for path in only_b:
            print(f"  only after: {path}")


if __name__ == "__main__":
    main()
