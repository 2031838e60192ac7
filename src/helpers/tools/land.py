"""A Land-wide run: many communes in one command on Dask, then a Land overview page.

    python -m helpers.tools.land <folder | land.yml | commune.yml ...> [--scheduler tcp://…] [--workers N]
    python -m helpers.tools.land generate <folder> -n 8 [--seed 19]    # synthetic communes for tests

The unit of work is one commune's own doit (``python -m doit -n 1 config=<its config>``) in a
subprocess on a Dask worker: every commune keeps its own root, outputs, ``.doit.db`` and warm
kernels, so it rebuilds incrementally and can still be built alone with plain ``doit``. A
LocalCluster (processes, one thread each) runs by default; ``--scheduler`` (or ``scheduler`` in
a Land config) sends the work to a running cluster whose workers see the same paths (shared
storage) and have the project installed. A failing commune fails alone with its German
message; the others finish; the summary names what failed. The Land page
(:mod:`helpers.site.land_page`) comes last and is built from what succeeded; it is written
only when its bytes change, so a second run changes no file.

A Land config (YAML) names the communes and the run's settings::

    name: Nordrhein-Westfalen
    communes: ["kommunen/*/config/kommune.yml", ../beispielstadt/config/beispielstadt.yml]
    output: reports           # the Land page goes to <output>/index.html
    scheduler: null           # e.g. tcp://scheduler:8786
    workers: 4
    comparison_count: 3
    comparisons: {"05980001": ["05980002", "05980004"]}   # configured comparison communes
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from helpers.core.config import YAML_LOADER, Config, ConfigError, load_config
from helpers.core.io import write_bytes_atomic
from helpers.site.land_page import LandCommune, Missing, render_land_page

#: The checkout whose dodo.py and helpers build every commune.
PROJECT = Path(__file__).resolve().parents[3]
DODO = PROJECT / "dodo.py"
_DONE_RE = re.compile(r"Fertig: (\d+) ausgeführt, (\d+) aktuell, (\d+) fehlgeschlagen")
#: Folders never searched for commune configs.
_SKIP_DIRS = {"data", "build", "reports", "notebooks", ".git"}


class LandSettings(BaseModel):
    """A Land config: which communes, where the Land page goes, how to run."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = "Nordrhein-Westfalen"
    communes: list[str] = Field(min_length=1)
    output: str = "reports"
    scheduler: str | None = None
    workers: int = Field(default=2, ge=1)
    comparison_count: int = Field(default=3, ge=1)
    comparisons: dict[str, list[str]] = {}


@dataclass
class CommuneOutcome:
    """What happened to one commune in a Land run."""

    config: str
    ags: str = ""
    name: str = ""
    ok: bool = False
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time (user + system) of the commune's doit and its kernels
    executed: int | None = None  # doit tasks that ran (0: the commune was up to date)
    message: str = ""  # the German failure message ("" when ok)
    worker: str = ""


@dataclass
class LandRun:
    """The result of a Land run."""

    outcomes: list[CommuneOutcome]
    page: Path
    page_written: bool
    seconds: float
    workers: int
    scheduler: str = "LocalCluster"
    failed: list[CommuneOutcome] = field(init=False)

    def __post_init__(self) -> None:
        self.failed = [o for o in self.outcomes if not o.ok]


# --- the unit of work (runs on a Dask worker) ----------------------------------------------


def doit_command(config: str | Path, jobs: int = 1) -> list[str]:
    """The command that builds one commune: its own doit, in its own root."""
    return [sys.executable, "-m", "doit", "-f", str(DODO), "-n", str(jobs), f"config={Path(config).resolve()}"]


def failure_message(stdout: str, stderr: str) -> str:
    """The German block of a failed doit run: from its first failure line (``!!``) to the end,
    without the final count line; a config error (stderr) as it is; else the last lines.

    >>> out = "!! process:x: Rohdaten falsch\\n  Datei a.csv\\nFertig: 0 ausgeführt, 0 aktuell, 1 fehlgeschlagen.\\n"
    >>> failure_message(out, "")
    '!! process:x: Rohdaten falsch\\n  Datei a.csv'
    """
    lines = stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("!!")), None)
    if start is not None:
        block = [line for line in lines[start:] if not _DONE_RE.search(line)]
        return "\n".join(block).strip()
    tail = [line for line in (stderr.strip().splitlines() or lines) if line.strip()]
    return "\n".join(tail[-12:]) or "doit endete mit einem Fehler, ohne Meldung"


def build_commune(config: str, jobs: int = 1) -> dict:
    """Build one commune with its own doit (subprocess); never raises: returns a CommuneOutcome as dict."""
    start, cpu_start = time.perf_counter(), _children_cpu()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT / "src"), os.environ.get("PYTHONPATH", "")])}
    out = CommuneOutcome(config=config, worker=_worker_name())
    try:
        proc = subprocess.run(doit_command(config, jobs), capture_output=True, text=True, cwd=PROJECT, env=env)
    except OSError as exc:
        out.message = f"doit ließ sich nicht starten: {exc}"
    else:
        done = _DONE_RE.search(proc.stdout)
        out.executed = int(done.group(1)) if done else None
        out.ok = proc.returncode == 0
        out.message = "" if out.ok else failure_message(proc.stdout, proc.stderr)
    out.seconds = time.perf_counter() - start
    out.cpu_seconds = _children_cpu() - cpu_start
    return asdict(out)


def _children_cpu() -> float:
    """CPU seconds of this process's finished child processes (one commune at a time per worker)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "lokal"


# --- finding communes ----------------------------------------------------------------------


def _top_keys(path: Path) -> set[str]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return set()
    return set(data) if isinstance(data, dict) else set()


def commune_configs_in(folder: Path) -> list[Path]:
    """Every commune config (a YAML file with a top-level ``commune``) under ``folder``, sorted;
    data, build and report folders are not searched."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        found += [Path(dirpath) / f for f in sorted(filenames) if f.endswith((".yml", ".yaml"))]
    return sorted(p.resolve() for p in found if "commune" in _top_keys(p))


def resolve_inputs(inputs: Sequence[str]) -> tuple[LandSettings, list[Path], Path | None]:
    """(settings, commune configs, base folder of the default output) from the command line's inputs:
    a Land config, a folder (its ``land.yml`` if there is one, else every commune config in it)
    or commune config files."""
    if len(inputs) == 1:
        single = Path(inputs[0])
        land_file = single / "land.yml" if single.is_dir() else single
        if land_file.is_file() and "communes" in _top_keys(land_file):
            settings = load_land_settings(land_file)
            base = land_file.parent.resolve()
            configs = []
            for pattern in settings.communes:
                target = base / pattern
                matches = sorted(glob.glob(str(target))) if glob.has_magic(pattern) else [str(target)]
                for match in map(Path, matches):
                    configs += commune_configs_in(match) if match.is_dir() else [match.resolve()]
            return settings, configs, base
    configs, base = [], None
    for item in map(Path, inputs):
        if item.is_dir():
            configs += commune_configs_in(item)
            base = base or item.resolve()
        else:
            configs.append(item.resolve())
    return LandSettings(communes=[str(c) for c in configs] or ["-"]), configs, base


def load_land_settings(path: Path) -> LandSettings:
    """Read and check a Land config (German message on error)."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    try:
        return LandSettings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"Land-Konfiguration {path} fehlerhaft: {problems}") from None


# --- running -------------------------------------------------------------------------------


def _size_key(config: Config) -> tuple[int, str]:
    """Bigger communes first (longest-processing-time-first keeps workers busy to the end)."""
    return (-len(config.stadtteile) * len(config.sources), config.commune.ags)


def _client(scheduler: str | None, workers: int):
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def run_land(
    configs: Sequence[Path],
    output: Path,
    settings: LandSettings | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    log=print,
) -> LandRun:
    """Build every commune on Dask, then the Land page at ``output/index.html``."""
    settings = settings or LandSettings(communes=[str(c) for c in configs] or ["-"])
    scheduler = scheduler if scheduler is not None else settings.scheduler
    workers = workers or settings.workers
    start = time.perf_counter()
    loaded: dict[str, Config] = {}
    outcomes: list[CommuneOutcome] = []
    for path in configs:
        try:
            config = load_config(path)
        except ConfigError as exc:
            outcomes.append(CommuneOutcome(config=str(path), message=f"Konfiguration fehlerhaft: {exc}"))
            continue
        if any(c.commune.ags == config.commune.ags for c in loaded.values()):
            message = f"AGS {config.commune.ags} ist im Lauf doppelt vergeben"
            outcomes.append(CommuneOutcome(str(path), config.commune.ags, config.commune.name, message=message))
            continue
        loaded[str(path)] = config
    order = sorted(loaded, key=lambda p: _size_key(loaded[p]))
    where = scheduler or f"LocalCluster mit {workers} Worker(n)"
    log(f"Landesweiter Lauf: {len(configs)} Kommune(n) auf {where}")
    if order:
        outcomes += _run_on_dask(order, loaded, scheduler, workers, log)
    page = output / "index.html"
    succeeded = [o for o in outcomes if o.ok]
    html = render_land_page(
        settings.name,
        [LandCommune(loaded[o.config]) for o in sorted(succeeded, key=lambda o: o.ags)],
        [Missing(o.ags, o.name or Path(o.config).name, _first_line(o.message)) for o in _sorted_failed(outcomes)],
        page,
        comparisons=settings.comparisons,
        comparison_count=settings.comparison_count,
    )
    written = write_if_changed(page, html.encode("utf-8"))
    run = LandRun(
        sorted(outcomes, key=lambda o: (o.ags, o.config)), page, written, time.perf_counter() - start, workers
    )
    run.scheduler = scheduler or "LocalCluster"
    log(summary(run))
    return run


def _run_on_dask(order, loaded, scheduler, workers, log) -> list[CommuneOutcome]:
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    outcomes = []
    try:
        futures = {
            client.submit(build_commune, path, key=f"kommune-{loaded[path].commune.ags}", pure=False): path
            for path in order
        }
        for future in as_completed(futures):
            path, config = futures[future], loaded[futures[future]]
            try:
                outcome = CommuneOutcome(**future.result())
            except Exception as exc:  # a lost worker or a broken environment: this commune fails alone
                outcome = CommuneOutcome(config=path, message=f"Ausführung auf Dask gescheitert: {exc!r}")
            outcome.ags, outcome.name = config.commune.ags, config.commune.name
            log(_line(outcome))
            outcomes.append(outcome)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return outcomes


def _sorted_failed(outcomes: list[CommuneOutcome]) -> list[CommuneOutcome]:
    return sorted((o for o in outcomes if not o.ok), key=lambda o: (o.ags, o.config))


def _first_line(message: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "unbekannter Fehler"
    return re.sub(r"^!!\s*", "", first)


def write_if_changed(target: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless ``target`` already holds exactly these bytes; True if written."""
    if target.is_file() and target.read_bytes() == data:
        return False
    write_bytes_atomic(target, data)
    return True


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _line(o: CommuneOutcome) -> str:
    if o.ok:
        what = "aktuell, nichts zu tun" if o.executed == 0 else f"{o.executed} Aufgabe(n) ausgeführt"
        return f"  ✓ {o.ags} {o.name}: {what} ({_duration(o.seconds)})"
    indented = "\n".join("      " + line for line in o.message.splitlines())
    return f"  ✗ {o.ags} {o.name}: fehlgeschlagen ({_duration(o.seconds)})\n{indented}"


def summary(run: LandRun) -> str:
    """The German summary of a Land run."""
    ok = [o for o in run.outcomes if o.ok]
    lines = [
        f"Landesseite: {run.page} ({'neu geschrieben' if run.page_written else 'unverändert'})",
        f"Fertig: {len(ok)} Kommune(n) erstellt, {len(run.failed)} fehlgeschlagen ({_duration(run.seconds)}).",
    ]
    if run.failed:
        names = ", ".join(f"{o.name or o.config} ({o.ags or '?'})" for o in run.failed)
        lines.append(f"Fehlgeschlagen: {names}")
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------


def _generate(argv: Sequence[str]) -> int:
    from helpers.synth.communes import generate_communes

    parser = argparse.ArgumentParser(prog="python -m helpers.tools.land generate")
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", type=int, default=8, help="Zahl der Kommunen")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--years", type=int, nargs=2, default=(2022, 2025), metavar=("ERSTES", "LETZTES"))
    parser.add_argument("--areas", type=int, nargs=2, default=(3, 40), metavar=("MIN", "MAX"))
    args = parser.parse_args(argv)
    for c in generate_communes(args.folder, args.n, args.seed, tuple(args.years), tuple(args.areas)):
        print(f"{c.ags} {c.name}: {c.config}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["generate"]:
        return _generate(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m helpers.tools.land", description="Landesweiter Lauf")
    parser.add_argument("inputs", nargs="+", help="Land-Konfiguration, Ordner oder Kommunen-Konfigurationen")
    parser.add_argument("--scheduler", help="Adresse eines laufenden Dask-Schedulers, z. B. tcp://host:8786")
    parser.add_argument("--workers", type=int, help="Worker des lokalen Clusters (Standard 2)")
    parser.add_argument("--out", type=Path, help="Ordner der Landesseite (Standard: <Ordner>/reports)")
    parser.add_argument("--name", help="Name des Landes auf der Seite")
    args = parser.parse_args(argv)
    try:
        settings, configs, base = resolve_inputs(args.inputs)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 3
    if args.name:
        settings = settings.model_copy(update={"name": args.name})
    if not configs:
        print("Keine Kommunen-Konfiguration gefunden.", file=sys.stderr)
        return 3
    output = args.out or (base / settings.output if base else None)
    if output is None:
        print("Bitte mit --out den Ordner der Landesseite angeben.", file=sys.stderr)
        return 3
    run = run_land(configs, output.resolve(), settings, args.scheduler, args.workers)
    return 1 if run.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
