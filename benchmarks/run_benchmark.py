"""Benchmark of the pipeline (not a test): full build, no-op, report phase vs the naive way.

The naive way is what the project replaces: one ``papermill`` CLI process and one
``jupyter nbconvert --to html`` process per report, on the same notebooks and parameters
(a sample of ``--naive`` reports of the latest year; their mean is the naive per-report cost).
The project's way is timed on the report phase alone (all report pages removed, everything
else up to date), sequentially (``-n 1``) and in parallel (``-n --jobs``), and per kind for the
profile and the city report (``--kinds``: only that kind's pages removed, its task group run with
``-n 1``), side by side with the naive mean of the same kind: the ratio per report (goal ≥ 20×).

Runs in a temporary copy of the project, so the working tree is never touched, and
writes the figures to ``benchmarks/results.json`` (and prints them).

    .venv/bin/python benchmarks/run_benchmark.py [--jobs 2] [--config config/leverkusen.yml]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

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


def _tree_memory(proc: psutil.Process) -> tuple[int, int]:
    """Summed resident (RSS) and proportional (PSS) memory of a process and all its descendants (bytes).

    RSS counts pages shared between processes (fork, Chromium's helpers) once per process: an upper
    bound. PSS splits every shared page among the processes that share it: what the tree really
    holds (Linux; elsewhere PSS falls back to RSS).
    """
    rss = pss = 0
    try:
        tree = [proc, *proc.children(recursive=True)]
    except psutil.Error:  # the build ended between two samples
        return 0, 0
    for p in tree:
        with contextlib.suppress(psutil.Error):  # ended between listing and reading
            info = p.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
    return rss, pss


def timed_doit(project: Path, *args: str) -> tuple[float, float, float]:
    """Run doit; return (seconds, peak summed RSS, peak summed PSS of doit, its workers, kernels and
    Chromium in MB), sampled every 0.2 s (see ``_tree_memory``)."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "doit", *args], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    peak = peak_pss = 0
    tree = psutil.Process(proc.pid)
    with ThreadPoolExecutor(1) as pool:
        output = pool.submit(proc.communicate)
        while not output.done():
            rss, pss = _tree_memory(tree)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.2)
        stdout, stderr = output.result()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"doit {' '.join(args)} failed:\n{stdout.decode()}\n{stderr.decode()}")
    return elapsed, peak / 2**20, peak_pss / 2**20


def report_specs(config, limit: int) -> list[tuple[str, dict[str, object]]]:
    """A sample of reports of the latest year for the naive comparison: (kind, parameters)."""
    year = config.report_years[-1]
    specs: list[tuple[str, dict[str, object]]] = [
        (kind, {"year": year}) for kind in ("gesamtstadt", "sozialraum", "hze")
    ]
    specs += [("profil", {"year": year, "stadtteil": s.slug}) for s in config.stadtteile]
    return specs[:limit]


def naive_reports(project: Path, config, specs) -> list[float]:
    """The naive way: one papermill CLI and one nbconvert CLI process per report."""
    from helpers.core.registry import REPORTS

    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    bin_dir = Path(sys.executable).parent
    work = project / "build" / "naive"
    work.mkdir(parents=True, exist_ok=True)
    for kind in {k for k, _ in specs}:  # untimed: the .py sources become .ipynb once
        src = project / "notebooks" / REPORTS[kind].notebook
        subprocess.run(
            [str(bin_dir / "jupytext"), "--quiet", "--to", "ipynb", "-o", str(work / f"{kind}.ipynb"), str(src)],
            check=True,
            env=env,
        )
    times = []
    for i, (kind, params) in enumerate(specs):
        out = work / f"out_{i}.ipynb"
        args = [
            str(bin_dir / "papermill"),
            "--log-level",
            "ERROR",
            "-k",
            "python3",
            "--cwd",
            str(project / "notebooks"),
            str(work / f"{kind}.ipynb"),
            str(out),
            "-p",
            "config_path",
            str(project / "config" / "leverkusen.yml"),
        ]
        for key, value in params.items():
            args += ["-p", key, str(value)]
        start = time.perf_counter()
        subprocess.run(args, check=True, env=env, capture_output=True)
        subprocess.run(
            [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--log-level", "ERROR", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return times


def build_mix(config) -> dict[str, int]:
    """How many pages of each report kind the default build makes."""
    from helpers.core.registry import REPORTS

    years = len(config.report_years)
    return {kind: years * (len(config.stadtteile) if r.per_area else 1) for kind, r in REPORTS.items()}


def naive_mix_mean(kinds: list[str], seconds: list[float], mix: dict[str, int]) -> float:
    """Naive cost per report, weighted to the build's mix of report kinds.

    The sample over-represents the (slower) city-wide pages; each kind's mean is weighted by
    how many pages of that kind the build makes. Kinds not sampled are left out of the weights.

    >>> naive_mix_mean(["a", "b", "b"], [10.0, 4.0, 6.0], {"a": 1, "b": 3})
    6.25
    """
    means = {k: sum(s for kk, s in zip(kinds, seconds, strict=True) if kk == k) / kinds.count(k) for k in set(kinds)}
    weight = sum(mix[k] for k in means)
    return sum(means[k] * mix[k] for k in means) / weight


def kind_pages(project: Path, kind: str) -> list[Path]:
    """The published pages of one report kind (profiles: one per Stadtteil and year)."""
    from helpers.core.registry import REPORTS

    pattern = "20*/stadtteile/*.html" if REPORTS[kind].per_area else f"20*/{kind}.html"
    return sorted((project / "reports").glob(pattern))


def per_kind_ratio(kind: str, kinds: list[str], naive: list[float], project_s: float, pages: int) -> dict:
    """Naive mean of one kind beside the project's time per page of that kind, and their ratio.

    >>> per_kind_ratio("profil", ["gesamtstadt", "profil", "profil"], [9.0, 6.0, 8.0], 7.0, 20)
    {'naive_per_report_s': 7.0, 'project_per_report_s': 0.35, 'speedup': 20.0}
    """
    sample = [s for k, s in zip(kinds, naive, strict=True) if k == kind]
    mean, per = sum(sample) / len(sample), project_s / pages
    ratio = round(mean / per, 1)
    return {"naive_per_report_s": round(mean, 2), "project_per_report_s": round(per, 3), "speedup": ratio}


def time_kind(project: Path, kind: str, cfg: str) -> tuple[float, int]:
    """The report phase of one kind alone: its pages removed, its task group run sequentially."""
    pages = kind_pages(project, kind)
    for page in pages:
        page.unlink()
    drop_executions(project, f"{kind}*.ipynb")
    seconds, _, _ = timed_doit(project, "-n", "1", kind, cfg)
    return seconds, len(pages)


def drop_executions(project: Path, pattern: str = "*.ipynb") -> None:
    """Delete saved executions (``build/executed``), so the report tasks execute their notebooks again
    instead of re-rendering a still valid saved execution: the benchmark times execution and rendering."""
    for notebook in (project / "build" / "executed").glob(f"20*/{pattern}"):
        notebook.unlink()


def drop_report_pages(project: Path) -> None:
    """Delete every published report page and its saved execution, so that doit re-runs exactly the report
    tasks, notebooks executed."""
    for page in (project / "reports").glob("20*/**/*.html"):
        if page.name != "methoden.html":
            page.unlink()
    drop_executions(project)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--config", default="config/leverkusen.yml")
    parser.add_argument("--naive", type=int, default=8, help="reports run the naive way (papermill + nbconvert CLI)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument(
        "--kinds", nargs="*", default=["profil", "gesamtstadt"], help="report kinds timed alone beside the naive way"
    )
    args = parser.parse_args()
    cfg = f"config={args.config}"
    with tempfile.TemporaryDirectory(prefix="monitoring-bench-") as tmp:
        project = Path(tmp)
        copy_project(project)
        sys.path.insert(0, str(project / "src"))
        from helpers.core.config import load_config
        from helpers.core.registry import REPORTS

        config = load_config(project / args.config)
        year, slug = config.report_years[-1], config.stadtteile[0].slug
        per_year = len(config.stadtteile) + sum(1 for r in REPORTS.values() if not r.per_area)
        n_reports = len(config.report_years) * per_year
        full, full_peak, full_pss = timed_doit(project, "-n", str(args.jobs), cfg)
        noop, _, _ = timed_doit(project, "-n", str(args.jobs), cfg)
        # the report phase alone, the project's way: sequential, then parallel
        drop_report_pages(project)
        seq, seq_peak, seq_pss = timed_doit(project, "-n", "1", *REPORTS, cfg)
        drop_report_pages(project)
        par, par_peak, par_pss = timed_doit(project, "-n", str(args.jobs), *REPORTS, cfg)
        # one report alone: remove its page, everything else is up to date
        (project / "reports" / str(year) / "stadtteile" / f"{slug}.html").unlink()
        drop_executions(project, f"profil_{slug}.ipynb")
        single, _, _ = timed_doit(project, f"profil:{year}-{slug}", cfg)
        by_kind = {kind: time_kind(project, kind, cfg) for kind in args.kinds}
        specs = report_specs(config, args.naive)
        missing = [k for k in args.kinds if k not in {kind for kind, _ in specs}]
        specs += [spec for spec in report_specs(config, len(config.stadtteile) + 3) if spec[0] in missing][:1]
        naive = naive_reports(project, config, specs)
    sampled = [kind for kind, _ in specs]
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    naive_per = naive_mix_mean(sampled, naive, build_mix(config))
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "config": args.config,
        "jobs": args.jobs,
        "reports": n_reports,
        "full_build_s": round(full, 1),
        "full_build_includes": "sources, indicators + suppression, analyses, open data, reports, methods, index, audit",
        "noop_rebuild_s": round(noop, 2),
        "report_phase_sequential_s": round(seq, 1),
        "report_phase_parallel_s": round(par, 1),
        "per_report_sequential_s": round(seq / n_reports, 2),
        "per_report_parallel_s": round(par / n_reports, 2),
        "naive_reports_measured": len(naive),
        "naive_sample_mean_s": round(sum(naive) / len(naive), 2),
        "naive_per_report_s": round(naive_per, 2),
        "naive_per_report_note": "sample mean per report kind, weighted by the build's mix of kinds",
        "naive_report_phase_extrapolated_s": round(naive_per * n_reports, 0),
        "speedup_sequential": round(naive_per / (seq / n_reports), 1),
        "speedup_parallel": round(naive_per / (par / n_reports), 1),
        "single_report_alone_s": round(single, 1),
        "per_kind": {kind: per_kind_ratio(kind, sampled, naive, *by_kind[kind]) for kind in args.kinds},
        "per_kind_note": (
            "one kind's pages removed and its task group run with -n 1 (warm kernels, charts as SVG), per page, "
            "beside the naive papermill + nbconvert mean of the same kind"
        ),
        "peak_rss_largest_process_mb": round(peak_kib / 1024, 0),
        "peak_rss_whole_build_mb": round(max(full_peak, seq_peak, par_peak), 0),
        "peak_pss_whole_build_mb": round(max(full_pss, seq_pss, par_pss), 0),
        "peak_whole_build_note": (
            "summed over doit, its workers, kernels and Chromium, sampled every 0.2 s: RSS counts shared pages once "
            "per process (upper bound), PSS splits them among the sharing processes (the memory the build holds)"
        ),
        "measured_at_commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
        or None,
    }
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
