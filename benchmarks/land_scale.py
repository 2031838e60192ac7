"""Scale benchmark of the Land run (not a test): N synthetic communes on a LocalCluster with W workers.

For every N (default 1, 2, 4, 8, 16) the communes 1..N are generated once (small: 4 data years,
one report year, 3–12 Stadtteile, 8,000–60,000 residents; commune k is the same for every N),
then copied to a fresh folder for each worker count W (default 1, 2) and built from scratch
with :func:`helpers.tools.land.run_land`. Reported per (N, W):

- ``wall_s``: wall time of the whole Land run (cluster start, all communes, Land page);
- ``per_commune_s``: wall time / N (the cost of one more commune at this scale);
- ``busy_s``: Σ of the communes' own build times (each commune's doit subprocess);
- ``cpu_s``: Σ of the communes' CPU time (user + system of doit and its kernels): the cost of a
  commune that does not depend on other load on the machine;
- ``load_before``/``load_after``: the 1-minute load average (other users of a shared machine
  inflate wall times; compare ``cpu_s``);
- ``speedup`` and ``efficiency``: T(N, 1) / T(N, W) and speedup / W (parallel efficiency);
- ``peak_rss_mb``: peak summed resident memory of this process and all its children
  (scheduler, workers, doit subprocesses, kernels), sampled every 0,2 s;
- ``noop_s`` (largest N, every W): a second run, when every commune is up to date.

Writes ``benchmarks/land_scale_results.json`` and prints a table.

    PYTHONPATH=src .venv/bin/python benchmarks/land_scale.py [--n 1 2 4 8 16] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "land_scale_results.json"


def efficiency(t1: float, tw: float, workers: int) -> tuple[float, float]:
    """Speedup and parallel efficiency of ``workers`` workers against one.

    >>> efficiency(100.0, 55.0, 2)
    (1.82, 0.91)
    """
    speedup = t1 / tw
    return round(speedup, 2), round(speedup / workers, 2)


class PeakMemory:
    """Peak summed RSS (MB) of this process and its descendants while the block runs."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak, self._stop = every, 0.0, threading.Event()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak = max(self.peak, total / 2**20)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _copy_communes(template: Path, n: int, target: Path) -> list[Path]:
    configs = []
    for folder in sorted((template / "kommunen").iterdir())[:n]:
        shutil.copytree(folder, target / "kommunen" / folder.name)
        configs.append(target / "kommunen" / folder.name / "config" / "kommune.yml")
    return configs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()

    from helpers.synth.communes import generate_communes
    from helpers.tools.land import run_land

    rows = []
    with tempfile.TemporaryDirectory(prefix="land-bench-") as tmp:
        template = Path(tmp) / "vorlage"
        generate_communes(template, max(args.n), args.seed, (2022, 2025), (3, 12), (8_000, 60_000))
        for n in args.n:
            for w in args.workers:
                folder = Path(tmp) / f"n{n}-w{w}"
                configs = _copy_communes(template, n, folder)
                # a notebooks path relative to the template folder still points at this checkout
                load_before = os.getloadavg()[0]
                with PeakMemory() as mem:
                    run = run_land(configs, folder / "reports", workers=w, log=lambda _line: None)
                failed = [o.ags for o in run.failed]
                row = {
                    "n": n,
                    "workers": w,
                    "wall_s": round(run.seconds, 1),
                    "per_commune_s": round(run.seconds / n, 1),
                    "busy_s": round(sum(o.seconds for o in run.outcomes), 1),
                    "cpu_s": round(sum(o.cpu_seconds for o in run.outcomes), 1),
                    "cpu_per_commune_s": round(sum(o.cpu_seconds for o in run.outcomes) / n, 1),
                    "load_before": round(load_before, 1),
                    "load_after": round(os.getloadavg()[0], 1),
                    "peak_rss_mb": round(mem.peak),
                    "stadtteile": sum(len(c.read_text(encoding="utf-8").split("slug:")) - 1 for c in configs),
                    "failed": failed,
                }
                if n == max(args.n):
                    again = run_land(configs, folder / "reports", workers=w, log=lambda _line: None)
                    row["noop_s"] = round(again.seconds, 1)
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
                shutil.rmtree(folder)
    base = {r["n"]: r["wall_s"] for r in rows if r["workers"] == 1}
    for r in rows:
        if r["n"] in base:
            r["speedup"], r["efficiency"] = efficiency(base[r["n"]], r["wall_s"], r["workers"])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    result = {
        "measured_at_commit": commit or None,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "communes": f"synthetic (helpers.synth.communes, seed {args.seed}): 4 data years, 1 report year, "
        "3–12 Stadtteile, 8.000–60.000 residents",
        "memory_note": "peak_rss_mb is the summed RSS of this process and all its children; shared pages "
        "(Python, Chromium) are counted once per process, so it overstates the real footprint",
        "rows": rows,
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{'N':>3} {'W':>2} {'wall s':>8} {'s/commune':>10} {'CPU s/commune':>14} {'speedup':>8} {'eff.':>5} {'MB':>6}"
    )
    for r in rows:
        print(
            f"{r['n']:>3} {r['workers']:>2} {r['wall_s']:>8} {r['per_commune_s']:>10} {r['cpu_per_commune_s']:>14} "
            f"{r.get('speedup', ''):>8} {r.get('efficiency', ''):>5} {r['peak_rss_mb']:>6}"
        )


if __name__ == "__main__":
    main()
