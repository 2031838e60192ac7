"""Benchmark of the pipeline (not a test): full build, no-op rebuild, one single report.

Runs in a temporary copy of the project, so the working tree is never touched, and
writes the figures to ``benchmarks/results.json`` (and prints them).

    .venv/bin/python benchmarks/run_benchmark.py [--jobs 2] [--config config/leverkusen.yml]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPY = ("src", "notebooks", "config", "data/raw", "dodo.py")


def copy_project(target: Path) -> None:
    for item in COPY:
        src = ROOT / item
        dst = target / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dst)


def timed_doit(project: Path, *args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "doit", *args], cwd=project, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"doit {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--config", default="config/leverkusen.yml")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    cfg = f"config={args.config}"
    with tempfile.TemporaryDirectory(prefix="monitoring-bench-") as tmp:
        project = Path(tmp)
        copy_project(project)
        sys.path.insert(0, str(project / "src"))
        from helpers.config import load_config

        config = load_config(project / args.config)
        year, slug = config.report_years[-1], config.stadtteile[0].slug
        n_reports = len(config.report_years) * (len(config.stadtteile) + 1)
        full = timed_doit(project, "-n", str(args.jobs), cfg)
        noop = timed_doit(project, "-n", str(args.jobs), cfg)
        # one report alone: remove its page, everything else is up to date
        (project / "reports" / str(year) / "stadtteile" / f"{slug}.html").unlink()
        single = timed_doit(project, f"profil:{year}-{slug}", cfg)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "config": args.config,
        "jobs": args.jobs,
        "reports": n_reports,
        "full_build_s": round(full, 1),
        "full_build_includes": "all sources, indicators + suppression, open data, audit, reports, index",
        "noop_rebuild_s": round(noop, 2),
        "single_report_s": round(single, 1),
        "peak_rss_largest_process_mb": round(peak_kib / 1024, 0),
    }
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
